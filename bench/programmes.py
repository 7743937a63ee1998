"""Benchmark the reads a programme round makes, and offering times to a meeting.

Run as ``python bench/programmes.py [--members N] [--rounds N]``. It stores a year of
weekly rounds for one programme (pairs, sit-outs for a tenth of the members) through
the real ``ProgrammeRepo``, then times, as the median of several runs:

* ``fairness(programme, 8, 2)``: per-member sit-outs, same-group, larger and smaller
  meetings over the last eight rounds, in one query;
* ``recent_meetings(programme, 8)``: the history a new round avoids repeating;
* ``participants(programme, period, now)``: who takes part in the next round;
* ``offer_slots`` for a meeting of 2 and of 8 members in different timezones.
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
from bot.repos.coffee import NewMeeting
from bot.repos.guilds import GuildRepo
from bot.repos.programmes import ProgrammeRepo
from bot.services.meeting_times import UsualHours, offer_slots
from bot.timeutil import to_db

GUILD = 424242424242424242
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin"]


async def _median(run: Callable[[], Awaitable[Any]], repeats: int = 7) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        await run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def main(members: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.sqlite3")
        await db.connect()
        await migrate(db)
        guilds = GuildRepo(db)
        await guilds.ensure(GUILD, START)
        groups = [g.group_id for g in await guilds.groups(GUILD)]
        users = list(range(1, members + 1))
        await db.executemany(
            "INSERT INTO champions (guild_id, user_id, group_id, coffee_opt_in, joined_at, "
            "updated_at) VALUES (?, ?, ?, 1, ?, ?)",
            [(GUILD, u, groups[u % len(groups)], to_db(START), to_db(START)) for u in users],
        )
        repo = ProgrammeRepo(db)
        programme = await repo.default(GUILD)
        assert programme is not None
        rng = random.Random(7)
        for week in range(rounds):
            order = users[:]
            rng.shuffle(order)
            sitting_out = order[: members // 10]
            seated = order[members // 10 :]
            pairs = [seated[i : i + 2] for i in range(0, len(seated) - 1, 2)]
            when = START + timedelta(weeks=week)
            await repo.create_round(
                programme,
                f"W{week:03d}",
                seed=week,
                condition_number=None,
                starter=None,
                now=when,
                checkin_due_at=when,
                meetings=[
                    NewMeeting(tuple((u, groups[u % len(groups)]) for u in pair)) for pair in pairs
                ],
                sit_outs=sitting_out,
            )
        now = START + timedelta(weeks=rounds)
        figures = {
            "fairness(8 rounds)": await _median(
                lambda: repo.fairness(programme.programme_id, 8, 2)
            ),
            "recent_meetings(8)": await _median(
                lambda: repo.recent_meetings(programme.programme_id, 8)
            ),
            "participants": await _median(
                lambda: repo.participants(programme.programme_id, "next", now)
            ),
        }
        await db.close()

    async def offer(size: int) -> None:
        offer_slots([UsualHours(ZONES[i % len(ZONES)]) for i in range(size)], now)

    figures["offer_slots(2 members)"] = await _median(lambda: offer(2))
    figures["offer_slots(8 members)"] = await _median(lambda: offer(8))
    print(f"{members} members, {rounds} weekly rounds (median of 7 runs)")
    for name, seconds in figures.items():
        print(f"  {name:<24} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=52)
    options = parser.parse_args()
    asyncio.run(main(options.members, options.rounds))
