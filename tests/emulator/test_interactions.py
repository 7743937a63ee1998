"""Slash commands, autocomplete, components, modals and context menus end to end."""

from __future__ import annotations

import pytest

from sandbox import CommandUnavailable, DiscordEmulator, Guild, Member, Perm
from tests.emulator.conftest import BotRunner


async def _world(emu: DiscordEmulator, run_bot: BotRunner) -> tuple[Guild, Member, Member]:
    guild = emu.create_guild("Kindness Town")
    alice = emu.create_member(guild, "alice")
    bob = emu.create_member(guild, "bob")
    await run_bot(guild.id)
    await emu.wait_for_commands("ping", guild=guild)
    return guild, alice, bob


async def test_slash_command_reply(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    resp = await emu.slash(guild, alice, "ping")
    msg = await resp.final()
    assert msg.content == "pong"
    assert not msg.ephemeral
    assert msg.interaction_metadata and msg.interaction_metadata["user"]["id"] == str(alice.id)
    general = guild.channel("general")
    assert emu.messages_in(general) == [msg]


async def test_subcommand_defer_then_followup_is_final(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    resp = await emu.slash(guild, alice, "setup timezone", timezone="Europe/London")
    assert resp.response_type == 5
    msg = await resp.final()
    assert msg.content == "Timezone set to Europe/London"
    assert msg.ephemeral and not msg.loading
    assert resp.original is msg
    # Ephemeral answers never show up in the channel for everyone.
    assert emu.messages_in(guild.channel("general")) == []


async def test_options_with_resolved_channel_and_integer(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    kindness = emu.create_channel(guild, "kindness")
    msg = await (await emu.slash(guild, alice, "setup where", channel=kindness, count=3)).final()
    assert msg.content == "kindness x3"
    with pytest.raises(TypeError, match="requires option 'channel'"):
        await emu.slash(guild, alice, "setup where")


async def test_subcommand_group_with_user_and_role_options(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("Kindness Town")
    mod_role = emu.create_role(guild, "Moderators", permissions=Perm.MANAGE_ROLES)
    champ = emu.create_role(guild, "Champion")
    mod = emu.create_member(guild, "mod", roles=[mod_role])
    alice = emu.create_member(guild, "alice")
    await run_bot(guild.id)
    await emu.wait_for_commands("admin", guild=guild)

    resp = await emu.slash(guild, mod, "admin roles grant", member=alice, role=champ, note="hi")
    msg = await resp.final()
    assert msg.content == "gave Champion to Alice (hi)"
    assert champ.id in alice.role_ids
    # Discord hides commands whose default_member_permissions the member lacks.
    with pytest.raises(CommandUnavailable):
        await emu.slash(guild, alice, "admin roles grant", member=alice, role=champ)


async def test_role_above_bot_is_forbidden(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild = emu.create_guild("Kindness Town")
    top = emu.create_role(guild, "Top", position=99)
    alice = emu.create_member(guild, "alice")
    await run_bot(guild.id)
    await emu.wait_for_commands("admin", guild=guild)
    owner = guild.member(guild.owner_id)
    msg = await (await emu.slash(guild, owner, "admin roles grant", member=alice, role=top)).final()
    assert msg.content == "forbidden 50013"
    assert top.id not in alice.role_ids


async def test_autocomplete_returns_bot_choices(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    choices = await emu.autocomplete(guild, alice, "setup timezone", "timezone", "Europe")
    assert [c["value"] for c in choices] == ["Europe/London", "Europe/Paris"]


async def test_buttons_update_and_deferred_update(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, bob = await _world(emu, run_bot)
    menu = await (await emu.slash(guild, alice, "menu")).final()
    assert menu.custom_id_for("Hug") == "hug"

    updated = await (await emu.click(menu, "hug", by=bob)).final()
    assert updated is menu and menu.content == "Hugs: 1"
    await (await emu.click(menu, "hug", by=alice)).final()
    assert menu.content == "Hugs: 2"

    later = await emu.click(menu, "later", by=alice)
    assert later.response_type == 6
    final = await later.final()
    assert final is menu and final.content == "Done later" and final.components == []


async def test_string_and_user_selects(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, bob = await _world(emu, run_bot)
    menu = await (await emu.slash(guild, alice, "menu")).final()
    mood = await (await emu.select(menu, "mood", ["calm"], by=alice)).final()
    assert mood.content == "Mood: calm" and mood.ephemeral
    buddy = await (await emu.select(menu, "buddy", [bob], by=alice)).final()
    assert buddy.content == "Buddy: Bob"
    with pytest.raises(ValueError, match="no option"):
        await emu.select(menu, "mood", ["angry"], by=alice)


async def test_classic_modal_round_trip(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    resp = await emu.slash(guild, alice, "feedback")
    modal = await resp.wait_modal()
    assert resp.modal is modal and modal.title == "Feedback"
    assert set(modal.fields) == {"topic", "details"}
    done = await emu.submit_modal(modal, {"topic": "Kindness"})
    msg = await done.final()
    assert msg.content == "Thanks! topic=Kindness details=-"
    with pytest.raises(ValueError, match="required"):
        await emu.submit_modal(modal, {"details": "x"})


async def test_modal_from_button(discord_emulator: DiscordEmulator, run_bot: BotRunner) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    menu = await (await emu.slash(guild, alice, "menu")).final()
    modal = await (await emu.click(menu, "open-feedback", by=alice)).wait_modal()
    msg = await (await emu.submit_modal(modal, {"topic": "a", "details": "b"})).final()
    assert msg.content == "Thanks! topic=a details=b"


async def test_label_modal_round_trip(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, _ = await _world(emu, run_bot)
    modal = await (await emu.slash(guild, alice, "profile")).wait_modal()
    assert modal.label("nickname") == "Nickname"
    msg = await (
        await emu.submit_modal(modal, {"nickname": "Ali", "colour": ["green"]}, by=alice)
    ).final()
    assert msg.content == "Profile: Ali likes green"


async def test_message_and_user_context_menus(
    discord_emulator: DiscordEmulator, run_bot: BotRunner
) -> None:
    emu = discord_emulator
    guild, alice, bob = await _world(emu, run_bot)
    posted = emu.send_message(guild.channel("general"), bob, "I baked cookies for everyone")
    resp = await emu.message_command(alice, "Appreciate", posted)
    msg = await resp.final()
    assert msg.content == "Appreciated Bob: I baked cookies for everyone"
    assert msg.ephemeral and msg.type == 23
    thanks = await (await emu.user_command(guild, alice, "Thank", bob)).final()
    assert thanks.content == "Thanked Bob"
