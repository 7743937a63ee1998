"""Autocomplete choices several cogs offer."""

from __future__ import annotations

from discord import app_commands

from bot.interaction import Interaction


async def group_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The server's groups whose names contain what has been typed so far."""
    if interaction.guild is None:
        return []
    groups = await interaction.client.services.setup.groups(interaction.guild.id)
    needle = current.casefold().strip()
    return [
        app_commands.Choice(name=g.name, value=g.name)
        for g in groups
        if needle in g.name.casefold()
    ][:25]
