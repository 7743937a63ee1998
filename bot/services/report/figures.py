"""The figures of a monthly report, each beside the month before.

Definitions are in :mod:`bot.services.report`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.repos.analytics import Window
from bot.services.bridging import BridgingMatrix
from bot.services.digest import ConditionCount, GroupCount
from bot.services.labels import condition_label
from bot.services.report.periods import month_label
from bot.text import Messages


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
    in_progress: bool = False  # the month had not ended when the report was made

    @property
    def label(self) -> str:
        return month_label(self.year, self.month)

    @property
    def first_day(self) -> date:
        return self.window.since.date()

    @property
    def last_day(self) -> date:
        """The last local day the figures cover: today for a month still going on."""
        return max(self.first_day, (self.window.until - timedelta(microseconds=1)).date())

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
            FigureRow("acts", condition_label(c, texts), c.count, then.get(c.number, 0))
            for c in self.current.acts_by_condition
        ]
        now_numbers = {c.number for c in self.current.acts_by_condition}
        for c in self.previous.acts_by_condition:
            if c.number not in now_numbers:
                rows.append(FigureRow("acts", condition_label(c, texts), 0, c.count))
        return rows

    def rows(self, texts: Messages) -> list[FigureRow]:
        return [
            *self.headline(),
            *self.by_group("active_champions"),
            *self.by_group("new_champions"),
            *self.by_condition(texts),
        ]


def period_label(figures: MonthFigures, texts: Messages) -> str:
    """``2026-11``, or ``2026-12 to date, up to 2026-12-02`` for a month still going on."""
    if figures.in_progress:
        return texts("period.to_date", month=figures.label, end=figures.last_day.isoformat())
    return texts("period.whole", month=figures.label)


def figure_label(row: FigureRow, texts: Messages) -> str:
    return texts(f"figure.{row.key}")
