"""Benchmark the coffee reads a round and a check-in make, against row-by-row look-ups.

Run as ``python bench/coffee_reads.py [--members N] [--rounds N]``. It stores a year
of weekly rounds for one server (pairs, one trio when the count is odd) through the
real ``CoffeeRepo``, then times, as the median of several runs:

* ``recent_meetings(guild, 8)``: the history a new round avoids repeating;
* ``partners_of(guild, user)``: one member's ``/coffee history``;
* ``meetings_due_for_checkin(guild, now)``: every meeting of the newest round;

each beside the same answer built one query per round, meeting or partner.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import Database, migrate
from bot.repos.coffee import CoffeeRepo, NewMeeting
from bot.repos.guilds import GuildRepo
from bot.timeutil import to_db

GUILD = 424242424242424242
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


async def seed(db: Database, members: int, rounds: int) -> CoffeeRepo:
    repo = CoffeeRepo(db)
    await GuildRepo(db).ensure(GUILD, START)
    rng = random.Random(7)
    users = list(range(1, members + 1))
    for week in range(rounds):
        rng.shuffle(users)
        groups = [users[i : i + 2] for i in range(0, len(users) - 1, 2)]
        if len(users) % 2:
            groups[-1].append(users[-1])
        made = START + timedelta(weeks=week)
        stored = await repo.create_round(
            GUILD,
            f"{made.isocalendar().year}-W{made.isocalendar().week:02d}",
            seed=week,
            condition_number=week % 10 + 1,
            starter=None,
            now=made,
            checkin_due_at=made + timedelta(days=5),
            meetings=[NewMeeting(tuple((u, u % 6) for u in g)) for g in groups],
        )
        for meeting in await repo.meetings(stored.round_id):
            await repo.mark_announced(meeting.meeting_id, made)
            if week < rounds - 1:
                await repo.mark_checkin_posted(meeting.meeting_id, made + timedelta(days=5))
    return repo


async def recent_row_by_row(db: Database, rounds: int) -> list[list[tuple[int, ...]]]:
    round_rows = await db.fetchall(
        "SELECT round_id FROM coffee_rounds WHERE guild_id = ? ORDER BY period_key DESC LIMIT ?",
        (GUILD, rounds),
    )
    result = []
    for (round_id,) in reversed(round_rows):
        rows = await db.fetchall(
            "SELECT m.meeting_id, mm.user_id FROM coffee_meetings m "
            "JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
            "WHERE m.round_id = ? AND mm.user_id IS NOT NULL ORDER BY m.meeting_id",
            (round_id,),
        )
        meetings: dict[int, list[int]] = {}
        for meeting_id, user_id in rows:
            meetings.setdefault(meeting_id, []).append(user_id)
        result.append([tuple(u) for u in meetings.values() if len(u) > 1])
    return result


async def partners_row_by_row(db: Database, user_id: int) -> list[Any]:
    rows = await db.fetchall(
        "SELECT r.period_key, m.meeting_id FROM coffee_meeting_members mm "
        "JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
        "JOIN coffee_rounds r ON r.round_id = m.round_id "
        "WHERE mm.guild_id = ? AND mm.user_id = ? ORDER BY r.period_key DESC LIMIT 20",
        (GUILD, user_id),
    )
    result = []
    for period_key, meeting_id in rows:
        others = await db.fetchall(
            "SELECT user_id FROM coffee_meeting_members WHERE meeting_id = ? "
            "AND (user_id IS NULL OR user_id != ?) ORDER BY id",
            (meeting_id, user_id),
        )
        result.append((period_key, [r[0] for r in others]))
    return result


async def due_row_by_row(db: Database, repo: CoffeeRepo, now: datetime) -> list[Any]:
    rows = await db.fetchall(
        "SELECT m.meeting_id FROM coffee_meetings m JOIN coffee_rounds r "
        "ON r.round_id = m.round_id WHERE m.guild_id = ? AND m.announced_at IS NOT NULL "
        "AND m.checkin_posted_at IS NULL AND r.checkin_due_at <= ? ORDER BY m.meeting_id",
        (GUILD, to_db(now)),
    )
    return [await repo.meeting(row[0]) for row in rows]


async def median_ms(run: Callable[[], Awaitable[object]], repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def main(members: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.sqlite3")
        await db.connect()
        await migrate(db)
        started = time.perf_counter()
        repo = await seed(db, members, rounds)
        print(
            f"seeded {members} members x {rounds} rounds in {time.perf_counter() - started:.1f} s"
        )
        now = START + timedelta(weeks=rounds + 1)
        assert await repo.recent_meetings(GUILD, 8) == await recent_row_by_row(db, 8)
        assert await repo.partners_of(GUILD, 1) == await partners_row_by_row(db, 1)
        assert await repo.meetings_due_for_checkin(GUILD, now) == await due_row_by_row(
            db, repo, now
        )
        cases: list[
            tuple[str, Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]
        ] = [
            (
                "recent_meetings(8)",
                lambda: repo.recent_meetings(GUILD, 8),
                lambda: recent_row_by_row(db, 8),
            ),
            ("partners_of", lambda: repo.partners_of(GUILD, 1), lambda: partners_row_by_row(db, 1)),
            (
                "meetings_due_for_checkin",
                lambda: repo.meetings_due_for_checkin(GUILD, now),
                lambda: due_row_by_row(db, repo, now),
            ),
        ]
        print(f"{'read':<26}{'one query':>12}{'row by row':>12}")
        for name, fast, slow in cases:
            print(f"{name:<26}{await median_ms(fast):>10.1f}ms{await median_ms(slow):>10.1f}ms")
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=52)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.rounds))
