"""Which groups coffee roulette actually brought together, as a group × group matrix.

Only meetings that *happened* count: at least one member answered "yes" at the
check-in. A meeting belongs to the period in which its round was made.

Each cell ``[i][j]`` is the number of such meetings with members from both group
``i`` and group ``j``; a trio spanning three groups adds one to each of its three
pairs. The matrix is symmetric. The diagonal ``[i][i]`` counts meetings with two
or more members from the same group: they happened, but they bridge nothing, so
they are shown for completeness and never counted in ``distinct_pairs_met``.

Rows and columns are the guild's *current* groups; members whose group has since
been removed (or was never known) are left out of the picture.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.repos.analytics import AnalyticsRepo, GroupPairCount, Window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BridgingMatrix:
    since: datetime
    until: datetime
    group_ids: tuple[int, ...]
    group_names: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        return len(self.group_ids)

    @property
    def possible_pairs(self) -> int:
        """n·(n−1)/2: every pair of two different current groups."""
        return self.size * (self.size - 1) // 2

    @property
    def distinct_pairs_met(self) -> int:
        """Pairs of different groups with at least one meeting that happened."""
        return sum(
            1 for i in range(self.size) for j in range(i + 1, self.size) if self.counts[i][j] > 0
        )

    @property
    def cross_group_meetings(self) -> int:
        """Cell total above the diagonal (a three-group trio counts three times)."""
        return sum(self.counts[i][j] for i in range(self.size) for j in range(i + 1, self.size))

    def count(self, group_a: int, group_b: int) -> int:
        index = {gid: i for i, gid in enumerate(self.group_ids)}
        return self.counts[index[group_a]][index[group_b]]


def build_matrix(
    window: Window, groups: dict[int, str], pairs: list[GroupPairCount]
) -> BridgingMatrix:
    """Lay pair counts out over the current groups, in the guild's group order."""
    ids = tuple(groups)
    index = {gid: i for i, gid in enumerate(ids)}
    grid = [[0] * len(ids) for _ in ids]
    for pair in pairs:
        i, j = index.get(pair.low_id), index.get(pair.high_id)
        if i is None or j is None:
            continue
        grid[i][j] += pair.meetings
        if i != j:
            grid[j][i] += pair.meetings
    return BridgingMatrix(
        since=window.since,
        until=window.until,
        group_ids=ids,
        group_names=tuple(groups[g] for g in ids),
        counts=tuple(tuple(row) for row in grid),
    )


class BridgingService:
    def __init__(self, analytics: AnalyticsRepo) -> None:
        self._analytics = analytics

    async def build(self, guild_id: int, since: datetime, until: datetime) -> BridgingMatrix:
        """The matrix for rounds made in ``[since, until)`` (aware datetimes)."""
        window = Window(since, until)
        groups = await self._analytics.group_names(guild_id)
        pairs = await self._analytics.group_pairs_met(guild_id, window)
        return build_matrix(window, groups, pairs)
