"""The monthly report built in worker processes that read the database file themselves.

Two jobs run side by side (see :mod:`bot.offload`): one computes the figures and makes
the page with its charts and ``figures.csv``; the other reads the month's acts,
reflections, rounds and meetings and writes their CSV files. Only a small description
of the work crosses to each worker, and only paths and one chart come back, so the
event loop neither builds rows nor pickles them. Each worker opens connections of its
own and only reads (WAL lets it read while the bot writes); the code is the same code
that builds the report inline, so both ways give the same files.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from bot.clock import FakeClock
from bot.db import Database
from bot.repos.analytics import (
    AnalyticsRepo,
    each_meeting_member,
    each_shareable_act,
    each_shareable_reflection,
    open_reader,
    read_group_names,
    read_rounds,
)
from bot.services.content import ContentLibrary
from bot.text import Messages

T = TypeVar("T")


@dataclass(frozen=True)
class ReportJob:
    """Everything a worker needs to make the month's files from the database file."""

    db_path: Path
    guild_id: int
    year: int
    month: int
    timezone: str
    now: datetime
    salt: str
    content: ContentLibrary
    texts: Messages
    out_dir: Path


def reading(db_path: Path, work: Callable[[AnalyticsRepo, Database], Awaitable[T]]) -> T:
    """Run ``work`` on the database file in this (worker) process, then close it."""

    async def main() -> T:
        db = Database(db_path)
        await db.connect()
        try:
            return await work(AnalyticsRepo(db), db)
        finally:
            await db.close()

    return asyncio.run(main())


def report_page_job(job: ReportJob) -> tuple[list[Path], bytes]:
    """The figures, ``report.html`` with its charts and ``figures.csv``; and the bridging
    heatmap as PNG bytes (to attach beside the page)."""
    from bot.services import charts
    from bot.services.report.service import ReportService, write_report_page

    async def work(analytics: AnalyticsRepo, _: Database) -> tuple[list[Path], bytes]:
        service = ReportService(analytics, job.content, FakeClock(job.now), job.texts)
        report = await service.build(job.guild_id, job.year, job.month)
        heatmap = charts.bridging_heatmap(report.current.bridging, job.texts)
        return write_report_page(report, job.texts, job.out_dir, heatmap=heatmap), heatmap

    return reading(job.db_path, work)


def report_rows_job(job: ReportJob) -> list[Path]:
    """Write ``acts.csv``, ``reflections.csv``, ``rounds.csv`` and ``meetings.csv``,
    each row as it is read (one read transaction, so the files agree with each other)."""
    from bot.services.report.periods import month_so_far
    from bot.services.report.service import ReportRows, write_rows_csvs

    window = month_so_far(job.year, job.month, job.timezone, job.now)
    guild = job.guild_id
    with closing(open_reader(job.db_path)) as conn:
        conn.execute("BEGIN")
        rows = ReportRows(
            acts=each_shareable_act(conn, guild, window),
            reflections=each_shareable_reflection(conn, guild, window),
            rounds=read_rounds(conn, guild, window),
            members=each_meeting_member(conn, guild, window),
            groups=read_group_names(conn, guild),
            salt=job.salt,
        )
        written = write_rows_csvs(guild, job.timezone, job.content, rows, job.texts, job.out_dir)
        conn.execute("COMMIT")
    return written
