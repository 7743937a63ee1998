"""The coffee repository's reads give the same answers as looking rows up one by one.

The database is built by hand: rounds stored out of week order, pairs and trios,
members erased by /forget-me (user id NULL), a meeting left with one known member,
a round with no meetings at all, and a second server whose rows must never leak in.
The reference functions below look every row up separately, the slow obvious way.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.models import Profile
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo, MeetingMember, MeetingRecord, NewMeeting, new_round
from bot.repos.coffee_rows import RECENT_MEETING_IDS
from bot.repos.guilds import GuildRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.privacy import PrivacyRepo
from bot.timeutil import to_db

GUILD = 555555555555555555
OTHER = 666666666666666666
START = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday

# Week number → meetings as (user, group) lists; None marks a member erased later.
ROUNDS: dict[int, list[list[tuple[int, int]]]] = {
    3: [[(1, 1), (2, 2)], [(3, 1), (4, 3), (5, 2)]],
    1: [[(1, 1), (3, 2)], [(2, 2), (4, 1)]],
    2: [[(1, 1), (4, 3)], [(2, 2), (3, 1)], [(5, 2), (6, 3)]],
    5: [[(6, 3), (1, 1)], [(2, 2), (5, 1), (3, 3)]],
    4: [],
    6: [[(1, 1), (7, 2)], [(2, 2), (8, 3)]],
    7: [[(1, 1), (5, 2), (8, 3)], [(3, 3), (6, 2)]],
}
ERASED = (7, 8)  # both forget-me'd: week 6 leaves meetings with one known member


def _week(number: int) -> str:
    return f"2026-W{36 + number:02d}"


async def _build(db: Database) -> CoffeeRepo:
    repo = CoffeeRepo(db)
    guilds = GuildRepo(db)
    for guild in (GUILD, OTHER):
        await guilds.ensure(guild, START)
    for week, meetings in ROUNDS.items():
        made_at = START + timedelta(weeks=week)
        for guild in (GUILD, OTHER):
            shift = 0 if guild == GUILD else 100
            await repo.create_round(
                guild,
                _week(week),
                seed=week,
                condition_number=week % 10 + 1,
                starter="What made you smile?",
                now=made_at,
                checkin_due_at=made_at + timedelta(days=5),
                meetings=[
                    NewMeeting(tuple((u + shift, g) for u, g in members)) for members in meetings
                ],
            )
    rows = await db.fetchall(
        "SELECT m.meeting_id, r.period_key, m.position FROM coffee_meetings m "
        "JOIN coffee_rounds r ON r.round_id = m.round_id WHERE m.guild_id = ?",
        (GUILD,),
    )
    for meeting_id, period_key, position in rows:
        week = int(period_key[-2:]) - 36
        if week != 7:  # the newest round has not been announced yet
            await repo.mark_announced(meeting_id, START + timedelta(weeks=week))
        if week <= 2 or (week == 5 and position == 0):
            await repo.mark_checkin_posted(meeting_id, START + timedelta(weeks=week, days=5))
        if week == 3:
            await repo.record_answer(meeting_id, 2, "yes", START + timedelta(weeks=3, days=5))
    # The announcement reached members of the first weeks; the rest are not told yet, so a
    # member's rows sit in both by-member indexes (migrations/0016_members_told.sql).
    await db.execute(
        "UPDATE coffee_meeting_members SET reached = 'thread' WHERE meeting_id IN "
        "(SELECT m.meeting_id FROM coffee_meetings m JOIN coffee_rounds r "
        "ON r.round_id = m.round_id WHERE r.period_key <= ?) AND user_id % 4 != 3",
        (_week(4),),
    )
    await db.execute(
        "UPDATE coffee_meeting_members SET user_id = NULL WHERE guild_id = ? AND user_id IN (?, ?)",
        (GUILD, *ERASED),
    )
    return repo


# The reference: one query per round, per meeting and per partner.


async def _recent_one_by_one(
    db: Database, guild_id: int, rounds: int
) -> list[list[tuple[int, ...]]]:
    round_rows = await db.fetchall(
        "SELECT round_id FROM coffee_rounds WHERE guild_id = ? ORDER BY period_key DESC LIMIT ?",
        (guild_id, rounds),
    )
    result: list[list[tuple[int, ...]]] = []
    for (round_id,) in reversed(round_rows):
        meetings = await db.fetchall(
            "SELECT meeting_id FROM coffee_meetings WHERE round_id = ? ORDER BY meeting_id",
            (round_id,),
        )
        found = []
        for (meeting_id,) in meetings:
            users = await db.fetchall(
                "SELECT user_id FROM coffee_meeting_members WHERE meeting_id = ? "
                "AND user_id IS NOT NULL ORDER BY id",
                (meeting_id,),
            )
            if len(users) > 1:
                found.append(tuple(u[0] for u in users))
        result.append(found)
    return result


async def _partners_one_by_one(
    db: Database, guild_id: int, user_id: int, limit: int
) -> list[tuple[str, list[int | None]]]:
    mine = await db.fetchall(
        "SELECT r.period_key, m.meeting_id FROM coffee_meeting_members mm "
        "JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
        "JOIN coffee_rounds r ON r.round_id = m.round_id "
        "WHERE mm.guild_id = ? AND mm.user_id = ? ORDER BY r.period_key DESC LIMIT ?",
        (guild_id, user_id, limit),
    )
    result: list[tuple[str, list[int | None]]] = []
    for period_key, meeting_id in mine:
        others = await db.fetchall(
            "SELECT user_id FROM coffee_meeting_members WHERE meeting_id = ? "
            "AND (user_id IS NULL OR user_id != ?) ORDER BY id",
            (meeting_id, user_id),
        )
        result.append((period_key, [o[0] for o in others]))
    return result


async def _due_one_by_one(db: Database, guild_id: int, now: datetime) -> list[MeetingRecord]:
    rows = await db.fetchall(
        "SELECT m.* FROM coffee_meetings m JOIN coffee_rounds r ON r.round_id = m.round_id "
        "WHERE m.guild_id = ? AND m.announced_at IS NOT NULL AND m.checkin_posted_at IS NULL "
        "AND r.checkin_due_at <= ? ORDER BY m.meeting_id",
        (guild_id, to_db(now)),
    )
    result = []
    for row in rows:
        members = await db.fetchall(
            "SELECT user_id, group_id, answer, reached FROM coffee_meeting_members "
            "WHERE meeting_id = ? ORDER BY id",
            (row["meeting_id"],),
        )
        result.append(
            MeetingRecord(
                meeting_id=row["meeting_id"],
                round_id=row["round_id"],
                position=row["position"],
                cross_group=bool(row["cross_group"]),
                thread_id=row["thread_id"],
                announced=True,
                checkin_posted=False,
                members=tuple(MeetingMember(*m) for m in members),
            )
        )
    return result


@pytest.mark.parametrize("rounds", [0, 1, 2, 3, 4, 7, 20])
async def test_recent_meetings_match_a_round_by_round_lookup(db: Database, rounds: int) -> None:
    repo = await _build(db)
    expected = await _recent_one_by_one(db, GUILD, rounds)
    assert await repo.recent_meetings(GUILD, rounds) == expected
    assert len(expected) == min(rounds, len(ROUNDS))
    if rounds >= 4:
        assert [] in expected  # the round without meetings still counts as a round


@pytest.mark.parametrize("user_id", [1, 2, 3, 5, 6, 9])
@pytest.mark.parametrize("limit", [1, 3, 20])
async def test_partners_match_a_meeting_by_meeting_lookup(
    db: Database, user_id: int, limit: int
) -> None:
    repo = await _build(db)
    expected = await _partners_one_by_one(db, GUILD, user_id, limit)
    assert await repo.partners_of(GUILD, user_id, limit) == expected
    if user_id == 1 and limit == 20:
        assert any(None in partners for _, partners in expected)  # an erased partner stays


@pytest.mark.parametrize("days", [0, 8, 30, 40, 60])
async def test_meetings_due_for_checkin_match_a_lookup_per_meeting(db: Database, days: int) -> None:
    repo = await _build(db)
    now = START + timedelta(days=days)
    expected = await _due_one_by_one(db, GUILD, now)
    assert await repo.meetings_due_for_checkin(GUILD, now) == expected
    if days == 60:
        assert any(p.answer == "yes" for m in expected for p in m.members)


async def test_a_failure_while_recording_an_answer_leaves_nothing_half_written(
    db: Database,
) -> None:
    repo = await _build(db)
    group = (await GuildRepo(db).groups(GUILD))[0].group_id
    await ChampionRepo(db).save(GUILD, 1, Profile(group_id=group, coffee_opt_in=True), START)
    await db.execute("UPDATE champions SET coffee_missed_checkins = 2 WHERE guild_id = ?", (GUILD,))
    meeting_id = await db.fetchval(
        "SELECT mm.meeting_id FROM coffee_meeting_members mm JOIN coffee_meetings m "
        "ON m.meeting_id = mm.meeting_id WHERE mm.guild_id = ? AND mm.user_id = 1 "
        "AND mm.answer IS NULL ORDER BY m.meeting_id LIMIT 1",
        (GUILD,),
    )
    # The second write (resetting the miss count) fails, as a full disk or a lock would.
    await db.execute(
        "CREATE TEMP TRIGGER refuse_reset BEFORE UPDATE OF coffee_missed_checkins ON champions "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    with pytest.raises(Exception, match="disk full"):
        await repo.record_answer(meeting_id, 1, "yes", START + timedelta(days=60))
    answer = await db.fetchval(
        "SELECT answer FROM coffee_meeting_members WHERE meeting_id = ? AND user_id = 1",
        (meeting_id,),
    )
    assert answer is None
    misses = await db.fetchval(
        "SELECT coffee_missed_checkins FROM champions WHERE guild_id = ? AND user_id = 1", (GUILD,)
    )
    assert misses == 2
    await db.execute("DROP TRIGGER refuse_reset")
    assert await repo.record_answer(meeting_id, 1, "yes", START + timedelta(days=60))
    assert (
        await db.fetchval(
            "SELECT answer FROM coffee_meeting_members WHERE meeting_id = ? AND user_id = 1",
            (meeting_id,),
        )
        == "yes"
    )
    misses = await db.fetchval(
        "SELECT coffee_missed_checkins FROM champions WHERE guild_id = ? AND user_id = 1", (GUILD,)
    )
    assert misses == 0


async def test_another_programmes_round_never_counts_as_the_roulettes(db: Database) -> None:
    """A second programme meeting the same week keeps its own rounds and history."""
    repo = await _build(db)
    week = _week(8)
    await db.execute(
        "INSERT INTO programmes (guild_id, name, name_key, is_default, rhythm, every_weeks, "
        "day_of_week, hour, minute, timezone, anchor_date, created_at, updated_at) "
        "VALUES (?, 'Lunch tables', 'lunch tables', 0, 'weekly', 1, 2, 12, 0, 'Europe/London', "
        "'2026-09-07', ?, ?)",
        (GUILD, to_db(START), to_db(START)),
    )
    lunch = await db.fetchval("SELECT programme_id FROM programmes WHERE name = 'Lunch tables'")
    await db.execute(
        "INSERT INTO coffee_rounds (guild_id, programme_id, period_key, created_at, seed, "
        "checkin_due_at) VALUES (?, ?, ?, ?, 0, ?)",
        (GUILD, lunch, week, to_db(START + timedelta(weeks=8)), to_db(START)),
    )
    before = await repo.recent_meetings(GUILD, 8)
    assert await repo.round_for(GUILD, week) is None
    latest = await repo.latest_round(GUILD)
    assert latest is not None and latest.period_key == _week(7)
    assert await repo.recent_meetings(GUILD, 8) == before


@pytest.mark.parametrize("week", [1, 2, 3, 5])
async def test_missed_checkins_are_counted_as_one_member_at_a_time_would(
    db: Database, week: int
) -> None:
    """Only silent members of meetings whose check-in was posted are bumped, once each,
    in this server alone; erased members and other servers' champions are untouched."""
    repo = await _build(db)
    groups = await GuildRepo(db).groups(GUILD)
    champions = ChampionRepo(db)
    for guild, shift in ((GUILD, 0), (OTHER, 100)):
        for user in range(1, 9):
            profile = Profile(group_id=groups[user % 3].group_id, coffee_opt_in=True)
            await champions.save(guild, user + shift, profile, START)
    await db.execute("UPDATE champions SET coffee_missed_checkins = user_id % 3")
    before = dict(await db.fetchall("SELECT user_id, coffee_missed_checkins FROM champions"))
    round_id = await db.fetchval(
        "SELECT round_id FROM coffee_rounds WHERE guild_id = ? AND period_key = ?",
        (GUILD, _week(week)),
    )
    silent = await db.fetchall(
        "SELECT DISTINCT mm.user_id FROM coffee_meeting_members mm "
        "JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
        "WHERE m.round_id = ? AND m.checkin_posted_at IS NOT NULL "
        "AND mm.answer IS NULL AND mm.user_id IS NOT NULL",
        (round_id,),
    )
    expected = sorted((user, before[user] + 1) for (user,) in silent)
    assert await repo.count_missed_checkins(round_id) == expected
    after = dict(await db.fetchall("SELECT user_id, coffee_missed_checkins FROM champions"))
    assert after == {**before, **dict(expected)}
    if week <= 2:
        assert expected


