"""Outcome figures counted from the bot's own rows, one set-based query per figure.

Windows are half-open, ``[since, until)``, in UTC, compared as the ISO-8601 text the
tables store. Where a figure is broken down by local calendar month, the months'
UTC edges are passed in as a JSON list of ``[label, since, until]``, so SQLite
never needs to know the server's timezone.

Groups are those recorded on each row when it was written (a coffee meeting keeps
each member's group at the time, an act its author's group), so a member who
changes group later does not rewrite the past.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db import Database
from bot.repos.analytics import SharedItem, Window
from bot.timeutil import from_db, to_db

#: Retention horizons: still taking part this many days after joining.
RETENTION_DAYS = (30, 91, 182)

MonthEdges = Sequence[tuple[str, datetime, datetime]]

# One pass over the window's meetings gives three figures: who took part (an act,
# a reflection, or "yes" to a check-in); for everyone in a meeting, how many other
# groups they met (said "yes" in a meeting with someone from that group; 0 when
# none); and the distinct pairs of people from different groups who shared a
# meeting that happened (either of the two said "yes"), erased members counted by
# their seat in the meeting.
_TIES = """
WITH RECURSIVE happened AS MATERIALIZED (
    SELECT mm.id, mm.meeting_id, mm.user_id, mm.group_id, mm.answer
    FROM coffee_rounds r
    JOIN coffee_meetings m ON m.round_id = r.round_id
    JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id
    WHERE r.guild_id = :guild AND r.created_at >= :since AND r.created_at < :until
), pairs AS MATERIALIZED (
    SELECT a.id AS a_id, a.user_id AS a_user, a.group_id AS a_group, a.answer AS a_answer,
           b.id AS b_id, b.user_id AS b_user, b.group_id AS b_group, b.answer AS b_answer
    FROM happened a
    JOIN happened b ON b.meeting_id = a.meeting_id AND a.id < b.id
    WHERE a.group_id IS NOT NULL AND b.group_id IS NOT NULL AND a.group_id != b.group_id
), directed (user_id, other) AS (
    SELECT a_user, b_group FROM pairs WHERE a_answer = 'yes' AND a_user IS NOT NULL
    UNION ALL
    SELECT b_user, a_group FROM pairs WHERE b_answer = 'yes' AND b_user IS NOT NULL
), met AS (
    SELECT user_id, count(DISTINCT other) AS groups FROM directed GROUP BY user_id
), participants AS (
    SELECT DISTINCT user_id FROM happened WHERE user_id IS NOT NULL
), act_users (id) AS (
    -- Each member with an act, one index seek per member (not one row per act).
    SELECT min(user_id) FROM acts WHERE guild_id = :guild
    UNION ALL
    SELECT (SELECT min(user_id) FROM acts WHERE guild_id = :guild AND user_id > act_users.id)
    FROM act_users WHERE act_users.id IS NOT NULL
), reflection_users (id) AS (
    SELECT min(user_id) FROM reflections WHERE guild_id = :guild
    UNION ALL
    SELECT (
        SELECT min(user_id) FROM reflections
        WHERE guild_id = :guild AND user_id > reflection_users.id
    )
    FROM reflection_users WHERE reflection_users.id IS NOT NULL
), active (user_id) AS (
    SELECT id FROM act_users
    WHERE id IS NOT NULL AND EXISTS (
        SELECT 1 FROM acts WHERE guild_id = :guild AND user_id = act_users.id
          AND created_at >= :since AND created_at < :until)
    UNION
    SELECT id FROM reflection_users
    WHERE id IS NOT NULL AND EXISTS (
        SELECT 1 FROM reflections WHERE guild_id = :guild AND user_id = reflection_users.id
          AND created_at >= :since AND created_at < :until)
    UNION
    SELECT user_id FROM happened WHERE answer = 'yes' AND user_id IS NOT NULL
)
SELECT NULL, NULL, (SELECT count(*) FROM active),
       (SELECT count(*) FROM (
            SELECT DISTINCT min(coalesce(a_user, -a_id), coalesce(b_user, -b_id)),
                            max(coalesce(a_user, -a_id), coalesce(b_user, -b_id))
            FROM pairs WHERE a_answer = 'yes' OR b_answer = 'yes'))
