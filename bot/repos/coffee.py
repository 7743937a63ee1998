"""Coffee roulette storage: participants, rounds, meetings, answers and choices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.db import Database
from bot.repos.coffee_records import (
    Candidate,
    CoffeeSettings,
    CoffeeTotals,
    MeetingMember,
    MeetingRecord,
    NewMeeting,
    RoundRecord,
    RoundRows,
    meeting_record,
    round_record,
)
from bot.repos.coffee_rows import (
    BLOCKED,
    COUNT_PARTICIPANTS_UP_TO,
    INTERESTS,
    MEMBER_ROWS,
    PARTICIPANTS,
    RECENT_MEETING_IDS,
    ROULETTE,
    SETTINGS,
    SIT_OUT_COUNTS,
    candidates_from,
    history_from,
    read_round_rows,
    settings_from,
)
from bot.repos.coffee_writes import (
    INSERT_ROUND,
    INSERT_SITOUT,
    NewRound,
    insert_meetings,
    new_round,
    sitout_rows,
    write_round,
)
from bot.timeutil import from_db, to_db

__all__ = [
    "Candidate",
    "CoffeeRepo",
    "CoffeeSettings",
    "CoffeeTotals",
    "MeetingMember",
    "MeetingRecord",
    "NewMeeting",
    "NewRound",
    "RoundRecord",
    "RoundRows",
    "new_round",
    "read_round_rows",
    "write_round",
]


class CoffeeRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Settings and members' choices

    @property
    def path(self) -> Path:
        """The database file, which a worker process may read by itself."""
        return self._db.path

    async def settings(self, guild_id: int) -> CoffeeSettings:
        return settings_from(await self._db.fetchone(SETTINGS, (guild_id,)))

    async def set_headsup_hours(self, guild_id: int, hours: int | None) -> None:
        await self._db.execute(
            "UPDATE guilds SET coffee_headsup_hours = ? WHERE guild_id = ?", (hours, guild_id)
        )

    async def participants(self, guild_id: int, period_key: str, now: datetime) -> list[Candidate]:
        async with self._db.reading() as reader:
            rows = await reader.fetchall(PARTICIPANTS, (guild_id, to_db(now), period_key))
            interest_rows = await reader.fetchall(INTERESTS, (guild_id,))
        return candidates_from(rows, interest_rows)

    async def participants_at_least(
        self, guild_id: int, period_key: str, now: datetime, enough: int
    ) -> bool:
        """Whether at least ``enough`` would take part in ``period_key``'s round: an
        indexed count that stops there, a fraction of a millisecond at any size."""
        count = await self._db.fetchval(
            COUNT_PARTICIPANTS_UP_TO, (guild_id, to_db(now), period_key, enough)
        )
        return int(count or 0) >= enough

    async def round_rows(self, guild_id: int, period_key: str, now: datetime) -> RoundRows:
        """Everything ``period_key``'s round is made from (see :func:`read_round_rows`)."""
        rounds = (await self.settings(guild_id)).avoid_rounds
        return RoundRows(
            avoid_rounds=rounds,
            candidates=await self.participants(guild_id, period_key, now),
            history=history_from(await self._db.fetchall(RECENT_MEETING_IDS, (guild_id, rounds))),
            blocked=await self.blocked_pairs(guild_id),
            sit_outs=await self.sit_out_counts(guild_id, rounds),
        )

    async def set_pause(self, guild_id: int, user_id: int, until: datetime | None) -> bool:
        written = await self._db.execute(
            "UPDATE champions SET coffee_paused_until = ?, coffee_missed_checkins = 0 "
            "WHERE guild_id = ? AND user_id = ?",
            (to_db(until) if until else None, guild_id, user_id),
        )
        return written.rowcount > 0

    async def paused_until(self, guild_id: int, user_id: int) -> datetime | None:
        value = await self._db.fetchval(
            "SELECT coffee_paused_until FROM champions WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return from_db(value) if value else None

    async def skip(self, guild_id: int, user_id: int, period_key: str) -> bool:
        written = await self._db.execute(
            "INSERT INTO coffee_skips (guild_id, user_id, period_key) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (guild_id, user_id, period_key),
        )
        return written.rowcount > 0

    async def block(self, guild_id: int, user_id: int, other_id: int, now: datetime) -> bool:
        written = await self._db.execute(
            "INSERT INTO coffee_blocks (guild_id, user_id, blocked_user_id, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, user_id, other_id, to_db(now)),
        )
        return written.rowcount > 0

    async def unblock(self, guild_id: int, user_id: int, other_id: int) -> bool:
        written = await self._db.execute(
            "DELETE FROM coffee_blocks WHERE guild_id = ? AND user_id = ? AND blocked_user_id = ?",
            (guild_id, user_id, other_id),
        )
        return written.rowcount > 0

    async def blocked_pairs(self, guild_id: int) -> list[tuple[int, int]]:
        rows = await self._db.fetchall(BLOCKED, (guild_id,))
        return [(r[0], r[1]) for r in rows]

    # Rounds

    async def recent_meetings(self, guild_id: int, rounds: int) -> list[list[tuple[int, ...]]]:
        """The last ``rounds`` rounds, oldest first, as meetings of known members."""
        rows = await self._db.fetchall(RECENT_MEETING_IDS, (guild_id, rounds))
        return [[tuple(map(int, m)) for m in rnd] for rnd in history_from(rows)]

    async def round_for(self, guild_id: int, period_key: str) -> RoundRecord | None:
        row = await self._db.fetchone(
            f"SELECT * FROM coffee_rounds WHERE guild_id = ? AND period_key = ? AND {ROULETTE}",
            (guild_id, period_key),
        )
        return None if row is None else round_record(row)

    async def latest_round(
        self, guild_id: int, before_period: str | None = None
    ) -> RoundRecord | None:
        if before_period is None:
            row = await self._db.fetchone(
                f"SELECT * FROM coffee_rounds WHERE guild_id = ? AND {ROULETTE} "
                "ORDER BY period_key DESC LIMIT 1",
                (guild_id,),
            )
        else:
            row = await self._db.fetchone(
                "SELECT * FROM coffee_rounds WHERE guild_id = ? AND period_key < ? "
                f"AND {ROULETTE} ORDER BY period_key DESC LIMIT 1",
                (guild_id, before_period),
            )
        return None if row is None else round_record(row)

    async def create_round(
        self,
        guild_id: int,
        period_key: str,
        *,
        seed: int,
        condition_number: int | None,
        starter: str | None,
        now: datetime,
        checkin_due_at: datetime,
        meetings: Sequence[NewMeeting],
        sat_out: Sequence[int] = (),
    ) -> RoundRecord:
        """Store the round, its meetings and who sat out in one transaction (or return the
        existing one)."""
        header = new_round(
            guild_id,
            period_key,
            seed=seed,
            condition_number=condition_number,
            starter=starter,
            now=now,
            checkin_due_at=checkin_due_at,
        )
        return await self.store_round(header, meetings, sat_out)

    async def store_round(
        self, header: NewRound, meetings: Sequence[NewMeeting], sat_out: Sequence[int] = ()
    ) -> RoundRecord:
        """:meth:`create_round` with the round's own row already made."""
        guild_id = header.guild_id
        async with self._db.transaction() as tx:
            existing = await tx.fetchone(
                f"SELECT * FROM coffee_rounds WHERE guild_id = ? AND period_key = ? AND {ROULETTE}",
                (guild_id, header.period_key),
            )
            if existing is not None:
                return round_record(existing)
            round_id = (await tx.execute(INSERT_ROUND, header)).lastrowid
            assert round_id is not None
            await insert_meetings(tx, round_id, guild_id, meetings)
            await tx.executemany(INSERT_SITOUT, sitout_rows(round_id, guild_id, sat_out))
            row = await tx.fetchone("SELECT * FROM coffee_rounds WHERE round_id = ?", (round_id,))
        assert row is not None
        return round_record(row)

    def wrote_elsewhere(self) -> None:
        """A worker process wrote to the file: checkpoint its log as after the bot's writes."""
        self._db.wrote_elsewhere()

    async def meetings(self, round_id: int) -> list[MeetingRecord]:
        rows = await self._db.fetchall(
            "SELECT * FROM coffee_meetings WHERE round_id = ? ORDER BY position", (round_id,)
        )
        member_rows = await self._db.fetchall(
            "SELECT mm.meeting_id, mm.user_id, mm.group_id, mm.answer, mm.reached "
            "FROM coffee_meeting_members mm JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
            "WHERE m.round_id = ? ORDER BY mm.id",
            (round_id,),
        )
        members: dict[int, list[MeetingMember]] = {}
        for meeting_id, user_id, group_id, answer, reached in member_rows:
            members.setdefault(meeting_id, []).append(
                MeetingMember(user_id, group_id, answer, reached)
            )
        return [meeting_record(row, members.get(row["meeting_id"], [])) for row in rows]

    async def meeting(self, meeting_id: int) -> MeetingRecord | None:
        found = await self._meetings_where("m.meeting_id = ?", (meeting_id,))
        return found[0] if found else None

    async def _meetings_where(self, condition: str, params: Sequence[Any]) -> list[MeetingRecord]:
        """Meetings matching ``condition`` (on ``m`` and ``r``), with members, in one query."""
        rows = await self._db.fetchall(
            "SELECT m.meeting_id, m.round_id, m.position, m.cross_group, m.thread_id, "
            "m.announced_at, m.checkin_posted_at, "
            "mm.id AS member_row, mm.user_id, mm.group_id, mm.answer, mm.reached "
            "FROM coffee_meetings m JOIN coffee_rounds r ON r.round_id = m.round_id "
            "LEFT JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
            f"WHERE {condition} ORDER BY m.meeting_id, mm.id",
            params,
        )
        heads: dict[int, Any] = {}
        members: dict[int, list[MeetingMember]] = {}
        for row in rows:
            heads.setdefault(row["meeting_id"], row)
            people = members.setdefault(row["meeting_id"], [])
            if row["member_row"] is not None:
                people.append(
                    MeetingMember(row["user_id"], row["group_id"], row["answer"], row["reached"])
                )
        return [meeting_record(row, members[meeting_id]) for meeting_id, row in heads.items()]

    async def set_thread(self, meeting_id: int, thread_id: int) -> None:
        await self._db.execute(
            "UPDATE coffee_meetings SET thread_id = ? WHERE meeting_id = ?", (thread_id, meeting_id)
        )

    async def mark_announced(self, meeting_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE coffee_meetings SET announced_at = ? WHERE meeting_id = ?",
            (to_db(now), meeting_id),
        )

    async def set_reached(self, meeting_id: int, user_id: int, how: str) -> None:
        await self._db.execute(
            "UPDATE coffee_meeting_members SET reached = ? WHERE meeting_id = ? AND user_id = ?",
            (how, meeting_id, user_id),
        )

    async def mark_checkin_posted(self, meeting_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE coffee_meetings SET checkin_posted_at = ? WHERE meeting_id = ?",
            (to_db(now), meeting_id),
        )

    async def meetings_due_for_checkin(self, guild_id: int, now: datetime) -> list[MeetingRecord]:
        return await self._meetings_where(
            "m.guild_id = ? AND m.announced_at IS NOT NULL AND m.checkin_posted_at IS NULL "
            "AND r.checkin_due_at <= ?",
            (guild_id, to_db(now)),
        )

    async def record_answer(
        self, meeting_id: int, user_id: int, answer: str, now: datetime
    ) -> bool:
        """Store the answer and reset the member's run of missed check-ins, both or neither."""
        async with self._db.transaction() as tx:
            written = await tx.execute(
                "UPDATE coffee_meeting_members SET answer = ?, answered_at = ? "
                "WHERE meeting_id = ? AND user_id = ?",
                (answer, to_db(now), meeting_id, user_id),
            )
            if written.rowcount:
                await tx.execute(
                    "UPDATE champions SET coffee_missed_checkins = 0 WHERE guild_id = "
                    "(SELECT guild_id FROM coffee_meetings WHERE meeting_id = ?) AND user_id = ?",
                    (meeting_id, user_id),
                )
        return written.rowcount > 0

    async def count_missed_checkins(self, round_id: int) -> list[tuple[int, int]]:
        """After a round's check-in: bump the miss count of those who did not answer.

        Returns (user id, misses in a row) for every member who did not answer, by user
        id. One statement, however big the round.
        """
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "UPDATE champions SET coffee_missed_checkins = coffee_missed_checkins + 1 "
                "WHERE (guild_id, user_id) IN ("
                "SELECT mm.guild_id, mm.user_id FROM coffee_meeting_members mm "
                "JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
                "WHERE m.round_id = ? AND m.checkin_posted_at IS NOT NULL "
                "AND mm.answer IS NULL AND mm.user_id IS NOT NULL) "
                "RETURNING user_id, coffee_missed_checkins",
                (round_id,),
            )
        return sorted((int(user_id), int(misses)) for user_id, misses in rows)

    async def set_pauses(self, guild_id: int, user_ids: Sequence[int], until: datetime) -> None:
        """Pause all of ``user_ids`` until ``until`` (and clear their missed check-ins)."""
        await self._db.executemany(
            "UPDATE champions SET coffee_paused_until = ?, coffee_missed_checkins = 0 "
            "WHERE guild_id = ? AND user_id = ?",
            [(to_db(until), guild_id, user_id) for user_id in user_ids],
        )

    async def partners_of(
        self, guild_id: int, user_id: int, limit: int = 20
    ) -> list[tuple[str, list[int | None]]]:
        """(period, partner ids) of a member's meetings, newest first; None = erased partner."""
        rows = await self._db.fetchall(
            "WITH mine AS (SELECT r.period_key, m.meeting_id FROM coffee_meeting_members mm "
            "JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
            "JOIN coffee_rounds r ON r.round_id = m.round_id "
            f"WHERE mm.id IN ({MEMBER_ROWS}) ORDER BY r.period_key DESC LIMIT :limit) "
            "SELECT mine.period_key, mine.meeting_id, o.id, o.user_id FROM mine "
            "LEFT JOIN coffee_meeting_members o ON o.meeting_id = mine.meeting_id "
            "AND (o.user_id IS NULL OR o.user_id != :user) "
            "ORDER BY mine.period_key DESC, mine.meeting_id, o.id",
            {"guild": guild_id, "user": user_id, "limit": limit},
        )
        meetings: dict[int, tuple[str, list[int | None]]] = {}
        for period_key, meeting_id, member_row, partner in rows:
            _, partners = meetings.setdefault(meeting_id, (period_key, []))
            if member_row is not None:
                partners.append(partner)
        return list(meetings.values())

    async def totals(self, guild_id: int) -> CoffeeTotals:
        """The server's coffee figures, from the running totals kept beside the rounds."""
        row = await self._db.fetchone(
            "SELECT rounds, meetings, pairs, cross_group_pairs, answered_meetings, met_meetings "
            "FROM coffee_totals WHERE guild_id = ?",
            (guild_id,),
        )
        if row is None:
            return CoffeeTotals(0, 0, 0, 0, 0, 0)
        return CoffeeTotals(*(int(value) for value in row))

    async def recount(self, guild_id: int) -> CoffeeTotals:
        """The same figures as :meth:`totals`, counted from every round there is."""
        rounds = await self._db.fetchval(
            "SELECT count(*) FROM coffee_rounds WHERE guild_id = ?", (guild_id,)
        )
        meetings = await self._db.fetchval(
            "SELECT count(*) FROM coffee_meetings WHERE guild_id = ?", (guild_id,)
        )
        pair_row = await self._db.fetchone(
            "SELECT count(*), coalesce(sum(a.group_id != b.group_id), 0) "
            "FROM coffee_meeting_members a JOIN coffee_meeting_members b "
            "ON a.meeting_id = b.meeting_id AND a.id < b.id WHERE a.guild_id = ?",
            (guild_id,),
        )
        answer_row = await self._db.fetchone(
            "SELECT count(DISTINCT CASE WHEN answer IS NOT NULL THEN meeting_id END), "
            "count(DISTINCT CASE WHEN answer = 'yes' THEN meeting_id END) "
            "FROM coffee_meeting_members WHERE guild_id = ?",
            (guild_id,),
        )
        assert pair_row is not None and answer_row is not None
        return CoffeeTotals(
            rounds=int(rounds or 0),
            meetings=int(meetings or 0),
            pairs=int(pair_row[0]),
            cross_group_pairs=int(pair_row[1]),
            answered_meetings=int(answer_row[0]),
            met_meetings=int(answer_row[1]),
        )

    async def sat_out(self, round_id: int) -> list[int]:
        """Who sat this round out because no meeting could respect everyone's blocks."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM round_sitouts WHERE round_id = ? ORDER BY user_id", (round_id,)
        )
        return [row[0] for row in rows]

    async def sit_out_counts(self, guild_id: int, rounds: int) -> dict[int, int]:
        """How often each member sat out in the guild's latest ``rounds`` rounds."""
        rows = await self._db.fetchall(SIT_OUT_COUNTS, (guild_id, rounds))
        return {row[0]: row[1] for row in rows}
