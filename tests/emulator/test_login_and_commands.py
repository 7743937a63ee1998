"""Logging in, the gateway handshake and application command sync."""

from __future__ import annotations

import asyncio

import discord
import pytest

from sandbox import DiscordEmulator
from tests.emulator.conftest import BotRunner
from tests.emulator.testbot import SandboxBot


async def test_login_ready_and_guild_sync(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("Kindness Town")
    alice = emu.create_member(guild, "alice")

    bot = await run_bot(guild.id)
    await emu.wait_until_ready()

    assert bot.user is not None and bot.user.id == emu.bot_user.id
    assert bot.application_id == emu.application_id
    dguild = bot.get_guild(guild.id)
    assert dguild is not None and dguild.name == "Kindness Town"
    # The client chunked members over op 8 because of the members intent.
    assert dguild.get_member(alice.id) is not None
    assert dguild.me.guild_permissions.manage_roles
    cmds = await emu.wait_for_commands("ping", "setup", "admin", "Appreciate", guild=guild)
    assert {c.name for c in bot.synced} == set(cmds)
    admin = cmds["admin"].data
    assert admin["default_member_permissions"] == str(discord.Permissions(manage_roles=True).value)
    assert emu.requests_to("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")


async def test_global_sync_echoes_ids(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    emu.create_guild("G")
    bot = await run_bot(None)
    cmds = await emu.wait_for_commands("ping", "menu")
    assert all(c.id for c in bot.synced)
    fetched = await bot.tree.fetch_commands()
    assert {c.id for c in fetched} == {c.id for c in cmds.values()}


async def test_wrong_token_is_login_failure(discord_emulator: DiscordEmulator) -> None:
    bot = SandboxBot(None)
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_bot_sees_guild_created_after_ready(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    emu.create_guild("First")
    bot = await run_bot(None)
    later = emu.create_guild("Later")
    role = emu.create_role(later, "Champions")
    chan = emu.create_channel(later, "kindness")
    await asyncio.wait_for(bot.wait_for("guild_channel_create", check=lambda c: c.id == chan.id), 5)
    g = bot.get_guild(later.id)
    assert g is not None and g.get_role(role.id) is not None
    assert ("role_create", "Champions") in bot.events
