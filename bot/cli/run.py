"""``kindbot run`` and ``kindbot sync``: the two commands that connect to Discord."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

import aiohttp
import discord

from bot.cli.common import CliError
from bot.clock import SystemClock
from bot.core import KindBot
from bot.db.backup import keep_daily_backups
from bot.db.migrations import migrate
from bot.heartbeat import HeartbeatWriter, heartbeat_path
from bot.settings import Settings
from bot.wiring import Services

log = logging.getLogger("kindbot")


def make_bot(settings: Settings, *, for_sync: bool = False) -> KindBot:
    if settings.discord_api:
        from bot.endpoint import use_discord_api

        use_discord_api(settings.discord_api)
    return KindBot(
        Services.from_settings(settings),
        dev_guild=settings.dev_guild,
        auto_sync=not for_sync,
        start_scheduler=not for_sync,
        guild_ready_timeout=0.1 if settings.discord_api else 2.0,
    )


async def upgrade_database(bot: KindBot, settings: Settings) -> None:
    """Open and migrate the database before connecting, backing it up into
    ``KINDBOT_BACKUP_DIR`` first (the bot's own start-up then finds nothing to do)."""
    db = bot.services.db
    await db.connect()
    try:
        await migrate(db, backup_dir=settings.backup_dir)
    except BaseException:
        await db.close()
        raise


async def sync(settings: Settings) -> int:
    token = settings.require_token()
    bot = make_bot(settings, for_sync=True)
    await upgrade_database(bot, settings)
    async with bot:
        await _login(bot, token.reveal())
        await bot.sync_commands(force=True)
    where = f"server {settings.dev_guild}" if settings.dev_guild else "all servers"
    print(f"Slash commands synced to {where}.")
    return 0


async def run(settings: Settings) -> int:
    token = settings.require_token()
    bot = make_bot(settings)
    await upgrade_database(bot, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with bot:
        await _login(bot, token.reveal())
        heartbeat = HeartbeatWriter(heartbeat_path(settings.db_path), lambda: _connected(bot))
        heartbeat.start()
        upkeep = (
            [
                asyncio.create_task(
                    keep_daily_backups(bot.services.db, settings.backup_dir, SystemClock())
                )
            ]
            if settings.backups
            else []
        )
        try:
            connection = asyncio.create_task(bot.connect(reconnect=True))
            stopping = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait(
                {connection, stopping}, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            await heartbeat.stop()
            for task in upkeep:
                task.cancel()
            await asyncio.gather(*upkeep, return_exceptions=True)
        if connection in done:
            stopping.cancel()
            _raise_connection_error(connection)
        else:
            log.info("Shutting down on request")
            await bot.close()
            await asyncio.gather(connection, return_exceptions=True)
    log.info("kindbot stopped")
    return 0


def _connected(bot: KindBot) -> bool:
    """Ready, not closing, and the gateway socket is open (not reconnecting)."""
    return bot.is_ready() and not bot.is_closed() and bot.ws is not None and bot.ws.open


async def _login(bot: Any, token: str) -> None:
    try:
        await bot.login(token)
    except discord.LoginFailure as exc:
        raise CliError(
            "Discord refused DISCORD_TOKEN: reset the token on your application's Bot page "
            "and update the setting."
        ) from exc
    except aiohttp.ClientError as exc:
        raise CliError(f"cannot reach Discord ({exc}); check the network and try again") from exc


def _raise_connection_error(task: asyncio.Task[Any]) -> None:
    exc = task.exception()
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        raise CliError(
            "turn on the Server Members Intent on your application's Bot page "
            "in the Discord Developer Portal, then start kindbot again"
        )
    if exc is not None:
        raise exc
