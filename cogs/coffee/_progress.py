"""Keeping ``/coffee run-now``'s reply honest while a long round is announced.

A round usually takes seconds. When it takes longer (a large server, or Discord
asking the bot to wait before making more threads), the reply says the round is
being announced and will finish by itself, and counts the meetings announced.
An interaction's reply can only be edited for 15 minutes: after about 14, the
reply is left alone and the final summary goes to the coordinators' log instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.text import Messages

log = logging.getLogger(__name__)

#: How long run-now stays on "thinking…" before it says what is happening.
QUIET_SECONDS = 2.0
#: The shortest gap between two progress edits.
EDIT_EVERY = timedelta(seconds=3)
#: Edits stop this long after the command (its token lasts 15 minutes).
REPLY_LIFETIME = timedelta(minutes=14)

Edit = Callable[[str], Awaitable[None]]


class RunNowReply:
    """The deferred reply of one ``/coffee run-now``, edited as the round goes."""

    def __init__(
        self, clock: Clock, texts: Messages, week: str, edit: Edit, tell_log: Edit
    ) -> None:
        self._clock = clock
        self._texts = texts
        self.week = week
        self._edit = edit
        self._tell_log = tell_log
        self.started_at: datetime = clock.now()
        self._last_edit: datetime | None = None
        self.done = 0
        self.total: int | None = None
        self.slow = False

    @property
    def editable(self) -> bool:
        return self._clock.now() - self.started_at < REPLY_LIFETIME

    def text(self) -> str:
        if self.total is None:
            return self._texts("coffee.run_announcing", week=self.week)
        return self._texts("coffee.run_progress", count=self.total, done=self.done, week=self.week)

    async def went_quiet(self) -> None:
        """The round is taking a while: say so, with the count so far."""
        self.slow = True
        await self._show(force=True)

    async def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self.slow:
            await self._show(force=False)

    async def finish(self, text: str) -> None:
        """The final word: in the reply while it can be edited, else in the coordinators' log."""
        if self.editable:
            await self._safe(self._edit, text)
        else:
            await self._safe(self._tell_log, text)

    async def _show(self, *, force: bool) -> None:
        now = self._clock.now()
        if not self.editable:
            return
        if not force and self._last_edit is not None and now - self._last_edit < EDIT_EVERY:
            return
        self._last_edit = now
        await self._safe(self._edit, self.text())

    @staticmethod
    async def _safe(action: Edit, text: str) -> None:
        try:
            await action(text)
        except Exception as exc:  # an edit that fails must not stop the round
            log.warning("Could not update the run-now reply: %s", exc)
