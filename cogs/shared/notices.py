"""Telling coordinators about things that need a human, in their log channel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.models import ChannelPurpose

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


async def tell_coordinators(bot: KindBot, guild: discord.Guild, text: str) -> bool:
    """Post in the coordinators' log channel; False (and a log line) if that is impossible."""
    config = await bot.services.guilds.config(guild.id)
    channel_id = config.channel(ChannelPurpose.LOG) if config else None
    channel = guild.get_channel(channel_id) if channel_id else None
    if not isinstance(channel, discord.TextChannel):
        log.warning("No usable log channel in guild %s for: %s", guild.id, text)
        return False
    try:
        await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("Could not post in the log channel of guild %s: %s", guild.id, exc)
        return False
    return True
