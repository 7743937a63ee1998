"""Build the report funders read: figures → template context → HTML and a CSV pack."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2

from bot.clock import Clock, FakeClock
from bot.db import Database
from bot.repos.analytics import AnalyticsRepo, SharedItem
from bot.repos.outcomes import OutcomesRepo
from bot.repos.pulse import PulseRepo
from bot.services import stats
from bot.services.content import ContentLibrary
from bot.services.funders.tables import Cell, Table, TableMaker, pct, stories_table
from bot.services.funders.texts import (
    TEMPLATE_FILE,
    FundersContentError,
    FundersTexts,
    load_funders_texts,
    report_folders,
)
from bot.services.outcomes import (
    OutcomeFigures,
    OutcomesService,
    Period,
    format_day,
    period_label,
    summary_paragraph,
)
from bot.services.pulse import PulseContent
from bot.services.spreadsheet import to_csv

if TYPE_CHECKING:
    from bot.offload import Offload

REPORT_FILE = "impact-report.html"
MIN_STORIES = 3
MAX_STORIES = 5
STORY_LENGTH = 400
#: Stories are picked from this many of the newest acts, and as many reflections.
STORY_POOL = 30

#: Looks up a member's name in Discord (None when it cannot): only for members who agreed.
NameLookup = Callable[[int], Awaitable[str | None]]


@dataclass(frozen=True)
class Story:
    kind: str
    day: str
    text: str
    credit: str


@dataclass(frozen=True)
class FundersReport:
    community: str
    figures: OutcomeFigures
    period: str
    summary: str
    generated: datetime
    tables: tuple[Table, ...]
    stories: tuple[Story, ...]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def pick_stories(items: Sequence[SharedItem], limit: int = MAX_STORIES) -> list[SharedItem]:
    """Up to ``limit`` stories, newest first, taking turns between acts and reflections
    and spreading them across groups where the period allows."""
    acts = [i for i in items if i.kind == "act"]
    reflections = [i for i in items if i.kind == "reflection"]
    chosen: list[SharedItem] = []
    seen_groups: set[int | None] = set()
    for pool in (acts, reflections):
        pool.sort(key=lambda i: (i.created_at, i.item_id), reverse=True)
    while len(chosen) < limit and (acts or reflections):
        for pool in (acts, reflections):
            if not pool or len(chosen) >= limit:
                continue
            fresh = next((i for i in pool if i.group_id not in seen_groups), pool[0])
            pool.remove(fresh)
            chosen.append(fresh)
            seen_groups.add(fresh.group_id)
    return chosen


class FundersReportService:
    def __init__(
        self,
        outcomes: OutcomesService,
        analytics: AnalyticsRepo,
        content: ContentLibrary,
        clock: Clock,
        *,
        override_dir: Path | None = None,
        offload: Offload | None = None,
    ) -> None:
        self._outcomes = outcomes
        self._analytics = analytics
        self._content = content
        self._clock = clock
        self._override = override_dir
        self._offload = offload
        self.texts: FundersTexts = load_funders_texts(override_dir)

    async def build(
        self,
        guild_id: int,
        period: Period,
        community: str,
        names: NameLookup | None = None,
        *,
        shared: Sequence[SharedItem] | None = None,
    ) -> FundersReport:
        """The figures, stories and tables; ``shared`` are the story candidates when
        they have been read already (see :meth:`story_candidates`)."""
        figures = await self._outcomes.build(guild_id, period)
        pulse = self._outcomes.content
        window = figures.period.window
        groups = await self._analytics.group_names(guild_id)
        if shared is None:
            shared = await self._outcomes.story_items(guild_id, window, STORY_POOL)
        zone = ZoneInfo(figures.period.timezone)
        stories = []
        for item in pick_stories(shared):
            name = await names(item.user_id) if names is not None and item.name_ok else None
            group = groups.get(item.group_id) if item.group_id is not None else None
            credit = name or (
                self.texts.text("a_champion_from", group=group)
                if group
                else self.texts.text("a_champion")
            )
            text = item.text if len(item.text) <= STORY_LENGTH else item.text[:STORY_LENGTH] + "…"
            stories.append(
                Story(
                    self.texts("kind", item.kind),
                    format_day(item.created_at.astimezone(zone).date()),
                    text,
                    credit,
                )
            )
        conditions = {c.number: c.title for c in self._content.conditions}
        maker = TableMaker(self.texts, pulse, conditions)
        tables = [
            *maker.all(figures),
            stories_table(self.texts, [(s.kind, s.day, s.text, s.credit) for s in stories]),
        ]
        return FundersReport(
            community=community,
            figures=figures,
            period=period_label(figures.period, pulse),
            summary=summary_paragraph(figures, pulse),
            generated=self._clock.now(),
            tables=tuple(tables),
            stories=tuple(stories),
        )

    async def write(self, report: FundersReport, out_dir: Path) -> list[Path]:
        """Write ``report.html``, the charts and one CSV per table; returns the paths.

        The charts, the page and the CSV text are made in a worker process when there
        is one (pure-Python work in a thread would still hold up the event loop)."""
        pages = FundersPages(self.texts, self._override)
        if self._offload is None:
            return await asyncio.to_thread(pages.write_files, report, out_dir)
        return await self._offload.draw(pages.write_files, report, out_dir)

    def write_files(self, report: FundersReport, out_dir: Path) -> list[Path]:
        """:meth:`write`, right here (CPU-heavy and blocking)."""
        return FundersPages(self.texts, self._override).write_files(report, out_dir)

    async def story_candidates(self, guild_id: int, period: Period) -> list[SharedItem]:
        """The acts and reflections the stories are picked from; a period that has
        not started, or a guild never set up, is refused here."""
        resolved = await self._outcomes.resolve(guild_id, period)
        return await self._outcomes.story_items(guild_id, resolved.window, STORY_POOL)

    async def make_files(
        self,
        guild_id: int,
        period: Period,
        community: str,
        out_dir: Path,
        names: NameLookup | None = None,
    ) -> list[Path]:
        """:meth:`build` then :meth:`write`. With worker processes, a worker reads the
        database file itself and does both (see :func:`funders_report_job`): the event
        loop reads only the few story candidates and looks up the names of those who
        agreed to be named."""
        db_path = self._analytics.db_path
        if self._offload is None or db_path is None:
            return await self.write(await self.build(guild_id, period, community, names), out_dir)
        shared = await self.story_candidates(guild_id, period)
        known: dict[int, str] = {}
        if names is not None:
            for item in pick_stories(shared):
                if item.name_ok and item.user_id not in known:
                    name = await names(item.user_id)
                    if name is not None:
                        known[item.user_id] = name
        job = FundersJob(
            db_path=db_path,
            guild_id=guild_id,
            period=period,
            community=community,
            now=self._clock.now(),
            shared=tuple(shared),
            names=known,
            pulse=self._outcomes.content,
            content=self._content,
            texts=self.texts,
            override_dir=self._override,
            out_dir=out_dir,
        )
        return await self._offload.draw(funders_report_job, job)


@dataclass(frozen=True)
class FundersJob:
    """Everything a worker needs to make the report's files from the database file."""

    db_path: Path
    guild_id: int
    period: Period
    community: str
    now: datetime
    shared: tuple[SharedItem, ...]
    names: dict[int, str]  # the names of story authors who agreed to be named
    pulse: PulseContent
    content: ContentLibrary
    texts: FundersTexts
    override_dir: Path | None
    out_dir: Path


