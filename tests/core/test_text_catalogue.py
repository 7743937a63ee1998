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
    "wizard.",
    "invite.",
    "alerts.",
    "about.",
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


def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for value in data.values() for s in _strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in _strings(value)]
    return [data] if isinstance(data, str) else []


def test_members_read_server_never_guild() -> None:
    import re
    import tomllib

    files = sorted(ROOT.joinpath("prompts").rglob("*.toml"))
    assert any(f.name == "messages.toml" for f in files)
    said = [
        (f.name, text)
        for f in files
        for text in _strings(tomllib.loads(f.read_text(encoding="utf-8")))
        if "guild" in re.sub(r"\{[^{}]*\}", "", text).casefold()
    ]
    assert said == []


def test_plural_forms_follow_the_count() -> None:
    catalogue = Messages(
        {
            "a.meetings_one": "{count} meeting",
            "a.meetings_other": "{count} meetings",
            "a.acts_zero": "No acts yet",
            "a.acts_one": "One act",
            "a.acts_other": "{count} acts",
        }
    )
    assert catalogue("a.meetings", count=1) == "1 meeting"
    assert catalogue("a.meetings", count=0) == "0 meetings"
    assert catalogue("a.meetings", count=12) == "12 meetings"
    assert [catalogue("a.acts", count=n) for n in (0, 1, 2)] == ["No acts yet", "One act", "2 acts"]
    assert catalogue.names() == {"a.meetings", "a.acts"}
    with pytest.raises(TextError, match=r"has no message 'a\.meetings'"):
        catalogue("a.meetings")  # a plural message needs its count


def test_shipped_counts_agree_in_number() -> None:
    catalogue = Messages.load()
    assert catalogue("kindness.stats_week", count=1) == "This week: 1 act"
    assert catalogue("kindness.stats_all", count=3) == "All time: 3 acts"
    assert "1 champion." in catalogue("setup.group_remove_question", count=1, group="Justice")
    assert "2 champions." in catalogue("setup.group_remove_question", count=2, group="Justice")
    assert "1 acts" not in catalogue("kindness.daily_limit", count=1, limit=1)
    assert "1 acts" not in catalogue("kindness.limit_set", count=1, limit=1)
