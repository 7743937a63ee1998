"""The weekly coffee roulette: who takes part, making a round, members' own choices.

Rounds come from the pure pairing engine with a seed derived from (guild, week),
so a rerun, a preview and a restart all agree on the same meetings.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.gc_pause import cyclic_gc_paused
from bot.models import ChampionStatus, Group, ScheduledJob, WeeklyTime
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import (
    Candidate,
    CoffeeRepo,
    NewMeeting,
    NewRound,
    RoundRows,
    new_round,
    read_round_rows,
    write_round,
)
from bot.repos.coffee import MeetingMember as MeetingMember
from bot.repos.coffee import MeetingRecord as MeetingRecord
from bot.repos.coffee import RoundRecord as RoundRecord
from bot.repos.guilds import GuildRepo
from bot.scheduler.timing import period_key_for, weekly_trigger
from bot.services.content import PromptKind
from bot.services.defaults import DEFAULT_TIMEZONE
from bot.services.defaults import MAX_HEADSUP_HOURS as MAX_HEADSUP_HOURS
from bot.services.defaults import MAX_PAUSE_WEEKS as MAX_PAUSE_WEEKS
from bot.services.defaults import MISSED_CHECKINS_BEFORE_PAUSE as MISSED_CHECKINS_BEFORE_PAUSE
from bot.services.pairing import PairingInput, PairingResult, Participant, make_round
from bot.services.pairing.assignment import ASSIGNMENT_LIMIT
from bot.services.pairing.assignment import LIBRARIES as ASSIGNMENT_LIBRARIES
from bot.services.pairing.bounds import min_same_group_pairs
from bot.services.prompts import PromptService, stable_seed

if TYPE_CHECKING:
    from bot.offload import Offload

PAUSED_INDEFINITELY = datetime(9999, 12, 31, tzinfo=UTC)
log = logging.getLogger(__name__)

#: Rounds with fewer participants are computed inline: the engine takes a few
#: milliseconds there, less than the hop to a worker process.
INLINE_BELOW = 150
#: What a worker process imports before its first round.
WORKER_MODULES = ("bot.services.coffee",)


@dataclass(frozen=True)
class RoundPlan:
    period_key: str
    result: PairingResult
    #: Each participant's group, by user id.
    group_of: dict[int, int]

    @property
    def people(self) -> int:
        """How many took part (were placed or sat out)."""
        return len(self.group_of)

    @property
    def sat_out(self) -> list[int]:
        """Members no meeting could take without breaking a block: they sit this round out."""
        return sorted(int(s.id) for s in self.result.sat_out)

    def new_meetings(self) -> list[NewMeeting]:
        """The meetings to store, each member with their group."""
        group_of = self.group_of
        return [
            NewMeeting(tuple([(user, group_of[user]) for user in map(int, meeting)]))
            for meeting in self.result.meetings
        ]


@dataclass(frozen=True)
class CoffeeStats:
    rounds: int
    meetings: int
    cross_group_percent: float | None
    meeting_rate_percent: float | None
    answered_meetings: int


def to_participants(candidates: list[Candidate]) -> list[Participant]:
    return [
        Participant(str(c.user_id), str(c.group_id), c.timezone, c.interests) for c in candidates
    ]


def pairing_input(
    rows: RoundRows, guild_id: int, period_key: str, reference: datetime
) -> PairingInput:
    """The engine's input for a round, from what the repository read."""
    return PairingInput(
        participants=to_participants(rows.candidates),
        history=rows.history,
        blocked=[(str(a), str(b)) for a, b in rows.blocked],
        avoid_repeat_rounds=rows.avoid_rounds,
        seed=stable_seed(guild_id, period_key),
        reference_time=reference,
        sit_outs={str(uid): count for uid, count in rows.sit_outs.items()},
    )


def plan_from_rows(
    rows: RoundRows, guild_id: int, period_key: str, reference: datetime
) -> RoundPlan:
    """The round for ``period_key``, computed right here."""
    if len(rows.candidates) < 2:
        raise UserFacingError("coffee.too_few", count=len(rows.candidates))
    result = make_round(pairing_input(rows, guild_id, period_key, reference))
    return RoundPlan(period_key, result, {c.user_id: c.group_id for c in rows.candidates})


def plan_from_file(path: Path, guild_id: int, period_key: str, reference: datetime) -> RoundPlan:
    """Read, build and compute a round in a worker process: only the plan comes back."""
    with cyclic_gc_paused():
        rows = read_round_rows(path, guild_id, period_key, reference)
        return plan_from_rows(rows, guild_id, period_key, reference)


