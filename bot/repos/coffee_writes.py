"""Writing a round's new meetings in bulk, for the roulette and every programme.

A 20,000-member round is 20,000 member rows. Each row would run the per-row totals
trigger (``migrations/0010_speed.sql``), so the writer lists the server in
``coffee_bulk_writes`` (which sets the trigger aside, ``migrations/0014``), writes the
rows, adds their pairs to ``coffee_totals`` with one update and takes the
server off the list, all inside the caller's transaction.

The same statements serve the bot's own connection (:func:`insert_meetings`, inside a
:class:`~bot.db.Tx`) and a worker process that computed a big roulette round and
stores it by itself (:func:`write_round`), so the round's rows never cross between
processes and the bot's event loop never waits on them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import NamedTuple

from bot.db import Tx
from bot.db.connection import BUSY_TIMEOUT_MS
from bot.repos.coffee_records import NewMeeting
from bot.repos.coffee_rows import ROULETTE
from bot.timeutil import to_db

ROUND_ID = (
    f"SELECT round_id FROM coffee_rounds WHERE guild_id = ? AND period_key = ? AND {ROULETTE}"
)
INSERT_ROUND = (
    "INSERT INTO coffee_rounds (guild_id, period_key, created_at, seed, "
    "condition_number, starter, checkin_due_at, kept_repeats) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
#: A round's meetings from ``:first`` on, in one statement: ``:cross`` is a JSON list of
#: each meeting's cross-group flag, in order.
INSERT_MEETINGS = (
    "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group) "
    "SELECT :round, :guild, :first + j.key, j.value FROM json_each(:cross) AS j ORDER BY j.key"
)
MEETING_IDS = (
    "SELECT position, meeting_id FROM coffee_meetings "
    "WHERE round_id = ? AND position >= ? ORDER BY position"
)
#: How the new meetings' ids follow their positions: SQLite numbers the rows of one
#: insert one after another, so ``meeting_id - position`` is the same for all of them
#: (the first two columns agree) unless the largest id ever used was reached.
MEETING_ID_SPREAD = (
    "SELECT min(meeting_id - position), max(meeting_id - position), count(*) "
    "FROM coffee_meetings WHERE round_id = ? AND position >= ?"
)
LIST_BULK = "INSERT INTO coffee_bulk_writes (guild_id) VALUES (?)"
UNLIST_BULK = "DELETE FROM coffee_bulk_writes WHERE guild_id = ?"
#: Their members, in one statement: ``:members`` is a JSON list of [meeting's offset from
#: ``:first``, member id, group id], in each meeting's order. Handing SQLite one list
#: spares binding 20,000 rows one by one. Each member's meeting id is its meeting's
#: position plus ``:step`` (see :data:`MEETING_ID_SPREAD`).
INSERT_MEMBERS = (
    "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
    "SELECT :step + :first + json_extract(j.value, '$[0]'), :guild, "
    "json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]') "
    "FROM json_each(:members) AS j ORDER BY j.key"
)
#: The same, finding each meeting by its position: for ids that do not follow positions.
INSERT_MEMBERS_BY_POSITION = (
    "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, group_id) "
    "SELECT m.meeting_id, :guild, json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]') "
    "FROM json_each(:members) AS j JOIN coffee_meetings AS m "
    "ON m.round_id = :round AND m.position = :first + json_extract(j.value, '$[0]') "
    "ORDER BY j.key"
)
INSERT_SITOUT = "INSERT INTO round_sitouts (round_id, guild_id, user_id) VALUES (?, ?, ?)"

#: SQLite's integers, which hold every Discord id.
_SMALLEST, _LARGEST = -(2**63), 2**63 - 1

#: What the per-row trigger would have added for the new meetings' members, one row at a
#: time: the pairs inside them, and those across two groups (see :func:`new_pairs`).
_ADD_PAIRS = (
    "UPDATE coffee_totals SET pairs = pairs + :pairs, "
    "cross_group_pairs = cross_group_pairs + :cross WHERE guild_id = :guild"
)


class NewRound(NamedTuple):
    """A round's own row, in the order :data:`INSERT_ROUND` takes it."""

    guild_id: int
    period_key: str
    created_at: str
    seed: int
    condition_number: int | None
    starter: str | None
    checkin_due_at: str
    #: Pairs inside the round's meetings that had met within the no-repeat window.
    kept_repeats: int = 0


def new_round(
    guild_id: int,
    period_key: str,
    *,
    seed: int,
    condition_number: int | None,
    starter: str | None,
    now: datetime,
    checkin_due_at: datetime,
    kept_repeats: int = 0,
) -> NewRound:
    return NewRound(
        guild_id,
        period_key,
        to_db(now),
        seed,
        condition_number,
        starter,
        to_db(checkin_due_at),
        kept_repeats,
    )


class _Written(NamedTuple):
    """What :func:`_meetings_input` makes of a round's new meetings."""

    #: The parameters of :data:`INSERT_MEETINGS` and :data:`INSERT_MEMBERS`.
    given: dict[str, object]
    #: The parameters of :data:`_ADD_PAIRS`, all but the server's id.
    pairs: dict[str, int]


