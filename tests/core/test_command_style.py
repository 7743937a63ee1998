"""The slash commands as members see them: described, consistently named, readable choices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.core import DEFAULT_EXTENSIONS, KindBot
from bot.wiring import Services

README = Path(__file__).resolve().parents[2] / "README.md"
SUB_COMMANDS = (1, 2)  # SUB_COMMAND, SUB_COMMAND_GROUP
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def _options(payload: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for option in payload.get("options", []):
        where = f"{path} {option['name']}"
        if option["type"] in SUB_COMMANDS:
            yield from _options(option, where)
        else:
            yield where, option


async def _command_options(tmp_path: Path) -> list[tuple[str, dict[str, Any]]]:
    bot = KindBot(Services.build(tmp_path / "kb.sqlite3"))
    try:
        for extension in DEFAULT_EXTENSIONS:
            await bot.load_extension(extension)
        found: list[tuple[str, dict[str, Any]]] = []
        for command in bot.tree.get_commands():
            payload = command.to_dict(bot.tree)
            found.extend(_options(payload, f"/{payload['name']}"))
        return found
    finally:
        await bot.close()


async def test_every_option_has_a_real_description(tmp_path: Path) -> None:
    options = await _command_options(tmp_path)
    assert len(options) > 20
    vague = [
        where for where, option in options if len(option.get("description", "").strip(" .…")) < 3
    ]
    assert vague == []


async def test_option_names_are_snake_case(tmp_path: Path) -> None:
    options = await _command_options(tmp_path)
    assert [where for where, option in options if not SNAKE_CASE.fullmatch(option["name"])] == []


async def test_choices_read_as_the_readme_writes_them(tmp_path: Path) -> None:
    readme = README.read_text()
    shouty = []
    for where, option in await _command_options(tmp_path):
        for choice in option.get("choices", []):
            if isinstance(choice["value"], str):
                if choice["name"] != choice["name"].lower():
                    shouty.append(f"{where}: {choice['name']}")
                elif " " not in choice["name"]:
                    assert f"`{choice['name']}`" in readme, f"{where}: {choice['name']}"
    assert shouty == []


async def test_descriptions_say_server_never_guild(tmp_path: Path) -> None:
    bot = KindBot(Services.build(tmp_path / "kb.sqlite3"))
    try:
        for extension in DEFAULT_EXTENSIONS:
            await bot.load_extension(extension)
        texts = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
    finally:
        await bot.close()
    said = [d for d in _descriptions(texts) if "guild" in d.casefold()]
    assert said == []


def _descriptions(items: list[dict[str, Any]]) -> Iterator[str]:
    for item in items:
        yield str(item.get("description", ""))
        yield from _descriptions(item.get("options", []))
