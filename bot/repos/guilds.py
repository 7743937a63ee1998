"""Guild settings, groups and weekly schedules."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.db import Database, Tx
from bot.models import ChannelPurpose, Group, GuildConfig, WeeklyTime
from bot.timeutil import from_db, to_db

DEFAULT_GROUPS: tuple[tuple[str, str], ...] = (
    ("Health & care", "🩺"),
    ("Justice", "⚖️"),
    ("Education", "📚"),
    ("Local government", "🏛️"),
    ("Community groups", "🏘️"),
    ("Voluntary sector", "🤝"),
)


def name_key(name: str) -> str:
    """Compare group names without regard to case or surrounding space."""
    return " ".join(name.casefold().split())


class DuplicateGroupError(Exception):
    pass


class GuildRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._known: set[int] = set()

    async def ensure(self, guild_id: int, now: datetime) -> bool:
        """Create the guild with default groups if it is new; True when created.

        Guilds are never deleted, so ids seen once are remembered and later calls
        cost no database round trip.
        """
        if guild_id in self._known:
            return False
        created = await self._create(guild_id, now)
        self._known.add(guild_id)
        return created

    async def _create(self, guild_id: int, now: datetime) -> bool:
        async with self._db.transaction() as tx:
            created = await tx.execute(
                "INSERT INTO guilds (guild_id, created_at) VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, to_db(now)),
            )
            if created.rowcount:
                for name, emoji in DEFAULT_GROUPS:
                    await _insert_group(tx, guild_id, name, emoji, None, now)
            return bool(created.rowcount)

    async def guild_ids(self) -> list[int]:
        rows = await self._db.fetchall("SELECT guild_id FROM guilds ORDER BY guild_id")
        return [int(row[0]) for row in rows]

    async def config(self, guild_id: int) -> GuildConfig | None:
        row = await self._db.fetchone("SELECT * FROM guilds WHERE guild_id = ?", (guild_id,))
        if row is None:
            return None
        return GuildConfig(
            guild_id=guild_id,
            timezone=row["timezone"],
            channels={purpose: row[purpose.column] for purpose in ChannelPurpose},
            coordinator_role_id=row["coordinator_role_id"],
            created_at=from_db(row["created_at"]),
        )

    async def set_channel(self, guild_id: int, purpose: ChannelPurpose, channel_id: int) -> None:
        await self._db.execute(
            f"UPDATE guilds SET {purpose.column} = ? WHERE guild_id = ?",
            (channel_id, guild_id),
        )

    async def set_coordinator_role(self, guild_id: int, role_id: int | None) -> None:
        await self._db.execute(
            "UPDATE guilds SET coordinator_role_id = ? WHERE guild_id = ?", (role_id, guild_id)
        )

    async def set_timezone(self, guild_id: int, timezone: str) -> None:
        await self._db.execute(
            "UPDATE guilds SET timezone = ? WHERE guild_id = ?", (timezone, guild_id)
        )

    async def champion_role(self, guild_id: int) -> int | None:
        value = await self._db.fetchval(
            "SELECT champion_role_id FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return None if value is None else int(value)

    async def set_champion_role(self, guild_id: int, role_id: int | None) -> None:
        await self._db.execute(
            "UPDATE guilds SET champion_role_id = ? WHERE guild_id = ?", (role_id, guild_id)
        )

    # Groups

    async def groups(self, guild_id: int) -> list[Group]:
        rows = await self._db.fetchall(
            "SELECT group_id, guild_id, name, emoji, role_id FROM groups "
            "WHERE guild_id = ? ORDER BY group_id",
            (guild_id,),
        )
        return [Group(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def group_by_name(self, guild_id: int, name: str) -> Group | None:
        row = await self._db.fetchone(
            "SELECT group_id, guild_id, name, emoji, role_id FROM groups "
            "WHERE guild_id = ? AND name_key = ?",
            (guild_id, name_key(name)),
        )
        return None if row is None else Group(row[0], row[1], row[2], row[3], row[4])

    async def group(self, guild_id: int, group_id: int) -> Group | None:
        row = await self._db.fetchone(
            "SELECT group_id, guild_id, name, emoji, role_id FROM groups "
            "WHERE guild_id = ? AND group_id = ?",
            (guild_id, group_id),
        )
        return None if row is None else Group(row[0], row[1], row[2], row[3], row[4])

    async def add_group(
        self, guild_id: int, name: str, emoji: str | None, role_id: int | None, now: datetime
    ) -> Group:
        try:
            async with self._db.transaction() as tx:
                group_id = await _insert_group(tx, guild_id, name, emoji, role_id, now)
        except sqlite3.IntegrityError as exc:
            raise DuplicateGroupError(name) from exc
        return Group(group_id, guild_id, name, emoji, role_id)

    async def rename_group(self, guild_id: int, group_id: int, new_name: str) -> None:
        try:
            await self._db.execute(
                "UPDATE groups SET name = ?, name_key = ? WHERE guild_id = ? AND group_id = ?",
                (new_name, name_key(new_name), guild_id, group_id),
            )
        except sqlite3.IntegrityError as exc:
            raise DuplicateGroupError(new_name) from exc

    async def remove_group(self, guild_id: int, group_id: int) -> bool:
        written = await self._db.execute(
            "DELETE FROM groups WHERE guild_id = ? AND group_id = ?", (guild_id, group_id)
        )
        return written.rowcount > 0

    # Schedules

    async def schedule(self, guild_id: int, job: str) -> WeeklyTime | None:
        row = await self._db.fetchone(
            "SELECT day_of_week, hour, minute FROM guild_schedule WHERE guild_id = ? AND job = ?",
            (guild_id, job),
        )
        return None if row is None else WeeklyTime(row[0], row[1], row[2])

    async def set_schedule(self, guild_id: int, job: str, when: WeeklyTime) -> None:
        await self._db.execute(
            "INSERT INTO guild_schedule (guild_id, job, day_of_week, hour, minute) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, job) DO UPDATE SET "
            "day_of_week = excluded.day_of_week, hour = excluded.hour, minute = excluded.minute",
            (guild_id, job, when.day_of_week, when.hour, when.minute),
        )


async def _insert_group(
    tx: Tx, guild_id: int, name: str, emoji: str | None, role_id: int | None, now: datetime
) -> int:
    written = await tx.execute(
        "INSERT INTO groups (guild_id, name, name_key, emoji, role_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, name, name_key(name), emoji, role_id, to_db(now)),
    )
    assert written.lastrowid is not None
    return written.lastrowid
