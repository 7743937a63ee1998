"""Make one round: split by region, seat out whom blocks force out, then meet.

Priorities, in order: no blocked pair ever; the fewest sit-outs (those who sat out
least go first); no repeat within the window (a repeat is allowed only where avoiding
it would seat someone out); the same-group bound; then the soft score.

Pairs: pick the triad, start from an optimal assignment (up to 1,200 members) or the
largest-group-first greedy, polish, repair. Larger meetings: deal each group evenly
by timezone, then swap (see :mod:`.general`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Collection, Sequence

from bot.gc_pause import cyclic_gc_paused

from .assignment import assignment_pairs, usable
from .bounds import meeting_sizes, min_same_group_pairs, same_group_bound
from .candidates import candidate_lists
from .exact import EXACT_LIMIT, SIT_OUT_LIMIT, best_meetings, best_with_sit_outs
from .general import group_round
from .greedy import greedy_pairs
from .model import (
    Meeting,
    PairingInput,
    PairingInputError,
    PairingResult,
    PairingStats,
    SitOut,
    SitOutReason,
)
from .polish import Matching, polish, repair, rotate
from .problem import BLOCKED_AGE, Problem, build_problem
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
GROUP_CANDIDATE_LIMIT = 2_000
"""Largest round of meetings of three or more that also swaps toward candidates."""
GROUP_EFFORT = 400
"""Pair evaluations per member for those candidate swaps."""
GROUP_REACH_SMALL = 4
GROUP_REACH_LARGE = 2
"""Neighbouring meetings (in timezone order) each meeting trades members with."""
REPAIR_EVALUATIONS = 2_000_000
"""Most swap evaluations a repair may spend (each target member tries everyone)."""


def make_round(inp: PairingInput) -> PairingResult:
    """Pair everyone in ``inp``; deterministic for a given input and seed.

    Raises :class:`PairingInputError` for duplicate ids, fewer than two members,
    a negative ``avoid_repeat_rounds``, an unknown timezone, a ``group_size`` outside
    2..8, an unknown ``format`` or a negative sit-out count.
    """
    with cyclic_gc_paused():
        return _make_round(inp)


def _make_round(inp: PairingInput) -> PairingResult:
    full = build_problem(inp)
    partitions, sat_out = _partitions(full)
    meetings: list[list[int]] = []
    for part in partitions:
        sub = full if len(part) == full.size else full.restrict(part)
        placed, out = _solve(sub, inp.seed, full.size)
        meetings.extend([part[u] for u in members] for members in placed)
        sat_out.extend((part[u], reason) for u, reason in out)
    value = pair_value_function(full)
    stats = _stats(full, value, meetings, _bound(full, meetings), len(sat_out))
    if stats.blocked_pairs or stats.repeats or stats.same_group_pairs > stats.min_same_group_pairs:
        logger.warning(
            "round keeps %d repeats, %d same-group pairs (bound %d)",
            stats.repeats,
            stats.same_group_pairs,
            stats.min_same_group_pairs,
        )
    named = _named(full, meetings)
    index = {member_id: i for i, member_id in enumerate(full.ids)}
    spreads = tuple(_spread_hours(full, [index[m] for m in meeting]) for meeting in named)
    sitting = tuple(SitOut(full.ids[u], reason) for u, reason in sorted(sat_out))
    return PairingResult(meetings=named, stats=stats, sat_out=sitting, spread_hours=spreads)


def _partitions(problem: Problem) -> tuple[list[list[int]], list[tuple[int, SitOutReason]]]:
    """Members to pair together: everyone online, one list per region in person."""
    everyone = list(range(problem.size))
    if not problem.in_person or problem.region is None:
        return [everyone], []
    by_region: dict[str, list[int]] = {}
    out: list[tuple[int, SitOutReason]] = []
    for u in everyone:
        region = problem.region[u]
        if region is None:
            out.append((u, "no-region"))
        else:
            by_region.setdefault(region, []).append(u)
    parts = []
    for region in sorted(by_region):
        members = by_region[region]
        if len(members) < 2:
            out.extend((u, "region-too-small") for u in members)
        else:
            parts.append(members)
    return parts, out


def _solve(
    problem: Problem, seed: int, whole: int
) -> tuple[list[list[int]], list[tuple[int, SitOutReason]]]:
    """Meetings without any blocked pair for one partition, and who sits out.

    Members blocked from everyone else sit out first. Small rounds with blocks are
    searched exhaustively for the fewest sit-outs. Larger ones are paired; should a
    meeting still hold a blocked pair, the member in most of its blocked pairs (the
    one who sat out least, on a tie) sits out and the rest are paired again.
    """
    out: list[tuple[int, SitOutReason]] = []
    gone = [False] * problem.size
    for u in range(problem.size):
        if len(problem.met[u]) >= problem.size - 1 and problem.blocks_of(u) == problem.size - 1:
            gone[u] = True
            out.append((u, "blocked"))
    while True:
        active = [u for u in range(problem.size) if not gone[u]]
        if len(active) < 2:
            out.extend((u, _reason(problem, u)) for u in active)
            return [], out
        sub = problem if len(active) == problem.size else problem.restrict(active)
        if sub.size <= SIT_OUT_LIMIT and any(sub.blocks_of(u) for u in range(sub.size)):
            value = pair_value_function(sub)
            placed, rest = best_with_sit_outs(sub, value, _sizes_for(sub))
            out.extend((active[u], _reason(sub, u)) for u in rest)
            return [[active[u] for u in m] for m in placed], out
        placed = _core(sub, seed, whole)
        bad = [m for m in placed if _blocked_pairs(sub, m)]
        if not bad:
            return [[active[u] for u in m] for m in placed], out
        for members in bad:
            victim = _victim(sub, members)
            gone[active[victim]] = True
            out.append((active[victim], "blocked"))


def _reason(problem: Problem, u: int) -> SitOutReason:
    return "blocked" if problem.blocks_of(u) else "no-valid-partner"


def _sizes_for(problem: Problem) -> Callable[[int], list[int]]:
    return lambda placed: meeting_sizes(placed, problem.meeting_size)


def _blocked_pairs(problem: Problem, members: Sequence[int]) -> list[tuple[int, int]]:
    return [
        (u, v) for i, u in enumerate(members) for v in members[i + 1 :] if problem.is_blocked(u, v)
    ]


def _victim(problem: Problem, members: Sequence[int]) -> int:
    """Who sits out to clear a meeting's blocked pairs: most blocks here, fewest sit-outs."""
    involved: dict[int, int] = {}
    for u, v in _blocked_pairs(problem, members):
        involved[u] = involved.get(u, 0) + 1
        involved[v] = involved.get(v, 0) + 1
    return min(involved, key=lambda u: (-involved[u], problem.sat_out(u), problem.tiebreak[u]))


