"""Benchmark the statistics coordinators and members ask for, beside a full recount.

Run as ``python bench/stats.py --db FILE`` on a file seeded by ``bench/digest.py``
(``--scale 4 --db FILE`` there makes the 4x one). Times, over ``--repeats`` runs:

* ``/kindness stats``: this week's and all-time figures (``KindnessService.stats``'s
  reads), against counting every act (``KindnessRepo.recount``);
* ``/coffee stats``: ``CoffeeRepo.totals`` against ``CoffeeRepo.recount``;
* ``/champions list``: ``ChampionsService.overview`` against loading every champion.

The target is under 100 ms for each, at 1x and at 4x. ``--plans`` prints SQLite's
query plans for the reads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FakeClock
from bot.db import Database, migrate
from bot.models import ChampionStatus
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.kindness import KindnessRepo
from bot.repos.privacy import PrivacyRepo
from bot.services.champions import ChampionsService
from bot.timeutil import from_db, to_db

NOW_DAYS_BACK = 4  # this week's Monday, from bench/digest.py's Friday
TARGET = 0.100

PLANS = {
    "kindness: all-time totals": (
        "SELECT condition_key, group_key, n FROM act_counts WHERE guild_id = ? AND n > 0",
        False,
    ),
    "kindness: this week": (
        "SELECT condition_number, group_id, count(*) FROM acts WHERE guild_id = ? "
        "AND created_at >= ? GROUP BY condition_number, group_id",
        True,
    ),
    "coffee: totals": (
        "SELECT rounds, meetings, pairs, cross_group_pairs, answered_meetings, met_meetings "
        "FROM coffee_totals WHERE guild_id = ?",
        False,
    ),
    "champions: by group": (
        "SELECT group_id, count(*) FROM champions WHERE guild_id = ? AND status = 'active' "
        "GROUP BY group_id",
        False,
    ),
    "champions: recent": (
        "SELECT user_id FROM champions WHERE guild_id = ? AND status = 'active' "
        "AND joined_at >= ? ORDER BY joined_at DESC, user_id LIMIT 15",
        True,
    ),
}


async def timed(action: Callable[[], Awaitable[object]], repeats: int) -> list[float]:
    await action()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        await action()
        timings.append(time.perf_counter() - started)
    return timings


def print_plans(path: Path, guild: int, since: str) -> None:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        for name, (sql, windowed) in PLANS.items():
            params = (guild, since) if windowed else (guild,)
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            print(f"  {name}: {'; '.join(plan)}")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a file seeded by bench/digest.py")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    db = Database(args.db)
    await db.connect()
    await migrate(db, backup_dir=args.db.parent / "backups")
    guild = int(await db.fetchval("SELECT guild_id FROM guilds LIMIT 1"))
    newest = await db.fetchval("SELECT max(created_at) FROM acts WHERE guild_id = ?", (guild,))
    clock = FakeClock(from_db(newest))
    since = clock.now() - timedelta(days=NOW_DAYS_BACK)
    kindness, coffee, champions = KindnessRepo(db), CoffeeRepo(db), ChampionRepo(db)
    overview = ChampionsService(GuildRepo(db), champions, PrivacyRepo(db), clock)
    acts = await db.fetchval("SELECT count(*) FROM acts WHERE guild_id = ?", (guild,))
    members = await db.fetchval("SELECT count(*) FROM champions WHERE guild_id = ?", (guild,))
    print(f"{args.db.name}: {members:,} champions, {acts:,} acts; load {os.getloadavg()[0]:.1f}")

    async def kindness_stats() -> object:
        return (await kindness.totals(guild, since), await kindness.totals(guild, None))

    async def kindness_recount() -> object:
        return (await kindness.recount(guild, since), await kindness.recount(guild, None))

    async def everyone() -> object:
        return await champions.all(guild, ChampionStatus.ACTIVE)

    assert await kindness_stats() == await kindness_recount()
    assert await coffee.totals(guild) == await coffee.recount(guild)
    rows = {
        "/kindness stats": (
            await timed(kindness_stats, args.repeats),
            await timed(kindness_recount, args.repeats),
        ),
        "/coffee stats": (
            await timed(lambda: coffee.totals(guild), args.repeats),
            await timed(lambda: coffee.recount(guild), args.repeats),
        ),
        "/champions list": (
            await timed(lambda: overview.overview(guild), args.repeats),
            await timed(everyone, args.repeats),
        ),
    }
    print(f"  {'read':<18} {'min':>8} {'median':>8} {'max':>8} {'reference':>10} {'ratio':>7}  ok")
    for name, (fast, reference) in rows.items():
        ratio = statistics.median(reference) / statistics.median(fast)
        print(
            f"  {name:<18} {min(fast) * 1000:>6.1f}ms {statistics.median(fast) * 1000:>6.1f}ms "
            f"{max(fast) * 1000:>6.1f}ms {statistics.median(reference) * 1000:>8.1f}ms "
            f"{ratio:>6.0f}x  {'yes' if max(fast) < TARGET else 'NO'}"
        )
    print("  (reference: a full recount; for /champions list, loading every active champion)")
    await db.close()
    if args.plans:
        print("Query plans:")
        print_plans(args.db, guild, to_db(since))
    print(f"load after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
