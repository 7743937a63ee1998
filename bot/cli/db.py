"""``kindbot db``: migrate, status, backup and restore the database file.

Every problem (a file that is not a database, a read-only disk, a folder that cannot
be created) ends with one line and exit code 2; the connection is always closed, so
the command never hangs.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from bot.cli.common import CliError
from bot.db import Database, DatabaseOpenError
from bot.db.backup import BackupError, backup_to, restore_from
from bot.db.connection import describe
from bot.db.migrations import discover, migrate, status
from bot.settings import Settings


async def _open(path: Path) -> Database:
    db = Database(path)
    try:
        await db.connect()
    except DatabaseOpenError as exc:
        raise CliError(str(exc)) from exc
    return db


def _failure(path: Path, exc: OSError | sqlite3.Error) -> CliError:
    return CliError(f"cannot use the database {path} ({describe(exc)})")


async def db_migrate(settings: Settings) -> int:
    db = await _open(settings.db_path)
    try:
        applied = await migrate(db, backup_dir=settings.backup_dir)
        state = await status(db)
    except (OSError, sqlite3.Error) as exc:
        raise _failure(settings.db_path, exc) from exc
    finally:
        await db.close()
    if applied:
        names = ", ".join(m.label for m in applied)
        print(f"Applied {len(applied)} migration(s): {names}")
    print(f"{settings.db_path} is at schema version {state.current} (latest {state.latest}).")
    return 0


async def db_status(settings: Settings) -> int:
    if not settings.db_path.exists():
        pending = discover()
        print(f"{settings.db_path} does not exist yet; 'kindbot db migrate' creates it.")
        print("It will apply: " + ", ".join(m.label for m in pending))
        return 0
    db = await _open(settings.db_path)
    try:
        state = await status(db)
    except (OSError, sqlite3.Error) as exc:
        raise _failure(settings.db_path, exc) from exc
    finally:
        await db.close()
    print(f"Database: {state.path}")
    print(f"Schema version: {state.current} (this kindbot knows up to {state.latest})")
    if state.current > state.latest:
        print("This database is newer than this kindbot: upgrade kindbot before running it.")
    elif state.pending:
        print(f"An upgrade will apply {len(state.pending)} migration(s), after a backup:")
        for migration in state.pending:
            print(f"  {migration.label}")
    else:
        print("Up to date.")
    return 0


async def db_backup(settings: Settings, path: Path, *, force: bool) -> int:
    if not settings.db_path.is_file():
        raise CliError(f"there is no database at {settings.db_path} to back up")
    db = await _open(settings.db_path)
    try:
        target = await backup_to(db, path, force=force)
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    finally:
        await db.close()
    print(f"Backed up {settings.db_path} to {target}")
    return 0


async def db_restore(settings: Settings, path: Path) -> int:
    latest = len(discover())
    try:
        kept = restore_from(path, settings.db_path, latest, datetime.now().astimezone())
    except BackupError as exc:
        raise CliError(str(exc)) from exc
    print(f"Restored {settings.db_path} from {path}.")
    if kept is not None:
        print(f"The database it replaced is kept as {kept}.")
    return 0
