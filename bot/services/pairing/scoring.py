"""One scale for every goal, so the greedy, the repairs and any benchmark agree.

A pair's *value* is its soft score minus penalties that dwarf any soft difference:
blocked, then repeated within the no-repeat window, then same-group. Comparing values
therefore ranks matchings lexicographically by the hard goals, then by the soft score.

Soft score of a pair (at most ``W_TZ + W_INTEREST + W_NOVELTY`` = 4.5):

* timezones: full credit within 3 h (on the 24 h circle), fading to none at 9 h;
  half credit when either timezone is unknown;
* interests: ``1 - 0.5**shared``, so the first shared interest matters most;
* novelty: full credit if they never met, little if they met just outside the window;
* fairness: a same-group pair costs each member their recency-weighted count of past
  rounds without a cross-group partner, so forced pairs rotate.

A triad scores its three pairs, plus a bonus per extra group present, minus each
member's recency-weighted count of past triads. With larger meetings, a meeting scores
its pairs; one of the odd size (smaller than the rest) also costs each member their
recency-weighted count of past odd-sized meetings, so those rotate too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .problem import BLOCKED_AGE, Problem

W_TZ = 2.0
W_INTEREST = 1.5
W_NOVELTY = 1.0
W_FAIRNESS = 1.0
W_GROUP_FAIRNESS = 10.0
"""Fairness weight for meetings of three or more, where burdens count own-group partners."""
W_TRIAD_MIX = 1.0
W_TRIAD_FAIRNESS = 2.0

TZ_FULL_MINUTES = 180
TZ_ZERO_MINUTES = 540

SAME_GROUP_PENALTY = 1e3
REPEAT_PENALTY = 1e6
BLOCKED_PENALTY = 1e9
HARD_THRESHOLD = -SAME_GROUP_PENALTY / 2
"""A pair value below this carries a same-group, repeat or blocked penalty."""

PairValue = Callable[[int, int], float]


def timezone_fit(a: int | None, b: int | None) -> float:
    """Credit in [0, 1] for two UTC offsets in minutes (``None`` = unknown)."""
    if a is None or b is None:
        return 0.5
    gap = abs(a - b) % 1440
    gap = min(gap, 1440 - gap)
    if gap <= TZ_FULL_MINUTES:
        return 1.0
    return max(0.0, (TZ_ZERO_MINUTES - gap) / (TZ_ZERO_MINUTES - TZ_FULL_MINUTES))


def novelty(age: int | None, avoid_rounds: int) -> float:
    """Credit in [0, 1] for a pair that last met ``age`` rounds ago (``None`` = never)."""
    if age is None:
        return 1.0
    window = max(avoid_rounds, 1)
    return min(1.0, max(0.0, (age - avoid_rounds) / (3 * window)))


@dataclass(frozen=True, slots=True)
class Scorer:
    """Pair values for one problem: one pair at a time, or one member against many."""

    value: PairValue
    values_for: Callable[[int, Iterable[int]], list[float]]
    within: Callable[[Sequence[int]], list[float]]
    """Per member of a meeting, the summed value to its other members (each pair once)."""
    cross: Callable[[Sequence[int], Sequence[int]], list[list[float]]]
    """Values of every member of one meeting against every member of another."""


def pair_value_function(problem: Problem) -> PairValue:
    """The pair value (soft score minus hard penalties) for ``problem``."""
    return build_scorer(problem).value


def build_scorer(problem: Problem) -> Scorer:
    """Precompute lookup tables so a pair value costs a few list lookups.

    The tables depend only on ``problem``, so they are built once per problem.
    """
    found = problem.memo.get("scorer")
    if isinstance(found, Scorer):
        return found
    scorer = _build_scorer(problem)
    problem.memo["scorer"] = scorer
    return scorer


def _build_scorer(problem: Problem) -> Scorer:
    offsets = sorted({o for o in problem.offset_minutes if o is not None})
    classes: dict[int | None, int] = {o: i for i, o in enumerate(offsets)}
    classes[None] = len(offsets)
    keys: list[int | None] = [*offsets, None]
    tz_rows = [[W_TZ * timezone_fit(a, b) for b in keys] for a in keys]
    tz_class = [classes[o] for o in problem.offset_minutes]
    tz_of = [tz_rows[c] for c in tz_class]
    max_shared = max((m.bit_count() for m in problem.interests), default=0)
    interest_fit = [W_INTEREST * (1.0 - 0.5**s) for s in range(max_shared + 1)]
    window = problem.avoid_rounds
    longest = max((max(row.values()) for row in problem.met if row), default=0)
    by_age = [_age_term(age, window) for age in range(longest + 1)]
    interests, met, group = problem.interests, problem.met, problem.group
    fairness = W_FAIRNESS if problem.meeting_size == 2 else W_GROUP_FAIRNESS
    burden = [SAME_GROUP_PENALTY / 2 + fairness * b for b in problem.same_group_burden]

    def value(u: int, v: int) -> float:
        score = tz_of[u][tz_class[v]] + interest_fit[(interests[u] & interests[v]).bit_count()]
        age = met[u].get(v)
        score += W_NOVELTY if age is None else by_age[age]
        if group[u] == group[v]:
            score -= burden[u] + burden[v]
        return score

    def values_for(u: int, partners: Iterable[int]) -> list[float]:
        row, mask, met_u, g, own = tz_of[u], interests[u], met[u], group[u], burden[u]
        scores = []
        for v in partners:
            score = row[tz_class[v]] + interest_fit[(mask & interests[v]).bit_count()]
            age = met_u.get(v)
            score += W_NOVELTY if age is None else by_age[age]
            if group[v] == g:
                score -= own + burden[v]
            scores.append(score)
        return scores

    def within(members: Sequence[int]) -> list[float]:
        k = len(members)
        totals = [0.0] * k
        for i in range(k - 1):
            u = members[i]
            row, mask, met_u, g, own = tz_of[u], interests[u], met[u], group[u], burden[u]
            for j in range(i + 1, k):
                v = members[j]
                score = row[tz_class[v]] + interest_fit[(mask & interests[v]).bit_count()]
                age = met_u.get(v)
                score += W_NOVELTY if age is None else by_age[age]
                if group[v] == g:
                    score -= own + burden[v]
                totals[i] += score
                totals[j] += score
        return totals

    def cross(first: Sequence[int], second: Sequence[int]) -> list[list[float]]:
        rows = []
        for u in first:
            row, mask, met_u, g, own = tz_of[u], interests[u], met[u], group[u], burden[u]
            scores = []
            for v in second:
                score = row[tz_class[v]] + interest_fit[(mask & interests[v]).bit_count()]
                age = met_u.get(v)
                score += W_NOVELTY if age is None else by_age[age]
                if group[v] == g:
                    score -= own + burden[v]
                scores.append(score)
            rows.append(scores)
        return rows

    return Scorer(value, values_for, within, cross)


def _age_term(age: int, window: int) -> float:
    if age == BLOCKED_AGE:
        return -BLOCKED_PENALTY
    if age <= window:
        return -REPEAT_PENALTY
    return W_NOVELTY * novelty(age, window)


def hard_penalty(problem: Problem, u: int, v: int) -> float:
    """The part of a pair value that is not soft score."""
    penalty = 0.0
    if problem.is_blocked(u, v):
        penalty += BLOCKED_PENALTY
    elif problem.is_repeat(u, v):
        penalty += REPEAT_PENALTY
    if problem.group[u] == problem.group[v]:
        penalty += SAME_GROUP_PENALTY
    return penalty


def meeting_value(problem: Problem, value: PairValue, members: Sequence[int]) -> float:
    """Value of a meeting of any size on the pair-value scale."""
    if len(members) == 2:
        return value(members[0], members[1])
    total = 0.0
    for i, u in enumerate(members):
        for v in members[i + 1 :]:
            total += value(u, v)
    if problem.meeting_size == 2:
        groups = {problem.group[u] for u in members}
        total += W_TRIAD_MIX * (len(groups) - 1) / 2
    elif len(members) == problem.meeting_size:
        return total
    total -= W_TRIAD_FAIRNESS * sum(problem.triad_burden[u] for u in members)
    return total


def meeting_soft_score(problem: Problem, value: PairValue, members: Sequence[int]) -> float:
    """Soft score of one meeting: its value with the hard penalties added back."""
    score = meeting_value(problem, value, members)
    for i, u in enumerate(members):
        for v in members[i + 1 :]:
            score += hard_penalty(problem, u, v)
    return score
