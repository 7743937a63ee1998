"""Build the monthly report from the database and write its files."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.repos.analytics import (
    AnalyticsRepo,
    MeetingMemberRow,
    RoundFigures,
    SharedItem,
    Window,
)
from bot.resources import prompts_dir
from bot.services import drawing
from bot.services.bridging import build_matrix
from bot.services.content import ContentLibrary
from bot.services.digest import ConditionCount, UnknownGuildError, group_counts
from bot.services.labels import condition_label
from bot.services.report.figures import MonthFigures, MonthlyReport
from bot.services.report.jobs import ReportJob, report_page_job, report_rows_job
from bot.services.report.page import render_html
from bot.services.report.periods import month_so_far, month_window, previous_month
from bot.services.report.tables import (
    CsvTable,
    figures_csv,
    meetings_table,
    rounds_table,
    write_csv,
)
from bot.text import Messages

if TYPE_CHECKING:
    from bot.offload import Offload

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
CSV_FILES = ("figures.csv", "acts.csv", "reflections.csv", "rounds.csv", "meetings.csv")


def load_report_texts(override_dir: Path | None = None) -> Messages:
    """The wording for charts, the HTML report and the CSV headers.

    ``override_dir`` may hold a ``report.toml`` that replaces the shipped one.
    """
    return Messages.load(prompts_dir() / "report.toml", override_dir=override_dir)


class ReportService:
    def __init__(
        self,
        analytics: AnalyticsRepo,
        content: ContentLibrary,
        clock: Clock,
        texts: Messages | None = None,
        offload: Offload | None = None,
    ) -> None:
        self._offload = offload
        self._analytics = analytics
        self._content = content
        self._clock = clock
        self.texts = texts or load_report_texts()

    async def build(self, guild_id: int, year: int, month: int) -> MonthlyReport:
        """The month's figures beside the previous month's.

        A month still going on is counted up to now and marked ``in_progress``;
        a month that has not started raises FutureMonthError.
        """
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        timezone = await self._analytics.guild_timezone(guild_id)
        if timezone is None:
            raise UnknownGuildError(f"guild {guild_id} is not set up")
        now = self._clock.now()
        # The two months are read side by side, on separate read connections.
        current, previous = await asyncio.gather(
            self._figures(guild_id, year, month, timezone, now),
            self._figures(guild_id, *previous_month(year, month), timezone, now),
        )
        log.debug("Built the %04d-%02d report for guild %s", year, month, guild_id)
        return MonthlyReport(guild_id, timezone, now, current, previous)

    async def _figures(
        self, guild_id: int, year: int, month: int, timezone: str, now: datetime
    ) -> MonthFigures:
        window = month_so_far(year, month, timezone, now)
        a = self._analytics
        # Independent reads, side by side on the read connections.
        groups, active, new, acts = await asyncio.gather(
            a.group_names(guild_id),
            a.active_champions_by_group(guild_id, window),
            a.new_champions_by_group(guild_id, window),
            a.acts_by_condition(guild_id, window),
        )
        (reflections, shareable), rounds, pairs = await asyncio.gather(
            a.reflection_counts(guild_id, window),
            a.rounds(guild_id, window),
            a.group_pairs_met(guild_id, window),
        )
        checked = [r for r in rounds if r.checkin_due_at <= now]
        return MonthFigures(
            year=year,
            month=month,
            window=window,
            active_champions=group_counts(active, groups),
            new_champions=group_counts(new, groups),
            acts_by_condition=self._conditions(acts),
            reflections=reflections,
            reflections_shareable=shareable,
            rounds=len(rounds),
            meetings=sum(r.meetings for r in rounds),
            cross_group_meetings=sum(r.cross_group_meetings for r in rounds),
            meetings_met=sum(r.met for r in rounds),
            cross_group_meetings_met=sum(r.cross_group_met for r in rounds),
            checked_meetings=sum(r.meetings for r in checked),
            checked_meetings_met=sum(r.met for r in checked),
            bridging=build_matrix(window, groups, pairs),
            in_progress=window != month_window(year, month, timezone),
        )

    def _conditions(self, counts: dict[int | None, int]) -> tuple[ConditionCount, ...]:
        result = [
            ConditionCount(c.number, c.title, counts.get(c.number, 0))
            for c in self._content.conditions
        ]
        if counts.get(None):
            result.append(ConditionCount(None, None, counts[None]))
        return tuple(result)

    async def write(self, report: MonthlyReport, out_dir: Path) -> list[Path]:
        """Write report.html and the five CSV files into ``out_dir``; return their paths.

        The rows are read here; the charts, the page and the CSV text are made in a
        worker process (see :mod:`bot.offload`), so the event loop never waits on them.
        """
        salt = await self._analytics.report_salt(report.guild_id, self._clock.now())
        rows = await read_report_rows(self._analytics, report.guild_id, report.current.window, salt)
        if self._offload is None:
            return await asyncio.to_thread(write_report_files, report, rows, self.texts, out_dir)
        # The page (with its charts) and the CSV files are made in two workers at once:
        # the drawing worker and a general one.
        page, csvs = await asyncio.gather(
            self._offload.draw(write_report_page, report, self.texts, out_dir),
            self._offload.run(write_report_csvs, report, rows, self.texts, out_dir),
        )
        return [*page, *csvs]

    async def make_files(
        self, guild_id: int, year: int, month: int, out_dir: Path
    ) -> tuple[list[Path], bytes]:
        """Build the month's report and write its files, as :meth:`build` then
        :meth:`write` do; also return the bridging heatmap as PNG bytes.

        With worker processes, the workers read the database file themselves (see
        :mod:`bot.services.report.jobs`): the event loop only checks the month,
        makes sure the guild's salt exists and waits.
        """
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        db_path = self._analytics.db_path
        if self._offload is None or db_path is None:
            report = await self.build(guild_id, year, month)
            written = await self.write(report, out_dir)
            heatmap = await asyncio.to_thread(
                drawing.bridging_heatmap, report.current.bridging, self.texts
            )
            return written, heatmap
        timezone = await self._analytics.guild_timezone(guild_id)
        if timezone is None:
            raise UnknownGuildError(f"guild {guild_id} is not set up")
        now = self._clock.now()
        month_so_far(year, month, timezone, now)  # a month not started is refused here
        salt = await self._analytics.report_salt(guild_id, now)
        job = ReportJob(
            db_path, guild_id, year, month, timezone, now, salt, self._content, self.texts, out_dir
        )
        (page, heatmap), csvs = await asyncio.gather(
            self._offload.draw(report_page_job, job), self._offload.run(report_rows_job, job)
        )
        return [*page, *csvs], heatmap


async def read_report_rows(
    analytics: AnalyticsRepo, guild_id: int, window: Window, salt: str
) -> ReportRows:
    """What the CSV files list, read side by side on the read connections."""
    acts, reflections, rounds, members, groups = await asyncio.gather(
        analytics.shareable_acts(guild_id, window),
        analytics.shareable_reflections(guild_id, window),
        analytics.rounds(guild_id, window),
        analytics.meeting_members(guild_id, window),
        analytics.group_names(guild_id),
    )
    return ReportRows(acts[::-1], reflections[::-1], rounds, members, groups, salt)


@dataclass(frozen=True)
class ReportRows:
    """What the report's CSV files list, oldest first: lists read from the database,
    or rows read one by one as the files are written (see :mod:`~.jobs`)."""

    acts: Iterable[SharedItem]
    reflections: Iterable[SharedItem]
    rounds: Iterable[RoundFigures]
    members: Iterable[MeetingMemberRow]
    groups: dict[int, str]
    salt: str


def write_report_files(
    report: MonthlyReport, rows: ReportRows, t: Messages, out_dir: Path
) -> list[Path]:
    """Make report.html and the CSV files from plain data and write them (CPU-heavy)."""
    return [
        *write_report_page(report, t, out_dir),
        *write_report_csvs(report, rows, t, out_dir),
    ]


def write_report_page(
    report: MonthlyReport, t: Messages, out_dir: Path, *, heatmap: bytes | None = None
) -> list[Path]:
    """Make and write report.html with its charts, and figures.csv."""
    return _write_files(
        out_dir,
        {
            REPORT_FILE: render_html(report, t, heatmap=heatmap),
            "figures.csv": figures_csv(report, t),
        },
    )


def write_report_csvs(
    report: MonthlyReport, rows: ReportRows, t: Messages, out_dir: Path
) -> list[Path]:
    """Make and write the CSV files of the listed rows (everything but figures.csv)."""
    titles = {c.number: condition_label(c, t) for c in report.current.acts_by_condition}
    return _rows_csvs(report.guild_id, report.timezone, titles, rows, t, out_dir)


def write_rows_csvs(
    guild_id: int,
    timezone: str,
    content: ContentLibrary,
    rows: ReportRows,
    t: Messages,
    out_dir: Path,
) -> list[Path]:
    """:func:`write_report_csvs` without the figures: conditions are titled from the
    content library, as the report's figures title them."""
    titles: dict[int | None, str] = {
        c.number: condition_label(ConditionCount(c.number, c.title, 0), t)
        for c in content.conditions
    }
    return _rows_csvs(guild_id, timezone, titles, rows, t, out_dir)


