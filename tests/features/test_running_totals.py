"""The statistics' running totals always equal a full recount, whatever was written."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database, migrate
from bot.db.migrations import discover
from bot.models import Visibility
from bot.repos.coffee import CoffeeRepo, NewMeeting, new_round, write_round
from bot.repos.guilds import GuildRepo
from bot.repos.kindness import KindnessRepo, NewAct
from bot.repos.privacy import PrivacyRepo
from bot.repos.programmes import ProgrammeRepo

GUILDS = (1001, 1002)
USERS = (11, 12, 13, 14, 15, 16)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

guilds = st.sampled_from(GUILDS)
users = st.sampled_from(USERS)
conditions = st.none() | st.integers(1, 10)
answers = st.sampled_from(["yes", "not_yet", "cant"])

steps = st.one_of(
    st.tuples(st.just("act"), guilds, users, conditions, st.none() | st.integers(1, 3)),
    st.tuples(st.just("edit"), st.integers(0, 50), conditions),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("forget"), guilds, users),
    st.tuples(
        st.sampled_from(["round", "programme round", "worker round"]),
        guilds,
        # A member without a group (None) crosses no group.
        st.lists(
            st.lists(st.tuples(users, st.none() | st.integers(1, 3)), min_size=2, max_size=4),
            max_size=3,
        ),
    ),
    st.tuples(
        st.just("late meeting"), st.integers(0, 20), st.lists(st.tuples(users, st.integers(1, 3)))
    ),
    st.tuples(st.just("late joiner"), st.integers(0, 20), users, st.integers(1, 3)),
    st.tuples(st.just("answer"), st.integers(0, 20), users, answers),
)


async def _worker_round(
    db: Database, guild: int, week: str, meetings: list[NewMeeting], **header: Any
) -> int:
    """A round stored as a worker process stores a big one: on a connection of its own."""
    made = new_round(guild, week, **header)
    return await asyncio.to_thread(write_round, db.path, made, meetings, [])


async def _check(db: Database) -> None:
    kindness, coffee = KindnessRepo(db), CoffeeRepo(db)
    for guild in GUILDS:
        assert await kindness.totals(guild, None) == await kindness.recount(guild, None)
        assert await coffee.totals(guild) == await coffee.recount(guild)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(steps, max_size=25))
async def test_totals_equal_a_recount_after_any_writes(
    db: Database, plan: list[tuple[object, ...]]
) -> None:
    for table in ("coffee_rounds", "acts", "champions"):
        await db.execute(f"DELETE FROM {table}")
    for guild in GUILDS:
        await GuildRepo(db).ensure(guild, NOW)
    kindness, coffee, privacy = KindnessRepo(db), CoffeeRepo(db), PrivacyRepo(db)
    programmes = ProgrammeRepo(db)
    acts: list[tuple[int, int, int]] = []
    rounds = 0
    for number, step in enumerate(plan):
        kind = step[0]
        when = NOW + timedelta(minutes=number)
        if kind == "act":
            _, guild, user, condition, group = step
            assert isinstance(guild, int) and isinstance(user, int)
            assert condition is None or isinstance(condition, int)
            assert group is None or isinstance(group, int)
            act, created = await kindness.add(
                guild,
                user,
                group,
                NewAct(f"act {number}", None, condition, Visibility.PRIVATE, "form", f"k{number}"),
                when,
                since=when - timedelta(days=1),
                duplicate_since=when,
                limit=1000,
            )
            assert act is not None and created
            acts.append((guild, user, act.act_id))
        elif kind == "edit" and acts:
            _, index, condition = step
            assert isinstance(index, int)
            assert condition is None or isinstance(condition, int)
            guild, user, act_id = acts[index % len(acts)]
            await kindness.update(
                guild,
                user,
                act_id,
                NewAct("edited", None, condition, Visibility.SHAREABLE, "form", f"e{number}"),
                when,
            )
        elif kind == "delete" and acts:
            _, index = step
            assert isinstance(index, int)
            guild, user, act_id = acts.pop(index % len(acts))
            await kindness.delete(guild, user, act_id)
        elif kind == "forget":
            _, guild, user = step
            assert isinstance(guild, int) and isinstance(user, int)
            await privacy.forget(guild, user)
            acts = [a for a in acts if (a[0], a[1]) != (guild, user)]
        elif kind in ("round", "programme round", "worker round"):
            # The roulette's writers (the bot's and a worker process's) and a programme's
            # share the same bulk insert.
            _, guild, groups = step
            assert isinstance(guild, int) and isinstance(groups, list)
            rounds += 1
            write: Callable[..., Awaitable[object]]
            if kind == "round":
                write = partial(coffee.create_round, guild, f"2026-W{rounds:02d}")
            elif kind == "worker round":
                write = partial(_worker_round, db, guild, f"2026-W{rounds:02d}")

            else:
                programme = await programmes.default(guild)
                assert programme is not None
                write = partial(programmes.create_round, programme, f"P{rounds:02d}")
            await write(
                seed=rounds,
                condition_number=None,
                starter=None,
                now=when,
                checkin_due_at=when + timedelta(days=5),
                meetings=[NewMeeting(tuple(members)) for members in groups],
            )
        elif kind == "late meeting":
            _, index, members = step
            assert isinstance(index, int) and isinstance(members, list)
            made = await db.fetchall("SELECT round_id, guild_id FROM coffee_rounds")
            if made:
                round_id, guild = made[index % len(made)]
                await programmes.add_meeting(round_id, guild, NewMeeting(tuple(members)))
        elif kind == "late joiner":
            _, index, user, group = step
            assert isinstance(index, int) and isinstance(user, int) and isinstance(group, int)
            found = await db.fetchall("SELECT round_id, meeting_id, guild_id FROM coffee_meetings")
            if found:
                round_id, meeting_id, guild = found[index % len(found)]
                await programmes.add_to_meeting(round_id, meeting_id, guild, user, group)
        elif kind == "answer":
            _, index, user, answer = step
            assert isinstance(index, int) and isinstance(user, int) and isinstance(answer, str)
            ids = [row[0] for row in await db.fetchall("SELECT meeting_id FROM coffee_meetings")]
            if ids:
                await coffee.record_answer(ids[index % len(ids)], user, answer, when)
        await _check(db)
    # No server is left listed as mid-write: the per-row trigger is back for every insert.
    assert await db.fetchval("SELECT count(*) FROM coffee_bulk_writes") == 0
    # Removing whole rounds (and with them their meetings and members) keeps them equal.
    await db.execute("DELETE FROM coffee_rounds WHERE round_id % 2 = 0")
    await _check(db)


async def test_the_upgrade_fills_the_totals_from_existing_rows(tmp_path: Path) -> None:
    folder = tmp_path / "before"
    folder.mkdir()
    speed = next(m for m in discover() if m.name == "speed")
    for migration in discover():
        if migration.version < speed.version:
            shutil.copy(migration.path, folder / migration.path.name)
    db = Database(tmp_path / "old.sqlite3")
    await db.connect()
    try:
        await migrate(db, folder)
        await GuildRepo(db).ensure(GUILDS[0], NOW)
        kindness, coffee = KindnessRepo(db), CoffeeRepo(db)
        for number in range(7):
            await kindness.add(
                GUILDS[0],
                USERS[number % 3],
                number % 2 or None,
                NewAct(
                    f"a{number}", None, number % 4 or None, Visibility.PRIVATE, "form", f"{number}"
                ),
                NOW,
                since=NOW,
                duplicate_since=NOW,
                limit=100,
            )
        # Today's writers expect today's tables, so the old rows are written as rows.
        round_id = (
            await db.execute(
                "INSERT INTO coffee_rounds (guild_id, period_key, created_at, seed, "
                "checkin_due_at) VALUES (?, '2026-W48', ?, 1, ?)",
                (GUILDS[0], NOW.isoformat(), NOW.isoformat()),
            )
        ).lastrowid
        for position, members in enumerate((((11, 1), (12, 2), (13, 2)), ((14, 1), (15, 1)))):
            meeting_id = (
                await db.execute(
                    "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group) "
                    "VALUES (?, ?, ?, 1)",
                    (round_id, GUILDS[0], position),
                )
            ).lastrowid
            await db.executemany(
                "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
                "VALUES (?, ?, ?, ?)",
                [(meeting_id, GUILDS[0], user, group) for user, group in members],
            )
        meeting = await db.fetchval("SELECT min(meeting_id) FROM coffee_meetings")
        await coffee.record_answer(meeting, 12, "yes", NOW)
        await migrate(db, backup_dir=tmp_path / "backups")
        assert await kindness.totals(GUILDS[0], None) == await kindness.recount(GUILDS[0], None)
        assert (await kindness.totals(GUILDS[0], None))[0] == 7
        totals = await coffee.totals(GUILDS[0])
        assert totals == await coffee.recount(GUILDS[0])
        assert (totals.rounds, totals.meetings, totals.pairs, totals.met_meetings) == (1, 2, 4, 1)
    finally:
        await db.close()
