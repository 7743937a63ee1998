"""Exhaustive search for small rounds, used when the heuristics leave a hard goal unmet.

It maximises the summed meeting value, so its answer meets every hard goal that any
round can meet; when it still breaks one, that break is unavoidable.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

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
