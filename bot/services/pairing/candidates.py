"""Short lists of promising partners per member, found without scoring all pairs.

Members are sorted several ways — everyone by UTC offset, and everyone sharing an
interest (or a pair of interests) by UTC offset — with a seeded shuffle inside equal
offsets. Neighbours in those orders share timezones and interests, which is most of
the soft score; the greedy and the local search only look at these lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from .problem import Problem

MAX_TAGS_FOR_PAIR_LISTS = 4


def candidate_lists(problem: Problem, width: int) -> list[list[int]]:
    """Up to ``2 * width`` neighbours per member in each order, without duplicates."""
    n = problem.size
    unknown = 1 << 20
    position = [
        (unknown if o is None else o, t)
        for o, t in zip(problem.offset_minutes, problem.tiebreak, strict=True)
    ]
    orders: dict[int, list[int]] = {0: list(range(n))}
    for u, mask in enumerate(problem.interests):
        bits = _bits(mask)
        for b in bits:
            orders.setdefault(1 << b, []).append(u)
        if len(bits) <= MAX_TAGS_FOR_PAIR_LISTS:
            for i, b in enumerate(bits):
                for c in bits[i + 1 :]:
                    orders.setdefault((1 << b) | (1 << c), []).append(u)
    found: list[list[int]] = [[] for _ in range(n)]
    for key in sorted(orders):
        members = orders[key]
        if len(members) < 2:
            continue
        members.sort(key=position.__getitem__)
        _add_neighbours(members, found, width)
    return [list(dict.fromkeys(row)) for row in found]


def _add_neighbours(order: Sequence[int], found: list[list[int]], width: int) -> None:
    for k, u in enumerate(order):
        row = found[u]
        row.extend(order[max(0, k - width) : k])
        row.extend(order[k + 1 : k + 1 + width])


def _bits(mask: int) -> list[int]:
    bits = []
    b = 0
    while mask:
        if mask & 1:
            bits.append(b)
        mask >>= 1
        b += 1
    return bits
