"""Read-only figures for the weekly digest, the bridging picture and the impact report.

Every query is bounded by a guild and a time window (or a week's key) so it reads a
slice of an index rather than the guild's whole history. Windows are half-open,
``[since, until)``, in UTC, compared as the ISO-8601 text the tables store.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.db import Database
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class Window:
    """A half-open span of time, ``[since, until)``, as aware datetimes."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a window needs aware datetimes")
        if self.until < self.since:
            raise ValueError("a window cannot end before it starts")

    def params(self, guild_id: int) -> dict[str, Any]:
        return {"guild": guild_id, "since": to_db(self.since), "until": to_db(self.until)}


@dataclass(frozen=True)
class SharedItem:
    """A shareable act or reflection, with what is needed to credit it safely."""

    kind: str  # "act" or "reflection"
    item_id: int
    user_id: int
    group_id: int | None
    condition_number: int | None
    text: str
    who_benefited: str | None
    created_at: datetime
    name_ok: bool  # the author consented to being named and is still an active champion


@dataclass(frozen=True)
class RoundFigures:
    """One coffee round, counted.

    ``pairs`` are the two-person pairs inside meetings (a trio holds three);
    ``met`` meetings have at least one "yes"; ``answered`` have any answer;
    ``cross_group_met`` are cross-group meetings that met.
    """

    round_id: int
    period_key: str
    created_at: datetime
    checkin_due_at: datetime
    condition_number: int | None
    meetings: int
    cross_group_meetings: int
    pairs: int
    cross_group_pairs: int
    met: int
    answered: int
    cross_group_met: int


@dataclass(frozen=True)
class MeetingMemberRow:
    period_key: str
    meeting_id: int
    position: int
    cross_group: bool
    user_id: int | None  # None once the member asked to be forgotten
    group_id: int | None
    answer: str | None


@dataclass(frozen=True)
class GroupPairCount:
    """Meetings that happened with members from both groups (``low_id <= high_id``)."""

    low_id: int
    high_id: int
    meetings: int


_ROUND_FIGURES = """
WITH chosen AS (
    SELECT round_id FROM coffee_rounds WHERE guild_id = :guild AND {where}
), per_meeting AS (
    SELECT m.round_id, m.cross_group,
           EXISTS (SELECT 1 FROM coffee_meeting_members y
                   WHERE y.meeting_id = m.meeting_id AND y.answer = 'yes') AS met,
           EXISTS (SELECT 1 FROM coffee_meeting_members y
                   WHERE y.meeting_id = m.meeting_id AND y.answer IS NOT NULL) AS answered
    FROM coffee_meetings m
    WHERE m.round_id IN (SELECT round_id FROM chosen)
), per_round AS (
    SELECT round_id, count(*) AS meetings, sum(cross_group) AS cross_meetings,
           sum(met) AS met, sum(answered) AS answered, sum(cross_group * met) AS cross_met
    FROM per_meeting GROUP BY round_id
), pairs AS (
    SELECT m.round_id, count(*) AS pairs, sum(a.group_id != b.group_id) AS cross_pairs
    FROM coffee_meetings m
    JOIN coffee_meeting_members a ON a.meeting_id = m.meeting_id
    JOIN coffee_meeting_members b ON b.meeting_id = m.meeting_id AND a.id < b.id
    WHERE m.round_id IN (SELECT round_id FROM chosen)
    GROUP BY m.round_id
)
SELECT r.round_id, r.period_key, r.created_at, r.checkin_due_at, r.condition_number,
       coalesce(pr.meetings, 0), coalesce(pr.cross_meetings, 0),
       coalesce(p.pairs, 0), coalesce(p.cross_pairs, 0),
       coalesce(pr.met, 0), coalesce(pr.answered, 0), coalesce(pr.cross_met, 0)
FROM chosen c
JOIN coffee_rounds r ON r.round_id = c.round_id
LEFT JOIN per_round pr ON pr.round_id = c.round_id
LEFT JOIN pairs p ON p.round_id = c.round_id
ORDER BY r.period_key
"""

_SHARED_ACTS = """
SELECT a.act_id, a.user_id, a.group_id, a.condition_number, a.what, a.who_benefited,
       a.created_at, coalesce(c.digest_name_ok = 1 AND c.status = 'active', 0) AS name_ok
FROM acts a
LEFT JOIN champions c ON c.guild_id = a.guild_id AND c.user_id = a.user_id
WHERE a.guild_id = :guild AND a.created_at >= :since AND a.created_at < :until
  AND a.visibility = 'shareable'
ORDER BY a.created_at DESC, a.act_id DESC
"""

