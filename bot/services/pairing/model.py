"""Value types of the pairing engine: what goes in, what comes out."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.services.defaults import AVOID_REPEAT_ROUNDS

Meeting = tuple[str, ...]


class PairingInputError(ValueError):
    """The input cannot be paired as given (duplicate ids, too few members, bad timezone)."""


@dataclass(frozen=True, slots=True)
class Participant:
    """A member taking part in this round."""

    id: str
    group: str
    timezone: str | None = None
    interests: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PairingInput:
    """Everything one round depends on; the engine reads nothing else.

    ``history`` runs oldest first; each round is a list of meetings (tuples of ids).
    ``blocked`` pairs are symmetric. Ids in ``history`` or ``blocked`` that are not
    taking part are ignored. ``reference_time`` fixes the instant at which UTC offsets
    are compared, so results never depend on the wall clock.
    """

    participants: Sequence[Participant]
    history: Sequence[Sequence[Meeting]] = ()
    blocked: Collection[tuple[str, str]] = ()
    avoid_repeat_rounds: int = AVOID_REPEAT_ROUNDS
    seed: int = 0
    reference_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class PairingStats:
    """How a set of meetings measures up against the hard and soft goals.

    Same-group, repeat and blocked counts are over pairs inside meetings, so a triad
    contributes three pairs.
    """

    same_group_pairs: int
    min_same_group_pairs: int
    repeats: int
    blocked_pairs: int
    soft_score: float
    triads: int


@dataclass(frozen=True, slots=True)
class PairingResult:
    """Meetings for one round, each sorted by id and listed in id order."""

    meetings: tuple[Meeting, ...]
    stats: PairingStats
