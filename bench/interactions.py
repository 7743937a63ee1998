"""Benchmark bursts of database-writing slash commands against the real bot process.

Run as ``python bench/interactions.py`` (``--json [PATH]`` also writes the figures,
``-`` or no PATH for stdout). The unmodified bot (``python -m bot run``) runs in its
own process against the Discord emulator in this one. A role with Manage Server is
given to as many members as the largest burst; each burst has N of them run a
``/setup`` command at the same moment (N = 1, 50, 200 by default; 5 bursts each, 50
for N = 1, after a warm-up). Every command writes to SQLite:

* ``group-add`` (default): ``/setup group add`` with a unique name, so every command
  inserts one row and the rows are counted after each burst;
* ``timezone`` / ``schedule``: the whole burst sets one new value, read back after.

Latency runs from the moment the emulator queues INTERACTION_CREATE on the gateway to
the moment it records the answer the member sees (after a defer, the edit or
follow-up). Payloads are built before the burst so building them does not count. The
emulator shares this process's event loop and CPU, so CPU seconds are reported for
both processes. ``--profile-bot`` runs the bot under cProfile; ``--profile-emulator``
profiles this process during the measured bursts.

``--probe`` instead runs the loop-lag probe of ``bench/loop_lag.py``: a cheap command
every 50 ms while heavy ones run (``--scale``, ``--roulette``, ``--operations``,
``--reps`` runs each, at least 3).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_lag

from bot.demo.process import BotProcess, start_bot
from sandbox import DiscordEmulator, Guild, InteractionHandle, Member, Perm

#: Discord's limit for acknowledging an interaction.
ACK_LIMIT = 3.0
#: p99 targets in seconds on a 2-core machine, by burst size.
TARGETS = {50: 0.100, 200: 0.500}
TIMEZONES = ["Europe/Dublin", "Europe/Paris", "America/New_York", "Asia/Kolkata", "UTC"]
COMMANDS = ("group-add", "timezone", "schedule")
#: Below this much measured wall time, 10 ms /proc ticks make the load figure noise.
MIN_WALL_FOR_LOAD = 0.5


@dataclass
class Burst:
    """One burst: per-command timings, wall time and CPU time of each process, in seconds."""

    size: int
    latencies: list[float]
    acks: list[float]
    wall: float
    bot_cpu: float = 0.0
    emu_cpu: float = 0.0
    #: CPU seconds other processes used meanwhile (other work on a shared machine).
    other_cpu: float = 0.0

    @property
    def throughput(self) -> float:
        return self.size / self.wall if self.wall > 0 else float("inf")


@dataclass
class SizeReport:
    """Pooled figures for every measured burst of one size."""

    size: int
    bursts: int
    samples: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    worst_burst_p99_ms: float
    ack_p99_ms: float
    over_ack_limit: int
    throughput: float
    bot_cpu_ms_per_cmd: float
    emu_cpu_ms_per_cmd: float
    other_cores_busy: float | None
    target_p99_ms: float | None = None
    target_met: bool | None = None
    per_burst_p99_ms: list[float] = field(default_factory=list)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q% of samples at or below."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def machine_busy() -> float:
    """CPU seconds all processes have used since boot (everything but idle and iowait)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Bench:
    """The emulated guild, its Manage Server members and the bot process."""

    def __init__(
        self,
        emu: DiscordEmulator,
        bot: BotProcess,
        db_path: Path,
        guild: Guild,
        members: list[Member],
    ) -> None:
        self.emu, self.bot, self.db_path = emu, bot, db_path
        self.guild, self.members = guild, members
        self.bursts_run = 0

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as conn:
            return conn.execute(sql, params).fetchone()

    def prepare(
        self, command: str, size: int
    ) -> tuple[list[InteractionHandle], Callable[[], None]]:
        """Builds ``size`` interactions and a check that they all wrote to the database."""
        self.bursts_run += 1
        tag = f"b{self.bursts_run:04d}"
        emu, guild, who = self.emu, self.guild, self.members[:size]
        if command == "group-add":
            handles = [
                emu.prepare_slash(guild, m, "setup group add", name=f"{tag}-{i:03d}")
                for i, m in enumerate(who)
            ]

            def verify() -> None:
                (count,) = self._query(
                    "SELECT COUNT(*) FROM groups WHERE guild_id = ? AND name LIKE ?",
                    (guild.id, f"{tag}-%"),
                )
                if count != size:
                    raise SystemExit(f"burst {tag}: {count} group rows written, expected {size}")
                for i, h in enumerate(handles):
                    _expect_reply(h, f"{tag}-{i:03d}")

        elif command == "timezone":
            zone = TIMEZONES[self.bursts_run % len(TIMEZONES)]
            handles = [emu.prepare_slash(guild, m, "setup timezone", name=zone) for m in who]

            def verify() -> None:
                row = self._query("SELECT timezone FROM guilds WHERE guild_id = ?", (guild.id,))
                if row != (zone,):
                    raise SystemExit(f"burst {tag}: timezone is {row}, expected {zone!r}")
                for h in handles:
                    _expect_reply(h, zone)

        else:
            hour, minute = divmod(self.bursts_run % (24 * 60), 60)
            time_text = f"{hour:02d}:{minute:02d}"
            handles = [
                emu.prepare_slash(guild, m, "setup schedule", job="digest", day=4, time=time_text)
                for m in who
            ]

            def verify() -> None:
                row = self._query(
                    "SELECT day_of_week, hour, minute FROM guild_schedule "
                    "WHERE guild_id = ? AND job = 'digest'",
                    (guild.id,),
                )
                if row != (4, hour, minute):
                    raise SystemExit(f"burst {tag}: schedule is {row}, expected {time_text}")
                for h in handles:
                    _expect_reply(h, time_text)

        return handles, verify

    async def burst(self, command: str, size: int, within: float = 120.0) -> Burst:
        """Sends ``size`` commands back to back and waits until every member has its answer."""
        handles, verify = self.prepare(command, size)
        busy, bot_cpu, emu_cpu = machine_busy(), process_cpu(self.bot.pid), time.process_time()
        for handle in handles:
            await self.emu.fire(handle, wait=False)
        await self.emu.wait_until(
            lambda: all(h.settled_at is not None for h in handles),
            within,
            f"{size} answers to /setup {command}",
        )
        bot_cpu, emu_cpu = process_cpu(self.bot.pid) - bot_cpu, time.process_time() - emu_cpu
        busy = machine_busy() - busy
        verify()
        stamps = [_stamps(h) for h in handles]
        return Burst(
            size,
            latencies=[settled - sent for sent, _, settled in stamps],
            acks=[acked - sent for sent, acked, _ in stamps],
            wall=max(s[2] for s in stamps) - min(s[0] for s in stamps),
            bot_cpu=bot_cpu,
            emu_cpu=emu_cpu,
            other_cpu=max(0.0, busy - bot_cpu - emu_cpu),
        )


