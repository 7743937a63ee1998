"""The ``kindbot`` command line (also ``python -m bot``): the parser and the dispatch.

Each front end lives in its own module (``run``, ``db``, ``health``, ``pair``,
``report``, ``demo``) and is imported only when chosen, so ``kindbot pair`` never
loads discord.py or matplotlib. Every expected failure prints one line starting with
``kindbot:`` and exits with code 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.cli.common import EXIT_USAGE, CliError, quiet_logging, run_async, setup_logging
from bot.settings import Settings, SettingsError, load_settings

ENV_FILE = Path(".env")


def _env_file_option() -> argparse.ArgumentParser:
    # SUPPRESS keeps a value given before the subcommand from being reset by the
    # subcommand's own (absent) copy of the option.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--env-file",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="read settings from FILE instead of ./.env (it must exist)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _env_file_option()
    parser = argparse.ArgumentParser(
        prog="kindbot",
        description="kindbot: a Discord bot for Kindness Champions communities.",
        parents=[common],
    )
    parser.add_argument(
        "--version", action="version", version=f"kindbot {__version__}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(
        group: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str
    ) -> argparse.ArgumentParser:
        return group.add_parser(name, help=text, description=text, parents=[common])

    add(sub, "run", "connect to Discord and run the bot (the default)")
    add(sub, "sync", "upload the slash commands to Discord now, then exit")
    add(sub, "health", "exit 0 if the running bot's heartbeat is fresh, 1 if not")

    db = add(sub, "db", "database tools: migrate, status, backup, restore")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add(db_sub, "migrate", "apply pending migrations (after backing the database up)")
    add(db_sub, "status", "show the schema version and what an upgrade will migrate")
    backup = add(db_sub, "backup", "copy the live database to PATH (safe while the bot runs)")
    backup.add_argument("path", type=Path, metavar="PATH", help="a file, or a folder to put it in")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    restore = add(db_sub, "restore", "replace the database with the backup at PATH")
    restore.add_argument("path", type=Path, metavar="PATH", help="a backup made by kindbot")

    pair = add(sub, "pair", "offline coffee pairing from a JSON file")
    pair.add_argument("--input", required=True, help="JSON file with members and history")
    pair.add_argument("--seed", type=int, default=None, help="seed for a reproducible round")
    pair.add_argument("--output", default=None, help="write the result here (default: stdout)")

    report = add(sub, "report", "write an impact report from the database")
    report.add_argument("--guild", type=int, required=True, help="the server's id")
    when = report.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help="2026-11 (a month), 2026-Q4 (a quarter) or 2026 (a year)")
    when.add_argument("--month", help="a month, as YYYY-MM (also writes the monthly comparison)")
    when.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="the first day counted")
    report.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="the last day counted")
    report.add_argument("--name", default=None, help="the community's name for the report")
    report.add_argument("--out", type=Path, required=True, help="folder for the report and CSVs")

    demo = add(sub, "demo", "watch kindbot work offline, with no token")
    demo.add_argument(
        "--out", type=Path, default=Path("demo-output"), help="output folder (demo-output)"
    )
    demo.add_argument(
        "--weeks",
        type=int,
        default=4,
        choices=range(1, 9),
        metavar="1-8",
        help="simulated weeks (4)",
    )
    demo.add_argument(
        "--members",
        type=int,
        default=24,
        choices=range(6, 61),
        metavar="6-60",
        help="champions taking part (24)",
    )

    from bot.cli.content import add_parser as add_content_parser

    add_content_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    raise SystemExit(run_cli(argv))


def run_cli(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except (SettingsError, CliError) as exc:
        print(f"kindbot: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _settings(args: argparse.Namespace) -> Settings:
    env_file: Path | None = getattr(args, "env_file", None)
    settings = load_settings(
        env_file=env_file if env_file is not None else ENV_FILE,
        required_env_file=env_file is not None,
    )
    setup_logging(settings)
    return settings


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command or "run"
    if command == "pair":
        from bot.cli.pair import run_pair_cli

        quiet_logging(logging.ERROR)  # the command prints its own warning
        return run_pair_cli(args.input, args.seed, args.output)
    if command == "demo":
        from bot.cli.demo import demo

        quiet_logging()
        return run_async(demo(args.out, args.weeks, args.members))
    if command == "content":
        from bot.cli.content import run_content_cli

        return run_content_cli(args)
    settings = _settings(args)
    if command == "health":
        from bot.cli.health import health

        return health(settings)
    if command == "report":
        from bot.cli.report import run_report_cli

        return run_report_cli(
            settings.db_path,
            args.guild,
            args.month,
            args.out,
            content_dir=settings.content_dir,
            period=args.period,
            first=args.first,
            last=args.last,
            community=args.name,
        )
    if command == "db":
        return _db(settings, args)
    return _connect(settings, command)


def _db(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import db
    from bot.db import MigrationError

    try:
        if args.db_command == "migrate":
            return run_async(db.db_migrate(settings))
        if args.db_command == "status":
            return run_async(db.db_status(settings))
        if args.db_command == "backup":
            return run_async(db.db_backup(settings, args.path, force=args.force))
        return run_async(db.db_restore(settings, args.path))
    except MigrationError as exc:
        raise CliError(str(exc)) from exc


def _connect(settings: Settings, command: str) -> int:
    settings.require_token()
    from bot.cli import run
    from bot.db import DatabaseOpenError, MigrationError
    from bot.services.content import ContentError
    from bot.text import TextError

    try:
        return run_async(run.sync(settings) if command == "sync" else run.run(settings))
    except (MigrationError, DatabaseOpenError, TextError, ContentError) as exc:
        raise CliError(str(exc)) from exc
