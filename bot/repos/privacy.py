"""Everything stored about one member: exported on request, erased on request.

Each feature that stores rows about a member registers its table here, and a
test checks that every table with a member column is covered, so a new table
cannot quietly escape ``/my-data`` or ``/forget-me``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.db import Database
from bot.repos.coffee_rows import MEMBER_ROWS


@dataclass(frozen=True)
class MemberRows:
    """Rows about a member in ``table``: ``where`` finds what is erased.

    ``export_where`` narrows what the member is shown, where a row is about them but
    belongs to someone else's private choices (another member's block list).
    """

    table: str
    where: str = "guild_id = :guild AND user_id = :user"
    export_where: str | None = None


@dataclass(frozen=True)
class SharedRows:
    """Rows shared with other members: the member's id is replaced, the row stays."""

    table: str
    column: str
    where: str


#: Deleted in this order (children before parents).
MEMBER_TABLES: tuple[MemberRows, ...] = (
    MemberRows("champion_interests"),
    MemberRows("coffee_skips"),
    MemberRows("programme_skips"),
    MemberRows("programme_members"),
    MemberRows("round_sitouts"),
    MemberRows("member_hours"),
    MemberRows("meeting_slot_ticks"),
    MemberRows(
        "coffee_blocks",
        "guild_id = :guild AND (user_id = :user OR blocked_user_id = :user)",
        export_where="guild_id = :guild AND user_id = :user",
    ),
    MemberRows("acts"),
    MemberRows("reflections"),
    MemberRows("deliveries", "guild_id = :guild AND target_id = :user"),
    MemberRows("invitations"),
    MemberRows("pulse_invites"),
    MemberRows("pulse_answers"),
    MemberRows("champions"),
)

#: Kept for others' sake, with the member's identity removed.
SHARED_TABLES: tuple[SharedRows, ...] = (
    SharedRows("coffee_meeting_members", "user_id", f"id IN ({MEMBER_ROWS})"),
    SharedRows("guild_prompts", "author_id", "guild_id = :guild AND author_id = :user"),
    # A greeting is still removed on schedule; only who it greeted is forgotten.
    SharedRows("welcome_greetings", "user_id", "guild_id = :guild AND user_id = :user"),
    SharedRows("pulse_questions", "author_id", "guild_id = :guild AND author_id = :user"),
)


class PrivacyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def export(self, guild_id: int, user_id: int) -> dict[str, list[dict[str, Any]]]:
        data: dict[str, list[dict[str, Any]]] = {}
        for spec in MEMBER_TABLES:
            rows = await self._db.fetchall(
                f"SELECT * FROM {spec.table} WHERE {spec.export_where or spec.where}",
                {"guild": guild_id, "user": user_id},
            )
            data[spec.table] = [dict(row) for row in rows]
        for shared in SHARED_TABLES:
            rows = await self._db.fetchall(
                f"SELECT * FROM {shared.table} WHERE {shared.where}",
                {"guild": guild_id, "user": user_id},
            )
            data[shared.table] = [dict(row) for row in rows]
        return data

    async def forget(self, guild_id: int, user_id: int) -> int:
        """Erase the member from this guild in one transaction; returns rows touched."""
        touched = 0
        async with self._db.transaction() as tx:
            for shared in SHARED_TABLES:
                written = await tx.execute(
                    f"UPDATE {shared.table} SET {shared.column} = NULL WHERE {shared.where}",
                    {"guild": guild_id, "user": user_id},
                )
                touched += written.rowcount
            for spec in MEMBER_TABLES:
                written = await tx.execute(
                    f"DELETE FROM {spec.table} WHERE {spec.where}",
                    {"guild": guild_id, "user": user_id},
                )
                touched += written.rowcount
        return touched
