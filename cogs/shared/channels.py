"""Finding the channel a guild configured for a purpose, if it still exists."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.models import ChannelPurpose

if TYPE_CHECKING:
    from bot.core import KindBot


async def configured_channel(
    bot: KindBot, guild: discord.Guild, purpose: ChannelPurpose
) -> discord.TextChannel | None:
    """The text channel set for ``purpose``; None if unset, deleted or not a text channel."""
    config = await bot.services.setup.config(guild.id)
    channel_id = config.channel(purpose) if config else None
    channel = guild.get_channel(channel_id) if channel_id else None
    return channel if isinstance(channel, discord.TextChannel) else None
