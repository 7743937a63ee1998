"""``kindbot report``: write a guild's monthly impact report from a database file, offline.

Problems a coordinator can fix (a mistyped month, the wrong guild id, a missing
or outdated database) end with a one-line message and exit code 2, never a
traceback.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from bot.clock import Clock, FakeClock, SystemClock
from bot.db import Database
from bot.db.migrations import status
from bot.repos.analytics import AnalyticsRepo
from bot.services import charts
from bot.services.content import ContentError, load_content
from bot.services.digest import UnknownGuildError
from bot.services.report import FutureMonthError, ReportService, parse_month
from bot.text import TextError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2
HEATMAP_FILE = "bridging.png"
SQLITE_HEADER = b"SQLite format 3\x00"


class ReportCliError(Exception):
    """A problem worth one line on stderr."""


async def write_report_outputs(
    db_path: Path,
    guild_id: int,
    month: str,
    out_dir: Path,
    now: datetime | None = None,
    *,
    content_dir: Path | None = None,
) -> list[Path]:
    """Build the month's report and write the HTML, the CSVs and the bridging heatmap.

    ``now`` fixes the moment the report is made (it decides which coffee rounds'
    check-ins count towards the meeting rate); the wall clock by default.
    """
    year, number = _month(month)
    await asyncio.to_thread(_check_database, db_path)
    db = Database(db_path)
    try:
        await db.connect()
        state = await status(db)
        if state.current < state.latest:
            raise ReportCliError(
                f"{db_path} is at schema version {state.current} but this kindbot needs "
                f"{state.latest}; run 'kindbot db migrate' first"
            )
        if state.current > state.latest:
            raise ReportCliError(f"{db_path} was written by a newer kindbot; upgrade kindbot")
        clock: Clock = FakeClock(now) if now is not None else SystemClock()
        service = ReportService(AnalyticsRepo(db), load_content(override=content_dir), clock)
        report = await service.build(guild_id, year, number)
        written = await service.write(report, out_dir)
        heatmap = await asyncio.to_thread(
            charts.bridging_heatmap, report.current.bridging, service.texts
        )
        target = out_dir / HEATMAP_FILE
        await asyncio.to_thread(target.write_bytes, heatmap)
        return [*written, target]
    except UnknownGuildError:
        raise ReportCliError(f"server {guild_id} is not in {db_path}") from None
    except FutureMonthError as exc:
        raise ReportCliError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise ReportCliError(f"cannot read {db_path} as a kindbot database ({exc})") from None
    finally:
        await db.close()


def run_report_cli(
    db_path: Path, guild_id: int, month: str, out_dir: Path, *, content_dir: Path | None = None
) -> int:
    """Write the report and print where; one-line error and exit code 2 on bad input."""
    try:
        written = asyncio.run(
            write_report_outputs(db_path, guild_id, month, out_dir, content_dir=content_dir)
        )
    except (ReportCliError, ContentError, TextError) as exc:
        print(f"kindbot report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"kindbot report: cannot write to {out_dir} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote the {month} impact report for server {guild_id} to {out_dir}:")
    for path in written:
        print(f"  {path}")
    return EXIT_OK


def _check_database(db_path: Path) -> None:
    """Refuse a missing file or one that is not SQLite before opening a connection."""
    if not db_path.is_file():
        raise ReportCliError(f"there is no database at {db_path}")
    with db_path.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise ReportCliError(f"{db_path} is not a kindbot database")


def _month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise ReportCliError(str(exc)) from None
