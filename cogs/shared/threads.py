"""Finding the meeting threads the bot already made, for the coffee and programme cogs.

Threads take no nonce, so before making a meeting's thread again (after a crash or a
lost answer) the bot looks for the one it made: by name in the channel, then in the
server's active threads.
"""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)


async def thread_by_id(guild: discord.Guild, thread_id: int | None) -> discord.Thread | None:
    """The thread with this id, from the cache or Discord; None when it is gone."""
    if thread_id is None:
        return None
    found = guild.get_thread(thread_id)
    if found is not None:
        return found
    try:
        fetched = await guild.fetch_channel(thread_id)
    except discord.HTTPException:
        return None
    return fetched if isinstance(fetched, discord.Thread) else None


async def own_thread_named(
    guild: discord.Guild, channel: discord.TextChannel, title: str, *, ask: bool
) -> discord.Thread | None:
    """A thread the bot already made in ``channel`` with this name; with ``ask``, also
    looked for among the server's active threads (one request)."""
    me = guild.me.id
    for thread in channel.threads:
        if thread.name == title and thread.owner_id == me:
            return thread
    if not ask:
        return None
    try:
        active = await guild.active_threads()
    except discord.HTTPException as exc:
        log.warning("Could not list the active threads of guild %s: %s", guild.id, exc)
        return None
    for thread in active:
        if thread.parent_id == channel.id and thread.name == title and thread.owner_id == me:
            return thread
    return None
