"""Depth-first search for a round that meets the hard goals, for mid-sized rounds.

Used only when the greedy, polish and repair leave a repeat, a blocked pair or an
excess same-group pair. Members with the fewest allowed partners are placed first,
partners are tried best value first, and a branch is cut as soon as the same-group
pairs so far plus the bound for those still unplaced exceed the target. A node limit
keeps it bounded; a miss means "not found", not "impossible".
"""

from __future__ import annotations

from collections.abc import Sequence

from .bounds import min_same_group_pairs
from .problem import Problem
from .scoring import PairValue

SEARCH_LIMIT = 400
"""Largest round searched."""
NODE_LIMIT = 40_000


class _OutOfNodes(Exception):
    pass


def search_round(
    problem: Problem,
    value: PairValue,
    members: Sequence[int],
    max_same: int,
    allow_repeats: bool = False,
) -> list[list[int]] | None:
    """Meetings with no blocked pair, no repeat (unless allowed), ``<= max_same``."""
    group = problem.group

    def allowed(u: int, v: int) -> bool:
        return not problem.is_blocked(u, v) and (allow_repeats or not problem.is_repeat(u, v))

    partners = {
        u: sorted((v for v in members if v != u and allowed(u, v)), key=lambda v: -value(u, v))
        for u in members
    }
    order = sorted(members, key=lambda u: (len(partners[u]), u))
    counts: dict[int, int] = {}
    for u in members:
        counts[group[u]] = counts.get(group[u], 0) + 1
    free = dict.fromkeys(members, True)
    chosen: list[list[int]] = []
    nodes = 0

    def remaining_bound() -> int:
        if sum(counts.values()) < 2:
            return 0
        return min_same_group_pairs({str(g): c for g, c in counts.items()})

    def place(meeting: list[int]) -> None:
        chosen.append(meeting)
        for x in meeting:
            free[x] = False
            counts[group[x]] -= 1

    def unplace() -> None:
        for x in chosen.pop():
            free[x] = True
            counts[group[x]] += 1

    def dfs(same: int, triad_left: bool) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > NODE_LIMIT:
            raise _OutOfNodes
        u = next((x for x in order if free[x]), None)
        if u is None:
            return not triad_left
        if same + remaining_bound() > max_same:
            return False
        options = [v for v in partners[u] if free[v]]
        for v in options:
            extra = group[u] == group[v]
            place([u, v])
            if dfs(same + extra, triad_left):
                return True
            unplace()
        if triad_left:
            for i, v in enumerate(options):
                for w in options[i + 1 :]:
                    if not allowed(v, w):
                        continue
                    gu, gv, gw = group[u], group[v], group[w]
                    inside = (gu == gv) + (gu == gw) + (gv == gw)
                    place([u, v, w])
                    if dfs(same + inside, False):
                        return True
                    unplace()
        return False

    try:
        found = dfs(0, len(members) % 2 == 1)
    except _OutOfNodes:
        return None
    return [list(m) for m in chosen] if found else None
