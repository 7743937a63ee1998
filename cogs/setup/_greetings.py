"""Removing newcomers' welcome greetings after a while, from a daily job."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.models import WeeklyTime
from bot.scheduler import JobContext, JobSkipped, JobSpec

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

GREETING_CLEANUP_JOB = "greeting-cleanup"
CLEANUP_TIME = WeeklyTime(0, 4, 0)  # daily at 04:00 local


class GreetingCleanupCog(commands.Cog):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services

    def spec(self) -> JobSpec:
        return JobSpec(GREETING_CLEANUP_JOB, CLEANUP_TIME, self.run, daily=True)

    async def cog_load(self) -> None:
        self.services.scheduler.register(self.spec())

    async def cog_unload(self) -> None:
        self.services.scheduler.unregister(GREETING_CLEANUP_JOB)

    async def run(self, ctx: JobContext) -> None:
        guild = self.bot.get_guild(ctx.guild_id)
        if guild is None:
            raise JobSkipped("the server is not available")
        removed = await self.clean(guild)
        if removed:
            log.info("Removed %d welcome greetings in guild %s", removed, guild.id)

    async def clean(self, guild: discord.Guild) -> int:
        """Delete every greeting past its time; a greeting already gone counts as done."""
        greetings = self.services.greetings
        removed = 0
        for greeting in await greetings.due(guild.id):
            channel = guild.get_channel(greeting.channel_id)
            if isinstance(channel, discord.TextChannel):
                await self.bot.rest_pacer.wait()
                try:
                    await channel.get_partial_message(greeting.message_id).delete()
                except discord.NotFound:
                    pass
                except discord.HTTPException as exc:
                    log.warning(
                        "Could not remove greeting %s in guild %s: %s",
                        greeting.message_id,
                        guild.id,
                        exc,
                    )
                    continue  # tried again tomorrow
            await greetings.mark_deleted(greeting.message_id)
            removed += 1
        return removed
