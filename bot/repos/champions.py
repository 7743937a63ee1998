"""Champion profiles and their interests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db import Database, Tx
from bot.models import Champion, ChampionStatus, Profile
from bot.timeutil import from_db, to_db

_COLUMNS = (
    "guild_id, user_id, group_id, region_id, timezone, intro, coffee_opt_in, "
    "digest_name_ok, status, joined_at, updated_at"
)


class ChampionRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, guild_id: int, user_id: int) -> Champion | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM champions WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return None
        interests = await self._db.fetchall(
            "SELECT interest_id FROM champion_interests WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return _champion(row, frozenset(r[0] for r in interests))

    async def save(self, guild_id: int, user_id: int, profile: Profile, now: datetime) -> bool:
        """Create or update a profile and make it active; True when it is new."""
        async with self._db.transaction() as tx:
            existed = await tx.fetchval(
                "SELECT 1 FROM champions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            await tx.execute(
                "INSERT INTO champions (guild_id, user_id, group_id, region_id, timezone, intro, "
                "coffee_opt_in, digest_name_ok, status, joined_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET group_id = excluded.group_id, "
                "region_id = excluded.region_id, timezone = excluded.timezone, "
                "intro = excluded.intro, coffee_opt_in = excluded.coffee_opt_in, "
                "digest_name_ok = excluded.digest_name_ok, status = 'active', "
                "updated_at = excluded.updated_at",
                (
                    guild_id,
                    user_id,
                    profile.group_id,
                    profile.region_id,
                    profile.timezone,
                    profile.intro,
                    int(profile.coffee_opt_in),
                    int(profile.digest_name_ok),
                    to_db(now),
                    to_db(now),
                ),
            )
            await _replace_interests(tx, guild_id, user_id, profile.interests)
        return not existed

    async def set_status(
        self, guild_id: int, user_id: int, status: ChampionStatus, now: datetime
    ) -> bool:
        written = await self._db.execute(
            "UPDATE champions SET status = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (status.value, to_db(now), guild_id, user_id),
        )
        return written.rowcount > 0

    async def set_group(self, guild_id: int, user_id: int, group_id: int, now: datetime) -> bool:
        written = await self._db.execute(
            "UPDATE champions SET group_id = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            (group_id, to_db(now), guild_id, user_id),
        )
        return written.rowcount > 0

    async def set_coffee(self, guild_id: int, user_id: int, opt_in: bool, now: datetime) -> bool:
        written = await self._db.execute(
            "UPDATE champions SET coffee_opt_in = ?, updated_at = ? "
            "WHERE guild_id = ? AND user_id = ?",
            (int(opt_in), to_db(now), guild_id, user_id),
        )
        return written.rowcount > 0

    async def all(self, guild_id: int, status: ChampionStatus | None = None) -> list[Champion]:
        where = "guild_id = ?"
        params: list[object] = [guild_id]
        if status is not None:
            where += " AND status = ?"
            params.append(status.value)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM champions WHERE {where} ORDER BY joined_at, user_id",
            params,
        )
        interest_rows = await self._db.fetchall(
            "SELECT user_id, interest_id FROM champion_interests WHERE guild_id = ?", (guild_id,)
        )
        interests: dict[int, set[str]] = {}
        for user_id, interest_id in interest_rows:
            interests.setdefault(user_id, set()).add(interest_id)
        return [_champion(row, frozenset(interests.get(row["user_id"], ()))) for row in rows]

    async def counts_by_group(self, guild_id: int) -> dict[int | None, int]:
        rows = await self._db.fetchall(
            "SELECT group_id, count(*) FROM champions WHERE guild_id = ? AND status = 'active' "
            "GROUP BY group_id",
            (guild_id,),
        )
        return {row[0]: row[1] for row in rows}

    async def recent_active(self, guild_id: int, since: datetime, limit: int) -> list[Champion]:
        """Active champions who joined at ``since`` or later, newest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM champions WHERE guild_id = ? AND status = 'active' "
            "AND joined_at >= ? ORDER BY joined_at DESC, user_id LIMIT ?",
            (guild_id, to_db(since), limit),
        )
        if not rows:
            return []
        users = [row["user_id"] for row in rows]
        interest_rows = await self._db.fetchall(
            "SELECT user_id, interest_id FROM champion_interests WHERE guild_id = ? "
            f"AND user_id IN ({', '.join('?' * len(users))})",
            (guild_id, *users),
        )
        interests: dict[int, set[str]] = {}
        for user_id, interest_id in interest_rows:
            interests.setdefault(user_id, set()).add(interest_id)
        return [_champion(row, frozenset(interests.get(row["user_id"], ()))) for row in rows]

    async def delete(self, guild_id: int, user_id: int) -> bool:
        written = await self._db.execute(
            "DELETE FROM champions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return written.rowcount > 0


async def _replace_interests(
    tx: Tx, guild_id: int, user_id: int, interests: frozenset[str]
) -> None:
    await tx.execute(
        "DELETE FROM champion_interests WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
    )
    await tx.executemany(
        "INSERT INTO champion_interests (guild_id, user_id, interest_id) VALUES (?, ?, ?)",
        [(guild_id, user_id, interest) for interest in sorted(interests)],
    )


def _champion(row: Any, interests: frozenset[str]) -> Champion:
    return Champion(
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        profile=Profile(
            group_id=row["group_id"],
            region_id=row["region_id"],
            timezone=row["timezone"],
            interests=interests,
            intro=row["intro"],
            coffee_opt_in=bool(row["coffee_opt_in"]),
            digest_name_ok=bool(row["digest_name_ok"]),
        ),
        status=ChampionStatus(row["status"]),
        joined_at=from_db(row["joined_at"]),
        updated_at=from_db(row["updated_at"]),
    )
