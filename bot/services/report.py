"""The monthly impact report: figures with last month's for comparison, as HTML and CSV.

Definitions (a month is a calendar month in the guild's timezone):

* *Active champions* took part in the month: logged an act, wrote a reflection,
  or answered "yes" at the check-in of a coffee round made that month. They are
  counted by their current group.
* *New champions* first joined in the month, by their current group.
* Coffee figures cover the rounds made in the month. A meeting *met* when at
  least one member answered "yes". The *meeting rate* is met meetings out of all
  meetings of the month's rounds whose check-in time had passed when the report
  was built; unanswered meetings count as not met, so the rate is a floor.
* *Group pairs connected* is the number of pairs of different current groups
  with at least one meeting that happened, out of n·(n−1)/2 (see
  :mod:`bot.services.bridging`).

Privacy: the report holds counts, group names and condition titles only. The
CSV files list shareable acts and reflections without their authors, and coffee
meetings under pseudonyms (``c-`` + 10 hex digits of a salted SHA-256 of the
member's id, with a secret per-guild salt); erased members stay anonymous.
Nothing the bot would need a name for is ever written.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import html
import io
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.repos.analytics import AnalyticsRepo, MeetingMemberRow, RoundFigures, Window
from bot.resources import prompts_dir
from bot.services import charts
from bot.services.bridging import BridgingMatrix, build_matrix
from bot.services.champions import spreadsheet_safe
from bot.services.content import ContentLibrary
from bot.services.digest import (
    ConditionCount,
    GroupCount,
    UnknownGuildError,
    group_counts,
    local_midnight,
)
from bot.text import Messages

log = logging.getLogger(__name__)

REPORT_FILE = "report.html"
CSV_FILES = ("figures.csv", "acts.csv", "reflections.csv", "rounds.csv", "meetings.csv")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def load_report_texts() -> Messages:
    """The wording for charts, the HTML report and the CSV headers."""
    return Messages.load(prompts_dir() / "report.toml")


# Months


def parse_month(text: str) -> tuple[int, int]:
    """``2026-11`` → (2026, 11); ValueError with a readable reason otherwise."""
    match = _MONTH.match(text.strip())
    if not match:
        raise ValueError(f"'{text}' is not a month like 2026-11")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise ValueError(f"'{text}' is not a month that exists")
    return year, month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_window(year: int, month: int, timezone: str) -> Window:
    """The first of the month 00:00 to the first of the next month 00:00, local time."""
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Window(
        local_midnight(date(year, month, 1), timezone),
        local_midnight(date(next_year, next_month, 1), timezone),
    )


# Figures


@dataclass(frozen=True)
class MonthFigures:
    year: int
    month: int
    window: Window
    active_champions: tuple[GroupCount, ...]
    new_champions: tuple[GroupCount, ...]
    acts_by_condition: tuple[ConditionCount, ...]
    reflections: int
    reflections_shareable: int
    rounds: int
    meetings: int
    cross_group_meetings: int
    meetings_met: int
    cross_group_meetings_met: int
    checked_meetings: int  # meetings of rounds whose check-in time had passed
    checked_meetings_met: int
    bridging: BridgingMatrix

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def acts(self) -> int:
        return sum(c.count for c in self.acts_by_condition)

    @property
    def active_total(self) -> int:
        return sum(g.count for g in self.active_champions)

    @property
    def new_total(self) -> int:
        return sum(g.count for g in self.new_champions)

    @property
    def meeting_rate(self) -> float | None:
        """Met meetings out of checked meetings, as a percentage."""
        if not self.checked_meetings:
            return None
        return 100 * self.checked_meetings_met / self.checked_meetings

    @property
    def group_pairs_connected(self) -> int:
        return self.bridging.distinct_pairs_met

    @property
    def possible_group_pairs(self) -> int:
        return self.bridging.possible_pairs


@dataclass(frozen=True)
class FigureRow:
    """One line of the comparison: a figure, optionally broken down, in both months."""

    key: str
    detail: str | None
    current: float | None
    previous: float | None
    percent: bool = False

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous


@dataclass(frozen=True)
class MonthlyReport:
    guild_id: int
    timezone: str
    generated_at: datetime
    current: MonthFigures
    previous: MonthFigures

    @property
    def label(self) -> str:
        return self.current.label

    def headline(self) -> list[FigureRow]:
        """The summary figures, each beside last month's."""
        now, then = self.current, self.previous
        return [
            FigureRow("active_champions", None, now.active_total, then.active_total),
            FigureRow("new_champions", None, now.new_total, then.new_total),
            FigureRow("acts", None, now.acts, then.acts),
            FigureRow("reflections", None, now.reflections, then.reflections),
            FigureRow(
                "reflections_shareable",
                None,
                now.reflections_shareable,
                then.reflections_shareable,
            ),
            FigureRow("rounds", None, now.rounds, then.rounds),
            FigureRow("meetings", None, now.meetings, then.meetings),
            FigureRow(
                "cross_group_meetings", None, now.cross_group_meetings, then.cross_group_meetings
            ),
            FigureRow("meetings_met", None, now.meetings_met, then.meetings_met),
            FigureRow(
                "cross_group_meetings_met",
                None,
                now.cross_group_meetings_met,
                then.cross_group_meetings_met,
            ),
            FigureRow("meeting_rate", None, now.meeting_rate, then.meeting_rate, percent=True),
            FigureRow(
                "group_pairs_connected",
                None,
                now.group_pairs_connected,
                then.group_pairs_connected,
            ),
            FigureRow(
                "possible_group_pairs", None, now.possible_group_pairs, then.possible_group_pairs
            ),
        ]

    def by_group(self, key: str) -> list[FigureRow]:
        """``active_champions`` or ``new_champions`` group by group."""
        now = {g.name: g.count for g in getattr(self.current, key)}
        then = {g.name: g.count for g in getattr(self.previous, key)}
        names = list(dict.fromkeys([*now, *then]))
        return [FigureRow(key, name, now.get(name, 0), then.get(name, 0)) for name in names]

    def by_condition(self, texts: Messages) -> list[FigureRow]:
        then = {c.number: c.count for c in self.previous.acts_by_condition}
        rows = [
            FigureRow("acts", charts.condition_label(c, texts), c.count, then.get(c.number, 0))
            for c in self.current.acts_by_condition
        ]
        now_numbers = {c.number for c in self.current.acts_by_condition}
        for c in self.previous.acts_by_condition:
            if c.number not in now_numbers:
                rows.append(FigureRow("acts", charts.condition_label(c, texts), 0, c.count))
        return rows

    def rows(self, texts: Messages) -> list[FigureRow]:
        return [
            *self.headline(),
            *self.by_group("active_champions"),
            *self.by_group("new_champions"),
            *self.by_condition(texts),
        ]


