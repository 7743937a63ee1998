"""Invitations sent to an existing community, and welcome greetings waiting to be removed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.db import Database
from bot.timeutil import to_db

InviteStatus = Literal["pending", "dm", "posted", "failed"]


class InviteRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def invited_since(self, guild_id: int, since: datetime) -> set[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM invitations WHERE guild_id = ? AND invited_at >= ?",
            (guild_id, to_db(since)),
        )
        return {int(row[0]) for row in rows}

    async def claim(self, guild_id: int, user_id: int, now: datetime, since: datetime) -> bool:
        """Record an invitation about to be sent; False if one was sent since ``since``."""
        written = await self._db.execute(
            "INSERT INTO invitations (guild_id, user_id, invited_at, status) "
            "VALUES (?, ?, ?, 'pending') ON CONFLICT (guild_id, user_id) DO UPDATE SET "
            "invited_at = excluded.invited_at, status = 'pending' "
            "WHERE invitations.invited_at < ?",
            (guild_id, user_id, to_db(now), to_db(since)),
        )
        return written.rowcount > 0

    async def champion_ids(self, guild_id: int) -> set[int]:
        """Members who are champions already (active, or away from the server)."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM champions WHERE guild_id = ? AND status != 'left'", (guild_id,)
        )
        return {int(row[0]) for row in rows}

    async def mark(self, guild_id: int, user_ids: Iterable[int], status: InviteStatus) -> None:
        await self._db.executemany(
            "UPDATE invitations SET status = ? WHERE guild_id = ? AND user_id = ?",
            [(status, guild_id, user_id) for user_id in user_ids],
        )


@dataclass(frozen=True)
class Greeting:
    message_id: int
    channel_id: int


class GreetingRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def cleanup_days(self, guild_id: int) -> int:
        value = await self._db.fetchval(
            "SELECT greeting_cleanup_days FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return 7 if value is None else int(value)

    async def set_cleanup_days(self, guild_id: int, days: int) -> None:
        await self._db.execute(
            "UPDATE guilds SET greeting_cleanup_days = ? WHERE guild_id = ?", (days, guild_id)
        )

    async def record(
        self, guild_id: int, channel_id: int, message_id: int, user_id: int, now: datetime
    ) -> None:
        await self._db.execute(
            "INSERT INTO welcome_greetings (message_id, guild_id, channel_id, user_id, posted_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING",
            (message_id, guild_id, channel_id, user_id, to_db(now)),
        )

    async def due(self, guild_id: int, posted_before: datetime) -> list[Greeting]:
        rows = await self._db.fetchall(
            "SELECT message_id, channel_id FROM welcome_greetings "
            "WHERE guild_id = ? AND deleted_at IS NULL AND posted_at < ? ORDER BY posted_at",
            (guild_id, to_db(posted_before)),
        )
        return [Greeting(int(r[0]), int(r[1])) for r in rows]

    async def mark_deleted(self, message_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE welcome_greetings SET deleted_at = ? WHERE message_id = ?",
            (to_db(now), message_id),
        )
