"""``nonce``/``enforce_nonce`` as Discord documents them, answers lost after storing, and
windows (nonce, interaction token) that expire on the emulator clock.
"""

from __future__ import annotations

import aiohttp
import discord
import pytest

from sandbox import DiscordEmulator, FailureMode
from sandbox.constants import (
    INTERACTION_TOKEN_LIFETIME,
    NONCE_WINDOW_SECONDS,
    ErrorCode,
    InteractionResponseType,
    InteractionType,
)
from tests.emulator.conftest import BotRunner


async def _text_channel(bot: discord.Client, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_enforced_nonce_returns_the_existing_message(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    general = guild.channel("general")
    channel = await _text_channel(bot, general.id)

    first = await channel.send("hello", nonce="retry-1")
    again = await channel.send("hello", nonce="retry-1")
    assert again.id == first.id
    assert first.nonce == "retry-1" and again.nonce == "retry-1"
    [stored] = emu.messages_in(general)
    assert stored.nonce == "retry-1"
    other = await channel.send("hello", nonce="retry-2")
    assert other.id != first.id
    assert len(emu.messages_in(general)) == 2


async def test_nonce_window_expires_on_the_emulator_clock(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    general = guild.channel("general")
    channel = await _text_channel(bot, general.id)

    first = await channel.send("hi", nonce=42)
    emu.clock.advance(NONCE_WINDOW_SECONDS - 5)
    assert (await channel.send("hi", nonce=42)).id == first.id
    emu.clock.advance(10)
    later = await channel.send("hi", nonce=42)
    assert later.id != first.id
    assert [m.id for m in emu.messages_in(general)] == [first.id, later.id]


async def test_nonce_is_scoped_to_the_channel_and_needs_enforce_nonce(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    second = emu.create_channel(guild, "second")
    bot = await run_bot(guild.id)
    general = guild.channel("general")
    a = await (await _text_channel(bot, general.id)).send("a", nonce="same")
    b = await (await _text_channel(bot, second.id)).send("b", nonce="same")
    assert a.id != b.id

    async with aiohttp.ClientSession() as session:
        url = f"{emu.api_base}/api/v10/channels/{general.id}/messages"
        headers = {"Authorization": f"Bot {emu.bot_token}"}
        async with session.post(url, json={"content": "c", "nonce": "same"}, headers=headers) as r:
            assert r.status == 200
            plain = await r.json()
    assert plain["id"] != str(a.id) and plain["nonce"] == "same"
    assert len(emu.messages_in(general)) == 2


async def test_enforced_nonce_in_dms(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    bot = await run_bot(guild.id)
    user = await bot.fetch_user(alice.id)
    first = await user.send("welcome", nonce="dm-1")
    again = await user.send("welcome", nonce="dm-1")
    assert again.id == first.id
    assert [m.content for m in emu.dms_to(alice)] == ["welcome"]


async def test_store_then_drop_keeps_the_message_and_the_client_sees_a_disconnect(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    general = guild.channel("general")
    channel = await _text_channel(bot, general.id)
    rule = emu.inject_failure(
        "POST", "/channels/{channel_id}/messages", mode=FailureMode.STORE_THEN_DROP
    )

    with pytest.raises(aiohttp.ClientError):
        await channel.send("did it arrive?")
    assert rule.exhausted
    [stored] = emu.messages_in(general)
    assert stored.content == "did it arrive?"
    [record] = emu.requests_to("POST", "/channels/{channel_id}/messages")
    assert record.injected and record.status == 200

    # The rule is spent: the next call is answered normally.
    sent = await channel.send("and this one")
    assert sent.content == "and this one"
    assert len(emu.messages_in(general)) == 2


async def test_store_then_drop_with_nonce_lets_a_retry_find_the_message(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    general = guild.channel("general")
    channel = await _text_channel(bot, general.id)
    emu.inject_failure("POST", "/channels/{channel_id}/messages", mode=FailureMode.STORE_THEN_DROP)

    with pytest.raises(aiohttp.ClientError):
        await channel.send("once only", nonce="pairing-7")
    retried = await channel.send("once only", nonce="pairing-7")
    [stored] = emu.messages_in(general)
    assert retried.id == stored.id


async def test_store_then_drop_on_thread_creation(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    channel = await _text_channel(bot, guild.channel("general").id)
    emu.inject_failure("POST", "/channels/{channel_id}/threads", mode=FailureMode.STORE_THEN_DROP)

    with pytest.raises(aiohttp.ClientError):
        await channel.create_thread(name="coffee", type=discord.ChannelType.private_thread)
    [thread] = guild.threads
    assert thread.name == "coffee" and thread.type == discord.ChannelType.private_thread.value


async def test_interaction_token_expires_on_the_emulator_clock(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    alice = emu.create_member(guild, "alice")
    handle = emu.interactions.new_handle(
        type=InteractionType.APPLICATION_COMMAND,
        description="probe",
        user=alice.user,
        guild=guild,
        channel=guild.channel("general"),
        data={"id": "1", "name": "probe", "type": 1},
    )
    base = f"{emu.api_base}/api/v10"
    async with aiohttp.ClientSession() as session:
        callback = f"{base}/interactions/{handle.id}/{handle.token}/callback"
        answer = {
            "type": InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
            "data": {"content": "hi"},
        }
        async with session.post(callback, json=answer) as r:
            assert r.status == 204
        hook = f"{base}/webhooks/{emu.application_id}/{handle.token}"
        emu.clock.advance(INTERACTION_TOKEN_LIFETIME - 1)
        async with session.post(hook, json={"content": "still in time"}) as r:
            assert r.status == 204
        emu.clock.advance(2)
        async with session.post(hook, json={"content": "too late"}) as r:
            assert r.status == 404
            assert (await r.json())["code"] == ErrorCode.UNKNOWN_WEBHOOK
    assert [m.content for m in handle.messages] == ["hi", "still in time"]


async def test_store_then_drop_waits_for_a_call_that_succeeds(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    bot = await run_bot(guild.id)
    general = guild.channel("general")
    channel = await _text_channel(bot, general.id)
    rule = emu.inject_failure(
        "POST", "/channels/{channel_id}/messages", mode=FailureMode.STORE_THEN_DROP
    )
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.status == 400
    assert not rule.exhausted and emu.messages_in(general) == []
    with pytest.raises(aiohttp.ClientError):
        await channel.send("short enough")
    assert rule.exhausted
    assert [m.content for m in emu.messages_in(general)] == ["short enough"]
