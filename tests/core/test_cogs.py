"""Every cog loads into the real bot, and the command set is clean and documented."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import discord
import pytest
from discord import app_commands

from bot.core import DEFAULT_EXTENSIONS, KindBot, ProvidesDynamicItems, ProvidesPersistentViews
from bot.wiring import Services
from cogs.shared.posts import JOIN_BUTTON_ID, SHARE_BUTTON_ID, persistent_view

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


async def test_buttons_that_outlive_a_restart_keep_their_custom_ids(tmp_path: Path) -> None:
    """Posts already in servers carry these ids; a changed id would break every old button."""
    bot = KindBot(Services.build(tmp_path / "kb.sqlite3"))
    try:
        for extension in DEFAULT_EXTENSIONS:
            await bot.load_extension(extension)
        persistent = {
            item.custom_id
            for cog in bot.cogs.values()
            if isinstance(cog, ProvidesPersistentViews)
            for view in cog.persistent_views()
            for item in view.children
            if isinstance(item, discord.ui.Button)
        }
        assert persistent == {"kindbot:welcome:join", "kindbot:reflect:open", "kindbot:coffee:skip"}
        dynamic = [
            item
            for cog in bot.cogs.values()
            if isinstance(cog, ProvidesDynamicItems)
            for item in cog.dynamic_items()
        ]
        templates = [item.__discord_ui_compiled_template__ for item in dynamic]
        for answer in ("yes", "not_yet", "cant"):
            assert any(t.fullmatch(f"kindbot:checkin:1234:{answer}") for t in templates)
        # Another cog posts these buttons; the view it gets is a fresh one from their owner.
        for custom_id, owner in (
            (JOIN_BUTTON_ID, "WelcomeView"),
            (SHARE_BUTTON_ID, "ShareReflectionView"),
        ):
            view = persistent_view(bot, custom_id)
            assert type(view).__name__ == owner
            assert [getattr(item, "custom_id", None) for item in view.children] == [custom_id]
        with pytest.raises(LookupError):
            persistent_view(bot, "kindbot:nobody:answers")
    finally:
        await bot.close()


def test_the_readme_invite_asks_for_exactly_the_permissions_it_lists() -> None:
    import re

    import discord

    readme = README.read_text(encoding="utf-8")
    value = int(re.search(r"permissions=(\d+)", readme).group(1))  # type: ignore[union-attr]
    section = readme.split("### Permissions, and why", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| ([A-Z][A-Za-z ]+) \|", section, flags=re.M)) - {"permission"}
    names = {
        "View Channels": "read_messages",
        "Send Messages": "send_messages",
        "Embed Links": "embed_links",
        "Attach Files": "attach_files",
        "Read Message History": "read_message_history",
        "Manage Roles": "manage_roles",
        "Create Private Threads": "create_private_threads",
        "Send Messages in Threads": "send_messages_in_threads",
        "Manage Channels": "manage_channels",
    }
    granted = {name for name, on in discord.Permissions(value) if on}
    assert granted == {names[item] for item in listed}
    assert f"(`{value}`)" in section


async def test_an_event_error_is_logged_with_its_traceback_unless_the_bot_has_closed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = KindBot(Services.build(tmp_path / "kb.sqlite3"))
    caplog.set_level(logging.INFO, logger="bot.core")
    try:
        try:
            raise RuntimeError("the welcome went wrong")
        except RuntimeError:
            await bot.on_error("on_member_join")
        (running,) = [r for r in caplog.records if r.name == "bot.core"]
        assert running.levelno == logging.ERROR
        assert "on_member_join" in running.getMessage()
        assert running.exc_info is not None and "welcome went wrong" in str(running.exc_info[1])
    finally:
        await bot.close()
    caplog.clear()
    # An event still running at shutdown finds the database closed: that is no error.
    try:
        raise ValueError("Cannot operate on a closed database.")
    except ValueError:
        await bot.on_error("on_member_remove")
    (closing,) = [r for r in caplog.records if r.name == "bot.core"]
    assert closing.levelno == logging.INFO
    assert "on_member_remove" in closing.getMessage() and closing.exc_info is None
