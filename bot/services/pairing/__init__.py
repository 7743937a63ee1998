"""Coffee-roulette pairing: cross-group, no recent repeats, never a blocked pair.

Pure and deterministic: the same input and seed give the same round in any process.
"""

from .bounds import min_same_group_pairs
from .engine import evaluate_meetings, make_round, soft_score
from .model import (
    Meeting,
    PairingInput,
    PairingInputError,
    PairingResult,
    PairingStats,
    Participant,
)

__all__ = [
    "Meeting",
    "PairingInput",
    "PairingInputError",
    "PairingResult",
    "PairingStats",
    "Participant",
    "evaluate_meetings",
    "make_round",
    "min_same_group_pairs",
    "soft_score",
]
