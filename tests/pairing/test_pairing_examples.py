from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from bot.services.pairing import (
    Meeting,
    PairingInput,
    PairingInputError,
    Participant,
    SitOut,
    evaluate_meetings,
    make_round,
    soft_score,
)

from .helpers import assert_complete, pairs_in, people

GROUPS = ["Health & care", "Justice", "Education"]


def champions(count: int) -> list[Participant]:
    return [Participant(f"c{i}", GROUPS[i % 3], "Europe/London") for i in range(count)]


def weeks(inp: PairingInput, count: int) -> list[tuple[Meeting, ...]]:
    history: list[tuple[Meeting, ...]] = list(inp.history)
    for week in range(count):
        result = make_round(replace(inp, history=list(history), seed=week))
        assert result.stats.repeats == 0
        history.append(result.meetings)
    return history


def test_seven_champions_in_three_groups() -> None:
    members = champions(7)
    result = make_round(PairingInput(members))
    assert_complete(result, members)
    assert sorted(len(m) for m in result.meetings) == [2, 2, 3]
    assert result.stats.same_group_pairs == 0
    assert result.stats.min_same_group_pairs == 0
    triad = next(m for m in result.meetings if len(m) == 3)
    group = {p.id: p.group for p in members}
    assert len({group[m] for m in triad}) == 3


def test_second_week_repeats_no_pair() -> None:
    members = champions(12)
    first = make_round(PairingInput(members, seed=1))
    second = make_round(PairingInput(members, history=[first.meetings], seed=1))
    assert not pairs_in(first.meetings) & pairs_in(second.meetings)
    assert second.stats.repeats == 0
    assert second.stats.same_group_pairs == 0


def test_triads_rotate_over_weeks() -> None:
    members = champions(45)
    history = weeks(PairingInput(members), 13)
    in_triads = [m for week in history for meeting in week if len(meeting) == 3 for m in meeting]
    assert len(in_triads) == 39
    assert len(set(in_triads)) == 39


def test_forced_same_group_pairs_rotate() -> None:
    members = people([14, 3, 3])
    group = {p.id: p.group for p in members}
    history = weeks(PairingInput(members), 7)
    forced: Counter[str] = Counter({p.id: 0 for p in members if p.group == "g0"})
    for week in history:
        for meeting in week:
            if all(group[m] == "g0" for m in meeting):
                forced.update(meeting)
    assert sum(forced.values()) == 7 * 8
    assert max(forced.values()) - min(forced.values()) <= 1


def test_two_members_make_one_pair_and_three_one_triad() -> None:
    two = make_round(PairingInput(people([2])))
    assert two.meetings == (("m00", "m01"),)
    assert two.stats.same_group_pairs == two.stats.min_same_group_pairs == 1
    three = make_round(PairingInput(people([2, 1])))
    assert three.meetings == (("m00", "m01", "m02"),)
    assert three.stats.same_group_pairs == three.stats.min_same_group_pairs == 1


def test_blocked_pair_is_never_formed_when_avoidable() -> None:
    members = people([1, 1, 1, 1])
    blocked = [("m00", "m01"), ("m02", "m00"), ("m01", "m03")]
    result = make_round(PairingInput(members, blocked=blocked))
    assert result.stats.blocked_pairs == 0
    assert set(result.meetings) == {("m00", "m03"), ("m01", "m02")}


def test_blocked_beats_repeat() -> None:
    members = people([1, 1, 1, 1])
    history = [(("m00", "m01"), ("m02", "m03"))]
    blocked = [("m00", "m02"), ("m01", "m03")]
    result = make_round(PairingInput(members, history=history, blocked=blocked))
    assert result.stats.blocked_pairs == 0
    assert result.stats.repeats == 0
    assert set(result.meetings) == {("m00", "m03"), ("m01", "m02")}
    everything = [*blocked, ("m00", "m03"), ("m01", "m02")]
    forced = make_round(PairingInput(members, history=history, blocked=everything))
    assert forced.stats.blocked_pairs == 0
    assert forced.stats.repeats == 2


def test_two_members_who_block_each_other_both_sit_out() -> None:
    result = make_round(PairingInput(people([1, 1]), blocked=[("m00", "m01")]))
    assert result.meetings == ()
    assert result.stats.blocked_pairs == 0
    assert result.stats.sit_outs == 2
    assert result.sat_out == (SitOut("m00", "blocked"), SitOut("m01", "blocked"))


def test_repeat_window_is_respected_and_expires() -> None:
    members = people([1, 1, 1, 1])
    old = [(("m00", "m01"), ("m02", "m03")), (("m00", "m02"), ("m01", "m03"))]
    filler: list[tuple[Meeting, ...]] = [() for _ in range(3)]
    recent = make_round(PairingInput(members, history=old, avoid_repeat_rounds=2))
    assert set(recent.meetings) == {("m00", "m03"), ("m01", "m02")}
    expired = make_round(PairingInput(members, history=[*old, *filler], avoid_repeat_rounds=2))
    assert expired.stats.repeats == 0


def test_prefers_shared_timezone_and_interests() -> None:
    members = [
        Participant("a", "x", "Europe/London", frozenset({"food"})),
        Participant("b", "y", "Europe/London", frozenset({"food"})),
        Participant("c", "x", "Asia/Tokyo", frozenset({"music"})),
        Participant("d", "y", "Asia/Tokyo", frozenset({"music"})),
    ]
    result = make_round(PairingInput(members))
    assert set(result.meetings) == {("a", "b"), ("c", "d")}


def test_unknown_history_ids_are_ignored() -> None:
    result = make_round(PairingInput(people([1, 1]), history=[(("m00", "gone"),)]))
    assert result.stats.repeats == 0


@pytest.mark.parametrize(
    ("inp", "message"),
    [
        (PairingInput([Participant("a", "x")]), "at least 2"),
        (PairingInput([Participant("a", "x"), Participant("a", "y")]), "duplicate member id 'a'"),
        (PairingInput([Participant("a", "x", "Mars/Olympus"), Participant("b", "y")]), "Mars"),
        (PairingInput(people([1, 1]), avoid_repeat_rounds=-1), "avoid_repeat_rounds"),
    ],
)
def test_invalid_input_raises(inp: PairingInput, message: str) -> None:
    with pytest.raises(PairingInputError, match=message):
        make_round(inp)


def test_evaluate_scores_any_round() -> None:
    members = champions(6)
    result = make_round(PairingInput(members))
    stats = evaluate_meetings(PairingInput(members), result.meetings)
    assert stats == result.stats
    assert soft_score(PairingInput(members), result.meetings) == result.stats.soft_score
    with pytest.raises(PairingInputError, match="left out"):
        evaluate_meetings(PairingInput(members), result.meetings[:1])


def test_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from bot.services.pairing import PairingInput, Participant, make_round\n"
        "tags = ['food', 'music', 'walking', 'art']\n"
        "members = [Participant(f'p{i}', f'g{i % 4}', None, frozenset(tags[i % 3:i % 3 + 2]))"
        " for i in range(41)]\n"
        "first = make_round(PairingInput(members, seed=3))\n"
        "second = make_round(PairingInput(members, history=[first.meetings], seed=3))\n"
        "print(json.dumps([first.meetings, second.meetings]))\n"
    )
    outputs = set()
    for hash_seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop())


def test_huge_repeat_window_is_cheap() -> None:
    members = people([1, 1, 1, 1])
    history = [(("m00", "m01"), ("m02", "m03"))]
    result = make_round(PairingInput(members, history=history, avoid_repeat_rounds=10**12))
    assert result.stats.repeats == 0
