"""Pytest fixtures for the Discord emulator.

Enabled by ``pytest_plugins = ["sandbox.pytest_plugin"]`` in the suite's root conftest. The
``discord_emulator`` fixture yields a started :class:`DiscordEmulator` with discord.py
pointed at it, and fails the test at teardown if the bot called an unimplemented route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from sandbox.emulator import DiscordEmulator
from sandbox.redirect import point_discord_at, restore_discord_defaults


@pytest_asyncio.fixture
async def discord_emulator() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    point_discord_at(emu.api_base)
    try:
        yield emu
    finally:
        restore_discord_defaults()
        await emu.stop()
    emu.assert_no_unhandled()
