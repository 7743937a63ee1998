"""The ``kindbot`` command line (also ``python -m bot``).

Every expected failure prints one line starting with ``kindbot:`` and exits with
code 2; tracebacks are kept for real bugs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot import __version__
from bot.cli.content import add_parser as add_content_parser
from bot.cli.content import run_content_cli
from bot.db import Database
from bot.db.backup import backup_to
from bot.db.migrations import MigrationError, migrate, status
from bot.logging_setup import configure_logging
from bot.services.content import ContentError
from bot.settings import Settings, SettingsError, level_number, load_settings
from bot.text import TextError

log = logging.getLogger("kindbot")

EXIT_USAGE = 2


class CliError(Exception):
    """An expected failure, reported as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kindbot",
        description="kindbot: a Discord bot for Kindness Champions communities.",
    )
    parser.add_argument("--version", action="version", version=f"kindbot {__version__}")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="default: .env")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="connect to Discord and run the bot (the default)")
    sub.add_parser("sync", help="upload the slash commands to Discord now, then exit")
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("migrate", help="apply pending migrations")
    db_sub.add_parser("status", help="show the schema version and pending migrations")
    backup = db_sub.add_parser("backup", help="copy the live database to PATH")
    backup.add_argument("path", type=Path)
    pair = sub.add_parser("pair", help="offline coffee pairing from a JSON file")
    pair.add_argument("--input", required=True, help="JSON file with members and history")
    pair.add_argument("--seed", type=int, default=None, help="seed for a reproducible round")
    pair.add_argument("--output", default=None, help="write the result here (default: stdout)")
    report = sub.add_parser("report", help="write a monthly impact report from the database")
    report.add_argument("--guild", type=int, required=True, help="the server's id")
    report.add_argument("--month", required=True, help="YYYY-MM")
    report.add_argument("--out", type=Path, required=True, help="folder for report.html and CSVs")
    add_content_parser(sub)
    demo = sub.add_parser("demo", help="watch kindbot work offline, with no token")
    demo.add_argument("--out", type=Path, default=Path("demo-output"), help="default: demo-output")
    demo.add_argument("--weeks", type=int, default=4, choices=range(1, 9), metavar="1-8")
    demo.add_argument("--members", type=int, default=24, choices=range(6, 61), metavar="6-60")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    raise SystemExit(run_cli(argv))


def run_cli(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "pair":
        from bot.cli.pair import run_pair_cli

        return run_pair_cli(args.input, args.seed, args.output)
    if command == "content":
        return run_content_cli(args)
    if command == "demo":
        configure_logging(logging.WARNING)
        return _run_async(_demo(args.out, args.weeks, args.members))
    try:
        settings = load_settings(env_file=args.env_file)
        configure_logging(
            level_number(settings),
            secrets=[settings.token.reveal()] if settings.token else [],
        )
        if command == "report":
            from bot.cli.report import run_report_cli

            return run_report_cli(settings.db_path, args.guild, args.month, args.out)
        handler = _COMMANDS[command if command != "db" else f"db {args.db_command}"]
        return _run_async(handler(settings, args))
    except (SettingsError, CliError, MigrationError, TextError, ContentError) as exc:
        print(f"kindbot: {exc}", file=sys.stderr)
        return EXIT_USAGE


async def _demo(out: Path, weeks: int, members: int) -> int:
    from bot.demo.runner import run_demo

    await run_demo(out, weeks=weeks, members=members)
    return 0


def _run_async(coro: Coroutine[Any, Any, int]) -> int:
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        return 130


async def _db_migrate(settings: Settings, args: argparse.Namespace) -> int:
    db = Database(settings.db_path)
    await db.connect()
    try:
        applied = await migrate(db)
        state = await status(db)
    finally:
        await db.close()
    if applied:
        names = ", ".join(m.label for m in applied)
        print(f"Applied {len(applied)} migration(s): {names}")
    print(f"{settings.db_path} is at schema version {state.current} (latest {state.latest}).")
    return 0


async def _db_status(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.db_path.exists():
        print(f"{settings.db_path} does not exist yet; 'kindbot db migrate' creates it.")
        return 0
    db = Database(settings.db_path)
    await db.connect()
    try:
        state = await status(db)
    finally:
        await db.close()
    print(f"Database: {state.path}")
    print(f"Schema version: {state.current} (this kindbot knows up to {state.latest})")
    if state.current > state.latest:
        print("This database is newer than this kindbot: upgrade kindbot before running it.")
    elif state.pending:
        print("Pending: " + ", ".join(m.label for m in state.pending))
    else:
        print("Up to date.")
    return 0


async def _db_backup(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.db_path.exists():
        raise CliError(f"there is no database at {settings.db_path} to back up")
    db = Database(settings.db_path)
    await db.connect()
    try:
        target = await backup_to(db, args.path)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await db.close()
    print(f"Backed up {settings.db_path} to {target}")
    return 0


def _make_bot(settings: Settings, *, for_sync: bool = False) -> Any:
    from bot.core import KindBot
    from bot.wiring import Services

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


async def _sync(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.require_token()
    bot = _make_bot(settings, for_sync=True)
    async with bot:
        await _login(bot, token.reveal())
        await bot.sync_commands(force=True)
    where = f"server {settings.dev_guild}" if settings.dev_guild else "all servers"
    print(f"Slash commands synced to {where}.")
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.require_token()
    bot = _make_bot(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with bot:
        await _login(bot, token.reveal())
        connection = asyncio.create_task(bot.connect(reconnect=True))
        stopping = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if connection in done:
            stopping.cancel()
            _raise_connection_error(connection)
        else:
            log.info("Shutting down on request")
            await bot.close()
            await asyncio.gather(connection, return_exceptions=True)
    log.info("kindbot stopped")
    return 0


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


_COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "run": _run,
    "sync": _sync,
    "db migrate": _db_migrate,
    "db status": _db_status,
    "db backup": _db_backup,
}
