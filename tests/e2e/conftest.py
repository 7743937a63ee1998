"""End-to-end harness: the real ``python -m bot run`` process against the Discord emulator.

Each test gets a fresh emulator on a free port, a temporary database and a bot
process it can stop, kill and restart. Tests wait on real signals (the bot's
"ready" log line, messages appearing), never on fixed sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.demo.process import BotProcess, bot_env
from sandbox.emulator import DiscordEmulator
from sandbox.state import Channel, Guild, Member, Role

pytestmark = pytest.mark.e2e


@dataclass
class Harness:
    """The emulator, one community (guild) ready to use, and the bot process."""

    emu: DiscordEmulator
    db_path: Path
    guild: Guild
    owner: Member
    env: dict[str, str]
    bot: BotProcess | None = None
    processes: list[BotProcess] = field(default_factory=list)

    async def start_bot(self, **extra_env: str) -> BotProcess:
        process = await BotProcess.start({**self.env, **extra_env}, cwd=self.db_path.parent)
        self.processes.append(process)
        self.bot = process
        await process.wait_ready()
        return process

    async def restart_bot(self, *, kill: bool = False, **extra_env: str) -> BotProcess:
        assert self.bot is not None
        if kill:
            await self.bot.kill()
        else:
            await self.bot.stop()
        return await self.start_bot(**extra_env)

    def channel(self, name: str) -> Channel:
        return self.guild.channel(name)

    def member(self, name: str, **kwargs: Any) -> Member:
        return self.emu.create_member(self.guild, name, **kwargs)

    def role(self, name: str, **kwargs: Any) -> Role:
        return self.emu.create_role(self.guild, name, **kwargs)


@pytest_asyncio.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    from sandbox.redirect import restore_discord_defaults

    emu = DiscordEmulator()
    await emu.start()
    guild = emu.create_guild("Kindness Town", owner="olive")
    owner = guild.members[guild.owner_id]
    for name in ("welcome", "coffee", "reflections", "digest", "coordinators"):
        emu.create_channel(guild, name)
    env = bot_env(emu, tmp_path / "kindbot.sqlite3")
    h = Harness(emu=emu, db_path=tmp_path / "kindbot.sqlite3", guild=guild, owner=owner, env=env)
    try:
        yield h
    finally:
        for process in h.processes:
            await process.shutdown()
        restore_discord_defaults()
        await emu.stop()
    bad = [line for p in h.processes for line in p.traceback_lines]
    assert not bad, "the bot logged a traceback:\n" + "\n".join(p.log for p in h.processes)
    emu.assert_no_unhandled()
