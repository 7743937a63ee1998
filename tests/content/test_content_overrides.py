"""Coordinators' own wording in KINDBOT_CONTENT_DIR, file by file over the shipped files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.resources import prompts_dir
from bot.services.content import (
    ContentError,
    content_problems,
    load_content,
    shipped_files,
)
from bot.services.report import load_report_texts
from bot.settings import SettingsError, load_settings
from bot.text import Messages, TextError
from bot.wiring import Services

SHIPPED = shipped_files()
SHIPPED_CONTENT = load_content()
SHIPPED_TEXTS = Messages.load()
FIRST_CONDITION = next(name for name in SHIPPED if name.startswith("conditions/01-"))


def _copy(names: list[str], target: Path) -> None:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prompts_dir() / name, target / name)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_files_are_every_wording_file() -> None:
    assert {"messages.toml", "report.toml", "nudges.toml", "interests.toml"} <= set(SHIPPED)
    assert "regions.toml" in SHIPPED
    assert sum(name.startswith("conditions/") for name in SHIPPED) == 10


def test_an_override_file_wins_and_absent_files_fall_back(tmp_path: Path) -> None:
    (tmp_path / "nudges.toml").write_text('nudges = ["Bring a flask of tea."]\n', "utf-8")
    _copy([FIRST_CONDITION], tmp_path)
    shipped_title = SHIPPED_CONTENT.condition(1).title
    _edit(tmp_path / FIRST_CONDITION, shipped_title, "Our own first condition")
    content = load_content(override=tmp_path)
    assert content.nudges == ("Bring a flask of tea.",)
    assert content.condition(1).title == "Our own first condition"
    assert content.conditions[1:] == SHIPPED_CONTENT.conditions[1:]
    assert content.regions == SHIPPED_CONTENT.regions
    assert content.interests == SHIPPED_CONTENT.interests


def test_own_messages_replace_only_what_they_name(tmp_path: Path) -> None:
    (tmp_path / "messages.toml").write_text(
        '[digest]\nmonth_invalid = "Try a month such as 2026-11, not “{month}”."\n', "utf-8"
    )
    texts = Messages.load(override_dir=tmp_path)
    assert texts("digest.month_invalid", month="soon") == "Try a month such as 2026-11, not “soon”."
    assert texts.keys() == SHIPPED_TEXTS.keys()
    assert texts("digest.impact_ready", month="2026-11") == SHIPPED_TEXTS(
        "digest.impact_ready", month="2026-11"
    )
    (tmp_path / "report.toml").write_text('[html]\ntitle = "Our month · {month}"\n', "utf-8")
    assert load_report_texts(tmp_path)("html.title", month="2026-11") == "Our month · 2026-11"
    assert load_report_texts()("html.title", month="x") != "Our month · x"


def test_own_messages_cannot_invent_keys_or_placeholders(tmp_path: Path) -> None:
    (tmp_path / "messages.toml").write_text(
        '[digest]\nmonth_invalid = "No {moth}."\nmonth_lost = "Where is it?"\n', "utf-8"
    )
    with pytest.raises(TextError) as caught:
        Messages.load(override_dir=tmp_path)
    problems = caught.value.problems
    assert len(problems) == 2
    assert all(str(tmp_path / "messages.toml") in p for p in problems)
    assert any("'digest.month_lost' is not one kindbot uses" in p for p in problems)
    assert any("{moth}" in p and "{month}" in p for p in problems)


def test_a_misnamed_override_file_is_reported_not_ignored(tmp_path: Path) -> None:
    _copy(["regions.toml"], tmp_path)
    (tmp_path / "regions.toml").rename(tmp_path / "region.toml")
    with pytest.raises(ContentError) as caught:
        load_content(override=tmp_path)
    assert caught.value.problems == (
        f"{tmp_path}/region.toml: is not read by kindbot (did you mean 'regions.toml'?)",
    )


def test_problems_name_the_override_file(tmp_path: Path) -> None:
    (tmp_path / "interests.toml").write_text('[[interest]]\nid = "Bad Id"\nlabel = "X"\n', "utf-8")
    problems = content_problems(tmp_path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path}/interests.toml: interest #1")
    assert content_problems(tmp_path / "absent") == [f"{tmp_path}/absent: folder is missing"]


def _rendered(texts: Messages) -> dict[str, str]:
    keys = sorted(texts.keys())
    return {k: texts(k, **dict.fromkeys(texts.placeholders(k), "x")) for k in keys}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(SHIPPED)))
def test_unchanged_copies_of_any_files_change_nothing(names: set[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _copy(sorted(names), Path(folder))
        assert load_content(override=Path(folder)) == SHIPPED_CONTENT
        assert _rendered(Messages.load(override_dir=Path(folder))) == _rendered(SHIPPED_TEXTS)
        assert content_problems(Path(folder)) == []


def test_the_setting_is_read_and_reaches_start_up(tmp_path: Path) -> None:
    env = {"KINDBOT_CONTENT_DIR": str(tmp_path / "missing")}
    with pytest.raises(SettingsError, match="KINDBOT_CONTENT_DIR must be a folder"):
        load_settings(env, env_file=None)
    wording = tmp_path / "wording"
    wording.mkdir()
    (wording / "nudges.toml").write_text('nudges = ["Say hello at the bus stop."]\n', "utf-8")
    (wording / "messages.toml").write_text('[errors]\ngone = "That has gone."\n', "utf-8")
    (wording / "report.toml").write_text('[csv]\nall = "Everyone"\n', "utf-8")
    settings_ = load_settings(
        {"KINDBOT_CONTENT_DIR": str(wording), "KINDBOT_DB": str(tmp_path / "db.sqlite3")},
        env_file=None,
    )
    assert settings_.content_dir == wording
    assert load_settings({}, env_file=None).content_dir is None
    services = Services.from_settings(settings_)
    assert services.content.nudges == ("Say hello at the bus stop.",)
    assert services.texts("errors.gone") == "That has gone."
    assert services.report.texts("csv.all") == "Everyone"
    shipped = Services.build(
        tmp_path / "other.sqlite3", clock=FakeClock(datetime(2026, 11, 23, tzinfo=UTC))
    )
    assert shipped.content == SHIPPED_CONTENT


# The command line, run as coordinators would, from a folder of their own.


def _kindbot(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "content", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_export_then_check_then_a_broken_file(tmp_path: Path) -> None:
    done = _kindbot(tmp_path, "export", "wording")
    assert done.returncode == 0, done.stderr
    assert "KINDBOT_CONTENT_DIR=wording" in done.stdout
    exported = tmp_path / "wording"
    for name in SHIPPED:
        assert (exported / name).read_bytes() == (prompts_dir() / name).read_bytes()

    done = _kindbot(tmp_path, "check", "wording")
    assert (done.returncode, done.stdout, done.stderr) == (0, "ok\n", "")

    _edit(exported / "nudges.toml", "nudges = [", "nudgez = [")
    _edit(exported / "messages.toml", "{month}", "{mnth}")
    done = _kindbot(tmp_path, "check", "wording")
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith("kindbot content: wording/") for line in lines)
    assert sum("nudges.toml" in line for line in lines) == 2  # the typo, and nudges missing
    assert any("messages.toml" in line and "{mnth}" in line for line in lines)
    assert "Traceback" not in done.stderr


def test_export_refuses_a_folder_with_files_unless_forced(tmp_path: Path) -> None:
    wording = tmp_path / "wording"
    wording.mkdir()
    (wording / "notes.txt").write_text("mine", "utf-8")
    done = _kindbot(tmp_path, "export", "wording")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--force" in done.stderr
    assert sorted(p.name for p in wording.iterdir()) == ["notes.txt"]

    done = _kindbot(tmp_path, "export", "wording", "--force")
    assert done.returncode == 0, done.stderr
    assert (wording / "notes.txt").read_text("utf-8") == "mine"
    assert (wording / "messages.toml").is_file()

    (tmp_path / "a-file").write_text("", "utf-8")
    done = _kindbot(tmp_path, "export", "a-file")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    done = _kindbot(tmp_path, "check", "nowhere")
    assert done.returncode == 2
    assert done.stderr == "kindbot content: nowhere: folder is missing\n"