def _stamps(handle: InteractionHandle) -> tuple[float, float, float]:
    """When the interaction was sent, acknowledged and answered (monotonic seconds)."""
    sent, acked, settled = handle.dispatched_at, handle.responded_at, handle.settled_at
    if sent is None or acked is None or settled is None:
        raise SystemExit(f"{handle.description} has no complete timings")
    return sent, acked, settled


def _expect_reply(handle: InteractionHandle, text: str) -> None:
    """A benchmark that counted refusals or errors as answers would measure nothing."""
    msg = handle.final_message()
    if msg is None or text not in msg.content:
        content = None if msg is None else msg.content
        raise SystemExit(f"{handle.description}: expected a reply with {text!r}, got {content!r}")


def summarise(size: int, bursts: list[Burst]) -> SizeReport:
    """Pools the bursts of one size.

    The bot's CPU time comes from /proc in 10 ms ticks; summed over many bursts the
    rounding averages out, which is why it is reported per command, not per burst.
    """
    latencies = [x for b in bursts for x in b.latencies]
    acks = [x for b in bursts for x in b.acks]
    commands = sum(b.size for b in bursts)
    target = TARGETS.get(size)
    wall, other = sum(b.wall for b in bursts), sum(b.other_cpu for b in bursts)
    p99 = percentile(latencies, 99)
    return SizeReport(
        size=size,
        bursts=len(bursts),
        samples=len(latencies),
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=p99 * 1000,
        max_ms=max(latencies) * 1000,
        worst_burst_p99_ms=max(percentile(b.latencies, 99) for b in bursts) * 1000,
        ack_p99_ms=percentile(acks, 99) * 1000,
        over_ack_limit=sum(1 for a in acks if a > ACK_LIMIT),
        throughput=statistics.median(b.throughput for b in bursts),
        bot_cpu_ms_per_cmd=sum(b.bot_cpu for b in bursts) / commands * 1000,
        emu_cpu_ms_per_cmd=sum(b.emu_cpu for b in bursts) / commands * 1000,
        other_cores_busy=None if wall < MIN_WALL_FOR_LOAD else other / wall,
        target_p99_ms=None if target is None else target * 1000,
        target_met=None if target is None else p99 < target,
        per_burst_p99_ms=[round(percentile(b.latencies, 99) * 1000, 2) for b in bursts],
    )


