"""Benchmark the pairing engine against references, for pairs, groups and in person.

Run as ``python bench/pairing.py`` (``--quick`` skips exact at N = 1,000 and the
N = 100,000 case; ``--runs K`` repeats every timing K times, 3 by default; ``--json
PATH`` also writes the figures). Each community has one group holding 60% of members,
five smaller groups, seeded timezones, interests and regions, a few blocked pairs and
12 past rounds made by the engine itself with the same meeting size and format.

References, all scored on the engine's own scale so "soft %" compares like with like:

* ``exact``: networkx max-weight matching (pairs only), integer weights ordered
  blocked, repeat, same-group, then soft score;
* ``assign``: scipy's ``linear_sum_assignment`` over the full cross-group cost matrix,
  its cycles cut into pairs, then repaired for repeats by the engine's swap repair;
* ``search``: for meetings of three or more, the engine's round followed by a long
  local search (every two meetings, until no swap gains, plus random kicks);
* ``shuffle``: a seeded random split into meetings of the same sizes (in person:
  within each region).

In person, ``exact``, ``assign`` and ``search`` run on each region's members alone, so
their meetings keep regions apart as the engine's must.

It prints one table. Each row gives min, median and max wall seconds over the runs and
the same for CPU seconds (``time.process_time``: on a shared machine, wall time also
counts other processes' turns), then the hard-goal counts, the soft score of one run
and its "fit": the soft score without the fairness costs (timezone, interest and
new-face credit only, always positive), and the fit as a share of each reference's:
the best known (exact for pairs, else search), the assignment reference and shuffle.
The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.pairing import (
    Meeting,
    PairingInput,
    PairingStats,
    Participant,
    evaluate_meetings,
    general,
    make_round,
    meeting_sizes,
)
from bot.services.pairing.polish import Matching, polish, repair
from bot.services.pairing.problem import build_problem
from bot.services.pairing.scoring import (
    W_FAIRNESS,
    W_GROUP_FAIRNESS,
    build_scorer,
    hard_penalty,
    meeting_value,
    pair_value_function,
)

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
REGIONS = [("London", 40), ("North", 25), ("Midlands", 20), ("Scotland", 10), ("Wales", 5)]
INTERESTS = [
    "walking", "food", "reading", "music", "gardening", "sport",
    "art", "tech", "volunteering", "faith", "parenting", "wellbeing",
]  # fmt: skip
TAG_COUNTS = [(0, 10), (1, 30), (2, 30), (3, 20), (4, 10)]
HISTORY_ROUNDS = 12
AVOID = 8
EXACT_MAX = 1_000
ASSIGN_MAX = 2_000
SEARCH_MAX = 1_000
SEARCH_KICKS = 6

Method = Callable[[PairingInput], tuple[Sequence[Meeting], Sequence[str]]]


@dataclass(frozen=True)
class Case:
    size: int
    format: str
    n: int

    @property
    def label(self) -> str:
        where = "in person" if self.format == "in_person" else "online"
        return f"size {self.size}, {where}"


@dataclass
class Row:
    case: Case
    method: str
    seconds: list[float]
    stats: PairingStats
    cpu: list[float] = field(default_factory=list)
    fit: float = 0.0
    reference: str | None = None
    soft_pct: float | None = None
    #: The fit as a share of each reference's (exact or search, assign, shuffle).
    shares: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def community(
    n: int, seed: int, group_size: int = 2, meeting_format: str = "online"
) -> PairingInput:
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
                region=rng.choices([r for r, _ in REGIONS], [w for _, w in REGIONS])[0],
            )
        )
    ids = [p.id for p in people]
    blocked = {tuple(sorted(rng.sample(ids, 2))) for _ in range(max(1, n // 50))}
    inp = PairingInput(
        participants=people,
        blocked=[(a, b) for a, b in sorted(blocked)],
        avoid_repeat_rounds=AVOID,
        seed=seed,
        group_size=group_size,
        format=meeting_format,
    )
    history: list[tuple[Meeting, ...]] = []
    for week in range(HISTORY_ROUNDS):
        past = make_round(replace(inp, history=list(history), seed=seed * 100 + week))
        history.append(past.meetings)
    return replace(inp, history=history, seed=seed * 100 + HISTORY_ROUNDS)


def engine_round(inp: PairingInput) -> tuple[Sequence[Meeting], Sequence[str]]:
    result = make_round(inp)
    return result.meetings, [s.id for s in result.sat_out]


def shuffle_round(inp: PairingInput) -> tuple[Sequence[Meeting], Sequence[str]]:
    """Seeded random meetings of the engine's sizes (per region in person)."""
    parts: dict[str | None, list[str]] = {}
    for p in inp.participants:
        parts.setdefault(p.region if inp.format == "in_person" else None, []).append(p.id)
    rng = random.Random(inp.seed)
    meetings: list[Meeting] = []
    out: list[str] = []
    for key in sorted(parts, key=str):
        ids = sorted(parts[key])
        rng.shuffle(ids)
        sizes = meeting_sizes(len(ids), inp.group_size)
        if not sizes:
            out.extend(ids)
        start = 0
        for size in sizes:
            meetings.append(tuple(ids[start : start + size]))
            start += size
    return meetings, out


