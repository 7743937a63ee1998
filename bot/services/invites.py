"""Inviting an existing community, and tidying the welcome channel afterwards.

Pure rules (no Discord): who is invited, the pace of progress updates, and which
greetings are due for removal. An invitation is recorded before it is sent, so a
repeated or resumed invite never reaches anyone twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock
from bot.problems import UserFacingError
from bot.repos.invites import Greeting, GreetingRepo, InviteRepo, InviteStatus

#: Members invited this recently are not invited again.
INVITE_COOLDOWN = timedelta(days=30)
#: The progress reply is edited at most this often (seconds).
PROGRESS_EVERY = 2.0
#: Discord keeps an interaction token for 15 minutes; stop editing before then.
TOKEN_LIFETIME = 14 * 60.0
GREETING_DAYS_MAX = 365


@dataclass(frozen=True)
class Candidate:
    user_id: int
    is_bot: bool


@dataclass
class InvitePlan:
    invite: list[int] = field(default_factory=list)
    bots: int = 0
    champions: int = 0
    recent: int = 0

    @property
    def skipped(self) -> int:
        return self.bots + self.champions + self.recent


class InviteProgress:
    """When to edit the "120 of 480 invited" reply, and when its token is too old to use."""

    def __init__(
        self,
        total: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        every: float = PROGRESS_EVERY,
        lifetime: float = TOKEN_LIFETIME,
    ) -> None:
        self.total = total
        self.done = 0
        self._monotonic = monotonic
        self._every = every
        self._lifetime = lifetime
        self._started = monotonic()
        self._last_edit = self._started

    def advance(self) -> None:
        self.done += 1

    @property
    def token_usable(self) -> bool:
        return self._monotonic() - self._started < self._lifetime

    def edit_due(self) -> bool:
        """True (and the edit is counted) when an edit is allowed now."""
        now = self._monotonic()
        if not self.token_usable or now - self._last_edit < self._every:
            return False
        self._last_edit = now
        return True


class InviteService:
    def __init__(self, repo: InviteRepo, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    async def plan(self, guild_id: int, candidates: Iterable[Candidate]) -> InvitePlan:
        """Who gets an invitation: not bots, not champions, not anyone invited lately."""
        since = self._clock.now() - INVITE_COOLDOWN
        recent = await self._repo.invited_since(guild_id, since)
        champions = await self._repo.champion_ids(guild_id)
        plan = InvitePlan()
        seen: set[int] = set()
        for candidate in candidates:
            if candidate.user_id in seen:
                continue
            seen.add(candidate.user_id)
            if candidate.is_bot:
                plan.bots += 1
            elif candidate.user_id in champions:
                plan.champions += 1
            elif candidate.user_id in recent:
                plan.recent += 1
            else:
                plan.invite.append(candidate.user_id)
        return plan

    async def claim(self, guild_id: int, user_id: int) -> bool:
        """Record the invitation before sending; False if someone else already sent one."""
        now = self._clock.now()
        return await self._repo.claim(guild_id, user_id, now, now - INVITE_COOLDOWN)

    async def mark(self, guild_id: int, user_ids: Iterable[int], status: InviteStatus) -> None:
        await self._repo.mark(guild_id, user_ids, status)


class GreetingService:
    def __init__(self, repo: GreetingRepo, clock: Clock) -> None:
        self._repo = repo
        self._clock = clock

    async def cleanup_days(self, guild_id: int) -> int:
        return await self._repo.cleanup_days(guild_id)

    async def set_cleanup_days(self, guild_id: int, days: int) -> int:
        if not 0 <= days <= GREETING_DAYS_MAX:
            raise UserFacingError("wizard.greeting_days_invalid", maximum=GREETING_DAYS_MAX)
        await self._repo.set_cleanup_days(guild_id, days)
        return days

    async def record(self, guild_id: int, channel_id: int, message_id: int, user_id: int) -> None:
        await self._repo.record(guild_id, channel_id, message_id, user_id, self._clock.now())

    async def due(self, guild_id: int) -> list[Greeting]:
        """Greetings older than the server's setting; none when it is 0 (keep them)."""
        days = await self._repo.cleanup_days(guild_id)
        if days == 0:
            return []
        return await self._repo.due(guild_id, self._clock.now() - timedelta(days=days))

    async def mark_deleted(self, message_id: int) -> None:
        await self._repo.mark_deleted(message_id, self._clock.now())
