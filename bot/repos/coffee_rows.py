"""What a coffee round is made from, read in one go: by the bot, or by a worker process.

The same statements serve the bot's own connections (through :class:`CoffeeRepo`) and
a worker process that opens the file by itself (:func:`read_round_rows`), so loading
a big round never runs on the bot's event loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.repos.coffee_records import Candidate, CoffeeSettings, RoundRows
from bot.services.defaults import AVOID_REPEAT_ROUNDS, CHECKIN_DAYS
from bot.timeutil import to_db

#: The weekly roulette is each server's default programme; other programmes' rounds share
#: ``coffee_rounds`` but have their own history, weeks and sit-outs.
ROULETTE = (
    "programme_id IS (SELECT p.programme_id FROM programmes AS p "
    "WHERE p.guild_id = coffee_rounds.guild_id AND p.is_default = 1)"
)

SETTINGS = (
    "SELECT coffee_avoid_rounds, coffee_checkin_days, coffee_headsup_hours "
    "FROM guilds WHERE guild_id = ?"
)
TAKING_PART = (
    "FROM champions c "
    "WHERE c.guild_id = ? AND c.status = 'active' AND c.coffee_opt_in = 1 "
    "AND c.group_id IS NOT NULL "
    "AND (c.coffee_paused_until IS NULL OR c.coffee_paused_until <= ?) "
    "AND NOT EXISTS (SELECT 1 FROM coffee_skips s WHERE s.guild_id = c.guild_id "
    "AND s.user_id = c.user_id AND s.period_key = ?)"
)
PARTICIPANTS = f"SELECT c.user_id, c.group_id, c.timezone {TAKING_PART} ORDER BY c.user_id"
#: How many would take part, counting no further than ``?``: enough to tell a big round.
COUNT_PARTICIPANTS_UP_TO = f"SELECT count(*) FROM (SELECT 1 {TAKING_PART} LIMIT ?)"
INTERESTS = "SELECT user_id, interest_id FROM champion_interests WHERE guild_id = ?"
#: The recent rounds, oldest first: one row per round, its meetings joined by ``;`` and
#: each meeting's known members' ids by ``,``, in the order they were written. SQLite
#: joins them far faster than Python rebuilds meetings from rows, and a meeting's
#: members come from the index alone (``migrations/0017_members_by_meeting.sql``).
RECENT_MEETING_IDS = (
    "WITH recent AS (SELECT round_id, period_key FROM coffee_rounds WHERE guild_id = ? "
    f"AND {ROULETTE} ORDER BY period_key DESC LIMIT ?) "
    "SELECT (SELECT group_concat(ids, ';') FROM ("
    "  SELECT (SELECT group_concat(mm.user_id) FROM coffee_meeting_members mm "
    "          WHERE mm.meeting_id = m.meeting_id AND mm.user_id IS NOT NULL) AS ids "
    "  FROM coffee_meetings m WHERE m.round_id = r.round_id ORDER BY m.meeting_id)) "
    "FROM recent r ORDER BY r.period_key"
)
#: One member's meeting rows (``:guild``, ``:user``), by ``id``: a new round's rows wait
#: in a small index until the announcement reaches their member, then move to the large
#: one (``migrations/0016_members_told.sql``), so a look-up by member reads both.
MEMBER_ROWS = (
    "SELECT id FROM coffee_meeting_members "
    "WHERE guild_id = :guild AND user_id = :user AND reached IS NOT NULL "
    "UNION ALL SELECT id FROM coffee_meeting_members "
    "WHERE guild_id = :guild AND user_id = :user AND reached IS NULL"
)
BLOCKED = "SELECT user_id, blocked_user_id FROM coffee_blocks WHERE guild_id = ?"
SIT_OUT_COUNTS = (
    "SELECT s.user_id, COUNT(*) FROM round_sitouts AS s "
    f"JOIN (SELECT round_id FROM coffee_rounds WHERE guild_id = ? AND {ROULETTE} "
    "      ORDER BY created_at DESC, round_id DESC LIMIT ?) AS r "
    "ON r.round_id = s.round_id GROUP BY s.user_id"
)


def settings_from(row: Sequence[Any] | None) -> CoffeeSettings:
    if row is None:
        return CoffeeSettings(AVOID_REPEAT_ROUNDS, CHECKIN_DAYS, None)
    return CoffeeSettings(row[0], row[1], row[2])


def candidates_from(
    rows: Iterable[Sequence[Any]], interest_rows: Iterable[Sequence[Any]]
) -> list[Candidate]:
    interests: dict[int, set[str]] = {}
    for user_id, interest in interest_rows:
        interests.setdefault(user_id, set()).add(interest)
    none: frozenset[str] = frozenset()
    return [
        Candidate(r[0], r[1], r[2], frozenset(interests[r[0]]) if r[0] in interests else none)
        for r in rows
    ]


def history_from(rows: Iterable[Sequence[Any]]) -> list[list[tuple[str, ...]]]:
    """("id,id;id,id,id;…",) rows, one per round in order, as rounds of meetings of two
    or more, with the ids as text, which is how the engine takes them."""
    return [
        [tuple(ids.split(",")) for ids in text.split(";") if "," in ids] if text else []
        for (text,) in rows
    ]


def read_round_rows(path: Path, guild_id: int, period_key: str, now: datetime) -> RoundRows:
    """What :meth:`CoffeeRepo.round_rows` reads, from the file.

    For a worker process: it opens the database read-only by itself, so loading a big
    round never runs on the bot's event loop. The history, the longest read, runs on a
    second connection in a thread while this one reads who takes part (SQLite lets go
    of the GIL while it steps through rows, so the two reads overlap).
    """
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(_reader(uri)) as conn:
        settings = settings_from(conn.execute(SETTINGS, (guild_id,)).fetchone())
        rounds = settings.avoid_rounds
        with ThreadPoolExecutor(1) as pool:
            past = pool.submit(_recent_meetings, uri, guild_id, rounds)
            conn.execute("BEGIN")
            candidates = candidates_from(
                conn.execute(PARTICIPANTS, (guild_id, to_db(now), period_key)),
                conn.execute(INTERESTS, (guild_id,)),
            )
            blocked = [(a, b) for a, b in conn.execute(BLOCKED, (guild_id,))]
            sit_outs = dict(conn.execute(SIT_OUT_COUNTS, (guild_id, rounds)))
            conn.execute("COMMIT")
            history = past.result()
    return RoundRows(rounds, candidates, history, blocked, sit_outs)


def _reader(uri: str) -> sqlite3.Connection:
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _recent_meetings(uri: str, guild_id: int, rounds: int) -> list[list[tuple[str, ...]]]:
    with closing(_reader(uri)) as conn:
        return history_from(conn.execute(RECENT_MEETING_IDS, (guild_id, rounds)))
