"""Properties over generated communities and histories.

Histories are built around a planted round that reaches the bound and avoids every
past and blocked pair, so a repeat-free, block-free round at the bound is known to
exist; the engine must then find one.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bot.services.pairing import Meeting, PairingInput, Participant, make_round

from .helpers import PROPERTY, assert_complete, history_avoiding, pairs_in, planted_round

TIMEZONES = [None, "Europe/London", "Europe/Paris", "America/New_York", "Asia/Kolkata"]
TAGS = ["food", "walking", "music", "art", "reading"]


@st.composite
def communities(draw: st.DrawFn, max_size: int = 40) -> list[Participant]:
    groups = draw(st.lists(st.integers(1, 12), min_size=1, max_size=5))
    labels = [f"g{g}" for g, size in enumerate(groups) for _ in range(size)]
    labels = labels[: max(2, max_size)]
    if len(labels) < 2:
        labels.append("g9")
    members = []
    for i, label in enumerate(labels):
        zone = draw(st.sampled_from(TIMEZONES))
        tags = draw(st.frozensets(st.sampled_from(TAGS), max_size=3))
        members.append(Participant(f"p{i:02d}", label, zone, tags))
    return members


@st.composite
def constrained_inputs(draw: st.DrawFn) -> tuple[PairingInput, list[Meeting]]:
    members = draw(communities())
    rng = random.Random(draw(st.integers(0, 2**32)))
    planted = planted_round(members, rng)
    keep_apart = pairs_in(planted)
    rounds = draw(st.integers(0, 10))
    history = history_avoiding(members, keep_apart, rounds, rng)
    ids = [p.id for p in members]
    blocked = []
    for _ in range(draw(st.integers(0, len(ids)))):
        a, b = rng.sample(ids, 2)
        if frozenset((a, b)) not in keep_apart:
            blocked.append((a, b))
    inp = PairingInput(
        members,
        history=history,
        blocked=blocked,
        avoid_repeat_rounds=draw(st.integers(1, 10)),
        seed=draw(st.integers(0, 1000)),
    )
    return inp, planted


@PROPERTY
@given(constrained_inputs())
def test_everyone_once_at_the_bound_without_repeats_or_blocks(
    case: tuple[PairingInput, list[Meeting]],
) -> None:
    inp, _ = case
    result = make_round(inp)
    assert_complete(result, inp.participants)
    assert Counter(len(m) for m in result.meetings)[3] == len(inp.participants) % 2
    stats = result.stats
    assert stats.blocked_pairs == 0
    assert stats.repeats == 0
    assert stats.same_group_pairs == stats.min_same_group_pairs
    recent = pairs_in(m for r in inp.history[-inp.avoid_repeat_rounds :] for m in r)
    assert not pairs_in(result.meetings) & recent
    assert not pairs_in(result.meetings) & {frozenset(p) for p in inp.blocked}


@PROPERTY
@given(communities(max_size=30), st.integers(0, 2**16), st.randoms(use_true_random=False))
def test_same_bound_without_history(
    members: list[Participant], seed: int, rng: random.Random
) -> None:
    result = make_round(PairingInput(members, seed=seed))
    assert_complete(result, members)
    assert result.stats.same_group_pairs == result.stats.min_same_group_pairs


@PROPERTY
@given(constrained_inputs(), st.randoms(use_true_random=False))
def test_same_seed_same_round_in_any_input_order(
    case: tuple[PairingInput, list[Meeting]], rng: random.Random
) -> None:
    inp, _ = case
    first = make_round(inp)
    shuffled = list(inp.participants)
    rng.shuffle(shuffled)
    blocked = [(b, a) for a, b in inp.blocked]
    rng.shuffle(blocked)
    history = [tuple(tuple(reversed(m)) for m in reversed(r)) for r in inp.history]
    again = make_round(replace(inp, participants=shuffled, blocked=blocked, history=history))
    assert again == first
    assert make_round(inp) == first
