"""The loop-lag probe: how long a cheap command waits while a heavy one runs.

Used by ``python bench/interactions.py --probe`` (see that file's ``--help``). One
emulated server gets ``bench/digest.py``'s history (``--scale`` times 5,000
champions, 200,000 acts and 52 weekly rounds) and a roulette of ``--roulette``
members; the unmodified bot runs in its own process. While each heavy operation
runs, a member sends ``/coffee status`` every 50 ms; the table shows the probe's
acknowledgement times (p50, p99, max) and the longest gap between the bot's gateway
heartbeats (the emulator asks for one a second, so a gap well over 1 s is a stall).

``run-now`` is measured from the command to the round stored in the database, ``--rounds``
times (3 by default): a week has one round, so each run starts a fresh bot on a copy of
the seeded file. Beside it, the engine's own time on the same input, three times.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import digest as history

from bot.db import Database, migrate
from bot.demo.process import BotProcess, start_bot
from bot.models import ChannelPurpose
from bot.offload import WORKERS_READY
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.services.coffee import INLINE_BELOW as BIG_ROUND
from bot.services.coffee import to_participants
from bot.services.pairing import PairingInput, make_round
from bot.services.prompts import stable_seed
from bot.text import Messages
from bot.timeutil import iso_week_key
from sandbox import DiscordEmulator, Guild, InteractionHandle, Member

PROBE_EVERY = 0.050
#: How often run-now's wait looks for the stored round.
STORED_POLL = 0.005
HEARTBEAT_MS = 1_000
#: The slash command (and options) behind each operation's name.
OPERATIONS: dict[str, tuple[str, dict[str, object]]] = {
    "kindness-stats": ("kindness stats", {}),
    "coffee-stats": ("coffee stats", {}),
    "champions-list": ("champions list", {}),
    "coffee-preview": ("coffee preview", {}),
    "digest-preview": ("digest preview", {}),
    "impact": ("impact", {"month": "2026-10"}),
    "champions-export": ("champions export", {}),
}


@dataclass
class Window:
    """One heavy operation and the probes sent while it ran."""

    operation: str
    seconds: float
    probes: list[float] = field(default_factory=list)
    heartbeat_gap: float = 0.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def seed_world(
    db_path: Path, guild: Guild, channels: dict[ChannelPurpose, int], scale: float, roulette: int
) -> None:
    db = Database(db_path)
    await db.connect()
    try:
        await migrate(db)
        guilds = GuildRepo(db)
        await guilds.ensure(guild.id, history.NOW - timedelta(days=400))
        for purpose, channel_id in channels.items():
            await guilds.set_channel(guild.id, purpose, channel_id)
    finally:
        await db.close()
    history.GUILD = guild.id
    history.seed(db_path, scale)
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        # This week's round is the one run-now makes.
        conn.execute(
            "DELETE FROM coffee_rounds WHERE guild_id = ? AND period_key = "
            "(SELECT max(period_key) FROM coffee_rounds WHERE guild_id = ?)",
            (guild.id, guild.id),
        )
        conn.execute("UPDATE champions SET coffee_opt_in = 0 WHERE guild_id = ?", (guild.id,))
        conn.execute(
            "UPDATE champions SET coffee_opt_in = 1, status = 'active' WHERE guild_id = ? "
            "AND user_id IN (SELECT user_id FROM champions WHERE guild_id = ? "
            "AND group_id IS NOT NULL ORDER BY user_id LIMIT ?)",
            (guild.id, guild.id, roulette),
        )
        conn.commit()


async def engine_seconds(db_path: Path, guild_id: int, period_key: str) -> tuple[int, float]:
    """The pairing engine's own time on the input the bot used."""
    db = Database(db_path)
    await db.connect()
    try:
        repo = CoffeeRepo(db)
        settings = await repo.settings(guild_id)
        candidates = await repo.participants(guild_id, period_key, history.NOW)
        past = await repo.recent_meetings(guild_id, settings.avoid_rounds)
        blocked = await repo.blocked_pairs(guild_id)
    finally:
        await db.close()
    pairing = PairingInput(
        participants=to_participants(candidates),
        history=[[tuple(str(u) for u in m) for m in rnd] for rnd in past],
        blocked=[(str(a), str(b)) for a, b in blocked],
        avoid_repeat_rounds=settings.avoid_rounds,
        seed=stable_seed(guild_id, period_key),
        reference_time=history.NOW,
    )
    started = time.perf_counter()
    make_round(pairing)
    return len(candidates), time.perf_counter() - started


