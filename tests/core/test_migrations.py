from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.db import Database, MigrationError, SchemaTooNewError, migrate
from bot.db.migrations import discover, split_statements, status
from bot.resources import migrations_dir


async def _open(path: Path) -> Database:
    db = Database(path)
    await db.connect()
    return db


def _copy_migrations(target: Path) -> Path:
    folder = target / "migrations"
    shutil.copytree(migrations_dir(), folder)
    return folder


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {r[0] for r in rows}


async def test_fresh_database_reaches_latest_version(tmp_path: Path) -> None:
    db = await _open(tmp_path / "fresh.sqlite3")
    applied = await migrate(db)
    state = await status(db)
    pragmas = {
        name: await db.fetchval(f"PRAGMA {name}")
        for name in ("journal_mode", "foreign_keys", "busy_timeout")
    }
    await db.close()
    assert [m.version for m in applied] == list(range(1, len(discover()) + 1))
    assert state.current == state.latest == len(discover())
    assert not state.pending
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}
    assert {"guilds", "groups", "job_runs", "job_steps", "meta"} <= _tables(db.path)


async def test_migrate_twice_is_a_no_op(db: Database) -> None:
    assert await migrate(db) == []


async def test_upgrade_applies_only_the_new_migration(tmp_path: Path) -> None:
    folder = _copy_migrations(tmp_path)
    db = await _open(tmp_path / "upgrade.sqlite3")
    before = await migrate(db, folder)
    await db.execute("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
    number = len(before) + 1
    (folder / f"{number:04d}_add_notes.sql").write_text(
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
        "INSERT INTO notes (body) VALUES ('semi;colon inside a string');\n"
    )
    applied = await migrate(db, folder)
    kept = await db.fetchval("SELECT value FROM meta WHERE key = 'kept'")
    body = await db.fetchval("SELECT body FROM notes")
    version = await db.fetchval("PRAGMA user_version")
    await db.close()
    assert [m.version for m in applied] == [number]
    assert kept == "yes"
    assert body == "semi;colon inside a string"
    assert version == number


async def test_failing_migration_leaves_database_byte_for_byte(tmp_path: Path) -> None:
    folder = _copy_migrations(tmp_path)
    path = tmp_path / "broken.sqlite3"
    db = await _open(path)
    await migrate(db, folder)
    await db.execute("INSERT INTO meta (key, value) VALUES ('before', '1')")
    await db.close()
    original = path.read_bytes()

    number = len(discover(folder)) + 1
    (folder / f"{number:04d}_half_broken.sql").write_text(
        "CREATE TABLE half (id INTEGER PRIMARY KEY);\n"
        "INSERT INTO half (id) VALUES (1);\n"
        "UPDATE meta SET value = 'changed' WHERE key = 'before';\n"
        "INSERT INTO no_such_table VALUES (1);\n"
    )
    db = await _open(path)
    with pytest.raises(MigrationError, match=r"half_broken\.sql failed and was rolled back"):
        await migrate(db, folder)
    await db.close()

    assert path.read_bytes() == original
    assert "half" not in _tables(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == number - 1
        assert conn.execute("SELECT value FROM meta WHERE key='before'").fetchone()[0] == "1"


async def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = await _open(path)
    await migrate(db)
    await db.execute("PRAGMA user_version = 999")
    with pytest.raises(SchemaTooNewError) as raised:
        await migrate(db)
    await db.close()
    assert "schema version 999" in str(raised.value)
    assert "Upgrade kindbot" in str(raised.value)


def test_split_keeps_triggers_whole() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE a (x INTEGER);
    CREATE TRIGGER t AFTER INSERT ON a BEGIN
        UPDATE a SET x = x + 1; SELECT 1;
    END;
    """
    statements = split_statements(script)
    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")


@pytest.mark.parametrize(
    ("script", "problem"),
    [
        ("BEGIN;\nCREATE TABLE a (x);\nCOMMIT;", "remove 'BEGIN;'"),
        ("CREATE TABLE a (x)", "not terminated"),
    ],
)
def test_split_rejects_transaction_control_and_unterminated(script: str, problem: str) -> None:
    with pytest.raises(MigrationError, match=problem):
        split_statements(script, "0009_bad.sql")


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        (["0001_a.sql", "0003_c.sql"], "expected migration number 0002"),
        (["0001_a.sql", "0001_b.sql"], "expected migration number 0002"),
        (["1_a.sql"], "must be named NNNN_name.sql"),
    ],
)
def test_discover_checks_numbering(tmp_path: Path, names: list[str], problem: str) -> None:
    for name in names:
        (tmp_path / name).write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=problem):
        discover(tmp_path)
