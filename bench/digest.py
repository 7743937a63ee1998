"""Benchmark the weekly digest (data + chart) and the monthly impact report on a big guild.

Run as ``python bench/digest.py``. It seeds a temporary SQLite file with one guild of
5,000 champions, 200,000 acts, 26,000 reflections and 52 weekly coffee rounds
(``--scale N`` times the members and rows; straight ``executemany`` inserts after the
real migrations; the seeding time is printed separately; ``--db FILE`` keeps the
seeded file for the next run), then times, as the bot runs them (charts, the page and
the CSV files in worker processes):

* the digest: ``DigestService.build`` plus its chart, drawn in the drawing worker
  (target < 1 s);
* the monthly report as ``/impact`` makes it: ``ReportService.make_files`` (two worker
  processes read the database file themselves: the drawing worker computes the figures
  and makes the page with its charts, the other writes the CSV files of the month's
  rows) (target
  < 3 s); and, for comparison, ``build`` then ``write`` (rows read here, then pickled
  to the workers).

Each row shows min, median and max over ``--repeats`` runs (at least 3), the median
CPU seconds of this process and its workers together (the machine may be shared, so
the load average is printed before and after), and the peak memory of this process
and of the workers. ``--compare-indexes`` repeats the timings without
migration 0005's indexes, to show what they buy. ``--plans`` prints SQLite's query
plans for the main reads.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FakeClock
from bot.db import Database, migrate
from bot.offload import Offload
from bot.repos.analytics import AnalyticsRepo
from bot.repos.guilds import GuildRepo
from bot.repos.prompts import PromptRepo
from bot.services import drawing
from bot.services.content import load_content
from bot.services.digest import DigestService
from bot.services.prompts import PromptService
from bot.services.report import ReportService, load_report_texts
from bot.timeutil import iso_week_key, to_db

GUILD = 424242424242424242
CHAMPIONS = 5_000
ACTS = 200_000
REFLECTIONS = 26_000
WEEKS = 52
NOW = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # a Friday afternoon: digest time
REPORT_MONTH = (2026, 10)
GROUP_WEIGHTS = [30, 14, 14, 14, 14, 14]
WORDS = [
    "helped",
    "a",
    "neighbour",
    "with",
    "shopping",
    "listened",
    "over",
    "tea",
    "shared",
    "lunch",
    "with",
    "a",
    "new",
    "colleague",
    "drove",
    "someone",
    "to",
    "an",
    "appointment",
    "wrote",
    "a",
    "thank-you",
    "card",
    "covered",
    "a",
    "shift",
    "fixed",
    "a",
    "bike",
    "introduced",
    "two",
    "people",
    "who",
    "should",
    "know",
    "each",
    "other",
    "stayed",
    "late",
    "to",
    "help",
    "a",
    "family",
]
ANALYTICS_INDEXES = (
    "acts_by_guild_time_condition",
    "reflections_by_guild_time",
    "champions_by_joined",
)


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _when(rng: random.Random, start: datetime, end: datetime) -> str:
    return to_db(start + (end - start) * rng.random())


def seed(path: Path, scale: float = 1) -> dict[str, int]:
    """Fill an already-migrated database (``scale`` times the members and rows)."""
    champions_n, acts_n, reflections_n = (int(n * scale) for n in (CHAMPIONS, ACTS, REFLECTIONS))
    rng = random.Random(2026)
    first_monday = date(2025, 12, 1)
    start = datetime.combine(first_monday, datetime.min.time(), tzinfo=UTC)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = OFF")
        groups = [
            r[0] for r in conn.execute("SELECT group_id FROM groups WHERE guild_id = ?", (GUILD,))
        ]
        champions = []
        group_of: dict[int, int] = {}
        for i in range(champions_n):
            user_id = 10**17 + i * 7919
            group_id = rng.choices(groups, GROUP_WEIGHTS)[0]
            group_of[user_id] = group_id
            joined = (
                _when(rng, start - timedelta(days=200), NOW)
                if rng.random() < 0.6
                else _when(rng, start, NOW)
            )
            status = rng.choices(["active", "away", "left"], [90, 5, 5])[0]
            champions.append(
                (
                    GUILD,
                    user_id,
                    group_id,
                    int(rng.random() < 0.6),
                    int(rng.random() < 0.35),
                    status,
                    joined,
                    joined,
                )
            )
        conn.executemany(
            "INSERT INTO champions (guild_id, user_id, group_id, coffee_opt_in, digest_name_ok, "
            "status, joined_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            champions,
        )
        users = list(group_of)
        visibilities = ["shareable", "coordinators", "private"]

        def act(i: int) -> tuple[object, ...]:
            user = rng.choice(users)
            when = _when(rng, start, NOW)
            condition = rng.randint(1, 10) if rng.random() < 0.9 else None
            return (
                GUILD,
                user,
                group_of[user],
                _text(rng, 4, 30),
                _text(rng, 1, 3),
                condition,
                rng.choices(visibilities, [50, 30, 20])[0],
                f"k{i}",
                when,
                when,
            )

        conn.executemany(
            "INSERT INTO acts (guild_id, user_id, group_id, what, who_benefited, condition_number, "
            "visibility, text_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (act(i) for i in range(acts_n)),
        )
        mondays = [first_monday + timedelta(weeks=w) for w in range(WEEKS)]

        def reflection(i: int) -> tuple[object, ...]:
            user = rng.choice(users)
            monday = rng.choice(mondays)
            when = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(
                seconds=rng.randrange(7 * 86400)
            )
            when = min(when, NOW - timedelta(minutes=1))
            return (
                GUILD,
                user,
                group_of[user],
                iso_week_key(monday),
                rng.randint(1, 10),
                _text(rng, 10, 60),
                rng.choices(visibilities, [40, 30, 30])[0],
                to_db(when),
                to_db(when),
            )

        conn.executemany(
            "INSERT INTO reflections (guild_id, user_id, group_id, period_key, condition_number, "
            "body, visibility, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (reflection(i) for i in range(reflections_n)),
        )
        opted = [c[1] for c in champions if c[3] and c[5] == "active"]
        meetings = members = 0
        for week, monday in enumerate(mondays):
            key = iso_week_key(monday)
            made = datetime.combine(monday, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
            conn.execute(
                "INSERT INTO condition_weeks (guild_id, period_key, condition_number, sequence) "
                "VALUES (?, ?, ?, ?)",
                (GUILD, key, week % 10 + 1, week + 1),
            )
            round_id = conn.execute(
                "INSERT INTO coffee_rounds (guild_id, period_key, created_at, seed, "
                "condition_number, checkin_due_at) VALUES (?, ?, ?, ?, ?, ?)",
                (GUILD, key, to_db(made), week, week % 10 + 1, to_db(made + timedelta(days=5))),
            ).lastrowid
            people = rng.sample(opted, int(len(opted) * 0.9))
            groups_of_meetings = [people[i : i + 2] for i in range(0, len(people) - 1, 2)]
            if len(people) % 2:
                groups_of_meetings[-1].append(people[-1])
            rows = []
            for position, meeting in enumerate(groups_of_meetings):
                cross = int(len({group_of[u] for u in meeting}) > 1)
                meeting_id = conn.execute(
                    "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group, "
                    "announced_at, checkin_posted_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        round_id,
                        GUILD,
                        position,
                        cross,
                        to_db(made),
                        to_db(made + timedelta(days=5)),
                    ),
                ).lastrowid
                for user in meeting:
                    answer = rng.choices(["yes", "not_yet", "cant", None], [55, 15, 10, 20])[0]
                    answered = to_db(made + timedelta(days=5, hours=2)) if answer else None
                    rows.append(
                        (meeting_id, GUILD, user, group_of[user], answer, answered, "thread")
                    )
                meetings += 1
            conn.executemany(
                "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id, "
                "answer, answered_at, reached) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            members += len(rows)
        conn.commit()
    return {
        "champions": champions_n,
        "acts": acts_n,
        "reflections": reflections_n,
        "rounds": WEEKS,
        "meetings": meetings,
        "meeting members": members,
    }


def drop_analytics_indexes(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn:
        for name in ANALYTICS_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute("CREATE INDEX IF NOT EXISTS acts_by_guild_time ON acts (guild_id, created_at)")
        conn.commit()


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its live children (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = {os.getpid()}
    for task in Path("/proc/self/task").iterdir():
        children = (task / "children").read_text().split()
        pids.update(int(pid) for pid in children)
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _family() -> set[int]:
    pids = {os.getpid()}
    for task in Path("/proc/self/task").iterdir():
        pids.update(int(pid) for pid in (task / "children").read_text().split())
    return pids


def _rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


class MemorySampler:
    """Samples, every 20 ms from a thread, the resident memory of this process and of
    its worker processes, and keeps the peak of their sum (Linux)."""

    def __init__(self) -> None:
        self.peak_total = 0.0
        self.peak_by_pid: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            sizes = {pid: _rss_mb(pid) for pid in _family()}
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            for pid, size in sizes.items():
                self.peak_by_pid[pid] = max(self.peak_by_pid.get(pid, 0.0), size)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def describe(self) -> str:
        own = self.peak_by_pid.get(os.getpid(), 0.0)
        workers = sorted((v for k, v in self.peak_by_pid.items() if k != os.getpid()), reverse=True)
        each = ", ".join(f"{w:,.0f}" for w in workers) or "none"
        return (
            f"{self.peak_total:,.0f} MB at the peak, summed (this process {own:,.0f} MB, "
            f"workers {each} MB)"
        )


#: Wall seconds and CPU seconds (this process and its workers) of each run.
Timings = list[tuple[float, float]]


async def _time(action: Callable[[], Awaitable[object]], repeats: int) -> Timings:
    timings = []
    for _ in range(repeats):
        cpu = cpu_seconds()
        started = time.perf_counter()
        await action()
        timings.append((time.perf_counter() - started, cpu_seconds() - cpu))
    return timings


async def measure(path: Path, out_dir: Path, repeats: int, offload: Offload) -> dict[str, Timings]:
    db = Database(path)
    await db.connect()
    clock = FakeClock(NOW)
    content = load_content()
    texts = load_report_texts()
    analytics = AnalyticsRepo(db)
    digests = DigestService(analytics, PromptService(content, PromptRepo(db)), clock)
    reports = ReportService(analytics, content, clock, texts, offload)
    results: dict[str, Timings] = {}
    try:

        async def digest_data() -> object:
            return await digests.build(GUILD)

        async def digest_full() -> object:
            return await offload.draw(drawing.digest_chart, await digests.build(GUILD), texts)

        async def report_build() -> object:
            return await reports.build(GUILD, *REPORT_MONTH)

        async def report_full() -> object:
            return await reports.make_files(GUILD, *REPORT_MONTH, out_dir)

        async def report_here() -> object:
            return await reports.write(await reports.build(GUILD, *REPORT_MONTH), out_dir)

        # One untimed pass starts the worker processes and warms their imports.
        await digest_full()
        await report_full()
        results["digest data"] = await _time(digest_data, repeats)
        results["digest data + chart"] = await _time(digest_full, repeats)
        results["report build"] = await _time(report_build, repeats)
        with MemorySampler() as memory:
            results["report build + HTML + CSVs"] = await _time(report_full, repeats)
        print(f"  resident memory while /impact's files are made: {memory.describe()}")
        results["  same, rows read here"] = await _time(report_here, repeats)
    finally:
        await db.close()
    return results


def print_plans(path: Path) -> None:
    week = ("2026-11-23T00:00:00+00:00", "2026-11-30T00:00:00+00:00")
    queries = {
        "acts by condition": (
            "SELECT condition_number, count(*) FROM acts WHERE guild_id = ? "
            "AND created_at >= ? AND created_at < ? GROUP BY condition_number",
            (GUILD, *week),
        ),
        "new champions": (
            "SELECT group_id, count(*) FROM champions WHERE guild_id = ? "
            "AND joined_at >= ? AND joined_at < ? GROUP BY group_id",
            (GUILD, *week),
        ),
        "reflections in a window": (
            "SELECT count(*) FROM reflections WHERE guild_id = ? "
            "AND created_at >= ? AND created_at < ?",
            (GUILD, *week),
        ),
    }
    with closing(sqlite3.connect(path)) as conn:
        for name, (sql, params) in queries.items():
            plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
            print(f"  {name}: {'; '.join(plan)}")


def table(title: str, results: dict[str, Timings], targets: dict[str, float]) -> None:
    print(f"\n{title}")
    print(f"  {'step':<30} {'min':>9} {'median':>9} {'max':>9} {'CPU':>9} {'target':>8}  ok")
    for name, runs in results.items():
        timings = [wall for wall, _ in runs]
        cpu = statistics.median(c for _, c in runs)
        target = targets.get(name)
        median, worst = statistics.median(timings), max(timings)
        mark = "" if target is None else ("yes" if worst < target else "NO")
        target_text = "" if target is None else f"{target:.1f} s"
        print(
            f"  {name:<30} {min(timings):>7.3f} s {median:>7.3f} s {worst:>7.3f} s "
            f"{cpu:>7.2f} s {target_text:>8}  {mark}"
        )


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, workers


async def seeded(path: Path, scale: int) -> None:
    started = time.perf_counter()
    db = Database(path)
    await db.connect()
    await migrate(db)
    await GuildRepo(db).ensure(GUILD, NOW - timedelta(days=400))
    await db.close()
    counts = seed(path, scale)
    print("Seeded " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    print(f"Seeding took {time.perf_counter() - started:.1f} s (not part of the timings below)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each step (at least 3)")
    parser.add_argument("--scale", type=int, default=1, help="times the members and rows")
    parser.add_argument("--db", type=Path, help="reuse (or create) this seeded file")
    parser.add_argument("--compare-indexes", action="store_true")
    parser.add_argument("--plans", action="store_true")
    args = parser.parse_args()
    args.repeats = max(3, args.repeats)
    targets = {"digest data + chart": 1.0, "report build + HTML + CSVs": 3.0}
    print(f"Load before: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "bench.sqlite3"
        if not path.exists():
            await seeded(path, args.scale)
        else:
            db = Database(path)
            await db.connect()
            await migrate(db, backup_dir=Path(folder) / "backups")
            await db.close()
        if args.plans:
            print("\nQuery plans:")
            print_plans(path)
        out_dir = Path(folder) / "report"
        offload = Offload()
        try:
            started = time.perf_counter()
            await offload.draw(drawing.digest_chart, await _warm_digest(path), load_report_texts())
            print(
                "First chart, in a new drawing worker (start, imports, fonts): "
                f"{time.perf_counter() - started:.2f} s"
            )
            results = await measure(path, out_dir, args.repeats, offload)
        finally:
            await offload.close()
        table(f"Scale {args.scale}x, charts and files in worker processes", results, targets)
        sizes = sorted((p.name, p.stat().st_size) for p in out_dir.iterdir())
        print(
            "  report files: " + ", ".join(f"{name} {size / 1024:,.0f} KiB" for name, size in sizes)
        )
        own, workers = peak_memory_mb()
        print(f"  peak memory: this process {own:,.0f} MB, worker processes {workers:,.0f} MB")
        print(f"Load after: {os.getloadavg()[0]:.2f}")
        if args.compare_indexes:
            drop_analytics_indexes(path)
            if args.plans:
                print("\nQuery plans without them:")
                print_plans(path)
            offload = Offload()
            try:
                results = await measure(path, out_dir, args.repeats, offload)
            finally:
                await offload.close()
            table("Without migration 0005's indexes", results, targets)
    return 0


async def _warm_digest(path: Path) -> object:
    db = Database(path)
    await db.connect()
    try:
        content = load_content()
        service = DigestService(
            AnalyticsRepo(db), PromptService(content, PromptRepo(db)), FakeClock(NOW)
        )
        return await service.build(GUILD)
    finally:
        await db.close()


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
