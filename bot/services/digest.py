"""The weekly digest as plain data: what the community did this week, and what is next.

The digest is built from counts and from shareable items only. A highlight names
its author (by user id, for the Discord side to mention) only when the author
agreed to be named in digests and is still an active champion; otherwise it
carries just the group the item was written from.

Definitions:

* A week is an ISO week (``2026-W48``) in the guild's timezone, Monday 00:00 to
  the next Monday 00:00.
* ``trend`` holds the acts logged in the eight weeks ending with this one, oldest
  first.
* Coffee figures for the week come from the week's own round: its meetings and,
  of all two-person pairs inside them (a trio holds three), the share whose
  members came from different groups.
* The share who met comes from the newest round up to this week whose check-in
  time has already passed (usually last week's round, since this week's check-in
  is still open when the digest goes out): meetings where at least one member
  answered "yes" out of all that round's meetings. Unanswered meetings count as
  not met, so the share is a floor.
* A week is *quiet* when nobody logged an act, wrote a reflection or joined.
  Coffee rounds alone do not make a week busy, because the bot makes them.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.clock import Clock
from bot.repos.analytics import AnalyticsRepo, RoundFigures, SharedItem, Window
from bot.scheduler.timing import period_key_for
from bot.services.prompts import PromptService
from bot.timeutil import iso_week_key, local_midnight

log = logging.getLogger(__name__)

TREND_WEEKS = 8
HIGHLIGHT_COUNT = 3
HIGHLIGHT_LIMIT = 200
HIGHLIGHT_POOL = 25
ELLIPSIS = "…"

_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


class UnknownGuildError(LookupError):
    """The guild has never been set up in this database."""


@dataclass(frozen=True)
class WeekCount:
    period_key: str
    count: int


@dataclass(frozen=True)
class ConditionCount:
    """Acts for one condition; ``number`` None counts acts not linked to any."""

    number: int | None
    title: str | None
    count: int


@dataclass(frozen=True)
class GroupCount:
    """Champions in one group; ``group_id`` None counts those without a current group."""

    group_id: int | None
    name: str | None
    count: int


@dataclass(frozen=True)
class CoffeeWeek:
    round_period: str | None  # the week's round, None when no round was made
    meetings: int
    pairs: int
    cross_group_pairs: int
    met_round_period: str | None  # the round the share who met is about
    met_meetings: int
    checked_meetings: int

    @property
    def cross_group_share(self) -> float | None:
        """Cross-group pairs out of all pairs, 0–1; None without pairs."""
        return self.cross_group_pairs / self.pairs if self.pairs else None

    @property
    def met_share(self) -> float | None:
        """Meetings with a "yes" out of the checked round's meetings, 0–1."""
        return self.met_meetings / self.checked_meetings if self.checked_meetings else None


@dataclass(frozen=True)
class Highlight:
    """A shareable act or reflection, cut to a safe length.

    ``author_id`` is set only with the author's consent; otherwise credit the
    item to "a champion from ``group_name``" (or just "a champion").
    ``text`` is the member's own words: escape it before posting.
    """

    kind: str  # "act" or "reflection"
    text: str
    author_id: int | None
    group_name: str | None
    condition_number: int | None
    created_at: datetime


@dataclass(frozen=True)
class NextCondition:
    number: int
    title: str


@dataclass(frozen=True)
class Digest:
    guild_id: int
    period_key: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC, exclusive
    acts: int
    trend: tuple[WeekCount, ...]
    conditions: tuple[ConditionCount, ...]
    coffee: CoffeeWeek
    new_champions: tuple[GroupCount, ...]
    reflections: int
    reflections_shareable: int
    highlights: tuple[Highlight, ...]
    next_condition: NextCondition
    quiet: bool

    @property
    def new_champions_total(self) -> int:
        return sum(g.count for g in self.new_champions)


# Weeks


def parse_week_key(period_key: str) -> date:
    """The Monday of an ISO week key such as ``2026-W48``; ValueError if malformed."""
    match = _WEEK_KEY.match(period_key)
    if not match:
        raise ValueError(f"'{period_key}' is not a week like 2026-W48")
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise ValueError(f"'{period_key}' is not a week that exists") from None


def week_window(monday: date, timezone: str) -> Window:
    """Monday 00:00 to the next Monday 00:00, local time (DST-aware)."""
    return Window(
        local_midnight(monday, timezone), local_midnight(monday + timedelta(days=7), timezone)
    )


# Text


