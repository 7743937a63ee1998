"""The command line as a coordinator uses it: real processes, real files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from bot.db.migrations import discover

TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2Nzg5.GabCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"


def kindbot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    clean.update({"KINDBOT_DB": str(tmp_path / "kb.sqlite3"), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = kindbot(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("kindbot: DISCORD_TOKEN is not set")
    assert "Traceback" not in result.stderr


def test_bad_setting_never_echoes_the_token(tmp_path: Path) -> None:
    result = kindbot(tmp_path, "run", DISCORD_TOKEN=TOKEN, LOG_LEVEL="shouting")
    assert result.returncode == 2
    assert "LOG_LEVEL must be one of" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOG_LEVEL=nope\n")
    result = kindbot(tmp_path, "db", "status")
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr


def test_db_migrate_status_and_backup(tmp_path: Path) -> None:
    latest = len(discover())
    status = kindbot(tmp_path, "db", "status")
    assert "does not exist yet" in status.stdout

    migrated = kindbot(tmp_path, "db", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert f"schema version {latest}" in migrated.stdout

    status = kindbot(tmp_path, "db", "status")
    assert "Up to date." in status.stdout

    backup = kindbot(tmp_path, "db", "backup", "backups/copy.sqlite3")
    assert backup.returncode == 0, backup.stderr
    copy = tmp_path / "backups" / "copy.sqlite3"
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest
        assert conn.execute("SELECT count(*) FROM groups").fetchone()[0] == 0


def test_newer_database_is_refused_in_one_line(tmp_path: Path) -> None:
    assert kindbot(tmp_path, "db", "migrate").returncode == 0
    with closing(sqlite3.connect(tmp_path / "kb.sqlite3")) as conn:
        conn.execute("PRAGMA user_version = 99")
    result = kindbot(tmp_path, "db", "migrate")
    assert result.returncode == 2
    assert "schema version 99" in result.stderr
    assert "Traceback" not in result.stderr


def test_backup_without_database(tmp_path: Path) -> None:
    result = kindbot(tmp_path, "db", "backup", "x.sqlite3")
    assert result.returncode == 2
    assert "there is no database" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["db", "--help"]])
def test_help(tmp_path: Path, args: list[str]) -> None:
    result = kindbot(tmp_path, *args)
    assert result.returncode == 0
    assert "usage: kindbot" in result.stdout


def test_pair_command_reads_and_writes_json(tmp_path: Path) -> None:
    import json

    members = [{"id": f"m{i}", "group": "AB"[i % 2]} for i in range(6)]
    (tmp_path / "in.json").write_text(json.dumps({"members": members}))
    result = kindbot(tmp_path, "pair", "--input", "in.json", "--seed", "7", "--output", "out.json")
    assert result.returncode == 0, result.stderr
    output = json.loads((tmp_path / "out.json").read_text())
    assert sorted(m for meeting in output["meetings"] for m in meeting) == sorted(
        m["id"] for m in members
    )
    assert output["stats"]["same_group_pairs"] == 0
    (tmp_path / "bad.json").write_text("{not json")
    bad = kindbot(tmp_path, "pair", "--input", "bad.json")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
