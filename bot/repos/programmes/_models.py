"""Programme values and the row readers the stores share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from bot.services.rhythm import Rhythm, RhythmKind
from bot.timeutil import from_db


class ProgrammeFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class DuplicateProgrammeName(Exception):
    """Another programme in the server already has this name."""


class ProgrammeLimitReached(Exception):
    """The server already runs as many programmes as it may."""


@dataclass(frozen=True)
class ProgrammeSettings:
    """Everything a coordinator chooses about a programme (already checked)."""

    name: str
    name_key: str
    channel_id: int | None
    rhythm: Rhythm
    group_size: int = 2
    format: ProgrammeFormat = ProgrammeFormat.ONLINE
    role_id: int | None = None


@dataclass(frozen=True)
class Programme:
    programme_id: int
    guild_id: int
    is_default: bool
    settings: ProgrammeSettings
    paused_until: datetime | None
    created_at: datetime
    #: When the latest whole-programme pause began (kept after it ended); None: never paused
    paused_since: datetime | None = None

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def rhythm(self) -> Rhythm:
        return self.settings.rhythm

    @property
    def group_size(self) -> int:
        return self.settings.group_size

    def paused_at(self, when: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > when


@dataclass(frozen=True)
class Membership:
    programme_id: int
    user_id: int
    joined_at: datetime
    paused_until: datetime | None


@dataclass(frozen=True)
class ProgrammeCandidate:
    """A member taking part in a round, with what the pairing engine weighs."""

    user_id: int
    group_id: int
    region_id: str | None
    timezone: str | None
    interests: frozenset[str]


@dataclass(frozen=True)
class StoredHours:
    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class ProgrammeRound:
    round_id: int
    programme_id: int
    guild_id: int
    period_key: str
    created_at: datetime
    #: Pairs inside its meetings that had met within the no-repeat window.
    kept_repeats: int = 0


@dataclass(frozen=True)
class RoundMeeting:
    meeting_id: int
    position: int
    members: tuple[int, ...]  # known members (erased ones left out)
    size: int  # everyone who was in it, erased members included


@dataclass(frozen=True)
class StoredOffer:
    meeting_id: int
    slots: tuple[datetime, ...]
    duration_minutes: int
    within_hours: bool
    ticks: dict[int, frozenset[datetime]]  # user id -> slots they can do


@dataclass(frozen=True)
class FairnessCounts:
    """A member's recent history in one programme, for the engine to even out."""

    sit_outs: int = 0
    same_group: int = 0
    larger: int = 0
    smaller: int = 0


_PROGRAMME_COLUMNS = (
    "programme_id, guild_id, name, name_key, is_default, channel_id, rhythm, every_weeks, "
    "week_of_month, day_of_week, hour, minute, timezone, anchor_date, group_size, format, "
    "role_id, paused_until, created_at, paused_since"
)


def _rhythm_columns(rhythm: Rhythm) -> tuple[Any, ...]:
    weekly = rhythm.kind is RhythmKind.WEEKLY
    return (
        rhythm.kind.value,
        rhythm.every_weeks if weekly else None,
        None if weekly else rhythm.week_of_month,
        rhythm.day_of_week,
        rhythm.hour,
        rhythm.minute,
        rhythm.timezone,
        rhythm.anchor.isoformat(),
    )


def _programme(row: Any) -> Programme:
    kind = RhythmKind(row["rhythm"])
    rhythm = Rhythm(
        kind,
        row["day_of_week"],
        row["hour"],
        row["minute"],
        row["timezone"],
        date.fromisoformat(row["anchor_date"]),
        every_weeks=row["every_weeks"] or 1,
        week_of_month=row["week_of_month"],
    )
    settings = ProgrammeSettings(
        name=row["name"],
        name_key=row["name_key"],
        channel_id=row["channel_id"],
        rhythm=rhythm,
        group_size=row["group_size"],
        format=ProgrammeFormat(row["format"]),
        role_id=row["role_id"],
    )
    return Programme(
        programme_id=row["programme_id"],
        guild_id=row["guild_id"],
        is_default=bool(row["is_default"]),
        settings=settings,
        paused_until=from_db(row["paused_until"]) if row["paused_until"] else None,
        created_at=from_db(row["created_at"]),
        paused_since=from_db(row["paused_since"]) if row["paused_since"] else None,
    )


def _membership(row: Any) -> Membership:
    return Membership(
        programme_id=int(row[0]),
        user_id=int(row[1]),
        joined_at=from_db(row[2]),
        paused_until=from_db(row[3]) if row[3] else None,
    )


def _hours(days: str, start_minute: int, end_minute: int) -> StoredHours:
    end = time(0) if end_minute == 1440 else time(end_minute // 60, end_minute % 60)
    return StoredHours(
        frozenset(int(d) for d in days), time(start_minute // 60, start_minute % 60), end
    )


def _round(row: Any) -> ProgrammeRound:
    return ProgrammeRound(
        round_id=int(row[0]),
        programme_id=int(row[1]),
        guild_id=int(row[2]),
        period_key=row[3],
        created_at=from_db(row[4]),
        kept_repeats=int(row[5]),
    )
