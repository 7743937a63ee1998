"""Journeys for the foundation: logging in, syncing, /setup, permissions and errors."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing

import pytest

from tests.e2e.conftest import Harness


async def test_bot_logs_in_and_syncs_its_commands(harness: Harness) -> None:
    await harness.start_bot()
    names = set(harness.emu.commands())
    assert {"setup", "join", "profile", "leave", "my-data", "forget-me", "champions"} <= names
    setup = harness.emu.commands()["setup"]
    assert setup.data["default_member_permissions"] == str(1 << 5)  # Manage Server
    assert setup.data["contexts"] == [0]  # servers only


async def test_commands_are_synced_only_when_they_change(harness: Harness) -> None:
    await harness.start_bot()
    first = len(harness.emu.requests_to("PUT", "/applications/{application_id}/commands"))
    await harness.restart_bot()
    second = len(harness.emu.requests_to("PUT", "/applications/{application_id}/commands"))
    assert first == 1
    assert second == 1
    assert "Slash commands unchanged" in harness.bot.log if harness.bot else False


async def test_sigterm_stops_cleanly(harness: Harness) -> None:
    bot = await harness.start_bot()
    assert await bot.stop(signal.SIGTERM) == 0
    assert "Scheduler stopped" in bot.log
    assert "Database closed" in bot.log
    assert not harness.db_path.with_name(harness.db_path.name + "-wal").exists()


async def test_coordinator_configures_the_guild(harness: Harness) -> None:
    await harness.start_bot()
    emu, guild, owner = harness.emu, harness.guild, harness.owner
    coffee = harness.channel("coffee")

    reply = await (
        await emu.slash(guild, owner, "setup channel", purpose="coffee", channel=coffee)
    ).final()
    assert reply.ephemeral
    assert f"<#{coffee.id}>" in reply.content

    reply = await (await emu.slash(guild, owner, "setup timezone", name="europe/dublin")).final()
    assert "Europe/Dublin" in reply.content

    choices = await emu.autocomplete(guild, owner, "setup timezone", "name", "lond")
    assert {"name": "Europe/London", "value": "Europe/London"} in choices
    groups = await emu.autocomplete(guild, owner, "setup group remove", "group", "jus")
    assert groups == [{"name": "Justice", "value": "Justice"}]

    reply = await (
        await emu.slash(guild, owner, "setup schedule", job="digest", day=4, time="17:30")
    ).final()
    assert "Friday 17:30" in reply.content

    reply = await (
        await emu.slash(guild, owner, "setup group add", name="Arts & culture", emoji="🎨")
    ).final()
    assert "Arts & culture" in reply.content

    show = await (await emu.slash(guild, owner, "setup show")).final()
    embed = show.embeds[0]
    text = str(embed)
    assert "Europe/Dublin" in text
    assert "Arts & culture" in text
    assert "No **welcome** channel yet" in text  # welcome not set yet: flagged

    with closing(sqlite3.connect(harness.db_path)) as conn:
        row = conn.execute(
            "SELECT timezone, coffee_channel_id FROM guilds WHERE guild_id = ?", (guild.id,)
        ).fetchone()
    assert row == ("Europe/Dublin", coffee.id)


async def test_non_coordinator_is_refused(harness: Harness) -> None:
    await harness.start_bot()
    harness.emu.enforce_command_permissions = False  # as if an admin allowed the command
    sam = harness.member("sam")
    reply = await (
        await harness.emu.slash(harness.guild, sam, "setup timezone", name="UTC")
    ).final()
    assert reply.ephemeral
    assert "for coordinators" in reply.content
    with closing(sqlite3.connect(harness.db_path)) as conn:
        tz = conn.execute(
            "SELECT timezone FROM guilds WHERE guild_id = ?", (harness.guild.id,)
        ).fetchone()
    assert tz == ("Europe/London",)


async def test_coordinator_role_grants_access(harness: Harness) -> None:
    await harness.start_bot()
    emu = harness.emu
    emu.enforce_command_permissions = False
    coordinators = harness.role("Coordinators")
    kim = harness.member("kim", roles=[coordinators])
    await (
        await emu.slash(harness.guild, harness.owner, "setup coordinator-role", role=coordinators)
    ).final()
    reply = await (await emu.slash(harness.guild, kim, "setup timezone", name="UTC")).final()
    assert "UTC" in reply.content


async def test_bad_setup_input_is_explained_and_changes_nothing(harness: Harness) -> None:
    await harness.start_bot()
    emu, guild, owner = harness.emu, harness.guild, harness.owner
    cases = [
        ("setup timezone", {"name": "Mars/Olympus"}, "don't know the timezone"),
        ("setup group add", {"name": "   "}, "needs a name"),
        ("setup group add", {"name": "x" * 51}, "51 characters"),
        ("setup group add", {"name": "health & CARE"}, "already a group"),
        ("setup schedule", {"job": "pairing", "day": 0, "time": "25:99"}, "isn't a time"),
    ]
    for command, options, expected in cases:
        reply = await (await emu.slash(guild, owner, command, **options)).final()
        assert reply.ephemeral
        assert expected in reply.content, (command, reply.content)

    # Discord only offers text channels for this option; a category is refused before the bot.
    channel_option = next(
        o for o in emu.commands()["setup"].data["options"] if o["name"] == "channel"
    )["options"][1]
    assert channel_option["channel_types"] == [0, 5]
    with pytest.raises(ValueError, match="only accepts channel types"):
        await emu.slash(
            guild,
            owner,
            "setup channel",
            purpose="welcome",
            channel=emu.create_category(guild, "Stuff"),
        )

    high = harness.role("Moderators")
    emu.update_role(high, position=emu.bot_role(guild).position + 1)
    reply = await (await emu.slash(guild, owner, "setup group add", name="Mods", role=high)).final()
    assert "sits at or above my own role" in reply.content

    with closing(sqlite3.connect(harness.db_path)) as conn:
        groups = conn.execute(
            "SELECT count(*) FROM groups WHERE guild_id = ?", (guild.id,)
        ).fetchone()
        schedule = conn.execute("SELECT count(*) FROM guild_schedule").fetchone()
        tz = conn.execute("SELECT timezone, welcome_channel_id FROM guilds").fetchone()
    assert groups == (6,)
    assert schedule == (0,)
    assert tz == ("Europe/London", None)


async def test_unexpected_error_shows_a_code_that_is_in_the_log(harness: Harness) -> None:
    bot = await harness.start_bot()
    emu = harness.emu
    emu.inject_failure(
        "PUT", "/channels/{channel_id}/messages", status=500, times=1
    )  # unused route
    # A server error from Discord while posting the welcome button: an unexpected failure.
    welcome = harness.channel("welcome")
    await (
        await emu.slash(
            harness.guild, harness.owner, "setup channel", purpose="welcome", channel=welcome
        )
    ).final()
    emu.inject_failure(
        "POST",
        "/channels/{channel_id}/messages",
        status=400,
        code=50035,
        message="Invalid Form Body",
    )
    reply = await (await emu.slash(harness.guild, harness.owner, "setup welcome-post")).final(
        within=30
    )
    assert reply.ephemeral
    assert "KB-" in reply.content
    code = reply.content.split("`")[1]
    line = await bot.wait_for_log(code)
    assert "Unexpected error" in line
    harness.processes.clear()  # the traceback in this log is expected
    await bot.stop()


async def test_kindbot_sync_uploads_commands_and_exits(harness: Harness) -> None:
    import asyncio
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sync",
        env=harness.env,
        cwd=harness.db_path.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "Slash commands synced to all servers." in out.decode()
    assert len(harness.emu.requests_to("PUT", "/applications/{application_id}/commands")) == 1
    assert "setup" in harness.emu.commands()
    assert harness.emu.bot_token not in out.decode() + err.decode()
