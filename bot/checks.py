"""Who may use coordinator commands: server managers, plus an optional coordinator role."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import NotCoordinator

if TYPE_CHECKING:
    from bot.interaction import Interaction


async def is_coordinator(interaction: Interaction) -> bool:
    member = interaction.user
    if interaction.guild is None or not isinstance(member, discord.Member):
        raise app_commands.NoPrivateMessage()
    if member.guild_permissions.manage_guild:
        return True
    config = await interaction.client.services.setup.config(interaction.guild.id)
    role_id = config.coordinator_role_id if config else None
    if role_id is not None and any(role.id == role_id for role in member.roles):
        return True
    raise NotCoordinator()


coordinator_only = app_commands.check(is_coordinator)
