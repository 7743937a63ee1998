"""What every part of the programme service shares: storage, the clock and checks."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.models import ChampionStatus
from bot.repos.champions import ChampionRepo
from bot.repos.deliveries import DeliveryRepo
from bot.repos.guilds import GuildRepo
from bot.repos.programmes import (
    Membership,
    Programme,
    ProgrammeRepo,
    ProgrammeRound,
)
from bot.scheduler.delivery import Deliverer
from bot.services.defaults import DEFAULT_TIMEZONE
from bot.services.programmes._places import (
    Place,
)
from bot.services.programmes._values import (
    ProgrammeError,
)

if TYPE_CHECKING:
    from bot.offload import Offload


class ServiceBase:
    def __init__(
        self,
        repo: ProgrammeRepo,
        champions: ChampionRepo,
        guilds: GuildRepo,
        clock: Clock,
        *,
        places: Sequence[Place] = (),
        neighbours: Mapping[str, Sequence[str]] | None = None,
        offload: Offload | None = None,
        deliveries: DeliveryRepo | None = None,
    ) -> None:
        self._repo = repo
        self._champions = champions
        self._guilds = guilds
        self._clock = clock
        self.places = tuple(places)
        self.neighbours = dict(neighbours or {})
        #: Big rounds run in its worker processes (small ones, and without it, in a thread).
        self._offload = offload
        #: Coordinators' placements (introductions, late joiners) one at a time, so two
        #: at once never place the same member twice.
        self._placing = asyncio.Lock()
        self._deliveries = deliveries or DeliveryRepo(repo.database)

    def now(self) -> datetime:
        return self._clock.now()

    def ledger(self, guild_id: int, job: str, period_key: str) -> Deliverer:
        """Delivery steps outside a scheduled run (a coordinator's command, a member's
        click) that take effect once, in the same ledger the scheduled jobs use."""
        return Deliverer(
            self._deliveries, self._clock, guild_id=guild_id, job=job, period_key=period_key
        )

    async def get(self, guild_id: int, programme_id: int) -> Programme:
        programme = await self._repo.get(guild_id, programme_id)
        if programme is None:
            raise ProgrammeError("programmes.unknown")
        return programme

    async def _require_champion(self, guild_id: int, user_id: int) -> None:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.ACTIVE:
            raise ProgrammeError("programmes.not_a_champion")

    async def _require_member(self, programme: Programme, user_id: int) -> Membership:
        membership = await self._repo.membership(programme.programme_id, user_id)
        if membership is None:
            raise ProgrammeError("programmes.not_a_member", programme=programme.name)
        return membership

    async def _group_ids(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, int]:
        """Each member's group; refused when one of them is not an active champion."""
        groups = await self._repo.active_groups(guild_id, user_ids)
        if any(user_id not in groups for user_id in user_ids):
            raise ProgrammeError("programmes.not_a_champion")
        return groups

    async def _timezone(self, guild_id: int, user_id: int) -> str:
        zones = await self._repo.timezones(guild_id, [user_id])
        return zones.get(user_id) or await self._guild_timezone(guild_id)

    async def _guild_timezone(self, guild_id: int) -> str:
        config = await self._guilds.config(guild_id)
        return config.timezone if config else DEFAULT_TIMEZONE

    async def _current_round(self, programme: Programme) -> ProgrammeRound:
        current = await self._repo.latest_round(programme.programme_id)
        if current is None:
            raise ProgrammeError("programmes.no_round_yet", programme=programme.name)
        return current


def _blocked_set(pairs: Sequence[tuple[int, int]]) -> set[frozenset[int]]:
    return {frozenset(pair) for pair in pairs}
