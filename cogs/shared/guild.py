"""The one guard for "this needs a server": commands and buttons used in a DM stop here,
and scheduled jobs for a server the bot cannot see are skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.interaction import Interaction
from bot.scheduler import JobContext, JobSkipped

if TYPE_CHECKING:
    from bot.core import KindBot


def guild_of(interaction: Interaction) -> discord.Guild:
    """The server the interaction came from; outside one, the member is told it needs one."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


def guild_id(interaction: Interaction) -> int:
    return guild_of(interaction).id


def guild_for_job(bot: KindBot, ctx: JobContext) -> discord.Guild:
    """The server a scheduled job is for; the job is skipped while the bot cannot see it."""
    guild = bot.get_guild(ctx.guild_id)
    if guild is None:
        raise JobSkipped("the server is not available")
    return guild
