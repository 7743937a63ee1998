"""The pulse: consent, frequency, invitations, answers and a guild's own questions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db import Database
from bot.timeutil import from_db, to_db

#: Member rows this repository keeps, for the privacy export and erasure.
MEMBER_TABLES = ("pulse_invites", "pulse_answers")


@dataclass(frozen=True)
class PulseMember:
    """What the pulse needs to know about a champion."""

    consented: bool
    active: bool
    joined_at: datetime
    group_id: int | None


@dataclass(frozen=True)
class CustomQuestionRow:
    question_id: int
    text: str
    kind: str  # 'choice' or 'scale'
    options: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class AnswerCount:
    """Members whose answer to a question was ``choice``, in one group."""

    group_id: int | None
    choice: int
    members: int


#: The user id of the server's own rows in ``pulse_invites`` (no Discord user has it).
SERVER_ROW = 0


class PulseRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # Consent and frequency

    async def member(self, guild_id: int, user_id: int) -> PulseMember | None:
        row = await self._db.fetchone(
            "SELECT pulse_opt_in, status, joined_at, group_id FROM champions "
            "WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return None
        return PulseMember(bool(row[0]), row[1] == "active", from_db(row[2]), row[3])

    async def set_consent(self, guild_id: int, user_id: int, on: bool, now: datetime) -> bool:
        """Switch the pulse consent; False when the member is not a champion."""
        written = await self._db.execute(
            "UPDATE champions SET pulse_opt_in = ?, pulse_opt_in_at = ?, updated_at = ? "
            "WHERE guild_id = ? AND user_id = ?",
            (int(on), to_db(now) if on else None, to_db(now), guild_id, user_id),
        )
        return written.rowcount > 0

    async def frequency(self, guild_id: int) -> str | None:
        value = await self._db.fetchval(
            "SELECT pulse_frequency FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return None if value is None else str(value)

    async def set_frequency(self, guild_id: int, frequency: str) -> bool:
        written = await self._db.execute(
            "UPDATE guilds SET pulse_frequency = ? WHERE guild_id = ?", (frequency, guild_id)
        )
        return written.rowcount > 0

    async def timezone(self, guild_id: int) -> str | None:
        value = await self._db.fetchval(
            "SELECT timezone FROM guilds WHERE guild_id = ?", (guild_id,)
        )
        return None if value is None else str(value)

    async def consenting_members(self, guild_id: int) -> list[int]:
        """Active champions who switched the pulse on, for the scheduled pulse."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM champions WHERE guild_id = ? AND pulse_opt_in = 1 "
            "AND status = 'active' ORDER BY user_id",
            (guild_id,),
        )
        return [int(r[0]) for r in rows]

    # Invitations and answers

    async def invites(self, guild_id: int, user_id: int) -> dict[str, datetime]:
        rows = await self._db.fetchall(
            "SELECT period_key, sent_at FROM pulse_invites WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return {str(r[0]): from_db(r[1]) for r in rows}

    async def add_invite(self, guild_id: int, user_id: int, period_key: str, now: datetime) -> bool:
        """Record that a pulse was sent; False when it already was."""
        written = await self._db.execute(
            "INSERT INTO pulse_invites (guild_id, user_id, period_key, sent_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, user_id, period_key, to_db(now)),
        )
        return written.rowcount > 0

    async def claim_button_post(self, guild_id: int, period_key: str, now: datetime) -> bool:
        """True once per pulse period: the "Answer the pulse" button is posted then.

        Kept beside the invitations as the server's own row (user 0, no member).
        """
        return await self.add_invite(guild_id, SERVER_ROW, f"button:{period_key}", now)

    async def save_answer(
        self,
        guild_id: int,
        user_id: int,
        period_key: str,
        question_key: str,
        choice: int | None,
        now: datetime,
    ) -> None:
        """Store an answer (None: skipped), replacing an earlier one for the same pulse."""
        await self._db.execute(
            "INSERT INTO pulse_answers (guild_id, user_id, period_key, question_key, choice, "
            "group_id, answered_at) VALUES (:guild, :user, :period, :question, :choice, "
            "(SELECT group_id FROM champions WHERE guild_id = :guild AND user_id = :user), :now) "
            "ON CONFLICT (guild_id, user_id, period_key, question_key) DO UPDATE SET "
            "choice = excluded.choice, group_id = excluded.group_id, "
            "answered_at = excluded.answered_at",
            {
                "guild": guild_id,
                "user": user_id,
                "period": period_key,
                "question": question_key,
                "choice": choice,
                "now": to_db(now),
            },
        )

    async def answers(self, guild_id: int, user_id: int, period_key: str) -> dict[str, int | None]:
        rows = await self._db.fetchall(
            "SELECT question_key, choice FROM pulse_answers "
            "WHERE guild_id = ? AND user_id = ? AND period_key = ?",
            (guild_id, user_id, period_key),
        )
        return {str(r[0]): r[1] for r in rows}

    # A guild's own questions

    async def custom_questions(self, guild_id: int) -> list[CustomQuestionRow]:
        rows = await self._db.fetchall(
            "SELECT question_id, text, kind, options, created_at FROM pulse_questions "
            "WHERE guild_id = ? AND removed_at IS NULL ORDER BY question_id",
            (guild_id,),
        )
        return [_question(r) for r in rows]

    async def add_custom_question(
        self,
        guild_id: int,
        text: str,
        kind: str,
        options: tuple[str, ...],
        author_id: int | None,
        now: datetime,
        *,
        limit: int,
    ) -> CustomQuestionRow | None:
        """Add a question unless the guild already has ``limit``; one transaction."""
        async with self._db.transaction() as tx:
            count = await tx.fetchval(
                "SELECT count(*) FROM pulse_questions WHERE guild_id = ? AND removed_at IS NULL",
                (guild_id,),
            )
            if int(count) >= limit:
                return None
            written = await tx.execute(
                "INSERT INTO pulse_questions (guild_id, text, kind, options, author_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (guild_id, text, kind, json.dumps(list(options)), author_id, to_db(now)),
            )
            row = await tx.fetchone(
                "SELECT question_id, text, kind, options, created_at FROM pulse_questions "
                "WHERE question_id = ?",
                (written.lastrowid,),
            )
        assert row is not None
        return _question(row)

    async def remove_custom_question(self, guild_id: int, question_id: int, now: datetime) -> bool:
        written = await self._db.execute(
            "UPDATE pulse_questions SET removed_at = ? "
            "WHERE guild_id = ? AND question_id = ? AND removed_at IS NULL",
            (to_db(now), guild_id, question_id),
        )
        return written.rowcount > 0

    # Figures

    async def answer_counts(
        self, guild_id: int, since: datetime, until: datetime
    ) -> dict[str, list[AnswerCount]]:
        """For each question, every member's latest answer in ``[since, until)`` (skips
        left out), counted by the group they were in when answering."""
        rows = await self._db.fetchall(
            "WITH latest AS (SELECT question_key, group_id, choice, row_number() OVER ("
            "  PARTITION BY user_id, question_key ORDER BY answered_at DESC, period_key DESC"
            "  ) AS n FROM pulse_answers WHERE guild_id = ? "
            "  AND answered_at >= ? AND answered_at < ? AND choice IS NOT NULL) "
            "SELECT question_key, group_id, choice, count(*) FROM latest WHERE n = 1 "
            "GROUP BY question_key, group_id, choice",
            (guild_id, to_db(since), to_db(until)),
        )
        found: dict[str, list[AnswerCount]] = {}
        for r in rows:
            found.setdefault(str(r[0]), []).append(AnswerCount(r[1], int(r[2]), int(r[3])))
        return found

    async def paired_answers(
        self, guild_id: int, month_edges: list[tuple[str, str, str]]
    ) -> dict[str, list[tuple[str, int, int, int]]]:
        """For each question: (cohort, baseline choice, latest later choice, members) for
        members who answered the baseline and at least one later pulse. ``month_edges``
        holds (label, since, until) for each joining month to report (UTC text)."""
        rows = await self._db.fetchall(
            "WITH months AS (SELECT json_extract(value, '$[0]') AS label, "
            "  json_extract(value, '$[1]') AS since, "
            "  json_extract(value, '$[2]') AS until FROM json_each(:months)), "
            "base AS (SELECT user_id, question_key, choice FROM pulse_answers "
            "  WHERE guild_id = :guild AND period_key = 'baseline' AND choice IS NOT NULL), "
            "later AS (SELECT user_id, question_key, choice, row_number() OVER ("
            "  PARTITION BY user_id, question_key ORDER BY answered_at DESC, period_key DESC"
            "  ) AS n FROM pulse_answers WHERE guild_id = :guild "
            "  AND period_key != 'baseline' AND choice IS NOT NULL) "
            "SELECT b.question_key, m.label, b.choice, l.choice, count(*) FROM base b "
            "JOIN later l ON l.user_id = b.user_id AND l.question_key = b.question_key "
            "  AND l.n = 1 "
            "JOIN champions c ON c.guild_id = :guild AND c.user_id = b.user_id "
            "JOIN months m ON c.joined_at >= m.since AND c.joined_at < m.until "
            "GROUP BY b.question_key, m.label, b.choice, l.choice",
            {"guild": guild_id, "months": json.dumps([list(edge) for edge in month_edges])},
        )
        found: dict[str, list[tuple[str, int, int, int]]] = {}
        for r in rows:
            found.setdefault(str(r[0]), []).append((str(r[1]), int(r[2]), int(r[3]), int(r[4])))
        return found

    # Privacy

    async def export_member(self, guild_id: int, user_id: int) -> dict[str, list[dict[str, Any]]]:
        data: dict[str, list[dict[str, Any]]] = {}
        for table in MEMBER_TABLES:
            rows = await self._db.fetchall(
                f"SELECT * FROM {table} WHERE guild_id = ? AND user_id = ? ORDER BY period_key",
                (guild_id, user_id),
            )
            data[table] = [dict(row) for row in rows]
        consent = await self._db.fetchone(
            "SELECT pulse_opt_in, pulse_opt_in_at FROM champions "
            "WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        data["pulse_consent"] = [] if consent is None else [dict(consent)]
        return data

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete the member's pulse rows and consent in one transaction; rows touched."""
        touched = 0
        async with self._db.transaction() as tx:
            for table in MEMBER_TABLES:
                written = await tx.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
                touched += written.rowcount
            written = await tx.execute(
                "UPDATE champions SET pulse_opt_in = 0, pulse_opt_in_at = NULL "
                "WHERE guild_id = ? AND user_id = ? AND pulse_opt_in = 1",
                (guild_id, user_id),
            )
            touched += written.rowcount
            written = await tx.execute(
                "UPDATE pulse_questions SET author_id = NULL WHERE guild_id = ? AND author_id = ?",
                (guild_id, user_id),
            )
            touched += written.rowcount
        return touched


def _question(row: Any) -> CustomQuestionRow:
    return CustomQuestionRow(
        question_id=int(row[0]),
        text=str(row[1]),
        kind=str(row[2]),
        options=tuple(json.loads(row[3])),
        created_at=from_db(row[4]),
    )
