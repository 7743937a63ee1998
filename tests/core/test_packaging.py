"""The built wheel works on its own, away from any checkout: data folders, the command
line, and the offline demo (which starts the bot as a child process)."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


def _run(
    command: list[str], *, timeout: float, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding only the wheel; its dependencies come from this
    interpreter's site-packages through a path file, so nothing is downloaded but the
    build backend, and this checkout (or its editable install) is never on the path."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("kindbot-*.whl")
    venv = base / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], timeout=300).returncode == 0
    python = venv / "bin" / "python"
    own_site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            timeout=60,
        ).stdout.strip()
    )
    (own_site / "kindbot-test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    install = _run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    return venv


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    env.pop("PYTHONPATH", None)
    env["KINDBOT_DB"] = str(tmp_path / "installed.sqlite3")
    return env


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_wheel_install_ships_migrations_and_prompts(installed: Path, tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    migrated = _run(
        [str(installed / "bin" / "kindbot"), "db", "migrate"], cwd=tmp_path, env=env, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "Applied" in migrated.stdout

    probe = _run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import bot, bot.resources as r, bot.services.content as c, bot.text as t;"
            "print(bot.__file__); print(r.migrations_dir()); print(r.prompts_dir());"
            "print(len(c.load_content().conditions)); print(len(t.Messages.load().keys()) > 0)",
        ],
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    package, migrations, prompts, conditions, has_messages = probe.stdout.split()
    for path in (package, migrations, prompts):
        assert path.startswith(str(installed)) and not path.startswith(str(ROOT))
    assert conditions == "10"
    assert has_messages == "True"


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_demo_runs_from_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    demo = _run(
        [
            str(installed / "bin" / "kindbot"),
            "demo",
            "--weeks",
            "1",
            "--members",
            "8",
            "--out",
            "X",
        ],
        cwd=workdir,
        env=clean_env(tmp_path),
        timeout=600,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "8 people join as champions" in demo.stdout
    out = workdir / "X"
    assert (out / "digest-1.png").read_bytes().startswith(PNG)
    assert "Your coffee match this week" in (out / "transcript.txt").read_text(encoding="utf-8")
    assert "<html" in (out / "report" / "report.html").read_text(encoding="utf-8")
    assert (out / "report" / "figures.csv").is_file()
