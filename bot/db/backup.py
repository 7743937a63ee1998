"""Online backups through SQLite's backup API (safe while the bot is running)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import aiosqlite

from bot.db.connection import Database


def _prepare_target(source: Path, target: Path) -> Path:
    target = target.expanduser()
    if target.is_dir():
        target = target / f"{source.stem}-backup.sqlite3"
    if target.resolve() == source.resolve():
        raise ValueError("the backup path is the database itself; choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _check(target: Path) -> None:
    with closing(sqlite3.connect(target)) as check:
        check.execute("PRAGMA quick_check").fetchone()


async def backup_to(db: Database, target: Path) -> Path:
    """Copy the live database page by page into ``target`` and return its path."""
    target = _prepare_target(db.path, target)
    async with aiosqlite.connect(target) as destination, db.locked() as source:
        await source.backup(destination)
    _check(target)
    return target
