"""Small helpers for storing and reading times and weekly periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def to_db(when: datetime) -> str:
    """Store times as ISO-8601 in UTC so they sort and compare as text."""
    if when.tzinfo is None:
        raise ValueError("refusing to store a naive datetime")
    return when.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def iso_week_key(day: date) -> str:
    """The ISO week a date falls in, like ``2026-W47``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_midnight(day: date, timezone: str) -> datetime:
    """00:00 on ``day`` in ``timezone`` (an IANA name), as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone))


def day_key(day: date) -> str:
    return day.isoformat()
