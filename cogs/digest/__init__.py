"""The weekly digest for everyone, and ``/impact`` for coordinators who report to funders.

What lives where:

- this module: the cog, its weekly job, ``/digest`` and ``/impact``;
- ``_render``: the digest as an embed.
"""

from __future__ import annotations

import io
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import coordinator_only
from bot.interaction import Interaction
from bot.models import ChannelPurpose, ScheduledJob
from bot.problems import UserFacingError
from bot.scheduler import JobContext, JobSkipped, JobSpec
from bot.services import charts
from bot.services.digest import Digest
from bot.services.report import parse_month
from cogs.digest._render import digest_embed
from cogs.shared.channels import configured_channel
from cogs.shared.delivery import Marker, post_once
from cogs.shared.guild import guild_for_job, guild_of

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
        chart = await self.services.offload.run(charts.digest_chart, digest, texts)
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
        heatmap = await self.services.offload.run(
            charts.bridging_heatmap, matrix, self.services.report.texts
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

    @app_commands.command(
        name="impact", description="Coordinators: the monthly impact report as files"
    )
    @app_commands.describe(month="The month, as YYYY-MM (for example 2026-11)")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @coordinator_only
    async def impact(self, interaction: Interaction, month: str) -> None:
        guild = guild_of(interaction)
        try:
            year, number = parse_month(month.strip())
        except ValueError:
            raise UserFacingError("digest.month_invalid", month=month[:20]) from None
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.services.report.build(guild.id, year, number)
        with tempfile.TemporaryDirectory(prefix="kindbot-impact-") as folder:
            out = Path(folder)
            written = await self.services.report.write(report, out)
            heatmap = await self.services.offload.run(
                charts.bridging_heatmap, report.current.bridging, self.services.report.texts
            )
            files = [
                discord.File(io.BytesIO(path.read_bytes()), filename=path.name)
                for path in written
                if re.search(r"\.(html|csv)$", path.name)
            ]
            files.append(discord.File(io.BytesIO(heatmap), filename="bridging.png"))
        await interaction.followup.send(
            self.texts("digest.impact_ready", month=f"{year:04d}-{number:02d}"),
            files=files[:10],
            ephemeral=True,
        )


async def setup(bot: KindBot) -> None:
    await bot.add_cog(DigestCog(bot))
