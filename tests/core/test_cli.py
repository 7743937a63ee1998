"""The command line as a coordinator uses it: real processes, real files."""

from __future__ import annotations

import argparse
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


# Failures are one line and exit code 2, never a traceback or a hang


def one_line_failure(result: subprocess.CompletedProcess[str], hint: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("kindbot: "), result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert hint in result.stderr


def read_only(folder: Path, command: list[str]) -> list[str]:
    """``command`` run with ``folder`` on a read-only file system.

    Root ignores file modes, so as root the folder is bind-mounted read-only in a
    private mount namespace; anyone else gets a folder without write permission.
    """
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return command
    script = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return ["unshare", "--mount", "sh", "-c", script, str(folder), *command]


def kindbot_in(tmp_path: Path, command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    clean.update({"KINDBOT_DB": str(tmp_path / "kb.sqlite3"), **env})
    return subprocess.run(
        command, cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=60
    )


KINDBOT = [sys.executable, "-m", "bot"]


@pytest.mark.parametrize("action", [["status"], ["migrate"], ["backup", "copy.sqlite3"]])
def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path, action: list[str]) -> None:
    (tmp_path / "kb.sqlite3").write_text("these are my notes, not a database\n")
    one_line_failure(kindbot(tmp_path, "db", *action), "is not a database")


def test_database_under_a_regular_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file\n")
    result = kindbot(tmp_path, "db", "migrate", KINDBOT_DB=str(tmp_path / "notes.txt" / "kb.db"))
    one_line_failure(result, "is a file")


def test_migration_on_a_read_only_disk_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    with closing(sqlite3.connect(folder / "kb.sqlite3")) as conn:
        conn.execute("CREATE TABLE scratch (x)")
    result = kindbot_in(
        tmp_path,
        read_only(folder, [*KINDBOT, "db", "migrate"]),
        KINDBOT_DB=str(folder / "kb.sqlite3"),
    )
    one_line_failure(result, "cannot use the database")


def test_backup_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    assert kindbot(tmp_path, "db", "migrate").returncode == 0
    folder = tmp_path / "ro"
    folder.mkdir()
    for target in (folder / "copy.sqlite3", folder / "deeper" / "copy.sqlite3"):
        result = kindbot_in(tmp_path, read_only(folder, [*KINDBOT, "db", "backup", str(target)]))
        one_line_failure(result, "cannot")
        assert not target.exists()


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert kindbot(tmp_path, "db", "migrate").returncode == 0
    (tmp_path / "copy.sqlite3").write_text("an older copy")
    one_line_failure(kindbot(tmp_path, "db", "backup", "copy.sqlite3"), "--force")
    assert (tmp_path / "copy.sqlite3").read_text() == "an older copy"
    forced = kindbot(tmp_path, "db", "backup", "copy.sqlite3", "--force")
    assert forced.returncode == 0, forced.stderr
    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(discover())


def test_demo_onto_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder")
    one_line_failure(kindbot(tmp_path, "demo", "--out", "taken"), "is a file")


def test_demo_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    result = kindbot_in(tmp_path, read_only(folder, [*KINDBOT, "demo", "--out", str(folder)]))
    one_line_failure(result, "cannot write to")


def test_only_run_and_sync_need_a_well_formed_token(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=pasted-the-wrong-thing\n")
    status = kindbot(tmp_path, "db", "status")
    assert status.returncode == 0, status.stderr
    assert "does not exist yet" in status.stdout
    one_line_failure(kindbot(tmp_path, "run"), "does not look like a bot token")
    one_line_failure(kindbot(tmp_path, "sync"), "does not look like a bot token")


@pytest.mark.parametrize(
    "args",
    [
        ["--env-file", "missing.env", "db", "status"],
        ["db", "status", "--env-file", "missing.env"],
        ["db", "--env-file", "missing.env", "status"],
    ],
)
def test_a_named_env_file_must_exist(tmp_path: Path, args: list[str]) -> None:
    one_line_failure(kindbot(tmp_path, *args), "missing.env does not exist")


def test_env_file_works_after_the_subcommand(tmp_path: Path) -> None:
    (tmp_path / "custom.env").write_text("LOG_LEVEL=shouting\n")
    assert kindbot(tmp_path, "db", "status").returncode == 0
    one_line_failure(kindbot(tmp_path, "db", "status", "--env-file", "custom.env"), "LOG_LEVEL")


def test_status_lists_what_an_upgrade_will_migrate(tmp_path: Path) -> None:
    from bot.db.migrations import split_statements

    migrations = discover()
    with closing(sqlite3.connect(tmp_path / "kb.sqlite3")) as conn:
        for statement in split_statements(migrations[0].path.read_text()):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
    status = kindbot(tmp_path, "db", "status")
    assert f"will apply {len(migrations) - 1} migration(s)" in status.stdout
    for migration in migrations[1:]:
        assert migration.label in status.stdout
    migrated = kindbot(tmp_path, "db", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    backups = list((tmp_path / "backups").glob("kb-v1-before-upgrade-*.sqlite3"))
    assert len(backups) == 1
    with closing(sqlite3.connect(backups[0])) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_version(tmp_path: Path) -> None:
    from bot import __version__

    result = kindbot(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"kindbot {__version__}"


def test_every_command_and_option_has_a_help_line() -> None:
    from bot.cli import build_parser

    def walk(parser: argparse.ArgumentParser, path: str) -> list[str]:
        missing: list[str] = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                helps = {a.dest: a.help for a in action._choices_actions}
                for name, child in action.choices.items():
                    if not helps.get(name):
                        missing.append(f"{path} {name}")
                    missing.extend(walk(child, f"{path} {name}"))
            elif not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
        return missing

    parser = build_parser()
    assert walk(parser, "kindbot") == []
    assert "health" in parser.format_help()


def loaded_modules(tmp_path: Path, *args: str) -> set[str]:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['kindbot', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('bot', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sys.modules), file=sys.stderr)\n"
    )
    result = kindbot_in(tmp_path, [sys.executable, "-c", code])
    return set(result.stderr.split())


def test_pair_loads_neither_discord_nor_matplotlib(tmp_path: Path) -> None:
    import json

    (tmp_path / "in.json").write_text(json.dumps({"members": [{"id": "a"}, {"id": "b"}]}))
    modules = loaded_modules(tmp_path, "pair", "--input", "in.json")
    assert "bot.services.pairing" in modules
    assert not {m for m in modules if m.split(".")[0] in {"discord", "matplotlib"}}


def test_run_help_does_not_load_the_emulator(tmp_path: Path) -> None:
    modules = loaded_modules(tmp_path, "run", "--help")
    assert "bot.cli" in modules
    assert not {m for m in modules if m.split(".")[0] == "sandbox"}


def test_the_readme_pair_example_runs_as_written(tmp_path: Path) -> None:
    import json
    import re
    import shlex

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Offline pairing", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(json|sh)\n(.*?)```", section, flags=re.S)
    (_, given), (_, command), (_, printed) = blocks[:3]
    args = shlex.split(command)
    assert args[0] == "kindbot"
    (tmp_path / args[args.index("--input") + 1]).write_text(given)
    result = kindbot(tmp_path, *args[1:])
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output == json.loads(printed)
    for key in ["meetings", *(f"stats.{name}" for name in output["stats"])]:
        assert f"| `{key}` |" in section, f"the README does not explain {key}"


def test_a_failed_login_stops_quietly(tmp_path: Path) -> None:
    result = kindbot(tmp_path, "run", DISCORD_TOKEN=TOKEN, KINDBOT_DISCORD_API="http://127.0.0.1:1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("kindbot: cannot reach Discord")
    assert "Scheduler stopped" not in result.stderr
    assert "voice will NOT be supported" not in result.stderr
    assert "Traceback" not in result.stderr


def test_pair_warns_once_when_a_repeat_cannot_be_avoided(tmp_path: Path) -> None:
    import json

    document = {
        "members": [{"id": "a", "group": "A"}, {"id": "b", "group": "B"}],
        "history": [{"round": 1, "meetings": [["a", "b"]]}],
    }
    (tmp_path / "in.json").write_text(json.dumps(document))
    result = kindbot(tmp_path, "pair", "--input", "in.json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stats"]["repeats"] == 1
    assert result.stderr.splitlines() == [
        "kindbot pair: warning: no round avoids every recent pair; this one has 1 repeat(s)"
    ]