def pseudonym(guild_id: int, salt: str, user_id: int | None) -> str | None:
    """A stable, non-reversible id for exports; None for an erased member."""
    if user_id is None:
        return None
    digest = hashlib.sha256(f"{guild_id}:{salt}:{user_id}".encode()).hexdigest()
    return f"c-{digest[:10]}"


class ReportService:
    def __init__(
        self,
        analytics: AnalyticsRepo,
        content: ContentLibrary,
        clock: Clock,
        texts: Messages | None = None,
    ) -> None:
        self._analytics = analytics
        self._content = content
        self._clock = clock
        self.texts = texts or load_report_texts()

    async def build(self, guild_id: int, year: int, month: int) -> MonthlyReport:
        """The month's figures beside the previous month's."""
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        timezone = await self._analytics.guild_timezone(guild_id)
        if timezone is None:
            raise UnknownGuildError(f"guild {guild_id} is not set up")
        now = self._clock.now()
        current = await self._figures(guild_id, year, month, timezone, now)
        previous = await self._figures(guild_id, *previous_month(year, month), timezone, now)
        log.debug("Built the %04d-%02d report for guild %s", year, month, guild_id)
        return MonthlyReport(guild_id, timezone, now, current, previous)

    async def _figures(
        self, guild_id: int, year: int, month: int, timezone: str, now: datetime
    ) -> MonthFigures:
        window = month_window(year, month, timezone)
        groups = await self._analytics.group_names(guild_id)
        active = await self._analytics.active_champions_by_group(guild_id, window)
        new = await self._analytics.new_champions_by_group(guild_id, window)
        acts = await self._analytics.acts_by_condition(guild_id, window)
        reflections, shareable = await self._analytics.reflection_counts(guild_id, window)
        rounds = await self._analytics.rounds(guild_id, window)
        checked = [r for r in rounds if r.checkin_due_at <= now]
        pairs = await self._analytics.group_pairs_met(guild_id, window)
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
        """Write report.html and the five CSV files into ``out_dir``; return their paths."""
        guild_id, window = report.guild_id, report.current.window
        zone = ZoneInfo(report.timezone)
        salt = await self._analytics.report_salt(guild_id, self._clock.now())
        acts = (await self._analytics.shareable_acts(guild_id, window))[::-1]
        reflections = (await self._analytics.shareable_reflections(guild_id, window))[::-1]
        rounds = await self._analytics.rounds(guild_id, window)
        members = await self._analytics.meeting_members(guild_id, window)
        groups = await self._analytics.group_names(guild_id)
        t = self.texts
        titles = {c.number: charts.condition_label(c, t) for c in report.current.acts_by_condition}

        def condition(number: int | None) -> str:
            return titles.get(number, "") if number is not None else ""

        def group(group_id: int | None) -> str:
            return groups.get(group_id, "") if group_id is not None else ""

        def local_day(when: datetime) -> str:
            return when.astimezone(zone).date().isoformat()

        files: dict[str, str] = {
            "figures.csv": figures_csv(report, t),
            "acts.csv": to_csv(
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
                    for a in acts
                ),
            ),
            "reflections.csv": to_csv(
                [t("csv.date"), t("csv.group"), t("csv.condition"), t("csv.reflection")],
                (
                    [
                        local_day(r.created_at),
                        group(r.group_id),
                        condition(r.condition_number),
                        r.text,
                    ]
                    for r in reflections
                ),
            ),
            "rounds.csv": rounds_csv(rounds, t, local_day),
            "meetings.csv": meetings_csv(members, groups, t, guild_id, salt),
        }
        page = await asyncio.to_thread(render_html, report, t)
        return await asyncio.to_thread(_write_files, out_dir, {REPORT_FILE: page, **files})


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


