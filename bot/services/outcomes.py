"""Outcome figures funders ask for, from the bot's own rows and from the pulse.

Periods are a calendar month, a quarter, a year (to date while it runs) or any two
dates, all in the server's timezone, from local midnight to local midnight. A
period that has not finished is counted up to now and labelled "to date" with its
real end date; a period that has not started is refused.

From the bot's own rows (no survey):

* *taking part*: members who logged an act, wrote a reflection or said "yes" to
  the "Did you meet?" check-in of a coffee round made in the period;
* *confirmed cross-group ties*: members who said "yes" for a meeting that had
  someone from another group, as a count and a share of those taking part; and
  the distinct pairs of people from different groups who met;
* *groups met*: for everyone in a coffee meeting in the period, how many other
  groups they met (0 when none), as a distribution and its median;
* *bridging over time*: for each month, the pairs of groups that met and in how
  many meetings;
* *participation*: who joined in the period, who is taking part, and where
  everyone stands now (active, paused from coffee, away from the server, left);
  and a cohort table by month joined: still taking part 30, 91 and 182 days after
  joining (out of those who joined that long ago);
* *acts of kindness* by condition, and by the author's group and the group that
  benefited, when the member said.

From the pulse: for each question, every respondent's latest answer in the period,
overall and by group; and, for members who answered both the baseline and a later
pulse, the headline share at baseline and at their latest pulse, by the month
they joined.

Every proportion has a 95% Wilson interval. Every count of people is protected
with :mod:`bot.services.stats`: under 5 it reads "fewer than 5", and figures that
would reveal one by subtraction are withheld too; counts published side by side
are protected together. Acts are counted as events, not people, except where
they are split by the author's group.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.problems import UserFacingError
from bot.repos.analytics import AnalyticsRepo, Window
from bot.repos.outcomes import (
    ActsByCondition,
    CohortRow,
    OutcomesRepo,
    SectorPairMonth,
    StatusCounts,
)
from bot.repos.pulse import PulseRepo
from bot.services import stats
from bot.services.pulse import PulseContent, Question, custom_question
from bot.services.stats import Figure, Line, ProtectedCrossTab, Share, Withheld
from bot.timeutil import to_db

#: At most this many joining months in the cohort table (the newest).
COHORT_MONTHS = 24
#: The pulse questions the one-paragraph summary mentions, to keep it one paragraph.
SUMMARY_QUESTIONS = ("lonely", "bridging")


class UnknownGuildError(LookupError):
    """The guild has never been set up in this database."""


# Periods


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True)
class Period:
    """Whole local days from ``first`` to ``last``, both included."""

    kind: PeriodKind
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise UserFacingError("pulse.period_order")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(PeriodKind.MONTH, first, _next_month(first) - timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError("a quarter is 1 to 4")
        first = date(year, 3 * quarter - 2, 1)
        last = date(year, 12, 31) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(PeriodKind.QUARTER, first, last if quarter == 4 else last - timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        return cls(PeriodKind.RANGE, first, last)


@dataclass(frozen=True)
class ResolvedPeriod:
    """A period placed in time: ``window`` ends now when the period is not over, and
    ``end`` is then today's date (the real last day counted)."""

    period: Period
    timezone: str
    window: Window
    to_date: bool
    end: date


def local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone))


def resolve_period(period: Period, now: datetime, timezone: str) -> ResolvedPeriod:
    """Place ``period`` in the server's time; UserFacingError for a future period."""
    start = local_midnight(period.first, timezone)
    stop = local_midnight(period.last + timedelta(days=1), timezone)
    if start > now:
        raise UserFacingError("pulse.period_future")
    if stop > now:
        today = now.astimezone(ZoneInfo(timezone)).date()
        return ResolvedPeriod(period, timezone, Window(start, now), True, today)
    return ResolvedPeriod(period, timezone, Window(start, stop), False, period.last)


def month_edges(first: date, window: Window, timezone: str) -> list[tuple[str, datetime, datetime]]:
    """Calendar months from ``first``'s month through the window's end, each clipped to
    end at the window's end: ``(YYYY-MM, since, until)``."""
    edges: list[tuple[str, datetime, datetime]] = []
    month = first.replace(day=1)
    while True:
        since = local_midnight(month, timezone)
        if since >= window.until:
            break
        until = min(local_midnight(_next_month(month), timezone), window.until)
        edges.append((f"{month.year:04d}-{month.month:02d}", since, until))
        month = _next_month(month)
    return edges


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def format_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def period_label(resolved: ResolvedPeriod, content: PulseContent) -> str:
    """ "November 2026 (1 November 2026 to 30 November 2026)", or "…, to date (…)"."""
    texts = content.figures
    period = resolved.period
    start, end = format_day(period.first), format_day(resolved.end)
    if period.kind is PeriodKind.MONTH:
        label = texts("figure.period_month", month=f"{period.first:%B %Y}")
    elif period.kind is PeriodKind.QUARTER:
        quarter = (period.first.month - 1) // 3 + 1
        label = texts("figure.period_quarter", quarter=f"{period.first.year}-Q{quarter}")
    elif period.kind is PeriodKind.YEAR:
        label = texts("figure.period_year", year=period.first.year)
    else:
        label = texts("figure.period_range", start=start, end=format_day(period.last))
    key = "figure.to_date" if resolved.to_date else "figure.complete"
    return texts(key, label=label, start=start, end=end)


# Figures


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


