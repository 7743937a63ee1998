"""The bot-process runner: the real ``python -m bot run`` starts, gets ready and stops."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bot.demo.process import BotExited, BotProcess, bot_env, start_bot
from sandbox import DiscordEmulator


async def test_real_bot_gets_ready_and_stops_on_sigterm(
    discord_emulator: DiscordEmulator, tmp_path: Path
) -> None:
    discord_emulator.create_guild("Kindness Town", owner="olive")
    bot = await start_bot(discord_emulator, tmp_path / "kindbot.sqlite3")
    try:
        assert "setup" in discord_emulator.commands()
        mark = len(bot.lines)
        assert await bot.stop(signal.SIGTERM) == 0
        assert await bot.wait_for_log("Database closed", within=1, after=mark)
        assert not bot.traceback_lines, bot.log
    finally:
        await bot.shutdown()


async def test_waiting_on_a_bot_that_exits_reports_its_log(
    discord_emulator: DiscordEmulator, tmp_path: Path
) -> None:
    env = bot_env(discord_emulator, tmp_path / "kindbot.sqlite3", DISCORD_TOKEN="")
    async with await BotProcess.start(env, cwd=tmp_path) as bot:
        with pytest.raises(BotExited, match="DISCORD_TOKEN"):
            await bot.wait_ready(within=20)
    assert bot.returncode == 2
