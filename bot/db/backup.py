"""Backups through SQLite's online backup API (safe while the bot is running), their
daily rotation, and restoring one.

A copy is written to a temporary file beside the target and renamed into place only
once it is complete and checked, so a failed backup never leaves half a file behind
and ``--force`` never destroys the previous copy before the new one exists.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterable
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import aiosqlite

from bot.clock import Clock
from bot.db.connection import Database, describe

log = logging.getLogger(__name__)

DAILY_KEEP = 7
WEEKLY_KEEP = 4
#: ``kindbot-2026-12-01.sqlite3``: one daily backup per day.
_DAILY_NAME = re.compile(r"^(?P<stem>.+)-(?P<day>\d{4}-\d{2}-\d{2})\.sqlite3$")
#: Tables every kindbot database has from its first migration on.
KINDBOT_TABLES = frozenset({"guilds", "groups", "meta", "job_runs"})


class BackupError(Exception):
    """A backup or restore cannot be done; the message is one line for a human."""


def _prepare_target(source: Path, target: Path, *, force: bool) -> Path:
    target = target.expanduser()
    if target.is_dir():
        target = target / f"{source.stem}-backup.sqlite3"
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError("the backup path is the database itself; choose another file")
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; add --force to replace it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"cannot create the folder {target.parent} ({describe(exc)})") from exc
    return target


def _check(path: Path) -> None:
    with closing(sqlite3.connect(path)) as check:
        result = check.execute("PRAGMA quick_check").fetchone()
    if result is None or result[0] != "ok":
        raise BackupError(f"the copy in {path} did not pass SQLite's check")


async def backup_to(db: Database, target: Path, *, force: bool = False) -> Path:
    """Copy the live database page by page into ``target`` and return its path."""
    target = await asyncio.to_thread(_prepare_target, db.path, target, force=force)
    partial = target.with_name(f".{target.name}.partial")
    try:
        async with aiosqlite.connect(partial) as destination, db.locked() as source:
            await source.backup(destination)
        await asyncio.to_thread(_finish, partial, target)
    except (OSError, sqlite3.Error) as exc:
        raise BackupError(f"cannot write a backup to {target} ({describe(exc)})") from exc
    finally:
        await asyncio.to_thread(_discard, partial)
    return target


def _finish(partial: Path, target: Path) -> None:
    _check(partial)
    os.replace(partial, target)


def _discard(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


# Rotation


def daily_backup_name(stem: str, day: date) -> str:
    return f"{stem}-{day.isoformat()}.sqlite3"


def backups_to_delete(names: Iterable[str], stem: str, today: date) -> list[str]:
    """Which daily backups to remove so that the last 7 daily and 4 weekly copies remain.

    Kept: every backup from the 7 days ending ``today``, and the newest backup of each
    of the 4 most recent calendar weeks (Monday to Sunday) up to ``today``, and always
    the newest backup, however old. Backups
    dated after ``today`` (the clock went back) and files not named like a daily
    backup of ``stem`` are never touched.
    """
    dated: dict[str, date] = {}
    for name in names:
        match = _DAILY_NAME.match(name)
        if match is None or match["stem"] != stem:
            continue
        try:
            dated[name] = date.fromisoformat(match["day"])
        except ValueError:
            continue
    keep = {n for n, d in dated.items() if d > today - timedelta(days=DAILY_KEEP)}
    this_monday = today - timedelta(days=today.weekday())
    for weeks_back in range(WEEKLY_KEEP):
        monday = this_monday - timedelta(weeks=weeks_back)
        in_week = [n for n, d in dated.items() if monday <= d < monday + timedelta(days=7)]
        if in_week:
            keep.add(max(in_week, key=lambda n: dated[n]))
    if dated:
        keep.add(max(dated, key=lambda n: dated[n]))
    return sorted(n for n in dated if n not in keep)


@dataclass(frozen=True)
class DailyBackup:
    made: Path | None
    deleted: tuple[Path, ...]


async def run_daily_backup(db: Database, backup_dir: Path, clock: Clock) -> DailyBackup:
    """Make today's backup (once a day) into ``backup_dir`` and prune the old ones.

    Safe to call as often as wanted: a day that already has its backup is skipped.
    Failures are logged and raised as :class:`BackupError`.
    """
    today = clock.now().date()
    stem = db.path.stem
    target = backup_dir / daily_backup_name(stem, today)
    made: Path | None = None
    if not await asyncio.to_thread(target.exists):
        try:
            made = await backup_to(db, target)
        except BackupError as exc:
            log.error("Daily backup failed: %s", exc)
            raise
        log.info("Daily backup written to %s", made)
    deleted = await asyncio.to_thread(_prune, backup_dir, stem, today)
    if deleted:
        log.info("Removed %d old backup(s) from %s", len(deleted), backup_dir)
    return DailyBackup(made, deleted)


async def keep_daily_backups(
    db: Database,
    backup_dir: Path,
    clock: Clock,
    *,
    first_after: timedelta = timedelta(minutes=1),
    check_every: timedelta = timedelta(hours=1),
) -> None:
    """Run :func:`run_daily_backup` shortly after start-up and then every hour, for
    ever (cancel the task to stop); a failed backup is logged and tried again later."""
    await asyncio.sleep(first_after.total_seconds())
    while True:
        with suppress(BackupError):
            await run_daily_backup(db, backup_dir, clock)
        await asyncio.sleep(check_every.total_seconds())


def _prune(backup_dir: Path, stem: str, today: date) -> tuple[Path, ...]:
    names = [p.name for p in backup_dir.iterdir()] if backup_dir.is_dir() else []
    deleted: list[Path] = []
    for name in backups_to_delete(names, stem, today):
        with suppress(FileNotFoundError):
            (backup_dir / name).unlink()
            deleted.append(backup_dir / name)
    return tuple(deleted)


async def backup_before_migration(db: Database, backup_dir: Path, version: int) -> Path:
    """A copy of the database as it was at ``version``, before migrations change it."""
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{db.path.stem}-v{version}-before-upgrade-{stamp}.sqlite3"
    return await backup_to(db, target, force=True)


# Restore


@dataclass(frozen=True)
class RestoreCheck:
    version: int


def check_restorable(path: Path, latest: int) -> RestoreCheck:
    """Refuse anything but an intact kindbot database no newer than this code."""
    if not path.is_file():
        raise BackupError(f"there is no file at {path}")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a kindbot database ({exc})") from exc
    if integrity is None or integrity[0] != "ok":
        raise BackupError(f"{path} is damaged (SQLite's integrity check failed)")
    if version < 1 or not tables >= KINDBOT_TABLES:
        raise BackupError(f"{path} is not a kindbot database (its tables are missing)")
    if version > latest:
        raise BackupError(
            f"{path} is at schema version {version}, newer than this kindbot knows "
            f"({latest}); upgrade kindbot before restoring it"
        )
    return RestoreCheck(version)


def restore_from(source: Path, db_path: Path, latest: int, now: datetime) -> Path | None:
    """Check ``source``, then put a copy of it at ``db_path``.

    The database it replaces is kept as ``<name>.before-restore-<timestamp>`` (returned),
    together with its ``-wal`` file. Stop the bot before restoring.
    """
    check_restorable(source, latest)
    if source.resolve() == db_path.resolve():
        raise BackupError("that file is the database itself; choose a backup")
    kept: Path | None = None
    staged = db_path.with_name(f".{db_path.name}.restoring")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staged)
        if db_path.exists():
            kept = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
            os.replace(db_path, kept)
            for suffix in ("-wal", "-shm"):
                side = db_path.with_name(db_path.name + suffix)
                if side.exists():
                    os.replace(side, kept.with_name(kept.name + suffix))
        os.replace(staged, db_path)
    except OSError as exc:
        raise BackupError(f"cannot restore into {db_path} ({describe(exc)})") from exc
    finally:
        with suppress(OSError):
            staged.unlink()
    return kept
