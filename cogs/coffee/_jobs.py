"""The coffee roulette's scheduled work: making and announcing rounds, and check-ins."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.models import ScheduledJob, WeeklyTime
from bot.problems import UserFacingError
from bot.scheduler import JobContext, JobSkipped, JobSpec
from cogs.coffee._announce import Announcer, Progress
from cogs.shared.guild import guild_for_job

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

CHECKIN_JOB = "coffee-checkin"
HEADSUP_JOB = "coffee-headsup"
CHECKIN_TIME = WeeklyTime(0, 10, 0)  # daily at 10:00 local


class CoffeeJobs:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.announcer = Announcer(bot)
        #: Whoever waits on a round being announced in a guild (``/coffee run-now``).
        self.progress: dict[int, Progress] = {}

    def specs(self) -> list[JobSpec]:
        return [
            JobSpec(ScheduledJob.PAIRING.value, ScheduledJob.PAIRING.default_time, self.run_round),
            JobSpec(CHECKIN_JOB, CHECKIN_TIME, self.run_checkins, daily=True),
            JobSpec(
                HEADSUP_JOB,
                ScheduledJob.PAIRING.default_time,
                self.run_headsup,
                time_resolver=self.services.coffee.headsup_time,
            ),
        ]

    async def run_round(self, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        service = self.services.coffee
        if await self.services.programmes.roulette_paused(guild.id, ctx.due_at):
            raise JobSkipped("the roulette is paused (/programme pause)")

        async def pause_the_silent() -> list[int]:
            previous = await service.previous_round(guild.id, ctx.period_key)
            if previous is None:
                return []
            return await service.pause_the_silent(guild.id, previous.round_id)

        paused = await ctx.step("pause-the-silent", pause_the_silent)
        # Those paused are told once the round is stored (or skipped): it never waits on DMs.
        told = paused if isinstance(paused, list) else []
        try:
            round_ = await service.make_round(guild.id, ctx.period_key, ctx.due_at)
        except UserFacingError as problem:
            await self._tell_paused(ctx, guild, told)
            raise JobSkipped(f"no round this week ({problem.key})") from None
        await self._tell_paused(ctx, guild, told)
        sat_out = await service.sat_out(round_.round_id)
        await self.announcer.tell_sat_out(ctx, guild, ctx.period_key, sat_out)
        shortfall = await service.same_group_shortfall(round_.round_id)
        if shortfall is not None:
            await self.services.alerts.cross_group_missed(guild.id, ctx.period_key, *shortfall)
        if round_.kept_repeats:
            await self.services.alerts.repeats_kept(guild.id, ctx.period_key, round_.kept_repeats)
        announced = await self.announcer.announce(ctx, guild, round_, self.progress.get(guild.id))
        log.info(
            "Coffee round %s in guild %s: announced %d meetings",
            ctx.period_key,
            guild.id,
            announced,
        )

    async def _tell_paused(self, ctx: JobContext, guild: discord.Guild, paused: list[int]) -> None:
        for user_id in paused:
            await self.announcer.tell_paused(ctx, guild, user_id)

    async def run_checkins(self, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        coffee = self.services.coffee
        for meeting in await coffee.meetings_due_for_checkin(guild.id):
            await self.announcer.post_checkin(ctx, guild, meeting)
            await coffee.mark_checkin_posted(meeting.meeting_id)

    async def run_headsup(self, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        # The heads-up speaks of the coming round: it goes out when that round will be made,
        # even if the roulette is still paused now and back by then.
        round_at = await self.services.coffee.round_announced_by_headsup(guild.id, ctx.due_at)
        if await self.services.programmes.roulette_paused(guild.id, round_at):
            raise JobSkipped("the roulette is paused (/programme pause)")
        channel = await self.announcer.coffee_channel(guild)
        if channel is None:
            raise JobSkipped("no coffee channel")
        pairing = await self.services.coffee.pairing_time(guild.id)
        await self.announcer.post_headsup(ctx, channel, pairing)
