"""Usual hours, rounds, meetings and the history the engine reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.db import Database
from bot.repos.coffee import NewMeeting
from bot.repos.coffee_writes import INSERT_SITOUT, insert_meetings
from bot.repos.programmes._models import (
    FairnessCounts,
    Programme,
    ProgrammeRound,
    RoundMeeting,
    StoredHours,
    _hours,
    _round,
)
from bot.timeutil import to_db


class RoundStore:
    _db: Database

    # Usual hours

    async def hours(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, StoredHours]:
        wanted = list(user_ids)
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        rows = await self._db.fetchall(
            f"SELECT user_id, days, start_minute, end_minute FROM member_hours "
            f"WHERE guild_id = ? AND user_id IN ({marks})",
            (guild_id, *wanted),
        )
        return {int(r[0]): _hours(r[1], r[2], r[3]) for r in rows}

    async def set_hours(
        self, guild_id: int, user_id: int, hours: StoredHours | None, now: datetime
    ) -> None:
        if hours is None:
            await self._db.execute(
                "DELETE FROM member_hours WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            return
        end = hours.end.hour * 60 + hours.end.minute or 1440
        await self._db.execute(
            "INSERT INTO member_hours (guild_id, user_id, days, start_minute, end_minute, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE "
            "SET days = excluded.days, start_minute = excluded.start_minute, "
            "end_minute = excluded.end_minute, updated_at = excluded.updated_at",
            (
                guild_id,
                user_id,
                "".join(str(d) for d in sorted(hours.days)),
                hours.start.hour * 60 + hours.start.minute,
                end,
                to_db(now),
            ),
        )

    async def timezones(self, guild_id: int, user_ids: Iterable[int]) -> dict[int, str | None]:
        wanted = list(user_ids)
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        rows = await self._db.fetchall(
            f"SELECT user_id, timezone FROM champions WHERE guild_id = ? AND user_id IN ({marks})",
            (guild_id, *wanted),
        )
        return {int(r[0]): r[1] for r in rows}

    # Rounds

    async def round_for(self, programme_id: int, period_key: str) -> ProgrammeRound | None:
        row = await self._db.fetchone(
            "SELECT round_id, programme_id, guild_id, period_key, created_at, kept_repeats "
            "FROM coffee_rounds "
            "WHERE programme_id = ? AND period_key = ?",
            (programme_id, period_key),
        )
        return None if row is None else _round(row)

    async def latest_round(self, programme_id: int) -> ProgrammeRound | None:
        row = await self._db.fetchone(
            "SELECT round_id, programme_id, guild_id, period_key, created_at, kept_repeats "
            "FROM coffee_rounds "
            "WHERE programme_id = ? ORDER BY created_at DESC, round_id DESC LIMIT 1",
            (programme_id,),
        )
        return None if row is None else _round(row)

    async def create_round(
        self,
        programme: Programme,
        period_key: str,
        *,
        seed: int,
        condition_number: int | None,
        starter: str | None,
        now: datetime,
        checkin_due_at: datetime,
        meetings: Sequence[NewMeeting],
        sit_outs: Iterable[int] = (),
        kept_repeats: int = 0,
    ) -> ProgrammeRound:
        """Store a round with its meetings and sit-outs in one transaction, once per period."""
        async with self._db.transaction() as tx:
            existing = await tx.fetchone(
                "SELECT round_id, programme_id, guild_id, period_key, created_at, kept_repeats "
                "FROM coffee_rounds WHERE programme_id = ? AND period_key = ?",
                (programme.programme_id, period_key),
            )
            if existing is not None:
                return _round(existing)
            written = await tx.execute(
                "INSERT INTO coffee_rounds (guild_id, programme_id, period_key, created_at, seed, "
                "condition_number, starter, checkin_due_at, kept_repeats) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    programme.guild_id,
                    programme.programme_id,
                    period_key,
                    to_db(now),
                    seed,
                    condition_number,
                    starter,
                    to_db(checkin_due_at),
                    kept_repeats,
                ),
            )
            round_id = written.lastrowid
            assert round_id is not None
            await insert_meetings(tx, round_id, programme.guild_id, meetings)
            await tx.executemany(
                INSERT_SITOUT, [(round_id, programme.guild_id, user) for user in sit_outs]
            )
            row = await tx.fetchone(
                "SELECT round_id, programme_id, guild_id, period_key, created_at, kept_repeats "
                "FROM coffee_rounds WHERE round_id = ?",
                (round_id,),
            )
        assert row is not None
        return _round(row)

    async def round_meetings(self, round_id: int) -> list[RoundMeeting]:
        rows = await self._db.fetchall(
            "SELECT m.meeting_id, m.position, mm.user_id FROM coffee_meetings m "
            "LEFT JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
            "WHERE m.round_id = ? ORDER BY m.position, mm.id",
            (round_id,),
        )
        found: dict[int, tuple[int, list[int], list[int | None]]] = {}
        for meeting_id, position, user_id in rows:
            _, known, everyone = found.setdefault(meeting_id, (position, [], []))
            everyone.append(user_id)
            if user_id is not None:
                known.append(int(user_id))
        return [
            RoundMeeting(mid, pos, tuple(known), len(everyone))
            for mid, (pos, known, everyone) in found.items()
        ]

    async def sit_outs(self, round_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT user_id FROM round_sitouts WHERE round_id = ? ORDER BY user_id", (round_id,)
        )
        return [int(r[0]) for r in rows]

    async def add_meeting(self, round_id: int, guild_id: int, meeting: NewMeeting) -> int:
        """A meeting added to a round after it was made; its members no longer sit out."""
        async with self._db.transaction() as tx:
            position = await tx.fetchval(
                "SELECT coalesce(max(position), -1) + 1 FROM coffee_meetings WHERE round_id = ?",
                (round_id,),
            )
            (meeting_id,) = await insert_meetings(tx, round_id, guild_id, [meeting], int(position))
            await tx.executemany(
                "DELETE FROM round_sitouts WHERE round_id = ? AND user_id = ?",
                [(round_id, user) for user, _ in meeting.members],
            )
        return meeting_id

    async def add_to_meeting(
        self, round_id: int, meeting_id: int, guild_id: int, user_id: int, group_id: int
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
                "VALUES (?, ?, ?, ?)",
                (meeting_id, guild_id, user_id, group_id),
            )
            groups = await tx.fetchval(
                "SELECT count(DISTINCT group_id) FROM coffee_meeting_members WHERE meeting_id = ?",
                (meeting_id,),
            )
            await tx.execute(
                "UPDATE coffee_meetings SET cross_group = ? WHERE meeting_id = ?",
                (int(int(groups) > 1), meeting_id),
            )
            await tx.execute(
                "DELETE FROM round_sitouts WHERE round_id = ? AND user_id = ?", (round_id, user_id)
            )

    async def recent_meetings(
        self, programme_id: int, rounds: int, *, before_round: int | None = None
    ) -> list[list[tuple[int, ...]]]:
        """The last ``rounds`` rounds of a programme, oldest first, as meetings of members."""
        rows = await self._db.fetchall(
            "WITH recent AS (SELECT round_id, created_at FROM coffee_rounds "
            "WHERE programme_id = ? AND (? IS NULL OR round_id != ?) "
            "ORDER BY created_at DESC, round_id DESC LIMIT ?) "
            "SELECT r.round_id, m.meeting_id, mm.user_id FROM recent r "
            "JOIN coffee_meetings m ON m.round_id = r.round_id AND m.guild_id = "
            "(SELECT guild_id FROM programmes WHERE programme_id = ?) "
            "JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
            "WHERE mm.user_id IS NOT NULL ORDER BY r.created_at, r.round_id, m.position, mm.id",
            (programme_id, before_round, before_round, rounds, programme_id),
        )
        by_round: dict[int, dict[int, list[int]]] = {}
        for round_id, meeting_id, user_id in rows:
            by_round.setdefault(round_id, {}).setdefault(meeting_id, []).append(int(user_id))
        return [
            [tuple(users) for users in meetings.values() if len(users) > 1]
            for meetings in by_round.values()
        ]

    async def blocked_pairs(self, guild_id: int) -> list[tuple[int, int]]:
        rows = await self._db.fetchall(
            "SELECT user_id, blocked_user_id FROM coffee_blocks WHERE guild_id = ?", (guild_id,)
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def roulette_settings(self, guild_id: int) -> tuple[int, int]:
        """(rounds within which pairs are not repeated, days until the check-in)."""
        row = await self._db.fetchone(
            "SELECT coffee_avoid_rounds, coffee_checkin_days FROM guilds WHERE guild_id = ?",
            (guild_id,),
        )
        return (8, 5) if row is None else (int(row[0]), int(row[1]))

    async def fairness(
        self, programme_id: int, rounds: int, group_size: int
    ) -> dict[int, FairnessCounts]:
        """Per member over the last ``rounds`` rounds: sit-outs, meetings with someone of
        their own group, and meetings larger or smaller than ``group_size`` (one query)."""
        rows = await self._db.fetchall(
            "WITH recent AS (SELECT round_id FROM coffee_rounds WHERE programme_id = :programme "
            "  ORDER BY created_at DESC, round_id DESC LIMIT :rounds), "
            "seats AS (SELECT mm.user_id, "
            "  count(*) OVER (PARTITION BY mm.meeting_id) AS size, "
            "  CASE WHEN mm.group_id IS NULL THEN 1 "
            "    ELSE count(*) OVER (PARTITION BY mm.meeting_id, mm.group_id) END AS kin "
            "  FROM coffee_meeting_members mm JOIN coffee_meetings m "
            "  ON m.meeting_id = mm.meeting_id AND m.guild_id = "
            "    (SELECT guild_id FROM programmes WHERE programme_id = :programme) "
            "  WHERE m.round_id IN (SELECT round_id FROM recent)), "
            "marks AS ("
            "  SELECT user_id, 0 AS sat_out, kin > 1 AS same_group, size > :size AS larger, "
            "    size < :size AS smaller FROM seats WHERE user_id IS NOT NULL "
            "  UNION ALL SELECT user_id, 1, 0, 0, 0 FROM round_sitouts "
            "  WHERE round_id IN (SELECT round_id FROM recent)) "
            "SELECT user_id, sum(sat_out), sum(same_group), sum(larger), sum(smaller) "
            "FROM marks GROUP BY user_id ORDER BY user_id",
            {"programme": programme_id, "rounds": rounds, "size": group_size},
        )
        return {int(r[0]): FairnessCounts(int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}
