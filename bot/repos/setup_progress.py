"""Where a server's guided set-up stopped, so running it again resumes there."""

from __future__ import annotations

from datetime import datetime

from bot.db import Database
from bot.timeutil import to_db


class SetupProgressRepo:
    """The step a server's guided set-up stopped at."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def step(self, guild_id: int) -> str | None:
        value = await self._db.fetchval(
            "SELECT step FROM setup_progress WHERE guild_id = ?", (guild_id,)
        )
        return None if value is None else str(value)

    async def set_step(self, guild_id: int, step: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO setup_progress (guild_id, step, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET step = excluded.step, "
            "updated_at = excluded.updated_at",
            (guild_id, step, to_db(now)),
        )
