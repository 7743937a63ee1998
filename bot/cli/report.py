"""``kindbot report``: write a guild's impact report from a database file, offline.

``--period`` (``2026-11``, ``2026-Q4``, ``2026``) or ``--from``/``--to`` dates write
the funders' report (``impact-report.html``, its charts and one CSV per table);
``--month`` also writes the monthly comparison beside it.

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
from bot.problems import UserFacingError
from bot.repos.analytics import AnalyticsRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.pulse import PulseRepo
from bot.services import charts
from bot.services.content import ContentError, load_content
from bot.services.digest import UnknownGuildError
from bot.services.funders import FundersContentError, FundersReportService
from bot.services.outcomes import OutcomesService, Period, parse_day, parse_period
from bot.services.outcomes import UnknownGuildError as NoOutcomesGuildError
from bot.services.pulse import load_pulse_content
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
    month: str | None,
    out_dir: Path,
    now: datetime | None = None,
    *,
    content_dir: Path | None = None,
    period: Period | None = None,
    community: str | None = None,
) -> list[Path]:
    """Build the month's report and write the HTML, the CSVs and the bridging heatmap.

    ``now`` fixes the moment the report is made (it decides which coffee rounds'
    check-ins count towards the meeting rate); the wall clock by default.
    """
    if month is not None:
        year, number = _month(month)
        period = Period.month(year, number)
    if period is None:
        raise ReportCliError("give --period, --month, or --from and --to")
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
        content = load_content(override=content_dir)
        analytics = AnalyticsRepo(db)
        pulse = load_pulse_content()
        outcomes = OutcomesService(OutcomesRepo(db), PulseRepo(db), analytics, pulse, clock)
        funders = FundersReportService(
            outcomes, analytics, content, clock, override_dir=content_dir
        )
        written: list[Path] = []
        if month is not None:
            service = ReportService(analytics, content, clock)
            report = await service.build(guild_id, year, number)
            written += await service.write(report, out_dir)
            heatmap = await asyncio.to_thread(
                charts.bridging_heatmap, report.current.bridging, service.texts
            )
            target = out_dir / HEATMAP_FILE
            await asyncio.to_thread(target.write_bytes, heatmap)
            written.append(target)
        try:
            built = await funders.build(guild_id, period, community or f"server {guild_id}")
        except UserFacingError as exc:
            raise ReportCliError(pulse.messages(exc.key, **exc.params)) from None
        written += await funders.write(built, out_dir)
        return written
    except (UnknownGuildError, NoOutcomesGuildError):
        raise ReportCliError(f"server {guild_id} is not in {db_path}") from None
    except FutureMonthError as exc:
        raise ReportCliError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise ReportCliError(f"cannot read {db_path} as a kindbot database ({exc})") from None
    finally:
        await db.close()


def run_report_cli(
    db_path: Path,
    guild_id: int,
    month: str | None,
    out_dir: Path,
    *,
    content_dir: Path | None = None,
    period: str | None = None,
    first: str | None = None,
    last: str | None = None,
    community: str | None = None,
) -> int:
    """Write the report and print where; one-line error and exit code 2 on bad input."""
    try:
        chosen = _period(period, first, last) if month is None else None
        label = month or period or f"{first} to {last}"
        written = asyncio.run(
            write_report_outputs(
                db_path,
                guild_id,
                month,
                out_dir,
                content_dir=content_dir,
                period=chosen,
                community=community,
            )
        )
    except (ReportCliError, ContentError, TextError, FundersContentError) as exc:
        print(f"kindbot report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"kindbot report: cannot write to {out_dir} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_USAGE
    print(f"Wrote the {label} impact report for server {guild_id} to {out_dir}:")
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


def _period(period: str | None, first: str | None, last: str | None) -> Period:
    try:
        if period is not None:
            return parse_period(period)
        if first is None or last is None:
            raise ReportCliError("give --period, --month, or both --from and --to")
        return Period.between(parse_day(first), parse_day(last))
    except ValueError as exc:
        raise ReportCliError(str(exc)) from None
    except UserFacingError as exc:
        raise ReportCliError(load_pulse_content().messages(exc.key, **exc.params)) from None
