"""Programme storage: programmes, their members, rounds, offered times and fairness history.

Rounds and meetings live in the roulette's tables (``coffee_rounds`` with a
``programme_id``, ``coffee_meetings``, ``coffee_meeting_members``). For the default
programme, membership changes are also written to the roulette's own columns, so
code that still reads those sees the same members.
"""

from __future__ import annotations

from bot.db import Database
from bot.repos.programmes._models import (
    DuplicateProgrammeName,
    FairnessCounts,
    Membership,
    Programme,
    ProgrammeCandidate,
    ProgrammeFormat,
    ProgrammeLimitReached,
    ProgrammeRound,
    ProgrammeSettings,
    RoundMeeting,
    StoredHours,
    StoredOffer,
)
from bot.repos.programmes._programmes import ProgrammeStore
from bot.repos.programmes._rounds import RoundStore
from bot.repos.programmes._times import TimeStore

__all__ = [
    "DuplicateProgrammeName",
    "FairnessCounts",
    "Membership",
    "Programme",
    "ProgrammeCandidate",
    "ProgrammeFormat",
    "ProgrammeLimitReached",
    "ProgrammeRepo",
    "ProgrammeRound",
    "ProgrammeSettings",
    "RoundMeeting",
    "StoredHours",
    "StoredOffer",
]


class ProgrammeRepo(ProgrammeStore, RoundStore, TimeStore):
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database(self) -> Database:
        return self._db
