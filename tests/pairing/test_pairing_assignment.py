"""The assignment start: its matrix is the scorer's, and rounds come out near exact."""

from __future__ import annotations

import random
from dataclasses import replace

import networkx as nx

from bot.services.pairing import Meeting, PairingInput, Participant, make_round, soft_score
from bot.services.pairing.assignment import value_matrix
from bot.services.pairing.problem import build_problem
from bot.services.pairing.scoring import pair_value_function

ZONES = [None, "Europe/London", "Europe/Paris", "America/New_York", "Asia/Kolkata"]
TAGS = ["food", "walking", "music", "art", "reading", "tech"]


def _community(count: int, seed: int) -> PairingInput:
    rng = random.Random(seed)
    members = [
        Participant(
            f"p{i:03d}",
            rng.choices(["big", "a", "b", "c"], [60, 14, 13, 13])[0],
            rng.choice(ZONES),
            frozenset(rng.sample(TAGS, rng.randint(0, 3))),
        )
        for i in range(count)
    ]
    ids = [p.id for p in members]
    blocked = [tuple(rng.sample(ids, 2)) for _ in range(count // 20)]
    inp = PairingInput(members, blocked=[(a, b) for a, b in blocked], seed=seed)
    history: list[tuple[Meeting, ...]] = []
    for week in range(6):
        history.append(make_round(replace(inp, history=list(history), seed=week)).meetings)
    return replace(inp, history=history)


def test_value_matrix_matches_the_scorer() -> None:
    inp = _community(60, 3)
    problem = build_problem(inp)
    value = pair_value_function(problem)
    members = list(range(0, problem.size, 2))
    matrix = value_matrix(problem, members)
    for i, u in enumerate(members):
        for j, v in enumerate(members):
            if u != v:
                assert abs(matrix[i, j] - value(u, v)) < 1e-9


def test_rounds_score_within_one_percent_of_exact_matching() -> None:
    inp = _community(120, 7)
    problem = build_problem(inp)
    value = pair_value_function(problem)
    graph = nx.Graph()
    for u in range(problem.size):
        for v in range(u + 1, problem.size):
            graph.add_edge(u, v, weight=value(u, v) + 2e9)
    exact = [
        (problem.ids[u], problem.ids[v])
        for u, v in nx.max_weight_matching(graph, maxcardinality=True)
    ]
    result = make_round(inp)
    assert result.stats.repeats == 0
    assert result.stats.same_group_pairs == result.stats.min_same_group_pairs
    assert result.stats.soft_score >= 0.99 * soft_score(inp, exact)
