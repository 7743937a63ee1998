"""Alerts: recorded before posting, once per (kind, subject) and local day, with their fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.repos.alerts import AlertRepo
from bot.repos.guilds import GuildRepo
from bot.services.alerts import AlertKind, AlertService
from bot.text import Messages

GUILD = 555555555555555555


class Log:
    """Stands in for the coordinators' log channel (the Discord side of alerts)."""

    def __init__(self, *, works: bool = True) -> None:
        self.posts: list[tuple[int, str]] = []
        self.nonces: list[str] = []
        self.works = works

    async def __call__(self, guild_id: int, text: str, nonce: str) -> bool:
        assert 0 < len(nonce) <= 25  # Discord's limit
        self.nonces.append(nonce)
        if self.works:
            self.posts.append((guild_id, text))
        return self.works


@pytest.fixture
async def alerts(db: Database, clock: FakeClock) -> AlertService:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    return AlertService(AlertRepo(db), guilds, Messages.load(), clock)


async def test_the_same_problem_is_posted_once_a_day(
    alerts: AlertService, clock: FakeClock
) -> None:
    log = Log()
    alerts.attach(log)
    assert await alerts.thread_failed(GUILD, 42, "Missing Permissions")
    assert not await alerts.thread_failed(GUILD, 42, "Missing Permissions")
    assert await alerts.thread_failed(GUILD, 43, "Missing Permissions")  # another subject
    assert await alerts.caught_up(GUILD, "digest", clock.now())  # another kind
    clock.advance(timedelta(days=1))
    assert await alerts.thread_failed(GUILD, 42, "Missing Permissions")
    assert len(log.posts) == 4
    texts = Messages.load()
    first = log.posts[0][1]
    assert texts("alerts.title_thread_failed") in first
    assert "<#42>" in first and texts("alerts.fix_thread_failed") in first


async def test_the_day_is_the_servers_own(
    alerts: AlertService, db: Database, clock: FakeClock
) -> None:
    await GuildRepo(db).set_timezone(GUILD, "Pacific/Auckland")
    log = Log()
    alerts.attach(log)
    clock.set(clock.now().replace(hour=10, minute=30))  # 23:30 in Auckland
    assert await alerts.unplaced(GUILD, "2026-W48", [1, 2])
    clock.advance(timedelta(hours=1))  # past midnight in Auckland, same UTC day
    assert await alerts.unplaced(GUILD, "2026-W48", [1, 2])
    assert len(log.posts) == 2


async def test_an_alert_that_could_not_be_posted_is_tried_again(alerts: AlertService) -> None:
    broken = Log(works=False)
    alerts.attach(broken)
    assert not await alerts.permission_lost(GUILD, "No **log** channel yet")
    working = Log()
    alerts.attach(working)
    assert await alerts.permission_lost(GUILD, "No **log** channel yet")
    alerts.attach(None)
    assert not await alerts.permission_lost(GUILD, "Another problem")
    assert len(working.posts) == 1
    # The second try names the same post, so Discord can tell it from a new one.
    assert broken.nonces == working.nonces
    alerts.attach(working)
    assert await alerts.permission_lost(GUILD, "Another problem")
    assert len(set(working.nonces)) == 2


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(
        st.tuples(st.sampled_from(list(AlertKind)), st.sampled_from(["a", "b", "c"])),
        max_size=30,
    )
)
async def test_one_post_per_distinct_problem_however_many_events(
    db: Database, clock: FakeClock, events: list[tuple[AlertKind, str]]
) -> None:
    await db.execute("DELETE FROM alerts_sent")
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    service = AlertService(AlertRepo(db), guilds, Messages.load(), clock)
    log = Log()
    service.attach(log)
    for kind, subject in events:
        await service.alert(GUILD, kind, "detail", "fix", subject=subject)
    assert len(log.posts) == len(set(events))
