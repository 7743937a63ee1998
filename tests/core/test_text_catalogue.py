"""Every message the code asks for exists, and every placeholder it fills is known."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.text import Messages, TextError

ROOT = Path(__file__).resolve().parents[2]
PREFIXES = (
    "common.",
    "errors.",
    "setup.",
    "onboarding.",
    "profile.",
    "coffee.",
    "kindness.",
    "reflect.",
    "prompts.",
    "digest.",
    "champions.",
    "privacy.",
    "impact.",
)


def _message_keys_in_code() -> set[str]:
    keys: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("cogs").rglob("*.py")]:
        if "demo" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if value.startswith(PREFIXES) and " " not in value and value.count(".") == 1:
                    keys.add(value)
    return keys


def test_every_key_used_in_code_exists() -> None:
    catalogue = Messages.load()
    missing = sorted(_message_keys_in_code() - catalogue.names())
    assert missing == []


def test_catalogue_has_no_unused_messages() -> None:
    catalogue = Messages.load()
    unused = sorted(catalogue.names() - _message_keys_in_code())
    assert unused == []


def test_missing_placeholder_is_reported() -> None:
    catalogue = Messages({"a.b": "Hello {name}"})
    assert catalogue("a.b", name="Sam") == "Hello Sam"
    with pytest.raises(TextError, match="needs 'name'"):
        catalogue("a.b")
    with pytest.raises(TextError, match=r"has no message 'a\.c'"):
        catalogue("a.c")


def test_broken_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "messages.toml"
    bad.write_text("[errors]\nunexpected = \n")
    with pytest.raises(TextError, match="cannot read messages"):
        Messages.load(bad)
    bad.write_text('[errors]\nunexpected = "  "\n')
    with pytest.raises(TextError, match=r"'errors\.unexpected' is empty"):
        Messages.load(bad)
