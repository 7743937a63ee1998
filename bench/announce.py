"""Benchmark announcing a coffee round of many meetings, against Discord's rate-limit floor.

Run as ``python bench/announce.py`` (``--meetings N``, default 500; ``--quick`` for 50;
``--global-limit 50`` also enforces Discord's global limit, which the emulator lacks;
``--profile-bot`` runs the bot under cProfile).
The unmodified bot (``python -m bot run``) runs in its own process against the Discord
emulator in this one. One guild holds 2N members; 2N champions in six groups of skewed
size, all opted in to coffee, are written straight into the bot's database with the
project's repositories before the bot starts, so the run measures announcing rather
than onboarding. A coordinator then runs ``/coffee run-now`` and the clock runs until
the bot logs "Coffee round ... announced N meetings".

Every REST call the bot makes is timed inside the emulator (arrival to answer), so the
announcement splits into time the emulator spent answering and time between answers
(the bot's own work: database writes, building payloads, the loopback hop). The floor
is what Discord's rate limits alone would allow for the same requests; see
:func:`floors`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import json
import math
import os
import pstats
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import Database, migrate
from bot.demo.process import BotProcess, start_bot
from bot.models import ChannelPurpose, Profile
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from sandbox import DiscordEmulator, Member

#: A Wednesday: the weekly pairing is not due, so only ``/coffee run-now`` makes a round.
CLOCK_START = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
#: Discord's documented global limit for a bot token, requests per second.
GLOBAL_LIMIT = 50.0
#: Share of champions in each of the six default groups (largest under a half, so every
#: meeting can be cross-group).
GROUP_SHARES = (0.34, 0.24, 0.16, 0.12, 0.08, 0.06)
COMPLETION_LINE = "Coffee round"
#: A pause between one answer and the next call this long is rate-limit waiting, not work.
WAIT_THRESHOLD = 0.05
#: Routes that carry the interaction's own answer; Discord does not count them against
#: the global limit and they are not part of announcing.
INTERACTION_PREFIXES = ("/interactions/", "/webhooks/")
SHORT_NAMES = {
    "POST /channels/{channel_id}/threads": "thread create",
    "PUT /channels/{channel_id}/thread-members/{user_id}": "add member",
    "POST /channels/{channel_id}/messages": "intro message",
}


@dataclass(frozen=True)
class Sample:
    """One REST call as the emulator served it (monotonic seconds)."""

    start: float
    end: float
    route: str
    bucket: str
    status: int

    @property
    def served(self) -> float:
        return self.end - self.start

    @property
    def short(self) -> str:
        return SHORT_NAMES.get(self.route, self.route)

    @property
    def is_interaction(self) -> bool:
        return self.route.split(" ", 1)[1].startswith(INTERACTION_PREFIXES)


@dataclass
class GlobalWindow:
    """The current one-second window of the emulated global limit."""

    start: float = 0.0
    used: int = 0


@dataclass
class Floor:
    """The shortest time a rate limit allows for the requests made.

    ``requests / limit x window``; a fixed window that starts with the first request
    lets a run finish up to one window sooner, so 0.9x-1.0x means "at the floor".
    """

    name: str
    requests: int
    limit: float
    window: float
    note: str
    #: Whether this run's emulator enforced the limit.
    enforced: bool

    @property
    def seconds(self) -> float:
        return self.requests * self.window / self.limit


@dataclass
class Result:
    """Everything one run measured."""

    meetings: int
    champions: int
    group_sizes: list[int]
    total: float
    pairing: float
    announce: float
    samples: list[Sample]
    bot_cpu: float
    emu_cpu: float
    route_limit: int
    route_window: float
    global_limit: int
    problems: list[str] = field(default_factory=list)

    @property
    def announce_samples(self) -> list[Sample]:
        return [s for s in self.samples if not s.is_interaction]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def split_groups(champions: int) -> list[int]:
    """Group sizes following :data:`GROUP_SHARES`, largest remainders rounding up."""
    raw = [champions * share for share in GROUP_SHARES]
    sizes = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - sizes[i], reverse=True)
    for i in by_remainder[: champions - sum(sizes)]:
        sizes[i] += 1
    return sizes


async def seed(
    db_path: Path,
    guild_id: int,
    channels: dict[ChannelPurpose, int],
    members: Sequence[Member],
    now: datetime,
) -> list[int]:
    """Writes the guild, its channels and every champion as onboarding would; returns sizes."""
    db = Database(db_path)
    await db.connect()
    try:
        await migrate(db)
        guilds = GuildRepo(db)
        await guilds.ensure(guild_id, now)
        for purpose, channel_id in channels.items():
            await guilds.set_channel(guild_id, purpose, channel_id)
        groups = await guilds.groups(guild_id)
        sizes = split_groups(len(members))
        group_ids = [g.group_id for g, n in zip(groups, sizes, strict=False) for _ in range(n)]
        random.Random(7).shuffle(group_ids)
        champions = ChampionRepo(db)
        for member, group_id in zip(members, group_ids, strict=True):
            profile = Profile(
                group_id=group_id,
                region_id="london",
                timezone="Europe/London",
                coffee_opt_in=True,
            )
            await champions.save(guild_id, member.user.id, profile, now)
        return sizes
    finally:
        await db.close()


def global_429(retry_after: float) -> web.Response:
    """Discord's answer past the global limit: every route waits, not just one bucket.

    ``Via`` matters: discord.py treats a 429 without it as a Cloudflare ban and gives up.
    """
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": True}
    response = web.Response(
        status=429,
        text=json.dumps(body),
        headers={
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
        },
    )
    response.content_type = "application/json"
    response.charset = None
    return response


def time_requests(emu: DiscordEmulator, samples: list[Sample], global_limit: int) -> None:
    """Wraps the emulator's HTTP entry point so every REST call is timed and bucketed.

    With ``global_limit`` > 0 it also enforces Discord's global limit (requests per
    one-second window over every non-interaction route), which the emulator itself
    does not. Must run before ``emu.start()``, which binds the handler into the app.
    """
    router = emu.router
    inner: Callable[[web.Request], Awaitable[web.Response]] = router.handle
    window = GlobalWindow()

    def over_global(path: str) -> float | None:
        if global_limit <= 0 or path.startswith(INTERACTION_PREFIXES):
            return None
        now = time.monotonic()
        if now - window.start >= 1.0:
            window.start, window.used = now, 0
        if window.used >= global_limit:
            return max(1.0 - (now - window.start), 0.001)
        window.used += 1
        return None

    async def timed(request: web.Request) -> web.Response:
        start = time.monotonic()
        path = "/" + request.match_info["tail"]
        retry_after = over_global(path)
        if retry_after is None:
            response = await inner(request)
        else:
            response = global_429(retry_after)
        end = time.monotonic()
        found = router.match(request.method, path)
        if found is None:
            route, bucket = f"{request.method} {path}", path
        else:
            matched, params = found
            route = matched.name
            major = next(
                (params[k] for k in ("channel_id", "guild_id", "webhook_id") if k in params), ""
            )
            bucket = f"{route}:{major}"
        samples.append(Sample(start, end, route, bucket, response.status))
        return response

    router.handle = timed  # type: ignore[method-assign]


def floors(result: Result) -> list[Floor]:
    """Lower bounds on the announcing time from rate limits, for the requests actually made.

    Each is requests / limit x window, the time the limit alone needs for them:

    * Discord's global limit: 50 requests/s per bot token over every route except
      interaction answers (documented). The emulator enforces it only with
      ``--global-limit``.
    * The emulator's per-route limit: ``limit`` requests per ``window`` per bucket
      (route + channel/guild/webhook id), shaped like Discord's per-route buckets. Only
      thread creation keeps hitting one bucket (the coffee channel's); adding members
      and posting the intro touch each new thread's bucket a few times.

    Discord does not publish its per-route numbers (they arrive in X-RateLimit headers),
    so no per-route floor for real Discord is claimed.
    """
    calls = [s for s in result.announce_samples if s.status != 429]
    per_bucket = Counter(s.bucket for s in calls)
    busiest, busiest_count = per_bucket.most_common(1)[0] if per_bucket else ("-", 0)
    return [
        Floor(
            "Discord global limit",
            len(calls),
            GLOBAL_LIMIT,
            1.0,
            "every request but the interaction answer",
            enforced=result.global_limit > 0,
        ),
        Floor(
            "emulator per-route bucket",
            busiest_count,
            result.route_limit,
            result.route_window,
            f"busiest bucket: {SHORT_NAMES.get(busiest.rsplit(':', 1)[0], busiest)}",
            enforced=True,
        ),
    ]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def gaps(samples: Sequence[Sample]) -> dict[str, list[float]]:
    """Time from one answer to the next request, by transition (the bot's own work)."""
    ordered = sorted(samples, key=lambda s: s.start)
    out: dict[str, list[float]] = defaultdict(list)
    for before, after in itertools.pairwise(ordered):
        out[f"{before.short} -> {after.short}"].append(max(0.0, after.start - before.end))
    return out


def verify(emu: DiscordEmulator, guild_id: int, coffee_id: int, meetings: int) -> list[str]:
    """Checks the emulator holds one thread per meeting, each with its intro and members."""
    guild = emu.world.guilds[guild_id]
    threads = [t for t in guild.threads if t.parent_id == coffee_id]
    problems = []
    if len(threads) != meetings:
        problems.append(f"{len(threads)} coffee threads, expected {meetings}")
    no_intro = sum(1 for t in threads if len(emu.bot_messages(t)) != 1)
    if no_intro:
        problems.append(f"{no_intro} threads without exactly one intro")
    members = sum(len(t.thread_members) - 1 for t in threads)  # less the bot itself
    expected = len(guild.members) - 2  # less the owner and the bot
    if members != expected:
        problems.append(f"{members} champions added to threads, expected {expected}")
    return problems


def db_meetings(db_path: Path) -> int:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM coffee_meetings WHERE announced_at IS NOT NULL"
        ).fetchone()
    return int(count)


async def run(args: argparse.Namespace) -> Result:
    meetings: int = args.meetings
    champions = 2 * meetings
    with tempfile.TemporaryDirectory(prefix="kindbot-announce-") as tmp:
        db_path = Path(tmp) / "kindbot.sqlite3"
        emu = DiscordEmulator(ack_deadline=None)
        emu.router.rate_limit.limit = args.route_limit
        samples: list[Sample] = []
        time_requests(emu, samples, args.global_limit)
        await emu.start()
        bot: BotProcess | None = None
        try:
            guild = emu.create_guild("Bench Town", owner="olive")
            owner = guild.members[guild.owner_id]
            coffee = emu.create_channel(guild, "coffee")
            coordinators = emu.create_channel(guild, "coordinators")
            built = time.monotonic()
            people = [emu.create_member(guild, f"champion-{i:04d}") for i in range(champions)]
            sizes = await seed(
                db_path,
                guild.id,
                {ChannelPurpose.COFFEE: coffee.id, ChannelPurpose.LOG: coordinators.id},
                people,
                CLOCK_START - timedelta(days=1),
            )
            print(
                f"world: {champions} members and champions in {time.monotonic() - built:.1f} s; "
                f"groups {sizes}",
                file=sys.stderr,
            )
            profile_path = Path(args.profile_bot or Path(tmp) / "bot.prof")
            profile_args: tuple[str, ...] = ()
            if args.profile_bot is not None:
                profile_args = ("-m", "cProfile", "-o", str(profile_path))
            bot = await start_bot(
                emu,
                db_path,
                within=120,
                interpreter_args=profile_args,
                KINDBOT_CLOCK_START=CLOCK_START.isoformat(),
            )
            await emu.wait_for_commands("coffee", within=30)

            samples.clear()
            mark = len(bot.lines)
            bot_cpu, emu_cpu = process_cpu(bot.pid), time.process_time()
            started = time.monotonic()
            handle = await emu.slash(guild, owner, "coffee run-now")
            line = await bot.wait_for_log(
                COMPLETION_LINE, within=args.timeout or 120 + meetings, after=mark
            )
            finished = time.monotonic()
            bot_cpu, emu_cpu = process_cpu(bot.pid) - bot_cpu, time.process_time() - emu_cpu
            await handle.final(within=30)

            result = Result(
                meetings=meetings,
                champions=champions,
                group_sizes=sizes,
                total=finished - started,
                pairing=0.0,
                announce=0.0,
                samples=list(samples),
                bot_cpu=bot_cpu,
                emu_cpu=emu_cpu,
                route_limit=emu.router.rate_limit.limit,
                route_window=emu.router.rate_limit.window,
                global_limit=args.global_limit,
            )
            first = min((s.start for s in result.announce_samples), default=finished)
            result.pairing = first - started
            result.announce = finished - first
            if f"announced {meetings} meetings" not in line:
                result.problems.append(f"completion line: {line!r}")
            result.problems += verify(emu, guild.id, coffee.id, meetings)
            stored = db_meetings(db_path)
            if stored != meetings:
                result.problems.append(f"{stored} meetings marked announced, expected {meetings}")

            code = await bot.stop(within=30)
            bad = [ln for ln in bot.lines if "Traceback" in ln or " ERROR " in ln]
            if code != 0 or bad or emu.unhandled:
                result.problems.append(
                    f"bot exit code {code}; errors: {bad[:3]}; unhandled: {emu.unhandled}"
                )
            if args.profile_bot is not None:
                print_profile(pstats.Stats(str(profile_path)), args.top)
            return result
        finally:
            if bot is not None:
                await bot.shutdown()
            await emu.stop()


def print_profile(stats: pstats.Stats, limit: int) -> None:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(limit)
    print("\n--- bot process profile (whole run, by own time) ---")
    print(out.getvalue().split("\n", 4)[-1].rstrip())


def report(result: Result) -> None:
    calls = result.announce_samples
    ok = [s for s in calls if s.status != 429]
    limited = [s for s in result.samples if s.status == 429]
    enforced = "emulator per-route buckets " + (
        f"and a global limit of {result.global_limit}/s" if result.global_limit else "only"
    )
    print(
        f"\nAnnouncing {result.meetings} meetings ({result.champions} champions in groups "
        f"{result.group_sizes}); limits enforced: {enforced}"
    )
    print(f"  command -> completion log    {result.total:8.2f} s")
    print(f"    pairing + storing round    {result.pairing:8.2f} s  (until the first thread)")
    print(f"    announcing                 {result.announce:8.2f} s")
    rate = len(ok) / result.announce if result.announce > 0 else 0.0
    print(f"  REST requests (announcing)   {len(ok):8d}   {rate:.1f} requests/s achieved")
    print(f"  429s served                  {len(limited):8d}")
    print(
        f"  CPU during the run           bot {result.bot_cpu:.2f} s, "
        f"emulator+bench {result.emu_cpu:.2f} s, of {result.total:.2f} s wall"
    )

    print("\nRequests by route (from the command to the completion line):")
    by_route: dict[str, list[Sample]] = defaultdict(list)
    for s in result.samples:
        by_route[s.route].append(s)
    print(f"  {'route':<56} {'count':>6} {'429s':>5} {'served p50 ms':>13} {'p99 ms':>7}")
    for route, group in sorted(by_route.items(), key=lambda kv: -len(kv[1])):
        served_ms = [s.served * 1000 for s in group]
        print(
            f"  {route:<56} {len(group):>6} {sum(1 for s in group if s.status == 429):>5} "
            f"{percentile(served_ms, 50):>13.2f} {percentile(served_ms, 99):>7.2f}"
        )
    statuses = Counter(s.status for s in result.samples)
    print(f"  statuses: {dict(sorted(statuses.items()))}")

    print("\nFloor from rate limits (requests / limit):")
    per_meeting = len(ok) / result.meetings if result.meetings else 0.0
    print(f"  {per_meeting:.2f} requests per meeting (thread + one add per member + intro)")
    here = 0.0
    discord_floor = 0.0
    for floor in floors(result):
        if floor.enforced:
            here = max(here, floor.seconds)
        if floor.name.startswith("Discord"):
            discord_floor = floor.seconds
        where = "enforced here" if floor.enforced else "not enforced here"
        print(
            f"  {floor.name:<26} {floor.requests:>5} req / {floor.limit:g} per "
            f"{floor.window:g} s = {floor.seconds:7.2f} s  [{where}; {floor.note}]"
        )
    print("  Discord's per-route limits are not published: no floor is claimed for them.")
    print(
        f"  measured announcing {result.announce:.2f} s = "
        f"{_ratio(result.announce, here)} the floor of the limits enforced here "
        f"({here:.2f} s), {_ratio(result.announce, discord_floor)} Discord's global floor"
    )

    served = sum(s.served for s in calls)
    spans = gaps(calls)
    waits = [v for values in spans.values() for v in values if v >= WAIT_THRESHOLD]
    between = sum(sum(v) for v in spans.values())
    print("\nWhere the announcing time went:")
    print(f"  emulator answering requests  {served:8.2f} s")
    print(
        f"  waits >= {WAIT_THRESHOLD * 1000:.0f} ms between calls  {sum(waits):8.2f} s  "
        f"({len(waits)} of them: discord.py waiting out a bucket or a 429)"
    )
    print(f"  other time between calls     {between - sum(waits):8.2f} s  (bot work + loopback)")
    print(f"  {'transition':<34} {'count':>6} {'p50 ms':>8} {'p90 ms':>8} {'total s':>8}")
    for name, values in sorted(spans.items(), key=lambda kv: -sum(kv[1])):
        ms = [v * 1000 for v in values]
        print(
            f"  {name:<34} {len(values):>6} {percentile(ms, 50):>8.2f} "
            f"{percentile(ms, 90):>8.2f} {sum(values):>8.2f}"
        )
    print(f"  most requests in flight at once: {max_in_flight(calls)} (1 = strictly sequential)")
    unthrottled = result.announce - sum(waits)
    if result.meetings and unthrottled > 0:
        print(
            f"  without the waits: {unthrottled / result.meetings * 1000:.1f} ms per meeting, "
            f"{len(ok) / unthrottled:.0f} requests/s"
        )

    if result.problems:
        print("\nPROBLEMS:")
        for problem in result.problems:
            print(f"  - {problem}")


def _ratio(measured: float, floor: float) -> str:
    return f"{measured / floor:.2f}x" if floor > 0 else "n/a"


def max_in_flight(samples: Sequence[Sample]) -> int:
    events = sorted([(s.start, 1) for s in samples] + [(s.end, -1) for s in samples])
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=500, help="meetings (2N champions)")
    parser.add_argument("--quick", action="store_true", help="a 50-meeting smoke run")
    parser.add_argument(
        "--route-limit",
        type=int,
        default=50,
        help="the emulator's per-bucket limit per second (default 50, its own default)",
    )
    parser.add_argument(
        "--global-limit",
        type=int,
        default=0,
        help="also enforce Discord's global limit at N requests/s (e.g. 50; default off)",
    )
    parser.add_argument("--timeout", type=float, default=0.0, help="seconds to wait for the end")
    parser.add_argument(
        "--profile-bot",
        nargs="?",
        const="",
        metavar="PATH",
        help="run the bot under cProfile (and keep the stats in PATH)",
    )
    parser.add_argument("--top", type=int, default=25, help="profile rows to print")
    args = parser.parse_args(argv)
    if args.quick:
        args.meetings = 50
    if not 1 <= args.meetings <= 2500:
        parser.error("--meetings must be between 1 and 2500")
    if args.profile_bot:
        args.profile_bot = str(Path(args.profile_bot).resolve())
    result = asyncio.run(run(args))
    report(result)
    if result.problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
