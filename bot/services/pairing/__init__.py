"""Coffee-roulette meetings: cross-group, no recent repeats, never a blocked pair.

Pure and deterministic: the same input and seed give the same round in any process.
"""

from .bounds import meeting_sizes, min_same_group_pairs, same_group_bound
from .engine import evaluate_meetings, make_round, soft_score
from .model import (
    Meeting,
    PairingInput,
    PairingInputError,
    PairingResult,
    PairingStats,
    Participant,
    SitOut,
    SitOutReason,
)

__all__ = [
    "Meeting",
    "PairingInput",
    "PairingInputError",
    "PairingResult",
    "PairingStats",
    "Participant",
    "SitOut",
    "SitOutReason",
    "evaluate_meetings",
    "make_round",
    "meeting_sizes",
    "min_same_group_pairs",
    "same_group_bound",
    "soft_score",
]
