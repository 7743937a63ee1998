"""Programme names, limits, errors and the values the service hands back."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.problems import UserFacingError
from bot.repos.programmes import (
    FairnessCounts,
    Programme,
    ProgrammeCandidate,
    ProgrammeFormat,
)
from bot.resources import prompts_dir
from bot.services.rhythm import RhythmKind
from bot.text import Messages

MAX_NAME_LENGTH = 50
MAX_PAUSE_WEEKS = 12
MAX_PROGRAMME_PAUSE = timedelta(days=366)
GROUP_SIZES = range(2, 9)
PROGRAMME_LIMITS = range(1, 51)
#: How far back a missed round is still made (the scheduler's catch-up window).
DEFAULT_LOOKBACK = timedelta(hours=24)
MAX_LABEL_LENGTH = 80
MAX_SUGGESTION_LENGTH = 200

#: Format and control characters that never show, dropped from names (the zero-width
#: joiner stays, as emoji sequences need it; it is only trimmed from the ends).
_DROPPED = {"Cc", "Cf"}
_ZWJ = "\u200d"


class ProgrammeError(UserFacingError):
    """An expected problem; ``key`` names a message in ``prompts/programmes.toml``."""


def programme_texts(path: Path | None = None, *, override_dir: Path | None = None) -> Messages:
    """The programme wording (``programmes.*`` keys), checked like messages.toml.

    A ``programmes.toml`` in ``override_dir`` (``KINDBOT_CONTENT_DIR``) replaces the
    messages it holds.
    """
    return Messages.load(path or prompts_dir() / "programmes.toml", override_dir=override_dir)


def clean_name(raw: str) -> tuple[str, str]:
    """(name as shown, key compared case-insensitively); raises for a blank or long name.

    Unicode is normalised (NFKC), invisible characters are dropped, runs of any kind
    of space become one space, and the ends are trimmed.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    kept = "".join(ch for ch in text if ch == _ZWJ or unicodedata.category(ch) not in _DROPPED)
    name = " ".join(kept.split()).strip(" " + _ZWJ)
    if not any(unicodedata.category(ch)[0] in "LNSP" for ch in name):
        raise ProgrammeError("programmes.name_blank")
    if len(name) > MAX_NAME_LENGTH:
        raise ProgrammeError("programmes.name_too_long", limit=MAX_NAME_LENGTH, length=len(name))
    key = name.replace(_ZWJ, "").casefold()
    return name, unicodedata.normalize("NFKC", key)


@dataclass(frozen=True)
class ProgrammeDraft:
    """A programme as a coordinator describes it; checked by the service.

    ``rhythm`` is ``"weekly"`` (every ``every_weeks`` weeks) or ``"monthly"`` (on the
    ``week_of_month``-th weekday, -1 for the last). ``timezone`` defaults to the
    server's, ``anchor`` (the first date counted) to today.
    """

    name: str
    day_of_week: int
    at: time
    channel_id: int | None = None
    rhythm: str = RhythmKind.WEEKLY.value
    every_weeks: int = 1
    week_of_month: int | None = None
    group_size: int = 2
    format: str = ProgrammeFormat.ONLINE.value
    role_id: int | None = None
    timezone: str | None = None
    anchor: date | None = None


@dataclass(frozen=True)
class DueRound:
    programme: Programme
    due: datetime
    period_key: str


@dataclass(frozen=True)
class RoundInputs:
    """What the pairing engine needs to make one programme's round."""

    programme: Programme
    period_key: str
    participants: tuple[ProgrammeCandidate, ...]
    history: list[list[tuple[int, ...]]]
    blocked: list[tuple[int, int]]
    fairness: dict[int, FairnessCounts]
    avoid_rounds: int
    seed: int


@dataclass(frozen=True)
class LatePlacement:
    """Where a late joiner went: a new meeting with someone free, or an existing one."""

    meeting_id: int
    others: tuple[int, ...]
    new_meeting: bool


@dataclass(frozen=True)
class TimeStatus:
    slots: tuple[datetime, ...]
    ticks: dict[int, frozenset[datetime]]
    members: tuple[int, ...]
    agreed: datetime | None
    reminder_at: datetime | None
    far_apart: bool
