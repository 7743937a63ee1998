"""Largest-group-first greedy: reaches the same-group bound and rotates forced pairs.

Each step takes the next member of whichever group has the most unpaired members and
pairs them outside their group while any other group has someone left. Taking from
the largest group keeps it no larger than the rest combined whenever that is still
possible, which is exactly the condition for the bound. Within a group, members who
most recently went without a cross-group partner go first, so the forced same-group
pairs at the end fall on those who had them least recently.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence

from .candidates import Candidates
from .problem import Problem
from .scoring import HARD_THRESHOLD, SAME_GROUP_PENALTY, PairValue

FALLBACK_SCAN = 32


class _Pools:
    """Unpaired members per group, with O(1) removal."""

    def __init__(self, problem: Problem, members: Sequence[int]) -> None:
        self.by_group: list[list[int]] = [[] for _ in problem.group_names]
        self.slot = [-1] * problem.size
        for u in members:
            pool = self.by_group[problem.group[u]]
            self.slot[u] = len(pool)
            pool.append(u)

    def remove(self, u: int, g: int) -> None:
        pool = self.by_group[g]
        i = self.slot[u]
        last = pool.pop()
        if last != u:
            pool[i] = last
            self.slot[last] = i
        self.slot[u] = -1

    def available(self, u: int) -> bool:
        return self.slot[u] >= 0


def greedy_pairs(
    problem: Problem,
    members: Sequence[int],
    candidates: Candidates,
    value: PairValue,
    rng: random.Random,
) -> list[list[int]]:
    """Pair an even number of ``members``; see the module docstring for the order."""
    group = problem.group
    pools = _Pools(problem, members)
    queues = [
        sorted(pool, key=lambda u: (-problem.same_group_burden[u], problem.tiebreak[u]))
        for pool in pools.by_group
    ]
    heads = [0] * len(queues)
    heap = [(-len(q), g) for g, q in enumerate(queues) if q]
    heapq.heapify(heap)
    remaining = len(members)
    pairs: list[list[int]] = []
    while heap:
        negative_count, g = heapq.heappop(heap)
        if -negative_count != len(pools.by_group[g]):
            continue
        queue, i = queues[g], heads[g]
        while not pools.available(queue[i]):
            i += 1
        u = queue[i]
        heads[g] = i + 1
        pools.remove(u, g)
        remaining -= 1
        cross = remaining > len(pools.by_group[g])
        v = _best_partner(problem, pools, u, cross, candidates[u], value, rng)
        h = group[v]
        pools.remove(v, h)
        remaining -= 1
        pairs.append([u, v])
        for changed in {g, h}:
            if pools.by_group[changed]:
                heapq.heappush(heap, (-len(pools.by_group[changed]), changed))
    return pairs


def _best_partner(
    problem: Problem,
    pools: _Pools,
    u: int,
    cross: bool,
    candidates: Sequence[tuple[float, int]],
    value: PairValue,
    rng: random.Random,
) -> int:
    """The best free partner: the first eligible candidate, else a sampled scan."""
    group = problem.group
    gu = group[u]
    slot = pools.slot
    best, best_value = -1, float("-inf")
    for score, v in candidates:
        if slot[v] >= 0 and (not cross or group[v] != gu):
            best, best_value = v, score
            break
    floor = HARD_THRESHOLD if cross else HARD_THRESHOLD - SAME_GROUP_PENALTY
    if best_value > floor:
        return best
    targets = [h for h in range(len(pools.by_group)) if (h != gu) == cross and pools.by_group[h]]
    first = rng.randrange(len(targets))
    scanned = 0
    for t in range(len(targets)):
        pool = pools.by_group[targets[(first + t) % len(targets)]]
        start = rng.randrange(len(pool))
        for k in range(min(len(pool), FALLBACK_SCAN)):
            v = pool[(start + k) % len(pool)]
            score = value(u, v)
            if score > best_value:
                best, best_value = v, score
            scanned += 1
            if scanned >= FALLBACK_SCAN and best_value > floor:
                return best
    return best
