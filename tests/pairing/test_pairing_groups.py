"""Meetings of any size from 2 to 8, in-person meetings by region, timezone spread."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.services.pairing import (
    Meeting,
    PairingInput,
    PairingInputError,
    Participant,
    SitOut,
    make_round,
    meeting_sizes,
    min_same_group_pairs,
    same_group_bound,
)

from .helpers import (
    PROPERTY,
    brute_force_group_bound,
    dealt_round,
    history_avoiding,
    pairs_in,
    people,
    same_group_pairs,
)
from .test_pairing_properties import communities


@pytest.mark.parametrize(
    ("count", "size", "expected"),
    [
        (7, 2, [3, 2, 2]),
        (8, 4, [4, 4]),
        (10, 4, [4, 3, 3]),
        (5, 4, [3, 2]),
        (3, 4, [3]),
        (13, 6, [5, 4, 4]),
        (17, 8, [6, 6, 5]),
        (1, 3, []),
    ],
)
def test_meeting_sizes_differ_by_at_most_one(count: int, size: int, expected: list[int]) -> None:
    assert meeting_sizes(count, size) == expected


@PROPERTY
@given(st.lists(st.integers(0, 6), min_size=1, max_size=4), st.integers(2, 8))
def test_bound_matches_brute_force_for_every_size(groups: list[int], size: int) -> None:
    if sum(groups) < 2:
        return
    sizes = meeting_sizes(sum(groups), size)
    assert same_group_bound(groups, len(sizes)) == brute_force_group_bound(groups, sizes)
    if size == 2:
        named = {f"g{i}": s for i, s in enumerate(groups)}
        assert same_group_bound(groups, len(sizes)) == min_same_group_pairs(named)


@PROPERTY
@given(communities(max_size=40), st.integers(2, 8), st.integers(0, 2**16))
def test_any_size_reaches_the_bound_and_leaves_nobody_out(
    members: list[Participant], size: int, seed: int
) -> None:
    result = make_round(PairingInput(members, seed=seed, group_size=size))
    placed = Counter(m for meeting in result.meetings for m in meeting)
    assert sorted(placed) == sorted(p.id for p in members)
    assert set(placed.values()) == {1}
    assert sorted(map(len, result.meetings)) == sorted(meeting_sizes(len(members), size))
    group = {p.id: p.group for p in members}
    counts = Counter(group.values())
    bound = same_group_bound(list(counts.values()), len(result.meetings))
    assert same_group_pairs(result.meetings, group) == bound == result.stats.min_same_group_pairs


#: Seventeen members, twelve of one group, in meetings of five: one search alone stopped
#: a same-group pair above the bound.
CROWDED = [
    Participant(
        f"p{i:02d}",
        "g0" if i == 0 else "g1" if i <= 4 else "g2",
        "Europe/London" if i in (4, 6) else None,
    )
    for i in range(17)
]


@PROPERTY
@given(communities(max_size=40), st.integers(3, 6), st.integers(0, 10), st.integers(0, 2**32))
@example(CROWDED, 5, 6, 0)
def test_no_pair_from_recent_rounds_meets_again(
    members: list[Participant], size: int, rounds: int, seed: int
) -> None:
    rng = random.Random(seed)
    planted = dealt_round(members, size)
    history = history_avoiding(members, pairs_in(planted), rounds, rng)
    inp = PairingInput(members, history=history, seed=seed % 1000, group_size=size)
    result = make_round(inp)
    assert result.stats.repeats == 0
    recent = history[-inp.avoid_repeat_rounds :]
    assert not pairs_in(result.meetings) & pairs_in(m for r in recent for m in r)
    assert result.stats.same_group_pairs == result.stats.min_same_group_pairs


def test_every_pair_in_a_meeting_of_four_counts_as_met() -> None:
    members = people([4, 4, 4, 4])
    first = make_round(PairingInput(members, group_size=4))
    history: list[tuple[Meeting, ...]] = [first.meetings]
    second = make_round(PairingInput(members, history=history, group_size=4, seed=1))
    assert not pairs_in(first.meetings) & pairs_in(second.meetings)
    assert second.stats.same_group_pairs == second.stats.min_same_group_pairs == 0


def _weeks(inp: PairingInput, count: int) -> list[tuple[Meeting, ...]]:
    history: list[tuple[Meeting, ...]] = []
    for week in range(count):
        history.append(
            make_round(PairingInput(**{**inp.__dict__, "history": history, "seed": week})).meetings
        )
    return history


def test_smaller_meetings_rotate_over_rounds() -> None:
    members = people([2] * 11)
    history = _weeks(PairingInput(members, group_size=4, avoid_repeat_rounds=2), 11)
    smaller: Counter[str] = Counter({p.id: 0 for p in members})
    for week in history:
        assert sorted(map(len, week)) == [3, 3, 4, 4, 4, 4]
        for meeting in week:
            if len(meeting) == 3:
                smaller.update(meeting)
    assert sum(smaller.values()) == 11 * 6
    assert max(smaller.values()) - min(smaller.values()) <= 2


def test_crowded_meetings_of_the_largest_group_rotate() -> None:
    members = people([20, 6, 6])
    group = {p.id: p.group for p in members}
    history = _weeks(PairingInput(members, group_size=4, avoid_repeat_rounds=2), 10)
    crowded: Counter[str] = Counter({p.id: 0 for p in members if p.group == "g0"})
    for week in history:
        assert same_group_pairs(week, group) == same_group_bound([20, 6, 6], len(week))
        for meeting in week:
            own = [m for m in meeting if group[m] == "g0"]
            if len(own) == 3:
                crowded.update(own)
    assert max(crowded.values()) - min(crowded.values()) <= 1


def test_in_person_meetings_never_mix_regions() -> None:
    members = [Participant(f"n{i}", f"g{i % 3}", region="North") for i in range(9)] + [
        Participant(f"s{i}", f"g{i % 2}", region="South") for i in range(5)
    ]
    members += [Participant("x0", "g0", region="Islands"), Participant("y0", "g1")]
    result = make_round(PairingInput(members, group_size=3, format="in_person"))
    region = {p.id: p.region for p in members}
    assert all(len({region[m] for m in meeting}) == 1 for meeting in result.meetings)
    assert result.sat_out == (SitOut("x0", "region-too-small"), SitOut("y0", "no-region"))
    north = [m for m in result.meetings if m[0].startswith("n")]
    south = [m for m in result.meetings if m[0].startswith("s")]
    assert sorted(map(len, north)) == [3, 3, 3]
    assert sorted(map(len, south)) == [2, 3]
    assert result.stats.same_group_pairs == result.stats.min_same_group_pairs == 1
    online = make_round(PairingInput(members, group_size=3))
    assert online.sat_out == ()


@PROPERTY
@given(communities(max_size=40), st.integers(2, 6), st.randoms(use_true_random=False))
def test_no_meeting_mixes_regions(
    members: list[Participant], size: int, rng: random.Random
) -> None:
    regions = ["North", "South", "East"]
    placed = [
        Participant(p.id, p.group, p.timezone, p.interests, rng.choice(regions)) for p in members
    ]
    result = make_round(PairingInput(placed, group_size=size, format="in_person"))
    region = {p.id: p.region for p in placed}
    assert all(len({region[m] for m in meeting}) == 1 for meeting in result.meetings)
    assert {s.reason for s in result.sat_out} <= {"region-too-small"}
    for name in regions:
        here = [p.id for p in placed if p.region == name]
        mine = [m for m in result.meetings if region[m[0]] == name]
        assert sorted(map(len, mine)) == sorted(meeting_sizes(len(here), size))
    assert result.stats.same_group_pairs == result.stats.min_same_group_pairs


def test_spread_hours_per_meeting() -> None:
    members = [
        Participant("a", "x", "Europe/London"),
        Participant("b", "y", "America/New_York"),
        Participant("c", "x", "Asia/Tokyo"),
        Participant("d", "y", "Pacific/Auckland"),
        Participant("e", "z", None),
        Participant("f", "z", None),
    ]
    meetings = make_round(PairingInput(members, group_size=3)).meetings
    result = make_round(PairingInput(members, group_size=3))
    spreads = dict(zip(meetings, result.spread_hours, strict=True))
    assert all(0 <= hours <= 12 for hours in spreads.values())
    lone = make_round(PairingInput(members[:2]))
    assert lone.spread_hours == (5.0,)
    far = make_round(PairingInput([members[1], members[2]]))
    assert far.spread_hours == (10.0,)
    unknown = make_round(PairingInput(members[4:]))
    assert unknown.spread_hours == (0.0,)


@pytest.mark.parametrize(
    ("inp", "message"),
    [
        (PairingInput(people([2]), group_size=1), "group_size"),
        (PairingInput(people([2]), group_size=9), "group_size"),
        (PairingInput(people([2]), format="hybrid"), "format"),
        (PairingInput(people([2]), sit_outs={"m00": -1}), "sit_outs"),
    ],
)
def test_invalid_sizes_and_formats_raise(inp: PairingInput, message: str) -> None:
    with pytest.raises(PairingInputError, match=message):
        make_round(inp)
