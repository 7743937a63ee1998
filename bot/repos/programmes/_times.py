"""Offered times and the ticks members give them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.db import Database
from bot.repos.programmes._models import (
    StoredOffer,
)
from bot.timeutil import from_db, to_db


class TimeStore:
    _db: Database

    # Offered times

    async def save_offer(
        self,
        meeting_id: int,
        slots: Sequence[datetime],
        duration_minutes: int,
        within_hours: bool,
        now: datetime,
    ) -> None:
        """Store the slots offered to a meeting, replacing an earlier offer and its ticks."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM meeting_time_offers WHERE meeting_id = ?", (meeting_id,))
            await tx.execute(
                "INSERT INTO meeting_time_offers (meeting_id, offered_at, duration_minutes, "
                "within_hours) VALUES (?, ?, ?, ?)",
                (meeting_id, to_db(now), duration_minutes, int(within_hours)),
            )
            await tx.executemany(
                "INSERT INTO meeting_slots (meeting_id, position, starts_at) VALUES (?, ?, ?)",
                [(meeting_id, pos, to_db(slot)) for pos, slot in enumerate(sorted(slots))],
            )

    async def offer(self, meeting_id: int) -> StoredOffer | None:
        head = await self._db.fetchone(
            "SELECT duration_minutes, within_hours FROM meeting_time_offers WHERE meeting_id = ?",
            (meeting_id,),
        )
        if head is None:
            return None
        slot_rows = await self._db.fetchall(
            "SELECT position, starts_at FROM meeting_slots WHERE meeting_id = ? ORDER BY position",
            (meeting_id,),
        )
        tick_rows = await self._db.fetchall(
            "SELECT t.user_id, s.starts_at FROM meeting_slot_ticks t JOIN meeting_slots s "
            "ON s.meeting_id = t.meeting_id AND s.position = t.position WHERE t.meeting_id = ?",
            (meeting_id,),
        )
        ticks: dict[int, set[datetime]] = {}
        for user_id, starts_at in tick_rows:
            ticks.setdefault(int(user_id), set()).add(from_db(starts_at))
        return StoredOffer(
            meeting_id,
            tuple(from_db(r[1]) for r in slot_rows),
            int(head[0]),
            bool(head[1]),
            {user: frozenset(times) for user, times in ticks.items()},
        )

    async def set_tick(
        self, meeting_id: int, position: int, guild_id: int, user_id: int, on: bool, now: datetime
    ) -> bool:
        """Tick or untick one slot; False when the meeting has no such slot."""
        exists = await self._db.fetchval(
            "SELECT 1 FROM meeting_slots WHERE meeting_id = ? AND position = ?",
            (meeting_id, position),
        )
        if not exists:
            return False
        if on:
            await self._db.execute(
                "INSERT INTO meeting_slot_ticks (meeting_id, position, guild_id, user_id, "
                "ticked_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (meeting_id, position, guild_id, user_id, to_db(now)),
            )
        else:
            await self._db.execute(
                "DELETE FROM meeting_slot_ticks WHERE meeting_id = ? AND position = ? "
                "AND user_id = ?",
                (meeting_id, position, user_id),
            )
        return True

    async def meeting_members(self, meeting_id: int) -> tuple[int, list[int]]:
        """(guild id, known member ids) of a meeting; guild 0 when there is no such meeting."""
        rows = await self._db.fetchall(
            "SELECT m.guild_id, mm.user_id FROM coffee_meetings m LEFT JOIN "
            "coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
            "WHERE m.meeting_id = ? ORDER BY mm.id",
            (meeting_id,),
        )
        if not rows:
            return 0, []
        return int(rows[0][0]), [int(r[1]) for r in rows if r[1] is not None]

    async def offered_meetings(self, since: datetime) -> list[tuple[int, int]]:
        """(guild id, meeting id) of every meeting offered a slot that starts after ``since``.

        None while the database is not open (commands loaded without one, as in checks).
        """
        if not self._db.is_open:
            return []
        rows = await self._db.fetchall(
            "SELECT DISTINCT m.guild_id, m.meeting_id FROM meeting_slots s "
            "JOIN coffee_meetings m ON m.meeting_id = s.meeting_id "
            "WHERE s.starts_at > ? ORDER BY m.meeting_id",
            (to_db(since),),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def thread_of(self, meeting_id: int) -> int | None:
        value = await self._db.fetchval(
            "SELECT thread_id FROM coffee_meetings WHERE meeting_id = ?", (meeting_id,)
        )
        return None if value is None else int(value)
