"""Benchmark the pairing engine against a random shuffle and exact Blossom matching.

Run as ``python bench/pairing.py`` (``--quick`` skips exact at N = 1,000 and the
N = 100,000 case; ``--json PATH`` also writes the figures). Each community has one
group holding 60% of members, five smaller groups, seeded timezones and interests,
a few blocked pairs and 12 past rounds made by the engine itself. Exact matching
gets the same objective as the engine, as integer weights ordered blocked, repeat,
same-group, then soft score, so "soft %" compares like with like.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.pairing import (
    Meeting,
    PairingInput,
    PairingStats,
    Participant,
    evaluate_meetings,
    make_round,
)
from bot.services.pairing.problem import build_problem
from bot.services.pairing.scoring import meeting_value, pair_value_function

GROUPS = [
    ("Health & care", 60),
    ("Justice", 8),
    ("Education", 8),
    ("Local government", 8),
    ("Community groups", 8),
    ("Voluntary sector", 8),
]
TIMEZONES = [
    ("Europe/London", 68),
    ("Europe/Dublin", 5),
    ("Europe/Paris", 8),
    ("America/New_York", 5),
    ("Asia/Kolkata", 3),
    ("Australia/Sydney", 2),
    ("America/Los_Angeles", 2),
    (None, 7),
]
INTERESTS = [
    "walking", "food", "reading", "music", "gardening", "sport",
    "art", "tech", "volunteering", "faith", "parenting", "wellbeing",
]  # fmt: skip
TAG_COUNTS = [(0, 10), (1, 30), (2, 30), (3, 20), (4, 10)]
HISTORY_ROUNDS = 12
AVOID = 8
EXACT_MAX = 1_000


@dataclass
class Row:
    method: str
    n: int
    seconds: float
    peak_mb: float
    stats: PairingStats
    soft_pct: float | None = None


def community(n: int, seed: int) -> PairingInput:
    """Participants, blocked pairs and 12 engine-made past rounds."""
    rng = random.Random(seed)
    people = []
    for i in range(n):
        tags = rng.choices([c for c, _ in TAG_COUNTS], [w for _, w in TAG_COUNTS])[0]
        weights = [1.0 / (k + 1) for k in range(len(INTERESTS))]
        interests: set[str] = set()
        while len(interests) < tags:
            interests.add(rng.choices(INTERESTS, weights)[0])
        people.append(
            Participant(
                id=f"m{i:06d}",
                group=rng.choices([g for g, _ in GROUPS], [w for _, w in GROUPS])[0],
                timezone=rng.choices([t for t, _ in TIMEZONES], [w for _, w in TIMEZONES])[0],
                interests=frozenset(interests),
            )
        )
    ids = [p.id for p in people]
    blocked = {tuple(sorted(rng.sample(ids, 2))) for _ in range(max(1, n // 50))}
    inp = PairingInput(
        participants=people,
        blocked=[(a, b) for a, b in sorted(blocked)],
        avoid_repeat_rounds=AVOID,
        seed=seed,
    )
    history: list[tuple[Meeting, ...]] = []
    for week in range(HISTORY_ROUNDS):
        past = make_round(replace(inp, history=list(history), seed=seed * 100 + week))
        history.append(past.meetings)
    return replace(inp, history=history, seed=seed * 100 + HISTORY_ROUNDS)


def shuffle_round(inp: PairingInput) -> list[Meeting]:
    ids = sorted(p.id for p in inp.participants)
    random.Random(inp.seed).shuffle(ids)
    meetings = [tuple(ids[i : i + 2]) for i in range(0, len(ids) - len(ids) % 2, 2)]
    if len(ids) % 2:
        meetings[-1] = (*meetings[-1], ids[-1])
    return meetings


def exact_round(inp: PairingInput) -> list[Meeting]:
    """networkx max-weight matching on the complete graph, lexicographic weights.

    For odd N a dummy vertex joins the graph; whoever it takes joins the pair whose
    triad value is highest, as the engine's own triad step would do.
    """
    import networkx as nx

    problem = build_problem(inp)
    value = pair_value_function(problem)
    n = problem.size
    soft_unit = 1_000
    same_unit = soft_unit * 20 * (n + 1)
    repeat_unit = same_unit * (n + 1)
    blocked_unit = repeat_unit * (n + 1)
    graph = nx.Graph()
    for u in range(n):
        for v in range(u + 1, n):
            blocked = problem.is_blocked(u, v)
            repeat = problem.is_repeat(u, v)
            same = problem.group[u] == problem.group[v]
            soft = value(u, v) + 1e9 * blocked + 1e6 * repeat + 1e3 * same
            weight = round(soft * soft_unit) + 10 * soft_unit
            weight -= blocked * blocked_unit + repeat * repeat_unit + same * same_unit
            graph.add_edge(u, v, weight=weight)
    if n % 2:
        for u in range(n):
            graph.add_edge(u, n, weight=0)
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    pairs = [sorted(e) for e in matching]
    solo = [u for u, v in pairs if v == n]
    meetings = [[u, v] for u, v in pairs if v != n]
    if solo:
        best = max(
            range(len(meetings)),
            key=lambda m: (
                meeting_value(problem, value, [*meetings[m], solo[0]]) - value(*meetings[m])
            ),
        )
        meetings[best].append(solo[0])
    return [tuple(problem.ids[u] for u in m) for m in meetings]


def engine_round(inp: PairingInput) -> list[Meeting]:
    return list(make_round(inp).meetings)


def measure(
    method: str, run: Callable[[PairingInput], Sequence[Meeting]], inp: PairingInput
) -> Row:
    gc.collect()
    start = time.perf_counter()
    meetings = run(inp)
    seconds = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    run(inp)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    stats = evaluate_meetings(inp, meetings)
    return Row(method, len(inp.participants), seconds, peak, stats)


def fairness(inp: PairingInput, meetings: Sequence[Meeting]) -> tuple[int, int, float]:
    """Fewest, most and mean rounds without a cross-group partner, largest group only."""
    group = {p.id: p.group for p in inp.participants}
    counts: dict[str, int] = {}
    for g in group.values():
        counts[g] = counts.get(g, 0) + 1
    largest = max(counts, key=lambda g: (counts[g], g))
    without: dict[str, int] = {m: 0 for m, g in group.items() if g == largest}
    for round_meetings in [*inp.history, meetings]:
        for meeting in round_meetings:
            for m in meeting:
                if m in without and all(group[o] == group[m] for o in meeting if o != m):
                    without[m] += 1
    spread = without.values()
    return min(spread), max(spread), sum(spread) / len(without)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip exact at 1,000 and N=100,000")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--sizes", type=int, nargs="*", help="override the community sizes")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([50, 1_000, 20_000] if args.quick else [50, 1_000, 20_000, 100_000])
    exact_max = 200 if args.quick else EXACT_MAX
    rows: list[Row] = []
    notes: list[str] = []
    for n in sizes:
        inp = community(n, seed=n)
        methods: list[tuple[str, Callable[[PairingInput], Sequence[Meeting]]]] = [
            ("shuffle", shuffle_round),
            ("engine", engine_round),
        ]
        if n <= exact_max:
            methods.append(("exact", exact_round))
        batch = [measure(name, run, inp) for name, run in methods]
        exact = next((r for r in batch if r.method == "exact"), None)
        for row in batch:
            if exact is not None and exact.stats.soft_score > 0:
                row.soft_pct = 100 * row.stats.soft_score / exact.stats.soft_score
            rows.append(row)
            _print_row(row, first=len(rows) == 1)
        engine = next(r for r in batch if r.method == "engine")
        fewest, most, mean = fairness(inp, engine_round(inp))
        notes.append(
            f"N={n:,}: largest group, engine rounds 1-13 without a cross-group partner: "
            f"{fewest}-{most} per member (mean {mean:.2f})"
        )
        if exact is not None:
            notes.append(
                f"N={n:,}: engine is {exact.seconds / engine.seconds:,.0f}x faster than exact"
            )
    print()
    for note in notes:
        print(note)
    if args.json:
        Path(args.json).write_text(json.dumps([_as_dict(r) for r in rows], indent=2) + "\n")
    return 0


def _print_row(row: Row, first: bool) -> None:
    if first:
        print(
            f"{'method':<8} {'N':>8} {'time s':>9} {'peak MB':>8} {'same/bound':>13} "
            f"{'repeats':>7} {'blocked':>7} {'soft':>11} {'soft %':>7}"
        )
    s = row.stats
    pct = "" if row.soft_pct is None else f"{row.soft_pct:.1f}"
    print(
        f"{row.method:<8} {row.n:>8,} {row.seconds:>9.3f} {row.peak_mb:>8.1f} "
        f"{s.same_group_pairs:>6}/{s.min_same_group_pairs:<6} {s.repeats:>7} "
        f"{s.blocked_pairs:>7} {s.soft_score:>11.1f} {pct:>7}",
        flush=True,
    )


def _as_dict(row: Row) -> dict[str, object]:
    return {
        "method": row.method,
        "n": row.n,
        "seconds": row.seconds,
        "peak_mb": row.peak_mb,
        "same_group_pairs": row.stats.same_group_pairs,
        "min_same_group_pairs": row.stats.min_same_group_pairs,
        "repeats": row.stats.repeats,
        "blocked_pairs": row.stats.blocked_pairs,
        "soft_score": row.stats.soft_score,
        "soft_pct_of_exact": row.soft_pct,
    }


if __name__ == "__main__":
    raise SystemExit(main())
