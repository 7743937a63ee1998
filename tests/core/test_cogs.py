"""Every cog loads into the real bot, and the command set is clean and documented."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from discord import app_commands

from bot.core import DEFAULT_EXTENSIONS, KindBot
from bot.wiring import Services

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_every_cog_loads_and_commands_are_unique_and_described(tmp_path: Path) -> None:
    bot = KindBot(Services.build(tmp_path / "kb.sqlite3"))
    try:
        for extension in DEFAULT_EXTENSIONS:
            await bot.load_extension(extension)
        commands = bot.tree.get_commands()
        names = Counter((type(c).__name__, c.name) for c in commands)
        assert [name for name, count in names.items() if count > 1] == []
        readme = README.read_text()
        for command in commands:
            if isinstance(command, app_commands.ContextMenu):
                assert f"**{command.name}**" in readme
                continue
            assert f"/{command.name}" in readme, command.name
            for leaf in _leaves(command):
                assert 0 < len(leaf.description) <= 100, leaf.qualified_name
                assert f"/{leaf.qualified_name}" in readme, leaf.qualified_name
        jobs = set(bot.services.scheduler.specs)
        assert {
            "pairing",
            "prompt",
            "reminder",
            "digest",
            "coffee-checkin",
            "coffee-headsup",
        } <= jobs
        for extension in DEFAULT_EXTENSIONS:
            await bot.unload_extension(extension)
        assert bot.services.scheduler.specs == {}  # cog_unload undid what cog_load did
    finally:
        await bot.close()


def _leaves(
    command: app_commands.Command[..., object] | app_commands.Group,
) -> list[app_commands.Command[..., object]]:
    if isinstance(command, app_commands.Group):
        return [leaf for child in command.commands for leaf in _leaves(child)]
    return [command]
