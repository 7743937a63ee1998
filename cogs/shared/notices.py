"""Telling coordinators about things that need a human, in their log channel."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord

from bot.models import ChannelPurpose
from bot.scheduler.delivery import RETRY_DELAYS
from cogs.shared.channels import configured_channel

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

_NO_PINGS = discord.AllowedMentions.none()


async def tell_coordinators(
    bot: KindBot, guild: discord.Guild, text: str, *, nonce: str | None = None
) -> bool:
    """Post in the coordinators' log channel; False (and a log line) if that is impossible.

    With a ``nonce`` the post is sent with ``enforce_nonce``: when Discord's answer is
    lost, it is sent again with the same nonce, and Discord returns the post it already
    made instead of making a second. Without one, a lost answer is not retried.
    """
    channel = await configured_channel(bot, guild, ChannelPurpose.LOG)
    if channel is None:
        log.warning("No usable log channel in guild %s for: %s", guild.id, text)
        return False
    for delay in (*RETRY_DELAYS, None) if nonce is not None else (None,):
        try:
            if nonce is None:
                await channel.send(text, allowed_mentions=_NO_PINGS)
            else:
                await channel.send(text, allowed_mentions=_NO_PINGS, nonce=nonce)
        except discord.HTTPException as exc:
            log.warning("Could not post in the log channel of guild %s: %s", guild.id, exc)
            return False
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.warning(
                "Log post in guild %s: Discord's answer was lost (%s: %s)%s",
                guild.id,
                type(exc).__name__,
                exc,
                "; sending again with the same nonce" if delay is not None else "",
            )
            if delay is None:
                return False
            await asyncio.sleep(delay)
            continue
        return True
    return False
