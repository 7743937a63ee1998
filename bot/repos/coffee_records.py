"""The coffee roulette's records: what the repository reads and writes, as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from bot.timeutil import from_db


class Candidate(NamedTuple):
    """Someone taking part in a round, as read (a named tuple: a big round reads tens of
    thousands)."""

    user_id: int
    group_id: int
    timezone: str | None
    interests: frozenset[str]


@dataclass(frozen=True)
class RoundRows:
    """Everything a round is made from, read in one go: who takes part, the recent
    rounds (oldest first, as meetings of known members, their ids as text for the
    engine), blocks and sit-out counts."""

    avoid_rounds: int
    candidates: list[Candidate]
    history: list[list[tuple[str, ...]]]
    blocked: list[tuple[int, int]]
    sit_outs: dict[int, int]


@dataclass(frozen=True)
class MeetingMember:
    user_id: int | None
    group_id: int | None
    answer: str | None
    reached: str | None


@dataclass(frozen=True)
class MeetingRecord:
    meeting_id: int
    round_id: int
    position: int
    cross_group: bool
    thread_id: int | None
    announced: bool
    checkin_posted: bool
    members: tuple[MeetingMember, ...] = field(default_factory=tuple)

    @property
    def user_ids(self) -> list[int]:
        return [m.user_id for m in self.members if m.user_id is not None]


@dataclass(frozen=True)
class RoundRecord:
    round_id: int
    guild_id: int
    period_key: str
    created_at: datetime
    seed: int
    condition_number: int | None
    starter: str | None
    checkin_due_at: datetime
    #: Pairs inside its meetings that had met within the no-repeat window.
    kept_repeats: int = 0


@dataclass(frozen=True)
class CoffeeSettings:
    avoid_rounds: int
    checkin_days: int
    headsup_hours: int | None


class NewMeeting(NamedTuple):
    """A meeting to store (a named tuple: a big round writes ten thousand)."""

    members: tuple[tuple[int, int], ...]  # (user id, group id)

    @property
    def cross_group(self) -> bool:
        return len({group for _, group in self.members}) > 1


@dataclass(frozen=True)
class CoffeeTotals:
    rounds: int
    meetings: int
    pairs: int
    cross_group_pairs: int
    answered_meetings: int
    met_meetings: int


def round_record(row: Any) -> RoundRecord:
    return RoundRecord(
        round_id=row["round_id"],
        guild_id=row["guild_id"],
        period_key=row["period_key"],
        created_at=from_db(row["created_at"]),
        seed=row["seed"],
        condition_number=row["condition_number"],
        starter=row["starter"],
        checkin_due_at=from_db(row["checkin_due_at"]),
        kept_repeats=row["kept_repeats"],
    )


def meeting_record(row: Any, members: list[MeetingMember]) -> MeetingRecord:
    return MeetingRecord(
        meeting_id=row["meeting_id"],
        round_id=row["round_id"],
        position=row["position"],
        cross_group=bool(row["cross_group"]),
        thread_id=row["thread_id"],
        announced=row["announced_at"] is not None,
        checkin_posted=row["checkin_posted_at"] is not None,
        members=tuple(members),
    )
