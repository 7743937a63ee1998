"""How content problems are worded: quoting, counting and naming TOML values."""

from __future__ import annotations

from datetime import date, datetime, time

SHOWN_VALUE_LENGTH = 40


def fold(text: str) -> str:
    """Compare texts the way a reader would: ignoring case and spacing."""
    return " ".join(text.split()).casefold()


def one_line(text: str) -> str:
    return " ".join(text.split())


def count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def show(value: object) -> str:
    """A value quoted for a message, cut short so one bad entry cannot flood the log."""
    shown = repr(value)
    if len(shown) > SHOWN_VALUE_LENGTH:
        shown = shown[: SHOWN_VALUE_LENGTH - 1] + "…"
    return shown


def describe(value: object) -> str:
    """Name a TOML value's type in words a coordinator would use."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return "a date or time"
    return type(value).__name__
