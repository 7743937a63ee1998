"""Runs registered jobs for every guild on time, once per period, catching up after downtime.

APScheduler only wakes us up. Whether a job is due, and for which period, is
decided from the injected clock and the ``job_runs`` ledger, so a late or missed
wake-up (APScheduler's own misfire handling drops late jobs after one second by
default) never loses or repeats a run. A minute tick re-checks everything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from bot.models import WeeklyTime
from bot.repos.deliveries import DeliveryRepo
from bot.repos.guilds import GuildRepo
from bot.repos.jobs import JobRepo
from bot.scheduler.jobs import JobContext, JobSkipped, JobSpec, RunOutcome
from bot.scheduler.timing import latest_due, period_key_for, weekly_trigger
from bot.services.defaults import DEFAULT_TIMEZONE

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_DELAY = timedelta(minutes=10)
_LOOKBACK_FOR_FIRE = timedelta(days=8)


class JobScheduler:
    """Owns the APScheduler instance and the rules for running jobs exactly once."""

    def __init__(
        self,
        jobs: JobRepo,
        guilds: GuildRepo,
        clock: Clock,
        *,
        catch_up_grace: timedelta = timedelta(hours=24),
        tick_seconds: float = 60.0,
        deliveries: DeliveryRepo | None = None,
    ) -> None:
        self._jobs = jobs
        self._deliveries = deliveries or DeliveryRepo(jobs.database)
        self._guilds = guilds
        self._clock = clock
        self.catch_up_grace = catch_up_grace
        self._tick_seconds = tick_seconds
        self._specs: dict[str, JobSpec] = {}
        self._active: set[tuple[int, str, str]] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._gate: Callable[[], Awaitable[Any]] | None = None
        self._caught_up: Callable[[int, str, datetime], Awaitable[Any]] | None = None
        self._aps: AsyncIOScheduler | None = None

    # Registration

    @property
    def specs(self) -> dict[str, JobSpec]:
        return dict(self._specs)

    def register(self, spec: JobSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"job {spec.name!r} is already registered")
        self._specs[spec.name] = spec

    def unregister(self, name: str) -> None:
        self._specs.pop(name, None)
        if self._aps is not None:
            for job in self._aps.get_jobs():
                if job.id.startswith(f"{name}:"):
                    job.remove()

    def set_catch_up_listener(
        self, listener: Callable[[int, str, datetime], Awaitable[Any]] | None
    ) -> None:
        """Told (guild, job, due time) when a weekly job ran late, after the bot was down."""
        self._caught_up = listener

    def set_gate(self, gate: Callable[[], Awaitable[Any]]) -> None:
        """Something to await before any job runs (the bot waits until it is ready)."""
        self._gate = gate

    # Life cycle

    @property
    def running(self) -> bool:
        return self._aps is not None

    async def start(self) -> None:
        if self._aps is not None:
            return
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        for guild_id in await self._guilds.guild_ids():
            await self.schedule_guild(guild_id)
        self._aps.add_job(
            self._spawn_catch_up,
            IntervalTrigger(seconds=self._tick_seconds, timezone=UTC),
            id="tick",
        )
        self._aps.start()
        self._spawn(self._guarded(self.catch_up()))
        log.info("Scheduler started with jobs: %s", ", ".join(sorted(self._specs)) or "none")

    async def stop(self) -> None:
        """Stop waking up and cancel what is running; a cancelled run resumes next start."""
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def wait_idle(self) -> None:
        """Wait for the work started so far (catch-ups, fired jobs) to finish."""
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    async def schedule_guild(self, guild_id: int) -> None:
        """(Re)create the wake-ups of one guild, after its timezone or schedule changed."""
        aps = self._aps
        if aps is None:
            return
        timezone = await self._timezone(guild_id)
        for spec in list(self._specs.values()):
            when = await self.time_for(guild_id, spec)
            if when is None:
                if aps.get_job(f"{spec.name}:{guild_id}") is not None:
                    aps.remove_job(f"{spec.name}:{guild_id}")
                continue
            aps.add_job(
                self._spawn_fire,
                weekly_trigger(when, timezone, daily=spec.daily),
                args=(guild_id, spec.name),
                id=f"{spec.name}:{guild_id}",
                replace_existing=True,
            )

    def next_wake_up(self, guild_id: int, job: str) -> Any:
        if self._aps is None:
            return None
        aps_job = self._aps.get_job(f"{job}:{guild_id}")
        return None if aps_job is None else aps_job.next_run_time

    # Running

    async def time_for(self, guild_id: int, spec: JobSpec) -> WeeklyTime | None:
        """When the job runs in this guild; None where it is switched off."""
        if spec.time_resolver is not None:
            return await spec.time_resolver(guild_id)
        return await self._guilds.schedule(guild_id, spec.name) or spec.default_time

    async def catch_up(self) -> list[tuple[int, str, RunOutcome]]:
        """Run every job whose latest due time is within the grace and not yet done."""
        now = self._clock.now()
        outcomes: list[tuple[int, str, RunOutcome]] = []
        for unfinished in await self._jobs.unfinished(now - self.catch_up_grace):
            if unfinished.job in self._specs:
                outcome = await self.run(unfinished.guild_id, unfinished.job, unfinished.due_at)
                outcomes.append((unfinished.guild_id, unfinished.job, outcome))
        for guild_id in await self._guilds.guild_ids():
            timezone = await self._timezone(guild_id)
            for spec in list(self._specs.values()):
                when = await self.time_for(guild_id, spec)
                if when is None:
                    continue
                trigger = weekly_trigger(when, timezone, daily=spec.daily)
                due = latest_due(trigger, now, self.catch_up_grace)
                if due is None:
                    continue
                current = await self._jobs.get(
                    guild_id, spec.name, period_key_for(due, timezone, daily=spec.daily)
                )
                if current is not None and current.status == "done":
                    continue
                outcome = await self.run(guild_id, spec.name, due)
                outcomes.append((guild_id, spec.name, outcome))
                late = now - due > timedelta(seconds=2 * self._tick_seconds)
                if (
                    late
                    and current is None
                    and not spec.daily
                    and outcome is RunOutcome.RAN
                    and self._caught_up is not None
                ):
                    await self._caught_up(guild_id, spec.name, due)
        return outcomes

    async def run_now(self, guild_id: int, job: str) -> RunOutcome:
        """Run this period's job immediately (a coordinator's "run now")."""
        return await self.run(guild_id, job, self._clock.now(), force=True)

    async def run(
        self,
        guild_id: int,
        job: str,
        due: Any,
        *,
        force: bool = False,
    ) -> RunOutcome:
        spec = self._specs.get(job)
        if spec is None:
            raise KeyError(f"no job called {job!r} is registered")
        timezone = await self._timezone(guild_id)
        period = period_key_for(due, timezone, daily=spec.daily)
        key = (guild_id, job, period)
        if key in self._active:
            return RunOutcome.BUSY
        self._active.add(key)
        try:
            return await self._run_claimed(spec, guild_id, period, due, force=force)
        finally:
            self._active.discard(key)

    async def _run_claimed(
        self, spec: JobSpec, guild_id: int, period: str, due: Any, *, force: bool
    ) -> RunOutcome:
        now = self._clock.now()
        existing = await self._jobs.get(guild_id, spec.name, period)
        reopen = (
            force and existing is not None and (existing.last_error or "").startswith("skipped")
        )
        if existing is not None and existing.status == "done" and not reopen:
            return RunOutcome.ALREADY_DONE
        if existing is not None and not force and existing.status == "failed":
            if existing.attempts >= MAX_ATTEMPTS:
                return RunOutcome.GAVE_UP
            if existing.started_at and now - existing.started_at < RETRY_DELAY:
                return RunOutcome.FAILED
        if self._gate is not None:
            await self._gate()
        if reopen and existing is not None:
            await self._jobs.reopen(existing.run_id)
        record = await self._jobs.claim(guild_id, spec.name, period, due, self._clock.now())
        if record.status == "done":
            return RunOutcome.ALREADY_DONE
        context = JobContext(
            run_id=record.run_id,
            guild_id=guild_id,
            job=spec.name,
            period_key=period,
            due_at=due,
            attempt=record.attempts,
            repo=self._jobs,
            clock=self._clock,
            deliveries=self._deliveries,
        )
        if context.resumed:
            log.info("Resuming %s for guild %s, period %s", spec.name, guild_id, period)
        try:
            await spec.handler(context)
        except JobSkipped as skipped:
            await self._jobs.finish(record.run_id, self._clock.now(), note=f"skipped: {skipped}")
            log.info("Skipped %s for guild %s (%s): %s", spec.name, guild_id, period, skipped)
            return RunOutcome.SKIPPED
        except Exception as exc:
            log.exception("Job %s failed for guild %s, period %s", spec.name, guild_id, period)
            await self._jobs.fail(record.run_id, f"{type(exc).__name__}: {exc}")
            return RunOutcome.FAILED
        await self._jobs.finish(record.run_id, self._clock.now())
        log.info("Ran %s for guild %s, period %s", spec.name, guild_id, period)
        return RunOutcome.RAN

    async def _timezone(self, guild_id: int) -> str:
        config = await self._guilds.config(guild_id)
        return config.timezone if config else DEFAULT_TIMEZONE

    # APScheduler entry points: each only starts a task we own and can cancel.

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # These are coroutine functions on purpose: APScheduler runs plain functions in a
    # worker thread, where there is no event loop to start our tasks on.

    async def _spawn_catch_up(self) -> None:
        self._spawn(self._guarded(self.catch_up()))

    async def _spawn_fire(self, guild_id: int, job: str) -> None:
        self._spawn(self._guarded(self._fire(guild_id, job)))

    async def _fire(self, guild_id: int, job: str) -> None:
        spec = self._specs.get(job)
        if spec is None:
            return
        timezone = await self._timezone(guild_id)
        when = await self.time_for(guild_id, spec)
        if when is None:
            return
        trigger = weekly_trigger(when, timezone, daily=spec.daily)
        due = latest_due(trigger, self._clock.now(), _LOOKBACK_FOR_FIRE)
        if due is not None:
            await self.run(guild_id, job, due)

    @staticmethod
    async def _guarded(coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Scheduled work failed")