class Probe:
    def __init__(self, emu: DiscordEmulator, guild: Guild, prober: Member) -> None:
        self.emu, self.guild, self.prober = emu, guild, prober
        self.failure: str | None = None

    async def during(self, operation: str, done: asyncio.Future[None]) -> Window:
        """Probes every 50 ms until ``done``; returns the acknowledgement times."""
        sent: list[InteractionHandle] = []
        beats_before = len(self.emu.gateway.heartbeats)
        started = time.monotonic()
        while not done.done():
            handle = self.emu.prepare_slash(self.guild, self.prober, "coffee status")
            await self.emu.fire(handle, wait=False)
            sent.append(handle)
            await asyncio.wait([done], timeout=PROBE_EVERY)
        finished = time.monotonic()
        await self.emu.wait_until(
            lambda: all(h.responded_at is not None for h in sent), 60, "probes answered"
        )
        beats = [started, *self.emu.gateway.heartbeats[beats_before:], finished]
        window = Window(operation, finished - started)
        window.probes = [
            h.responded_at - h.dispatched_at
            for h in sent
            if h.responded_at is not None and h.dispatched_at is not None
        ]
        window.heartbeat_gap = max(b - a for a, b in itertools.pairwise(beats))
        return window

    async def command(self, owner: Member, operation: str) -> Window:
        name, options = OPERATIONS[operation]
        handle = self.emu.prepare_slash(self.guild, owner, name, **options)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def heavy() -> None:
            await self.emu.fire(handle, wait=False)
            await self.emu.wait_until(lambda: handle.settled_at is not None, 300, operation)
            done.set_result(None)

        task = asyncio.create_task(heavy())
        window = await self.during(operation, done)
        await task
        return window

    async def run_now(self, owner: Member, db_path: Path) -> Window:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def stored() -> int:
            with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM coffee_rounds WHERE guild_id = ?", (self.guild.id,)
                ).fetchone()
            return int(row[0])

        before = stored()
        week = iso_week_key(history.NOW.date())
        texts = Messages.load()
        # A long round first says it is still going; only these replies end it.
        endings = {
            texts(f"coffee.{key}", week=week)
            for key in ("run_done", "run_already", "run_busy", "run_skipped", "run_failed")
        }

        def ended() -> bool:
            message = handle.final_message()
            return message is not None and message.content in endings

        handle = self.emu.prepare_slash(self.guild, owner, "coffee run-now")

        async def heavy() -> None:
            await self.emu.fire(handle, wait=False)
            # The bot writes the round to its own file, so the database is polled, every
            # few milliseconds: waiting for the emulator's next change would add up to
            # the probes' 50 ms to the time measured.
            deadline = time.monotonic() + 600
            while stored() == before and not ended():
                if time.monotonic() > deadline:
                    raise TimeoutError("timed out after 600 s waiting for the round")
                await asyncio.sleep(STORED_POLL)
            if stored() == before:
                message = handle.final_message()
                self.failure = f"run-now stored no round: {message and message.content!r}"
            done.set_result(None)

        task = asyncio.create_task(heavy())
        window = await self.during("run-now (to the round stored)", done)
        await task
        return window


@dataclass
class RunNow:
    """One ``/coffee run-now``: to the round stored, and what the worker logged."""

    seconds: float
    steps: tuple[float, float, float] | None
    exit_code: int | None


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a closed SQLite file (its log folded in first), written out
    to disk before it returns: otherwise the kernel writes the copy's 500 MB (at 4×)
    out in the background, during whatever is timed next."""
    with closing(sqlite3.connect(source)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.sync()


def spread(values: Sequence[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def print_run_now(runs: Sequence[RunNow], engine: Sequence[float]) -> None:
    """Each run-now beside the engine's own time on the same input (the reference)."""
    reference = statistics.median(engine)
    stored = [run.seconds for run in runs]
    print(
        f"  run-now, {len(runs)} runs from the same seeded file: round stored after "
        f"{spread(stored)} s (min / median / max); the engine alone {spread(engine)} s "
        f"over {len(engine)} runs on the same input"
    )
    print(
        f"  ratio to the engine's median: {spread([s / reference for s in stored])} "
        "(target under 2)"
    )
    for number, run in enumerate(runs, 1):
        line = f"    run {number}: stored after {run.seconds:.2f} s"
        if run.steps is not None:
            read, computed, written = run.steps
            line += (
                f"; in the worker: read {read:.2f} s, computed {computed:.2f} s, "
                f"stored {written:.2f} s"
            )
        print(f"{line}; bot exit code {run.exit_code}")


WORKER_STEPS = re.compile(
    r"read in (?P<read>[0-9.]+) s, computed in (?P<computed>[0-9.]+) s "
    r"and stored in (?P<stored>[0-9.]+) s by a worker process"
)


