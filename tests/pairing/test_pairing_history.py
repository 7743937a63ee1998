"""The table of who has met, read from any history, equals a plain recount."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.pairing import PairingInput
from bot.services.pairing.problem import build_problem

from .helpers import people

MEMBERS = people([4, 4, 4])
IDS = [p.id for p in MEMBERS]
# Past meetings may name members who have since left, or (in a hand-made file) the
# same member twice.
names = st.sampled_from([*IDS, "gone1", "gone2"])
histories = st.lists(st.lists(st.lists(names, min_size=2, max_size=6), max_size=4), max_size=5)


@given(histories)
def test_who_has_met_equals_a_recount(history: list[list[list[str]]]) -> None:
    problem = build_problem(
        PairingInput(MEMBERS, history=[[tuple(m) for m in rnd] for rnd in history])
    )
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    expected: list[dict[int, int]] = [{} for _ in IDS]
    for position, meetings in enumerate(history):
        age = len(history) - position
        for meeting in meetings:
            known = {index[m] for m in meeting if m in index}
            for u in known:
                for v in known - {u}:
                    expected[u][v] = age
    assert problem.met == expected
