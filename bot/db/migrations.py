"""Numbered SQL migrations, each applied in one real transaction.

``sqlite3.executescript`` commits any open transaction before it runs, so a
``BEGIN`` followed by ``executescript`` is not atomic. The runner instead splits a
file into single statements and executes them one by one between its own
``BEGIN IMMEDIATE`` and ``COMMIT``. The schema version is SQLite's
``PRAGMA user_version``, which is written inside the same transaction.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.db.backup import BackupError, backup_before_migration
from bot.db.connection import Database
from bot.resources import migrations_dir

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE
)


class MigrationError(Exception):
    """A migration file is malformed or failed; the database is left as it was."""


class SchemaTooNewError(MigrationError):
    """The database was written by a newer kindbot than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def label(self) -> str:
        return self.path.name

    def statements(self) -> list[str]:
        return split_statements(self.path.read_text(encoding="utf-8"), self.label)


@dataclass(frozen=True)
class MigrationStatus:
    path: Path
    current: int
    latest: int
    pending: tuple[Migration, ...]


def discover(directory: Path | None = None) -> list[Migration]:
    """List the migration files in order, checking they are numbered 1, 2, 3…"""
    folder = directory or migrations_dir()
    found: list[Migration] = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files must be named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"{migration.label}: expected migration number {expected:04d} here; "
                "numbers must start at 0001 with no gaps or repeats"
            )
    return found


def split_statements(script: str, label: str = "<script>") -> list[str]:
    """Split a script into complete statements (triggers with inner ``;`` stay whole)."""
    statements: list[str] = []
    start = 0
    for index, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : index + 1]):
            statement = script[start : index + 1].strip()
            start = index + 1
            if _is_only_comments(statement):
                continue
            if _TRANSACTION_CONTROL.match(_strip_leading_comments(statement)):
                raise MigrationError(
                    f"{label}: remove '{statement.split()[0]}'; "
                    "the runner wraps each file in its own transaction"
                )
            statements.append(statement)
    if not _is_only_comments(script[start:]):
        raise MigrationError(f"{label}: the last statement is not terminated with ';'")
    return statements


def _strip_leading_comments(sql: str) -> str:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return "\n".join(lines)


def _is_only_comments(sql: str) -> bool:
    return not _strip_leading_comments(sql).strip(" \t\r\n;")


async def schema_version(db: Database) -> int:
    async with db.locked() as conn, conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def status(db: Database, directory: Path | None = None) -> MigrationStatus:
    migrations = discover(directory)
    current = await schema_version(db)
    latest = migrations[-1].version if migrations else 0
    pending = tuple(m for m in migrations if m.version > current)
    return MigrationStatus(db.path, current, latest, pending)


async def migrate(
    db: Database, directory: Path | None = None, *, backup_dir: Path | None = None
) -> list[Migration]:
    """Bring the database up to the newest schema; return what was applied.

    A database that already holds data is first copied into ``backup_dir`` (by
    default ``backups`` beside it), so an upgrade can always be undone with
    ``kindbot db restore``.
    """
    state = await status(db, directory)
    if state.current > state.latest:
        raise SchemaTooNewError(
            f"The database {db.path} is at schema version {state.current}, but this kindbot "
            f"only knows versions up to {state.latest}. Upgrade kindbot, or point KINDBOT_DB "
            "at a backup made by this version."
        )
    if state.pending and state.current > 0:
        folder = backup_dir if backup_dir is not None else db.path.parent / "backups"
        try:
            copy = await backup_before_migration(db, folder, state.current)
        except BackupError as exc:
            raise MigrationError(
                f"no migration was applied, because the backup before upgrading failed: {exc}"
            ) from exc
        log.info("Backed up %s to %s before upgrading", db.path, copy)
    applied: list[Migration] = []
    for migration in state.pending:
        await _apply(db, migration)
        applied.append(migration)
        log.info("Applied migration %s", migration.label)
    return applied


async def _apply(db: Database, migration: Migration) -> None:
    statements = migration.statements()
    async with db.locked() as conn:
        # Foreign keys are switched off around the transaction (SQLite's documented
        # way to rebuild tables) and checked explicitly before committing.
        await conn.execute("PRAGMA foreign_keys = OFF")
        try:
            try:
                await conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise MigrationError(f"{migration.label} could not start: {exc}") from exc
            try:
                for statement in statements:
                    await conn.execute(statement)
                async with conn.execute("PRAGMA foreign_key_check") as cursor:
                    broken = list(await cursor.fetchall())
                if broken:
                    raise MigrationError(
                        f"{migration.label}: leaves {len(broken)} row(s) breaking a foreign key"
                    )
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_history ("
                    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                await conn.execute(
                    "INSERT INTO schema_history (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, datetime.now(UTC).isoformat()),
                )
                await conn.execute(f"PRAGMA user_version = {migration.version:d}")
                await conn.execute("COMMIT")
            except BaseException as exc:
                await conn.execute("ROLLBACK")
                if isinstance(exc, MigrationError):
                    raise
                if isinstance(exc, sqlite3.Error):
                    raise MigrationError(
                        f"{migration.label} failed and was rolled back: {exc}"
                    ) from exc
                raise
        finally:
            await conn.execute("PRAGMA foreign_keys = ON")