def worker_steps(lines: Sequence[str]) -> tuple[float, float, float] | None:
    """The read, compute and store times the bot logged for the round a worker made."""
    for line in reversed(lines):
        found = WORKER_STEPS.search(line)
        if found:
            return float(found["read"]), float(found["computed"]), float(found["stored"])
    return None


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def print_windows(title: str, windows: dict[str, list[tuple[Window, str]]]) -> None:
    print(f"\n{title}")
    print(
        f"  {'operation':<32} {'runs':>4} {'op min':>7} {'op med':>7} {'op max':>7} "
        f"{'probe p50':>9} {'p99':>7} {'max':>7} {'>3 s':>5} {'beat gap':>8}  load"
    )
    for name, runs in windows.items():
        ops = [w.seconds for w, _ in runs]
        probes = [p for w, _ in runs for p in w.probes]
        slow = sum(p > 3.0 for p in probes)
        gap = max(w.heartbeat_gap for w, _ in runs)
        loads = ",".join(sorted({text for _, text in runs}))
        print(
            f"  {name:<32} {len(runs):>4} {min(ops):>6.2f}s {statistics.median(ops):>6.2f}s "
            f"{max(ops):>6.2f}s {percentile(probes, 0.5) * 1000:>7.0f}ms "
            f"{percentile(probes, 0.99) * 1000:>5.0f}ms {max(probes, default=0) * 1000:>5.0f}ms "
            f"{slow:>5} {gap:>7.2f}s  {loads}"
        )


async def run(
    scale: float, roulette: int, operations: Sequence[str], reps: int, rounds: int = 3
) -> None:
    with tempfile.TemporaryDirectory(prefix="kindbot-probe-") as tmp:
        db_path = Path(tmp) / "kindbot.sqlite3"
        emu = DiscordEmulator(ack_deadline=None)
        emu.gateway.heartbeat_interval_ms = HEARTBEAT_MS
        await emu.start()
        bot: BotProcess | None = None
        try:
            guild = emu.create_guild("Probe Town", owner="olive")
            owner = guild.members[guild.owner_id]
            coffee = emu.create_channel(guild, "coffee")
            digest_channel = emu.create_channel(guild, "digest")
            log_channel = emu.create_channel(guild, "coordinators")
            prober = emu.create_member(guild, "prober")
            started = time.monotonic()
            await seed_world(
                db_path,
                guild,
                {
                    ChannelPurpose.COFFEE: coffee.id,
                    ChannelPurpose.DIGEST: digest_channel.id,
                    ChannelPurpose.LOG: log_channel.id,
                },
                scale,
                roulette,
            )
            print(
                f"Seeded {scale}x history and a roulette of {roulette:,} in "
                f"{time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )
            # Each run-now starts from this copy, so every run makes the same round.
            pristine = Path(tmp) / "seeded.sqlite3"
            copy_database(db_path, pristine)
            period = iso_week_key(history.NOW.date())
            engine = [await engine_seconds(pristine, guild.id, period) for _ in range(3)]
            people = engine[0][0]
            windows: dict[str, list[tuple[Window, str]]] = {}
            runs: list[RunNow] = []
            idle = 0.0
            for attempt in range(rounds):
                if attempt:
                    copy_database(pristine, db_path)
                bot = await start_bot(
                    emu, db_path, within=180, KINDBOT_CLOCK_START=history.NOW.isoformat()
                )
                await emu.wait_for_commands("coffee", "kindness", within=60)
                # A round measures the round, not a bot still starting its workers.
                lines = bot.lines
                await emu.wait_until(
                    lambda: any(WORKERS_READY in line for line in lines),  # noqa: B023
                    120,
                    "the bot's worker processes",
                )
                await asyncio.sleep(1)
                probe = Probe(emu, guild, prober)
                if attempt == 0:
                    idle = (await probe.command(owner, "kindness-stats")).seconds  # warm-up
                    for operation in operations:
                        for _ in range(reps):
                            window = await probe.command(owner, operation)
                            windows.setdefault(operation, []).append((window, load()))
                window = await probe.run_now(owner, db_path)
                if probe.failure:
                    print("\n".join(bot.lines[-15:]), file=sys.stderr)
                    raise SystemExit(probe.failure)
                windows.setdefault(window.operation, []).append((window, load()))
                # The bot logs the worker's steps just after the commit the probe saw.
                steps = worker_steps(bot.lines)
                for _ in range(40):
                    if steps is not None or roulette < BIG_ROUND:
                        break
                    await asyncio.sleep(0.05)
                    steps = worker_steps(bot.lines)
                code = await bot.stop(within=60)
                bot = None
                runs.append(RunNow(window.seconds, steps, code))
            print_windows(
                f"Loop-lag probe: {scale}x history, roulette of {roulette:,} "
                f"({people:,} took part); load is the 1- and 5-minute average",
                windows,
            )
            print_run_now(runs, [seconds for _, seconds in engine])
            print(f"  warm-up kindness stats: {idle:.2f} s")
        finally:
            if bot is not None:
                await bot.shutdown()
            await emu.stop()
