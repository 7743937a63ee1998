from __future__ import annotations

from bot.services.pairing import PairingInput
from bot.services.pairing.polish import Matching, repair
from bot.services.pairing.problem import build_problem
from bot.services.pairing.scoring import pair_value_function

from .helpers import people


def test_repair_removes_a_repeat_and_a_blocked_pair_in_a_large_round() -> None:
    members = people([300, 300])
    ids = [p.id for p in members]
    history = [((ids[0], ids[300]),)]
    inp = PairingInput(members, history=history, blocked=[(ids[1], ids[301])])
    problem = build_problem(inp)
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    value = pair_value_function(problem)
    pairs = [[index[ids[k]], index[ids[k + 300]]] for k in range(300)]
    matching = Matching(problem, value, pairs)
    assert matching.breaks_hard_goal(0) and matching.breaks_hard_goal(1)
    assert repair(matching, same_group_excess=0, max_evaluations=10**6) >= 1
    assert not any(matching.breaks_hard_goal(m) for m in range(300))
    assert all(problem.group[a] != problem.group[b] for a, b in matching.meetings)


def test_repair_lowers_excess_same_group_pairs() -> None:
    problem = build_problem(PairingInput(people([4, 4])))
    value = pair_value_function(problem)
    matching = Matching(problem, value, [[0, 1], [2, 3], [4, 5], [6, 7]])
    repair(matching, same_group_excess=4, max_evaluations=10**6)
    assert all(problem.group[a] != problem.group[b] for a, b in matching.meetings)