def _core(problem: Problem, seed: int, whole: int) -> list[list[int]]:
    """Meetings for everyone in ``problem`` (one region of a round of ``whole`` members,
    in person); blocks are heavily penalised, not excluded."""
    if problem.meeting_size == 2:
        return _pair_round(problem, seed)
    scorer = build_scorer(problem)
    rng = random.Random(seed)
    if problem.size <= GROUP_CANDIDATE_LIMIT:
        width, _ = search_effort(problem.size)
        candidates = candidate_lists(problem, scorer, width)
        meetings = group_round(
            problem, scorer, candidates, rng, GROUP_EFFORT, GROUP_REACH_SMALL, whole=whole
        )
    else:
        meetings = group_round(problem, scorer, None, rng, 0, GROUP_REACH_LARGE, whole=whole)
    if problem.size <= SIT_OUT_LIMIT:
        value = scorer.value
        stats = _stats(problem, value, meetings, _bound(problem, meetings), with_soft=False)
        if _falls_short(stats):
            meetings, _ = best_with_sit_outs(problem, value, _sizes_for(problem))
    return meetings


def _pair_round(problem: Problem, seed: int) -> list[list[int]]:
    scorer = build_scorer(problem)
    value = scorer.value
    rng = random.Random(seed)
    width, rotation_effort = search_effort(problem.size)
    candidates = candidate_lists(problem, scorer, width)
    members = list(range(problem.size))
    triad = choose_triad(problem, value) if problem.size % 2 else []
    members = [u for u in members if u not in triad]
    if usable(problem, members):
        meetings = assignment_pairs(problem, value, members)
    else:
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
    stats = _stats(problem, value, matching.meetings, bound, with_soft=False)
    if _falls_short(stats):
        repair(matching, stats.same_group_pairs - bound, REPAIR_EVALUATIONS)
        stats = _stats(problem, value, matching.meetings, bound, with_soft=False)
    if _falls_short(stats) and problem.size <= EXACT_LIMIT:
        matching = Matching(problem, value, best_meetings(problem, value, range(problem.size)))
    elif _falls_short(stats) and problem.size <= SEARCH_LIMIT:
        found = _search(problem, value, stats)
        if found is not None:
            matching = Matching(problem, value, found)
            polish(matching, candidates, order, budget)
    return matching.meetings


