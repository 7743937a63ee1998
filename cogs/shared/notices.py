"""Telling coordinators about things that need a human, in their log channel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.models import ChannelPurpose
from cogs.shared.channels import configured_channel

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


async def tell_coordinators(bot: KindBot, guild: discord.Guild, text: str) -> bool:
    """Post in the coordinators' log channel; False (and a log line) if that is impossible."""
    channel = await configured_channel(bot, guild, ChannelPurpose.LOG)
    if channel is None:
        log.warning("No usable log channel in guild %s for: %s", guild.id, text)
        return False
    try:
        await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:
        log.warning("Could not post in the log channel of guild %s: %s", guild.id, exc)
        return False
    return True
