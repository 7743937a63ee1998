"""The scheduler's ledger: one row per (guild, job, period), plus finished steps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db import Database
from bot.timeutil import from_db, to_db


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    guild_id: int
    job: str
    period_key: str
    due_at: datetime
    status: str
    attempts: int
    started_at: datetime | None
    last_error: str | None


def _record(row: Any) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        guild_id=row["guild_id"],
        job=row["job"],
        period_key=row["period_key"],
        due_at=from_db(row["due_at"]),
        status=row["status"],
        attempts=row["attempts"],
        started_at=from_db(row["started_at"]) if row["started_at"] else None,
        last_error=row["last_error"],
    )


class JobRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database(self) -> Database:
        return self._db

    async def get(self, guild_id: int, job: str, period_key: str) -> RunRecord | None:
        row = await self._db.fetchone(
            "SELECT * FROM job_runs WHERE guild_id = ? AND job = ? AND period_key = ?",
            (guild_id, job, period_key),
        )
        return None if row is None else _record(row)

    async def claim(
        self, guild_id: int, job: str, period_key: str, due_at: datetime, now: datetime
    ) -> RunRecord:
        """Create or reopen the run for this period; a finished run comes back as is."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO job_runs (guild_id, job, period_key, due_at, status) "
                "VALUES (?, ?, ?, ?, 'running') "
                "ON CONFLICT (guild_id, job, period_key) DO NOTHING",
                (guild_id, job, period_key, to_db(due_at)),
            )
            await tx.execute(
                "UPDATE job_runs SET status = 'running', attempts = attempts + 1, "
                "started_at = ? WHERE guild_id = ? AND job = ? AND period_key = ? "
                "AND status != 'done'",
                (to_db(now), guild_id, job, period_key),
            )
            row = await tx.fetchone(
                "SELECT * FROM job_runs WHERE guild_id = ? AND job = ? AND period_key = ?",
                (guild_id, job, period_key),
            )
        assert row is not None
        return _record(row)

    async def finish(self, run_id: int, now: datetime, note: str | None = None) -> None:
        await self._db.execute(
            "UPDATE job_runs SET status = 'done', finished_at = ?, last_error = ? WHERE run_id = ?",
            (to_db(now), note, run_id),
        )

    async def reopen(self, run_id: int) -> None:
        """Open a skipped period again (a coordinator asked to run it now)."""
        await self._db.execute(
            "UPDATE job_runs SET status = 'failed', last_error = NULL WHERE run_id = ?", (run_id,)
        )

    async def fail(self, run_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE job_runs SET status = 'failed', last_error = ? WHERE run_id = ?",
            (error[:2000], run_id),
        )

    async def step(self, run_id: int, step: str) -> tuple[bool, Any]:
        """Whether ``step`` already finished in this run, and what it returned."""
        row = await self._db.fetchone(
            "SELECT result FROM job_steps WHERE run_id = ? AND step = ?", (run_id, step)
        )
        if row is None:
            return False, None
        return True, None if row[0] is None else json.loads(row[0])

    async def record_step(self, run_id: int, step: str, result: Any, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO job_steps (run_id, step, result, done_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (run_id, step) DO UPDATE SET result = excluded.result",
            (run_id, step, None if result is None else json.dumps(result), to_db(now)),
        )

    async def steps(self, run_id: int) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT step FROM job_steps WHERE run_id = ? ORDER BY done_at, step", (run_id,)
        )
        return [row[0] for row in rows]

    async def unfinished(self, since: datetime) -> list[RunRecord]:
        """Runs left running or failed whose due time is after ``since`` (to resume)."""
        rows = await self._db.fetchall(
            "SELECT * FROM job_runs WHERE status != 'done' AND due_at >= ? ORDER BY due_at",
            (to_db(since),),
        )
        return [_record(row) for row in rows]

    async def last_finished(self, guild_id: int) -> dict[str, datetime]:
        """When each job last finished a run in this guild (skipped periods left out)."""
        rows = await self._db.fetchall(
            "SELECT job, max(finished_at) FROM job_runs WHERE guild_id = ? AND status = 'done' "
            "AND finished_at IS NOT NULL AND (last_error IS NULL OR last_error NOT LIKE "
            "'skipped%') GROUP BY job",
            (guild_id,),
        )
        return {row[0]: from_db(row[1]) for row in rows}
