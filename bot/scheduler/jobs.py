"""What a job is, and the context a running job gets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from bot.clock import Clock
from bot.models import WeeklyTime
from bot.repos.deliveries import DeliveryRepo
from bot.repos.jobs import JobRepo
from bot.scheduler.delivery import Delivered, Deliverer, Find, Send

T = TypeVar("T")


class JobSkipped(Exception):
    """Raised by a job that has nothing to do this period (for example no channel set).

    The period is closed with the reason noted, so it is not retried every minute.
    """


class RunOutcome(StrEnum):
    RAN = "ran"
    ALREADY_DONE = "already-done"
    BUSY = "busy"
    SKIPPED = "skipped"
    FAILED = "failed"
    GAVE_UP = "gave-up"


@dataclass(frozen=True)
class JobSpec:
    """A job every guild runs: weekly by default, or daily at the same local time.

    ``time_resolver``, when given, decides a guild's time itself (for example "two
    hours before pairing"); it returns None where the job is switched off.
    """

    name: str
    default_time: WeeklyTime
    handler: Callable[[JobContext], Awaitable[None]]
    daily: bool = False
    time_resolver: Callable[[int], Awaitable[WeeklyTime | None]] | None = None


class JobContext:
    """Where a job is (guild, period) and a way to record progress step by step."""

    def __init__(
        self,
        *,
        run_id: int,
        guild_id: int,
        job: str,
        period_key: str,
        due_at: datetime,
        attempt: int,
        repo: JobRepo,
        clock: Clock,
        deliveries: DeliveryRepo,
    ) -> None:
        self.run_id = run_id
        self.guild_id = guild_id
        self.job = job
        self.period_key = period_key
        self.due_at = due_at
        self.attempt = attempt
        self._repo = repo
        self._clock = clock
        self._deliveries = deliveries
        self._deliverer = Deliverer(
            deliveries, clock, guild_id=guild_id, job=job, period_key=period_key
        )

    @property
    def resumed(self) -> bool:
        return self.attempt > 1

    async def step(self, name: str, action: Callable[[], Awaitable[T]]) -> T:
        """Run ``action`` once per run: a resumed run gets the stored result instead.

        The result must be JSON-serialisable (or None).
        """
        done, result = await self._repo.step(self.run_id, name)
        if done:
            stored: T = result
            return stored
        value = await action()
        await self._repo.record_step(self.run_id, name, value, self._clock.now())
        return value

    async def is_done(self, name: str) -> bool:
        done, _ = await self._repo.step(self.run_id, name)
        return done

    async def mark_done(self, name: str, result: Any = None) -> None:
        await self._repo.record_step(self.run_id, name, result, self._clock.now())

    def nonce(self, step: str) -> str:
        """The nonce a delivery step sends with (derived from guild, job, period and step)."""
        return self._deliverer.nonce(step)

    async def deliver(
        self,
        step: str,
        send: Send,
        *,
        target_id: int | None = None,
        find: Find | None = None,
        period_key: str | None = None,
    ) -> Delivered:
        """A post or DM that takes effect once (see :mod:`bot.scheduler.delivery`).

        ``period_key`` files the step under a period of its own instead of the run's:
        a step that belongs to, say, a member's quarter is then the same step whichever
        day's run makes it, so a run cut short is found by a later day's run.
        """
        deliverer = self._deliverer
        if period_key is not None and period_key != self.period_key:
            deliverer = Deliverer(
                self._deliveries,
                self._clock,
                guild_id=self.guild_id,
                job=self.job,
                period_key=period_key,
            )
        return await deliverer.deliver(step, send, target_id=target_id, find=find)
