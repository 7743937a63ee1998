"""Statistics for outcome figures: Wilson intervals and small-cell suppression.

Every proportion carries a 95% Wilson score interval, which behaves well for small
samples and for shares near 0% or 100% (unlike the normal approximation).

Suppression keeps every published figure from pointing at a person:

* *primary*: any count below :data:`THRESHOLD` (5) is withheld; it reads
  "fewer than 5";
* *complementary*: a table is a set of lines, each a total and the parts that add
  up to it (a row of a cross-tab and its row total, a column and its column
  total, the margins and the grand total). A withheld entry must not be
  recoverable by subtraction, so every line with a withheld entry has at least
  two, the withheld parts of a line whose total is shown add up to at least the
  threshold (so a withheld 0 cannot be read off as "nobody"), and finally no
  withheld entry may be fixed by any combination of the lines (an exact
  rational elimination over the whole table). When a rule fails, the smallest
  shown part of the line is withheld too, and the rules are checked again.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Generic, TypeVar

THRESHOLD = 5
#: The 97.5th percentile of the standard normal distribution.
Z95 = 1.959963984540054

K = TypeVar("K", bound=Hashable)


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for ``successes`` out of ``n`` (both ends in 0..1)."""
    if n <= 0:
        raise ValueError("a proportion needs at least one observation")
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    low = max(0.0, (centre - margin) / denominator)
    high = min(1.0, (centre + margin) / denominator)
    if successes == 0:
        low = 0.0
    if successes == n:
        high = 1.0
    return low, high


