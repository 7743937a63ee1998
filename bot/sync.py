"""Syncing slash commands on purpose: only when the command set actually changed.

Discord rate-limits command syncs, so the bot hashes what it would upload and
compares it with the hash stored after the last successful sync.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from bot.repos.meta import MetaRepo

log = logging.getLogger(__name__)


def command_hash(tree: app_commands.CommandTree[Any], guild: discord.Object | None) -> str:
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands(guild=guild)),
        key=lambda data: (data.get("type", 1), data["name"]),
    )
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[Any], meta: MetaRepo, dev_guild: int | None, *, force: bool
) -> bool:
    """Upload the command set if it changed (or ``force``); True when a sync happened.

    With a development guild, commands are copied there and synced to that guild
    only, which Discord applies instantly.
    """
    guild = discord.Object(id=dev_guild) if dev_guild else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = f"guild:{dev_guild}" if dev_guild else "global"
    key = f"command_hash:{scope}"
    digest = command_hash(tree, guild)
    if not force and await meta.get(key) == digest:
        log.info("Slash commands unchanged (%s); not syncing", scope)
        return False
    synced = await tree.sync(guild=guild)
    await meta.set(key, digest)
    log.info("Synced %d slash commands (%s)", len(synced), scope)
    return True
