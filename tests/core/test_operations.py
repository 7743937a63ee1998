"""Running kindbot for years: backups and their rotation, restore, health, logs."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database, migrate
from bot.db.backup import (
    BackupError,
    backups_to_delete,
    check_restorable,
    daily_backup_name,
    restore_from,
    run_daily_backup,
)
from bot.db.migrations import discover
from bot.heartbeat import HeartbeatWriter, check_health, heartbeat_path
from bot.logging_setup import configure_logging
from tests.core.test_cli import kindbot, one_line_failure

LATEST = len(discover())
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


# Rotation


def names_for(days: list[date]) -> list[str]:
    return [daily_backup_name("kb", d) for d in days]


def test_rotation_keeps_seven_daily_and_four_weekly() -> None:
    today = date(2026, 12, 1)  # a Tuesday
    every_day = [today - timedelta(days=n) for n in range(60)]
    deleted = set(backups_to_delete(names_for(every_day), "kb", today))
    kept = sorted(set(names_for(every_day)) - deleted)
    assert kept == sorted(
        names_for(
            [today - timedelta(days=n) for n in range(7)]
            + [date(2026, 11, 22), date(2026, 11, 15)]  # the Sundays of earlier weeks
        )
    )


def test_rotation_leaves_other_files_alone() -> None:
    names = ["notes.txt", "other-2020-01-01.sqlite3", "kb-2020-13-45.sqlite3"]
    assert backups_to_delete(names, "kb", date(2026, 12, 1)) == []


@given(
    st.sets(st.integers(min_value=-5, max_value=400), max_size=60),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 1, 1)),
)
def test_rotation_invariants(offsets: set[int], today: date) -> None:
    days = [today - timedelta(days=n) for n in offsets]
    names = names_for(days)
    deleted = set(backups_to_delete(names, "kb", today))
    kept = [d for d, n in zip(days, names, strict=True) if n not in deleted]
    assert len([d for d in kept if d <= today]) <= 7 + 4
    assert all(n in names for n in deleted)
    for d in days:
        if today - timedelta(days=7) < d or d > today:
            assert daily_backup_name("kb", d) not in deleted
    if days:
        assert max(days) in kept


async def make_db(path: Path) -> Database:
    db = Database(path)
    await db.connect()
    await migrate(db)
    return db


async def test_daily_backups_over_two_months_with_a_fake_clock(tmp_path: Path) -> None:
    db = await make_db(tmp_path / "kb.sqlite3")
    clock = FakeClock(NOW)
    folder = tmp_path / "backups"
    try:
        for _ in range(60):
            first = await run_daily_backup(db, folder, clock)
            again = await run_daily_backup(db, folder, clock)
            assert first.made is not None and again.made is None
            clock.advance(timedelta(days=1))
    finally:
        await db.close()
    files = sorted(p.name for p in folder.iterdir())
    assert 7 <= len(files) <= 11
    assert daily_backup_name("kb", (NOW + timedelta(days=59)).date()) in files
    with closing(sqlite3.connect(folder / files[-1])) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST


async def test_daily_backup_into_an_unusable_folder_raises_one_line(tmp_path: Path) -> None:
    db = await make_db(tmp_path / "kb.sqlite3")
    (tmp_path / "a-file").write_text("x")
    try:
        with pytest.raises(BackupError, match="cannot create the folder"):
            await run_daily_backup(db, tmp_path / "a-file" / "backups", FakeClock(NOW))
    finally:
        await db.close()


# Restore


async def make_closed_dbs(tmp_path: Path) -> None:
    backup = await make_db(tmp_path / "backup.sqlite3")
    await backup.execute("INSERT INTO meta (key, value) VALUES ('from', 'backup')")
    await backup.close()
    live = await make_db(tmp_path / "kb.sqlite3")
    await live.close()


def test_restore_checks_the_file_then_keeps_the_old_database(tmp_path: Path) -> None:
    asyncio.run(make_closed_dbs(tmp_path))

    result = kindbot(tmp_path, "db", "restore", "backup.sqlite3")
    assert result.returncode == 0, result.stderr
    kept = list(tmp_path.glob("kb.sqlite3.before-restore-*"))
    assert len(kept) == 1
    assert "kept as" in result.stdout
    with closing(sqlite3.connect(tmp_path / "kb.sqlite3")) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'from'").fetchone() == ("backup",)


def test_restore_refuses_a_file_that_is_not_kindbot(tmp_path: Path) -> None:
    (tmp_path / "kb.sqlite3").write_text("live data stays")
    (tmp_path / "notes.txt").write_text("not a database")
    with closing(sqlite3.connect(tmp_path / "other.sqlite3")) as conn:
        conn.execute("CREATE TABLE photos (x)")
        conn.execute("PRAGMA user_version = 2")
    one_line_failure(kindbot(tmp_path, "db", "restore", "notes.txt"), "is not a kindbot database")
    one_line_failure(kindbot(tmp_path, "db", "restore", "other.sqlite3"), "tables are missing")
    one_line_failure(kindbot(tmp_path, "db", "restore", "nowhere.sqlite3"), "no file")
    assert (tmp_path / "kb.sqlite3").read_text() == "live data stays"
    assert not list(tmp_path.glob("*.before-restore-*"))


async def test_restore_refuses_a_newer_database(tmp_path: Path) -> None:
    newer = await make_db(tmp_path / "newer.sqlite3")
    await newer.close()
    with closing(sqlite3.connect(tmp_path / "newer.sqlite3")) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(BackupError, match="newer than this kindbot"):
        check_restorable(tmp_path / "newer.sqlite3", LATEST)
    with pytest.raises(BackupError):
        restore_from(tmp_path / "newer.sqlite3", tmp_path / "kb.sqlite3", LATEST, NOW)
    assert not (tmp_path / "kb.sqlite3").exists()


# Health


def test_health_reports_fresh_stale_and_missing_heartbeats(tmp_path: Path) -> None:
    path = heartbeat_path(tmp_path / "kb.sqlite3")
    assert not check_health(path, NOW).healthy
    path.write_text((NOW - timedelta(seconds=40)).isoformat())
    assert check_health(path, NOW).healthy
    stale = check_health(path, NOW + timedelta(minutes=6))
    assert not stale.healthy and "6 minutes ago" in stale.message
    path.write_text("garbage")
    assert not check_health(path, NOW).healthy


async def test_heartbeat_writer_only_beats_while_connected(tmp_path: Path) -> None:
    connected = False
    clock = FakeClock(NOW)
    writer = HeartbeatWriter(tmp_path / "kb.heartbeat", lambda: connected, clock)
    assert not await writer.beat_once()
    assert not writer.path.exists()
    connected = True
    assert await writer.beat_once()
    assert check_health(writer.path, NOW + timedelta(minutes=4)).healthy
    assert not check_health(writer.path, NOW + timedelta(minutes=5, seconds=1)).healthy


def test_health_command_exit_codes(tmp_path: Path) -> None:
    missing = kindbot(tmp_path, "health")
    assert missing.returncode == 1
    assert missing.stderr.startswith("kindbot: no heartbeat") and missing.stderr.count("\n") == 1
    beat = heartbeat_path(tmp_path / "kb.sqlite3")
    beat.write_text((datetime.now(UTC) - timedelta(minutes=10)).isoformat())
    stale = kindbot(tmp_path, "health")
    assert stale.returncode == 1 and "10 minutes ago" in stale.stderr
    beat.write_text(datetime.now(UTC).isoformat())
    assert kindbot(tmp_path, "health").returncode == 0


# Logs


def test_json_logs_are_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    configure_logging(logging.INFO, secrets=["s3cret"], log_format="json")
    try:
        logging.getLogger("kindbot.test").info("Hello %s", "s3cret")
        try:
            raise RuntimeError("boom\nsecond line")
        except RuntimeError:
            logging.getLogger("kindbot.test").exception("It failed")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "Hello [redacted]" and first["level"] == "INFO"
    assert first["logger"] == "kindbot.test" and first["time"].endswith("+00:00")
    assert second["message"] == "It failed" and "RuntimeError: boom" in second["traceback"]


def test_text_logs_fold_tracebacks_into_one_line() -> None:
    from bot.logging_setup import TEXT_FORMAT, RedactingFormatter

    formatter = RedactingFormatter(TEXT_FORMAT, [])
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.LogRecord("kb", logging.ERROR, __file__, 1, "Oops", None, sys.exc_info())
    text = formatter.format(record)
    assert "\n" not in text and "Oops" in text and "ValueError: bad" in text


def test_start_up_does_not_warn_about_voice() -> None:
    code = (
        "import logging, discord\n"
        "from bot.logging_setup import configure_logging\n"
        "configure_logging(logging.INFO)\n"
        "discord.Client(intents=discord.Intents.none())\n"
        "logging.getLogger('discord.client').warning('a real warning')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "a real warning" in result.stderr
    assert "PyNaCl" not in result.stderr and "davey" not in result.stderr
