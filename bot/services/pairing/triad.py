"""Choose the triad first, for odd rounds, so it is fair and as mixed as the bound allows.

Any round at the bound is a triad plus an even round at the even bound, so it is
enough to try triad group patterns drawn from the five largest groups (a member of a
smaller group can always be swapped for one of an unused larger group without making
the rest worse), keep the patterns that reach the bound, and within each pattern take
the best trio among the few members of each group with the fewest recent triads.
"""

from __future__ import annotations

import itertools

from .bounds import min_same_group_pairs
from .problem import Problem
from .scoring import PairValue, meeting_value

PATTERN_GROUPS = 5
SHORTLIST = 3


def choose_triad(problem: Problem, value: PairValue) -> list[int]:
    """Three members forming the best-valued triad among bound-reaching patterns."""
    sizes = [0] * len(problem.group_names)
    queues: list[list[int]] = [[] for _ in problem.group_names]
    for u, g in enumerate(problem.group):
        sizes[g] += 1
        queues[g].append(u)
    for queue in queues:
        queue.sort(key=lambda u: (problem.triad_burden[u], problem.tiebreak[u]))
    bound = min_same_group_pairs(problem.group_sizes())
    top = sorted((g for g, s in enumerate(sizes) if s), key=lambda g: (-sizes[g], g))
    best: list[int] = []
    best_value = float("-inf")
    for pattern in itertools.combinations_with_replacement(top[:PATTERN_GROUPS], 3):
        rest = list(sizes)
        for g in pattern:
            rest[g] -= 1
        if min(rest) < 0:
            continue
        inside = sum(a == b for a, b in itertools.combinations(pattern, 2))
        if inside + _even_bound(rest) != bound:
            continue
        members = _pick(problem, value, queues, pattern)
        score = meeting_value(problem, value, members)
        if score > best_value:
            best, best_value = members, score
    return best


def _even_bound(sizes: list[int]) -> int:
    total = sum(sizes)
    return max(0, 2 * max(sizes) - total) // 2 if total else 0


def _pick(
    problem: Problem, value: PairValue, queues: list[list[int]], pattern: tuple[int, ...]
) -> list[int]:
    """Best-valued trio among the fewest-triad members of the pattern's groups."""
    shortlists = [queues[g][: SHORTLIST + pattern.count(g) - 1] for g in pattern]
    best: list[int] = []
    best_value = float("-inf")
    for trio in itertools.product(*shortlists):
        if len(set(trio)) < 3:
            continue
        score = meeting_value(problem, value, trio)
        if score > best_value:
            best, best_value = list(trio), score
    return best