@dataclass(frozen=True)
class StoredRound:
    """What a worker process that made and stored a round sends back."""

    round_id: int
    people: int
    read_seconds: float
    compute_seconds: float
    store_seconds: float


def store_from_file(path: Path, header: NewRound, reference: datetime) -> StoredRound:
    """Read, compute and store a round in a worker process; only the round's id (and how
    long each step took) comes back. Storing here spares the bot's process the round's
    rows, twice over: once as the plan sent back, once as the rows it would write."""
    guild_id, period_key = header.guild_id, header.period_key
    with cyclic_gc_paused():
        started = time.perf_counter()
        rows = read_round_rows(path, guild_id, period_key, reference)
        read = time.perf_counter()
        plan = plan_from_rows(rows, guild_id, period_key, reference)
        computed = time.perf_counter()
        made = header._replace(kept_repeats=plan.result.stats.repeats)
        round_id = write_round(path, made, plan.new_meetings(), plan.sat_out)
        stored = time.perf_counter()
    return StoredRound(round_id, plan.people, read - started, computed - read, stored - computed)


class CoffeeService:
    def __init__(
        self,
        coffee: CoffeeRepo,
        champions: ChampionRepo,
        guilds: GuildRepo,
        prompts: PromptService,
        clock: Clock,
        offload: Offload | None = None,
    ) -> None:
        self._offload = offload
        self._coffee = coffee
        self._champions = champions
        self._guilds = guilds
        self.prompts = prompts
        self._clock = clock

    def now(self) -> datetime:
        return self._clock.now()

    # Scheduling

    async def pairing_time(self, guild_id: int) -> WeeklyTime:
        when = await self._guilds.schedule(guild_id, ScheduledJob.PAIRING.value)
        return when or ScheduledJob.PAIRING.default_time

    async def headsup_time(self, guild_id: int) -> WeeklyTime | None:
        """When the "skip this week?" heads-up goes out, or None when it is off."""
        hours = (await self._coffee.settings(guild_id)).headsup_hours
        if not hours:
            return None
        return (await self.pairing_time(guild_id)).minus_hours(hours)

    async def round_announced_by_headsup(self, guild_id: int, headsup_due: datetime) -> datetime:
        """When the round that a heads-up due at ``headsup_due`` speaks of is made."""
        hours = (await self._coffee.settings(guild_id)).headsup_hours or 0
        return headsup_due + timedelta(hours=hours)

    async def set_headsup(self, guild_id: int, hours: int) -> WeeklyTime | None:
        if not 0 <= hours <= MAX_HEADSUP_HOURS:
            raise UserFacingError("coffee.headsup_range", maximum=MAX_HEADSUP_HOURS)
        await self._coffee.set_headsup_hours(guild_id, hours or None)
        return await self.headsup_time(guild_id)

    # Periods

    async def period_at(self, guild_id: int, when: datetime) -> str:
        config = await self._guilds.config(guild_id)
        return period_key_for(when, config.timezone if config else DEFAULT_TIMEZONE)

    async def run_now_period(self, guild_id: int) -> str:
        """The week a round made now belongs to: what ``run-now`` makes and ``preview`` shows."""
        return await self.period_at(guild_id, self.now())

    async def next_round_period(self, guild_id: int) -> str:
        """The week of the next scheduled round that has not been made yet."""
        config = await self._guilds.config(guild_id)
        timezone = config.timezone if config else DEFAULT_TIMEZONE
        trigger = weekly_trigger(await self.pairing_time(guild_id), timezone)
        upcoming = trigger.get_next_fire_time(None, self.now())
        while True:
            assert upcoming is not None
            key = period_key_for(upcoming, timezone)
            if await self._coffee.round_for(guild_id, key) is None:
                return key
            upcoming = trigger.get_next_fire_time(upcoming, upcoming + timedelta(days=1))

    # Making rounds

    async def plan(self, guild_id: int, period_key: str, reference: datetime) -> RoundPlan:
        """Compute (but do not store) the round for ``period_key``.

        A big round is read, built and computed in a worker process, which opens the
        database by itself: the event loop only counts who takes part and receives
        the plan. Small ones (a few milliseconds of work) are computed right here.
        """
        offload = self._offload
        if offload is not None and await self._coffee.participants_at_least(
            guild_id, period_key, reference, INLINE_BELOW
        ):
            return await offload.run(
                plan_from_file, self._coffee.path, guild_id, period_key, reference
            )
        rows = await self._coffee.round_rows(guild_id, period_key, reference)
        return plan_from_rows(rows, guild_id, period_key, reference)

    async def worker_modules(self, guild_ids: Iterable[int]) -> tuple[str, ...]:
        """What a worker process should import before the first round in these servers:
        nothing when no round there is big enough for a worker; the libraries of the
        engine's assignment too when a round would be paired from one."""
        now = self.now()
        modules: tuple[str, ...] = ()
        for guild_id in guild_ids:
            period = await self.period_at(guild_id, now)
            if not await self._coffee.participants_at_least(guild_id, period, now, INLINE_BELOW):
                continue
            modules = modules or WORKER_MODULES
            if not await self._coffee.participants_at_least(
                guild_id, period, now, ASSIGNMENT_LIMIT + 1
            ):
                return (*WORKER_MODULES, *ASSIGNMENT_LIBRARIES)
        return modules

    async def make_round(self, guild_id: int, period_key: str, due: datetime) -> RoundRecord:
        """Compute and store the week's round in one transaction, once.

        A big round is read, computed and stored by a worker process in one go (see
        :func:`store_from_file`), so its rows never pass through the bot's process.
        """
        existing = await self._coffee.round_for(guild_id, period_key)
        if existing is not None:
            return existing
        offload = self._offload
        if offload is not None and await self._coffee.participants_at_least(
            guild_id, period_key, due, INLINE_BELOW
        ):
            header = await self._round_header(guild_id, period_key)
            made = await offload.run(store_from_file, self._coffee.path, header, due)
            self._coffee.wrote_elsewhere()
            log.info(
                "Round %s for guild %s: %d members read in %.2f s, computed in %.2f s "
                "and stored in %.2f s by a worker process",
                period_key,
                guild_id,
                made.people,
                made.read_seconds,
                made.compute_seconds,
                made.store_seconds,
            )
            stored = await self._coffee.round_for(guild_id, period_key)
            assert stored is not None
            return stored
        plan = await self.plan(guild_id, period_key, due)
        header = await self._round_header(guild_id, period_key)
        header = header._replace(kept_repeats=plan.result.stats.repeats)
        return await self._coffee.store_round(header, plan.new_meetings(), plan.sat_out)

    async def _round_header(self, guild_id: int, period_key: str) -> NewRound:
        """The round's own row: its seed, the week's condition and conversation starter."""
        condition = await self.prompts.condition_for_week(guild_id, period_key)
        starter = await self.prompts.pick(guild_id, period_key, condition, PromptKind.STARTER)
        settings = await self._coffee.settings(guild_id)
        now = self.now()
        return new_round(
            guild_id,
            period_key,
            seed=stable_seed(guild_id, period_key),
            condition_number=condition.number,
            starter=starter,
            now=now,
            checkin_due_at=now + timedelta(days=settings.checkin_days),
        )

    async def same_group_shortfall(self, round_id: int) -> tuple[int, int] | None:
        """(same-group pairs, the fewest possible) when a stored round missed the bound.

        The bound counts only who was placed: pairs plus one trio, from the group sizes.
        """
        meetings = await self._coffee.meetings(round_id)
        sizes: Counter[str] = Counter()
        same = 0
        for meeting in meetings:
            groups = [m.group_id for m in meeting.members]
            sizes.update(str(g) for g in groups)
            same += sum(1 for a, b in combinations(groups, 2) if a is not None and a == b)
        bound = min_same_group_pairs(sizes)
        return (same, bound) if same > bound else None

    async def sat_out(self, round_id: int) -> list[int]:
        """Who sat a stored round out (blocks left no meeting for them)."""
        return await self._coffee.sat_out(round_id)

    async def previous_round(self, guild_id: int, period_key: str) -> RoundRecord | None:
        """The latest round before ``period_key``, whose check-ins are final by now."""
        return await self._coffee.latest_round(guild_id, period_key)

    async def pause_the_silent(self, guild_id: int, round_id: int) -> list[int]:
        """Count unanswered check-ins; pause (and return) those silent three times in a row."""
        missed = await self._coffee.count_missed_checkins(round_id)
        paused = [user for user, misses in missed if misses >= MISSED_CHECKINS_BEFORE_PAUSE]
        if paused:
            await self._coffee.set_pauses(guild_id, paused, PAUSED_INDEFINITELY)
        return paused

    # Announcing: each step is recorded as it happens, so a restart carries on

    async def meetings(self, round_id: int) -> list[MeetingRecord]:
        return await self._coffee.meetings(round_id)

    async def record_thread(self, meeting_id: int, thread_id: int) -> None:
        await self._coffee.set_thread(meeting_id, thread_id)

    async def record_reached(self, meeting_id: int, user_id: int, how: str) -> None:
        """How the introduction reached a member: ``thread``, ``dm`` or ``unreachable``."""
        await self._coffee.set_reached(meeting_id, user_id, how)

    async def mark_announced(self, meeting_id: int) -> None:
        await self._coffee.mark_announced(meeting_id, self.now())

    async def meetings_due_for_checkin(self, guild_id: int) -> list[MeetingRecord]:
        return await self._coffee.meetings_due_for_checkin(guild_id, self.now())

    async def mark_checkin_posted(self, meeting_id: int) -> None:
        await self._coffee.mark_checkin_posted(meeting_id, self.now())

    # Members' own choices

    async def _require_champion(self, guild_id: int, user_id: int) -> None:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.ACTIVE:
            raise UserFacingError("coffee.not_a_champion")

    async def join(self, guild_id: int, user_id: int) -> None:
        await self._require_champion(guild_id, user_id)
        await self._champions.set_coffee(guild_id, user_id, True, self.now())
        await self._coffee.set_pause(guild_id, user_id, None)

    async def leave(self, guild_id: int, user_id: int) -> None:
        await self._require_champion(guild_id, user_id)
        await self._champions.set_coffee(guild_id, user_id, False, self.now())

    async def pause(self, guild_id: int, user_id: int, weeks: int) -> datetime:
        await self._require_champion(guild_id, user_id)
        if not 1 <= weeks <= MAX_PAUSE_WEEKS:
            raise UserFacingError("coffee.pause_range", maximum=MAX_PAUSE_WEEKS)
        until = self.now() + timedelta(weeks=weeks)
        await self._coffee.set_pause(guild_id, user_id, until)
        return until

    async def resume(self, guild_id: int, user_id: int) -> None:
        await self._require_champion(guild_id, user_id)
        await self._coffee.set_pause(guild_id, user_id, None)

    async def skip(self, guild_id: int, user_id: int) -> str:
        await self._require_champion(guild_id, user_id)
        period = await self.next_round_period(guild_id)
        await self._coffee.skip(guild_id, user_id, period)
        return period

    async def never(self, guild_id: int, user_id: int, other_id: int) -> None:
        await self._require_champion(guild_id, user_id)
        if other_id == user_id:
            raise UserFacingError("coffee.never_self")
        await self._coffee.block(guild_id, user_id, other_id, self.now())

    async def unblock(self, guild_id: int, user_id: int, other_id: int) -> bool:
        return await self._coffee.unblock(guild_id, user_id, other_id)

    async def history(self, guild_id: int, user_id: int) -> list[tuple[str, list[int | None]]]:
        return await self._coffee.partners_of(guild_id, user_id)

    async def status(self, guild_id: int, user_id: int) -> tuple[bool, datetime | None]:
        champion = await self._champions.get(guild_id, user_id)
        opted_in = bool(champion and champion.active and champion.profile.coffee_opt_in)
        return opted_in, await self._coffee.paused_until(guild_id, user_id)

    async def answer_checkin(self, meeting_id: int, user_id: int, answer: str) -> None:
        if answer not in ("yes", "not_yet", "cant"):
            raise UserFacingError("coffee.checkin_not_yours")
        if not await self._coffee.record_answer(meeting_id, user_id, answer, self.now()):
            raise UserFacingError("coffee.checkin_not_yours")

    # Coordinators

    async def stats(self, guild_id: int) -> CoffeeStats:
        totals = await self._coffee.totals(guild_id)
        cross = 100 * totals.cross_group_pairs / totals.pairs if totals.pairs else None
        rate = (
            100 * totals.met_meetings / totals.answered_meetings
            if totals.answered_meetings
            else None
        )
        return CoffeeStats(totals.rounds, totals.meetings, cross, rate, totals.answered_meetings)

    async def groups(self, guild_id: int) -> dict[int, Group]:
        return {g.group_id: g for g in await self._guilds.groups(guild_id)}
