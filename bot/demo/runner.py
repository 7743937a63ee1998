"""``kindbot demo``: the real bot and a scripted community, offline, in under a minute.

A local emulator stands in for Discord. Champions from six groups join, switch on
"help us learn what works" and answer their first pulse, meet for coffee across
groups, record acts of kindness and reflect, and answer the next month's pulse a few
weeks on, over a few simulated weeks; the bot's clock is moved forward by restarting
it at each next moment (just as a real restart would catch up on what fell due). What
members would see is printed, and saved in full as ``transcript.txt`` beside the charts
and the impact report, whose pulse results show the first and the latest pulse side by
side. The story is seeded: two runs give the same figures.
"""

from __future__ import annotations

import asyncio
import csv
import random
import re
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.db.connection import describe
from bot.demo.process import BotProcess, bot_env
from bot.demo.scenario import Scenario, label
from bot.services.pulse import BASELINE, Question, load_pulse_content
from cogs.shared.display import shorten
from sandbox.emulator import DiscordEmulator
from sandbox.state import DISCORD_EPOCH_MS, Channel, Member, Message, SnowflakeFactory

START = datetime.fromisoformat("2026-11-25T12:00:00+00:00")  # a Wednesday
GROUPS = (
    "Health & care",
    "Justice",
    "Education",
    "Local government",
    "Community groups",
    "Voluntary sector",
)
FIRST_NAMES = (
    *("Ada", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ian", "Jo"),
    *("Kit", "Lee", "Mo", "Nia", "Oren", "Pia", "Quin", "Ravi", "Sam", "Tess"),
    *("Uma", "Vic", "Wyn", "Yara", "Zak", "Abi", "Bryn", "Cleo", "Dara", "Emi"),
)
ACTS = (
    "Walked a neighbour's dog while she was in hospital",
    "Stayed late to help a new colleague with the rota",
    "Brought soup to the community centre's lunch club",
    "Listened to a worried parent at the school gate",
    "Gave up my seat and had a lovely chat on the bus",
    "Helped a prison visitor find the right entrance",
    "Shared my allotment courgettes with the food bank",
    "Wrote a thank-you card to our cleaning team",
)
TRANSCRIPT_FILE = "transcript.txt"
REPORT_DIR = "report"
#: Everything a run writes; an earlier run's copies are removed first.
_OWN_FILES = ("digest-*.png", TRANSCRIPT_FILE)
_OWN_REPORT_FILES = (
    "report.html",
    "bridging.png",
    *("figures.csv", "acts.csv", "reflections.csv", "rounds.csv", "meetings.csv"),
)
#: Questions whose headline is an answer the community hopes to see less of.
FEWER_HOPED = frozenset({"lonely"})
#: The share of the demo's members in each question's headline, first and latest pulse:
#: a slight, plausible improvement (within a dozen members, every count stays at 5 or
#: more, so the report shows each figure).
HEADLINE_SHARE = (0.42, 0.54)
PULSE_CHANGE_FILE = "pulse_change.csv"
REFLECTIONS = (
    "Meeting someone from the council changed how I see our paperwork.",
    "I noticed how much a simple hello matters to people who feel invisible.",
    "We talked about trust, and I realised I had been assuming the worst.",
)


@dataclass
class Demo:
    """The state of one demo run: the emulator, the community and what was printed."""

    emu: DiscordEmulator
    scenario: Scenario
    channels: dict[str, Channel]
    workdir: Path
    echo: Callable[[str], None]
    members: list[tuple[Member, str]] = field(default_factory=list)
    bot: BotProcess | None = None
    now: datetime = START
    printed: int = 0
    answered: set[int] = field(default_factory=set)
    pulses_answered: set[int] = field(default_factory=set)
    transcript: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        return self.workdir / "kindbot.sqlite3"

    async def start_bot_at(self, when: datetime, *, waits_for: str | None = None) -> None:
        if self.bot is not None:
            await self.bot.stop()
        self.now = when
        env = bot_env(self.emu, self.db_path, KINDBOT_CLOCK_START=when.isoformat())
        self.bot = await BotProcess.start(env, cwd=self.workdir)
        await self.bot.wait_ready()
        if waits_for is not None:
            await self.bot.wait_for_log(waits_for)
            await self.settle()
        self.echo(f"\n── {when:%a %d %b, %H:%M} ──")
        self.transcript.append(f"── {when:%a %d %b %Y, %H:%M} ──\n")

    async def settle(self) -> None:
        """Let the bot finish what the last step started (its log goes quiet)."""
        assert self.bot is not None
        seen = -1
        while seen != len(self.bot.lines):
            seen = len(self.bot.lines)
            await _pause(0.3)

    def show_new_posts(self) -> None:
        for message in list(self.emu.world.messages.values()):
            if message.id <= self.printed or message.author is not self.emu.bot_user:
                continue
            self.printed = message.id
            if message.ephemeral or message.deleted:
                continue
            if not self.is_pulse(message):  # one line tells of each round of pulses
                text = re.sub(r"<@!?(\d+)>", self.name_of, summary(message))
                self.echo(f"  {self.where(message)} · kindbot: {text}")
            full = re.sub(r"<@!?(\d+)>", self.name_of, full_text(message))
            self.transcript.append(f"{self.where(message)}\n{full}\n")

    def is_pulse(self, message: Message) -> bool:
        return message.id in self.pulses_answered or any(
            c.startswith("kindbot:pulse:") for c in message.custom_ids
        )

    def name_of(self, match: re.Match[str]) -> str:
        user = self.emu.world.users.get(int(match.group(1)))
        return f"@{user.username}" if user else "@someone"

    def where(self, message: Message) -> str:
        found = self.emu.world.find_channel(message.channel_id)
        if found is None:
            return "?"
        channel, guild = found
        if guild is None:
            names = ", ".join(u.username for u in channel.recipients)
            return f"DM to {names}"
        if channel.is_thread:
            return f"🧵 {channel.name}"
        return f"#{channel.name}"

    def say(self, line: str) -> None:
        self.echo(f"  {line}")


class SeededSnowflakes(SnowflakeFactory):
    """Ids counted up from a fixed moment, so every run has the same server, members
    and ids, and therefore the same coffee pairs (the pairing seed uses them)."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self._base = (int(start.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22
        self._issued = 0
        self._guard = threading.Lock()

    def next(self) -> int:
        with self._guard:
            self._issued += 1
            return self._base + self._issued


class DemoOutputError(Exception):
    """The output folder cannot be used; the message is one line for a human."""


def prepare_output(out_dir: Path) -> None:
    """Make sure ``out_dir`` is a writable folder holding nothing from an earlier run."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DemoOutputError(f"{out_dir} is a file; give --out a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for pattern in _OWN_FILES:
            for old in out_dir.glob(pattern):
                old.unlink()
        report = out_dir / REPORT_DIR
        if report.exists() and not report.is_dir():
            raise DemoOutputError(f"{report} is a file; move it away or choose another --out")
        for name in _OWN_REPORT_FILES:
            (report / name).unlink(missing_ok=True)
        probe = out_dir / ".kindbot-demo-probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DemoOutputError(f"cannot write to {out_dir} ({describe(exc)})") from exc


def _prepare(out_dir: Path) -> Path:
    prepare_output(out_dir)
    return Path(tempfile.mkdtemp(prefix="kindbot-demo-"))


def summary(message: Message) -> str:
    parts = [message.content] if message.content else []
    for embed in message.embeds:
        parts.append(str(embed.get("title", "")))
    if message.attachments:
        parts.append(f"[{', '.join(a.filename for a in message.attachments)}]")
    return shorten(" · ".join(p for p in parts if p).replace("\n", " "), 160)


def full_text(message: Message) -> str:
    """Everything a member reads in a message: its text, each embed, its files."""
    parts = [message.content] if message.content else []
    for embed in message.embeds:
        for key in ("title", "description"):
            if embed.get(key):
                parts.append(str(embed[key]))
        for item in embed.get("fields", []):
            parts.append(f"{item.get('name', '')}: {item.get('value', '')}")
        if embed.get("footer", {}).get("text"):
            parts.append(str(embed["footer"]["text"]))
    if message.attachments:
        parts.append(f"[files: {', '.join(a.filename for a in message.attachments)}]")
    return "\n".join("  " + line for part in parts for line in part.splitlines())


def report_month(weeks: int) -> str:
    """The month most of the demo's activity falls in (acts are recorded on Mondays)."""
    months = Counter(_monday(week).strftime("%Y-%m") for week in range(weeks))
    return min(months, key=lambda m: (-months[m], m))


def _monday(week: int) -> datetime:
    return START + timedelta(days=5 + 7 * week, hours=-2, minutes=-55)  # Monday 09:05


async def _pause(seconds: float) -> None:
    await asyncio.sleep(seconds)


async def run_demo(
    out_dir: Path,
    *,
    weeks: int = 4,
    members: int = 24,
    echo: Callable[[str], None] = print,
    seed: int = 7,
) -> Path:
    """Run the scripted community and write its charts and report to ``out_dir``."""
    started = time.monotonic()
    rng = random.Random(seed)
    workdir = await asyncio.to_thread(_prepare, out_dir)
    emu = DiscordEmulator(ack_deadline=None)
    emu.ids = SeededSnowflakes(START)
    await emu.start()
    try:
        guild = emu.create_guild("Kindness Town", owner="olive")
        owner = guild.members[guild.owner_id]
        channels = {
            name: emu.create_channel(guild, name)
            for name in ("welcome", "coffee", "reflections", "digest", "coordinators")
        }
        demo = Demo(emu, Scenario(emu, guild, owner), channels, workdir, echo)
        echo("kindbot demo: a community of Kindness Champions, offline.")
        await demo.start_bot_at(START)
        await onboard(demo, members, rng)
        for week in range(weeks):
            await live_a_week(demo, week, rng, weeks - 1)
        if demo.bot is not None:
            await demo.bot.stop()
        written = await write_outputs(demo, out_dir, report_month(weeks))
        for line in pulse_summary(out_dir / REPORT_DIR / PULSE_CHANGE_FILE):
            demo.say(line)
        echo(f"\nWrote {len(written)} files to {out_dir} in {time.monotonic() - started:.1f} s.")
        return out_dir
    finally:
        await emu.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def onboard(demo: Demo, count: int, rng: random.Random) -> None:
    s = demo.scenario
    await s.configure(
        {
            "welcome": demo.channels["welcome"],
            "coffee": demo.channels["coffee"],
            "reflections": demo.channels["reflections"],
            "digest": demo.channels["digest"],
            "log": demo.channels["coordinators"],
        }
    )
    await s.command(s.owner, "setup welcome-post")
    await s.command(s.owner, "pulse frequency", frequency="monthly")
    demo.say(
        "Olive, a coordinator, sets kindbot up, posts the welcome button and asks for a "
        "monthly pulse."
    )
    for index in range(count):
        name = FIRST_NAMES[index % len(FIRST_NAMES)]
        group = GROUPS[index % len(GROUPS)]
        member = demo.emu.create_member(s.guild, name.lower(), nick=name)
        await s.join(
            member,
            group,
            coffee=True,
            digest=index % 2 == 0,
            pulse=True,
            intro=f"Hi, I'm {name} from {group.lower()}.",
        )
        # The first pulse comes right after joining; waiting for it keeps the story in order.
        await demo.emu.wait_for_message(
            member, lambda m: is_pulse_of(m, s.guild.id, BASELINE), within=10
        )
        demo.members.append((member, group))
    named = sum(1 for i in range(count) if i % 2 == 0)
    demo.say(
        f"{count} people join as champions in {len(GROUPS)} groups; {named} agree to be named."
    )
    answered = await answer_pulses(demo, BASELINE)
    demo.say(
        f'{answered} of them switch on "help us learn what works" and answer their first '
        "pulse, one tap per question."
    )
    demo.show_new_posts()


async def live_a_week(demo: Demo, week: int, rng: random.Random, last_week: int) -> None:
    monday = _monday(week)
    await demo.start_bot_at(monday, waits_for="Coffee round")
    demo.show_new_posts()
    s = demo.scenario
    for member, _ in rng.sample(demo.members, k=max(3, len(demo.members) // 3)):
        visibility = rng.choice(
            ["kindness.visibility_shareable"] * 3 + ["kindness.visibility_private"]
        )
        confirmation = await s.log_act(
            member, rng.choice(ACTS), condition=f"{rng.randint(1, 10)}.", visibility=visibility
        )
        if rng.random() < 0.6:  # most say which group the act helped
            await s.say_who_benefited(confirmation, member, rng.choice(GROUPS))
    for member, _ in rng.sample(demo.members, k=max(2, len(demo.members) // 4)):
        await s.reflect(member, rng.choice(REFLECTIONS))
    demo.say(
        "Champions record acts of kindness (most say which group they helped) and write "
        "reflections during the week."
    )

    await demo.start_bot_at(monday + timedelta(days=4, hours=7), waits_for="Ran digest")
    demo.show_new_posts()
    await demo.start_bot_at(monday + timedelta(days=5, hours=1), waits_for="Ran coffee-checkin")
    answered = await answer_checkins(demo, rng)
    demo.say(f'{answered} champions answer "Did you meet?"')
    if week == last_week:
        later = await answer_pulses(demo, None)
        if later:
            demo.say(f"{later} champions answer the next month's pulse by DM.")
    demo.show_new_posts()


def pulse_choices(
    questions: tuple[Question, ...], position: int, count: int, *, first: bool
) -> list[int]:
    """What the demo member at ``position`` (of ``count``) answers, question by question.

    The same members lean the same way each time, and a few more give the hoped-for
    answer in the later pulse; the seeded story makes every run answer the same.
    """
    share = HEADLINE_SHARE[0] if first else HEADLINE_SHARE[1]
    choices = []
    for number, question in enumerate(questions):
        inside = sorted(question.headline)
        outside = [i for i in range(len(question.options)) if i not in question.headline]
        hoped = round(count * share)
        headline_count = count - hoped if question.key in FEWER_HOPED else hoped
        rank = (position + 5 * number) % count
        if question.key in FEWER_HOPED:
            in_headline = rank >= count - headline_count
        else:
            in_headline = rank < headline_count
        options = inside if in_headline else outside
        choices.append(options[(position + number) % len(options)])
    return choices


def is_pulse_of(message: Message, guild_id: int, period: str | None) -> bool:
    """A pulse DM of ``period`` (None: any pulse after the baseline) still to answer."""
    for custom_id in message.custom_ids:
        parts = custom_id.split(":")
        if len(parts) == 5 and parts[:3] == ["kindbot", "pulse", str(guild_id)]:
            return parts[3] == period if period is not None else parts[3] != BASELINE
    return False


async def answer_pulses(demo: Demo, period: str | None) -> int:
    """Every member answers their newest pulse DM of ``period`` (None: a later one)."""
    guild_id = demo.scenario.guild.id
    questions = load_pulse_content().questions
    answered = 0
    for position, (member, _) in enumerate(demo.members):
        waiting = [
            m
            for m in demo.emu.dms_to(member)
            if m.id not in demo.pulses_answered and is_pulse_of(m, guild_id, period)
        ]
        if not waiting:
            continue
        message = waiting[-1]
        demo.pulses_answered.add(message.id)
        choices = pulse_choices(questions, position, len(demo.members), first=period == BASELINE)
        await demo.scenario.answer_pulse(message, member, choices)
        answered += 1
    return answered


async def answer_checkins(demo: Demo, rng: random.Random) -> int:
    answered = 0
    by_id = {m.user.id: m for m, _ in demo.members}
    for thread in demo.scenario.guild.threads:
        checkins = [m for m in demo.emu.bot_messages(thread) if m.custom_ids]
        if not checkins or any("checkin" not in c for c in checkins[-1].custom_ids):
            continue
        message = checkins[-1]
        if message.id in demo.answered:
            continue
        demo.answered.add(message.id)
        for user_id in list(thread.thread_members):
            member = by_id.get(user_id)
            if member is None:
                continue
            answer = rng.choices(["checkin_yes", "checkin_not_yet", "checkin_cant"], [8, 1, 1])[0]
            button = message.custom_id_for(label(f"coffee.{answer}"))
            await demo.emu.click(message, button, by=member)
            answered += 1
    return answered


def pulse_summary(path: Path) -> list[str]:
    """The report's before-and-after for all cohorts, as lines to print."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))[1:]
    lines = []
    seen: set[str] = set()
    for row in rows:
        question, members, before, after = row[0], row[2], row[3], row[6]
        if question in seen:
            continue  # each question's first line is for all cohorts together
        seen.add(question)
        if before and after and members.isdigit():
            lines.append(
                f"Pulse, first and latest ({members} members): {question}: {before}% → {after}%"
            )
    return lines


async def write_outputs(demo: Demo, out_dir: Path, month: str) -> list[Path]:
    written: list[Path] = []
    for message in demo.emu.bot_messages(demo.channels["digest"]):
        for attachment in message.attachments:
            if attachment.filename.endswith(".png"):
                target = out_dir / f"digest-{len(written) + 1}.png"
                target.write_bytes(attachment.data)
                written.append(target)
    transcript = out_dir / TRANSCRIPT_FILE
    transcript.write_text("\n".join(demo.transcript), encoding="utf-8")
    written.append(transcript)
    written.extend(await write_report(demo, out_dir, month))
    return written


async def write_report(demo: Demo, out_dir: Path, month: str) -> list[Path]:
    """The bridging heatmap and the impact report for ``month``, from the demo's database."""
    from bot.cli.report import write_report_outputs

    report_dir = out_dir / REPORT_DIR
    return await write_report_outputs(
        demo.db_path, demo.scenario.guild.id, month, report_dir, now=demo.now
    )
