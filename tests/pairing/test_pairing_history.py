"""The table of who has met, and the burdens read from any history, equal a plain recount."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.pairing import PairingInput
from bot.services.pairing.problem import SAME_GROUP_DECAY, TRIAD_DECAY, build_problem

from .helpers import people

MEMBERS = people([4, 4, 4])
IDS = [p.id for p in MEMBERS]
GROUP = {p.id: p.group for p in MEMBERS}
# Past meetings may name members who have since left, or (in a hand-made file) the
# same member twice.
names = st.sampled_from([*IDS, "gone1", "gone2"])
histories = st.lists(st.lists(st.lists(names, min_size=2, max_size=6), max_size=4), max_size=5)


@given(histories, st.sampled_from([2, 3, 4]))
def test_who_has_met_equals_a_recount(history: list[list[list[str]]], group_size: int) -> None:
    problem = build_problem(
        PairingInput(
            MEMBERS, history=[[tuple(m) for m in rnd] for rnd in history], group_size=group_size
        )
    )
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    expected: list[dict[int, int]] = [{} for _ in IDS]
    same = [0.0] * len(IDS)
    odd = [0.0] * len(IDS)
    for position, meetings in enumerate(history):
        age = len(history) - position
        for meeting in meetings:
            known = {index[m] for m in meeting if m in index}
            for u in known:
                for v in known - {u}:
                    expected[u][v] = age
            listed = [m for m in meeting if m in index]
            if len(meeting) == 2:
                if len(known) == 2 and GROUP[listed[0]] == GROUP[listed[1]]:
                    for m in listed:
                        same[index[m]] += SAME_GROUP_DECAY ** (age - 1)
                continue
            if len(meeting) == (3 if group_size == 2 else -1) or (
                group_size > 2 and len(meeting) != group_size
            ):
                for m in listed:
                    odd[index[m]] += TRIAD_DECAY ** (age - 1)
            if len(listed) < 2:
                continue
            for m in listed:
                own = sum(GROUP[o] == GROUP[m] for o in listed) - 1
                if group_size > 2:
                    same[index[m]] += SAME_GROUP_DECAY ** (age - 1) * own
                elif own == len(listed) - 1:
                    same[index[m]] += SAME_GROUP_DECAY ** (age - 1)
    assert problem.met == expected
    assert problem.same_group_burden == same
    assert problem.triad_burden == odd
