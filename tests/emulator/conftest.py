"""Fixtures for the emulator's own tests: a started emulator and a real bot runner."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import discord
import pytest_asyncio

from sandbox import DiscordEmulator
from tests.emulator.testbot import SandboxBot

BotRunner = Callable[..., Awaitable[SandboxBot]]


@pytest_asyncio.fixture
async def run_bot(discord_emulator: DiscordEmulator) -> AsyncIterator[BotRunner]:
    """Starts :class:`SandboxBot` against the emulator and waits for ``on_ready``.

    Fails at teardown if discord.py logged an error (a payload it could not parse, an
    exception in a callback...), since those never reach the test otherwise.
    """
    started: list[tuple[SandboxBot, asyncio.Task[None]]] = []
    errors = _ErrorCollector()
    logging.getLogger("discord").addHandler(errors)

    async def start(guild_id: int | None = None, *, token: str | None = None) -> SandboxBot:
        bot = SandboxBot(guild_id)
        task = asyncio.create_task(bot.start(token or discord_emulator.bot_token))
        started.append((bot, task))
        waiter = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({waiter, task}, timeout=10, return_when="FIRST_COMPLETED")
        if task in done:
            waiter.cancel()
            task.result()
        assert waiter in done, "bot did not become ready"
        return bot

    try:
        yield start
    finally:
        for bot, task in started:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError, discord.LoginFailure):
                await asyncio.wait_for(task, 5)
        logging.getLogger("discord").removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
