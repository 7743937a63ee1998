"""A non-editable install works away from the checkout, data folders included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_wheel_install_ships_migrations_and_prompts(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=800,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    env.pop("PYTHONPATH", None)
    env["KINDBOT_DB"] = str(tmp_path / "installed.sqlite3")
    migrated = subprocess.run(
        [str(venv / "bin" / "kindbot"), "db", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "Applied" in migrated.stdout

    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import bot.resources as r, bot.services.content as c, bot.text as t;"
            "print(r.migrations_dir()); print(r.prompts_dir());"
            "print(len(c.load_content().conditions)); print(len(t.Messages.load().keys()) > 0)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    migrations, prompts, conditions, has_messages = probe.stdout.split()
    assert "site-packages" in migrations and "site-packages" in prompts
    assert not migrations.startswith(str(ROOT))
    assert conditions == "10"
    assert has_messages == "True"
