"""DMs, private threads, embeds/files, permission errors, injected 429/5xx, unknown routes."""

from __future__ import annotations

import asyncio
import re
import time

import discord
import pytest

from sandbox import DiscordEmulator, Perm
from tests.emulator.conftest import BotRunner


async def test_dm_and_closed_dm(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    shy = emu.create_member(guild, "shy", dms_open=False)
    await run_bot(guild.id)
    await emu.wait_for_commands("dm", guild=guild)

    ok = await (await emu.slash(guild, alice, "dm", member=shy)).final()
    assert ok.content == "dm failed 50007"
    assert emu.dms_to(shy) == []
    sent = await (await emu.slash(guild, alice, "dm", member=alice)).final()
    assert sent.content == "dm sent"
    [dm] = emu.dms_to(alice)
    assert dm.content == "Hello from the bot"


async def test_forbidden_dm_raises_code_50007(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    shy = emu.create_member(guild, "shy", dms_open=False)
    bot = await run_bot(guild.id)
    user = await bot.fetch_user(shy.id)
    with pytest.raises(discord.Forbidden) as info:
        await user.send("hi")
    assert info.value.code == 50007


async def test_user_dm_reaches_bot(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    bot = await run_bot(guild.id)
    waiter = asyncio.ensure_future(bot.wait_for("message", check=lambda m: m.guild is None))
    emu.dm_bot(alice, "hello bot")
    msg = await asyncio.wait_for(waiter, 5)
    assert msg.content == "hello bot" and msg.author.id == alice.id


async def test_private_thread_and_member(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    bob = emu.create_member(guild, "bob")
    bot = await run_bot(guild.id)
    await emu.wait_for_commands("pair", guild=guild)
    resp = await emu.slash(guild, alice, "pair", member=bob)
    msg = await resp.final()
    [thread] = guild.threads
    assert msg.content == f"thread {thread.id}"
    assert thread.type == 12 and thread.name == "coffee-bob"
    assert set(thread.thread_members) == {emu.bot_user.id, bob.id}
    [welcome] = emu.messages_in(thread)
    assert welcome.content == f"Welcome {bob.mention}" and welcome.mention_ids == [bob.id]
    dthread = bot.get_guild(guild.id).get_thread(thread.id)  # type: ignore[union-attr]
    assert dthread is not None and dthread.is_private()


async def test_private_thread_without_permission(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    emu.deny_bot(guild.channel("general"), Perm.CREATE_PRIVATE_THREADS)
    await run_bot(guild.id)
    await emu.wait_for_commands("pair", guild=guild)
    msg = await (await emu.slash(guild, alice, "pair", member=alice)).final()
    assert msg.content == "thread failed 50013"


async def test_embed_and_attachment(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    bot = await run_bot(guild.id)
    await emu.wait_for_commands("report", guild=guild)
    await (await emu.slash(guild, alice, "report")).final()
    post = await emu.wait_for_message(guild.channel("general"))
    assert post.content == "Report attached"
    assert post.embed is not None and post.embed["title"] == "Weekly digest"
    assert "alice" in post.text
    [att] = post.attachments
    assert att.filename == "report.csv" and att.text() == "name,acts\nalice,3\n"
    # The bot can download what it uploaded.
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    fetched = await channel.fetch_message(post.id)
    assert await fetched.attachments[0].read() == att.data


async def test_missing_permission_in_channel(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    general = guild.channel("general")
    emu.deny_bot(general, Perm.SEND_MESSAGES)
    await run_bot(guild.id)
    await emu.wait_for_commands("report", guild=guild)
    msg = await (await emu.slash(guild, alice, "report")).final()
    assert msg.content == "report failed 403 50013"


async def test_injected_429_is_retried(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    rule = emu.inject_failure("POST", "/channels/{channel_id}/messages", retry_after=0.2)
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    started = time.monotonic()
    await channel.send("after a rate limit")
    assert time.monotonic() - started >= 0.2
    assert rule.hits == 1
    statuses = [r.status for r in emu.requests_to("POST", "/channels/{channel_id}/messages")]
    assert statuses == [429, 200]


async def test_injected_429_on_interaction_followup(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    await run_bot(guild.id)
    await emu.wait_for_commands("setup", guild=guild)
    emu.inject_failure("POST", re.compile(r"^/webhooks/"), retry_after=0.1)
    resp = await emu.slash(guild, alice, "setup timezone", timezone="Europe/Paris")
    assert (await resp.final()).content == "Timezone set to Europe/Paris"


async def test_injected_500_then_success(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    emu.inject_failure("GET", "/guilds/{guild_id}/members/{user_id}", status=500)
    member = await bot.get_guild(guild.id).fetch_member(guild.owner_id)  # type: ignore[union-attr]
    assert member.id == guild.owner_id
    statuses = [r.status for r in emu.requests_to("GET", "/guilds/{guild_id}/members/{user_id}")]
    assert statuses == [500, 200]


async def test_injected_403(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    emu.inject_failure("*", "/channels/{channel_id}/messages", status=403)
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("nope")
    assert info.value.code == 50013


async def test_unknown_ids_give_discord_codes(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    with pytest.raises(discord.NotFound) as info:
        await bot.fetch_channel(1234567890123456789)
    assert info.value.code == 10003
    with pytest.raises(discord.NotFound) as info:
        await bot.get_guild(guild.id).fetch_member(1234567890123456789)  # type: ignore[union-attr]
    assert info.value.code == 10007
    channel = bot.get_channel(guild.channel("general").id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.NotFound) as info:
        await channel.fetch_message(1234567890123456789)
    assert info.value.code == 10008


async def test_unimplemented_route_is_recorded(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    with pytest.raises(discord.HTTPException) as info:
        await bot.get_guild(guild.id).bans(limit=5).__anext__()  # type: ignore[union-attr]
    assert info.value.status == 501
    assert emu.unhandled == ["GET /guilds/{id}/bans"]
    with pytest.raises(AssertionError, match=r"GET /guilds/\{id\}/bans"):
        emu.assert_no_unhandled()
    emu.unhandled.clear()
