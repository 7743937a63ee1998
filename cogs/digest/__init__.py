"""The weekly digest for everyone, and ``/impact`` for coordinators who report to funders.

What lives where:

- this module: the cog, its weekly job, ``/digest`` and ``/impact``;
- ``_render``: the digest as an embed.
"""

from __future__ import annotations

import asyncio
import io
import re
import tempfile
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import coordinator_only
from bot.interaction import Interaction
from bot.models import ChannelPurpose, ScheduledJob
from bot.problems import UserFacingError
from bot.scheduler import JobContext, JobSkipped, JobSpec
from bot.services import drawing
from bot.services.digest import Digest
from bot.services.outcomes import Period, parse_day, parse_period
from bot.services.report import parse_month
from cogs.digest._render import digest_embed
from cogs.shared.channels import configured_channel
from cogs.shared.delivery import Marker, post_once
from cogs.shared.guild import guild_for_job, guild_of
from cogs.shared.report_files import funders_files

if TYPE_CHECKING:
    from bot.core import KindBot

CHART_NAME = "kindness-week.png"


class DigestCog(commands.Cog):
    digest = app_commands.Group(
        name="digest",
        description="Coordinators: the weekly digest",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    async def cog_load(self) -> None:
        self.services.scheduler.register(
            JobSpec(ScheduledJob.DIGEST.value, ScheduledJob.DIGEST.default_time, self.post_digest)
        )

    async def cog_unload(self) -> None:
        self.services.scheduler.unregister(ScheduledJob.DIGEST.value)

    async def _render(self, guild: discord.Guild, digest: Digest) -> tuple[discord.Embed, bytes]:
        texts = self.services.report.texts
        chart = await self.services.offload.draw(drawing.digest_chart, digest, texts)
        return digest_embed(digest, guild, self.texts), chart

    async def post_digest(self, ctx: JobContext) -> None:
        """Post the week's digest once, in the digest channel."""
        guild = guild_for_job(self.bot, ctx)
        channel = await configured_channel(self.bot, guild, ChannelPurpose.DIGEST)
        if channel is None:
            raise JobSkipped("no digest channel")
        digest = await self.services.digest.build(guild.id, ctx.period_key)
        embed, chart = await self._render(guild, digest)
        await post_once(
            ctx,
            "post",
            channel,
            me_id=guild.me.id,
            target_id=channel.id,
            embed=embed,
            files=[(CHART_NAME, chart)],
            # the figures may have moved on since the first attempt; the title names the week
            marker=Marker(title=embed.title or ""),
        )

    @digest.command(name="preview", description="See this week's digest now, without posting it")
    @coordinator_only
    async def preview(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        digest = await self.services.digest.build(guild.id)
        embed, chart = await self._render(guild, digest)
        await interaction.followup.send(
            embed=embed,
            file=discord.File(io.BytesIO(chart), filename=CHART_NAME),
            ephemeral=True,
        )

    @digest.command(name="bridging", description="Which groups have met over coffee lately")
    @app_commands.describe(weeks="How many weeks to look back (1 to 52)")
    @coordinator_only
    async def bridging(
        self, interaction: Interaction, weeks: app_commands.Range[int, 1, 52] = 12
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        until = self.services.clock.now()
        matrix = await self.services.bridging.build(guild.id, until - timedelta(weeks=weeks), until)
        heatmap = await self.services.offload.draw(
            drawing.bridging_heatmap, matrix, self.services.report.texts
        )
        await interaction.followup.send(
            self.texts(
                "digest.bridging",
                weeks=weeks,
                met=matrix.distinct_pairs_met,
                possible=matrix.possible_pairs,
            ),
            file=discord.File(io.BytesIO(heatmap), filename="bridging.png"),
            ephemeral=True,
        )

    # /impact: the report funders read, for a month, quarter, year or any two dates

    @app_commands.command(name="impact", description="Coordinators: the impact report as files")
    @app_commands.describe(
        period="A month, a quarter or a year (this one so far, unless you say which)",
        which="Which one: 2026-11, 2026-Q4 or 2026",
        start="Or any two dates: the first day, as YYYY-MM-DD",
        end="The last day, as YYYY-MM-DD",
        month="A month, as YYYY-MM, with the month-on-month comparison too",
        auto_quarterly="Post each quarter's report in the coordinators' log channel: on or off",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @coordinator_only
    async def impact(
        self,
        interaction: Interaction,
        period: Literal["month", "quarter", "year"] | None = None,
        which: str | None = None,
        start: str | None = None,
        end: str | None = None,
        month: str | None = None,
        auto_quarterly: Literal["on", "off"] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        if auto_quarterly is not None:
            on = auto_quarterly == "on"
            await self.services.outcomes.set_auto_quarterly(guild.id, on)
            key = "digest.impact_auto_on" if on else "digest.impact_auto_off"
            await interaction.response.send_message(self.texts(key), ephemeral=True)
            return
        chosen, label = self._impact_period(period, which, start, end, month)
        await interaction.response.defer(ephemeral=True, thinking=True)
        files: list[discord.File] = []
        with tempfile.TemporaryDirectory(prefix="kindbot-impact-") as folder:
            out = Path(folder)
            if month is not None:
                files += await self._monthly_files(guild.id, chosen, out / "monthly")
            written = await self.services.funders.make_files(
                guild.id, chosen, guild.name, out / "funders", partial(_member_name, guild)
            )
            files += await asyncio.to_thread(funders_files, written)
        await interaction.followup.send(
            self.texts("digest.impact_ready", month=label), files=files[:10], ephemeral=True
        )

    def _impact_period(
        self,
        period: str | None,
        which: str | None,
        start: str | None,
        end: str | None,
        month: str | None,
    ) -> tuple[Period, str]:
        if month is not None:
            try:
                year, number = parse_month(month.strip())
            except ValueError:
                raise UserFacingError("digest.month_invalid", month=month[:20]) from None
            return Period.month(year, number), f"{year:04d}-{number:02d}"
        if start is not None or end is not None:
            try:
                first, last = parse_day(start or ""), parse_day(end or "")
            except ValueError:
                raise UserFacingError("digest.impact_dates_invalid") from None
            return Period.between(first, last), f"{first.isoformat()} to {last.isoformat()}"
        if which is not None:
            try:
                return parse_period(which), which.strip()
            except ValueError:
                raise UserFacingError("digest.impact_period_invalid", period=which[:20]) from None
        if period is None:
            raise UserFacingError("digest.impact_choose")
        today = self.services.clock.now().date()
        current = {
            "month": Period.month(today.year, today.month),
            "quarter": Period.quarter(today.year, (today.month - 1) // 3 + 1),
            "year": Period.year(today.year),
        }[period]
        return current, period

    async def _monthly_files(self, guild_id: int, chosen: Period, out: Path) -> list[discord.File]:
        written, heatmap = await self.services.report.make_files(
            guild_id, chosen.first.year, chosen.first.month, out
        )
        files = await asyncio.to_thread(
            lambda: [
                discord.File(io.BytesIO(path.read_bytes()), filename=path.name)
                for path in written
                if re.search(r"\.(html|csv)$", path.name)
            ]
        )
        files.append(discord.File(io.BytesIO(heatmap), filename="bridging.png"))
        return files


async def _member_name(guild: discord.Guild, user_id: int) -> str | None:
    member = guild.get_member(user_id)
    return member.display_name if member is not None else None


async def setup(bot: KindBot) -> None:
    await bot.add_cog(DigestCog(bot))