def cut_text(text: str, limit: int = HIGHLIGHT_LIMIT) -> str:
    """Whitespace collapsed, and cut at a word boundary with an ellipsis if too long."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[: limit - len(ELLIPSIS) + 1]
    space = head.rfind(" ")
    head = head[:space] if space >= limit // 2 else head[: limit - len(ELLIPSIS)]
    return head.rstrip(" ,;:.-–—") + ELLIPSIS


def choose_highlights(
    acts: list[SharedItem], reflections: list[SharedItem], count: int, *salt: object
) -> list[SharedItem]:
    """A seeded, repeatable pick: a reflection if there is one, then acts, one per author."""
    rng = random.Random(hashlib.sha256(":".join(map(str, salt)).encode()).digest())
    acts_pool, reflections_pool = list(acts), list(reflections)
    rng.shuffle(acts_pool)
    rng.shuffle(reflections_pool)
    ordered = reflections_pool[:1] + acts_pool + reflections_pool[1:]
    chosen: list[SharedItem] = []
    authors: set[int] = set()
    for item in ordered:
        if item.user_id in authors:
            continue
        chosen.append(item)
        authors.add(item.user_id)
        if len(chosen) == count:
            break
    return sorted(chosen, key=lambda i: (i.created_at, i.kind, i.item_id))


class DigestService:
    def __init__(self, analytics: AnalyticsRepo, prompts: PromptService, clock: Clock) -> None:
        self._analytics = analytics
        self._prompts = prompts
        self._clock = clock

    async def timezone(self, guild_id: int) -> str:
        timezone = await self._analytics.guild_timezone(guild_id)
        if timezone is None:
            raise UnknownGuildError(f"guild {guild_id} is not set up")
        return timezone

    async def build(self, guild_id: int, period_key: str | None = None) -> Digest:
        """The digest for a week (the current week in the guild's timezone by default)."""
        timezone = await self.timezone(guild_id)
        now = self._clock.now()
        key = period_key or period_key_for(now, timezone)
        monday = parse_week_key(key)
        window = week_window(monday, timezone)
        groups = await self._analytics.group_names(guild_id)

        mondays = [monday - timedelta(weeks=n) for n in range(TREND_WEEKS - 1, -1, -1)]
        bounds = [local_midnight(d, timezone) for d in mondays] + [window.until]
        counts = await self._analytics.act_counts(guild_id, bounds)
        trend = tuple(WeekCount(iso_week_key(d), c) for d, c in zip(mondays, counts, strict=True))

        by_condition = await self._analytics.acts_by_condition(guild_id, window)
        reflections, shareable = await self._analytics.reflection_counts_for_week(guild_id, key)
        new = await self._analytics.new_champions_by_group(guild_id, window)
        new_champions = group_counts(new, groups)
        coffee = await self._coffee(guild_id, key, now)
        highlights = await self._highlights(guild_id, key, window, groups)
        upcoming = await self._prompts.next_condition(guild_id, key)
        acts = trend[-1].count
        digest = Digest(
            guild_id=guild_id,
            period_key=key,
            starts_at=window.since.astimezone(UTC),
            ends_at=window.until.astimezone(UTC),
            acts=acts,
            trend=trend,
            conditions=self.condition_counts(by_condition),
            coffee=coffee,
            new_champions=new_champions,
            reflections=reflections,
            reflections_shareable=shareable,
            highlights=tuple(highlights),
            next_condition=NextCondition(upcoming.number, upcoming.title),
            quiet=acts == 0 and reflections == 0 and not any(g.count for g in new_champions),
        )
        log.debug("Built the digest for guild %s, week %s", guild_id, key)
        return digest

    def condition_counts(self, counts: dict[int | None, int]) -> tuple[ConditionCount, ...]:
        """Every condition in order (zeros included), then unlinked acts if any."""
        result = [
            ConditionCount(c.number, c.title, counts.get(c.number, 0))
            for c in self._prompts.content.conditions
        ]
        if counts.get(None):
            result.append(ConditionCount(None, None, counts[None]))
        return tuple(result)

    async def _coffee(self, guild_id: int, key: str, now: datetime) -> CoffeeWeek:
        this_round = await self._analytics.round_for_week(guild_id, key)
        checked = await self._analytics.latest_checked_round(guild_id, key, now)
        empty = RoundFigures(0, "", now, now, None, 0, 0, 0, 0, 0, 0, 0)
        made, met = this_round or empty, checked or empty
        return CoffeeWeek(
            round_period=this_round.period_key if this_round else None,
            meetings=made.meetings,
            pairs=made.pairs,
            cross_group_pairs=made.cross_group_pairs,
            met_round_period=checked.period_key if checked else None,
            met_meetings=met.met,
            checked_meetings=met.meetings,
        )

    async def _highlights(
        self, guild_id: int, key: str, window: Window, groups: dict[int, str]
    ) -> list[Highlight]:
        acts = await self._analytics.shareable_acts(guild_id, window, HIGHLIGHT_POOL)
        reflections = await self._analytics.shareable_reflections_for_week(
            guild_id, key, HIGHLIGHT_POOL
        )
        chosen = choose_highlights(acts, reflections, HIGHLIGHT_COUNT, guild_id, key)
        return [
            Highlight(
                kind=item.kind,
                text=cut_text(item.text),
                author_id=item.user_id if item.name_ok else None,
                group_name=groups.get(item.group_id) if item.group_id is not None else None,
                condition_number=item.condition_number,
                created_at=item.created_at,
            )
            for item in chosen
        ]


def group_counts(counts: dict[int | None, int], groups: dict[int, str]) -> tuple[GroupCount, ...]:
    """Every current group in order (zeros included), then the rest if any.

    Champions whose group was removed are counted with ``group_id`` None.
    """
    result = [GroupCount(gid, name, counts.get(gid, 0)) for gid, name in groups.items()]
    orphans = sum(n for gid, n in counts.items() if gid is None or gid not in groups)
    if orphans:
        result.append(GroupCount(None, None, orphans))
    return tuple(result)