def search_effort(size: int) -> tuple[int, int]:
    """Candidate width and rotation evaluations per member for a round of ``size``."""
    for limit, width, rotations in EFFORT_BY_SIZE:
        if size <= limit:
            return width, rotations
    return LARGE_ROUND_EFFORT


def evaluate_meetings(
    inp: PairingInput, meetings: Sequence[Sequence[str]], sat_out: Collection[str] = ()
) -> PairingStats:
    """Score any set of meetings for ``inp`` on the engine's scale.

    Meetings (of two or more) plus ``sat_out`` must account for every participant
    exactly once; this lets a benchmark compare other methods like for like.
    """
    problem = build_problem(inp)
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    placed: list[list[int]] = []
    seen: set[int] = set()
    for member_id in sat_out:
        if member_id not in index:
            raise PairingInputError(f"sit-out names unknown member {member_id!r}")
        seen.add(index[member_id])
    for meeting in meetings:
        if len(meeting) < 2:
            raise PairingInputError(f"meeting {list(meeting)!r} has fewer than 2 members")
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
    return _stats(problem, value, placed, _bound(problem, placed), len(set(sat_out)))


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


def _bound(problem: Problem, meetings: Sequence[Sequence[int]]) -> int:
    """Same-group bound for these placed members, region by region in person."""
    parts: dict[str | None, tuple[list[int], dict[int, int]]] = {}
    for members in meetings:
        key = problem.region[members[0]] if problem.in_person and problem.region else None
        count, sizes = parts.setdefault(key, ([0], {}))
        count[0] += 1
        for u in members:
            sizes[problem.group[u]] = sizes.get(problem.group[u], 0) + 1
    return sum(same_group_bound(list(sizes.values()), count[0]) for count, sizes in parts.values())


def _spread_hours(problem: Problem, members: Sequence[int]) -> float:
    """Largest gap between two members' UTC offsets, in hours on the 24-hour clock."""
    offsets = sorted({o for u in members if (o := problem.offset_minutes[u]) is not None})
    widest = 0
    for i, a in enumerate(offsets):
        for b in offsets[i + 1 :]:
            gap = (b - a) % 1440
            widest = max(widest, min(gap, 1440 - gap))
    return round(widest / 60, 2)


def _stats(
    problem: Problem,
    value: PairValue,
    meetings: Sequence[Sequence[int]],
    bound: int,
    sit_outs: int = 0,
    with_soft: bool = True,
) -> PairingStats:
    """Hard-goal counts and, unless ``with_soft`` is false, the soft score."""
    same = repeats = blocked = 0
    soft = 0.0
    group, met, window = problem.group, problem.met, problem.avoid_rounds
    for members in meetings:
        for i, u in enumerate(members):
            met_u, g = met[u], group[u]
            for v in members[i + 1 :]:
                same += g == group[v]
                age = met_u.get(v)
                if age is not None and age <= window:
                    if age == BLOCKED_AGE:
                        blocked += 1
                    else:
                        repeats += 1
        if with_soft:
            soft += meeting_soft_score(problem, value, members)
    return PairingStats(
        same_group_pairs=same,
        min_same_group_pairs=bound,
        repeats=repeats,
        blocked_pairs=blocked,
        soft_score=round(soft, 6),
        triads=sum(len(m) == 3 for m in meetings),
        sit_outs=sit_outs,
    )


def _named(problem: Problem, meetings: Sequence[Sequence[int]]) -> tuple[Meeting, ...]:
    named = [tuple(sorted(problem.ids[u] for u in members)) for members in meetings]
    return tuple(sorted(named))
