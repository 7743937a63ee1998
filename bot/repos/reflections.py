"""Weekly reflections and who asked to be reminded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import Database
from bot.models import Reflection, Visibility
from bot.timeutil import from_db, to_db


class ReflectionRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        guild_id: int,
        user_id: int,
        group_id: int | None,
        period_key: str,
        condition_number: int | None,
        question: str | None,
        body: str,
        visibility: Visibility,
        now: datetime,
    ) -> Reflection:
        written = await self._db.execute(
            "INSERT INTO reflections (guild_id, user_id, group_id, period_key, condition_number, "
            "question, body, visibility, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                user_id,
                group_id,
                period_key,
                condition_number,
                question,
                body,
                visibility.value,
                to_db(now),
                to_db(now),
            ),
        )
        found = await self.get(guild_id, int(written.lastrowid or 0))
        assert found is not None
        return found

    async def get(self, guild_id: int, reflection_id: int) -> Reflection | None:
        row = await self._db.fetchone(
            "SELECT * FROM reflections WHERE guild_id = ? AND reflection_id = ?",
            (guild_id, reflection_id),
        )
        return None if row is None else _reflection(row)

    async def update(
        self,
        guild_id: int,
        user_id: int,
        reflection_id: int,
        body: str,
        visibility: Visibility,
        now: datetime,
    ) -> bool:
        written = await self._db.execute(
            "UPDATE reflections SET body = ?, visibility = ?, updated_at = ? "
            "WHERE guild_id = ? AND user_id = ? AND reflection_id = ?",
            (body, visibility.value, to_db(now), guild_id, user_id, reflection_id),
        )
        return written.rowcount > 0

    async def delete(self, guild_id: int, user_id: int, reflection_id: int) -> bool:
        written = await self._db.execute(
            "DELETE FROM reflections WHERE guild_id = ? AND user_id = ? AND reflection_id = ?",
            (guild_id, user_id, reflection_id),
        )
        return written.rowcount > 0

    async def by_member(self, guild_id: int, user_id: int, limit: int = 10) -> list[Reflection]:
        rows = await self._db.fetchall(
            "SELECT * FROM reflections WHERE guild_id = ? AND user_id = ? "
            "ORDER BY reflection_id DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [_reflection(r) for r in rows]

    async def reflected_this_week(self, guild_id: int, period_key: str) -> set[int]:
        rows = await self._db.fetchall(
            "SELECT DISTINCT user_id FROM reflections WHERE guild_id = ? AND period_key = ?",
            (guild_id, period_key),
        )
        return {r[0] for r in rows}

    async def set_reminders(self, guild_id: int, user_id: int, on: bool) -> bool:
        written = await self._db.execute(
            "UPDATE champions SET reflection_reminders = ? WHERE guild_id = ? AND user_id = ?",
            (int(on), guild_id, user_id),
        )
        return written.rowcount > 0

    async def reminder_candidates(self, guild_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM champions WHERE guild_id = ? AND status = 'active' "
            "AND reflection_reminders = 1 ORDER BY user_id",
            (guild_id,),
        )
        return [r[0] for r in rows]

    async def note_closed_dm_once(self, guild_id: int, user_id: int) -> bool:
        """True the first time a member's closed DMs are noted (so the log says it once)."""
        written = await self._db.execute(
            "UPDATE champions SET reminder_dm_closed_noted = 1 "
            "WHERE guild_id = ? AND user_id = ? AND reminder_dm_closed_noted = 0",
            (guild_id, user_id),
        )
        return written.rowcount > 0


def _reflection(row: Any) -> Reflection:
    return Reflection(
        reflection_id=row["reflection_id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        group_id=row["group_id"],
        period_key=row["period_key"],
        condition_number=row["condition_number"],
        question=row["question"],
        body=row["body"],
        visibility=Visibility(row["visibility"]),
        created_at=from_db(row["created_at"]),
    )