_SHARED_REFLECTIONS = """
SELECT r.reflection_id, r.user_id, r.group_id, r.condition_number, r.body, r.created_at,
       coalesce(c.digest_name_ok = 1 AND c.status = 'active', 0) AS name_ok
FROM reflections r
LEFT JOIN champions c ON c.guild_id = r.guild_id AND c.user_id = r.user_id
WHERE r.guild_id = :guild AND {where} AND r.visibility = 'shareable'
ORDER BY r.created_at DESC, r.reflection_id DESC
"""

_ACTIVE_BY_GROUP = """
WITH active (user_id) AS (
    SELECT user_id FROM acts
    WHERE guild_id = :guild AND created_at >= :since AND created_at < :until
    UNION
    SELECT user_id FROM reflections
    WHERE guild_id = :guild AND created_at >= :since AND created_at < :until
    UNION
    SELECT mm.user_id FROM coffee_rounds r
    JOIN coffee_meetings m ON m.round_id = r.round_id
    JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id
    WHERE r.guild_id = :guild AND r.created_at >= :since AND r.created_at < :until
      AND mm.answer = 'yes'
)
SELECT c.group_id, count(*) FROM active a
JOIN champions c ON c.guild_id = :guild AND c.user_id = a.user_id
GROUP BY c.group_id
"""

_GROUP_PAIRS = """
WITH happened AS (
    SELECT m.meeting_id FROM coffee_rounds r
    JOIN coffee_meetings m ON m.round_id = r.round_id
    WHERE r.guild_id = :guild AND r.created_at >= :since AND r.created_at < :until
      AND EXISTS (SELECT 1 FROM coffee_meeting_members y
                  WHERE y.meeting_id = m.meeting_id AND y.answer = 'yes')
)
SELECT min(a.group_id, b.group_id), max(a.group_id, b.group_id), count(DISTINCT h.meeting_id)
FROM happened h
JOIN coffee_meeting_members a ON a.meeting_id = h.meeting_id
JOIN coffee_meeting_members b ON b.meeting_id = h.meeting_id AND a.id < b.id
WHERE a.group_id IS NOT NULL AND b.group_id IS NOT NULL
GROUP BY 1, 2
"""


class AnalyticsRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def db_path(self) -> Path | None:
        """The database file, for worker processes that read it themselves (None when
        the database is not a file, such as a stand-in in tests)."""
        path = getattr(self._db, "path", None)
        return path if isinstance(path, Path) else None

    async def guild_timezone(self, guild_id: int) -> str | None:
        """The guild's timezone, or None when the guild is unknown."""
        value = await self._db.fetchval(
            "SELECT timezone FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return None if value is None else str(value)

    async def group_names(self, guild_id: int) -> dict[int, str]:
        """The guild's current groups, id to name, in the order they were made."""
        rows = await self._db.fetchall(
            "SELECT group_id, name FROM groups WHERE guild_id = ? ORDER BY group_id", (guild_id,)
        )
        return {int(r[0]): str(r[1]) for r in rows}

    # Acts

    async def act_counts(self, guild_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Acts in each span between consecutive ``bounds`` (one covering-index scan)."""
        if len(bounds) < 2:
            return []
        edges = [to_db(b) for b in bounds]
        cases = " ".join(f"WHEN created_at < ? THEN {i}" for i in range(len(edges) - 2))
        bucket = f"CASE {cases} ELSE {len(edges) - 2} END" if cases else "0"
        rows = await self._db.fetchall(
            f"SELECT {bucket} AS bucket, count(*) FROM acts "
            "WHERE guild_id = ? AND created_at >= ? AND created_at < ? GROUP BY bucket",
            [*edges[1:-1], guild_id, edges[0], edges[-1]],
        )
        counts = [0] * (len(edges) - 1)
        for index, count in rows:
            counts[int(index)] = int(count)
        return counts

    async def acts_by_condition(self, guild_id: int, window: Window) -> dict[int | None, int]:
        """Every act in the window (private ones too, as numbers only) by condition."""
        rows = await self._db.fetchall(
            "SELECT condition_number, count(*) FROM acts WHERE guild_id = :guild "
            "AND created_at >= :since AND created_at < :until GROUP BY condition_number",
            window.params(guild_id),
        )
        return {r[0]: int(r[1]) for r in rows}

    async def shareable_acts(
        self, guild_id: int, window: Window, limit: int | None = None
    ) -> list[SharedItem]:
        """Shareable acts in the window, newest first."""
        sql = _SHARED_ACTS + (" LIMIT :limit" if limit is not None else "")
        rows = await self._db.fetchall(sql, {**window.params(guild_id), "limit": limit})
        return [_act_item(r) for r in rows]

    # Reflections

    async def reflection_counts_for_week(self, guild_id: int, period_key: str) -> tuple[int, int]:
        """(all, shareable) reflections written for a week."""
        row = await self._db.fetchone(
            "SELECT count(*), coalesce(sum(visibility = 'shareable'), 0) FROM reflections "
            "WHERE guild_id = ? AND period_key = ?",
            (guild_id, period_key),
        )
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    async def reflection_counts(self, guild_id: int, window: Window) -> tuple[int, int]:
        """(all, shareable) reflections written in the window."""
        row = await self._db.fetchone(
            "SELECT count(*), coalesce(sum(visibility = 'shareable'), 0) FROM reflections "
            "WHERE guild_id = :guild AND created_at >= :since AND created_at < :until",
            window.params(guild_id),
        )
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    async def shareable_reflections_for_week(
        self, guild_id: int, period_key: str, limit: int | None = None
    ) -> list[SharedItem]:
        sql = _SHARED_REFLECTIONS.format(where="r.period_key = :period")
        if limit is not None:
            sql += " LIMIT :limit"
        rows = await self._db.fetchall(
            sql, {"guild": guild_id, "period": period_key, "limit": limit}
        )
        return [_reflection_item(r) for r in rows]

    async def shareable_reflections(self, guild_id: int, window: Window) -> list[SharedItem]:
        sql = _SHARED_REFLECTIONS.format(where="r.created_at >= :since AND r.created_at < :until")
        rows = await self._db.fetchall(sql, window.params(guild_id))
        return [_reflection_item(r) for r in rows]

    # Champions

    async def new_champions_by_group(self, guild_id: int, window: Window) -> dict[int | None, int]:
        """Champions whose profile was first made in the window, by their current group."""
        rows = await self._db.fetchall(
            "SELECT group_id, count(*) FROM champions WHERE guild_id = :guild "
            "AND joined_at >= :since AND joined_at < :until GROUP BY group_id",
            window.params(guild_id),
        )
        return {r[0]: int(r[1]) for r in rows}

    async def active_champions_by_group(
        self, guild_id: int, window: Window
    ) -> dict[int | None, int]:
        """Champions who took part in the window, by their current group.

        Taking part means logging an act, writing a reflection (any visibility) or
        answering "yes" to the check-in of a coffee round made in the window. It is
        computed from dated rows, so a past month is counted as it was, not from
        today's statuses.
        """
        rows = await self._db.fetchall(_ACTIVE_BY_GROUP, window.params(guild_id))
        return {r[0]: int(r[1]) for r in rows}

    # Coffee

    async def round_for_week(self, guild_id: int, period_key: str) -> RoundFigures | None:
        rows = await self._db.fetchall(
            _ROUND_FIGURES.format(where="period_key = :period"),
            {"guild": guild_id, "period": period_key},
        )
        return _round(rows[0]) if rows else None

    async def latest_checked_round(
        self, guild_id: int, up_to_period: str, now: datetime
    ) -> RoundFigures | None:
        """The newest round up to ``up_to_period`` whose check-in time has passed."""
        rows = await self._db.fetchall(
            _ROUND_FIGURES.format(
                where="round_id = (SELECT round_id FROM coffee_rounds WHERE guild_id = :guild "
                "AND period_key <= :period AND checkin_due_at <= :now "
                "ORDER BY period_key DESC LIMIT 1)"
            ),
            {"guild": guild_id, "period": up_to_period, "now": to_db(now)},
        )
        return _round(rows[0]) if rows else None

    async def rounds(self, guild_id: int, window: Window) -> list[RoundFigures]:
        """Rounds made in the window, oldest first."""
        rows = await self._db.fetchall(
            _ROUND_FIGURES.format(where="created_at >= :since AND created_at < :until"),
            window.params(guild_id),
        )
        return [_round(r) for r in rows]

    async def group_pairs_met(self, guild_id: int, window: Window) -> list[GroupPairCount]:
        """For meetings that happened (any "yes") in rounds made in the window: how many
        brought each pair of groups together. Same-group pairs appear with low == high."""
        rows = await self._db.fetchall(_GROUP_PAIRS, window.params(guild_id))
        return [GroupPairCount(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def meeting_members(self, guild_id: int, window: Window) -> list[MeetingMemberRow]:
        """Everyone in the meetings of rounds made in the window, round by round."""
        rows = await self._db.fetchall(_MEETING_MEMBERS, window.params(guild_id))
        return [_member(r) for r in rows]

    # Pseudonyms

    async def report_salt(
        self, guild_id: int, now: datetime, make: Callable[[], str] | None = None
    ) -> str:
        """The guild's secret salt for pseudonymous ids, created on first use."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO report_salts (guild_id, salt, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, (make or _new_salt)(), to_db(now)),
            )
            value = await tx.fetchval(
                "SELECT salt FROM report_salts WHERE guild_id = ?", (guild_id,)
            )
        return str(value)


def _new_salt() -> str:
    return secrets.token_hex(16)


def _reflection_item(r: Any) -> SharedItem:
    return SharedItem(
        kind="reflection",
        item_id=r[0],
        user_id=r[1],
        group_id=r[2],
        condition_number=r[3],
        text=r[4],
        who_benefited=None,
        created_at=from_db(r[5]),
        name_ok=bool(r[6]),
    )


def _round(r: Any) -> RoundFigures:
    return RoundFigures(
        round_id=r[0],
        period_key=r[1],
        created_at=from_db(r[2]),
        checkin_due_at=from_db(r[3]),
        condition_number=r[4],
        meetings=int(r[5]),
        cross_group_meetings=int(r[6]),
        pairs=int(r[7]),
        cross_group_pairs=int(r[8]),
        met=int(r[9]),
        answered=int(r[10]),
        cross_group_met=int(r[11]),
    )


# The rows the monthly report's CSV files list, read one by one on a plain (blocking)
# connection: for a worker process, which writes each row as it comes instead of
# holding the month's rows in memory. Oldest first; the same rows and values as the
# async reads above.

_MEETING_MEMBERS = (
    "SELECT r.period_key, m.meeting_id, m.position, m.cross_group, mm.user_id, "
    "mm.group_id, mm.answer FROM coffee_rounds r "
    "JOIN coffee_meetings m ON m.round_id = r.round_id "
    "JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
    "WHERE r.guild_id = :guild AND r.created_at >= :since AND r.created_at < :until "
    "ORDER BY r.period_key, m.position, mm.id"
)


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database file (blocking; for worker processes)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA query_only = ON")
    return conn


def each_shareable_act(
    conn: sqlite3.Connection, guild_id: int, window: Window
) -> Iterator[SharedItem]:
    sql = _SHARED_ACTS.replace(
        "ORDER BY a.created_at DESC, a.act_id DESC", "ORDER BY a.created_at, a.act_id"
    )
    for r in conn.execute(sql, window.params(guild_id)):
        yield _act_item(r)


def each_shareable_reflection(
    conn: sqlite3.Connection, guild_id: int, window: Window
) -> Iterator[SharedItem]:
    sql = _SHARED_REFLECTIONS.format(
        where="r.created_at >= :since AND r.created_at < :until"
    ).replace(
        "ORDER BY r.created_at DESC, r.reflection_id DESC",
        "ORDER BY r.created_at, r.reflection_id",
    )
    for r in conn.execute(sql, window.params(guild_id)):
        yield _reflection_item(r)


def each_meeting_member(
    conn: sqlite3.Connection, guild_id: int, window: Window
) -> Iterator[MeetingMemberRow]:
    for r in conn.execute(_MEETING_MEMBERS, window.params(guild_id)):
        yield _member(r)


def read_rounds(conn: sqlite3.Connection, guild_id: int, window: Window) -> list[RoundFigures]:
    sql = _ROUND_FIGURES.format(where="created_at >= :since AND created_at < :until")
    return [_round(r) for r in conn.execute(sql, window.params(guild_id))]


def read_group_names(conn: sqlite3.Connection, guild_id: int) -> dict[int, str]:
    rows = conn.execute(
        "SELECT group_id, name FROM groups WHERE guild_id = ? ORDER BY group_id", (guild_id,)
    )
    return {int(r[0]): str(r[1]) for r in rows}


def _act_item(r: Any) -> SharedItem:
    return SharedItem(
        kind="act",
        item_id=r[0],
        user_id=r[1],
        group_id=r[2],
        condition_number=r[3],
        text=r[4],
        who_benefited=r[5],
        created_at=from_db(r[6]),
        name_ok=bool(r[7]),
    )


def _member(r: Any) -> MeetingMemberRow:
    return MeetingMemberRow(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6])
