"""The figures' shapes, and the pure builders that protect what they publish together."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.repos.outcomes import ActsByCondition, CohortRow, SectorPairMonth, StatusCounts
from bot.services import stats
from bot.services.outcomes.periods import ResolvedPeriod
from bot.services.pulse import Question
from bot.services.stats import Figure, Line, ProtectedCrossTab, Share, Withheld


@dataclass(frozen=True)
class TieFigures:
    taking_part: Figure
    members_with_ties: Share  # of those taking part
    cross_group_ties: Figure  # distinct pairs of people from different groups who met
    coffee_participants: Figure
    groups_met: dict[int, Figure]  # other groups met → members
    median_groups_met: float | None


@dataclass(frozen=True)
class PairCell:
    low: str
    high: str
    meetings: Figure


@dataclass(frozen=True)
class BridgingMonth:
    month: str
    pairs: tuple[PairCell, ...]


@dataclass(frozen=True)
class Participation:
    joined: Figure
    statuses: dict[str, Figure]  # active, paused, away, left: as things stand now
    champions: Figure


@dataclass(frozen=True)
class Cohort:
    month: str
    joined: Figure
    retained: tuple[Share | None, ...]  # one per RETENTION_DAYS; None: too recent


@dataclass(frozen=True)
class ConditionActs:
    condition_number: int | None
    acts: int
    for_other_group: int


@dataclass(frozen=True)
class ActsFigures:
    total: int
    with_beneficiary: int
    for_other_group: int
    share_for_other_group: Share  # of the acts that say who benefited
    by_condition: tuple[ConditionActs, ...]
    across: ProtectedCrossTab[Hashable]  # author's group × group that benefited


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    respondents: Figure
    options: dict[int, Figure]
    headline: Share | None  # None for a server's own questions
    by_group: ProtectedCrossTab[Hashable]


@dataclass(frozen=True)
class Change:
    cohort: str | None  # None: every cohort together
    members: Figure
    before: Share
    after: Share


@dataclass(frozen=True)
class QuestionChange:
    question: Question
    overall: Change
    cohorts: tuple[Change, ...]


@dataclass(frozen=True)
class OutcomeFigures:
    guild_id: int
    period: ResolvedPeriod
    ties: TieFigures
    bridging: tuple[BridgingMonth, ...]
    participation: Participation
    cohorts: tuple[Cohort, ...]
    acts: ActsFigures
    pulse: tuple[QuestionResult, ...]
    changes: tuple[QuestionChange, ...]

    @property
    def group_pairs_met(self) -> int:
        return len({(c.low, c.high) for month in self.bridging for c in month.pairs})


# Pure builders (each protects the figures it publishes together)


def tie_figures(active: int, distribution: Mapping[int, int], ties: int) -> TieFigures:
    """Protect taking part, members with ties and the groups-met distribution as one."""
    top = max([1, *distribution])
    ks = list(range(top + 1))
    with_ties = sum(n for k, n in distribution.items() if k >= 1)
    participants = sum(distribution.values())
    values: dict[Hashable, int] = {("k", k): distribution.get(k, 0) for k in ks}
    values["participants"] = participants
    values["with_ties"] = with_ties
    values["taking_part"] = active
    values["without_ties"] = active - with_ties
    values["ties"] = ties
    lines: list[Line[Hashable]] = [
        Line("participants", tuple(("k", k) for k in ks)),
        Line("with_ties", tuple(("k", k) for k in ks if k >= 1)),
        Line("taking_part", ("with_ties", "without_ties")),
    ]
    shown = stats.protect(values, lines)
    # A median of at least THRESHOLD people points at nobody, whatever the cells show.
    median = stats.median(distribution) if participants >= stats.THRESHOLD else None
    return TieFigures(
        taking_part=shown["taking_part"],
        members_with_ties=stats.share_from(shown["with_ties"], shown["taking_part"]),
        cross_group_ties=shown["ties"],
        coffee_participants=shown["participants"],
        groups_met={k: shown[("k", k)] for k in ks},
        median_groups_met=median,
    )


def participation_figures(
    statuses: StatusCounts,
    rows: Sequence[CohortRow],
    period_months: set[str],
    resolved: ResolvedPeriod,
) -> tuple[Participation, tuple[Cohort, ...]]:
    """Statuses, joiners and the cohort table, protected together: when the period is
    made of whole months, its joiners are the sum of those months' cohorts."""
    names = ("active", "paused", "away", "left")
    values: dict[Hashable, int] = {name: getattr(statuses, name) for name in names}
    values["champions"] = sum(values[n] for n in names)
    values["joined"] = statuses.joined
    lines: list[Line[Hashable]] = [Line("champions", names)]
    whole_months = (
        resolved.period.first.day == 1
        and not resolved.to_date
        and (resolved.period.last + timedelta(days=1)).day == 1
    )
    inside: list[Hashable] = []
    for row in rows:
        joined_key = ("joined", row.label)
        values[joined_key] = row.joined
        if row.label in period_months:
            inside.append(joined_key)
        for h, (eligible, kept) in enumerate(zip(row.eligible, row.kept, strict=True)):
            if eligible == 0:
                continue
            total_key: Hashable = (
                joined_key if eligible == row.joined else ("eligible", row.label, h)
            )
            values[total_key] = eligible
            values[("kept", row.label, h)] = kept
            values[("lost", row.label, h)] = eligible - kept
            lines.append(Line(total_key, (("kept", row.label, h), ("lost", row.label, h))))
    if whole_months and inside and sum(values[k] for k in inside) == statuses.joined:
        lines.append(Line("joined", tuple(inside)))
    shown = stats.protect(values, lines)
    cohort_figures = []
    for row in rows:
        joined_key = ("joined", row.label)
        retained: list[Share | None] = []
        for h, eligible in enumerate(row.eligible):
            if eligible == 0:
                retained.append(None)
                continue
            total_key = joined_key if eligible == row.joined else ("eligible", row.label, h)
            retained.append(stats.share_from(shown[("kept", row.label, h)], shown[total_key]))
        cohort_figures.append(Cohort(row.label, shown[joined_key], tuple(retained)))
    participation = Participation(
        joined=shown["joined"],
        statuses={n: shown[n] for n in names},
        champions=shown["champions"],
    )
    return participation, tuple(cohort_figures)


