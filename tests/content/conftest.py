"""Build small, valid content folders in tmp so each test can break exactly one thing.

The folders are generated from data rather than copied from ``prompts/`` so that
coordinators can reword the shipped content without breaking these tests.
"""

from __future__ import annotations

import copy
import math
import shutil
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from bot.services.content import ContentError, ContentLibrary, load_content


def _escape(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\' or code < 0x20 or code == 0x7F or not char.isprintable():
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: Any) -> str:
    """Write one Python value as TOML (inline tables and arrays only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_escape(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(data: Mapping[str, Any]) -> str:
    """Write a top-level table as TOML text."""
    return "".join(f"{_escape(key)} = {toml_value(value)}\n" for key, value in data.items())


def condition_path(number: int) -> str:
    return f"conditions/{number:02d}-condition.toml"


def valid_files() -> dict[str, dict[str, Any]]:
    """The smallest content that passes every rule, keyed by path inside the folder."""
    files: dict[str, dict[str, Any]] = {}
    for n in range(1, 11):
        files[condition_path(n)] = {
            "number": n,
            "title": f"Condition {n}",
            "explanation": f"What condition {n} means. Why it matters.",
            "discussion_prompts": [f"Discussion {n}.{i}?" for i in range(1, 5)],
            "coffee_starters": [f"Starter {n}.{i}?" for i in range(1, 5)],
            "reflection_questions": [f"Reflection {n}.{i}?" for i in range(1, 4)],
        }
    files["nudges.toml"] = {"nudges": ["Say hello.", "Share a biscuit.", "Ask how they are."]}
    files["interests.toml"] = {
        "interest": [
            {"id": "food", "label": "Food & cooking"},
            {"id": "walking", "label": "Walking"},
            {"id": "music", "label": "Music"},
        ]
    }
    files["regions.toml"] = {
        "region": [
            {"id": "london", "label": "London", "timezone": "Europe/London"},
            {"id": "scotland", "label": "Scotland", "timezone": "Europe/London"},
            {"id": "elsewhere", "label": "Somewhere else", "ask_timezone": True},
        ]
    }
    return files


class ContentFolder:
    """A content folder called ``prompts`` under tmp, described by ``files``."""

    def __init__(self, parent: Path) -> None:
        self.root = parent / "prompts"
        self.files: dict[str, dict[str, Any]] = valid_files()
        self.raw: dict[str, bytes] = {}

    def write(self) -> Path:
        if self.root.exists():
            shutil.rmtree(self.root)
        (self.root / "conditions").mkdir(parents=True)
        for name, data in self.files.items():
            (self.root / name).write_text(to_toml(data), encoding="utf-8")
        for name, content in self.raw.items():
            (self.root / name).write_bytes(content)
        return self.root

    def load(self) -> ContentLibrary:
        return load_content(self.write())

    def problems(self) -> tuple[str, ...]:
        with pytest.raises(ContentError) as caught:
            self.load()
        return caught.value.problems

    def problem(self) -> str:
        """The single problem this folder has; fails if there are none or several."""
        problems = self.problems()
        assert len(problems) == 1, problems
        return problems[0]

    def copy(self) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.files)


@pytest.fixture
def content(tmp_path: Path) -> ContentFolder:
    return ContentFolder(tmp_path)


@pytest.fixture(scope="session")
def make_folder() -> type[ContentFolder]:
    """For tests that need several folders, such as hypothesis examples."""
    return ContentFolder
