"""Benchmark the outcome figures on a big guild.

Run as ``python bench/outcomes.py``. It seeds a temporary SQLite file the way
``bench/digest.py`` does (one guild of 5,000 champions, 200,000 acts, 26,000
reflections and 52 weekly coffee rounds), then says which group benefited for a
third of the acts, switches the pulse on for half the champions and adds 20,000
pulse answers (a baseline and a later pulse per member, over the five questions).
The seeding time is printed separately. It then times ``OutcomesService.build``
plus the summary paragraph, and the whole rebuilt report for funders (figures,
stories, charts, the HTML and the CSV pack written to disk) as ``/impact`` makes it
(``FundersReportService.make_files``: a worker process reads the database file
itself), for a month, a quarter and the year to date (target < 2 s each), printing
min / median / max over the runs (at least 3), the median CPU seconds of this process
and its workers, and the load average before and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from digest import GUILD, NOW, Timings, cpu_seconds, seed

from bot.clock import FakeClock
from bot.db import Database, migrate
from bot.offload import Offload
from bot.repos.analytics import AnalyticsRepo
from bot.repos.guilds import GuildRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.pulse import PulseRepo
from bot.services.content import load_content
from bot.services.funders import FundersReportService
from bot.services.outcomes import OutcomesService, Period, summary_paragraph
from bot.services.pulse import load_pulse_content
from bot.timeutil import from_db, to_db

PULSE_ANSWERS = 20_000
TARGET_SECONDS = 2.0


def seed_outcomes(path: Path) -> dict[str, int]:
    rng = random.Random(7)
    content = load_pulse_content()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA synchronous = OFF")
        groups = [
            r[0] for r in conn.execute("SELECT group_id FROM groups WHERE guild_id = ?", (GUILD,))
        ]
        cases = " ".join(f"WHEN {i} THEN {g}" for i, g in enumerate(groups))
        conn.execute(
            f"UPDATE acts SET beneficiary_group_id = CASE (act_id / 3) % {len(groups)} "
            f"{cases} END WHERE act_id % 3 = 0"
        )
        champions = list(
            conn.execute(
                "SELECT user_id, group_id, joined_at FROM champions WHERE guild_id = ?", (GUILD,)
            )
        )
        rng.shuffle(champions)
        opted = champions[: len(champions) // 2]
        conn.executemany(
            "UPDATE champions SET pulse_opt_in = 1, pulse_opt_in_at = joined_at "
            "WHERE guild_id = ? AND user_id = ?",
            [(GUILD, user) for user, _, _ in opted],
        )
        rows = []
        per_member = 2 * len(content.questions)
        for user, group, joined in opted[: PULSE_ANSWERS // per_member]:
            baseline = from_db(joined) + timedelta(hours=1)
            later = min(baseline + timedelta(days=rng.randint(80, 200)), NOW - timedelta(hours=1))
            for question in content.questions:
                first = rng.randrange(len(question.options))
                for period, when, choice in (
                    ("baseline", baseline, first),
                    ("2026-Q4" if later.month >= 10 else "2026-Q3", later,
                     max(0, first - rng.randint(0, 1))),
                ):  # fmt: skip
                    rows.append((GUILD, user, period, question.key, choice, group, to_db(when)))
        conn.executemany(
            "INSERT OR REPLACE INTO pulse_answers (guild_id, user_id, period_key, question_key, "
            "choice, group_id, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.commit()
        answers = conn.execute("SELECT count(*) FROM pulse_answers").fetchone()[0]
    return {"pulse answers": int(answers), "pulse members": len(opted)}


async def measure(path: Path, repeats: int, offload: Offload) -> dict[str, Timings]:
    """Figures + summary, and the full report for funders, per period."""
    db = Database(path)
    await db.connect()
    content = load_pulse_content()
    service = OutcomesService(
        OutcomesRepo(db), PulseRepo(db), AnalyticsRepo(db), content, FakeClock(NOW)
    )
    funders = FundersReportService(
        service, AnalyticsRepo(db), load_content(), FakeClock(NOW), offload=offload
    )
    periods = {
        "month (2026-10)": Period.month(2026, 10),
        "quarter (2026-Q3)": Period.quarter(2026, 3),
        "year to date (2026)": Period.year(2026),
    }
    results: dict[str, Timings] = {}
    try:
        with tempfile.TemporaryDirectory() as out:  # starts the worker, warms its imports
            await funders.make_files(GUILD, periods["month (2026-10)"], "Bench", Path(out))
        for name, period in periods.items():
            timings = []
            for _ in range(repeats):
                cpu = cpu_seconds()
                started = time.perf_counter()
                figures = await service.build(GUILD, period)
                summary_paragraph(figures, content)
                timings.append((time.perf_counter() - started, cpu_seconds() - cpu))
            results[name] = timings
            timings = []
            for _ in range(repeats):
                with tempfile.TemporaryDirectory() as out:
                    cpu = cpu_seconds()
                    started = time.perf_counter()
                    await funders.make_files(GUILD, period, "Bench community", Path(out))
                    timings.append((time.perf_counter() - started, cpu_seconds() - cpu))
            results[f"report, {name.split(' (')[0]}"] = timings
        print("\nSummary for the year to date:\n  " + summary_paragraph(figures, content))
    finally:
        await db.close()
    return results


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each step (at least 3)")
    parser.add_argument("--db", type=Path, help="reuse (or create) this seeded file")
    args = parser.parse_args()
    print(f"Load before: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.sqlite3"
        fresh = not path.exists()
        started = time.perf_counter()
        db = Database(path)
        await db.connect()
        await migrate(db, backup_dir=Path(folder) / "backups")
        if fresh:
            await GuildRepo(db).ensure(GUILD, NOW - timedelta(days=400))
        await db.close()
        if fresh:
            counts = seed(path) | seed_outcomes(path)
            print("Seeded " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
            print(f"Seeding took {time.perf_counter() - started:.1f} s (not part of the timings)")
        offload = Offload()
        try:
            results = await measure(path, max(3, args.repeats), offload)
        finally:
            await offload.close()
    print(f"\n  {'what':<22} {'min':>8} {'median':>8} {'max':>8} {'CPU':>8} {'target':>7}  ok")
    worst_all = 0.0
    for name, runs in results.items():
        timings = [wall for wall, _ in runs]
        cpu = statistics.median(c for _, c in runs)
        low, mid, worst = min(timings), statistics.median(timings), max(timings)
        worst_all = max(worst_all, worst)
        ok = "yes" if worst < TARGET_SECONDS else "NO"
        target = f"{TARGET_SECONDS:>5.1f} s"
        print(
            f"  {name:<22} {low:>6.3f} s {mid:>6.3f} s {worst:>6.3f} s {cpu:>6.2f} s {target}  {ok}"
        )
    print(f"Load after: {os.getloadavg()[0]:.2f}")
    return 0 if worst_all < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
