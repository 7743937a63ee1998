"""Exhaustive search for small rounds, used when the heuristics leave a hard goal unmet.

It maximises the summed meeting value, so its answer meets every hard goal that any
round can meet; when it still breaks one, that break is unavoidable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from itertools import combinations

from .problem import Problem
from .scoring import PairValue, meeting_value

EXACT_LIMIT = 12
"""Largest round searched exhaustively (about 10^5 states at 12)."""


def best_meetings(problem: Problem, value: PairValue, members: Sequence[int]) -> list[list[int]]:
    """Highest-value meetings for ``members`` (pairs, one triad if the count is odd)."""
    people = tuple(sorted(members))
    count = len(people)
    if count > EXACT_LIMIT:
        raise ValueError(f"exhaustive search is limited to {EXACT_LIMIT} members")
    pair = [[value(a, b) for b in people] for a in people]

    @cache
    def solve(mask: int, triad_left: bool) -> tuple[float, tuple[tuple[int, ...], ...]]:
        if mask == 0:
            return (float("-inf"), ()) if triad_left else (0.0, ())
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        best: tuple[float, tuple[tuple[int, ...], ...]] = (float("-inf"), ())
        others = [j for j in range(i + 1, count) if rest >> j & 1]
        for j in others:
            score, tail = solve(rest & ~(1 << j), triad_left)
            if score + pair[i][j] > best[0]:
                best = (score + pair[i][j], ((i, j), *tail))
        if triad_left:
            for a, j in enumerate(others):
                for k in others[a + 1 :]:
                    triad = [people[i], people[j], people[k]]
                    score, tail = solve(rest & ~(1 << j) & ~(1 << k), False)
                    total = score + meeting_value(problem, value, triad)
                    if total > best[0]:
                        best = (total, ((i, j, k), *tail))
        return best

    _, chosen = solve((1 << count) - 1, count % 2 == 1)
    return [[people[i] for i in meeting] for meeting in chosen]


SIT_OUT_LIMIT = 10
"""Largest round searched exhaustively when blocks may force someone to sit out."""
SIT_OUT_FAIRNESS = 100.0
"""Cost per past sit-out when choosing who sits out: above any soft difference,
below a same-group pair, so the fewest sit-outs come first, then the fairest."""
MAX_SIT_OUT_COUNT = 9


def best_with_sit_outs(
    problem: Problem, value: PairValue, sizes_for: Callable[[int], list[int]]
) -> tuple[list[list[int]], list[int]]:
    """Meetings with no blocked pair, seating the fewest members out.

    ``sizes_for(placed)`` gives the meeting sizes for that many placed members. Tries
    to place everyone, then one fewer, and so on; among layouts with the fewest
    sit-outs it takes the highest summed meeting value minus a cost per past sit-out
    of whoever sits out. Returns the meetings and the members sitting out.
    """
    count = problem.size
    if count > SIT_OUT_LIMIT:
        raise ValueError(f"exhaustive search is limited to {SIT_OUT_LIMIT} members")
    blocked = [0] * count
    for u in range(count):
        for v in range(count):
            if u != v and problem.is_blocked(u, v):
                blocked[u] |= 1 << v
    cost = [SIT_OUT_FAIRNESS * min(problem.sat_out(u), MAX_SIT_OUT_COUNT) for u in range(count)]
    for placed in range(count, 1, -1):
        sizes = sizes_for(placed)
        found = _best_layout(problem, value, blocked, cost, sizes, count - placed)
        if found is not None:
            meetings, out = found
            return meetings, out
    return [], list(range(count))


def _best_layout(
    problem: Problem,
    value: PairValue,
    blocked: list[int],
    cost: list[float],
    sizes: list[int],
    sit_outs: int,
) -> tuple[list[list[int]], list[int]] | None:
    count = problem.size
    small = min(sizes)
    large_count = sum(s > small for s in sizes)
    small_count = len(sizes) - large_count
    Best = tuple[float, tuple[tuple[int, ...], ...], tuple[int, ...]]
    none: Best = (float("-inf"), (), ())

    @cache
    def solve(mask: int, smalls: int, larges: int, outs: int) -> Best:
        if mask == 0:
            return (0.0, (), ()) if smalls == larges == outs == 0 else none
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        best = none
        if outs:
            score, tail, out = solve(rest, smalls, larges, outs - 1)
            if score - cost[i] > best[0]:
                best = (score - cost[i], tail, (i, *out))
        allowed = rest & ~blocked[i]
        others = [j for j in range(i + 1, count) if allowed >> j & 1]
        for size, left_small, left_large in (
            (small, smalls - 1, larges),
            (small + 1, smalls, larges - 1),
        ):
            if left_small < 0 or left_large < 0 or size - 1 > len(others):
                continue
            for chosen in combinations(others, size - 1):
                if any(blocked[a] >> b & 1 for a, b in combinations(chosen, 2)):
                    continue
                meeting = (i, *chosen)
                sub = rest
                for j in chosen:
                    sub &= ~(1 << j)
                score, tail, out = solve(sub, left_small, left_large, outs)
                if score == float("-inf"):
                    continue
                total = score + meeting_value(problem, value, list(meeting))
                if total > best[0]:
                    best = (total, (meeting, *tail), out)
        return best

    score, chosen, out = solve((1 << count) - 1, small_count, large_count, sit_outs)
    if score == float("-inf"):
        return None
    return [list(m) for m in chosen], list(out)
