"""Turn a :class:`PairingInput` into dense, index-based arrays the algorithms share.

Members are indexed in id order, groups and interests in name order, so every later
step is independent of input order and of string hashing.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import (
    FORMATS,
    IN_PERSON,
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    PairingInput,
    PairingInputError,
    Participant,
)

REFERENCE_TIME = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
"""Offsets are compared at this instant unless the input names another one."""

BLOCKED_AGE = 0
"""``met[u][v]`` holds this for a blocked pair, else how many rounds ago they met."""

SAME_GROUP_DECAY = 0.8
TRIAD_DECAY = 0.9


@dataclass(frozen=True, slots=True)
class Problem:
    """One round, flattened to lists indexed by member number."""

    ids: tuple[str, ...]
    group: list[int]
    group_names: tuple[str, ...]
    offset_minutes: list[int | None]
    interests: list[int]
    met: list[dict[int, int]]
    same_group_burden: list[float]
    triad_burden: list[float]
    tiebreak: list[float]
    avoid_rounds: int
    meeting_size: int = 2
    sit_out_burden: list[int] | None = None
    region: list[str | None] | None = None
    in_person: bool = False
    memo: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    """Tables derived from this problem alone (its scorer), built on first use."""

    @property
    def size(self) -> int:
        return len(self.ids)

    def group_sizes(self) -> dict[str, int]:
        sizes = dict.fromkeys(self.group_names, 0)
        for g in self.group:
            sizes[self.group_names[g]] += 1
        return sizes

    def is_blocked(self, u: int, v: int) -> bool:
        return self.met[u].get(v) == BLOCKED_AGE

    def is_repeat(self, u: int, v: int) -> bool:
        age = self.met[u].get(v)
        return age is not None and BLOCKED_AGE < age <= self.avoid_rounds

    def sat_out(self, u: int) -> int:
        """Past rounds member ``u`` sat out."""
        return 0 if self.sit_out_burden is None else self.sit_out_burden[u]

    def blocks_of(self, u: int) -> int:
        """How many others in this problem member ``u`` may never meet."""
        return sum(age == BLOCKED_AGE for age in self.met[u].values())

    def restrict(self, members: list[int]) -> Problem:
        """The same problem over ``members`` only (indices into this one, in order)."""
        position = [-1] * self.size
        for i, u in enumerate(members):
            position[u] = i
        met = [
            {p: age for v, age in self.met[u].items() if (p := position[v]) >= 0} for u in members
        ]
        return Problem(
            ids=tuple(self.ids[u] for u in members),
            group=[self.group[u] for u in members],
            group_names=self.group_names,
            offset_minutes=[self.offset_minutes[u] for u in members],
            interests=[self.interests[u] for u in members],
            met=met,
            same_group_burden=[self.same_group_burden[u] for u in members],
            triad_burden=[self.triad_burden[u] for u in members],
            tiebreak=[self.tiebreak[u] for u in members],
            avoid_rounds=self.avoid_rounds,
            meeting_size=self.meeting_size,
            sit_out_burden=[self.sat_out(u) for u in members],
            region=None if self.region is None else [self.region[u] for u in members],
            in_person=self.in_person,
        )


def build_problem(inp: PairingInput) -> Problem:
    """Validate ``inp`` and flatten it; raises :class:`PairingInputError`."""
    people = sorted(inp.participants, key=lambda p: p.id)
    _validate(people, inp)
    ids = tuple(p.id for p in people)
    index = {member_id: i for i, member_id in enumerate(ids)}
    group_names = tuple(sorted({p.group for p in people}))
    group_index = {name: g for g, name in enumerate(group_names)}
    tags = sorted({tag for p in people for tag in p.interests})
    tag_bit = {tag: 1 << b for b, tag in enumerate(tags)}
    met, same_burden, triad_burden = _read_history(inp, index, people, group_index)
    rng = random.Random(inp.seed)
    return Problem(
        ids=ids,
        group=[group_index[p.group] for p in people],
        group_names=group_names,
        offset_minutes=_offsets(people, inp.reference_time or REFERENCE_TIME),
        interests=[sum(tag_bit[t] for t in p.interests) for p in people],
        met=met,
        same_group_burden=same_burden,
        triad_burden=triad_burden,
        tiebreak=[rng.random() for _ in ids],
        avoid_rounds=inp.avoid_repeat_rounds,
        meeting_size=inp.group_size,
        sit_out_burden=[int(inp.sit_outs.get(member_id, 0)) for member_id in ids],
        region=[p.region for p in people],
        in_person=inp.format == IN_PERSON,
    )


def _validate(people: list[Participant], inp: PairingInput) -> None:
    if len(people) < 2:
        raise PairingInputError(f"a round needs at least 2 members, got {len(people)}")
    for before, after in itertools.pairwise(people):
        if before.id == after.id:
            raise PairingInputError(f"duplicate member id {after.id!r}")
    if any(not p.id for p in people):
        raise PairingInputError("member ids must be non-empty")
    if isinstance(inp.avoid_repeat_rounds, bool) or inp.avoid_repeat_rounds < 0:
        raise PairingInputError("avoid_repeat_rounds must be a non-negative integer")
    size = inp.group_size
    if isinstance(size, bool) or not isinstance(size, int):
        raise PairingInputError("group_size must be an integer")
    if not MIN_GROUP_SIZE <= size <= MAX_GROUP_SIZE:
        raise PairingInputError(
            f"group_size must be between {MIN_GROUP_SIZE} and {MAX_GROUP_SIZE}, got {size}"
        )
    if inp.format not in FORMATS:
        raise PairingInputError(f"format must be one of {', '.join(FORMATS)}, got {inp.format!r}")
    for member_id, count in inp.sit_outs.items():
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise PairingInputError(f"sit_outs for {member_id!r} must be a non-negative integer")


def _offsets(people: list[Participant], when: datetime) -> list[int | None]:
    if when.tzinfo is None:
        raise PairingInputError("reference_time must be timezone-aware")
    cache: dict[str, int] = {}
    result: list[int | None] = []
    for p in people:
        if p.timezone is None:
            result.append(None)
            continue
        if p.timezone not in cache:
            try:
                offset = when.astimezone(ZoneInfo(p.timezone)).utcoffset()
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise PairingInputError(
                    f"unknown timezone {p.timezone!r} for member {p.id!r}"
                ) from exc
            cache[p.timezone] = 0 if offset is None else int(offset.total_seconds()) // 60
        result.append(cache[p.timezone])
    return result


def _record_meeting(met: list[dict[int, int]], known: list[int], age: int) -> None:
    """Note that every two of ``known`` met ``age`` rounds ago."""
    for u in known:
        met_u = met[u]
        for v in known:
            if v != u:
                met_u[v] = age


def _read_history(
    inp: PairingInput,
    index: dict[str, int],
    people: list[Participant],
    group_index: dict[str, int],
) -> tuple[list[dict[int, int]], list[float], list[float]]:
    """Last meeting age per pair, and recency-weighted same-group and odd-size burdens.

    Pairs: the same-group burden counts rounds without a cross-group partner, the
    odd-size one rounds in a triad. Meetings of three or more: the same-group burden
    counts own-group partners, the odd-size one meetings whose size was not
    ``group_size``.
    """
    n = len(people)
    group = [group_index[p.group] for p in people]
    met: list[dict[int, int]] = [{} for _ in range(n)]
    same_burden = [0.0] * n
    triad_burden = [0.0] * n
    rounds = len(inp.history)
    odd_size = 3 if inp.group_size == 2 else -1
    get = index.get
    for position, meetings in enumerate(inp.history):
        age = rounds - position
        same_weight = SAME_GROUP_DECAY ** (age - 1)
        triad_weight = TRIAD_DECAY ** (age - 1)
        for meeting in meetings:
            size = len(meeting)
            if size == 2:
                u, v = index.get(meeting[0], -1), index.get(meeting[1], -1)
                if u >= 0 and v >= 0 and u != v:
                    met[u][v] = age
                    met[v][u] = age
                    if group[u] == group[v]:
                        same_burden[u] += same_weight
                        same_burden[v] += same_weight
                continue
            odd = size == odd_size or (odd_size < 0 and size != inp.group_size)
            if size == 4 and not odd:
                # The common case, written out: most of a long history's cost is here.
                name_a, name_b, name_c, name_d = meeting
                a, b = get(name_a, -1), get(name_b, -1)
                c, d = get(name_c, -1), get(name_d, -1)
                if a >= 0 and b >= 0 and c >= 0 and d >= 0 and len({a, b, c, d}) == 4:
                    met_a, met_b, met_c, met_d = met[a], met[b], met[c], met[d]
                    met_a[b] = met_a[c] = met_a[d] = age
                    met_b[a] = met_b[c] = met_b[d] = age
                    met_c[a] = met_c[b] = met_c[d] = age
                    met_d[a] = met_d[b] = met_d[c] = age
                    ga, gb, gc, gd = group[a], group[b], group[c], group[d]
                    ab, ac, ad = ga == gb, ga == gc, ga == gd
                    bc, bd, cd = gb == gc, gb == gd, gc == gd
                    if odd_size < 0:
                        if ab or ac or ad or bc or bd or cd:
                            same_burden[a] += same_weight * (ab + ac + ad)
                            same_burden[b] += same_weight * (ab + bc + bd)
                            same_burden[c] += same_weight * (ac + bc + cd)
                            same_burden[d] += same_weight * (ad + bd + cd)
                    elif ab and ac and ad:
                        for u in (a, b, c, d):
                            same_burden[u] += same_weight
                    continue
            known = [u for m in meeting if (u := get(m, -1)) >= 0]
            if odd:
                for u in known:
                    triad_burden[u] += triad_weight
            if len(known) < 2:
                continue
            _record_meeting(met, known, age)
            _add_same_group(same_burden, group, known, same_weight, odd_size)
    for one, other in inp.blocked:
        first, second = index.get(one), index.get(other)
        if first is not None and second is not None and first != second:
            met[first][second] = BLOCKED_AGE
            met[second][first] = BLOCKED_AGE
    return met, same_burden, triad_burden


def _add_same_group(
    same_burden: list[float], group: list[int], known: list[int], weight: float, odd_size: int
) -> None:
    """Add one past meeting to its members' same-group burdens (see ``_read_history``)."""
    groups = [group[u] for u in known]
    for u, g in zip(known, groups, strict=True):
        own = groups.count(g) - 1
        if odd_size < 0:
            same_burden[u] += weight * own
        elif own == len(known) - 1:
            same_burden[u] += weight