class OutcomesService:
    def __init__(
        self,
        outcomes: OutcomesRepo,
        pulse: PulseRepo,
        analytics: AnalyticsRepo,
        content: PulseContent,
        clock: Clock,
    ) -> None:
        self._outcomes = outcomes
        self._pulse = pulse
        self._analytics = analytics
        self.content = content
        self._clock = clock

    async def resolve(self, guild_id: int, period: Period) -> ResolvedPeriod:
        timezone = await self._analytics.guild_timezone(guild_id)
        if timezone is None:
            raise UnknownGuildError(guild_id)
        return resolve_period(period, self._clock.now(), timezone)

    async def build(self, guild_id: int, period: Period) -> OutcomeFigures:
        resolved = await self.resolve(guild_id, period)
        window, timezone = resolved.window, resolved.timezone
        names = await self._analytics.group_names(guild_id)
        now = self._clock.now()
        periods = month_edges(period.first, window, timezone)
        periods[0] = (periods[0][0], window.since, periods[0][2])

        first_joined = await self._outcomes.first_joined(guild_id)
        cohort_edges: list[tuple[str, datetime, datetime]] = []
        if first_joined is not None:
            first_day = datetime.fromisoformat(first_joined).astimezone(ZoneInfo(timezone))
            cohort_edges = month_edges(first_day.date(), window, timezone)[-COHORT_MONTHS:]

        ties = await self._ties(guild_id, window)
        statuses = await self._outcomes.statuses(guild_id, window, now)
        cohort_rows = await self._outcomes.cohorts(guild_id, cohort_edges, window.until)
        participation, cohorts = participation_figures(
            statuses, cohort_rows, {label for label, _, _ in periods}, resolved
        )
        bridging = await self._outcomes.bridging_by_month(guild_id, periods)
        questions = (
            *self.content.questions,
            *(custom_question(r) for r in await self._pulse.custom_questions(guild_id)),
        )
        counts = await self._pulse.answer_counts(guild_id, window.since, window.until)
        pulse = [
            question_result(
                q, [(c.group_id, c.choice, c.members) for c in counts.get(q.key, [])], names
            )
            for q in questions
        ]
        paired = await self._pulse.paired_answers(
            guild_id, [(label, to_db(s), to_db(u)) for label, s, u in cohort_edges]
        )
        changes = [question_change(q, paired.get(q.key, [])) for q in questions if q.headline]
        return OutcomeFigures(
            guild_id=guild_id,
            period=resolved,
            ties=ties,
            bridging=_bridging(bridging, names),
            participation=participation,
            cohorts=cohorts,
            acts=_acts(
                await self._outcomes.acts_by_condition(guild_id, window),
                await self._outcomes.acts_across_groups(guild_id, window),
                names,
            ),
            pulse=tuple(pulse),
            changes=tuple(changes),
        )

    async def _ties(self, guild_id: int, window: Window) -> TieFigures:
        counts = await self._outcomes.ties(guild_id, window)
        return tie_figures(counts.taking_part, counts.groups_met, counts.cross_group_ties)


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


def _bridging(
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


def _acts(
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


# The summary paragraph


def percent(value: float) -> str:
    return str(int(value * 100 + 0.5))


def figure_text(figure: Figure, content: PulseContent) -> str:
    if figure.value is not None:
        return f"{figure.value:,}"
    if figure.withheld is Withheld.SMALL:
        return content.figures("figure.fewer_than", threshold=stats.THRESHOLD)
    return content.figures("figure.not_shown")


def share_text(share: Share, content: PulseContent) -> str | None:
    if share.share is None or share.low is None or share.high is None:
        return None
    return content.figures(
        "figure.share",
        percent=percent(share.share),
        low=percent(share.low),
        high=percent(share.high),
    )


def summary_paragraph(figures: OutcomeFigures, content: PulseContent) -> str:
    """The report's one-paragraph summary: the same figures always give the same text."""
    say = content.summary
    sentences = [
        say(
            "summary.opening",
            period=period_label(figures.period, content),
            active=figure_text(figures.ties.taking_part, content),
            joined=figure_text(figures.participation.joined, content),
        )
    ]
    ties = figures.ties
    tie_share = share_text(ties.members_with_ties, content)
    if tie_share is not None:
        sentences.append(
            say(
                "summary.ties",
                members=figure_text(ties.members_with_ties.count, content),
                share=tie_share,
            )
        )
    elif figures.group_pairs_met or ties.coffee_participants.shown:
        sentences.append(say("summary.ties_withheld"))
    if ties.median_groups_met is not None:
        median = ties.median_groups_met
        sentences.append(say("summary.sectors", median=f"{median:g}"))
    if figures.group_pairs_met:
        sentences.append(say("summary.pairs", pairs=figures.group_pairs_met))
    acts = figures.acts
    if acts.total:
        if acts.with_beneficiary:
            sentences.append(
                say("summary.acts", acts=f"{acts.total:,}", cross=f"{acts.for_other_group:,}")
            )
        else:
            sentences.append(say("summary.acts_no_beneficiary", acts=f"{acts.total:,}"))
    for result in figures.pulse:
        if result.question.key not in SUMMARY_QUESTIONS:
            continue
        if result.headline is None or result.question.headline_label is None:
            continue
        text = share_text(result.headline, content)
        if text is not None:
            sentences.append(
                say(
                    "summary.pulse",
                    share=text,
                    n=figure_text(result.respondents, content),
                    label=result.question.headline_label,
                )
            )
    for change in figures.changes:
        if change.question.key not in SUMMARY_QUESTIONS:
            continue
        before = change.overall.before.share
        after = change.overall.after.share
        if before is None or after is None or change.question.headline_label is None:
            continue
        sentences.append(
            say(
                "summary.pulse_change",
                label=change.question.headline_label,
                before=f"{percent(before)}%",
                after=f"{percent(after)}%",
            )
        )
    sentences.append(say("summary.closing", threshold=stats.THRESHOLD))
    return " ".join(sentences)