def funders_report_job(job: FundersJob) -> list[Path]:
    """In a worker process: read the database file, build the report, write its files."""

    async def lookup(user_id: int) -> str | None:
        return job.names.get(user_id)

    async def main() -> list[Path]:
        db = Database(job.db_path)
        await db.connect()
        try:
            clock = FakeClock(job.now)
            analytics = AnalyticsRepo(db)
            outcomes = OutcomesService(OutcomesRepo(db), PulseRepo(db), analytics, job.pulse, clock)
            service = FundersReportService(
                outcomes, analytics, job.content, clock, override_dir=job.override_dir
            )
            service.texts = job.texts
            report = await service.build(
                job.guild_id, job.period, job.community, lookup, shared=job.shared
            )
        finally:
            await db.close()
        return service.write_files(report, job.out_dir)

    return asyncio.run(main())


class FundersPages:
    """The report's charts, page and CSV pack, from a built report (plain data, so
    a worker process can make them)."""

    def __init__(self, texts: FundersTexts, override_dir: Path | None = None) -> None:
        self.texts = texts
        self._override = override_dir

    def environment(self) -> jinja2.Environment:
        folders = [str(f) for f in report_folders(self._override)]
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["cell"] = cell_text
        return env

    def charts(self, report: FundersReport) -> dict[str, bytes]:
        """PNG charts by file name (CPU-bound: in a worker process from the event loop)."""
        from bot.services.funders import charts  # matplotlib: only where charts are drawn

        t = self.texts.text
        acts = report.table("acts_by_condition")
        result = {
            "acts-by-condition.png": charts.conditions_chart(
                [(str(r[0]), int(r[1] or 0), int(r[2] or 0)) for r in acts.rows],
                t("chart_conditions"),
                t("chart_conditions_x"),
                (self.texts.column("acts"), self.texts.column("for_other_group")),
            )
        }
        changes = [
            (
                change.question.headline_label or change.question.text,
                _triple(change.overall.before),
                _triple(change.overall.after),
            )
            for change in report.figures.changes
            if change.overall.before.shown and change.overall.after.shown
        ]
        if changes:
            result["pulse-before-after.png"] = charts.change_chart(
                [(label, b, a) for label, b, a in changes if b and a],
                t("chart_change"),
                t("chart_change_x"),
                (t("before"), t("after")),
            )
        return result

    def context(self, report: FundersReport, images: Mapping[str, bytes]) -> dict[str, Any]:
        t = self.texts
        published = {p.question: p for p in t.published}
        return {
            "t": t.sections["text"],
            "community": report.community,
            "title": t.text("title", community=report.community),
            "period": report.period,
            "generated": t.text(
                "generated",
                date=format_day(
                    report.generated.astimezone(ZoneInfo(report.figures.period.timezone)).date()
                ),
            ),
            "summary": report.summary,
            "privacy": t.text("privacy", threshold=stats.THRESHOLD),
            "tables": {table.key: table for table in report.tables},
            "stories": report.stories,
            "published": [
                (p, next((r for r in report.figures.pulse if r.question.key == q), None))
                for q, p in published.items()
            ],
            "images": {
                name: "data:image/png;base64," + base64.b64encode(data).decode("ascii")
                for name, data in images.items()
            },
            "min_stories": MIN_STORIES,
        }

    def render_html(self, report: FundersReport, images: Mapping[str, bytes]) -> str:
        try:
            template = self.environment().get_template(TEMPLATE_FILE)
            return template.render(self.context(report, images))
        except jinja2.TemplateError as exc:
            raise FundersContentError(f"{TEMPLATE_FILE}: {exc}") from exc

    def write_files(self, report: FundersReport, out_dir: Path) -> list[Path]:
        """Write ``report.html``, the charts and one CSV per table (CPU-heavy, blocking)."""
        images = self.charts(report)
        html = self.render_html(report, images)
        files: dict[str, bytes] = {REPORT_FILE: html.encode("utf-8"), **images}
        for table in report.tables:
            files[f"{table.key}.csv"] = to_csv(table.columns, table.rows).encode("utf-8")
        return _write_files(out_dir, files)


def _write_files(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


def _triple(share: stats.Share) -> tuple[float, float, float] | None:
    if share.share is None or share.low is None or share.high is None:
        return None
    return (share.share * 100, share.low * 100, share.high * 100)


def cell_text(value: Cell) -> str:
    """How a table cell reads in the HTML report."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return str(value)


__all__ = [
    "FundersJob",
    "FundersPages",
    "FundersReport",
    "FundersReportService",
    "Story",
    "funders_report_job",
    "pct",
    "pick_stories",
]
