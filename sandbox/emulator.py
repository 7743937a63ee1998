"""The Discord emulator: a loopback aiohttp server plus the test-side API.

Tests build a world (guilds, channels, roles, members), act as users (slash commands,
clicks, modals, messages), and read back everything the real discord.py client did.
"""

from __future__ import annotations

from sandbox.actions import UserActions
from sandbox.world import WorldBuilder


class DiscordEmulator(WorldBuilder, UserActions):
    """An in-process fake of Discord's v10 REST API and gateway for one bot application.

    Usage::

        emu = DiscordEmulator()
        await emu.start()
        point_discord_at(emu.api_base)          # or KINDBOT_DISCORD_API=emu.api_base
        guild = emu.create_guild("Kindness Town")
        alice = emu.create_member(guild, "alice")
        ...                                     # start the bot with emu.bot_token
        await emu.wait_until_ready()
        resp = await emu.slash(guild, alice, "setup timezone", timezone="Europe/London")
        msg = await resp.final()
    """


__all__ = ["DiscordEmulator"]
