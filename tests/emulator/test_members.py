"""Members joining (pending), completing onboarding, changing roles and leaving."""

from __future__ import annotations

import asyncio

import discord

from sandbox import DiscordEmulator, Perm
from tests.emulator.conftest import BotRunner


async def test_member_lifecycle(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    champ = emu.create_role(guild, "Champion")
    bot = await run_bot(guild.id)

    joined = asyncio.ensure_future(bot.wait_for("member_join"))
    carol = emu.create_member(guild, "carol", pending=True)
    member: discord.Member = await asyncio.wait_for(joined, 5)
    assert member.id == carol.id and member.pending

    updated = asyncio.ensure_future(bot.wait_for("member_update"))
    emu.complete_onboarding(carol)
    before, after = await asyncio.wait_for(updated, 5)
    assert before.pending and not after.pending

    updated = asyncio.ensure_future(bot.wait_for("member_update"))
    emu.add_member_roles(carol, champ)
    _, after = await asyncio.wait_for(updated, 5)
    assert [r.id for r in after.roles if not r.is_default()] == [champ.id]

    removed = asyncio.ensure_future(bot.wait_for("member_remove"))
    emu.remove_member(carol)
    gone: discord.Member = await asyncio.wait_for(removed, 5)
    assert gone.id == carol.id
    assert bot.get_guild(guild.id).get_member(carol.id) is None  # type: ignore[union-attr]
    assert [e[0] for e in bot.events if e[0] in {"join", "update", "remove"}] == [
        "join",
        "update",
        "update",
        "remove",
    ]


async def test_permission_changes_reach_the_bot(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("G")
    general = guild.channel("general")
    bot = await run_bot(guild.id)
    updated = asyncio.ensure_future(
        bot.wait_for("guild_role_update", check=lambda b, a: a.is_default())
    )
    emu.set_bot_permissions(guild, Perm.VIEW_CHANNEL)
    emu.update_role(guild.everyone_role, permissions=Perm.VIEW_CHANNEL)
    await asyncio.wait_for(updated, 5)
    me = bot.get_guild(guild.id).me  # type: ignore[union-attr]
    assert not me.guild_permissions.send_messages

    changed = asyncio.ensure_future(bot.wait_for("guild_channel_update"))
    emu.set_channel_permissions(general, emu.bot_user, allow=Perm.SEND_MESSAGES)
    _, after = await asyncio.wait_for(changed, 5)
    assert after.permissions_for(me).send_messages

    deleted = asyncio.ensure_future(bot.wait_for("guild_channel_delete"))
    emu.delete_channel(general)
    chan = await asyncio.wait_for(deleted, 5)
    assert chan.id == general.id
