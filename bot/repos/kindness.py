"""Acts of kindness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db import Database
from bot.models import Act, Visibility
from bot.services.defaults import KINDNESS_DAILY_LIMIT
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class NewAct:
    what: str
    who_benefited: str | None
    condition_number: int | None
    visibility: Visibility
    source: str
    text_key: str


class KindnessRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def daily_limit(self, guild_id: int) -> int:
        value = await self._db.fetchval(
            "SELECT kindness_daily_limit FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return KINDNESS_DAILY_LIMIT if value is None else int(value)

    async def set_daily_limit(self, guild_id: int, limit: int) -> None:
        await self._db.execute(
            "UPDATE guilds SET kindness_daily_limit = ? WHERE guild_id = ?", (limit, guild_id)
        )

    async def add(
        self,
        guild_id: int,
        user_id: int,
        group_id: int | None,
        act: NewAct,
        now: datetime,
        *,
        since: datetime,
        duplicate_since: datetime,
        limit: int,
    ) -> tuple[Act | None, bool]:
        """Store an act unless it repeats one from the last minute or passes the limit.

        Returns (act, created): the new act, the earlier identical act with False, or
        (None, False) when the daily limit is reached. One transaction, so two quick
        submissions cannot both slip past the checks.
        """
        async with self._db.transaction() as tx:
            same = await tx.fetchone(
                "SELECT * FROM acts WHERE guild_id = ? AND user_id = ? AND text_key = ? "
                "AND created_at >= ? ORDER BY act_id DESC LIMIT 1",
                (guild_id, user_id, act.text_key, to_db(duplicate_since)),
            )
            if same is not None:
                return _act(same), False
            count = await tx.fetchval(
                "SELECT count(*) FROM acts WHERE guild_id = ? AND user_id = ? AND created_at >= ?",
                (guild_id, user_id, to_db(since)),
            )
            if int(count) >= limit:
                return None, False
            written = await tx.execute(
                "INSERT INTO acts (guild_id, user_id, group_id, what, who_benefited, "
                "condition_number, visibility, source, text_key, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    user_id,
                    group_id,
                    act.what,
                    act.who_benefited,
                    act.condition_number,
                    act.visibility.value,
                    act.source,
                    act.text_key,
                    to_db(now),
                    to_db(now),
                ),
            )
            row = await tx.fetchone("SELECT * FROM acts WHERE act_id = ?", (written.lastrowid,))
        assert row is not None
        return _act(row), True

    async def get(self, guild_id: int, act_id: int) -> Act | None:
        row = await self._db.fetchone(
            "SELECT * FROM acts WHERE guild_id = ? AND act_id = ?", (guild_id, act_id)
        )
        return None if row is None else _act(row)

    async def update(
        self, guild_id: int, user_id: int, act_id: int, act: NewAct, now: datetime
    ) -> bool:
        written = await self._db.execute(
            "UPDATE acts SET what = ?, who_benefited = ?, condition_number = ?, visibility = ?, "
            "text_key = ?, updated_at = ? WHERE guild_id = ? AND user_id = ? AND act_id = ?",
            (
                act.what,
                act.who_benefited,
                act.condition_number,
                act.visibility.value,
                act.text_key,
                to_db(now),
                guild_id,
                user_id,
                act_id,
            ),
        )
        return written.rowcount > 0

    async def set_beneficiary(
        self, guild_id: int, user_id: int, act_id: int, group_id: int | None
    ) -> bool:
        """Say which of the guild's groups the author's act helped (None: not said);
        False when the act is not the author's or the group is not the guild's."""
        written = await self._db.execute(
            "UPDATE acts SET beneficiary_group_id = :group "
            "WHERE guild_id = :guild AND user_id = :user AND act_id = :act "
            "AND (:group IS NULL OR EXISTS (SELECT 1 FROM groups "
            "     WHERE group_id = :group AND guild_id = :guild))",
            {"guild": guild_id, "user": user_id, "act": act_id, "group": group_id},
        )
        return written.rowcount > 0

    async def delete(self, guild_id: int, user_id: int, act_id: int) -> bool:
        written = await self._db.execute(
            "DELETE FROM acts WHERE guild_id = ? AND user_id = ? AND act_id = ?",
            (guild_id, user_id, act_id),
        )
        return written.rowcount > 0

    async def by_member(self, guild_id: int, user_id: int, limit: int = 10) -> list[Act]:
        rows = await self._db.fetchall(
            "SELECT * FROM acts WHERE guild_id = ? AND user_id = ? ORDER BY act_id DESC LIMIT ?",
            (guild_id, user_id, limit),
        )
        return [_act(r) for r in rows]

    async def recent_shareable(self, guild_id: int, limit: int = 10) -> list[Act]:
        rows = await self._db.fetchall(
            "SELECT * FROM acts WHERE guild_id = ? AND visibility = 'shareable' "
            "ORDER BY act_id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [_act(r) for r in rows]

    async def totals(
        self, guild_id: int, since: datetime | None
    ) -> tuple[int, dict[int | None, int], dict[int | None, int]]:
        """(count, by condition, by group) of every act, private ones included as numbers.

        All-time figures come from the running totals the database keeps beside the
        acts (a few rows per server); a window is counted from the covering index.
        """
        if since is not None:
            return await self.recount(guild_id, since)
        rows = await self._db.fetchall(
            "SELECT condition_key, group_key, n FROM act_counts WHERE guild_id = ? AND n > 0",
            (guild_id,),
        )
        by_condition: dict[int | None, int] = {}
        by_group: dict[int | None, int] = {}
        for condition_key, group_key, n in rows:
            condition = condition_key or None
            group = group_key or None
            by_condition[condition] = by_condition.get(condition, 0) + n
            by_group[group] = by_group.get(group, 0) + n
        return sum(by_condition.values()), by_condition, by_group

    async def recount(
        self, guild_id: int, since: datetime | None
    ) -> tuple[int, dict[int | None, int], dict[int | None, int]]:
        """The same figures as :meth:`totals`, counted from the acts themselves."""
        where = "guild_id = ?"
        params: list[object] = [guild_id]
        if since is not None:
            where += " AND created_at >= ?"
            params.append(to_db(since))
        rows = await self._db.fetchall(
            f"SELECT condition_number, group_id, count(*) FROM acts WHERE {where} "
            "GROUP BY condition_number, group_id",
            params,
        )
        by_condition: dict[int | None, int] = {}
        by_group: dict[int | None, int] = {}
        for condition, group, n in rows:
            by_condition[condition] = by_condition.get(condition, 0) + n
            by_group[group] = by_group.get(group, 0) + n
        return sum(by_condition.values()), by_condition, by_group


def _act(row: Any) -> Act:
    return Act(
        act_id=row["act_id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        group_id=row["group_id"],
        what=row["what"],
        who_benefited=row["who_benefited"],
        condition_number=row["condition_number"],
        visibility=Visibility(row["visibility"]),
        created_at=from_db(row["created_at"]),
    )