async def test_look_ups_by_member_read_both_indexes_and_scan_no_meeting_rows(
    db: Database,
) -> None:
    """A member's meeting rows are found through the two by-member indexes (told and not
    yet told), never by reading every meeting row ever stored."""
    await _build(db)
    traced = Database(db.path, readers=0)
    await traced.connect()
    statements: list[str] = []
    await traced.raw.set_trace_callback(statements.append)
    try:
        assert await CoffeeRepo(traced).partners_of(GUILD, 2)
        exported = await PrivacyRepo(traced).export(GUILD, 2)
        await OutcomesRepo(traced).cohorts(
            GUILD, [("2026-09", START, START + timedelta(weeks=9))], START + timedelta(weeks=9)
        )
        assert await PrivacyRepo(traced).forget(GUILD, 2)
        await traced.raw.set_trace_callback(None)
        by_member = [
            sql
            for sql in statements
            if "coffee_meeting_members" in sql
            and ("user_id = 2" in sql or "mm.user_id = m.user_id" in sql)
        ]
        assert len(by_member) == 4  # partners, export, retention and forget
        with closing(sqlite3.connect(db.path)) as conn:
            for sql in by_member:
                plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
                assert not [
                    step for step in plan if re.match(r"SCAN (mm|coffee_meeting_members)\b", step)
                ], (sql, plan)
                assert any("coffee_members_by_user_told" in step for step in plan), (sql, plan)
                assert any("coffee_members_by_user_untold" in step for step in plan), (sql, plan)
    finally:
        # Closing runs PRAGMA optimize, whose statistics of these few rows would make a
        # scan the cheaper plan: the plans above are read before.
        await traced.close()
    told = {bool(row["reached"]) for row in exported["coffee_meeting_members"]}
    assert told == {True, False}  # the export found the member's rows in both indexes
    assert await db.fetchval("SELECT count(*) FROM coffee_meeting_members WHERE user_id = 2") == 0


async def test_the_history_a_round_is_made_from_is_read_from_an_index_alone(
    db: Database,
) -> None:
    """Each meeting's members come from ``coffee_members_by_meeting`` (0017), never
    from the table's rows, and in the order they were written."""
    repo = await _build(db)
    with closing(sqlite3.connect(db.path)) as conn:
        plan = [
            row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {RECENT_MEETING_IDS}", (GUILD, 8))
        ]
    members = [step for step in plan if re.search(r"\bmm\b", step)]
    assert members == ["SEARCH mm USING COVERING INDEX coffee_members_by_meeting (meeting_id=?)"]
    # Written out of id order within a meeting, members still come back as written.
    group = (await GuildRepo(db).groups(GUILD))[0].group_id
    made = await repo.store_round(
        new_round(
            GUILD,
            _week(8),
            seed=8,
            condition_number=1,
            starter="Hello",
            now=START + timedelta(weeks=8),
            checkin_due_at=START + timedelta(weeks=8, days=5),
        ),
        [NewMeeting(((9, group), (4, group), (6, group)))],
    )
    assert made.period_key == _week(8)
    assert (await repo.recent_meetings(GUILD, 1)) == [[(9, 4, 6)]]
