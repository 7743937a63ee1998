"""Short notes coordinators can act on, posted in their log at most once a day per problem.

``AlertService.alert`` records the (kind, subject, local day) before anything is
posted, so a burst of events about one problem (fifty members who could not get
the same role) becomes one note. Posting itself is a function the bot attaches
(see ``cogs/setup/_alerts.py``); without it, alerts are only logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.repos.alerts import AlertRepo
from bot.repos.guilds import GuildRepo
from bot.scheduler.delivery import step_nonce
from bot.services.defaults import DEFAULT_TIMEZONE
from bot.text import Messages

log = logging.getLogger(__name__)

#: Posts ``text`` in a guild's coordinators' log with a nonce naming the alert (so a post
#: whose answer was lost is not made twice); True once it is there.
Poster = Callable[[int, str, str], Awaitable[bool]]


class AlertKind(StrEnum):
    UNPLACED = "unplaced"
    CROSS_GROUP = "cross-group"
    REPEATS = "repeats"
    THREAD_FAILED = "thread-failed"
    ROLE_FAILED = "role-failed"
    CAUGHT_UP = "caught-up"
    PERMISSION_LOST = "permission-lost"


_TITLES: Mapping[AlertKind, str] = {
    AlertKind.UNPLACED: "alerts.title_unplaced",
    AlertKind.CROSS_GROUP: "alerts.title_cross_group",
    AlertKind.REPEATS: "alerts.title_repeats",
    AlertKind.THREAD_FAILED: "alerts.title_thread_failed",
    AlertKind.ROLE_FAILED: "alerts.title_role_failed",
    AlertKind.CAUGHT_UP: "alerts.title_caught_up",
    AlertKind.PERMISSION_LOST: "alerts.title_permission_lost",
}


def _mentions(user_ids: Iterable[int], limit: int = 20) -> str:
    ids = list(user_ids)
    shown = ", ".join(f"<@{u}>" for u in ids[:limit])
    return shown + (f" (+{len(ids) - limit})" if len(ids) > limit else "")


class AlertService:
    def __init__(self, repo: AlertRepo, guilds: GuildRepo, texts: Messages, clock: Clock) -> None:
        self._repo = repo
        self._guilds = guilds
        self._texts = texts
        self._clock = clock
        self._poster: Poster | None = None

    def attach(self, poster: Poster | None) -> None:
        """Where notes go (the coordinators' log); None detaches."""
        self._poster = poster

    async def local_day(self, guild_id: int, when: datetime | None = None) -> str:
        config = await self._guilds.config(guild_id)
        timezone = config.timezone if config else DEFAULT_TIMEZONE
        moment = when or self._clock.now()
        return moment.astimezone(ZoneInfo(timezone)).date().isoformat()

    def render(self, kind: AlertKind, detail: str, fix: str) -> str:
        return self._texts("alerts.note", title=self._texts(_TITLES[kind]), detail=detail, fix=fix)

    async def alert(
        self, guild_id: int, kind: AlertKind, detail: str, fix: str, *, subject: str = ""
    ) -> bool:
        """Post a note about ``subject`` unless one was posted today; True if posted now."""
        day = await self.local_day(guild_id)
        if not await self._repo.claim(guild_id, kind.value, subject, day, self._clock.now()):
            return False
        text = self.render(kind, detail, fix)
        nonce = step_nonce(guild_id, f"alert:{kind.value}", day, subject)
        posted = self._poster is not None and await self._poster(guild_id, text, nonce)
        if not posted:
            log.warning("Alert for guild %s not posted: %s", guild_id, text)
            await self._repo.release(guild_id, kind.value, subject, day)
        return posted

    # The events kindbot reports, each with its wording and fix.

    async def unplaced(self, guild_id: int, period_key: str, user_ids: list[int]) -> bool:
        """A coffee round could not place these champions, or sat them out."""
        texts = self._texts
        return await self.alert(
            guild_id,
            AlertKind.UNPLACED,
            texts("alerts.detail_unplaced", count=len(user_ids), members=_mentions(user_ids)),
            texts("alerts.fix_unplaced"),
            subject=period_key,
        )

    async def cross_group_missed(
        self, guild_id: int, period_key: str, same_group: int, bound: int
    ) -> bool:
        """A round has more same-group pairs than the fewest its group sizes allow."""
        texts = self._texts
        return await self.alert(
            guild_id,
            AlertKind.CROSS_GROUP,
            texts("alerts.detail_cross_group", count=same_group, bound=bound),
            texts("alerts.fix_cross_group"),
            subject=period_key,
        )

    async def repeats_kept(self, guild_id: int, period_key: str, repeats: int) -> bool:
        """A round put people together again who met recently: avoiding it would have
        seated someone out."""
        texts = self._texts
        return await self.alert(
            guild_id,
            AlertKind.REPEATS,
            texts("alerts.detail_repeats", count=repeats),
            texts("alerts.fix_repeats"),
            subject=period_key,
        )

    async def thread_failed(self, guild_id: int, channel_id: int, reason: str) -> bool:
        """A coffee meeting's private thread could not be made in ``channel_id``."""
        texts = self._texts
        return await self.alert(
            guild_id,
            AlertKind.THREAD_FAILED,
            texts("alerts.detail_thread_failed", channel=f"<#{channel_id}>", reason=reason[:200]),
            texts("alerts.fix_thread_failed"),
            subject=str(channel_id),
        )

    async def role_failed(self, guild_id: int, detail: str, fixes: list[str]) -> bool:
        """Roles could not be given; one note a day per distinct set of fixes."""
        return await self.alert(
            guild_id,
            AlertKind.ROLE_FAILED,
            detail,
            self._texts("alerts.fix_role_failed"),
            subject="|".join(sorted(set(fixes))),
        )

    async def caught_up(self, guild_id: int, job: str, due_at: datetime) -> bool:
        """A scheduled job ran late, after the bot was down when it fell due."""
        texts = self._texts
        return await self.alert(
            guild_id,
            AlertKind.CAUGHT_UP,
            texts("alerts.detail_caught_up", job=job, due=f"<t:{int(due_at.timestamp())}:f>"),
            texts("alerts.fix_caught_up"),
            subject=job,
        )

    async def permission_lost(self, guild_id: int, problem: str) -> bool:
        """A check ``/setup show`` makes started failing; ``problem`` already holds its fix."""
        texts = self._texts
        return await self.alert(
            guild_id,
            AlertKind.PERMISSION_LOST,
            problem,
            texts("alerts.fix_permission_lost"),
            subject=problem,
        )
