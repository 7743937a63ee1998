"""End-to-end harness: the real ``python -m bot run`` process against the Discord emulator.

Each test gets a fresh emulator on a free port, a temporary database and a bot
process it can stop, kill and restart. Tests wait on real signals (the bot's
"ready" log line, messages appearing), never on fixed sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.sandbox.emulator import DiscordEmulator
from bot.sandbox.state import Channel, Guild, Member, Role

pytestmark = pytest.mark.e2e

READY_LINE = "kindbot is ready as"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BotProcess:
    """One running ``python -m bot run``, with its log lines collected as they come."""

    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while True:
            raw = await self.proc.stderr.readline()
            if not raw:
                break
            self.lines.append(raw.decode(errors="replace").rstrip())
            self._changed.set()
        self._changed.set()

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_log(self, text: str, within: float = 20.0) -> str:
        async def scan() -> str:
            while True:
                for line in self.lines:
                    if text in line:
                        return line
                if self.proc.returncode is not None and self._reader and self._reader.done():
                    raise AssertionError(f"bot exited before logging {text!r}:\n{self.log}")
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(scan(), within)
        except TimeoutError:
            raise AssertionError(f"bot never logged {text!r}:\n{self.log}") from None

    async def stop(self, sig: int = signal.SIGTERM, within: float = 20.0) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), within)
        if self._reader:
            await self._reader
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        await self.proc.wait()
        if self._reader:
            await self._reader


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
        env = {**self.env, **extra_env}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.db_path.parent,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        process = BotProcess(proc)
        process._reader = asyncio.create_task(process._read())
        self.processes.append(process)
        self.bot = process
        await process.wait_for_log(READY_LINE)
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
    from bot.sandbox.redirect import restore_discord_defaults

    emu = DiscordEmulator()
    await emu.start()
    guild = emu.create_guild("Kindness Town", owner="olive")
    owner = guild.members[guild.owner_id]
    for name in ("welcome", "coffee", "reflections", "digest", "coordinators"):
        emu.create_channel(guild, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDBOT_", "DISCORD_"))}
    env.update(
        DISCORD_TOKEN=emu.bot_token,
        KINDBOT_DB=str(tmp_path / "kindbot.sqlite3"),
        KINDBOT_DISCORD_API=emu.api_base,
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    h = Harness(emu=emu, db_path=tmp_path / "kindbot.sqlite3", guild=guild, owner=owner, env=env)
    try:
        yield h
    finally:
        for process in h.processes:
            with contextlib.suppress(ProcessLookupError, TimeoutError):
                await process.stop(within=10)
            if process.proc.returncode is None:
                await process.kill()
        restore_discord_defaults()
        await emu.stop()
    bad = [line for p in h.processes for line in p.lines if "Traceback" in line]
    assert not bad, "the bot logged a traceback:\n" + "\n".join(p.log for p in h.processes)
    emu.assert_no_unhandled()
