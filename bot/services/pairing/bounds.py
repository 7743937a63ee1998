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
