"""Make one round: pick the triad, greedy to the bound, polish, repair."""

from __future__ import annotations

import gc
import logging
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from .bounds import min_same_group_pairs
from .candidates import candidate_lists
from .exact import EXACT_LIMIT, best_meetings
from .greedy import greedy_pairs
from .model import Meeting, PairingInput, PairingInputError, PairingResult, PairingStats
from .polish import Matching, polish, repair, rotate
from .problem import Problem, build_problem
from .scoring import PairValue, build_scorer, meeting_soft_score, pair_value_function
from .search import SEARCH_LIMIT, search_round
from .triad import choose_triad

logger = logging.getLogger(__name__)

EFFORT_BY_SIZE = ((2_000, 3, 20), (8_000, 3, 0))
"""``(up to N, candidate width, rotation evaluations per member)``: small rounds get
the broadest search, which costs them milliseconds; larger ones keep time linear."""
LARGE_ROUND_EFFORT = (2, 0)
POLISH_EVALUATIONS_PER_MEMBER = 80
MAX_SEARCH_ATTEMPTS = 3
REPAIR_EVALUATIONS = 2_000_000
"""Most swap evaluations a repair may spend (each target member tries everyone)."""


def make_round(inp: PairingInput) -> PairingResult:
    """Pair everyone in ``inp``; deterministic for a given input and seed.

    Raises :class:`PairingInputError` for duplicate ids, fewer than two members,
    a negative ``avoid_repeat_rounds`` or an unknown timezone.
    """
    with _cyclic_gc_paused():
        return _make_round(inp)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector, which only slows a burst of millions of acyclic objects.

    Reference counting still frees everything; the previous setting is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _make_round(inp: PairingInput) -> PairingResult:
    problem = build_problem(inp)
    scorer = build_scorer(problem)
    value = scorer.value
    rng = random.Random(inp.seed)
    width, rotation_effort = search_effort(problem.size)
    candidates = candidate_lists(problem, scorer, width)
    members = list(range(problem.size))
    triad = choose_triad(problem, value) if problem.size % 2 else []
    members = [u for u in members if u not in triad]
    meetings = greedy_pairs(problem, members, candidates, value, rng)
    if triad:
        meetings.append(triad)
    matching = Matching(problem, value, meetings)
    order = sorted(range(problem.size), key=problem.tiebreak.__getitem__)
    budget = POLISH_EVALUATIONS_PER_MEMBER * problem.size
    polish(matching, candidates, order, budget)
    if rotation_effort and rotate(matching, candidates, order, rotation_effort * problem.size):
        polish(matching, candidates, order, budget)
    bound = min_same_group_pairs(problem.group_sizes())
    stats = _stats(problem, value, matching.meetings, bound)
    if _falls_short(stats):
        repair(matching, stats.same_group_pairs - bound, REPAIR_EVALUATIONS)
        stats = _stats(problem, value, matching.meetings, bound)
    if _falls_short(stats) and problem.size <= EXACT_LIMIT:
        matching = Matching(problem, value, best_meetings(problem, value, range(problem.size)))
        stats = _stats(problem, value, matching.meetings, bound)
    elif _falls_short(stats) and problem.size <= SEARCH_LIMIT:
        found = _search(problem, value, stats)
        if found is not None:
            matching = Matching(problem, value, found)
            polish(matching, candidates, order, budget)
            stats = _stats(problem, value, matching.meetings, bound)
    if _falls_short(stats):
        logger.warning(
            "round keeps %d blocked pairs, %d repeats, %d same-group pairs (bound %d)",
            stats.blocked_pairs,
            stats.repeats,
            stats.same_group_pairs,
            bound,
        )
    return PairingResult(meetings=_named(problem, matching.meetings), stats=stats)


def search_effort(size: int) -> tuple[int, int]:
    """Candidate width and rotation evaluations per member for a round of ``size``."""
    for limit, width, rotations in EFFORT_BY_SIZE:
        if size <= limit:
            return width, rotations
    return LARGE_ROUND_EFFORT


def evaluate_meetings(inp: PairingInput, meetings: Sequence[Sequence[str]]) -> PairingStats:
    """Score any set of meetings for ``inp`` on the engine's scale.

    Meetings must place every participant exactly once, in pairs plus at most one
    triad; this lets a benchmark compare other methods like for like.
    """
    problem = build_problem(inp)
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    placed: list[list[int]] = []
    seen: set[int] = set()
    for meeting in meetings:
        if len(meeting) not in (2, 3):
            raise PairingInputError(f"meeting {list(meeting)!r} is not a pair or a triad")
        members = []
        for member_id in meeting:
            if member_id not in index:
                raise PairingInputError(f"meeting names unknown member {member_id!r}")
            if index[member_id] in seen:
                raise PairingInputError(f"member {member_id!r} is placed twice")
            seen.add(index[member_id])
            members.append(index[member_id])
        placed.append(members)
    if len(seen) != problem.size:
        raise PairingInputError(f"{problem.size - len(seen)} members are left out")
    value = pair_value_function(problem)
    return _stats(problem, value, placed, min_same_group_pairs(problem.group_sizes()))


def soft_score(inp: PairingInput, meetings: Sequence[Sequence[str]]) -> float:
    """The soft score of any complete set of meetings for ``inp``."""
    return evaluate_meetings(inp, meetings).soft_score


def _search(problem: Problem, value: PairValue, stats: PairingStats) -> list[list[int]] | None:
    """A round strictly better on the hard goals than ``stats``, if the search finds one."""
    everyone = range(problem.size)
    if stats.repeats or stats.blocked_pairs:
        attempts = [(stats.min_same_group_pairs, False), (problem.size, False)]
        if stats.blocked_pairs:
            attempts.append((problem.size, True))
    else:
        low, high = stats.min_same_group_pairs, stats.same_group_pairs
        attempts = [(s, False) for s in range(low, min(high, low + MAX_SEARCH_ATTEMPTS))]
    for max_same, allow_repeats in attempts:
        found = search_round(problem, value, everyone, max_same, allow_repeats)
        if found is not None:
            return found
    return None


def _falls_short(stats: PairingStats) -> bool:
    return (
        stats.blocked_pairs > 0
        or stats.repeats > 0
        or stats.same_group_pairs > stats.min_same_group_pairs
    )


def _stats(
    problem: Problem, value: PairValue, meetings: Sequence[Sequence[int]], bound: int
) -> PairingStats:
    same = repeats = blocked = 0
    soft = 0.0
    group = problem.group
    for members in meetings:
        for i, u in enumerate(members):
            for v in members[i + 1 :]:
                same += group[u] == group[v]
                repeats += problem.is_repeat(u, v)
                blocked += problem.is_blocked(u, v)
        soft += meeting_soft_score(problem, value, members)
    return PairingStats(
        same_group_pairs=same,
        min_same_group_pairs=bound,
        repeats=repeats,
        blocked_pairs=blocked,
        soft_score=round(soft, 6),
        triads=sum(len(m) == 3 for m in meetings),
    )


def _named(problem: Problem, meetings: Sequence[Sequence[int]]) -> tuple[Meeting, ...]:
    named = [tuple(sorted(problem.ids[u] for u in members)) for members in meetings]
    return tuple(sorted(named))