def median(distribution: Mapping[int, int]) -> float | None:
    """The median of values given as value → how many; None when empty."""
    total = sum(distribution.values())
    if total == 0:
        return None
    ordered = sorted((v, c) for v, c in distribution.items() if c)

    def at(position: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        raise AssertionError("position beyond the distribution")

    if total % 2:
        return float(at(total // 2))
    return (at(total // 2 - 1) + at(total // 2)) / 2


class Withheld(StrEnum):
    """Why a figure is not shown."""

    SMALL = "small"  # fewer than THRESHOLD
    PROTECTS = "protects"  # shown, it would reveal a small figure elsewhere


@dataclass(frozen=True)
class Figure:
    """A count as published: ``value`` is None when withheld, with the reason."""

    value: int | None
    withheld: Withheld | None = None

    @property
    def shown(self) -> bool:
        return self.withheld is None


@dataclass(frozen=True)
class Line(Generic[K]):
    """``total`` is the sum of ``parts`` (keys of entries in one table)."""

    total: K
    parts: tuple[K, ...]


def protect(
    values: Mapping[K, int], lines: Sequence[Line[K]], threshold: int = THRESHOLD
) -> dict[K, Figure]:
    """Withhold small entries and everything that would reveal them (see the module)."""
    for each in lines:
        if sum(values[p] for p in each.parts) != values[each.total]:
            raise ValueError(f"the parts of {each.total!r} do not add up to it")
    order = {key: index for index, key in enumerate(values)}
    withheld: dict[K, Withheld] = {k: Withheld.SMALL for k, v in values.items() if v < threshold}
    while True:
        line = _unsafe_line(values, lines, withheld, threshold)
        if line is None:
            line = _determined_line(values, lines, withheld)
        if line is None:
            break
        candidates = [p for p in line.parts if p not in withheld] or (
            [line.total] if line.total not in withheld else []
        )
        extra = min(candidates, key=lambda k: (values[k], order[k]))
        withheld[extra] = Withheld.PROTECTS
    return {k: Figure(None, withheld[k]) if k in withheld else Figure(v) for k, v in values.items()}


def _unsafe_line(
    values: Mapping[K, int],
    lines: Sequence[Line[K]],
    withheld: Mapping[K, Withheld],
    threshold: int,
) -> Line[K] | None:
    for line in lines:
        entries = (line.total, *line.parts)
        hidden = [k for k in entries if k in withheld]
        if not hidden or len(hidden) == len(entries):
            continue
        if len(hidden) == 1:
            return line
        hidden_parts = [k for k in line.parts if k in withheld]
        shown_parts = [k for k in line.parts if k not in withheld]
        if (
            line.total not in withheld
            and shown_parts
            and sum(values[k] for k in hidden_parts) < threshold
        ):
            return line
    return None


def _determined_line(
    values: Mapping[K, int], lines: Sequence[Line[K]], withheld: Mapping[K, Withheld]
) -> Line[K] | None:
    """A line holding a withheld entry that the lines taken together pin down."""
    unknowns = [k for k in values if k in withheld]
    if not unknowns:
        return None
    column = {k: i for i, k in enumerate(unknowns)}
    rows: list[list[Fraction]] = []
    for line in lines:
        row = [Fraction(0)] * len(unknowns)
        touched = False
        for key, sign in ((line.total, -1), *((p, 1) for p in line.parts)):
            if key in column:
                row[column[key]] += sign
                touched = True
        if touched:
            rows.append(row)
    for index in _determined_columns(rows, len(unknowns)):
        key = unknowns[index]
        for line in lines:
            if key == line.total or key in line.parts:
                entries = (line.total, *line.parts)
                if any(k not in withheld for k in entries):
                    return line
    return None


def _determined_columns(rows: list[list[Fraction]], width: int) -> list[int]:
    """Columns whose variable is fixed by the equations: RREF rows with one entry."""
    matrix = [row[:] for row in rows]
    pivot_row = 0
    for col in range(width):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead = matrix[pivot_row][col]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [
                    a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)
                ]
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    found = []
    for row in matrix[:pivot_row]:
        nonzero = [i for i, x in enumerate(row) if x != 0]
        if len(nonzero) == 1:
            found.append(nonzero[0])
    return found


# Tables


@dataclass(frozen=True)
class ProtectedCrossTab(Generic[K]):
    """A rows × columns table of counts with its margins, protected as a whole."""

    rows: tuple[Hashable, ...]
    columns: tuple[Hashable, ...]
    cells: dict[tuple[Hashable, Hashable], Figure]
    row_totals: dict[Hashable, Figure]
    column_totals: dict[Hashable, Figure]
    total: Figure
    #: Sums of some columns (a question's headline options), published too.
    column_groups: dict[Hashable, Figure]


_TOTAL = ("__total__",)


def protect_crosstab(
    counts: Mapping[tuple[Hashable, Hashable], int],
    rows: Iterable[Hashable],
    columns: Iterable[Hashable],
    threshold: int = THRESHOLD,
    column_groups: Mapping[Hashable, Sequence[Hashable]] | None = None,
) -> ProtectedCrossTab[Hashable]:
    """Protect a cross-tab whose row totals, column totals and grand total are published,
    with, for each of ``column_groups``, the sum of its columns."""
    row_keys, col_keys = tuple(rows), tuple(columns)
    values: dict[Hashable, int] = {}
    for r in row_keys:
        for c in col_keys:
            values[("cell", r, c)] = int(counts.get((r, c), 0))
    for r in row_keys:
        values[("row", r)] = sum(values[("cell", r, c)] for c in col_keys)
    for c in col_keys:
        values[("col", c)] = sum(values[("cell", r, c)] for r in row_keys)
    values[_TOTAL] = sum(values[("row", r)] for r in row_keys)
    lines: list[Line[Hashable]] = [
        Line(("row", r), tuple(("cell", r, c) for c in col_keys)) for r in row_keys
    ]
    lines += [Line(("col", c), tuple(("cell", r, c) for r in row_keys)) for c in col_keys]
    lines.append(Line(_TOTAL, tuple(("row", r) for r in row_keys)))
    lines.append(Line(_TOTAL, tuple(("col", c) for c in col_keys)))
    for name, members in (column_groups or {}).items():
        inside = tuple(("col", c) for c in members)
        outside = tuple(("col", c) for c in col_keys if c not in members)
        values[("sum", name)] = sum(values[k] for k in inside)
        lines.append(Line(("sum", name), inside))
        lines.append(Line(_TOTAL, (("sum", name), *outside)))
    shown = protect(values, lines, threshold)
    return ProtectedCrossTab(
        rows=row_keys,
        columns=col_keys,
        cells={(r, c): shown[("cell", r, c)] for r in row_keys for c in col_keys},
        row_totals={r: shown[("row", r)] for r in row_keys},
        column_totals={c: shown[("col", c)] for c in col_keys},
        total=shown[_TOTAL],
        column_groups={name: shown[("sum", name)] for name in column_groups or {}},
    )


def protect_distribution(
    counts: Mapping[Hashable, int], keys: Iterable[Hashable], threshold: int = THRESHOLD
) -> tuple[dict[Hashable, Figure], Figure]:
    """One published line: the parts and their total."""
    part_keys = tuple(keys)
    values: dict[Hashable, int] = {("part", k): int(counts.get(k, 0)) for k in part_keys}
    values[_TOTAL] = sum(values.values())
    line: Line[Hashable] = Line(_TOTAL, tuple(("part", k) for k in part_keys))
    shown = protect(values, [line], threshold)
    return {k: shown[("part", k)] for k in part_keys}, shown[_TOTAL]


@dataclass(frozen=True)
class Share:
    """``count`` of ``n`` as published, with its 95% Wilson interval when shown."""

    count: Figure
    n: Figure
    share: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def shown(self) -> bool:
        return self.share is not None


def share(count: int, n: int, threshold: int = THRESHOLD) -> Share:
    """A proportion protected as the line ``count + (n - count) = n``."""
    if not 0 <= count <= n:
        raise ValueError("count must lie between 0 and n")
    parts, total = protect_distribution({"yes": count, "no": n - count}, ("yes", "no"), threshold)
    shown_count = parts["yes"]
    if not shown_count.shown or not total.shown or n == 0:
        return Share(shown_count, total)
    low, high = wilson_interval(count, n)
    return Share(shown_count, total, count / n, low, high)


def share_from(shown_count: Figure, shown_n: Figure) -> Share:
    """A share of two figures already protected together (both shown, or none)."""
    if shown_count.value is None or shown_n.value is None or shown_n.value == 0:
        return Share(shown_count, shown_n)
    low, high = wilson_interval(shown_count.value, shown_n.value)
    return Share(shown_count, shown_n, shown_count.value / shown_n.value, low, high)