def print_table(command: str, reports: list[SizeReport]) -> None:
    print(f"\n/setup {command}: latency from INTERACTION_CREATE sent to final response seen")
    head = (
        f"{'burst N':>7} {'bursts':>6} {'samples':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'ack p99':>8} {'>3 s':>5} {'cmd/s':>7} "
        f"{'bot CPU':>8} {'emu CPU':>8} {'others':>6}  target"
    )
    print(head)
    print("-" * len(head))
    for r in reports:
        if r.target_p99_ms is None:
            verdict = "-"
        else:
            verdict = f"p99 < {r.target_p99_ms:.0f} ms: {'met' if r.target_met else 'MISSED'}"
        print(
            f"{r.size:>7} {r.bursts:>6} {r.samples:>7} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} "
            f"{r.p99_ms:>8.1f} {r.max_ms:>8.1f} {r.ack_p99_ms:>8.1f} {r.over_ack_limit:>5} "
            f"{r.throughput:>7.0f} {r.bot_cpu_ms_per_cmd:>8.2f} {r.emu_cpu_ms_per_cmd:>8.2f} "
            f"{'-' if r.other_cores_busy is None else f'{r.other_cores_busy:.2f}':>6}  "
            f"{verdict}"
        )
    print(
        "cmd/s: median over bursts of N / (last answer - first dispatch). CPU: ms per "
        "command in the bot process and in this (emulator) process; others: cores other "
        f"processes kept busy during the bursts (of {os.cpu_count()})."
    )


def print_profile(title: str, stats: pstats.Stats, limit: int) -> None:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(limit)
    print(f"\n--- {title} (by own time) ---")
    print(out.getvalue().split("\n", 4)[-1].rstrip())