UNION ALL
SELECT coalesce(met.groups, 0) AS k, count(*), NULL, NULL
FROM participants p LEFT JOIN met ON met.user_id = p.user_id
GROUP BY k
"""

_BRIDGING_BY_MONTH = """
WITH months AS (
    SELECT json_extract(value, '$[0]') AS label, json_extract(value, '$[1]') AS since,
           json_extract(value, '$[2]') AS until
    FROM json_each(:months)
), happened AS (
    SELECT mo.label, m.meeting_id
    FROM months mo
    JOIN coffee_rounds r ON r.guild_id = :guild
         AND r.created_at >= mo.since AND r.created_at < mo.until
    JOIN coffee_meetings m ON m.round_id = r.round_id
    WHERE EXISTS (SELECT 1 FROM coffee_meeting_members y
                  WHERE y.meeting_id = m.meeting_id AND y.answer = 'yes')
)
SELECT h.label, min(a.group_id, b.group_id), max(a.group_id, b.group_id),
       count(DISTINCT h.meeting_id)
FROM happened h
JOIN coffee_meeting_members a ON a.meeting_id = h.meeting_id
JOIN coffee_meeting_members b ON b.meeting_id = h.meeting_id AND a.id < b.id
WHERE a.group_id IS NOT NULL AND b.group_id IS NOT NULL AND a.group_id != b.group_id
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
"""

_STATUSES = """
SELECT
    coalesce(sum(status = 'active' AND NOT coalesce(coffee_paused_until > :now, 0)), 0),
    coalesce(sum(status = 'active' AND coalesce(coffee_paused_until > :now, 0)), 0),
    coalesce(sum(status = 'away'), 0),
    coalesce(sum(status = 'left'), 0),
    coalesce(sum(joined_at >= :since AND joined_at < :until), 0)
FROM champions WHERE guild_id = :guild AND joined_at < :until
"""

_COHORTS = """
WITH months AS (
    SELECT json_extract(value, '$[0]') AS label, json_extract(value, '$[1]') AS since,
           json_extract(value, '$[2]') AS until
    FROM json_each(:months)
), members AS (
    SELECT mo.label, c.user_id, c.joined_at,
           julianday(:until) - julianday(c.joined_at) AS age
    FROM months mo
    JOIN champions c ON c.guild_id = :guild
         AND c.joined_at >= mo.since AND c.joined_at < mo.until
), last AS MATERIALIZED (
    -- Each member's latest act, reflection and "yes" to a coffee check-in before
    -- :until, read through the per-member indexes (a meeting row is in one of the two
    -- by-member indexes of coffee_meeting_members, told or not yet told).
    SELECT m.label, m.age, julianday(max(
        coalesce((SELECT max(created_at) FROM acts a WHERE a.guild_id = :guild
                  AND a.user_id = m.user_id AND a.created_at < :until), ''),
        coalesce((SELECT max(created_at) FROM reflections r WHERE r.guild_id = :guild
                  AND r.user_id = m.user_id AND r.created_at < :until), ''),
        coalesce((SELECT max(answered_at) FROM coffee_meeting_members mm
                  WHERE mm.guild_id = :guild AND mm.user_id = m.user_id
                    AND mm.reached IS NOT NULL
                    AND mm.answer = 'yes' AND mm.answered_at < :until), ''),
        coalesce((SELECT max(answered_at) FROM coffee_meeting_members mm
                  WHERE mm.guild_id = :guild AND mm.user_id = m.user_id
                    AND mm.reached IS NULL
                    AND mm.answer = 'yes' AND mm.answered_at < :until), '')
    )) - julianday(m.joined_at) AS kept
    FROM members m
)
SELECT label, count(*),
       sum(age >= :d1), sum(age >= :d1 AND coalesce(kept >= :d1, 0)),
       sum(age >= :d3), sum(age >= :d3 AND coalesce(kept >= :d3, 0)),
       sum(age >= :d6), sum(age >= :d6 AND coalesce(kept >= :d6, 0))
