"""Report periods: a month, a quarter, a year or any two dates, in the server's time.

A period that has not finished is counted up to now and labelled "to date" with its
real end date; a period that has not started is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.problems import UserFacingError
from bot.repos.analytics import Window
from bot.services.pulse import PulseContent


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True)
class Period:
    """Whole local days from ``first`` to ``last``, both included."""

    kind: PeriodKind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise UserFacingError("pulse.period_order")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(PeriodKind.MONTH, first, _next_month(first) - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError("a quarter is 1 to 4")
        first = date(year, 3 * quarter - 2, 1)
        last = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(PeriodKind.QUARTER, first, last if quarter == 4 else last - timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        return cls(PeriodKind.RANGE, first, last)


@dataclass(frozen=True)
class ResolvedPeriod:
    """A period placed in time: ``window`` ends now when the period is not over, and
    ``end`` is then today's date (the real last day counted)."""

    period: Period
    timezone: str
    window: Window
    to_date: bool
    end: date


def local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone))


def resolve_period(period: Period, now: datetime, timezone: str) -> ResolvedPeriod:
    """Place ``period`` in the server's time; UserFacingError for a future period."""
    start = local_midnight(period.first, timezone)
    stop = local_midnight(period.last + timedelta(days=1), timezone)
    if start > now:
        raise UserFacingError("pulse.period_future")
    if stop > now:
        today = now.astimezone(ZoneInfo(timezone)).date()
        return ResolvedPeriod(period, timezone, Window(start, now), True, today)
    return ResolvedPeriod(period, timezone, Window(start, stop), False, period.last)


def month_edges(first: date, window: Window, timezone: str) -> list[tuple[str, datetime, datetime]]:
    """Calendar months from ``first``'s month through the window's end, each clipped to
    end at the window's end: ``(YYYY-MM, since, until)``."""
    edges: list[tuple[str, datetime, datetime]] = []
    month = first.replace(day=1)
    while True:
        since = local_midnight(month, timezone)
        if since >= window.until:
            break
        until = min(local_midnight(_next_month(month), timezone), window.until)
        edges.append((f"{month.year:04d}-{month.month:02d}", since, until))
        month = _next_month(month)
    return edges


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_label(resolved: ResolvedPeriod, content: PulseContent) -> str:
    """ "November 2026 (1 November 2026 to 30 November 2026)", or "…, to date (…)"."""
    texts = content.figures
    period = resolved.period
    start, end = format_day(period.first), format_day(resolved.end)
    if period.kind is PeriodKind.MONTH:
        label = texts("figure.period_month", month=f"{period.first:%B %Y}")
    elif period.kind is PeriodKind.QUARTER:
        quarter = (period.first.month - 1) // 3 + 1
        label = texts("figure.period_quarter", quarter=f"{period.first.year}-Q{quarter}")
    elif period.kind is PeriodKind.YEAR:
        label = texts("figure.period_year", year=period.first.year)
    else:
        label = texts("figure.period_range", start=start, end=format_day(period.last))
    key = "figure.to_date" if resolved.to_date else "figure.complete"
    return texts(key, label=label, start=start, end=end)


_PERIOD_TEXT = re.compile(r"^(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])))?$")


def parse_period(text: str) -> Period:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year); ValueError if not."""
    found = _PERIOD_TEXT.match(text.strip())
    if found is None:
        raise ValueError(f"'{text[:20]}' is not a period like 2026-11, 2026-Q4 or 2026")
    year = int(found.group(1))
    if found.group(2) is not None:
        month = int(found.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"'{text[:20]}' is not a month that exists")
        return Period.month(year, month)
    if found.group(3) is not None:
        return Period.quarter(year, int(found.group(3)))
    return Period.year(year)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text[:20]}' is not a date like 2026-11-01") from None