def bridging_figures(
    rows: Sequence[SectorPairMonth], names: Mapping[int, str]
) -> tuple[BridgingMonth, ...]:
    months: dict[str, list[PairCell]] = {}
    for row in rows:
        count = (
            Figure(row.meetings)
            if row.meetings >= stats.THRESHOLD
            else Figure(None, Withheld.SMALL)
        )
        months.setdefault(row.month, []).append(
            PairCell(_name(names, row.low_id), _name(names, row.high_id), count)
        )
    return tuple(BridgingMonth(month, tuple(cells)) for month, cells in months.items())


def acts_figures(
    by_condition: Sequence[ActsByCondition],
    across: Mapping[tuple[int | None, int], int],
    names: Mapping[int, str],
) -> ActsFigures:
    total = sum(r.acts for r in by_condition)
    with_beneficiary = sum(r.with_beneficiary for r in by_condition)
    other = sum(r.for_other_group for r in by_condition)
    authors = sorted({a for a, _ in across}, key=lambda g: (g is None, g or 0))
    helped = sorted({b for _, b in across})
    table = stats.protect_crosstab(
        {(_name(names, a), _name(names, b)): n for (a, b), n in across.items()},
        [_name(names, a) for a in authors],
        [_name(names, b) for b in helped],
    )
    share = (
        Share(Figure(other), Figure(with_beneficiary), *_interval(other, with_beneficiary))
        if with_beneficiary
        else Share(Figure(0), Figure(0))
    )
    return ActsFigures(
        total=total,
        with_beneficiary=with_beneficiary,
        for_other_group=other,
        share_for_other_group=share,
        by_condition=tuple(
            ConditionActs(r.condition_number, r.acts, r.for_other_group) for r in by_condition
        ),
        across=table,
    )


def _interval(count: int, n: int) -> tuple[float, float, float]:
    low, high = stats.wilson_interval(count, n)
    return count / n, low, high


def question_result(
    question: Question,
    counts: Sequence[tuple[int | None, int, int]],
    names: Mapping[int, str],
) -> QuestionResult:
    """One question's answers: overall, headline and by group, protected as one table."""
    groups = sorted({g for g, _, _ in counts}, key=lambda g: (g is None, g or 0))
    rows = [_name(names, g) for g in groups]
    columns = list(range(len(question.options)))
    cells: dict[tuple[Hashable, Hashable], int] = {}
    for group, choice, members in counts:
        key = (_name(names, group), choice)
        cells[key] = cells.get(key, 0) + members
    column_groups: dict[Hashable, Sequence[Hashable]] = (
        {"headline": sorted(question.headline)} if question.headline else {}
    )
    table = stats.protect_crosstab(cells, rows, columns, column_groups=column_groups)
    headline = (
        stats.share_from(table.column_groups["headline"], table.total)
        if question.headline
        else None
    )
    return QuestionResult(
        question=question,
        respondents=table.total,
        options={c: table.column_totals[c] for c in columns},
        headline=headline,
        by_group=table,
    )


def question_change(
    question: Question, rows: Sequence[tuple[str, int, int, int]]
) -> QuestionChange:
    """Headline share at baseline and at the latest later pulse, per joining month and
    overall, for the same members; every figure protected together."""
    cohorts = sorted({label for label, _, _, _ in rows})
    values: dict[Hashable, int] = {}
    for cohort in [*cohorts, None]:
        for key in ("n", "b_in", "b_out", "a_in", "a_out"):
            values[(key, cohort)] = 0
    for label, before, after, members in rows:
        for cohort in (label, None):
            values[("n", cohort)] += members
            values[("b_in" if before in question.headline else "b_out", cohort)] += members
            values[("a_in" if after in question.headline else "a_out", cohort)] += members
    lines: list[Line[Hashable]] = []
    for cohort in [*cohorts, None]:
        lines.append(Line(("n", cohort), (("b_in", cohort), ("b_out", cohort))))
        lines.append(Line(("n", cohort), (("a_in", cohort), ("a_out", cohort))))
    for key in ("n", "b_in", "b_out", "a_in", "a_out"):
        lines.append(Line((key, None), tuple((key, c) for c in cohorts)))
    shown = stats.protect(values, lines)

    def change(cohort: str | None) -> Change:
        n = shown[("n", cohort)]
        return Change(
            cohort,
            n,
            stats.share_from(shown[("b_in", cohort)], n),
            stats.share_from(shown[("a_in", cohort)], n),
        )

    return QuestionChange(question, change(None), tuple(change(c) for c in cohorts))


def _name(names: Mapping[int, str], group_id: int | None) -> str:
    if group_id is None:
        return "—"
    return names.get(group_id, "—")
