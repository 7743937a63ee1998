"""Programmes and their members."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from bot.db import Database, Tx
from bot.repos.programmes._models import (
    _PROGRAMME_COLUMNS,
    DuplicateProgrammeName,
    Membership,
    Programme,
    ProgrammeCandidate,
    ProgrammeLimitReached,
    ProgrammeSettings,
    _membership,
    _programme,
    _rhythm_columns,
)
from bot.timeutil import to_db


class ProgrammeStore:
    _db: Database

    # Programmes

    async def limit(self, guild_id: int) -> int:
        value = await self._db.fetchval(
            "SELECT programme_limit FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return 10 if value is None else int(value)

    async def set_limit(self, guild_id: int, limit: int) -> None:
        await self._db.execute(
            "UPDATE guilds SET programme_limit = ? WHERE guild_id = ?", (limit, guild_id)
        )

    async def all(self, guild_id: int) -> list[Programme]:
        rows = await self._db.fetchall(
            f"SELECT {_PROGRAMME_COLUMNS} FROM programmes WHERE guild_id = ? "
            "ORDER BY is_default DESC, programme_id",
            (guild_id,),
        )
        return [_programme(row) for row in rows]

    async def every_guild(self) -> list[Programme]:
        """Every server's programmes except the default ones (the roulette runs those).

        None while the database is not open (commands loaded without one, as in checks).
        """
        if not self._db.is_open:
            return []
        rows = await self._db.fetchall(
            f"SELECT {_PROGRAMME_COLUMNS} FROM programmes WHERE is_default = 0 "
            "ORDER BY guild_id, programme_id"
        )
        return [_programme(row) for row in rows]

    async def get(self, guild_id: int, programme_id: int) -> Programme | None:
        row = await self._db.fetchone(
            f"SELECT {_PROGRAMME_COLUMNS} FROM programmes WHERE guild_id = ? AND programme_id = ?",
            (guild_id, programme_id),
        )
        return None if row is None else _programme(row)

    async def by_name(self, guild_id: int, name_key: str) -> Programme | None:
        row = await self._db.fetchone(
            f"SELECT {_PROGRAMME_COLUMNS} FROM programmes WHERE guild_id = ? AND name_key = ?",
            (guild_id, name_key),
        )
        return None if row is None else _programme(row)

    async def default(self, guild_id: int) -> Programme | None:
        row = await self._db.fetchone(
            f"SELECT {_PROGRAMME_COLUMNS} FROM programmes WHERE guild_id = ? AND is_default = 1",
            (guild_id,),
        )
        return None if row is None else _programme(row)

    async def create(self, guild_id: int, settings: ProgrammeSettings, now: datetime) -> Programme:
        """Check the server's cap and the name, then store, all in one transaction."""
        try:
            async with self._db.transaction() as tx:
                limit = await tx.fetchval(
                    "SELECT programme_limit FROM guilds WHERE guild_id = ?", (guild_id,)
                )
                count = await tx.fetchval(
                    "SELECT count(*) FROM programmes WHERE guild_id = ?", (guild_id,)
                )
                if limit is not None and int(count) >= int(limit):
                    raise ProgrammeLimitReached(int(limit))
                rhythm = settings.rhythm
                written = await tx.execute(
                    "INSERT INTO programmes (guild_id, name, name_key, channel_id, rhythm, "
                    "every_weeks, week_of_month, day_of_week, hour, minute, timezone, "
                    "anchor_date, group_size, format, role_id, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        guild_id,
                        settings.name,
                        settings.name_key,
                        settings.channel_id,
                        *_rhythm_columns(rhythm),
                        settings.group_size,
                        settings.format.value,
                        settings.role_id,
                        to_db(now),
                        to_db(now),
                    ),
                )
                row = await tx.fetchone(
                    f"SELECT {_PROGRAMME_COLUMNS} FROM programmes WHERE programme_id = ?",
                    (written.lastrowid,),
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateProgrammeName(settings.name) from exc
        assert row is not None
        return _programme(row)

    async def update(
        self, guild_id: int, programme_id: int, settings: ProgrammeSettings, now: datetime
    ) -> bool:
        """Change a programme. The default one is the roulette, whose own settings (the
        coffee channel, the pairing job's day and time) change with it, in one
        transaction: the roulette reads those, and triggers copy them back here."""
        try:
            async with self._db.transaction() as tx:
                written = await tx.execute(
                    "UPDATE programmes SET name = ?, name_key = ?, channel_id = ?, rhythm = ?, "
                    "every_weeks = ?, week_of_month = ?, day_of_week = ?, hour = ?, "
                    "minute = ?, timezone = ?, anchor_date = ?, group_size = ?, format = ?, "
                    "role_id = ?, updated_at = ? WHERE guild_id = ? AND programme_id = ?",
                    (
                        settings.name,
                        settings.name_key,
                        settings.channel_id,
                        *_rhythm_columns(settings.rhythm),
                        settings.group_size,
                        settings.format.value,
                        settings.role_id,
                        to_db(now),
                        guild_id,
                        programme_id,
                    ),
                )
                is_default = await tx.fetchval(
                    "SELECT is_default FROM programmes WHERE guild_id = ? AND programme_id = ?",
                    (guild_id, programme_id),
                )
                if is_default:
                    await _roulette_follows(tx, guild_id, settings)
        except sqlite3.IntegrityError as exc:
            raise DuplicateProgrammeName(settings.name) from exc
        return written.rowcount > 0

    async def set_paused(
        self, guild_id: int, programme_id: int, until: datetime | None, now: datetime
    ) -> bool:
        """Pause until ``until`` (None: resume now). A new pause begins now, unless the
        programme is already paused until that same moment; resuming keeps when the
        pause began (it names the pause whose end is being announced)."""
        stored = to_db(until) if until else None
        written = await self._db.execute(
            "UPDATE programmes SET paused_since = CASE "
            "WHEN ?1 IS NULL THEN paused_since "
            "WHEN paused_until IS ?1 AND paused_since IS NOT NULL THEN paused_since "
            "ELSE ?2 END, paused_until = ?1, updated_at = ?2 "
            "WHERE guild_id = ?3 AND programme_id = ?4",
            (stored, to_db(now), guild_id, programme_id),
        )
        return written.rowcount > 0

    async def delete(self, guild_id: int, programme_id: int) -> bool:
        """Remove a programme that is not the default; its members, skips and rounds go too."""
        written = await self._db.execute(
            "DELETE FROM programmes WHERE guild_id = ? AND programme_id = ? AND is_default = 0",
            (guild_id, programme_id),
        )
        return written.rowcount > 0

    # Members

    async def membership(self, programme_id: int, user_id: int) -> Membership | None:
        row = await self._db.fetchone(
            "SELECT programme_id, user_id, joined_at, paused_until FROM programme_members "
            "WHERE programme_id = ? AND user_id = ?",
            (programme_id, user_id),
        )
        return None if row is None else _membership(row)

    async def memberships(self, guild_id: int, user_id: int) -> list[Membership]:
        rows = await self._db.fetchall(
            "SELECT pm.programme_id, pm.user_id, pm.joined_at, pm.paused_until "
            "FROM programme_members pm JOIN programmes p ON p.programme_id = pm.programme_id "
            "WHERE pm.guild_id = ? AND pm.user_id = ? ORDER BY p.is_default DESC, p.programme_id",
            (guild_id, user_id),
        )
        return [_membership(row) for row in rows]

    async def member_ids(self, programme_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM programme_members WHERE programme_id = ? ORDER BY user_id",
            (programme_id,),
        )
        return [int(r[0]) for r in rows]

    async def join(self, programme: Programme, user_id: int, now: datetime) -> bool:
        """Add the member (or end their pause); True when they were not a member before."""
        async with self._db.transaction() as tx:
            existed = await tx.fetchval(
                "SELECT 1 FROM programme_members WHERE programme_id = ? AND user_id = ?",
                (programme.programme_id, user_id),
            )
            await tx.execute(
                "INSERT INTO programme_members (programme_id, guild_id, user_id, joined_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (programme_id, user_id) "
                "DO UPDATE SET paused_until = NULL",
                (programme.programme_id, programme.guild_id, user_id, to_db(now)),
            )
            if programme.is_default:
                await tx.execute(
                    "UPDATE champions SET coffee_opt_in = 1, coffee_paused_until = NULL, "
                    "coffee_missed_checkins = 0, updated_at = ? WHERE guild_id = ? AND user_id = ?",
                    (to_db(now), programme.guild_id, user_id),
                )
        return not existed

    async def leave(self, programme: Programme, user_id: int, now: datetime) -> bool:
        async with self._db.transaction() as tx:
            written = await tx.execute(
                "DELETE FROM programme_members WHERE programme_id = ? AND user_id = ?",
                (programme.programme_id, user_id),
            )
            if programme.is_default:
                await tx.execute(
                    "UPDATE champions SET coffee_opt_in = 0, updated_at = ? "
                    "WHERE guild_id = ? AND user_id = ?",
                    (to_db(now), programme.guild_id, user_id),
                )
        return written.rowcount > 0

    async def set_member_pause(
        self, programme: Programme, user_id: int, until: datetime | None
    ) -> bool:
        async with self._db.transaction() as tx:
            written = await tx.execute(
                "UPDATE programme_members SET paused_until = ? "
                "WHERE programme_id = ? AND user_id = ?",
                (to_db(until) if until else None, programme.programme_id, user_id),
            )
            if written.rowcount and programme.is_default:
                await tx.execute(
                    "UPDATE champions SET coffee_paused_until = ?, coffee_missed_checkins = 0 "
                    "WHERE guild_id = ? AND user_id = ?",
                    (to_db(until) if until else None, programme.guild_id, user_id),
                )
        return written.rowcount > 0

    async def skip(self, programme: Programme, user_id: int, period_key: str) -> bool:
        async with self._db.transaction() as tx:
            written = await tx.execute(
                "INSERT INTO programme_skips (programme_id, guild_id, user_id, period_key) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (programme.programme_id, programme.guild_id, user_id, period_key),
            )
            if programme.is_default:
                await tx.execute(
                    "INSERT INTO coffee_skips (guild_id, user_id, period_key) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (programme.guild_id, user_id, period_key),
                )
        return written.rowcount > 0

    async def skips(self, programme_id: int, user_id: int) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT period_key FROM programme_skips WHERE programme_id = ? AND user_id = ? "
            "ORDER BY period_key",
            (programme_id, user_id),
        )
        return [r[0] for r in rows]

    async def participants(
        self, programme_id: int, period_key: str, now: datetime
    ) -> list[ProgrammeCandidate]:
        """Active champions in the programme, not paused at ``now`` nor skipping the period."""
        rows = await self._db.fetchall(
            "SELECT c.user_id, c.group_id, c.region_id, c.timezone, "
            "(SELECT group_concat(i.interest_id, char(31)) FROM champion_interests i "
            " WHERE i.guild_id = c.guild_id AND i.user_id = c.user_id) AS interests "
            "FROM programme_members pm JOIN champions c "
            "ON c.guild_id = pm.guild_id AND c.user_id = pm.user_id "
            "WHERE pm.programme_id = ? AND c.status = 'active' AND c.group_id IS NOT NULL "
            "AND (pm.paused_until IS NULL OR pm.paused_until <= ?) "
            "AND NOT EXISTS (SELECT 1 FROM programme_skips s WHERE s.programme_id = "
            "pm.programme_id AND s.user_id = pm.user_id AND s.period_key = ?) "
            "ORDER BY c.user_id",
            (programme_id, to_db(now), period_key),
        )
        return [
            ProgrammeCandidate(
                int(r[0]),
                int(r[1]),
                r[2],
                r[3],
                frozenset(r[4].split("\x1f")) if r[4] else frozenset(),
            )
            for r in rows
        ]

    async def active_groups(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, int]:
        """The group of each active champion among ``user_ids`` (others are left out)."""
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        rows = await self._db.fetchall(
            f"SELECT user_id, group_id FROM champions WHERE guild_id = ? AND user_id IN ({marks}) "
            "AND status = 'active' AND group_id IS NOT NULL",
            (guild_id, *wanted),
        )
        return {int(r[0]): int(r[1]) for r in rows}


async def _roulette_follows(tx: Tx, guild_id: int, settings: ProgrammeSettings) -> None:
    """The roulette's own channel and pairing time, from its default programme's."""
    rhythm = settings.rhythm
    await tx.execute(
        "UPDATE guilds SET coffee_channel_id = ? WHERE guild_id = ?",
        (settings.channel_id, guild_id),
    )
    await tx.execute(
        "INSERT INTO guild_schedule (guild_id, job, day_of_week, hour, minute) "
        "VALUES (?, 'pairing', ?, ?, ?) ON CONFLICT (guild_id, job) DO UPDATE SET "
        "day_of_week = excluded.day_of_week, hour = excluded.hour, minute = excluded.minute",
        (guild_id, rhythm.day_of_week, rhythm.hour, rhythm.minute),
    )
