"""Rounds: the engine's inputs, storing its meetings, and coordinators' introductions."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from bot.repos.coffee import NewMeeting
from bot.repos.programmes import (
    Programme,
    ProgrammeCandidate,
    ProgrammeFormat,
    ProgrammeRound,
)
from bot.services.programmes._base import ServiceBase, _blocked_set
from bot.services.programmes._places import (
    Place,
    RegionPlan,
    choose_place,
    partition_by_region,
)
from bot.services.programmes._values import (
    LatePlacement,
    ProgrammeError,
    RoundInputs,
)
from bot.services.prompts import stable_seed


class RoundTools(ServiceBase):
    async def round_inputs(
        self, programme: Programme, period_key: str, reference: datetime
    ) -> RoundInputs:
        avoid, _ = await self._repo.roulette_settings(programme.guild_id)
        participants = await self._repo.participants(programme.programme_id, period_key, reference)
        return RoundInputs(
            programme=programme,
            period_key=period_key,
            participants=tuple(participants),
            history=await self._repo.recent_meetings(programme.programme_id, avoid),
            blocked=await self._repo.blocked_pairs(programme.guild_id),
            fairness=await self._repo.fairness(programme.programme_id, avoid, programme.group_size),
            avoid_rounds=avoid,
            seed=stable_seed(programme.guild_id, programme.programme_id, period_key),
        )

    async def region_plan(
        self, programme: Programme, participants: Sequence[ProgrammeCandidate]
    ) -> RegionPlan:
        """For an in-person programme: tables per region and offers for the small ones."""
        online = [
            p
            for p in await self._repo.all(programme.guild_id)
            if p.settings.format is ProgrammeFormat.ONLINE
            and p.programme_id != programme.programme_id
            and not p.paused_at(self.now())
        ]
        return partition_by_region(
            participants,
            programme.group_size,
            self.neighbours,
            online[0].programme_id if online else None,
        )

    async def store_round(
        self,
        programme: Programme,
        period_key: str,
        meetings: Sequence[Sequence[int]],
        *,
        sit_outs: Collection[int] = (),
        condition_number: int | None = None,
        starter: str | None = None,
        kept_repeats: int = 0,
    ) -> ProgrammeRound:
        """Store the engine's meetings (user ids) and who sat out, once per period."""
        groups = await self._group_ids(programme.guild_id, [u for m in meetings for u in m])
        _, checkin_days = await self._repo.roulette_settings(programme.guild_id)
        now = self.now()
        return await self._repo.create_round(
            programme,
            period_key,
            seed=stable_seed(programme.guild_id, programme.programme_id, period_key),
            condition_number=condition_number,
            starter=starter,
            now=now,
            checkin_due_at=now + timedelta(days=checkin_days),
            meetings=[NewMeeting(tuple((u, groups[u]) for u in meeting)) for meeting in meetings],
            sit_outs=sit_outs,
            kept_repeats=kept_repeats,
        )

    async def introduce(self, guild_id: int, programme_id: int, user_ids: Sequence[int]) -> int:
        """Make a meeting of chosen members in this round; returns its meeting id."""
        async with self._placing:
            return await self._introduce(guild_id, programme_id, user_ids)

    async def _introduce(self, guild_id: int, programme_id: int, user_ids: Sequence[int]) -> int:
        programme = await self.get(guild_id, programme_id)
        people = list(dict.fromkeys(user_ids))
        if len(people) != len(user_ids) or not 2 <= len(people) <= programme.group_size + 1:
            raise ProgrammeError("programmes.introduce_size", low=2, high=programme.group_size + 1)
        for user_id in people:
            await self._require_member(programme, user_id)
        groups = await self._group_ids(guild_id, people)
        blocked = _blocked_set(await self._repo.blocked_pairs(guild_id))
        if any(frozenset((a, b)) in blocked for a in people for b in people if a < b):
            raise ProgrammeError("programmes.introduce_blocked")
        current = await self._current_round(programme)
        placed = {u for m in await self._repo.round_meetings(current.round_id) for u in m.members}
        if placed & set(people):
            raise ProgrammeError("programmes.already_placed")
        return await self._repo.add_meeting(
            current.round_id, guild_id, NewMeeting(tuple((u, groups[u]) for u in people))
        )

    async def add_late_joiner(
        self, guild_id: int, programme_id: int, user_id: int
    ) -> LatePlacement:
        """Place a member in this round: with someone who sat out, or in a meeting with
        room (at most one over the group size), never with a blocked or recent partner."""
        async with self._placing:
            return await self._add_late_joiner(guild_id, programme_id, user_id)

    async def _add_late_joiner(
        self, guild_id: int, programme_id: int, user_id: int
    ) -> LatePlacement:
        programme = await self.get(guild_id, programme_id)
        await self._require_member(programme, user_id)
        group = (await self._group_ids(guild_id, [user_id]))[user_id]
        current = await self._current_round(programme)
        meetings = await self._repo.round_meetings(current.round_id)
        if any(user_id in m.members for m in meetings):
            raise ProgrammeError("programmes.already_placed")
        avoid, _ = await self._repo.roulette_settings(guild_id)
        history = await self._repo.recent_meetings(
            programme.programme_id, avoid, before_round=current.round_id
        )
        unwelcome = _blocked_set(await self._repo.blocked_pairs(guild_id))
        unwelcome |= {
            frozenset((a, b)) for rnd in history for m in rnd for a in m for b in m if a != b
        }

        def fits(others: Sequence[int]) -> bool:
            return all(frozenset((user_id, o)) not in unwelcome for o in others)

        free = [u for u in await self._repo.sit_outs(current.round_id) if u != user_id]
        free_groups = await self._repo.active_groups(guild_id, free)
        partners = [u for u in free if u in free_groups and fits([u])]
        if partners:
            partners.sort(key=lambda u: (free_groups[u] == group, u))
            partner = partners[0]
            meeting_id = await self._repo.add_meeting(
                current.round_id,
                guild_id,
                NewMeeting(((partner, free_groups[partner]), (user_id, group))),
            )
            return LatePlacement(meeting_id, (partner,), new_meeting=True)
        roomy = [m for m in meetings if m.size < programme.group_size + 1 and fits(m.members)]
        if not roomy:
            raise ProgrammeError("programmes.no_room", programme=programme.name)
        roomy.sort(key=lambda m: (m.size, m.position))
        chosen = roomy[0]
        await self._repo.add_to_meeting(
            current.round_id, chosen.meeting_id, guild_id, user_id, group
        )
        return LatePlacement(chosen.meeting_id, chosen.members, new_meeting=False)

    def place_for(self, guild_id: int, meeting_id: int) -> Place | None:
        """The kind of place suggested in an in-person meeting's introduction."""
        return choose_place(self.places, guild_id, meeting_id) if self.places else None
