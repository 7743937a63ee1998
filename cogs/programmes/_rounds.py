"""The programmes' scheduled work: one job per programme, and the "it's back" notice.

Each programme has its own weekly job at its day and time; the job asks the service
whether a round is due (so a two-weekly or monthly programme skips its off weeks),
stores the round once, then announces it step by step.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from bot.models import WeeklyTime
from bot.scheduler import JobContext, JobSkipped, JobSpec
from bot.services.programmes import (
    DueRound,
    Programme,
    ProgrammeError,
    RegionOffer,
    offer_message,
)
from cogs.programmes._announce import ProgrammeAnnouncer
from cogs.shared.guild import guild_for_job
from cogs.shared.threads import thread_by_id

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

NOTICE_JOB = "programme-notices"
NOTICE_TIME = WeeklyTime(0, 0, 5)  # daily, just after midnight


def job_name(programme_id: int) -> str:
    return f"programme-{programme_id}"


def reminder_job(meeting_id: int) -> str:
    return f"programme-reminder-{meeting_id}"


class ProgrammeJobs:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.programme_texts
        self.announcer = ProgrammeAnnouncer(bot)
        self._names: set[str] = set()

    # Registration

    async def register_all(self) -> None:
        self._add(JobSpec(NOTICE_JOB, NOTICE_TIME, self.run_notices, daily=True))
        for programme in await self.services.programmes.scheduled_programmes():
            self._add(self._spec(programme))
        for guild_id, meeting_id, when in await self.services.programmes.pending_reminders():
            self._add(self._reminder_spec(guild_id, meeting_id, when))

    def unregister_all(self) -> None:
        for name in sorted(self._names):
            self.services.scheduler.unregister(name)
        self._names.clear()

    async def register(self, programme: Programme) -> None:
        """(Re)schedule a programme after it was created or changed.

        The server's first programme is the roulette, which ``/coffee`` runs: its
        pairing job is rescheduled to the (maybe changed) day and time instead.
        """
        self.unregister(programme.programme_id)
        if programme.is_default:
            await self.services.scheduler.schedule_guild(programme.guild_id)
            return
        self._add(self._spec(programme))
        await self.services.scheduler.schedule_guild(programme.guild_id)

    def unregister(self, programme_id: int) -> None:
        name = job_name(programme_id)
        if name in self._names:
            self.services.scheduler.unregister(name)
            self._names.discard(name)

    def _add(self, spec: JobSpec) -> None:
        self.services.scheduler.register(spec)
        self._names.add(spec.name)

    def _spec(self, programme: Programme) -> JobSpec:
        rhythm = programme.rhythm
        return JobSpec(
            job_name(programme.programme_id),
            WeeklyTime(rhythm.day_of_week, rhythm.hour, rhythm.minute),
            partial(self.run_round, programme.programme_id),
            time_resolver=partial(self._time_in_guild, programme.guild_id, programme.programme_id),
        )

    async def _time_in_guild(
        self, owner: int, programme_id: int, guild_id: int
    ) -> WeeklyTime | None:
        """The programme's weekly moment in its server's own timezone (None elsewhere)."""
        if guild_id != owner:
            return None
        try:
            programme = await self.services.programmes.get(guild_id, programme_id)
        except ProgrammeError:
            return None
        config = await self.services.setup.config(guild_id)
        zone = ZoneInfo(config.timezone if config else programme.rhythm.timezone)
        now = self.services.clock.now()
        local = programme.rhythm.next_due(now - timedelta(days=1)).astimezone(zone)
        return WeeklyTime(local.weekday(), local.hour, local.minute)

    async def remind(self, guild_id: int, meeting_id: int, when: datetime) -> None:
        """Post a reminder in the meeting's thread at ``when`` (an hour before it)."""
        name = reminder_job(meeting_id)
        if name in self._names:
            self.services.scheduler.unregister(name)
            self._names.discard(name)
        self._add(self._reminder_spec(guild_id, meeting_id, when))
        await self.services.scheduler.schedule_guild(guild_id)

    def _reminder_spec(self, guild_id: int, meeting_id: int, when: datetime) -> JobSpec:
        return JobSpec(
            reminder_job(meeting_id),
            WeeklyTime(when.weekday(), when.hour, when.minute),
            partial(self.run_reminder, meeting_id),
            time_resolver=partial(self._moment_in_guild, guild_id, when),
        )

    async def _moment_in_guild(
        self, owner: int, when: datetime, guild_id: int
    ) -> WeeklyTime | None:
        if guild_id != owner:
            return None
        config = await self.services.setup.config(guild_id)
        local = when.astimezone(ZoneInfo(config.timezone if config else "UTC"))
        return WeeklyTime(local.weekday(), local.hour, local.minute)

    async def run_reminder(self, meeting_id: int, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        service = self.services.programmes
        try:
            status = await service.time_status(guild.id, meeting_id)
            thread_id = await service.meeting_thread(guild.id, meeting_id)
        except ProgrammeError:
            raise JobSkipped("the meeting is gone") from None
        reminder = status.reminder_at
        if reminder is None or status.agreed is None:
            raise JobSkipped("no agreed time")
        if abs(ctx.due_at - reminder) > timedelta(minutes=2):
            raise JobSkipped("the reminder is due another week")
        if status.agreed > self.services.clock.now() and thread_id is not None:
            thread = await thread_by_id(guild, thread_id)
            if thread is not None:
                await self.announcer.post_reminder(guild, thread, meeting_id, status.agreed)
        name = reminder_job(meeting_id)
        self.services.scheduler.unregister(name)
        self._names.discard(name)

    # Rounds

    async def run_round(self, programme_id: int, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        service = self.services.programmes

        async def find_due() -> dict[str, str] | None:
            due = await service.due_round(guild.id, programme_id)
            if due is None:
                return None
            return {"period": due.period_key, "due": due.due.isoformat()}

        found = await ctx.step("due", find_due)
        if found is None:
            raise JobSkipped("no round due this week")
        try:
            programme = await service.get(guild.id, programme_id)
        except ProgrammeError:
            raise JobSkipped("the programme was removed") from None
        due = DueRound(programme, datetime.fromisoformat(found["due"]), found["period"])

        async def make() -> dict[str, Any]:
            made = await service.make_programme_round(due)
            return {
                "round": made.round_id,
                "sat_out": {str(u): r for u, r in made.sat_out.items()},
                "far": list(made.far_apart),
                "repeats": made.kept_repeats,
                "offers": [
                    [o.region_id, list(o.user_ids), o.neighbour, o.online_programme_id]
                    for o in made.offers
                ],
            }

        made = await ctx.step("round", make)
        announced = await self.announcer.announce(guild, programme, int(made["round"]))
        await self._tell_after_round(ctx, guild, programme, made)
        log.info(
            "Programme %s round %s in guild %s: announced %d meetings",
            programme_id,
            due.period_key,
            guild.id,
            announced,
        )

    async def _tell_after_round(
        self, ctx: JobContext, guild: discord.Guild, programme: Programme, made: dict[str, Any]
    ) -> None:
        """DM who sat out (or was offered another region), then one note for coordinators:
        far-apart groups, who sat out and why, and any recent pairs the round kept."""
        texts = self.texts
        sat: dict[str, str] = made["sat_out"]
        offered = {str(u) for offer in made["offers"] for u in offer[1]}
        for user_id, reason in sorted(sat.items()):
            if user_id in offered:
                continue  # told about the nearest region or an online programme instead
            key = "programmes.sat_out_blocked" if reason == "blocked" else "programmes.sat_out"
            await self.announcer.dm(
                ctx, guild, f"sat-out:{user_id}", int(user_id), texts(key, name=programme.name)
            )
        regions = {r.id: r.label for r in self.services.content.regions}
        online_names = {
            p.programme_id: p.name for p in await self.services.programmes.programmes(guild.id)
        }
        for region, user_ids, neighbour, online_id in made["offers"]:
            offer = RegionOffer(region, tuple(user_ids), neighbour, online_id)
            key, params = offer_message(offer, regions, online_names.get(online_id or 0))
            for user_id in user_ids:
                await self.announcer.dm(
                    ctx, guild, f"offer:{user_id}", int(user_id), texts(key, **params)
                )
        notes: list[str] = []
        if made["far"]:
            far = set(made["far"])
            groups = "; ".join(
                ", ".join(f"<@{u}>" for u in meeting.user_ids)
                for meeting in await self.services.coffee.meetings(int(made["round"]))
                if meeting.meeting_id in far
            )
            notes.append(
                texts(
                    "programmes.log_far_apart",
                    name=programme.name,
                    count=len(far),
                    meetings=groups,
                )
            )
        if sat:
            reasons = {
                "blocked": texts("programmes.reason_blocked"),
                "no-valid-partner": texts("programmes.reason_no_partner"),
                "region-too-small": texts("programmes.reason_region_small"),
                "no-region": texts("programmes.reason_no_region"),
            }
            who = ", ".join(
                f"<@{u}> ({reasons.get(r, texts('programmes.reason_unknown'))})"
                for u, r in sorted(sat.items())
            )
            notes.append(texts("programmes.log_sat_out", name=programme.name, people=who))
        if made.get("repeats"):  # a step recorded before this field existed has none
            notes.append(
                texts("programmes.log_repeats", name=programme.name, count=made["repeats"])
            )
        if notes:
            await self.announcer.tell_log(ctx, guild, "log", "\n".join(notes))

    # Notices

    async def run_notices(self, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        since = self.services.clock.now() - timedelta(days=1)
        for programme in await self.services.programmes.reached_resumes(guild.id, since):
            text = self.texts("programmes.back_notice", name=programme.name)
            await self.announcer.pause_notice(programme, "back", text)
        # A pause whose notice was cut short (the bot stopped between storing the pause and
        # posting) is announced now; a notice already posted is found and not repeated.
        for programme in await self.services.programmes.paused_now(guild.id):
            assert programme.paused_until is not None
            until = discord.utils.format_dt(programme.paused_until, "D")
            text = self.texts("programmes.paused_notice", name=programme.name, until=until)
            await self.announcer.pause_notice(programme, "paused", text)
