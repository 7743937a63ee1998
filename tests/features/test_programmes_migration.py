"""Upgrading a server with roulette history: it all becomes the default programme's."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import Database, migrate
from bot.db.migrations import discover, status
from bot.models import ChannelPurpose, Profile, ScheduledJob, WeeklyTime
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.programmes import ProgrammeRepo
from bot.timeutil import to_db

GUILD = 555555555555555555
NEW_GUILD = 444444444444444444
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
ALICE, BOB, CAROL, DAN = 11, 12, 13, 14


def _before_programmes(target: Path) -> Path:
    """A migrations folder holding only the migrations that come before programmes."""
    migrations = discover()
    [programmes] = [m for m in migrations if m.name == "programmes"]
    folder = target / "earlier"
    folder.mkdir()
    for migration in migrations:
        if migration.version < programmes.version:
            shutil.copy(migration.path, folder / migration.path.name)
    return folder


@pytest.fixture
async def upgraded(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with a season of roulette history, then upgraded to the latest schema."""
    db = Database(tmp_path / "old.sqlite3")
    await db.connect()
    await migrate(db, _before_programmes(tmp_path))
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, NOW - timedelta(days=60))
    await guilds.set_channel(GUILD, ChannelPurpose.COFFEE, 9090)
    await guilds.set_schedule(GUILD, ScheduledJob.PAIRING.value, WeeklyTime(2, 10, 30))
    groups = [g.group_id for g in await guilds.groups(GUILD)]
    champions = ChampionRepo(db)
    coffee = CoffeeRepo(db)
    for index, user in enumerate((ALICE, BOB, CAROL, DAN)):
        profile = Profile(group_id=groups[index % 2], coffee_opt_in=user != DAN)
        await champions.save(GUILD, user, profile, NOW - timedelta(days=30))
    await coffee.set_pause(GUILD, CAROL, NOW + timedelta(weeks=2))
    await coffee.skip(GUILD, BOB, "2026-W48")
    await coffee.block(GUILD, ALICE, CAROL, NOW)
    # Rounds as the code of that time stored them (today's repository speaks of programmes).
    for week in (45, 46):
        made = await db.execute(
            "INSERT INTO coffee_rounds (guild_id, period_key, created_at, seed, "
            "condition_number, starter, checkin_due_at) VALUES (?, ?, ?, ?, 1, 'Hello', ?)",
            (GUILD, f"2026-W{week}", to_db(NOW - timedelta(weeks=47 - week)), week, to_db(NOW)),
        )
        meeting = await db.execute(
            "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group) "
            "VALUES (?, ?, 0, 1)",
            (made.lastrowid, GUILD),
        )
        for user, group in ((ALICE, groups[0]), (BOB, groups[1])):
            await db.execute(
                "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
                "VALUES (?, ?, ?, ?)",
                (meeting.lastrowid, GUILD, user, group),
            )
    await migrate(db)
    try:
        yield db
    finally:
        await db.close()


async def test_upgrade_reaches_the_latest_schema(upgraded: Database) -> None:
    state = await status(upgraded)
    assert state.current == state.latest and not state.pending


async def test_the_roulette_becomes_the_default_programme(upgraded: Database) -> None:
    repo = ProgrammeRepo(upgraded)
    [default] = await repo.all(GUILD)
    assert default.is_default and default.name == "Coffee roulette"
    assert default.settings.channel_id == 9090
    rhythm = default.rhythm
    assert (rhythm.day_of_week, rhythm.hour, rhythm.minute) == (2, 10, 30)
    assert rhythm.every_weeks == 1 and rhythm.timezone == "Europe/London"
    assert await repo.limit(GUILD) == 10


async def test_members_pauses_skips_rounds_and_meetings_come_along(upgraded: Database) -> None:
    repo = ProgrammeRepo(upgraded)
    default = await repo.default(GUILD)
    assert default is not None
    assert await repo.member_ids(default.programme_id) == [ALICE, BOB, CAROL]
    carol = await repo.membership(default.programme_id, CAROL)
    assert carol is not None and carol.paused_until == NOW + timedelta(weeks=2)
    assert await repo.skips(default.programme_id, BOB) == ["2026-W48"]
    assert await repo.blocked_pairs(GUILD) == [(ALICE, CAROL)]
    latest = await repo.latest_round(default.programme_id)
    assert latest is not None and latest.period_key == "2026-W46"
    assert await repo.recent_meetings(default.programme_id, 8) == [[(ALICE, BOB)], [(ALICE, BOB)]]
    participants = await repo.participants(default.programme_id, "2026-W48", NOW)
    assert [c.user_id for c in participants] == [ALICE]  # Bob skips, Carol is paused


async def test_existing_roulette_code_keeps_working(upgraded: Database) -> None:
    coffee = CoffeeRepo(upgraded)
    repo = ProgrammeRepo(upgraded)
    default = await repo.default(GUILD)
    assert default is not None
    made = await coffee.create_round(
        GUILD,
        "2026-W47",
        seed=1,
        condition_number=2,
        starter=None,
        now=NOW,
        checkin_due_at=NOW,
        meetings=[],
    )
    assert await coffee.round_for(GUILD, "2026-W47") == made
    assert (await coffee.latest_round(GUILD)) == made
    stored = await repo.round_for(default.programme_id, "2026-W47")
    assert stored is not None and stored.round_id == made.round_id
    assert (await coffee.totals(GUILD)).rounds == 3
    # Changing the roulette's schedule or channel changes the default programme's.
    guilds = GuildRepo(upgraded)
    await guilds.set_schedule(GUILD, ScheduledJob.PAIRING.value, WeeklyTime(4, 8, 0))
    await guilds.set_channel(GUILD, ChannelPurpose.COFFEE, 9191)
    await guilds.set_timezone(GUILD, "Europe/Dublin")
    default = await repo.default(GUILD)
    assert default is not None
    assert (default.rhythm.day_of_week, default.rhythm.hour) == (4, 8)
    assert default.settings.channel_id == 9191 and default.rhythm.timezone == "Europe/Dublin"


async def test_a_server_added_later_gets_its_default_programme(upgraded: Database) -> None:
    await GuildRepo(upgraded).ensure(NEW_GUILD, NOW)
    [default] = await ProgrammeRepo(upgraded).all(NEW_GUILD)
    assert default.is_default and default.rhythm.anchor.isoformat() == "2026-11-16"
