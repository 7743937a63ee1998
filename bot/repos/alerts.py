"""Which alerts were already posted today, so the same problem is reported once a day."""

from __future__ import annotations

from datetime import datetime

from bot.db import Database
from bot.timeutil import to_db


class AlertRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(
        self, guild_id: int, kind: str, subject: str, local_day: str, now: datetime
    ) -> bool:
        """Record the alert; True only the first time for this (kind, subject, day)."""
        written = await self._db.execute(
            "INSERT INTO alerts_sent (guild_id, kind, subject, local_day, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, kind, subject, local_day, to_db(now)),
        )
        return written.rowcount > 0

    async def release(self, guild_id: int, kind: str, subject: str, local_day: str) -> None:
        """Forget a claim whose note could not be posted, so a later event may try again."""
        await self._db.execute(
            "DELETE FROM alerts_sent WHERE guild_id = ? AND kind = ? AND subject = ? "
            "AND local_day = ?",
            (guild_id, kind, subject, local_day),
        )
