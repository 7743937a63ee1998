"""Small helpers for storing and reading times and weekly periods."""

from __future__ import annotations

from datetime import UTC, date, datetime


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


def day_key(day: date) -> str:
    return day.isoformat()