def exact_round(inp: PairingInput) -> tuple[Sequence[Meeting], Sequence[str]]:
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
    return [tuple(problem.ids[u] for u in m) for m in meetings], []


def assignment_round(inp: PairingInput) -> tuple[Sequence[Meeting], Sequence[str]]:
    """linear_sum_assignment on the cross-group cost matrix, cut into pairs, repaired.

    The assignment is a cover of everyone by cycles; each cycle gives alternate
    pairs, leftovers pair up best-first (the last one, for odd N, joins the pair it
    suits best), then the engine's swap repair and polish fix repeats and blocks.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    problem = build_problem(inp)
    scorer = build_scorer(problem)
    value = scorer.value
    n = problem.size
    everyone = list(range(n))
    cost = np.array([scorer.values_for(u, everyone) for u in everyone], dtype=float)
    cost = -cost
    np.fill_diagonal(cost, 1e15)
    _, partner = linear_sum_assignment(cost)
    seen = [False] * n
    meetings: list[list[int]] = []
    left: list[int] = []
    for start in range(n):
        if seen[start]:
            continue
        cycle = []
        u = start
        while not seen[u]:
            seen[u] = True
            cycle.append(u)
            u = int(partner[u])
        for i in range(0, len(cycle) - 1, 2):
            meetings.append([cycle[i], cycle[i + 1]])
        if len(cycle) % 2:
            left.append(cycle[-1])
    while len(left) > 1:
        u = left.pop()
        v = max(left, key=lambda w: value(u, w))
        left.remove(v)
        meetings.append([u, v])
    if left:
        u = left[0]
        best = max(
            range(len(meetings)), key=lambda m: meeting_value(problem, value, [*meetings[m], u])
        )
        meetings[best].append(u)
    matching = Matching(problem, value, meetings)
    repair(matching, 0, 10**8)
    candidates = [
        sorted(((value(u, v), v) for v in everyone if v != u), reverse=True)[:30] for u in everyone
    ]
    polish(matching, candidates, everyone, 200 * n)
    return [tuple(problem.ids[u] for u in m) for m in matching.meetings], []


def search_round(inp: PairingInput) -> tuple[Sequence[Meeting], Sequence[str]]:
    """The engine's round, then a long local search over every two meetings."""
    result = make_round(inp)
    problem = build_problem(inp)
    scorer = build_scorer(problem)
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    grouping = general.Grouping(
        problem, scorer, [[index[m] for m in meeting] for meeting in result.meetings]
    )
    grouping = general.search(grouping, random.Random(inp.seed), SEARCH_KICKS)
    general.settle(grouping, passes=50)
    meetings = [tuple(problem.ids[u] for u in m) for m in grouping.meetings]
    return meetings, [s.id for s in result.sat_out]


def region_by_region(method: Method) -> Method:
    """An online reference run on each region's members alone, for the in-person format:
    every meeting then stays inside one region, as the engine's do."""

    def run(inp: PairingInput) -> tuple[Sequence[Meeting], Sequence[str]]:
        parts: dict[str | None, list[Participant]] = {}
        for p in inp.participants:
            parts.setdefault(p.region, []).append(p)
        meetings: list[Meeting] = []
        out: list[str] = []
        for region in sorted(parts, key=str):
            people = parts[region]
            if region is None or len(people) < 2:
                out.extend(p.id for p in people)
                continue
            found, left = method(replace(inp, participants=people, format="online"))
            meetings.extend(found)
            out.extend(left)
        return meetings, out

    return run


def fit_score(inp: PairingInput, meetings: Sequence[Meeting]) -> float:
    """Timezone, interest and novelty credit over every pair inside meetings."""
    problem = build_problem(inp)
    value = pair_value_function(problem)
    index = {member_id: i for i, member_id in enumerate(problem.ids)}
    fairness = W_FAIRNESS if problem.meeting_size == 2 else W_GROUP_FAIRNESS
    total = 0.0
    for meeting in meetings:
        members = [index[m] for m in meeting]
        for i, u in enumerate(members):
            for v in members[i + 1 :]:
                total += value(u, v) + hard_penalty(problem, u, v)
                if problem.group[u] == problem.group[v]:
                    burden = problem.same_group_burden[u] + problem.same_group_burden[v]
                    total += fairness * burden
    return round(total, 3)


def measure(case: Case, method: str, run: Method, inp: PairingInput, runs: int) -> Row:
    seconds = []
    cpu = []
    meetings: Sequence[Meeting] = ()
    out: Sequence[str] = ()
    for _ in range(runs):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        meetings, out = run(inp)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    row = Row(case, method, seconds, evaluate_meetings(inp, meetings, out), cpu)
    row.fit = fit_score(inp, meetings)
    return row


