"""The report's tidy tables: one row per observation, numbers as numbers.

A figure withheld to protect a small group is the text "fewer than 5" (or "not
shown, to protect a small group"); every other count is an ``int`` and every
percentage a ``float`` (one decimal place), so a spreadsheet can sum and sort them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.repos.outcomes import RETENTION_DAYS
from bot.services.funders.texts import FundersTexts
from bot.services.outcomes import OutcomeFigures, figure_text
from bot.services.pulse import PulseContent
from bot.services.stats import Figure, Share

Cell = int | float | str | None


@dataclass(frozen=True)
class Table:
    """``key`` names the CSV file; ``columns`` are its header."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


class TableMaker:
    def __init__(
        self, texts: FundersTexts, pulse: PulseContent, conditions: Mapping[int, str]
    ) -> None:
        self.t = texts
        self.pulse = pulse
        self.conditions = conditions

    def count(self, figure: Figure) -> Cell:
        return figure.value if figure.value is not None else figure_text(figure, self.pulse)

    def share_cells(self, share: Share) -> tuple[Cell, Cell, Cell]:
        return pct(share.share), pct(share.low), pct(share.high)

    def condition(self, number: int | None) -> str:
        if number is None:
            return self.t.text("no_condition")
        title = self.conditions.get(number)
        return f"{number}. {title}" if title else str(number)

    def all(self, figures: OutcomeFigures) -> list[Table]:
        return [
            self.headline(figures),
            self.groups_met(figures),
            self.bridging(figures),
            self.participation(figures),
            self.retention(figures),
            self.acts_by_condition(figures),
            self.acts_across(figures),
            self.pulse_answers(figures),
            self.pulse_by_group(figures),
            self.pulse_change(figures),
            self.published(),
        ]

    def headline(self, f: OutcomeFigures) -> Table:
        c, fig = self.t.column, self.t.figure
        ties = f.ties
        rows: list[tuple[Cell, ...]] = [
            (fig("taking_part"), self.count(ties.taking_part), None, None, None),
            (fig("joined"), self.count(f.participation.joined), None, None, None),
            (
                fig("with_ties"),
                self.count(ties.members_with_ties.count),
                *self.share_cells(ties.members_with_ties),
            ),
            (fig("ties"), self.count(ties.cross_group_ties), None, None, None),
            (fig("coffee"), self.count(ties.coffee_participants), None, None, None),
            (fig("median"), ties.median_groups_met, None, None, None),
        ]
        for result in f.pulse:
            if result.headline is None or result.question.headline_label is None:
                continue
            rows.append(
                (
                    fig("headline", label=result.question.headline_label),
                    self.count(result.headline.count),
                    *self.share_cells(result.headline),
                )
            )
        columns = (c("figure"), c("count"), c("share"), c("low"), c("high"))
        return Table("headline_figures", columns, tuple(rows))

    def groups_met(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        rows = tuple((k, self.count(v)) for k, v in sorted(f.ties.groups_met.items()))
        return Table("groups_met", (c("other_groups"), c("members")), rows)

    def bridging(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        rows = tuple(
            (month.month, cell.low, cell.high, self.count(cell.meetings))
            for month in f.bridging
            for cell in month.pairs
        )
        return Table("bridging", (c("month"), c("group"), c("other_group"), c("meetings")), rows)

    def participation(self, f: OutcomeFigures) -> Table:
        c, fig = self.t.column, self.t.figure
        p = f.participation
        rows = [(fig(name), self.count(value)) for name, value in p.statuses.items()]
        rows.append((fig("champions"), self.count(p.champions)))
        return Table("participation", (c("status"), c("members")), tuple(rows))

    def retention(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        columns = [c("joined_in"), c("joined")]
        for days in RETENTION_DAYS:
            columns += [
                c("retained", days=days),
                c("retained_low", days=days),
                c("retained_high", days=days),
            ]
        rows: list[tuple[Cell, ...]] = []
        for cohort in f.cohorts:
            row: list[Cell] = [cohort.month, self.count(cohort.joined)]
            for kept in cohort.retained:
                if kept is None:  # joined too recently to tell
                    row += [None, None, None]
                elif not kept.shown:  # withheld to protect a small group
                    row += [self.count(kept.count if not kept.count.shown else kept.n), None, None]
                else:
                    row += list(self.share_cells(kept))
            rows.append(tuple(row))
        return Table("retention", tuple(columns), tuple(rows))

    def acts_by_condition(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        rows = tuple(
            (self.condition(r.condition_number), r.acts, r.for_other_group)
            for r in sorted(
                f.acts.by_condition,
                key=lambda r: (r.condition_number is None, r.condition_number or 0),
            )
        )
        return Table("acts_by_condition", (c("condition"), c("acts"), c("for_other_group")), rows)

    def acts_across(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        table = f.acts.across
        rows = tuple(
            (str(a), str(b), self.count(table.cells[(a, b)]))
            for a in table.rows
            for b in table.columns
            if (a, b) in table.cells
        )
        return Table(
            "acts_across_groups", (c("author_group"), c("benefited_group"), c("acts")), rows
        )

    def pulse_answers(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        rows = tuple(
            (result.question.text, result.question.options[choice], self.count(figure))
            for result in f.pulse
            if result.respondents.value != 0
            for choice, figure in result.options.items()
        )
        return Table("pulse_answers", (c("question"), c("answer"), c("members")), rows)

    def pulse_by_group(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        rows: list[tuple[Cell, ...]] = []
        for result in f.pulse:
            table = result.by_group
            for group in table.rows:
                for choice in table.columns:
                    figure = table.cells.get((group, choice))
                    if figure is None:
                        continue
                    option = result.question.options[int(str(choice))]
                    rows.append((result.question.text, str(group), option, self.count(figure)))
        return Table(
            "pulse_by_group", (c("question"), c("group"), c("answer"), c("members")), tuple(rows)
        )

    def pulse_change(self, f: OutcomeFigures) -> Table:
        c = self.t.column
        rows: list[tuple[Cell, ...]] = []
        for question in f.changes:
            for change in (question.overall, *question.cohorts):
                before, after = change.before, change.after
                points = (
                    round((after.share - before.share) * 100, 1)
                    if after.share is not None and before.share is not None
                    else None
                )
                rows.append(
                    (
                        question.question.headline_label or question.question.text,
                        change.cohort or self.t.text("all_cohorts"),
                        self.count(change.members),
                        *self.share_cells(before),
                        *self.share_cells(after),
                        points,
                    )
                )
        columns = (
            *("question", "cohort", "members", "before", "before_low", "before_high"),
            *("after", "after_low", "after_high", "change"),
        )
        return Table("pulse_change", tuple(c(k) for k in columns), tuple(rows))

    def published(self) -> Table:
        c = self.t.column
        rows = tuple((p.label, p.value, p.source) for p in self.t.published)
        return Table("published_context", (c("figure"), c("value"), c("source")), rows)


def stories_table(texts: FundersTexts, stories: Sequence[tuple[str, str, str, str]]) -> Table:
    """``stories``: (kind, date, text, credit)."""
    c = texts.column
    return Table("stories", (c("kind"), c("date"), c("story"), c("credit")), tuple(stories))
