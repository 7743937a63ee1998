"""Fixtures shared by the whole suite: real SQLite files in temporary folders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import Database, migrate

#: The emulator's fixtures (``discord_emulator``); registered here, never by the runtime.
pytest_plugins = ["sandbox.pytest_plugin"]


@pytest.fixture
def clock() -> FakeClock:
    # A Monday morning in November (GMT, so UTC and London agree).
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "kindbot.sqlite3")
    await database.connect()
    await migrate(database)
    try:
        yield database
    finally:
        await database.close()
