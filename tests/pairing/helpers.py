"""Builders shared by the pairing tests: communities, planted rounds, brute force."""

from __future__ import annotations

import itertools
import os
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

from hypothesis import HealthCheck, settings

from bot.services.pairing import Meeting, PairingResult, Participant

settings.register_profile(
    "pairing",
    max_examples=int(os.environ.get("PAIRING_MAX_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROPERTY = settings.get_profile("pairing")


def people(groups: Sequence[int], prefix: str = "m") -> list[Participant]:
    """Members ``m00``, ``m01``, ... filling groups ``g0`` (size groups[0]), ``g1``, ..."""
    labels = [f"g{g}" for g, size in enumerate(groups) for _ in range(size)]
    return [Participant(f"{prefix}{i:02d}", label) for i, label in enumerate(labels)]


def pairs_in(meetings: Iterable[Sequence[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for m in meetings for p in itertools.combinations(m, 2)}


def assert_complete(result: PairingResult, members: Sequence[Participant]) -> None:
    placed = Counter(m for meeting in result.meetings for m in meeting)
    assert sorted(placed) == sorted(p.id for p in members)
    assert set(placed.values()) == {1}
    sizes = Counter(len(m) for m in result.meetings)
    assert set(sizes) <= {2, 3}
    assert sizes[3] == len(members) % 2


def same_group_pairs(meetings: Iterable[Sequence[str]], group: dict[str, str]) -> int:
    return sum(group[a] == group[b] for m in meetings for a, b in itertools.combinations(m, 2))


@cache
def brute_force_bound(sizes: tuple[int, ...]) -> int:
    """Fewest same-group pairs over every way to split group counts into meetings."""
    total = sum(sizes)
    if total == 0:
        return 0
    best = 10**9
    if total % 2 == 1:
        for combo in itertools.combinations_with_replacement(range(len(sizes)), 3):
            rest = list(sizes)
            for g in combo:
                rest[g] -= 1
            if min(rest) >= 0:
                inside = sum(a == b for a, b in itertools.combinations(combo, 2))
                best = min(best, inside + brute_force_bound(tuple(rest)))
        return best
    first = next(g for g, s in enumerate(sizes) if s)
    for g in range(len(sizes)):
        rest = list(sizes)
        rest[first] -= 1
        rest[g] -= 1
        if rest[g] >= 0:
            best = min(best, (g == first) + brute_force_bound(tuple(rest)))
    return best


def planted_round(members: Sequence[Participant], rng: random.Random) -> list[Meeting]:
    """A round at the same-group bound, built without the engine.

    Even: list members group by group, largest first, and pair position i with
    i + N/2, so only a group longer than N/2 meets itself. Odd: try triads from the
    three largest groups until the rest, paired that way, reaches the bound.
    """
    by_group: dict[str, list[str]] = {}
    for p in members:
        by_group.setdefault(p.group, []).append(p.id)
    for ids in by_group.values():
        rng.shuffle(ids)
    order = sorted(by_group, key=lambda g: (-len(by_group[g]), rng.random()))
    group = {p.id: p.group for p in members}
    target = brute_force_bound(tuple(len(by_group[g]) for g in order))
    if len(members) % 2 == 0:
        return _halves([m for g in order for m in by_group[g]])
    top = order[:3]
    for combo in itertools.combinations_with_replacement(top, 3):
        pools = {g: list(by_group[g]) for g in order}
        if any(len(pools[g]) < combo.count(g) for g in set(combo)):
            continue
        triad = tuple(pools[g].pop() for g in combo)
        rest_order = sorted(pools, key=lambda g: -len(pools[g]))
        meetings = [triad, *_halves([m for g in rest_order for m in pools[g]])]
        if same_group_pairs(meetings, group) == target:
            return meetings
    raise AssertionError("no planted round reaches the bound")


def _halves(ids: Sequence[str]) -> list[Meeting]:
    half = len(ids) // 2
    return [(ids[i], ids[i + half]) for i in range(half)]


def history_avoiding(
    members: Sequence[Participant],
    keep_apart: set[frozenset[str]],
    rounds: int,
    rng: random.Random,
) -> list[tuple[Meeting, ...]]:
    """Random past rounds that never put a ``keep_apart`` pair together."""
    ids = [p.id for p in members]
    history = []
    for _ in range(rounds):
        rng.shuffle(ids)
        meetings = [(ids[i], ids[i + 1]) for i in range(0, len(ids) - 1, 2)]
        history.append(tuple(m for m in meetings if frozenset(m) not in keep_apart))
    return history


def can_place(ids: Sequence[str], blocked: set[frozenset[str]], sizes: Sequence[int]) -> bool:
    """Whether ``ids`` split into meetings of ``sizes`` with no blocked pair inside."""
    if not ids:
        return not sizes
    first, rest = ids[0], list(ids[1:])
    for size in sorted(set(sizes)):
        for others in itertools.combinations(rest, size - 1):
            meeting = (first, *others)
            if any(frozenset(p) in blocked for p in itertools.combinations(meeting, 2)):
                continue
            left = list(sizes)
            left.remove(size)
            if can_place([m for m in rest if m not in others], blocked, left):
                return True
    return False


def brute_force_placed(ids: Sequence[str], blocked: set[frozenset[str]], group_size: int) -> int:
    """Most members that can meet with no blocked pair, trying every subset."""
    from bot.services.pairing import meeting_sizes

    for placed in range(len(ids), 1, -1):
        sizes = meeting_sizes(placed, group_size)
        for chosen in itertools.combinations(sorted(ids), placed):
            if can_place(list(chosen), blocked, sizes):
                return placed
    return 0


def brute_force_group_bound(groups: Sequence[int], sizes: Sequence[int]) -> int:
    """Fewest same-group pairs over every way to fill meetings of ``sizes`` from groups."""

    @cache
    def fill(left: tuple[int, ...], meeting: int) -> int:
        if meeting == len(sizes):
            return 0 if not any(left) else 10**9
        best = 10**9
        for counts in _compositions(sizes[meeting], len(left)):
            if all(c <= a for c, a in zip(counts, left, strict=True)):
                inside = sum(c * (c - 1) // 2 for c in counts)
                rest = tuple(a - c for a, c in zip(left, counts, strict=True))
                best = min(best, inside + fill(rest, meeting + 1))
        return best

    return fill(tuple(groups), 0)


def _compositions(total: int, parts: int) -> list[tuple[int, ...]]:
    if parts == 1:
        return [(total,)]
    return [(k, *rest) for k in range(total + 1) for rest in _compositions(total - k, parts - 1)]


def dealt_round(members: Sequence[Participant], group_size: int) -> list[Meeting]:
    """A round at the same-group bound built without the engine: list members group by
    group, largest group first, and deal them round-robin into the meetings."""
    from bot.services.pairing import meeting_sizes

    by_group: dict[str, list[str]] = {}
    for p in members:
        by_group.setdefault(p.group, []).append(p.id)
    order = sorted(by_group, key=lambda g: (-len(by_group[g]), g))
    listed = [m for g in order for m in by_group[g]]
    sizes = meeting_sizes(len(listed), group_size)
    meetings: list[list[str]] = [[] for _ in sizes]
    for i, member_id in enumerate(listed):
        meetings[i % len(sizes)].append(member_id)
    return [tuple(m) for m in meetings]