def methods_for(case: Case, quick: bool) -> list[tuple[str, Method, int]]:
    """(name, method, runs cap) for a case; references come last."""
    found: list[tuple[str, Method, int]] = [
        ("shuffle", shuffle_round, 99),
        ("engine", engine_round, 99),
    ]
    online = case.format == "online"

    def fitted(method: Method) -> Method:
        return method if online else region_by_region(method)

    if case.size == 2:
        if case.n <= ASSIGN_MAX:
            found.append(("assign", fitted(assignment_round), 99))
        if case.n <= (200 if quick else EXACT_MAX):
            found.append(("exact", fitted(exact_round), 1))
    elif case.n <= SEARCH_MAX:
        found.append(("search", fitted(search_round), 1))
    return found


def reference_of(rows: list[Row]) -> Row:
    """exact, else search, else shuffle: the best-known round for the case."""
    by_name = {row.method: row for row in rows}
    for name in ("exact", "search"):
        if name in by_name:
            return by_name[name]
    return by_name["shuffle"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip exact at 1,000 and N=100,000")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per method (>= 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--sizes", type=int, nargs="*", help="override the community sizes")
    parser.add_argument("--cases", nargs="*", help="only these cases, e.g. 2 4 6 2p 4p")
    args = parser.parse_args(argv)
    runs = max(1, args.runs)
    sizes = args.sizes or ([50, 1_000, 20_000] if args.quick else [50, 1_000, 20_000, 100_000])
    wanted = args.cases or ["2", "4", "6", "2p", "4p"]
    cases = []
    for name in wanted:
        size, in_person = int(name.rstrip("p")), name.endswith("p")
        for n in sizes:
            if (size == 2 and not in_person) or n <= 20_000:
                cases.append(Case(size, "in_person" if in_person else "online", n))
    rows: list[Row] = []
    print(f"load average before: {_load()} ({os.cpu_count()} cores)", flush=True)
    for case in cases:
        inp = community(case.n, seed=case.n, group_size=case.size, meeting_format=case.format)
        batch = [
            measure(case, name, run, inp, min(runs, cap))
            for name, run, cap in methods_for(case, args.quick)
        ]
        reference = reference_of(batch)
        by_name = {row.method: row for row in batch}
        for row in batch:
            row.reference = reference.method
            if reference.fit > 0:
                row.soft_pct = 100 * row.fit / reference.fit
            for name in (reference.method, "assign", "shuffle"):
                if name in by_name and by_name[name].fit > 0:
                    row.shares[name] = 100 * row.fit / by_name[name].fit
            print(f"  measured {case.label}, N = {case.n:,}: {row.method}", file=sys.stderr)
            rows.append(row)
    _print_table(rows)
    print(f"load average after: {_load()} (1, 5 and 15 minutes)")
    if args.json:
        Path(args.json).write_text(json.dumps([_as_dict(r) for r in rows], indent=2) + "\n")
    return 0


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _print_table(rows: Sequence[Row]) -> None:
    head = (
        f"{'case':<18} {'method':<7} {'N':>7} {'runs':>4} {'wall min/med/max s':>20} "
        f"{'CPU min/med/max s':>20} {'same/bound':>13} {'rep':>4} {'blk':>4} {'out':>4} "
        f"{'fit':>10} {'% best':>13} {'% assign':>8} {'% shuffle':>9}"
    )
    print("\n" + head)
    print("-" * len(head))
    for row in rows:
        s, t, c = row.stats, row.seconds, row.cpu
        best = row.reference or ""
        share = row.shares.get(best)
        print(
            f"{row.case.label:<18} {row.method:<7} {row.case.n:>7,} {len(t):>4} "
            f"{_spread(t):>20} {_spread(c):>20} "
            f"{s.same_group_pairs:>6}/{s.min_same_group_pairs:<6} {s.repeats:>4} "
            f"{s.blocked_pairs:>4} {s.sit_outs:>4} {row.fit:>10.1f} "
            f"{'' if share is None else f'{share:.1f} {best}':>13} "
            f"{_share(row, 'assign'):>8} {_share(row, 'shuffle'):>9}"
        )
    print(
        "fit: timezone, interest and new-face credit; % best: of exact (pairs) or search "
        "(larger meetings); blank where a reference does not run at that size"
    )


def _spread(values: Sequence[float]) -> str:
    return f"{min(values):.3f}/{statistics.median(values):.3f}/{max(values):.3f}"


def _share(row: Row, name: str) -> str:
    share = row.shares.get(name)
    return "" if share is None else f"{share:.1f}"


def _as_dict(row: Row) -> dict[str, object]:
    return {
        "case": row.case.label,
        "method": row.method,
        "n": row.case.n,
        "seconds": row.seconds,
        "cpu_seconds": row.cpu,
        "same_group_pairs": row.stats.same_group_pairs,
        "min_same_group_pairs": row.stats.min_same_group_pairs,
        "repeats": row.stats.repeats,
        "blocked_pairs": row.stats.blocked_pairs,
        "sit_outs": row.stats.sit_outs,
        "soft_score": row.stats.soft_score,
        "fit": row.fit,
        "reference": row.reference,
        "fit_pct_of_reference": row.soft_pct,
        "fit_pct_of": row.shares,
    }


if __name__ == "__main__":
    raise SystemExit(main())
