"""Which of the 10 conditions each week is about, assigned in order per guild."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import Database
from bot.timeutil import to_db

CONDITION_COUNT = 10


@dataclass(frozen=True)
class GuildPrompt:
    prompt_id: int
    condition_number: int
    kind: str
    text: str


class PromptRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def condition_for_week(self, guild_id: int, period_key: str) -> int:
        """The week's condition, assigning the next one in the rotation on first use.

        Assigning lazily, in one transaction, means a restart or a missed week never
        skips or repeats a condition: the rotation moves on only when a week uses it.
        """
        async with self._db.transaction() as tx:
            existing = await tx.fetchval(
                "SELECT condition_number FROM condition_weeks "
                "WHERE guild_id = ? AND period_key = ?",
                (guild_id, period_key),
            )
            if existing is not None:
                return int(existing)
            last = await tx.fetchone(
                "SELECT condition_number, sequence FROM condition_weeks WHERE guild_id = ? "
                "ORDER BY sequence DESC LIMIT 1",
                (guild_id,),
            )
            number = 1 if last is None else last[0] % CONDITION_COUNT + 1
            sequence = 1 if last is None else last[1] + 1
            await tx.execute(
                "INSERT INTO condition_weeks (guild_id, period_key, condition_number, sequence) "
                "VALUES (?, ?, ?, ?)",
                (guild_id, period_key, number, sequence),
            )
            return number

    async def peek_next(self, guild_id: int, after_period: str) -> int:
        """The condition the week after ``after_period`` will get, without assigning it."""
        row = await self._db.fetchone(
            "SELECT condition_number FROM condition_weeks WHERE guild_id = ? AND period_key > ? "
            "ORDER BY period_key LIMIT 1",
            (guild_id, after_period),
        )
        if row is not None:
            return int(row[0])
        last = await self._db.fetchval(
            "SELECT condition_number FROM condition_weeks WHERE guild_id = ? "
            "ORDER BY sequence DESC LIMIT 1",
            (guild_id,),
        )
        return 1 if last is None else int(last) % CONDITION_COUNT + 1

    async def history(self, guild_id: int) -> list[tuple[str, int]]:
        rows = await self._db.fetchall(
            "SELECT period_key, condition_number FROM condition_weeks WHERE guild_id = ? "
            "ORDER BY sequence",
            (guild_id,),
        )
        return [(r[0], r[1]) for r in rows]

    # A guild's own prompts

    async def add_prompt(
        self, guild_id: int, condition: int, kind: str, text: str, author_id: int, now: datetime
    ) -> GuildPrompt:
        written = await self._db.execute(
            "INSERT INTO guild_prompts (guild_id, condition_number, kind, text, author_id, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (guild_id, condition, kind, text, author_id, to_db(now)),
        )
        return GuildPrompt(int(written.lastrowid or 0), condition, kind, text)

    async def guild_prompts(
        self, guild_id: int, condition: int | None = None, kind: str | None = None
    ) -> list[GuildPrompt]:
        where = "guild_id = ?"
        params: list[object] = [guild_id]
        if condition is not None:
            where += " AND condition_number = ?"
            params.append(condition)
        if kind is not None:
            where += " AND kind = ?"
            params.append(kind)
        rows = await self._db.fetchall(
            "SELECT prompt_id, condition_number, kind, text FROM guild_prompts "
            f"WHERE {where} ORDER BY prompt_id",
            params,
        )
        return [GuildPrompt(r[0], r[1], r[2], r[3]) for r in rows]

    async def remove_prompt(self, guild_id: int, prompt_id: int) -> bool:
        written = await self._db.execute(
            "DELETE FROM guild_prompts WHERE guild_id = ? AND prompt_id = ?", (guild_id, prompt_id)
        )
        return written.rowcount > 0