async def run(args: argparse.Namespace) -> list[SizeReport]:
    sizes: list[int] = args.sizes
    with tempfile.TemporaryDirectory(prefix="kindbot-bench-") as tmp:
        db_path = Path(tmp) / "kindbot.sqlite3"
        emu = DiscordEmulator(ack_deadline=None)
        await emu.start()
        bot: BotProcess | None = None
        try:
            guild = emu.create_guild("Bench Town", owner="olive")
            for name in ("welcome", "coffee", "reflections", "digest", "coordinators"):
                emu.create_channel(guild, name)
            managers = emu.create_role(guild, "Server managers", permissions=Perm.MANAGE_GUILD)
            members = [
                emu.create_member(guild, f"manager-{i:03d}", roles=[managers])
                for i in range(max(sizes))
            ]
            profile_args: tuple[str, ...] = ()
            bot_profile = Path(args.profile_bot or Path(tmp) / "bot.prof")
            if args.profile_bot is not None:
                profile_args = ("-m", "cProfile", "-o", str(bot_profile))
            bot = await start_bot(emu, db_path, interpreter_args=profile_args, within=60)
            await emu.wait_for_commands("setup", guild=None, within=10)
            bench = Bench(emu, bot, db_path, guild, members)

            for _ in range(args.warmup):
                await bench.burst(args.command, 1)
            for size in sorted({min(50, max(sizes)), max(sizes)}):
                await bench.burst(args.command, size)

            profiler = cProfile.Profile() if args.profile_emulator else None
            reports: list[SizeReport] = []
            for size in sizes:
                reps = max(args.reps, args.single_reps) if size == 1 else args.reps
                bursts = []
                for _ in range(reps):
                    if profiler:
                        profiler.enable()
                    bursts.append(await bench.burst(args.command, size))
                    if profiler:
                        profiler.disable()
                    await asyncio.sleep(args.pause)
                reports.append(summarise(size, bursts))

            code = await bot.stop()
            problems = [line for line in bot.lines if "Traceback" in line or "ERROR" in line]
            if code != 0 or problems or emu.unhandled:
                print(bot.log, file=sys.stderr)
                raise SystemExit(f"bot exit code {code}; unhandled routes: {emu.unhandled}")
            if profiler:
                print_profile("emulator + bench process", pstats.Stats(profiler), args.top)
            if args.profile_bot is not None:
                print_profile("bot process (whole run)", pstats.Stats(str(bot_profile)), args.top)
            return reports
        finally:
            if bot is not None:
                await bot.shutdown()
            await emu.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--command", choices=COMMANDS, default="group-add")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--reps", type=int, default=5, help="bursts per size (default 5)")
    parser.add_argument("--single-reps", type=int, default=50, help="bursts of size 1 (default 50)")
    parser.add_argument("--warmup", type=int, default=10, help="single commands first")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between bursts")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH")
    parser.add_argument(
        "--profile-bot",
        nargs="?",
        const="",
        metavar="PATH",
        help="run the bot under cProfile (and keep the stats in PATH)",
    )
    parser.add_argument("--profile-emulator", action="store_true")
    parser.add_argument("--top", type=int, default=25, help="profile rows to print")
    probe = parser.add_argument_group("loop-lag probe (see bench/loop_lag.py)")
    probe.add_argument(
        "--probe", action="store_true", help="send /coffee status every 50 ms during heavy work"
    )
    probe.add_argument("--scale", type=float, default=1, help="history: times bench/digest.py's")
    probe.add_argument("--roulette", type=int, default=5000, help="members in the round")
    probe.add_argument(
        "--operations",
        nargs="*",
        default=list(loop_lag.OPERATIONS),
        choices=list(loop_lag.OPERATIONS),
        help="heavy commands to probe (run-now always runs last)",
    )
    probe.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="run-now runs, each by a fresh bot on a copy of the seeded file",
    )
    args = parser.parse_args(argv)
    if args.probe:
        asyncio.run(
            loop_lag.run(args.scale, args.roulette, args.operations, max(3, args.reps), args.rounds)
        )
        return
    if min(args.sizes) < 1 or max(args.sizes) > 1000:
        parser.error("sizes must be between 1 and 1000")
    if args.profile_bot:
        args.profile_bot = str(Path(args.profile_bot).resolve())

    reports = asyncio.run(run(args))
    print_table(args.command, reports)
    missed = [r for r in reports if r.target_met is False]
    print("targets: " + ("all met" if not missed else f"MISSED for N={[r.size for r in missed]}"))
    late = sum(r.over_ack_limit for r in reports)
    print(f"answers acknowledged after Discord's {ACK_LIMIT:.0f} s limit: {late}")
    if args.json:
        payload = {
            "command": args.command,
            "cpu_count": os.cpu_count(),
            "python": sys.version.split()[0],
            "sizes": [asdict(r) for r in reports],
        }
        text = json.dumps(payload, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
