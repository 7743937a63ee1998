"""Value types of the pairing engine: what goes in, what comes out."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

from bot.services.defaults import AVOID_REPEAT_ROUNDS

Meeting = tuple[str, ...]

ONLINE = "online"
IN_PERSON = "in_person"
FORMATS = (ONLINE, IN_PERSON)
MIN_GROUP_SIZE = 2
MAX_GROUP_SIZE = 8

SitOutReason = Literal["blocked", "no-valid-partner", "region-too-small", "no-region"]
"""Why a member sits a round out.

* ``blocked``: their "never pair me with" choices (or someone else's about them) leave
  no meeting that includes them without a blocked pair;
* ``no-valid-partner``: after everyone else was placed, no meeting had room for them
  without a blocked pair;
* ``region-too-small``: in person, fewer than two members of their region take part;
* ``no-region``: in person, they have no region set.
"""


class PairingInputError(ValueError):
    """The input cannot be paired as given (duplicate ids, too few members, bad timezone)."""


class Participant(NamedTuple):
    """A member taking part in this round (a named tuple: a big round makes tens of
    thousands, and a tuple is made several times faster than a frozen dataclass)."""

    id: str
    group: str
    timezone: str | None = None
    interests: frozenset[str] = frozenset()
    region: str | None = None


@dataclass(frozen=True)
class PairingInput:
    """Everything one round depends on; the engine reads nothing else.

    ``history`` runs oldest first; each round is a list of meetings (tuples of ids).
    ``blocked`` pairs are symmetric and never meet. Ids in ``history``, ``blocked`` or
    ``sit_outs`` that are not taking part are ignored. ``reference_time`` fixes the
    instant at which UTC offsets are compared, so results never depend on the wall clock.

    ``group_size`` is the meeting size aimed for (2 to 8). With ``format="in_person"``
    every meeting holds members of one region only. ``sit_outs`` counts, per member,
    the past rounds they sat out; when someone must sit out, those with the lowest
    count go first.
    """

    participants: Sequence[Participant]
    history: Sequence[Sequence[Meeting]] = ()
    blocked: Collection[tuple[str, str]] = ()
    avoid_repeat_rounds: int = AVOID_REPEAT_ROUNDS
    seed: int = 0
    reference_time: datetime | None = None
    group_size: int = 2
    format: str = ONLINE
    sit_outs: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PairingStats:
    """How a set of meetings measures up against the hard and soft goals.

    Same-group, repeat and blocked counts are over pairs inside meetings, so a triad
    contributes three pairs. ``min_same_group_pairs`` is the fewest same-group pairs
    any round of the same layout could have (summed over regions in person).
    """

    same_group_pairs: int
    min_same_group_pairs: int
    repeats: int
    blocked_pairs: int
    soft_score: float
    triads: int
    sit_outs: int = 0


@dataclass(frozen=True, slots=True)
class SitOut:
    """A member left out of this round, and why."""

    id: str
    reason: SitOutReason


@dataclass(frozen=True, slots=True)
class PairingResult:
    """Meetings for one round, each sorted by id and listed in id order.

    ``spread_hours`` gives, per meeting in the same order, the largest gap in hours
    between two members' UTC offsets (on the 24-hour clock, so at most 12; members
    without a timezone are not counted). ``sat_out`` lists, in id order, who sits
    this round out.
    """

    meetings: tuple[Meeting, ...]
    stats: PairingStats
    sat_out: tuple[SitOut, ...] = ()
    spread_hours: tuple[float, ...] = ()
