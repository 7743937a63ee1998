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

from bot.services.outcomes.figures import (
    ActsFigures,
    BridgingMonth,
    Change,
    Cohort,
    ConditionActs,
    OutcomeFigures,
    PairCell,
    Participation,
    QuestionChange,
    QuestionResult,
    TieFigures,
    acts_figures,
    bridging_figures,
    participation_figures,
    question_change,
    question_result,
    tie_figures,
)
from bot.services.outcomes.periods import (
    Period,
    PeriodKind,
    ResolvedPeriod,
    format_day,
    local_midnight,
    month_edges,
    parse_day,
    parse_period,
    period_label,
    resolve_period,
)
from bot.services.outcomes.service import COHORT_MONTHS, OutcomesService, UnknownGuildError
from bot.services.outcomes.summary import (
    SUMMARY_QUESTIONS,
    figure_text,
    percent,
    share_text,
    summary_paragraph,
)

__all__ = [
    "COHORT_MONTHS",
    "SUMMARY_QUESTIONS",
    "ActsFigures",
    "BridgingMonth",
    "Change",
    "Cohort",
    "ConditionActs",
    "OutcomeFigures",
    "OutcomesService",
    "PairCell",
    "Participation",
    "Period",
    "PeriodKind",
    "QuestionChange",
    "QuestionResult",
    "ResolvedPeriod",
    "TieFigures",
    "UnknownGuildError",
    "acts_figures",
    "bridging_figures",
    "figure_text",
    "format_day",
    "local_midnight",
    "month_edges",
    "parse_day",
    "parse_period",
    "participation_figures",
    "percent",
    "period_label",
    "question_change",
    "question_result",
    "resolve_period",
    "share_text",
    "summary_paragraph",
    "tie_figures",
]
