"""``/about``: which kindbot this is, how long it has run, and when its weekly jobs last ran.

This one module holds the cog; the facts come from ``AboutService``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.interaction import Interaction
from bot.models import ScheduledJob
from cogs.shared.guild import guild_id
from cogs.shared.style import KIND_GREEN

if TYPE_CHECKING:
    from bot.core import KindBot


_JOB_TITLES = {
    ScheduledJob.PAIRING: "about.job_pairing",
    ScheduledJob.PROMPT: "about.job_prompt",
    ScheduledJob.DIGEST: "about.job_digest",
}


class AboutCog(commands.Cog):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    @app_commands.command(name="about", description="Which kindbot this is and when it last ran")
    @app_commands.guild_only()
    async def about(self, interaction: Interaction) -> None:
        facts = await self.services.about.facts(guild_id(interaction))
        texts = self.texts
        embed = discord.Embed(
            title=texts("about.title", version=facts.version),
            description=texts("about.uptime", since=f"<t:{int(facts.started_at.timestamp())}:R>"),
            colour=KIND_GREEN,
        )
        for job, when in facts.last_runs.items():
            embed.add_field(
                name=texts(_JOB_TITLES[job]),
                value=texts("about.never") if when is None else f"<t:{int(when.timestamp())}:f>",
            )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: KindBot) -> None:
    await bot.add_cog(AboutCog(bot))
