"""Local search by swapping two members between meetings.

Every accepted swap raises the summed meeting value, so it can fix a repeat or a
blocked pair, or lower the same-group count, but never trade any of those for soft
score. ``polish`` only tries partners from each member's candidate list that the
member alone would prefer to their current partner; ``repair`` tries everyone
for the few meetings that still break a hard goal.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from .candidates import Candidates
from .problem import Problem
from .scoring import HARD_THRESHOLD, PairValue, meeting_value

MIN_GAIN = 1e-9


class Matching:
    """Meetings plus, per member, the index of their meeting and each meeting's value."""

    def __init__(self, problem: Problem, value: PairValue, meetings: list[list[int]]) -> None:
        self.problem = problem
        self.value = value
        self.meetings = meetings
        self.where = [-1] * problem.size
        for m, members in enumerate(meetings):
            for u in members:
                self.where[u] = m
        self.values = [meeting_value(problem, value, members) for members in meetings]

    def swap_gain(self, out: int, into: int) -> float:
        """Gain from swapping ``out`` and ``into``, who sit in different meetings."""
        m, n = self.where[out], self.where[into]
        first = [into if x == out else x for x in self.meetings[m]]
        second = [out if x == into else x for x in self.meetings[n]]
        return (
            meeting_value(self.problem, self.value, first)
            + meeting_value(self.problem, self.value, second)
            - self.values[m]
            - self.values[n]
        )

    def swap(self, out: int, into: int) -> None:
        m, n = self.where[out], self.where[into]
        first = [into if x == out else x for x in self.meetings[m]]
        second = [out if x == into else x for x in self.meetings[n]]
        self.meetings[m], self.meetings[n] = first, second
        self.where[into], self.where[out] = m, n
        self.values[m] = meeting_value(self.problem, self.value, first)
        self.values[n] = meeting_value(self.problem, self.value, second)

    def breaks_hard_goal(self, m: int) -> bool:
        """Whether meeting ``m`` holds a repeat or a blocked pair."""
        members = self.meetings[m]
        problem = self.problem
        return any(
            problem.is_repeat(u, v) or problem.is_blocked(u, v)
            for i, u in enumerate(members)
            for v in members[i + 1 :]
        )


def polish(
    matching: Matching,
    candidates: Candidates,
    order: Iterable[int],
    budget: int,
) -> int:
    """Best-improvement swaps over candidate partners until stable or out of budget.

    Returns the number of swaps made. ``budget`` caps pair evaluations, which keeps
    the run time linear in the number of members and the result deterministic.
    """
    value = matching.value
    where, meetings, values = matching.where, matching.meetings, matching.values
    queue = deque(order)
    queued = [False] * len(where)
    for u in queue:
        queued[u] = True
    swaps = 0
    while queue and budget > 0:
        u = queue.popleft()
        queued[u] = False
        m = where[u]
        own = meetings[m]
        best_gain, best_move = MIN_GAIN, (-1, -1)
        if len(own) == 2:
            w = own[0] if own[1] == u else own[1]
            current = values[m]
            for gained, v in candidates[u]:
                budget -= 1
                if gained <= current:
                    break
                n = where[v]
                if n == m:
                    continue
                other = meetings[n]
                if len(other) == 2:
                    x = other[0] if other[1] == v else other[1]
                    gain = gained + value(w, x) - current - values[n]
                else:
                    gain = matching.swap_gain(w, v)
                if gain > best_gain:
                    best_gain, best_move = gain, (w, v)
        else:
            for w in own:
                if w == u:
                    continue
                for _, v in candidates[u]:
                    if where[v] != m:
                        gain = matching.swap_gain(w, v)
                        if gain > best_gain:
                            best_gain, best_move = gain, (w, v)
            budget -= 3 * len(candidates[u])
        if best_move[0] < 0:
            continue
        w, v = best_move
        touched = [*meetings[m], *meetings[where[v]]]
        matching.swap(w, v)
        swaps += 1
        for t in touched:
            if not queued[t]:
                queued[t] = True
                queue.append(t)
    return swaps


def repair(
    matching: Matching, same_group_excess: int, max_evaluations: int, max_rounds: int = 4
) -> int:
    """Try every swap for members of meetings that break a hard goal.

    Meetings with a repeat or a blocked pair come first; with ``same_group_excess``
    > 0, meetings holding a same-group pair are tried too, if the evaluation budget
    covers them all. Returns the number of swaps made.
    """
    problem = matching.problem
    size = problem.size
    swaps = 0
    for _ in range(max_rounds):
        meetings = range(len(matching.meetings))
        targets = [m for m in meetings if matching.breaks_hard_goal(m)]
        if same_group_excess > 0:
            broken = set(targets)
            same = [m for m in meetings if matching.values[m] < HARD_THRESHOLD]
            if (len(same) + len(targets)) * 3 * size <= max_evaluations:
                targets += [m for m in same if m not in broken]
        improved = False
        for m in targets:
            for out in list(matching.meetings[m]):
                if max_evaluations < size or matching.where[out] != m:
                    continue
                max_evaluations -= size
                into = _best_swap(matching, out)
                if into >= 0:
                    matching.swap(out, into)
                    swaps += 1
                    improved = True
        if not improved:
            break
    return swaps


def _best_swap(matching: Matching, out: int) -> int:
    """The member whose swap with ``out`` gains most, or -1 if none gains."""
    home = matching.where[out]
    best_gain, best_into = MIN_GAIN, -1
    for into in range(matching.problem.size):
        if matching.where[into] != home:
            gain = matching.swap_gain(out, into)
            if gain > best_gain:
                best_gain, best_into = gain, into
    return best_into


def rotate(matching: Matching, candidates: Candidates, order: Iterable[int], budget: int) -> int:
    """Three-pair rotations (u,w) (v,x) (y,z) -> (u,v) (x,y) (z,w) over candidates.

    Reaches improvements that need three pairs to change at once, which swaps of two
    members cannot. Partial gains must stay positive along the chain, which keeps
    the search short. Returns the number of rotations made.
    """
    value = matching.value
    where, meetings, values = matching.where, matching.meetings, matching.values
    rotations = 0
    for u in order:
        if budget <= 0:
            break
        m = where[u]
        if len(meetings[m]) != 2:
            continue
        w = meetings[m][0] if meetings[m][1] == u else meetings[m][1]
        best_gain, best = MIN_GAIN, (-1, -1)
        for s_uv, v in candidates[u]:
            first = s_uv - values[m]
            if first <= 0:
                break
            n = where[v]
            if n == m or len(meetings[n]) != 2:
                continue
            x = meetings[n][0] if meetings[n][1] == v else meetings[n][1]
            second = first - values[n]
            for s_xy, y in candidates[x]:
                budget -= 1
                if second + s_xy <= 0:
                    break
                k = where[y]
                if k in (m, n) or len(meetings[k]) != 2:
                    continue
                z = meetings[k][0] if meetings[k][1] == y else meetings[k][1]
                gain = second + s_xy - values[k] + value(z, w)
                if gain > best_gain:
                    best_gain, best = gain, (v, y)
        if best[0] < 0:
            continue
        v, y = best
        matching.swap(w, v)
        matching.swap(w, y)
        rotations += 1
    return rotations
