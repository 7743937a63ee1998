"""Programmes: a server's coffee and meal programmes, their members, rounds and meetings.

Pure domain rules over the programme repository, with an injected clock and no
Discord types: cogs pass ids (and a member's role ids), and get back values or a
:class:`ProgrammeError` whose ``key`` names a message in ``prompts/programmes.toml``.

The pairing engine makes the meetings; this service hands it a round's inputs
(:meth:`ProgrammeService.round_inputs`), stores what it made
(:meth:`ProgrammeService.store_round`) and gives coordinators their own tools:
introducing chosen members and placing a late joiner, never breaking a block.
"""

from __future__ import annotations

from bot.repos.programmes import Membership, Programme, ProgrammeFormat, RoundMeeting
from bot.services.programmes._admin import ProgrammeAdmin
from bot.services.programmes._making import FAR_APART_HOURS, MadeRound, RoundMaker
from bot.services.programmes._places import (
    Place,
    PlacesError,
    RegionOffer,
    RegionPlan,
    choose_place,
    load_places,
    load_region_neighbours,
    offer_message,
    partition_by_region,
    place_message,
)
from bot.services.programmes._times import (
    TimeTools,
    agreed_messages,
    slot_label,
    times_message,
)
from bot.services.programmes._values import (
    DEFAULT_LOOKBACK,
    GROUP_SIZES,
    MAX_LABEL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PAUSE_WEEKS,
    MAX_PROGRAMME_PAUSE,
    MAX_SUGGESTION_LENGTH,
    PROGRAMME_LIMITS,
    DueRound,
    LatePlacement,
    ProgrammeDraft,
    ProgrammeError,
    RoundInputs,
    TimeStatus,
    clean_name,
    programme_texts,
)

__all__ = [
    "DEFAULT_LOOKBACK",
    "FAR_APART_HOURS",
    "GROUP_SIZES",
    "MAX_LABEL_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_PAUSE_WEEKS",
    "MAX_PROGRAMME_PAUSE",
    "MAX_SUGGESTION_LENGTH",
    "PROGRAMME_LIMITS",
    "DueRound",
    "LatePlacement",
    "MadeRound",
    "Membership",
    "Place",
    "PlacesError",
    "Programme",
    "ProgrammeDraft",
    "ProgrammeError",
    "ProgrammeFormat",
    "ProgrammeService",
    "RegionOffer",
    "RegionPlan",
    "RoundInputs",
    "RoundMeeting",
    "TimeStatus",
    "agreed_messages",
    "choose_place",
    "clean_name",
    "load_places",
    "load_region_neighbours",
    "offer_message",
    "partition_by_region",
    "place_message",
    "programme_texts",
    "slot_label",
    "times_message",
]


class ProgrammeService(ProgrammeAdmin, RoundMaker, TimeTools):
    """The programme domain: see the module docstring."""
