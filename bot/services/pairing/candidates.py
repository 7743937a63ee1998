"""Short lists of promising partners per member, found without scoring all pairs.

Members are sorted several ways by UTC offset, with a seeded shuffle inside equal
offsets: everyone who shares an interest, or a pair of interests (for members with
at most three), and everyone at all (neighbours only for members with no interests).
Neighbours in those orders share timezones and interests, which is most of the soft
score; the greedy and the local search only look at these lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from .problem import Problem
from .scoring import Scorer

MAX_TAGS_FOR_PAIR_LISTS = 3
SCAN_FACTOR = 4


Candidates = list[list[tuple[float, int]]]
"""Per member, ``(pair value, partner)`` with the best value first."""


def candidate_lists(problem: Problem, scorer: Scorer, width: int) -> Candidates:
    """Neighbours per member from every order, with pair values, best first.

    In each order a member gets the nearest ``width`` members of other groups on each
    side and the nearest of their own group. Sorting by value lets the greedy take
    the first free candidate and the local search stop at the first one that is no
    better than the current partner.
    """
    n = problem.size
    unknown = 1 << 20
    position = [
        (unknown if o is None else o, t)
        for o, t in zip(problem.offset_minutes, problem.tiebreak, strict=True)
    ]
    orders: dict[int, list[int]] = {0: list(range(n))}
    untagged = [not mask for mask in problem.interests]
    for u, mask in enumerate(problem.interests):
        bits = _bits(mask)
        for b in bits:
            orders.setdefault(1 << b, []).append(u)
        if 2 <= len(bits) <= MAX_TAGS_FOR_PAIR_LISTS:
            for i, b in enumerate(bits):
                for c in bits[i + 1 :]:
                    orders.setdefault((1 << b) | (1 << c), []).append(u)
    pairs_within = _group_with_forced_pairs(problem)
    found: list[list[int]] = [[] for _ in range(n)]
    for key in sorted(orders):
        members = orders[key]
        if len(members) > 1:
            members.sort(key=position.__getitem__)
            active = untagged if key == 0 else None
            _add_neighbours(members, active, problem.group, pairs_within, found, width)
    values_for = scorer.values_for
    result: Candidates = []
    for u, row in enumerate(found):
        unique = list(set(row))
        result.append(sorted(zip(values_for(u, unique), unique, strict=True), reverse=True))
    return result


def _add_neighbours(
    order: Sequence[int],
    active: Sequence[bool] | None,
    group: Sequence[int],
    pairs_within: int,
    found: list[list[int]],
    width: int,
) -> None:
    """Nearest ``width`` other-group members each side, plus the nearest same-group
    one for members of ``pairs_within``, the only group that ever needs them."""
    size = len(order)
    reach = SCAN_FACTOR * width
    for k, u in enumerate(order):
        if active is not None and not active[u]:
            continue
        row = found[u]
        g = group[u]
        same = 0 if g == pairs_within else 1
        others = 0
        for j in range(k - 1, max(-1, k - 1 - reach), -1):
            v = order[j]
            if group[v] != g:
                row.append(v)
                others += 1
                if others == width:
                    break
            elif not same:
                row.append(v)
                same = 1
        same = 0 if g == pairs_within else 1
        others = 0
        for j in range(k + 1, min(size, k + 1 + reach)):
            v = order[j]
            if group[v] != g:
                row.append(v)
                others += 1
                if others == width:
                    break
            elif not same:
                row.append(v)
                same = 1


def _group_with_forced_pairs(problem: Problem) -> int:
    """The largest group if it may have to pair within itself, else -1."""
    sizes = [0] * len(problem.group_names)
    for g in problem.group:
        sizes[g] += 1
    largest = max(range(len(sizes)), key=sizes.__getitem__)
    return largest if 2 * sizes[largest] > problem.size - 3 else -1


def _bits(mask: int) -> list[int]:
    bits = []
    b = 0
    while mask:
        if mask & 1:
            bits.append(b)
        mask >>= 1
        b += 1
    return bits
