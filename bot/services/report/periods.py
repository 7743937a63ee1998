"""Calendar months in a server's timezone: parsing, the month before, and their windows."""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.problems import UserFacingError
from bot.repos.analytics import Window
from bot.timeutil import local_midnight

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class FutureMonthError(UserFacingError):
    """The month has not started yet, so there is nothing true to report about it."""

    def __init__(self, year: int, month: int) -> None:
        label = month_label(year, month)
        super().__init__("digest.month_future", month=label)
        self.label = label

    def __str__(self) -> str:
        return f"{self.label} has not started yet; choose this month or an earlier one"


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def parse_month(text: str) -> tuple[int, int]:
    """``2026-11`` → (2026, 11); ValueError with a readable reason otherwise."""
    match = _MONTH.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a month like 2026-11")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise ValueError(f"'{text}' is not a month that exists")
    return year, month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_window(year: int, month: int, timezone: str) -> Window:
    """The first of the month 00:00 to the first of the next month 00:00, local time."""
    return Window(
        local_midnight(date(year, month, 1), timezone),
        local_midnight(date(*next_month(year, month), 1), timezone),
    )


def month_so_far(year: int, month: int, timezone: str, now: datetime) -> Window:
    """The month's window, ending at ``now`` if the month is still going on.

    Raises FutureMonthError for a month that starts after ``now``.
    """
    window = month_window(year, month, timezone)
    if window.since > now:
        raise FutureMonthError(year, month)
    if window.until <= now:
        return window
    return Window(window.since, now.astimezone(window.since.tzinfo))
