"""'Never pair me with' is a hard rule: blocked members never meet, someone sits out."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from bot.services.pairing import (
    PairingInput,
    PairingResult,
    Participant,
    SitOut,
    make_round,
    meeting_sizes,
)

from .helpers import PROPERTY, brute_force_placed, pairs_in, people

REASONS = {"blocked", "no-valid-partner", "region-too-small", "no-region"}
TRIANGLE = [("m00", "m01"), ("m01", "m02"), ("m02", "m00")]


def test_a_blocked_pair_is_never_placed_even_when_nobody_else_is_there() -> None:
    members = people([1, 1, 1, 1])
    blocked = [("m00", "m01"), ("m00", "m02"), ("m00", "m03")]
    result = make_round(PairingInput(members, blocked=blocked))
    assert result.meetings == (("m01", "m02", "m03"),)
    assert result.sat_out == (SitOut("m00", "blocked"),)
    assert result.stats.blocked_pairs == 0


def test_three_who_block_each_other_in_a_circle_never_become_a_trio() -> None:
    result = make_round(PairingInput(people([1, 1, 1]), blocked=TRIANGLE))
    assert result.meetings == ()
    assert {s.id for s in result.sat_out} == {"m00", "m01", "m02"}
    assert {s.reason for s in result.sat_out} == {"blocked"}


def test_a_circle_of_blocks_among_five_seats_out_one() -> None:
    result = make_round(PairingInput(people([1, 1, 1, 1, 1]), blocked=TRIANGLE))
    assert not pairs_in(result.meetings) & {frozenset(p) for p in TRIANGLE}
    assert len(result.sat_out) == 1
    assert result.sat_out[0].id in {"m00", "m01", "m02"}
    assert result.stats.sit_outs == 1
    assert sorted(len(m) for m in result.meetings) == [2, 2]


def test_whoever_sat_out_least_sits_out_and_it_rotates() -> None:
    members = people([1, 1, 1, 1, 1])
    counts = {"m00": 0, "m01": 0, "m02": 0}
    history: list[tuple[tuple[str, ...], ...]] = []
    order = []
    for week in range(6):
        result = make_round(
            PairingInput(members, history=history, blocked=TRIANGLE, seed=week, sit_outs=counts)
        )
        (out,) = result.sat_out
        assert counts[out.id] == min(counts.values())
        counts = {**counts, out.id: counts[out.id] + 1}
        order.append(out.id)
        history.append(result.meetings)
    assert Counter(order) == {"m00": 2, "m01": 2, "m02": 2}


def test_a_repeat_is_allowed_only_to_spare_a_sit_out() -> None:
    members = people([1, 1, 1, 1])
    history = [(("m00", "m01"), ("m02", "m03"))]
    blocked = [("m00", "m02"), ("m00", "m03"), ("m01", "m02"), ("m01", "m03")]
    result = make_round(PairingInput(members, history=history, blocked=blocked))
    assert result.meetings == (("m00", "m01"), ("m02", "m03"))
    assert result.stats.repeats == 2
    assert result.sat_out == ()


def test_blocks_hold_in_meetings_of_four() -> None:
    members = people([6, 6])
    blocked = [(a.id, b.id) for a, b in itertools.combinations(members[:3], 2)]
    result = make_round(PairingInput(members, blocked=blocked, group_size=4))
    assert result.sat_out == ()
    assert not pairs_in(result.meetings) & {frozenset(p) for p in blocked}
    assert sorted(len(m) for m in result.meetings) == [4, 4, 4]
    crowded = make_round(PairingInput(members[:8], blocked=[*blocked, ("m00", "m03")]))
    assert crowded.sat_out == ()
    four = make_round(PairingInput(members[:8], blocked=[*blocked, ("m00", "m03")], group_size=4))
    assert four.sat_out == (SitOut("m00", "blocked"),)
    assert sorted(len(m) for m in four.meetings) == [3, 4]


@st.composite
def blocked_rounds(draw: st.DrawFn, max_size: int = 24) -> PairingInput:
    count = draw(st.integers(2, max_size))
    groups = draw(st.integers(1, 4))
    in_person = draw(st.booleans())
    regions = [None, "north", "south", "east"]
    members = [
        Participant(
            f"p{i:02d}",
            f"g{draw(st.integers(0, groups - 1))}",
            draw(st.sampled_from([None, "Europe/London", "Asia/Tokyo"])),
            region=draw(st.sampled_from(regions[1:] if draw(st.integers(0, 9)) else regions)),
        )
        for i in range(count)
    ]
    ids = [p.id for p in members]
    pairs = list(itertools.combinations(ids, 2))
    blocked = draw(st.lists(st.sampled_from(pairs), max_size=2 * count, unique=True))
    sit_outs = {i: draw(st.integers(0, 3)) for i in draw(st.lists(st.sampled_from(ids)))}
    return PairingInput(
        members,
        blocked=blocked,
        seed=draw(st.integers(0, 1000)),
        group_size=draw(st.integers(2, 8)),
        format="in_person" if in_person else "online",
        sit_outs=sit_outs,
    )


def _partitions(inp: PairingInput) -> dict[str | None, list[str]]:
    parts: dict[str | None, list[str]] = {}
    for p in inp.participants:
        parts.setdefault(p.region if inp.format == "in_person" else "", []).append(p.id)
    return parts


def _check_round(inp: PairingInput, result: PairingResult) -> None:
    blocked = {frozenset(p) for p in inp.blocked}
    assert not pairs_in(result.meetings) & blocked
    assert result.stats.blocked_pairs == 0
    placed = Counter(m for meeting in result.meetings for m in meeting)
    out = [s.id for s in result.sat_out]
    assert sorted([*placed, *out]) == sorted(p.id for p in inp.participants)
    assert set(placed.values()) <= {1}
    assert {s.reason for s in result.sat_out} <= REASONS
    assert result.stats.sit_outs == len(out)
    assert len(result.spread_hours) == len(result.meetings)
    region = {p.id: p.region for p in inp.participants}
    for key, ids in _partitions(inp).items():
        mine = [m for m in result.meetings if m[0] in ids]
        if inp.format == "in_person":
            assert all(region[x] == key for m in mine for x in m)
        here = sum(len(m) for m in mine)
        assert sorted(map(len, mine)) == sorted(meeting_sizes(here, inp.group_size))


@PROPERTY
@given(blocked_rounds())
def test_no_meeting_ever_holds_a_blocked_pair_or_mixes_regions(inp: PairingInput) -> None:
    _check_round(inp, make_round(inp))


@PROPERTY
@given(blocked_rounds(max_size=8))
def test_sit_outs_are_as_few_as_brute_force_allows(inp: PairingInput) -> None:
    result = make_round(inp)
    _check_round(inp, result)
    blocked = {frozenset(p) for p in inp.blocked}
    fewest = 0
    for key, ids in _partitions(inp).items():
        if key is None:
            fewest += len(ids)
        else:
            fewest += len(ids) - brute_force_placed(ids, blocked, inp.group_size)
    assert len(result.sat_out) == fewest
