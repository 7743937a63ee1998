"""The scheduler's promises, checked against a real SQLite file and a fake clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.models import WeeklyTime
from bot.repos.guilds import GuildRepo
from bot.repos.jobs import JobRepo
from bot.scheduler import (
    JobContext,
    JobScheduler,
    JobSkipped,
    JobSpec,
    RunOutcome,
    latest_due,
    period_key_for,
    weekly_trigger,
)

GUILD = 111111111111111111
MONDAY_9 = WeeklyTime(0, 9, 0)


class Recorder:
    """A job that records what it did, and can be told to crash part-way."""

    def __init__(self) -> None:
        self.effects: list[str] = []
        self.crash_after: int | None = None

    async def __call__(self, ctx: JobContext) -> None:
        for index in range(3):

            async def act(index: int = index) -> str:
                self.effects.append(f"{ctx.period_key}:step{index}")
                return f"sent-{index}"

            await ctx.step(f"step{index}", act)
            if self.crash_after == index:
                raise RuntimeError("the network dropped")


async def _scheduler(db: Database, clock: FakeClock, job: Recorder) -> JobScheduler:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock)
    scheduler.register(JobSpec("weekly", MONDAY_9, job))
    return scheduler


async def test_a_due_job_runs_once_per_period(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    scheduler = await _scheduler(db, clock, job)
    first = await scheduler.catch_up()
    second = await scheduler.catch_up()
    assert first == [(GUILD, "weekly", RunOutcome.RAN)]
    assert second == []
    assert job.effects == ["2026-W48:step0", "2026-W48:step1", "2026-W48:step2"]


async def test_idempotent_across_a_restart(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    await (await _scheduler(db, clock, job)).catch_up()
    restarted = await _scheduler(db, clock, job)
    assert await restarted.catch_up() == []
    due = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert await restarted.run(GUILD, "weekly", due) is RunOutcome.ALREADY_DONE
    assert len(job.effects) == 3


async def test_missed_run_is_caught_up_within_grace(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    clock.set(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))  # 23 h after Monday 09:00
    scheduler = await _scheduler(db, clock, job)
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]
    record = await JobRepo(db).get(GUILD, "weekly", "2026-W48")
    assert record is not None and record.status == "done"
    assert record.due_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_run_older_than_grace_is_not_caught_up(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))  # 25 h late
    scheduler = await _scheduler(db, clock, job)
    assert await scheduler.catch_up() == []
    assert job.effects == []


async def test_grace_is_configurable(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=UTC))  # 3 days late
    scheduler = await _scheduler(db, clock, job)
    scheduler.catch_up_grace = timedelta(days=4)
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]


async def test_crashed_run_resumes_without_repeating_steps(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    job.crash_after = 1
    scheduler = await _scheduler(db, clock, job)
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.FAILED)]
    record = await JobRepo(db).get(GUILD, "weekly", "2026-W48")
    assert record is not None and record.status == "failed"
    assert await JobRepo(db).steps(record.run_id) == ["step0", "step1"]

    job.crash_after = None
    clock.advance(timedelta(minutes=11))  # past the retry delay
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]
    assert job.effects == ["2026-W48:step0", "2026-W48:step1", "2026-W48:step2"]


async def test_run_killed_mid_way_resumes_after_restart(db: Database, clock: FakeClock) -> None:
    started = asyncio.Event()
    effects: list[str] = []

    async def slow(ctx: JobContext) -> None:
        async def first() -> None:
            effects.append("first")

        await ctx.step("first", first)
        started.set()
        await asyncio.sleep(3600)

    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock)
    scheduler.register(JobSpec("weekly", MONDAY_9, slow))
    task = asyncio.create_task(scheduler.catch_up())
    await started.wait()
    task.cancel()  # the process dies here
    with pytest.raises(asyncio.CancelledError):
        await task
    record = await JobRepo(db).get(GUILD, "weekly", "2026-W48")
    assert record is not None and record.status == "running"

    async def finish(ctx: JobContext) -> None:
        async def first() -> None:
            effects.append("first again")

        await ctx.step("first", first)
        effects.append(f"resumed={ctx.resumed}")

    restarted = JobScheduler(JobRepo(db), guilds, clock)
    restarted.register(JobSpec("weekly", MONDAY_9, finish))
    assert await restarted.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]
    assert effects == ["first", "resumed=True"]


async def test_skipped_job_closes_the_period(db: Database, clock: FakeClock) -> None:
    calls: list[str] = []

    async def nothing_to_do(ctx: JobContext) -> None:
        calls.append(ctx.period_key)
        raise JobSkipped("no coffee channel yet")

    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock)
    scheduler.register(JobSpec("weekly", MONDAY_9, nothing_to_do))
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.SKIPPED)]
    assert await scheduler.catch_up() == []
    record = await JobRepo(db).get(GUILD, "weekly", "2026-W48")
    assert record is not None and record.last_error == "skipped: no coffee channel yet"


async def test_guild_schedule_and_timezone_are_respected(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    scheduler = await _scheduler(db, clock, job)
    guilds = GuildRepo(db)
    await guilds.set_timezone(GUILD, "America/New_York")
    await guilds.set_schedule(GUILD, "weekly", WeeklyTime(0, 9, 0))
    # 10:00 UTC on Monday is 05:00 in New York: not due yet this week.
    assert await scheduler.catch_up() == []
    clock.set(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))  # 09:05 New York
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]


async def test_two_guilds_are_independent(db: Database, clock: FakeClock) -> None:
    job = Recorder()
    scheduler = await _scheduler(db, clock, job)
    other = 222222222222222222
    await GuildRepo(db).ensure(other, clock.now())
    outcomes = await scheduler.catch_up()
    assert sorted(outcomes) == [
        (GUILD, "weekly", RunOutcome.RAN),
        (other, "weekly", RunOutcome.RAN),
    ]


async def test_concurrent_runs_of_one_period_do_not_double(db: Database, clock: FakeClock) -> None:
    gate = asyncio.Event()
    calls: list[int] = []

    async def slow(ctx: JobContext) -> None:
        calls.append(1)
        await gate.wait()

    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock)
    scheduler.register(JobSpec("weekly", MONDAY_9, slow))
    due = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    first = asyncio.create_task(scheduler.run(GUILD, "weekly", due))
    await asyncio.sleep(0.05)
    assert await scheduler.run(GUILD, "weekly", due) is RunOutcome.BUSY
    gate.set()
    assert await first is RunOutcome.RAN
    assert calls == [1]


async def test_real_apscheduler_wakes_up_on_the_guild_schedule(
    db: Database, clock: FakeClock
) -> None:
    job = Recorder()
    scheduler = await _scheduler(db, clock, job)
    await GuildRepo(db).set_timezone(GUILD, "Europe/London")
    await scheduler.start()
    try:
        wake = scheduler.next_wake_up(GUILD, "weekly")
        assert wake is not None
        local = wake.astimezone(ZoneInfo("Europe/London"))
        assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)
        # start() also caught up this week's run in the background.
        for _ in range(100):
            if len(job.effects) == 3:
                break
            await asyncio.sleep(0.02)
        assert job.effects == ["2026-W48:step0", "2026-W48:step1", "2026-W48:step2"]
    finally:
        await scheduler.stop()
    assert not scheduler.running


def test_triggers_follow_daylight_saving() -> None:
    trigger = weekly_trigger(WeeklyTime(6, 9, 0), "Europe/London")  # Sundays 09:00
    before = latest_due(trigger, datetime(2026, 3, 28, 12, 0, tzinfo=UTC), timedelta(days=8))
    after = latest_due(trigger, datetime(2026, 3, 29, 12, 0, tzinfo=UTC), timedelta(days=8))
    assert before == datetime(2026, 3, 22, 9, 0, tzinfo=UTC)  # GMT
    assert after == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # BST: 09:00 local


def test_period_key_uses_the_guild_calendar() -> None:
    # Sunday 23:30 UTC is already Monday in Auckland: a different ISO week.
    due = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert period_key_for(due, "Europe/London") == "2026-W48"
    assert period_key_for(due, "Pacific/Auckland") == "2026-W49"
    assert period_key_for(due, "Europe/London", daily=True) == "2026-11-29"


async def test_run_now_reopens_a_skipped_week(db: Database, clock: FakeClock) -> None:
    calls: list[str] = []
    ready = False

    async def job(ctx: JobContext) -> None:
        calls.append(ctx.period_key)
        if not ready:
            raise JobSkipped("not enough people yet")

    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock)
    scheduler.register(JobSpec("weekly", MONDAY_9, job))
    assert await scheduler.catch_up() == [(GUILD, "weekly", RunOutcome.SKIPPED)]
    ready = True
    assert await scheduler.run_now(GUILD, "weekly") is RunOutcome.RAN
    assert await scheduler.run_now(GUILD, "weekly") is RunOutcome.ALREADY_DONE
    assert calls == ["2026-W48", "2026-W48"]


async def test_interrupted_run_now_resumes_after_restart(db: Database, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # Thursday: nothing due by schedule
    effects: list[str] = []
    crash = True

    async def job(ctx: JobContext) -> None:
        async def first() -> None:
            effects.append("first")

        await ctx.step("first", first)
        if crash:
            raise asyncio.CancelledError  # the process is killed here

    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock)
    scheduler.register(JobSpec("weekly", MONDAY_9, job))
    with pytest.raises(asyncio.CancelledError):
        await scheduler.run_now(GUILD, "weekly")
    crash = False
    restarted = JobScheduler(JobRepo(db), guilds, clock)
    restarted.register(JobSpec("weekly", MONDAY_9, job))
    clock.advance(timedelta(minutes=1))
    assert await restarted.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]
    assert effects == ["first"]


async def test_the_minute_tick_runs_in_the_event_loop(db: Database, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # an hour before Monday 09:00
    ran = asyncio.Event()

    async def job(ctx: JobContext) -> None:
        ran.set()

    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    scheduler = JobScheduler(JobRepo(db), guilds, clock, tick_seconds=0.1)
    scheduler.register(JobSpec("weekly", MONDAY_9, job))
    await scheduler.start()
    try:
        await scheduler.wait_idle()  # the start-up catch-up found nothing due
        assert not ran.is_set()
        clock.set(datetime(2026, 11, 23, 9, 1, tzinfo=UTC))  # the real wake-up never comes
        await asyncio.wait_for(ran.wait(), 5)  # …but the tick notices it is due
        await scheduler.wait_idle()  # and records the run before the scheduler stops
    finally:
        await scheduler.stop()
    record = await JobRepo(db).get(GUILD, "weekly", "2026-W48")
    assert record is not None and record.status == "done"


async def test_a_late_catch_up_is_reported_once_and_an_on_time_run_is_not(
    db: Database, clock: FakeClock
) -> None:
    told: list[tuple[int, str, datetime]] = []

    async def listener(guild_id: int, job: str, due: datetime) -> None:
        told.append((guild_id, job, due))

    on_time = await _scheduler(db, clock, Recorder())  # 10:00, an hour after Monday 09:00
    clock.set(datetime(2026, 11, 23, 9, 0, 30, tzinfo=UTC))
    on_time.set_catch_up_listener(listener)
    await on_time.catch_up()
    assert told == []

    clock.set(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))  # down over Monday 30 November
    late = await _scheduler(db, clock, Recorder())
    late.set_catch_up_listener(listener)
    assert await late.catch_up() == [(GUILD, "weekly", RunOutcome.RAN)]
    assert await late.catch_up() == []
    assert told == [(GUILD, "weekly", datetime(2026, 11, 30, 9, 0, tzinfo=UTC))]
