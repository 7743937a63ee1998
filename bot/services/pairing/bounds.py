"""The fewest same-group pairs any round can have, given only the group sizes."""

from __future__ import annotations

from collections.abc import Mapping


def min_same_group_pairs(groups: Mapping[str, int]) -> int:
    """Return the minimum number of same-group pairs over all valid rounds.

    A round is pairs, plus exactly one triad when the count N is odd; a triad counts
    each of its three pairs, so it contributes 0 (three groups), 1 (two groups) or
    3 (one group) same-group pairs. Let L be the size of the largest group.

    N even: ``max(0, 2L - N) / 2``. The L largest-group members can meet at most
    N - L others across groups; the rest must pair among themselves.

    N odd (N >= 3):

    * ``0`` when ``2L < N``: take a triad from three different groups (one of them
      the largest) and the rest can all be paired across groups.
    * ``(2L - N + 1) / 2`` when ``N < 2L < 2N`` (some other group exists). A triad
      holding t largest-group members leaves L - t of them among N - 3 paired people,
      forcing ``max(0, 2(L - t) - (N - 3)) / 2`` same-group pairs on top of the
      triad's own: t = 1 with two other members from distinct groups, or t = 2,
      both reach ``(2L - N + 1) / 2``; t = 0 and t = 3 are worse by one or more.
    * ``(N + 3) / 2`` when everyone shares one group: (N - 3) / 2 pairs plus the
      triad's 3.

    With 2 members the answer is the single pair's; with 3, the single triad's.
    """
    sizes = [size for size in groups.values() if size > 0]
    if any(size < 0 for size in groups.values()):
        raise ValueError("group sizes cannot be negative")
    total = sum(sizes)
    if total < 2:
        raise ValueError("a round needs at least 2 members")
    largest = max(sizes)
    if total % 2 == 0:
        return max(0, 2 * largest - total) // 2
    if largest == total:
        return (total + 3) // 2
    return max(0, 2 * largest - total + 1) // 2


def meeting_sizes(count: int, group_size: int) -> list[int]:
    """Sizes of the meetings ``count`` members form when aiming for ``group_size``.

    Sizes differ by at most one, largest first. Pairs (``group_size`` 2) are never
    split into singles, so an odd count gives one meeting of three; larger sizes use
    as many meetings as needed to keep every meeting at ``group_size`` or below.
    Fewer than two members form no meeting.
    """
    if count < 2:
        return []
    meetings = count // 2 if group_size <= 2 else -(-count // group_size)
    base, extra = divmod(count, meetings)
    return [base + 1] * extra + [base] * (meetings - extra)


def same_group_bound(groups: Mapping[str, int] | list[int], meetings: int) -> int:
    """Fewest same-group pairs when the members are split into ``meetings`` meetings.

    A group of s members spread over M meetings puts at least q or q + 1 of them in
    each (q = s // M), so it contributes at least r·C(q+1, 2) + (M − r)·C(q, 2) pairs
    (r = s mod M); dealing members group by group, round-robin, reaches the sum for
    meeting sizes that differ by at most one. For pairs this equals
    :func:`min_same_group_pairs`.
    """
    sizes = list(groups.values()) if isinstance(groups, Mapping) else list(groups)
    if meetings <= 0:
        return 0
    total = 0
    for size in sizes:
        q, r = divmod(size, meetings)
        total += r * (q + 1) * q // 2 + (meetings - r) * q * (q - 1) // 2
    return total