# CSV


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text whose every cell is safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return out.getvalue()


def format_value(value: float | None, percent: bool, texts: Messages) -> str:
    if value is None:
        return texts("value.unknown")
    if percent:
        return texts("value.percent", value=f"{value:.1f}")
    return f"{value:,.0f}"


def format_change(row: FigureRow, texts: Messages) -> str:
    change = row.change
    if change is None:
        return texts("value.unknown")
    if abs(change) < 0.05:
        return texts("value.no_change")
    sign = "+" if change > 0 else "−"
    number = f"{abs(change):.1f}" if row.percent else f"{abs(change):,.0f}"
    key = "value.change_points" if row.percent else "value.change"
    return texts(key, sign=sign, value=number)


def figure_label(row: FigureRow, texts: Messages) -> str:
    return texts(f"figure.{row.key}")


def figures_csv(report: MonthlyReport, texts: Messages) -> str:
    header = [
        texts("csv.figure"),
        texts("csv.detail"),
        texts("csv.this_month", month=report.current.label),
        texts("csv.previous_month", month=report.previous.label),
        texts("csv.change"),
    ]
    rows = (
        [
            figure_label(row, texts),
            row.detail or texts("csv.all"),
            "" if row.current is None else round(row.current, 1),
            "" if row.previous is None else round(row.previous, 1),
            "" if row.change is None else round(row.change, 1),
        ]
        for row in report.rows(texts)
    )
    return to_csv(header, rows)


def rounds_csv(
    rounds: Sequence[RoundFigures], texts: Messages, local_day: Callable[[datetime], str]
) -> str:
    header = [
        texts("csv.week"),
        texts("csv.made_on"),
        texts("csv.condition_number"),
        texts("csv.meetings"),
        texts("csv.cross_group_meetings"),
        texts("csv.pairs"),
        texts("csv.cross_group_pairs"),
        texts("csv.meetings_met"),
        texts("csv.meetings_answered"),
        texts("csv.checkin_due"),
    ]
    rows = (
        [
            r.period_key,
            local_day(r.created_at),
            r.condition_number or "",
            r.meetings,
            r.cross_group_meetings,
            r.pairs,
            r.cross_group_pairs,
            r.met,
            r.answered,
            local_day(r.checkin_due_at),
        ]
        for r in rounds
    )
    return to_csv(header, rows)


def meetings_csv(
    members: Sequence[MeetingMemberRow],
    groups: dict[int, str],
    texts: Messages,
    guild_id: int,
    salt: str,
) -> str:
    header = [
        texts("csv.week"),
        texts("csv.meeting"),
        texts("csv.cross_group"),
        texts("csv.member"),
        texts("csv.group"),
        texts("csv.answer"),
    ]
    answers = {
        "yes": texts("csv.answer_yes"),
        "not_yet": texts("csv.answer_not_yet"),
        "cant": texts("csv.answer_cant"),
    }
    anonymous = texts("csv.anonymous")
    yes, no = texts("csv.yes"), texts("csv.no")
    rows = (
        [
            m.period_key,
            m.position + 1,
            yes if m.cross_group else no,
            pseudonym(guild_id, salt, m.user_id) or anonymous,
            groups.get(m.group_id, "") if m.group_id is not None else "",
            answers.get(m.answer or "", ""),
        ]
        for m in members
    )
    return to_csv(header, rows)


