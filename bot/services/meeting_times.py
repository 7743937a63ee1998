"""Finding a time to meet: offer a handful of slots, let members tick, agree on one.

Pure and deterministic. Every member has usual hours in their own timezone
(weekdays 08:00-18:00 unless they say otherwise). Slots start on the hour or half
hour, within the next week, spread over different days and times of day, and
inside every member's usual hours where that is possible. When it is not, the
slots that suit the most members are offered instead and the offer says so.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.problems import UserFacingError

MIN_SLOTS = 6
MAX_SLOTS = 10
DEFAULT_SLOTS = 8
DEFAULT_DURATION = timedelta(minutes=60)
#: Slots start at least this long after the offer, so there is time to answer.
DEFAULT_LEAD = timedelta(hours=12)
HORIZON = timedelta(days=7)
STEP = timedelta(minutes=30)
REMINDER_BEFORE = timedelta(hours=1)
FAR_APART_HOURS = 8
WEEKDAYS = frozenset(range(5))
DEFAULT_START = time(8, 0)
DEFAULT_END = time(18, 0)
#: Where in a day's free window the first slot of each day goes, day after day, so
#: the offer mixes mornings, middays and afternoons.
_DAY_POSITIONS = (0.5, 0.15, 0.85, 0.35, 0.65)


class HoursError(UserFacingError):
    """Usual hours that cannot be used; ``key`` names the message in programmes.toml."""


@dataclass(frozen=True)
class UsualHours:
    """When a member is usually free: some weekdays (0 = Monday), between two local times.

    ``end`` may be midnight (``time(0)``) to mean the end of the day.
    """

    timezone: str = "UTC"
    days: frozenset[int] = WEEKDAYS
    start: time = DEFAULT_START
    end: time = DEFAULT_END

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError("programmes.unknown_timezone", timezone=self.timezone) from None
        if not self.days or not self.days <= frozenset(range(7)):
            raise HoursError("programmes.hours_days")
        if self.start.minute % 30 or self.end.minute % 30:
            raise HoursError("programmes.hours_half_hours")
        if self.end_minute <= self.start_minute:
            raise HoursError("programmes.hours_order")

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        minutes = self.end.hour * 60 + self.end.minute
        return 1440 if minutes == 0 else minutes

    def fits(self, start: datetime, duration: timedelta) -> bool:
        """True when the whole meeting lies inside these hours on one local day."""
        local = start.astimezone(ZoneInfo(self.timezone))
        if local.weekday() not in self.days:
            return False
        begin = local.hour * 60 + local.minute
        end = begin + duration.total_seconds() / 60
        return self.start_minute <= begin and end <= self.end_minute


@dataclass(frozen=True)
class SlotOffer:
    """The slots offered, in time order, and how many members each one suits."""

    slots: tuple[datetime, ...]
    free_counts: tuple[int, ...]
    members: int
    duration: timedelta = DEFAULT_DURATION

    @property
    def everyone_free(self) -> bool:
        """True when every slot lies inside every member's usual hours."""
        return all(count == self.members for count in self.free_counts)


def offer_slots(
    members: Sequence[UsualHours],
    now: datetime,
    *,
    count: int = DEFAULT_SLOTS,
    duration: timedelta = DEFAULT_DURATION,
    lead: timedelta = DEFAULT_LEAD,
    calendar_timezone: str = "UTC",
) -> SlotOffer:
    """Choose ``count`` (6 to 10) slots over the week after ``now``.

    ``calendar_timezone`` decides what "different days" means (the server's clock).
    """
    if not MIN_SLOTS <= count <= MAX_SLOTS:
        raise ValueError(f"offer between {MIN_SLOTS} and {MAX_SLOTS} slots")
    if not members:
        raise ValueError("a meeting has members")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    zone = ZoneInfo(calendar_timezone)
    candidates = list(_candidates(now.astimezone(UTC) + lead, now.astimezone(UTC) + HORIZON))
    scores = {slot: sum(m.fits(slot, duration) for m in members) for slot in candidates}
    chosen: list[datetime] = []
    for score in sorted(set(scores.values()), reverse=True):
        tier = [slot for slot in candidates if scores[slot] == score]
        _spread(tier, chosen, count, zone)
        if len(chosen) >= count:
            break
    chosen.sort()
    return SlotOffer(tuple(chosen), tuple(scores[s] for s in chosen), len(members), duration)


def _candidates(start: datetime, end: datetime) -> Iterable[datetime]:
    """Every :00 and :30 start from ``start`` up to ``end`` (UTC)."""
    first = start.replace(second=0, microsecond=0)
    extra = first.minute % 30
    if extra or first < start:
        first += timedelta(minutes=30 - extra)
    slot = first
    while slot <= end:
        yield slot
        slot += STEP


def _spread(tier: list[datetime], chosen: list[datetime], count: int, zone: ZoneInfo) -> None:
    """Add slots from ``tier`` to ``chosen``: one per day in turn, far from earlier picks."""
    by_day: dict[date, list[datetime]] = {}
    for slot in tier:
        by_day.setdefault(slot.astimezone(zone).date(), []).append(slot)
    days = sorted(by_day)
    while len(chosen) < count and any(by_day[d] for d in days):
        for index, day in enumerate(days):
            if len(chosen) >= count:
                return
            left = by_day[day]
            if not left:
                continue
            pick = _pick(left, [c for c in chosen if c.astimezone(zone).date() == day], index)
            left.remove(pick)
            chosen.append(pick)


def _pick(left: list[datetime], same_day: list[datetime], day_index: int) -> datetime:
    if not same_day:
        position = _DAY_POSITIONS[day_index % len(_DAY_POSITIONS)]
        return left[round(position * (len(left) - 1))]
    # Farthest from what this day already offers; the earlier one on a tie.
    return max(
        left, key=lambda s: (min(abs((s - c).total_seconds()) for c in same_day), -s.timestamp())
    )


def discord_timestamp(when: datetime, style: str = "F") -> str:
    """``<t:UNIX:F>``: Discord shows it in each reader's own timezone."""
    return f"<t:{int(when.timestamp())}:{style}>"


def agreed_slot(
    slots: Sequence[datetime], ticks: Mapping[int, Collection[datetime]], members: Iterable[int]
) -> datetime | None:
    """The earliest slot that every member ticked, or None while there is none."""
    people = list(members)
    if not people:
        return None
    for slot in sorted(slots):
        if all(slot in ticks.get(person, ()) for person in people):
            return slot
    return None


def reminder_at(agreed: datetime) -> datetime:
    return agreed - REMINDER_BEFORE


def hours_apart(timezones: Iterable[str], at: datetime) -> float:
    """How far apart the members' clocks are at ``at``, in hours (0 for one timezone)."""
    offsets = []
    for name in timezones:
        offset = at.astimezone(ZoneInfo(name)).utcoffset()
        assert offset is not None
        offsets.append(offset.total_seconds() / 3600)
    return max(offsets) - min(offsets) if offsets else 0.0


def far_apart(timezones: Iterable[str], at: datetime) -> bool:
    """True when the members are more than eight hours apart: finding a time needs care."""
    return hours_apart(timezones, at) > FAR_APART_HOURS
