"""The quarterly impact report, posted once per quarter in the coordinators' log
channel when a coordinator switched it on (``/impact auto_quarterly:on``)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import discord

from bot.models import ChannelPurpose, WeeklyTime
from bot.scheduler import JobContext, JobSkipped, JobSpec
from cogs.shared.channels import configured_channel
from cogs.shared.guild import guild_for_job
from cogs.shared.report_files import funders_files

if TYPE_CHECKING:
    from bot.core import KindBot

QUARTERLY_JOB = "impact-quarterly"
QUARTERLY_TIME = WeeklyTime(0, 9, 30)  # checked daily; posts on the first day it can
#: How far back in the log channel an earlier day's post of the same quarter is looked for.
HISTORY_LIMIT = 50


class QuarterlyReport:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services

    def spec(self) -> JobSpec:
        return JobSpec(QUARTERLY_JOB, QUARTERLY_TIME, self.run, daily=True)

    async def run(self, ctx: JobContext) -> None:
        guild = guild_for_job(self.bot, ctx)
        outcomes = self.services.outcomes
        period = await outcomes.quarter_to_post(guild.id)
        if period is None:
            raise JobSkipped("the quarterly report is off or already posted")
        channel = await configured_channel(self.bot, guild, ChannelPurpose.LOG)
        if channel is None:
            raise JobSkipped("no coordinators' log channel")
        quarter = f"{period.first.year}-Q{(period.first.month - 1) // 3 + 1}"
        text = self.services.texts("digest.impact_quarterly", quarter=quarter)
        if await self._already_posted(channel, text):
            # Posted on an earlier day whose run stopped before noting it.
            await outcomes.mark_quarter_posted(guild.id, period)
            return

        async def send(nonce: str) -> int:
            report = await self.services.funders.build(guild.id, period, guild.name)
            with tempfile.TemporaryDirectory(prefix="kindbot-quarterly-") as folder:
                written = await self.services.funders.write(report, Path(folder))
                files = await asyncio.to_thread(funders_files, written)
            message = await channel.send(
                text,
                files=files[:10],
                nonce=nonce,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return message.id

        delivered = await ctx.deliver(f"post:impact:{quarter}", send, target_id=channel.id)
        if delivered.reached:
            await outcomes.mark_quarter_posted(guild.id, period)

    async def _already_posted(self, channel: discord.TextChannel, text: str) -> bool:
        me = channel.guild.me
        async for message in channel.history(limit=HISTORY_LIMIT):
            if me is not None and message.author.id == me.id and message.content == text:
                return True
        return False