# HTML

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f3efe8; color: #1f2a33;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid #d8d1c4; }
.lede { color: #5c6670; margin: 0 0 20px; }
table { border-collapse: collapse; width: 100%; background: #fbf8f3; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #e4ddd1; }
th { background: #e9e3d8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #1d6b4f; } .down { color: #a2432f; }
img { max-width: 100%; height: auto; border-radius: 8px; display: block; margin: 12px 0; }
.note { color: #5c6670; font-size: 0.92rem; }
footer { margin-top: 40px; color: #5c6670; font-size: 0.9rem; }
@media print { body { background: #fff; } main { padding: 0; } }
"""


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric_from: int) -> str:
    def cell(tag: str, index: int, text: str) -> str:
        css = ' class="num"' if index >= numeric_from else ""
        return f"<{tag}{css}>{text}</{tag}>"

    head = "".join(cell("th", i, html.escape(h)) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _comparison_cells(row: FigureRow, texts: Messages) -> list[str]:
    change = row.change
    css = (
        ""
        if not change or abs(change) < 0.05
        else (' class="up"' if change > 0 else ' class="down"')
    )
    return [
        html.escape(format_value(row.current, row.percent, texts)),
        html.escape(format_value(row.previous, row.percent, texts)),
        f"<span{css}>{html.escape(format_change(row, texts))}</span>",
    ]


def render_html(report: MonthlyReport, texts: Messages) -> str:
    """A self-contained page: inline CSS and charts, no scripts, no external links."""
    t = texts
    now, then = report.current, report.previous
    esc = html.escape
    compare_header = [
        t("html.this_month", month=now.label),
        t("html.previous_month", month=then.label),
        t("html.change"),
    ]
    headline = _table(
        [t("html.figure"), *compare_header],
        ([esc(figure_label(r, t)), *_comparison_cells(r, t)] for r in report.headline()),
        numeric_from=1,
    )
    groups = _table(
        [
            t("html.group"),
            t("html.active", month=now.label),
            t("html.active", month=then.label),
            t("html.new", month=now.label),
            t("html.new", month=then.label),
        ],
        (
            [
                esc(a.detail or t("html.no_group")),
                *(
                    esc(format_value(v, False, t))
                    for v in (a.current, a.previous, n.current, n.previous)
                ),
            ]
            for a, n in zip(
                report.by_group("active_champions"), report.by_group("new_champions"), strict=True
            )
        ),
        numeric_from=1,
    )
    conditions = _table(
        [t("html.condition"), *compare_header],
        ([esc(r.detail or ""), *_comparison_cells(r, t)] for r in report.by_condition(t)),
        numeric_from=1,
    )
    conditions_png = charts.month_conditions_chart(
        now.acts_by_condition, then.acts_by_condition, now.label, then.label, t
    )
    bridging_png = charts.bridging_heatmap(now.bridging, t)
    last_day = (now.window.until - timedelta(days=1)).date()
    generated = report.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    definitions = "".join(
        f"<li>{esc(t(key))}</li>"
        for key in (
            "html.define_active",
            "html.define_new",
            "html.define_met",
            "html.define_rate",
            "html.define_pairs",
            "html.define_privacy",
        )
    )
    sections = [
        f"<h1>{esc(t('html.title', month=now.label))}</h1>",
        f'<p class="lede">{esc(t("html.lede", start=now.window.since.date().isoformat(), end=last_day.isoformat(), timezone=report.timezone))}</p>',  # noqa: E501
        f"<h2>{esc(t('html.headline_heading'))}</h2>",
        headline,
        f"<h2>{esc(t('html.groups_heading'))}</h2>",
        groups,
        f"<h2>{esc(t('html.conditions_heading'))}</h2>",
        _image(conditions_png, t("html.conditions_alt", month=now.label)),
        conditions,
        f"<h2>{esc(t('html.bridging_heading'))}</h2>",
        f"<p>{esc(t('html.bridging_summary', met=now.group_pairs_connected, possible=now.possible_group_pairs, previous=then.group_pairs_connected))}</p>",  # noqa: E501
        _image(bridging_png, t("html.bridging_alt", month=now.label)),
        f"<h2>{esc(t('html.definitions_heading'))}</h2>",
        f'<ul class="note">{definitions}</ul>',
        f"<footer>{esc(t('html.footer', generated=generated))}</footer>",
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(t('html.title', month=now.label))}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