def _rows_csvs(
    guild_id: int,
    timezone: str,
    titles: dict[int | None, str],
    rows: ReportRows,
    t: Messages,
    out_dir: Path,
) -> list[Path]:
    """Write the four CSV files of listed rows, each row by row as it is read."""
    zone = ZoneInfo(timezone)
    groups = rows.groups

    def condition(number: int | None) -> str:
        return titles.get(number, "") if number is not None else ""

    def group(group_id: int | None) -> str:
        return groups.get(group_id, "") if group_id is not None else ""

    def local_day(when: datetime) -> str:
        return when.astimezone(zone).date().isoformat()

    tables: dict[str, CsvTable] = {
        "acts.csv": (
            [
                t("csv.date"),
                t("csv.group"),
                t("csv.condition"),
                t("csv.what"),
                t("csv.who_benefited"),
            ],
            (
                [
                    local_day(a.created_at),
                    group(a.group_id),
                    condition(a.condition_number),
                    a.text,
                    a.who_benefited,
                ]
                for a in rows.acts
            ),
        ),
        "reflections.csv": (
            [t("csv.date"), t("csv.group"), t("csv.condition"), t("csv.reflection")],
            (
                [
                    local_day(r.created_at),
                    group(r.group_id),
                    condition(r.condition_number),
                    r.text,
                ]
                for r in rows.reflections
            ),
        ),
        "rounds.csv": rounds_table(rows.rounds, t, local_day),
        "meetings.csv": meetings_table(rows.members, groups, t, guild_id, rows.salt),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_csv(out_dir / name, table) for name, table in tables.items()]


def _write_files(out_dir: Path, files: dict[str, str]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out_dir / name
        # utf-8-sig so spreadsheet programs read accents and emoji correctly.
        encoding = "utf-8-sig" if name.endswith(".csv") else "utf-8"
        path.write_text(text, encoding=encoding, newline="")
        written.append(path)
    return written
