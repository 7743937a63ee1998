"""Pairs from an optimal assignment, for rounds of up to about a thousand members.

The full matrix of pair values is built with numpy, and scipy's
``linear_sum_assignment`` finds the best way for everyone to choose a partner. That
is a cover of the members by cycles (a mutual choice is a cycle of two), and its value
bounds every pairing from above. Each cycle is cut into pairs the better of its two
ways (an odd cycle leaves out whichever member costs least), and the few members left
over pair up best first. The local search then polishes the result.

numpy and scipy load on first use, so rounds that never need them never pay for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .problem import BLOCKED_AGE, Problem
from .scoring import (
    BLOCKED_PENALTY,
    REPEAT_PENALTY,
    SAME_GROUP_PENALTY,
    W_FAIRNESS,
    W_GROUP_FAIRNESS,
    W_INTEREST,
    W_NOVELTY,
    W_TZ,
    PairValue,
    novelty,
    timezone_fit,
)

ASSIGNMENT_LIMIT = 1_200
"""Largest round paired from an assignment; the matrix grows with the square."""
ASSIGNMENT_MIN = 16
LIBRARIES = ("numpy", "scipy.optimize")
"""What a round paired from an assignment imports on first use (some 0.3 s and 50 MB)."""
MAX_TAG_BITS = 62
CLIP = 1e4
"""Pair values are clipped here for the assignment: penalties still dominate any soft
difference, and the solver works on a narrower range."""
LONG_CYCLE = 400
"""Odd cycles longer than this leave out their last member instead of the best one."""


def value_matrix(problem: Problem, members: Sequence[int]) -> Any:
    """Pair values among ``members`` as a numpy array, equal to the scorer's values."""
    import numpy as np

    offsets = sorted({o for o in problem.offset_minutes if o is not None})
    keys: list[int | None] = [*offsets, None]
    classes = {o: i for i, o in enumerate(keys)}
    tz_table = np.array([[W_TZ * timezone_fit(a, b) for b in keys] for a in keys])
    tz_class = np.array([classes[problem.offset_minutes[u]] for u in members])
    matrix = tz_table[tz_class][:, tz_class]
    masks = np.array([problem.interests[u] for u in members], dtype=np.uint64)
    shared = np.bitwise_count(masks[:, None] & masks[None, :])
    top = int(shared.max()) if shared.size else 0
    fit = np.array([W_INTEREST * (1.0 - 0.5**s) for s in range(top + 1)])
    matrix += fit[shared]
    matrix += W_NOVELTY
    fairness = W_FAIRNESS if problem.meeting_size == 2 else W_GROUP_FAIRNESS
    burden = np.array(
        [SAME_GROUP_PENALTY / 2 + fairness * problem.same_group_burden[u] for u in members]
    )
    group = np.array([problem.group[u] for u in members])
    same = group[:, None] == group[None, :]
    matrix -= same * (burden[:, None] + burden[None, :])
    local = {u: i for i, u in enumerate(members)}
    window = problem.avoid_rounds
    for i, u in enumerate(members):
        for v, age in problem.met[u].items():
            j = local.get(v)
            if j is None:
                continue
            if age == BLOCKED_AGE:
                term = -BLOCKED_PENALTY
            elif age <= window:
                term = -REPEAT_PENALTY
            else:
                term = W_NOVELTY * novelty(age, window)
            matrix[i, j] += term - W_NOVELTY
    return matrix


def usable(problem: Problem, members: Sequence[int]) -> bool:
    """Whether an assignment suits this round: size and interest masks that fit."""
    if not ASSIGNMENT_MIN <= len(members) <= ASSIGNMENT_LIMIT:
        return False
    return all(problem.interests[u].bit_length() <= MAX_TAG_BITS for u in members)


def assignment_pairs(problem: Problem, value: PairValue, members: Sequence[int]) -> list[list[int]]:
    """Pairs for an even number of ``members`` from the best cycle cover."""
    import numpy as np

    matrix = value_matrix(problem, members)
    np.fill_diagonal(matrix, -1e15)
    partner = _best_choices(matrix)
    seen = [False] * len(members)
    pairs: list[tuple[int, int]] = []
    left: list[int] = []
    for start in range(len(members)):
        if seen[start]:
            continue
        cycle = []
        i = start
        while not seen[i]:
            seen[i] = True
            cycle.append(i)
            i = partner[i]
        cut, rest = _cut(matrix, cycle)
        pairs.extend(cut)
        left.extend(rest)
    named = [[members[i], members[j]] for i, j in pairs]
    spare = [members[i] for i in left]
    while len(spare) > 1:
        u = spare.pop()
        v = max(spare, key=lambda w: value(u, w))
        spare.remove(v)
        named.append([u, v])
    return named


def _best_choices(matrix: Any) -> list[int]:
    """Each member's partner in a best assignment of the (clipped) pair values."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    _, chosen = linear_sum_assignment(np.maximum(matrix, -CLIP), maximize=True)
    return [int(c) for c in chosen]


def _cut(matrix: Any, cycle: list[int]) -> tuple[list[tuple[int, int]], list[int]]:
    """Pairs along one cycle, and the member left out of an odd one."""
    size = len(cycle)
    if size == 2:
        return [(cycle[0], cycle[1])], []
    edges = [float(matrix[cycle[k], cycle[(k + 1) % size]]) for k in range(size)]
    if size % 2 == 0:
        even = sum(edges[0::2])
        odd = sum(edges[1::2])
        first = 0 if even >= odd else 1
        return [
            (cycle[(k + first) % size], cycle[(k + first + 1) % size]) for k in range(0, size, 2)
        ], []
    best_out, best = size - 1, float("-inf")
    if size <= LONG_CYCLE:
        for out in range(size):
            total = sum(edges[(out + 1 + 2 * t) % size] for t in range(size // 2))
            if total > best:
                best_out, best = out, total
    pairs = [
        (cycle[(best_out + 1 + 2 * t) % size], cycle[(best_out + 2 + 2 * t) % size])
        for t in range(size // 2)
    ]
    return pairs, [cycle[best_out]]
