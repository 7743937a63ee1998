"""When a programme's rounds fall due: every 1 to 4 weeks, or monthly on the nth weekday.

Pure: no clock, no database. Local dates and times are turned into instants with
zoneinfo, so a round set for 09:00 stays at 09:00 on the server's clock across DST
changes. A local time that does not exist on a spring-forward day is read with the
offset before the change (PEP 495's ``fold=0``), so it lands an hour later.

Each occurrence belongs to one period, its key stored with the round:
``2026-W49`` (the ISO week, local calendar) for weekly kinds, ``2026-12`` for monthly.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.problems import UserFacingError
from bot.timeutil import iso_week_key

EVERY_WEEKS = range(1, 5)
#: 1 = first … 4 = fourth; -1 = the last one of the month.
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)
LAST = -1


class RhythmKind(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class RhythmError(UserFacingError):
    """A rhythm that cannot be used; ``key`` names the message in programmes.toml."""


@dataclass(frozen=True)
class Rhythm:
    """How often a programme meets, on which day and at what local time.

    ``anchor`` is the date the programme starts counting from: no occurrence falls
    before it, and a two-weekly programme's on-weeks are those an even number of
    weeks after the anchor's week.
    """

    kind: RhythmKind
    day_of_week: int  # 0 = Monday
    hour: int
    minute: int
    timezone: str
    anchor: date
    every_weeks: int = 1
    week_of_month: int | None = None

    def __post_init__(self) -> None:
        if self.kind is RhythmKind.WEEKLY and self.every_weeks not in EVERY_WEEKS:
            raise RhythmError("programmes.every_weeks_range")
        if self.kind is RhythmKind.MONTHLY and self.week_of_month not in WEEKS_OF_MONTH:
            raise RhythmError("programmes.week_of_month_range")
        if not 0 <= self.day_of_week <= 6:
            raise RhythmError("programmes.day_range")
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59):
            raise RhythmError("programmes.time_range")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise RhythmError("programmes.unknown_timezone", timezone=self.timezone) from None

    @classmethod
    def weekly(
        cls,
        every_weeks: int,
        day_of_week: int,
        at: time,
        timezone: str,
        anchor: date,
    ) -> Rhythm:
        return cls(
            RhythmKind.WEEKLY, day_of_week, at.hour, at.minute, timezone, anchor, every_weeks
        )

    @classmethod
    def monthly(
        cls, week_of_month: int, day_of_week: int, at: time, timezone: str, anchor: date
    ) -> Rhythm:
        return cls(
            RhythmKind.MONTHLY,
            day_of_week,
            at.hour,
            at.minute,
            timezone,
            anchor,
            every_weeks=1,
            week_of_month=week_of_month,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # Occurrences

    def next_due(self, after: datetime) -> datetime:
        """The first occurrence strictly after ``after`` (an aware datetime), in UTC."""
        _check_aware(after)
        local_day = max(after.astimezone(self.zone).date(), self.anchor)
        for day in self._dates_from(local_day):
            when = self._at(day)
            if when > after:
                return when
        raise AssertionError("unreachable: the dates never run out")  # pragma: no cover

    def latest_due(self, now: datetime, lookback: timedelta) -> datetime | None:
        """The last occurrence at or before ``now``, at most ``lookback`` ago, or None."""
        _check_aware(now)
        start = now - lookback
        found: datetime | None = None
        when = self.next_due(start - timedelta(microseconds=1))
        while when <= now:
            found = when
            when = self.next_due(when)
        return found

    def occurrences(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every occurrence with ``start < occurrence <= end``, in order."""
        when = self.next_due(start)
        while when <= end:
            yield when
            when = self.next_due(when)

    def period_key(self, occurrence: datetime) -> str:
        """The period an occurrence belongs to, in the programme's local calendar."""
        local = occurrence.astimezone(self.zone).date()
        if self.kind is RhythmKind.MONTHLY:
            return f"{local.year:04d}-{local.month:02d}"
        return iso_week_key(local)

    def is_occurrence_day(self, day: date) -> bool:
        """True when the programme meets on this local date."""
        if day < self.anchor or day.weekday() != self.day_of_week:
            return False
        if self.kind is RhythmKind.MONTHLY:
            return day == self._monthly_date(day.year, day.month)
        return self._weeks_from_anchor(day) % self.every_weeks == 0

    # Internals

    def _at(self, day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, self.hour, self.minute, tzinfo=self.zone)
        return local.astimezone(UTC)

    def _dates_from(self, day: date) -> Iterator[date]:
        """Occurrence dates on or after ``day``, in order (never fewer than needed)."""
        if self.kind is RhythmKind.MONTHLY:
            year, month = day.year, day.month
            while True:
                candidate = self._monthly_date(year, month)
                if candidate >= day and candidate >= self.anchor:
                    yield candidate
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        first = day + timedelta(days=(self.day_of_week - day.weekday()) % 7)
        offset = self._weeks_from_anchor(first) % self.every_weeks
        if offset:
            first += timedelta(weeks=self.every_weeks - offset)
        while True:
            yield first
            first += timedelta(weeks=self.every_weeks)

    def _weeks_from_anchor(self, day: date) -> int:
        anchor_monday = self.anchor - timedelta(days=self.anchor.weekday())
        day_monday = day - timedelta(days=day.weekday())
        return (day_monday - anchor_monday).days // 7

    def _monthly_date(self, year: int, month: int) -> date:
        assert self.week_of_month is not None
        return nth_weekday(year, month, self.day_of_week, self.week_of_month)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (0 = Monday) of a month; ``n = -1`` is the last one."""
    if n == LAST:
        last_day = calendar.monthrange(year, month)[1]
        end = date(year, month, last_day)
        return end - timedelta(days=(end.weekday() - weekday) % 7)
    if n not in (1, 2, 3, 4):
        raise ValueError("n must be 1 to 4, or -1 for the last")
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7, weeks=n - 1)


def _check_aware(when: datetime) -> None:
    if when.tzinfo is None:
        raise ValueError("rhythms work with aware datetimes only")