def _meetings_input(
    round_id: int, guild_id: int, meetings: Sequence[NewMeeting], first_position: int
) -> _Written:
    """The statements' parameters, and the pairs the meetings add to ``coffee_totals``
    (see :func:`new_pairs`), in one pass over a round that may hold 20,000 members.

    SQLite reads a JSON number too big for 64 bits as a real, where binding it would
    fail, so such an id is refused here, before anything is written.
    """
    members: list[tuple[int, int, int]] = []
    add = members.extend
    flags: list[int] = []
    flag = flags.append
    pairs = cross = 0
    for offset, meeting in enumerate(meetings):
        those = meeting.members
        add([(offset, user, group) for user, group in those])
        if len(those) == 2:
            (_, one), (_, other) = those
            pairs += 1
            flag(one != other)
            cross += one != other and one is not None and other is not None
        else:
            flag(meeting.cross_group)
            counted = new_pairs([meeting])
            pairs += counted["pairs"]
            cross += counted["cross"]
    if members:
        _, users, groups = zip(*members, strict=True)
        known = [group for group in groups if group is not None]
        for ids in (users, known):
            if ids and (min(ids) < _SMALLEST or max(ids) > _LARGEST):
                wide = next(i for i in ids if not _SMALLEST <= i <= _LARGEST)
                raise OverflowError(f"the id {wide} does not fit in 64 bits")
    given: dict[str, object] = {
        "round": round_id,
        "guild": guild_id,
        "first": first_position,
        "cross": json.dumps([int(f) for f in flags]),
        "members": json.dumps(members),
    }
    return _Written(given, {"pairs": pairs, "cross": cross})


def members_statement(
    given: dict[str, object], spread: Sequence[int | None], meetings: int
) -> tuple[str, dict[str, object]]:
    """The statement that writes the members (and its parameters), given the new
    meetings' :data:`MEETING_ID_SPREAD`: by arithmetic when every id is its position
    plus one same step, else by looking each meeting up."""
    low, high, count = spread
    if count == meetings and low is not None and low == high:
        return INSERT_MEMBERS, {**given, "step": low}
    return INSERT_MEMBERS_BY_POSITION, given


def new_pairs(meetings: Sequence[NewMeeting]) -> dict[str, int]:
    """The pairs inside ``meetings`` and those across two known groups, as
    ``coffee_totals`` counts them (a member without a group crosses no group)."""
    pairs = cross = 0
    for meeting in meetings:
        groups = [group for _, group in meeting.members]
        pairs += len(groups) * (len(groups) - 1) // 2
        cross += sum(a is not None and b is not None and a != b for a, b in combinations(groups, 2))
    return {"pairs": pairs, "cross": cross}


def sitout_rows(round_id: int, guild_id: int, sat_out: Sequence[int]) -> list[tuple[int, ...]]:
    return [(round_id, guild_id, user) for user in sorted(set(sat_out))]


async def insert_meetings(
    tx: Tx, round_id: int, guild_id: int, meetings: Sequence[NewMeeting], first_position: int = 0
) -> list[int]:
    """Write ``meetings`` at ``first_position`` onwards; their ids, in the same order."""
    if not meetings:
        return []
    given, pairs = _meetings_input(round_id, guild_id, meetings, first_position)
    await tx.execute(INSERT_MEETINGS, given)
    rows = await tx.fetchall(MEETING_IDS, (round_id, first_position))
    ids = [int(meeting_id) for _, meeting_id in rows]
    steps = [meeting_id - position for position, meeting_id in rows]
    spread = (min(steps), max(steps), len(steps)) if steps else (None, None, 0)
    await tx.execute(LIST_BULK, (guild_id,))
    await tx.execute(*members_statement(given, spread, len(meetings)))
    await tx.execute(_ADD_PAIRS, {**pairs, "guild": guild_id})
    await tx.execute(UNLIST_BULK, (guild_id,))
    return ids


def write_round(
    path: Path, header: NewRound, meetings: Sequence[NewMeeting], sat_out: Sequence[int]
) -> int:
    """Store a roulette round from a worker process, on a connection of its own: what
    :meth:`~bot.repos.coffee.CoffeeRepo.create_round` does, in one transaction. An
    existing round for the week is kept. Returns the round's id."""
    guild_id = header.guild_id
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # The bot's own connection checkpoints the log, off any commit.
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("BEGIN IMMEDIATE")
        try:
            existing = conn.execute(ROUND_ID, (guild_id, header.period_key)).fetchone()
            if existing is not None:
                conn.execute("ROLLBACK")
                return int(existing[0])
            round_id = conn.execute(INSERT_ROUND, header).lastrowid
            assert round_id is not None
            if meetings:
                given, pairs = _meetings_input(round_id, guild_id, meetings, 0)
                conn.execute(INSERT_MEETINGS, given)
                spread = conn.execute(MEETING_ID_SPREAD, (round_id, 0)).fetchone()
                conn.execute(LIST_BULK, (guild_id,))
                conn.execute(*members_statement(given, spread, len(meetings)))
                conn.execute(_ADD_PAIRS, {**pairs, "guild": guild_id})
                conn.execute(UNLIST_BULK, (guild_id,))
            conn.executemany(INSERT_SITOUT, sitout_rows(round_id, guild_id, sat_out))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return round_id
