"""Large rounds clear repeats by trading members of the same group between meetings."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bot.services.pairing import PairingInput, Participant, make_round
from bot.services.pairing.general import Grouping, deal, trade_within_groups
from bot.services.pairing.problem import build_problem
from bot.services.pairing.scoring import build_scorer

from .helpers import PROPERTY
from .test_pairing_properties import communities


def _clashes(grouping: Grouping) -> int:
    problem = grouping.problem
    return sum(
        problem.is_blocked(u, v) or problem.is_repeat(u, v)
        for members in grouping.meetings
        for i, u in enumerate(members)
        for v in members[i + 1 :]
    )


@PROPERTY
@given(communities(max_size=60), st.integers(3, 6), st.randoms(use_true_random=False))
def test_trades_keep_every_meetings_groups_and_only_remove_clashes(
    members: list[Participant], size: int, rng: random.Random
) -> None:
    ids = [p.id for p in members]
    history = []
    for _ in range(rng.randint(1, 4)):
        rng.shuffle(ids)
        history.append([tuple(ids[i : i + size]) for i in range(0, len(ids) - 1, size)])
    blocked = [tuple(rng.sample(ids, 2)) for _ in range(rng.randint(0, 3))]
    problem = build_problem(
        PairingInput(members, history=history, blocked=blocked, group_size=size)
    )
    grouping = Grouping(problem, build_scorer(problem), deal(problem, random.Random(1)))
    before = [Counter(problem.group[u] for u in m) for m in grouping.meetings]
    clashes = _clashes(grouping)

    swaps = trade_within_groups(grouping, reach=rng.randint(1, 12))

    assert [Counter(problem.group[u] for u in m) for m in grouping.meetings] == before
    assert sorted(u for m in grouping.meetings for u in m) == list(range(problem.size))
    assert all(grouping.where[u] == i for i, m in enumerate(grouping.meetings) for u in m)
    # Every trade clears at least one clash and adds none.
    assert _clashes(grouping) <= clashes - swaps


def test_a_large_round_with_a_long_history_reaches_every_goal() -> None:
    rng = random.Random(7)
    groups = ["care", "justice", "education", "council", "voluntary"]
    zones = ["Europe/London", "Europe/Paris", "America/New_York", "Asia/Kolkata"]
    members = [
        Participant(f"m{i:05d}", rng.choice(groups), rng.choice(zones)) for i in range(2_400)
    ]
    ids = [p.id for p in members]
    base = PairingInput(
        members,
        blocked=[tuple(rng.sample(ids, 2)) for _ in range(40)],
        avoid_repeat_rounds=6,
        group_size=4,
    )
    history: list[tuple[tuple[str, ...], ...]] = []
    for week in range(6):
        history.append(make_round(replace(base, history=list(history), seed=week)).meetings)

    result = make_round(replace(base, history=history, seed=99))

    assert result.stats.repeats == 0
    assert result.stats.blocked_pairs == 0
    assert result.stats.same_group_pairs == result.stats.min_same_group_pairs
    assert sorted(m for meeting in result.meetings for m in meeting) == ids
