"""Making a programme's round: the engine runs off the event loop, the round is stored once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from bot.repos.programmes import Programme, ProgrammeFormat, RoundMeeting
from bot.services.pairing import (
    PairingInput,
    PairingInputError,
    PairingResult,
    Participant,
    make_round,
)
from bot.services.programmes._places import RegionOffer
from bot.services.programmes._rounds import RoundTools
from bot.services.programmes._values import DueRound

#: Meetings whose members' clocks are further apart than this are named to coordinators.
FAR_APART_HOURS = 8.0
#: From this many participants a round runs in a worker process: below it, pickling and
#: the hop to a worker cost more than the engine, and a thread is enough.
INLINE_BELOW = 150


@dataclass(frozen=True)
class MadeRound:
    """A stored round and what its announcement needs to say."""

    round_id: int
    period_key: str
    meetings: tuple[RoundMeeting, ...]
    #: user id -> why they sit this round out (a SitOutReason, or "unknown"); members
    #: of a region too small for a group are here too, and also in ``offers``
    sat_out: dict[int, str] = field(default_factory=dict)
    #: meeting ids whose members are more than FAR_APART_HOURS apart
    far_apart: tuple[int, ...] = ()
    offers: tuple[RegionOffer, ...] = ()
    created: bool = True
    #: pairs inside its meetings that had met within the no-repeat window (kept only
    #: where avoiding them would have seated someone out)
    kept_repeats: int = 0


class RoundMaker(RoundTools):
    async def stored_round(self, programme: Programme, period_key: str) -> MadeRound | None:
        """The round already made for this period, as stored (after a restart)."""
        stored = await self._repo.round_for(programme.programme_id, period_key)
        if stored is None:
            return None
        meetings = tuple(await self._repo.round_meetings(stored.round_id))
        sat = {u: "unknown" for u in await self._repo.sit_outs(stored.round_id)}
        return MadeRound(
            stored.round_id,
            period_key,
            meetings,
            sat,
            created=False,
            kept_repeats=stored.kept_repeats,
        )

    async def make_programme_round(self, due: DueRound) -> MadeRound:
        """Run the engine with the programme's group size and format, then store the round
        (meetings and sit-outs in one transaction). A round already stored is returned."""
        programme, period_key = due.programme, due.period_key
        existing = await self.stored_round(programme, period_key)
        if existing is not None:
            return existing
        inputs = await self.round_inputs(programme, period_key, due.due)
        in_person = programme.settings.format is ProgrammeFormat.IN_PERSON
        offers: tuple[RegionOffer, ...] = ()
        if in_person:
            offers = (await self.region_plan(programme, inputs.participants)).offers
        participants = [
            Participant(
                id=str(c.user_id),
                group=str(c.group_id),
                timezone=c.timezone,
                interests=c.interests,
                region=c.region_id,
            )
            for c in inputs.participants
        ]
        pairing = PairingInput(
            participants=participants,
            history=[[tuple(str(u) for u in m) for m in rnd] for rnd in inputs.history],
            blocked=[(str(a), str(b)) for a, b in inputs.blocked],
            avoid_repeat_rounds=inputs.avoid_rounds,
            seed=inputs.seed,
            reference_time=due.due,
            group_size=programme.group_size,
            format="in_person" if in_person else "online",
            sit_outs={str(u): f.sit_outs for u, f in inputs.fairness.items()},
        )
        if len(participants) < 2:
            meetings: list[list[int]] = []
            sat = {c.user_id: "no-valid-partner" for c in inputs.participants}
            spread: tuple[float, ...] = ()
            repeats = 0
        else:
            try:
                result = await self._run_engine(pairing)
            except PairingInputError:
                result = None
            if result is None:
                meetings, sat, spread = (
                    [],
                    {c.user_id: "no-valid-partner" for c in inputs.participants},
                    (),
                )
                repeats = 0
            else:
                meetings = [[int(u) for u in m] for m in result.meetings]
                sat = {int(s.id): s.reason for s in result.sat_out}
                spread = result.spread_hours
                repeats = result.stats.repeats
        stored = await self.store_round(
            programme, period_key, meetings, sit_outs=sorted(sat), kept_repeats=repeats
        )
        rows = tuple(await self._repo.round_meetings(stored.round_id))
        far = tuple(
            row.meeting_id
            for row, hours in zip(rows, spread, strict=False)
            if hours > FAR_APART_HOURS
        )
        return MadeRound(
            stored.round_id,
            period_key,
            rows,
            sat,
            far,
            tuple(o for o in offers if o.user_ids),
            kept_repeats=stored.kept_repeats,
        )

    async def _run_engine(self, pairing: PairingInput) -> PairingResult:
        if self._offload is not None and len(pairing.participants) >= INLINE_BELOW:
            return await self._offload.run(make_round, pairing)
        return await asyncio.to_thread(make_round, pairing)

    async def reached_resumes(self, guild_id: int, since: datetime) -> list[Programme]:
        """Programmes whose pause ended after ``since`` and by now (to say they are back)."""
        now = self.now()
        return [
            p
            for p in await self._repo.all(guild_id)
            if p.paused_until is not None and since < p.paused_until <= now
        ]

    async def paused_now(self, guild_id: int) -> list[Programme]:
        """Programmes on a whole-programme pause right now (to make sure it was announced)."""
        now = self.now()
        return [
            p for p in await self._repo.all(guild_id) if p.paused_until and p.paused_until > now
        ]
