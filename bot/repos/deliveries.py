"""The delivery ledger: each post or DM a scheduled job makes, before and after it happens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.db import Database
from bot.timeutil import from_db, to_db

DeliveryStatus = Literal["pending", "sent", "failed"]


@dataclass(frozen=True)
class DeliveryRecord:
    guild_id: int
    job: str
    period_key: str
    step: str
    nonce: str
    status: DeliveryStatus
    target_id: int | None
    message_id: int | None
    attempts: int
    started_at: datetime
    finished_at: datetime | None
    detail: str | None


def _record(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        guild_id=row["guild_id"],
        job=row["job"],
        period_key=row["period_key"],
        step=row["step"],
        nonce=row["nonce"],
        status=row["status"],
        target_id=row["target_id"],
        message_id=row["message_id"],
        attempts=row["attempts"],
        started_at=from_db(row["started_at"]),
        finished_at=from_db(row["finished_at"]) if row["finished_at"] else None,
        detail=row["detail"],
    )


class DeliveryRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(
        self, guild_id: int, job: str, period_key: str, step: str
    ) -> DeliveryRecord | None:
        row = await self._db.fetchone(
            "SELECT * FROM deliveries WHERE guild_id = ? AND job = ? AND period_key = ? "
            "AND step = ?",
            (guild_id, job, period_key, step),
        )
        return None if row is None else _record(row)

    async def begin(
        self,
        guild_id: int,
        job: str,
        period_key: str,
        step: str,
        *,
        nonce: str,
        target_id: int | None,
        now: datetime,
    ) -> DeliveryRecord:
        """Record that the step is about to happen (or is being tried again)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO deliveries (guild_id, job, period_key, step, nonce, status, "
                "target_id, started_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT (guild_id, job, period_key, step) DO UPDATE SET "
                "status = 'pending', attempts = attempts + 1, target_id = excluded.target_id",
                (guild_id, job, period_key, step, nonce, target_id, to_db(now)),
            )
            row = await tx.fetchone(
                "SELECT * FROM deliveries WHERE guild_id = ? AND job = ? AND period_key = ? "
                "AND step = ?",
                (guild_id, job, period_key, step),
            )
        assert row is not None
        return _record(row)

    async def finish(
        self,
        record: DeliveryRecord,
        status: Literal["sent", "failed"],
        now: datetime,
        *,
        message_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        await self._db.execute(
            "UPDATE deliveries SET status = ?, message_id = ?, finished_at = ?, detail = ? "
            "WHERE guild_id = ? AND job = ? AND period_key = ? AND step = ?",
            (
                status,
                message_id,
                to_db(now),
                None if detail is None else detail[:500],
                record.guild_id,
                record.job,
                record.period_key,
                record.step,
            ),
        )

    async def for_period(self, guild_id: int, job: str, period_key: str) -> list[DeliveryRecord]:
        rows = await self._db.fetchall(
            "SELECT * FROM deliveries WHERE guild_id = ? AND job = ? AND period_key = ? "
            "ORDER BY started_at, step",
            (guild_id, job, period_key),
        )
        return [_record(row) for row in rows]

    async def export_member(self, guild_id: int, user_id: int) -> list[dict[str, Any]]:
        rows = await self._db.fetchall(
            "SELECT job, period_key, step, status, started_at, finished_at FROM deliveries "
            "WHERE guild_id = ? AND target_id = ? ORDER BY started_at",
            (guild_id, user_id),
        )
        return [dict(row) for row in rows]

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        written = await self._db.execute(
            "DELETE FROM deliveries WHERE guild_id = ? AND target_id = ?", (guild_id, user_id)
        )
        return written.rowcount
