"""Programme storage: programmes, their members, rounds, offered times and fairness history.

Rounds and meetings live in the roulette's tables (``coffee_rounds`` with a
``programme_id``, ``coffee_meetings``, ``coffee_meeting_members``). For the default
programme, membership changes are also written to the roulette's own columns, so
code that still reads those sees the same members.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from bot.db import Database, Tx
from bot.repos.coffee import NewMeeting
from bot.services.rhythm import Rhythm, RhythmKind
from bot.timeutil import from_db, to_db


class ProgrammeFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"


class DuplicateProgrammeName(Exception):
    """Another programme in the server already has this name."""


class ProgrammeLimitReached(Exception):
    """The server already runs as many programmes as it may."""


@dataclass(frozen=True)
class ProgrammeSettings:
    """Everything a coordinator chooses about a programme (already checked)."""

    name: str
    name_key: str
    channel_id: int | None
    rhythm: Rhythm
    group_size: int = 2
    format: ProgrammeFormat = ProgrammeFormat.ONLINE
    role_id: int | None = None


@dataclass(frozen=True)
class Programme:
    programme_id: int
    guild_id: int
    is_default: bool
    settings: ProgrammeSettings
    paused_until: datetime | None
    created_at: datetime

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def rhythm(self) -> Rhythm:
        return self.settings.rhythm

    @property
    def group_size(self) -> int:
        return self.settings.group_size

    def paused_at(self, when: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > when


@dataclass(frozen=True)
class Membership:
    programme_id: int
    user_id: int
    joined_at: datetime
    paused_until: datetime | None


@dataclass(frozen=True)
class ProgrammeCandidate:
    """A member taking part in a round, with what the pairing engine weighs."""

    user_id: int
    group_id: int
    region_id: str | None
    timezone: str | None
    interests: frozenset[str]


@dataclass(frozen=True)
class StoredHours:
    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class ProgrammeRound:
    round_id: int
    programme_id: int
    guild_id: int
    period_key: str
    created_at: datetime


@dataclass(frozen=True)
class RoundMeeting:
    meeting_id: int
    position: int
    members: tuple[int, ...]  # known members (erased ones left out)
    size: int  # everyone who was in it, erased members included


@dataclass(frozen=True)
class StoredOffer:
    meeting_id: int
    slots: tuple[datetime, ...]
    duration_minutes: int
    within_hours: bool
    ticks: dict[int, frozenset[datetime]]  # user id -> slots they can do


@dataclass(frozen=True)
class FairnessCounts:
    """A member's recent history in one programme, for the engine to even out."""

    sit_outs: int = 0
    same_group: int = 0
    larger: int = 0
    smaller: int = 0


_PROGRAMME_COLUMNS = (
    "programme_id, guild_id, name, name_key, is_default, channel_id, rhythm, every_weeks, "
    "week_of_month, day_of_week, hour, minute, timezone, anchor_date, group_size, format, "
    "role_id, paused_until, created_at"
)


class ProgrammeRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

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
        try:
            written = await self._db.execute(
                "UPDATE programmes SET name = ?, name_key = ?, channel_id = ?, rhythm = ?, "
                "every_weeks = ?, week_of_month = ?, day_of_week = ?, hour = ?, minute = ?, "
                "timezone = ?, anchor_date = ?, group_size = ?, format = ?, role_id = ?, "
                "updated_at = ? WHERE guild_id = ? AND programme_id = ?",
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
        except sqlite3.IntegrityError as exc:
            raise DuplicateProgrammeName(settings.name) from exc
        return written.rowcount > 0

    async def set_paused(
        self, guild_id: int, programme_id: int, until: datetime | None, now: datetime
    ) -> bool:
        written = await self._db.execute(
            "UPDATE programmes SET paused_until = ?, updated_at = ? "
            "WHERE guild_id = ? AND programme_id = ?",
            (to_db(until) if until else None, to_db(now), guild_id, programme_id),
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
            "SELECT round_id, programme_id, guild_id, period_key, created_at FROM coffee_rounds "
            "WHERE programme_id = ? AND period_key = ?",
            (programme_id, period_key),
        )
        return None if row is None else _round(row)

    async def latest_round(self, programme_id: int) -> ProgrammeRound | None:
        row = await self._db.fetchone(
            "SELECT round_id, programme_id, guild_id, period_key, created_at FROM coffee_rounds "
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
    ) -> ProgrammeRound:
        """Store a round with its meetings and sit-outs in one transaction, once per period."""
        async with self._db.transaction() as tx:
            existing = await tx.fetchone(
                "SELECT round_id, programme_id, guild_id, period_key, created_at "
                "FROM coffee_rounds WHERE programme_id = ? AND period_key = ?",
                (programme.programme_id, period_key),
            )
            if existing is not None:
                return _round(existing)
            written = await tx.execute(
                "INSERT INTO coffee_rounds (guild_id, programme_id, period_key, created_at, seed, "
                "condition_number, starter, checkin_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    programme.guild_id,
                    programme.programme_id,
                    period_key,
                    to_db(now),
                    seed,
                    condition_number,
                    starter,
                    to_db(checkin_due_at),
                ),
            )
            round_id = written.lastrowid
            assert round_id is not None
            for position, meeting in enumerate(meetings):
                await _insert_meeting(tx, round_id, programme.guild_id, position, meeting)
            await tx.executemany(
                "INSERT INTO round_sitouts (round_id, guild_id, user_id) VALUES (?, ?, ?)",
                [(round_id, programme.guild_id, user) for user in sit_outs],
            )
            row = await tx.fetchone(
                "SELECT round_id, programme_id, guild_id, period_key, created_at "
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
            meeting_id = await _insert_meeting(tx, round_id, guild_id, int(position), meeting)
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


async def _insert_meeting(
    tx: Tx, round_id: int, guild_id: int, position: int, meeting: NewMeeting
) -> int:
    made = await tx.execute(
        "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group) "
        "VALUES (?, ?, ?, ?)",
        (round_id, guild_id, position, int(meeting.cross_group)),
    )
    assert made.lastrowid is not None
    await tx.executemany(
        "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
        "VALUES (?, ?, ?, ?)",
        [(made.lastrowid, guild_id, user, group) for user, group in meeting.members],
    )
    return made.lastrowid


def _rhythm_columns(rhythm: Rhythm) -> tuple[Any, ...]:
    weekly = rhythm.kind is RhythmKind.WEEKLY
    return (
        rhythm.kind.value,
        rhythm.every_weeks if weekly else None,
        None if weekly else rhythm.week_of_month,
        rhythm.day_of_week,
        rhythm.hour,
        rhythm.minute,
        rhythm.timezone,
        rhythm.anchor.isoformat(),
    )


def _programme(row: Any) -> Programme:
    kind = RhythmKind(row["rhythm"])
    rhythm = Rhythm(
        kind,
        row["day_of_week"],
        row["hour"],
        row["minute"],
        row["timezone"],
        date.fromisoformat(row["anchor_date"]),
        every_weeks=row["every_weeks"] or 1,
        week_of_month=row["week_of_month"],
    )
    settings = ProgrammeSettings(
        name=row["name"],
        name_key=row["name_key"],
        channel_id=row["channel_id"],
        rhythm=rhythm,
        group_size=row["group_size"],
        format=ProgrammeFormat(row["format"]),
        role_id=row["role_id"],
    )
    return Programme(
        programme_id=row["programme_id"],
        guild_id=row["guild_id"],
        is_default=bool(row["is_default"]),
        settings=settings,
        paused_until=from_db(row["paused_until"]) if row["paused_until"] else None,
        created_at=from_db(row["created_at"]),
    )


def _membership(row: Any) -> Membership:
    return Membership(
        programme_id=int(row[0]),
        user_id=int(row[1]),
        joined_at=from_db(row[2]),
        paused_until=from_db(row[3]) if row[3] else None,
    )


def _hours(days: str, start_minute: int, end_minute: int) -> StoredHours:
    end = time(0) if end_minute == 1440 else time(end_minute // 60, end_minute % 60)
    return StoredHours(
        frozenset(int(d) for d in days), time(start_minute // 60, start_minute % 60), end
    )


def _round(row: Any) -> ProgrammeRound:
    return ProgrammeRound(
        round_id=int(row[0]),
        programme_id=int(row[1]),
        guild_id=int(row[2]),
        period_key=row[3],
        created_at=from_db(row[4]),
    )