FROM last GROUP BY label ORDER BY label
"""

# Two index-only reads: every act (the analytics index), and the acts that say who
# benefited (the partial index of migration 0006), joined by condition.
_ACTS_BY_CONDITION = """
WITH every AS (
    SELECT condition_number, count(*) AS acts FROM acts
    WHERE guild_id = :guild AND created_at >= :since AND created_at < :until
    GROUP BY condition_number
), helped AS (
    SELECT condition_number, count(*) AS named,
           sum(group_id IS NOT NULL AND beneficiary_group_id != group_id) AS other
    FROM acts
    WHERE guild_id = :guild AND created_at >= :since AND created_at < :until
      AND beneficiary_group_id IS NOT NULL
    GROUP BY condition_number
)
SELECT e.condition_number, e.acts, coalesce(h.named, 0), coalesce(h.other, 0)
FROM every e LEFT JOIN helped h ON h.condition_number IS e.condition_number
ORDER BY e.condition_number IS NULL, e.condition_number
"""

_ACTS_ACROSS = """
SELECT group_id, beneficiary_group_id, count(*) FROM acts
WHERE guild_id = :guild AND created_at >= :since AND created_at < :until
  AND beneficiary_group_id IS NOT NULL
GROUP BY group_id, beneficiary_group_id
"""


@dataclass(frozen=True)
class TieCounts:
    taking_part: int
    groups_met: dict[int, int]  # other groups met → coffee participants
    cross_group_ties: int


@dataclass(frozen=True)
class StatusCounts:
    """Champions as they stand now (``paused`` have paused the coffee roulette),
    and how many joined in the window."""

    active: int
    paused: int
    away: int
    left: int
    joined: int


@dataclass(frozen=True)
class CohortRow:
    """Champions who joined in one month; for each horizon of :data:`RETENTION_DAYS`,
    how many had been members that long (``eligible``) and, of them, how many still
    took part that long after joining (``kept``)."""

    label: str
    joined: int
    eligible: tuple[int, int, int]
    kept: tuple[int, int, int]


@dataclass(frozen=True)
class ActsByCondition:
    condition_number: int | None
    acts: int
    with_beneficiary: int
    for_other_group: int


@dataclass(frozen=True)
class SectorPairMonth:
    month: str
    low_id: int
    high_id: int
    meetings: int


class OutcomesRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # The quarterly report

    async def auto_quarterly(self, guild_id: int) -> tuple[bool, str | None]:
        """Whether the quarterly report is switched on, and the last quarter posted."""
        row = await self._db.fetchone(
            "SELECT impact_auto_quarterly, impact_posted_quarter FROM guilds WHERE guild_id = ?",
            (guild_id,),
        )
        return (False, None) if row is None else (bool(row[0]), row[1])

    async def set_auto_quarterly(self, guild_id: int, on: bool) -> bool:
        written = await self._db.execute(
            "UPDATE guilds SET impact_auto_quarterly = ? WHERE guild_id = ?", (int(on), guild_id)
        )
        return written.rowcount > 0

    async def mark_quarter_posted(self, guild_id: int, quarter: str) -> None:
        await self._db.execute(
            "UPDATE guilds SET impact_posted_quarter = ? WHERE guild_id = ?", (quarter, guild_id)
        )

    async def story_reflections(
        self, guild_id: int, window: Window, limit: int
    ) -> list[SharedItem]:
        return await story_reflections(self._db, guild_id, window, limit)

    async def ties(self, guild_id: int, window: Window) -> TieCounts:
        rows = await self._db.fetchall(_TIES, window.params(guild_id))
        head, *distribution = rows
        return TieCounts(
            taking_part=int(head[2]),
            groups_met={int(r[0]): int(r[1]) for r in distribution},
            cross_group_ties=int(head[3]),
        )

    async def bridging_by_month(self, guild_id: int, months: MonthEdges) -> list[SectorPairMonth]:
        rows = await self._db.fetchall(
            _BRIDGING_BY_MONTH, {"guild": guild_id, "months": _edges(months)}
        )
        return [SectorPairMonth(str(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def statuses(self, guild_id: int, window: Window, now: datetime) -> StatusCounts:
        row = await self._db.fetchone(_STATUSES, {**window.params(guild_id), "now": to_db(now)})
        assert row is not None
        return StatusCounts(*(int(v) for v in row))

    async def cohorts(self, guild_id: int, months: MonthEdges, until: datetime) -> list[CohortRow]:
        d1, d3, d6 = RETENTION_DAYS
        rows = await self._db.fetchall(
            _COHORTS,
            {
                "guild": guild_id,
                "months": _edges(months),
                "until": to_db(until),
                "d1": d1,
                "d3": d3,
                "d6": d6,
            },
        )
        return [
            CohortRow(
                str(r[0]),
                int(r[1]),
                (int(r[2]), int(r[4]), int(r[6])),
                (int(r[3]), int(r[5]), int(r[7])),
            )
            for r in rows
        ]

    async def first_joined(self, guild_id: int) -> str | None:
        value = await self._db.fetchval(
            "SELECT min(joined_at) FROM champions WHERE guild_id = ?", (guild_id,)
        )
        return None if value is None else str(value)

    async def acts_by_condition(self, guild_id: int, window: Window) -> list[ActsByCondition]:
        rows = await self._db.fetchall(_ACTS_BY_CONDITION, window.params(guild_id))
        return [ActsByCondition(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def acts_across_groups(
        self, guild_id: int, window: Window
    ) -> dict[tuple[int | None, int], int]:
        """Acts that name the group that benefited: {(author's group, that group): acts}."""
        rows = await self._db.fetchall(_ACTS_ACROSS, window.params(guild_id))
        return {(r[0], int(r[1])): int(r[2]) for r in rows}

    async def set_act_beneficiary(
        self, guild_id: int, user_id: int, act_id: int, group_id: int | None
    ) -> bool:
        """Say which of the guild's groups an act helped (None: not said). Only the
        author may; False when the act or the group is not theirs to use."""
        written = await self._db.execute(
            "UPDATE acts SET beneficiary_group_id = :group "
            "WHERE guild_id = :guild AND user_id = :user AND act_id = :act "
            "AND (:group IS NULL OR EXISTS (SELECT 1 FROM groups "
            "     WHERE group_id = :group AND guild_id = :guild))",
            {"guild": guild_id, "user": user_id, "act": act_id, "group": group_id},
        )
        return written.rowcount > 0


def _edges(months: MonthEdges) -> str:
    return json.dumps([[label, to_db(since), to_db(until)] for label, since, until in months])


_STORY_REFLECTIONS = """
SELECT r.reflection_id, r.user_id, r.group_id, r.condition_number, r.body, r.created_at,
       coalesce(c.digest_name_ok = 1 AND c.status = 'active', 0) AS name_ok
FROM reflections r
LEFT JOIN champions c ON c.guild_id = r.guild_id AND c.user_id = r.user_id
WHERE r.guild_id = :guild AND r.created_at >= :since AND r.created_at < :until
  AND r.visibility = 'shareable'
ORDER BY r.created_at DESC, r.reflection_id DESC
LIMIT :limit
"""


async def story_reflections(
    db: Database, guild_id: int, window: Window, limit: int
) -> list[SharedItem]:
    """The newest reflections shared with the community in the window, for the stories."""
    rows = await db.fetchall(_STORY_REFLECTIONS, {**window.params(guild_id), "limit": limit})
    return [
        SharedItem(
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
        for r in rows
    ]
