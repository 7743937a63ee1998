"""Meetings of three to eight: deal each group evenly, fill by timezone, then swap.

The layout (how many meetings, which are one smaller) comes from
:func:`~.bounds.meeting_sizes`. Each group is spread as evenly as possible: q or q + 1
of its s members per meeting (q = s // M), which is exactly what reaches the
same-group bound. Which meetings get the "+ 1" of which group is dealt round-robin
over a seeded order of meetings, so every meeting's size comes out right and every
group's extra members land in different meetings.

Members of each group are sorted by UTC offset and interests, and meeting j takes the
next members of every group, so a meeting gathers people at the same point of each
group's timezone order. Swaps of two members between meetings then raise the summed
meeting value (soft score, less penalties for repeats, blocked pairs and same-group
pairs), so they fix repeats and blocks without ever adding a same-group pair.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .bounds import meeting_sizes, same_group_bound
from .candidates import Candidates
from .problem import Problem
from .scoring import W_TRIAD_FAIRNESS, Scorer

MIN_GAIN = 1e-9
SWEEPS = 3
REPAIR_REACH = 12
"""Meetings either side (in timezone order) a repair first looks in."""
EVEN_REACH = 64
"""Meetings either side a meeting with an uneven group spread trades with."""
WIDE_REACH = 1_024
"""The second, wider look of both, for large rounds."""
FULL_REPAIR_LIMIT = 2_000
"""Largest round (or region) whose repair may try every meeting, and largest round in all
that gets the polishing sweeps."""
POLISH_REACH = 16
POLISH_PASSES = 2
"""Last, a round up to ``FULL_REPAIR_LIMIT`` sweeps this wide (at most this often): a
few tenths of a second buys a point or two of soft score."""
SEARCH_EVALUATIONS_PER_MEMBER = 2_000
"""Pair evaluations per member the iterated local search of a small round may spend."""
SEARCH_LIMIT = 120
"""Largest round given the iterated local search."""
EXTRA_SEARCHES = 6
"""Further searches (each as long as the first) a small round gets while it misses a
hard goal or the same-group bound."""
SETTLE_PASSES = 8
KICK_SWAPS = 3


class Grouping:
    """Meetings with, per member, their meeting and their summed value to its others."""

    def __init__(self, problem: Problem, scorer: Scorer, meetings: list[list[int]]) -> None:
        self.problem = problem
        self.scorer = scorer
        self.meetings = meetings
        self.where = [-1] * problem.size
        self.contrib = [0.0] * problem.size
        top = max((len(m) for m in meetings), default=0)
        self.odd = [len(m) != problem.meeting_size and len(m) < top for m in meetings]
        for m, members in enumerate(meetings):
            self._refresh(m)
            for u in members:
                self.where[u] = m

    def _refresh(self, m: int) -> None:
        members = self.meetings[m]
        contrib = self.contrib
        for u, total in zip(members, self.scorer.within(members), strict=True):
            contrib[u] = total

    def odd_cost(self, u: int) -> float:
        return W_TRIAD_FAIRNESS * self.problem.triad_burden[u]

    def swap_gain(self, u: int, w: int) -> float:
        """Gain from swapping ``u`` and ``w``, who sit in different meetings."""
        a, b = self.where[u], self.where[w]
        values_for = self.scorer.values_for
        into_a = sum(values_for(w, [x for x in self.meetings[a] if x != u]))
        into_b = sum(values_for(u, [y for y in self.meetings[b] if y != w]))
        gain = into_a + into_b - self.contrib[u] - self.contrib[w]
        if self.odd[a] != self.odd[b]:
            moved = self.odd_cost(u) - self.odd_cost(w)
            gain += moved if self.odd[a] else -moved
        return gain

    def swap(self, u: int, w: int) -> None:
        a, b = self.where[u], self.where[w]
        self.meetings[a] = [w if x == u else x for x in self.meetings[a]]
        self.meetings[b] = [u if y == w else y for y in self.meetings[b]]
        self.where[u], self.where[w] = b, a
        self._refresh(a)
        self._refresh(b)

    def breaks_hard_goal(self, m: int) -> bool:
        """Whether meeting ``m`` holds a blocked pair or a repeat (age 0 up to the window)."""
        met, window = self.problem.met, self.problem.avoid_rounds
        members = self.meetings[m]
        for i, u in enumerate(members):
            met_u = met[u]
            for v in members[i + 1 :]:
                age = met_u.get(v)
                if age is not None and age <= window:
                    return True
        return False


def deal(problem: Problem, rng: random.Random) -> list[list[int]]:
    """Meetings at the same-group bound, gathered by timezone; see the module docstring."""
    sizes = meeting_sizes(problem.size, problem.meeting_size)
    count = len(sizes)
    unknown = 1 << 20
    by_group: list[list[int]] = [[] for _ in problem.group_names]
    for u in range(problem.size):
        by_group[problem.group[u]].append(u)
    for members in by_group:
        members.sort(
            key=lambda u: (
                unknown if problem.offset_minutes[u] is None else problem.offset_minutes[u],
                problem.interests[u],
                problem.tiebreak[u],
            )
        )
    order = list(range(count))
    rng.shuffle(order)
    quota = [[0] * count for _ in by_group]
    position = 0
    for g, members in enumerate(by_group):
        q, r = divmod(len(members), count)
        row = quota[g]
        for j in range(count):
            row[j] = q
        for _ in range(r):
            row[order[position % count]] += 1
            position += 1
    taken = [0] * len(by_group)
    meetings: list[list[int]] = []
    for j in range(count):
        meeting = []
        for g, members in enumerate(by_group):
            k = quota[g][j]
            meeting.extend(members[taken[g] : taken[g] + k])
            taken[g] += k
        meetings.append(meeting)
    return meetings


def improve(
    grouping: Grouping,
    candidates: Candidates,
    order: Sequence[int],
    budget: int,
) -> int:
    """Swap members toward candidates they value more than their current partners.

    For member u and a preferred candidate v in another meeting, tries swapping u with
    each member of v's meeting and takes the best gain. Runs sweeps over ``order``
    until a sweep makes no swap or ``budget`` pair evaluations are spent.
    """
    where, meetings, contrib = grouping.where, grouping.meetings, grouping.contrib
    swaps = 0
    for _ in range(SWEEPS):
        made = 0
        for u in order:
            if budget <= 0:
                return swaps
            a = where[u]
            partners = len(meetings[a]) - 1
            average = contrib[u] / partners if partners else 0.0
            best_gain, best = MIN_GAIN, -1
            tried: set[int] = set()
            for score, v in candidates[u]:
                if score <= average:
                    break
                b = where[v]
                if b == a or b in tried:
                    continue
                tried.add(b)
                for w in meetings[b]:
                    budget -= 2 * partners + 2
                    gain = grouping.swap_gain(u, w)
                    if gain > best_gain:
                        best_gain, best = gain, w
                if len(tried) >= 3:
                    break
            if best >= 0:
                grouping.swap(u, best)
                made += 1
        swaps += made
        if not made:
            break
    return swaps


def best_exchange(grouping: Grouping, a: int, b: int) -> tuple[float, int, int]:
    """The best swap between meetings ``a`` and ``b``: ``(gain, u in a, w in b)``.

    Scores the k x k pairs across the two meetings once; every swap's gain then
    follows from row and column sums.
    """
    first, second = grouping.meetings[a], grouping.meetings[b]
    contrib = grouping.contrib
    rows = grouping.scorer.cross(first, second)
    sums = [sum(column) for column in zip(*rows, strict=True)]
    columns = [total - contrib[w] for total, w in zip(sums, second, strict=True)]
    odd = grouping.odd[a] != grouping.odd[b]
    best_gain, best_u, best_w = MIN_GAIN, -1, -1
    for u, row in zip(first, rows, strict=True):
        base = sum(row) - contrib[u]
        for j, w in enumerate(second):
            gain = base + columns[j] - 2 * row[j]
            if odd:
                moved = grouping.odd_cost(u) - grouping.odd_cost(w)
                gain += moved if grouping.odd[a] else -moved
            if gain > best_gain:
                best_gain, best_u, best_w = gain, u, w
    return best_gain, best_u, best_w


def sweep(grouping: Grouping, reach: int, meetings: Sequence[int] | None = None) -> int:
    """Best swaps between each meeting and the next ``reach`` ones in timezone order."""
    count = len(grouping.meetings)
    swaps = 0
    for a in range(count) if meetings is None else meetings:
        for b in range(max(0, a - reach), min(count, a + reach + 1)):
            if b == a or (meetings is None and b < a):
                continue
            for _ in range(len(grouping.meetings[a])):
                _, u, w = best_exchange(grouping, a, b)
                if u < 0:
                    break
                grouping.swap(u, w)
                swaps += 1
    return swaps


def trade_within_groups(grouping: Grouping, reach: int) -> int:
    """Clear repeats and blocked pairs with swaps between members of the same group.

    Such a swap leaves every meeting's mix of groups as it was, so it can never add a
    same-group pair or unsettle an even spread. For each meeting that breaks a hard
    goal, the member in most of its clashes trades with the nearest same-group member
    (in timezone order, up to ``reach`` meetings away) with whom neither meeting
    clashes; the sweeps that follow see to the soft score.
    """
    problem = grouping.problem
    met, window = problem.met, problem.avoid_rounds
    meetings = grouping.meetings
    count = len(meetings)
    swaps = 0
    for m in [m for m in range(count) if grouping.breaks_hard_goal(m)]:
        for _ in range(len(meetings[m])):
            members = meetings[m]
            clashes = [_clashes(met[u], window, members) for u in members]
            most = max(clashes)
            if not most:
                break
            u = members[clashes.index(most)]
            partner = _nearest_fit(grouping, m, u, reach)
            if partner < 0:
                break
            grouping.swap(u, partner)
            swaps += 1
    return swaps


def _clashes(met_u: dict[int, int], window: int, members: Sequence[int]) -> int:
    """How many of ``members`` the member whose ages are ``met_u`` may not meet."""
    clashes = 0
    for v in members:
        age = met_u.get(v)
        if age is not None and age <= window:
            clashes += 1
    return clashes


def _nearest_fit(grouping: Grouping, m: int, u: int, reach: int) -> int:
    """The nearest member of ``u``'s group who can trade places with ``u`` (in meeting
    ``m``) without a clash in either meeting, or -1."""
    problem = grouping.problem
    group, met, window = problem.group, problem.met, problem.avoid_rounds
    meetings = grouping.meetings
    g, met_u, here = group[u], met[u], meetings[m]
    for distance in range(1, reach + 1):
        for b in (m - distance, m + distance):
            if not 0 <= b < len(meetings):
                continue
            there = meetings[b]
            for w in there:
                if (
                    group[w] == g
                    and _clashes(met_u, window, there) == (w in met_u and met_u[w] <= window)
                    and _clashes(met[w], window, here) == (u in met[w] and met[w][u] <= window)
                ):
                    return w
    return -1


def repair(grouping: Grouping, full_scan: bool) -> int:
    """Swaps for meetings with a repeat or a blocked pair: nearby meetings, then all."""
    swaps = 0
    for reach in (REPAIR_REACH, WIDE_REACH, len(grouping.meetings) if full_scan else 0):
        if reach:
            bad = [m for m in range(len(grouping.meetings)) if grouping.breaks_hard_goal(m)]
            if not bad:
                break
            swaps += sweep(grouping, reach, bad)
    return swaps


def group_round(
    problem: Problem,
    scorer: Scorer,
    candidates: Candidates | None,
    rng: random.Random,
    effort: int,
    reach: int,
    whole: int | None = None,
) -> list[list[int]]:
    """Meetings of ``problem.meeting_size`` (give or take one) for everyone.

    ``whole`` is the size of the round ``problem`` belongs to (one region of it, in
    person): only a round of up to ``FULL_REPAIR_LIMIT`` in all gets the polishing
    sweeps, so a big in-person round costs no more for its small regions.
    """
    grouping = Grouping(problem, scorer, deal(problem, rng))
    if problem.size <= SEARCH_LIMIT:
        count = len(grouping.meetings)
        per_round = 3 * count * count * problem.meeting_size**2
        budget = SEARCH_EVALUATIONS_PER_MEMBER * problem.size
        rounds = max(4, budget // max(per_round, 1))
        grouping = search(grouping, rng, rounds)
        for _ in range(EXTRA_SEARCHES):
            if not falls_short(grouping):
                break
            grouping = search(grouping, rng, rounds)
        return grouping.meetings
    small = problem.size <= FULL_REPAIR_LIMIT
    if not small:
        trade_within_groups(grouping, REPAIR_REACH)
    sweep(grouping, reach)
    if candidates is not None:
        order = sorted(range(problem.size), key=problem.tiebreak.__getitem__)
        improve(grouping, candidates, order, effort * problem.size)
        sweep(grouping, reach)
    if not small:
        trade_within_groups(grouping, REPAIR_REACH)
    for _ in range(2):
        if any(grouping.breaks_hard_goal(m) for m in range(len(grouping.meetings))):
            repair(grouping, small)
        for reach in (EVEN_REACH, WIDE_REACH, len(grouping.meetings) if small else 0):
            uneven = uneven_meetings(grouping)
            if not uneven or not reach:
                break
            sweep(grouping, reach, uneven)
    if (problem.size if whole is None else whole) <= FULL_REPAIR_LIMIT:
        for _ in range(POLISH_PASSES):
            if not sweep(grouping, POLISH_REACH):
                break
    return grouping.meetings


def falls_short(grouping: Grouping) -> bool:
    """Whether a meeting breaks a hard goal or there are more same-group pairs than
    the bound for these meetings."""
    if any(grouping.breaks_hard_goal(m) for m in range(len(grouping.meetings))):
        return True
    group = grouping.problem.group
    sizes: dict[int, int] = {}
    same = 0
    for members in grouping.meetings:
        here: dict[int, int] = {}
        for u in members:
            here[group[u]] = here.get(group[u], 0) + 1
        for g, k in here.items():
            sizes[g] = sizes.get(g, 0) + k
            same += k * (k - 1) // 2
    return same > same_group_bound(list(sizes.values()), len(grouping.meetings))


def total_value(grouping: Grouping) -> float:
    """Summed meeting value: every pair once, less the odd-size costs."""
    odd = sum(
        grouping.odd_cost(u)
        for m, members in enumerate(grouping.meetings)
        if grouping.odd[m]
        for u in members
    )
    return sum(grouping.contrib) / 2 - odd


def settle(grouping: Grouping, passes: int = SETTLE_PASSES) -> None:
    """Best swaps between every two meetings until none gains."""
    everyone = len(grouping.meetings)
    for _ in range(passes):
        if not sweep(grouping, everyone):
            break


def search(grouping: Grouping, rng: random.Random, rounds: int) -> Grouping:
    """Iterated local search for small rounds: kick a few members, settle, keep the best.

    Two-member swaps alone stop at local optima (a repeat that only a chain of swaps
    removes, say); random kicks followed by settling escape them.
    """
    settle(grouping)
    best = [list(m) for m in grouping.meetings]
    best_value = total_value(grouping)
    count = len(grouping.meetings)
    if count < 2:
        return grouping
    problem, scorer = grouping.problem, grouping.scorer
    for _ in range(rounds):
        for _ in range(KICK_SWAPS):
            a, b = rng.sample(range(count), 2)
            grouping.swap(rng.choice(grouping.meetings[a]), rng.choice(grouping.meetings[b]))
        settle(grouping)
        value = total_value(grouping)
        if value > best_value + MIN_GAIN:
            best, best_value = [list(m) for m in grouping.meetings], value
        else:
            grouping = Grouping(problem, scorer, [list(m) for m in best])
    return grouping


def uneven_meetings(grouping: Grouping) -> list[int]:
    """Meetings holding more or fewer of a group than an even spread (q or q + 1)."""
    problem = grouping.problem
    group = problem.group
    count = len(grouping.meetings)
    sizes = [0] * len(problem.group_names)
    for g in group:
        sizes[g] += 1
    low = [size // count for size in sizes]
    # An even meeting holds at least q of every group, so it holds this many members
    # of groups at their floor, and never q + 2 of any group.
    floor = sum(low)
    uneven = []
    for m, members in enumerate(grouping.meetings):
        here: dict[int, int] = {}
        for u in members:
            g = group[u]
            here[g] = here.get(g, 0) + 1
        covered = 0
        for g, k in here.items():
            q = low[g]
            if k > q + 1:
                break
            covered += min(k, q)
        else:
            if covered == floor:
                continue
        uneven.append(m)
    return uneven
