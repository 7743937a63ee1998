"""Wilson intervals against published values, and small-cell suppression that cannot
be undone by subtraction."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.stats import (
    THRESHOLD,
    Figure,
    Line,
    Withheld,
    median,
    protect,
    protect_crosstab,
    protect_distribution,
    share,
    wilson_interval,
)

# Newcombe (1998), "Two-sided confidence intervals for the single proportion",
# Statistics in Medicine 17, Table II, method 3 (Wilson score, no continuity correction).
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE)
def test_wilson_matches_published_intervals(k: int, n: int, low: float, high: float) -> None:
    got_low, got_high = wilson_interval(k, n)
    assert round(got_low, 4) == low
    assert round(got_high, 4) == high


def test_wilson_for_the_carnegie_share_worked_by_hand() -> None:
    # 52 of 100, z = 1.96: centre 0.5392, half-width 0.09979, divided by 1.038415.
    low, high = wilson_interval(52, 100)
    assert round(low, 4) == 0.4232
    assert round(high, 4) == 0.6154


def test_wilson_refuses_impossible_input() -> None:
    with pytest.raises(ValueError):
        wilson_interval(1, 0)
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_holds_the_share_and_mirrors(pair: tuple[int, int]) -> None:
    k, n = pair
    low, high = wilson_interval(k, n)
    assert 0 <= low <= k / n <= high <= 1
    mirror_low, mirror_high = wilson_interval(n - k, n)
    assert mirror_low == pytest.approx(1 - high, abs=1e-12)
    assert mirror_high == pytest.approx(1 - low, abs=1e-12)


def test_median_of_a_distribution() -> None:
    assert median({}) is None
    assert median({0: 3, 1: 1, 4: 1}) == 0
    assert median({1: 2, 3: 2}) == 2
    assert median({2: 1}) == 2


@given(st.lists(st.integers(0, 6), min_size=1, max_size=40))
def test_median_equals_the_sorted_middle(values: list[int]) -> None:
    distribution: dict[int, int] = {}
    for v in values:
        distribution[v] = distribution.get(v, 0) + 1
    ordered = sorted(values)
    middle = len(ordered) // 2
    expected = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    assert median(distribution) == expected


def test_small_counts_read_fewer_than_five_and_shares_carry_intervals() -> None:
    shown = share(12, 40)
    assert shown.count == Figure(12) and shown.n == Figure(40)
    assert shown.share == pytest.approx(0.3)
    assert shown.low is not None and shown.high is not None
    assert (shown.low, shown.high) == wilson_interval(12, 40)

    few = share(3, 40)
    assert few.count == Figure(None, Withheld.SMALL)
    assert few.share is None and few.n == Figure(40)

    # 38 of 40 would reveal that 2 answered otherwise.
    most = share(38, 40)
    assert most.count == Figure(None, Withheld.PROTECTS) and most.share is None

    tiny = share(2, 3)
    assert tiny.n == Figure(None, Withheld.SMALL) and tiny.share is None


def test_a_lone_small_part_takes_the_next_smallest_with_it() -> None:
    parts, total = protect_distribution({"a": 3, "b": 9, "c": 7, "d": 20}, "abcd")
    assert total == Figure(39)
    assert parts["a"] == Figure(None, Withheld.SMALL)
    assert parts["c"] == Figure(None, Withheld.PROTECTS)
    assert parts["b"] == Figure(9) and parts["d"] == Figure(20)


def test_two_withheld_zeros_are_not_left_adding_up_to_nothing() -> None:
    # Shown total minus shown parts would be 0, so both withheld parts would read 0.
    parts, _ = protect_distribution({"a": 0, "b": 0, "c": 8, "d": 9}, "abcd")
    assert not parts["a"].shown and not parts["b"].shown
    assert not parts["c"].shown  # the smallest shown part joins them
    assert parts["d"] == Figure(9)


LONELY_OPTIONS = range(5)  # often/always … never


def _lonely_table(justice_answer: int, health_moved: int) -> dict[tuple[Hashable, Hashable], int]:
    """Answers to "How often do you feel lonely?" by group: one Justice member."""
    health = [7, 8, 6, 9, 5]
    health[justice_answer] -= health_moved
    health[4] += health_moved
    cells: dict[tuple[Hashable, Hashable], int] = {}
    for option, count in enumerate(health):
        cells[("Health & care", option)] = count
    for option, count in enumerate([9, 6, 8, 7, 10]):
        cells[("Education", option)] = count
    cells[("Justice", justice_answer)] = 1
    return cells


def test_a_lone_justice_answer_cannot_be_worked_out_from_the_totals() -> None:
    groups = ["Health & care", "Education", "Justice"]
    said_never = _lonely_table(justice_answer=4, health_moved=0)
    published = protect_crosstab(said_never, groups, LONELY_OPTIONS, column_groups={"h": [0]})

    # Every Justice figure is withheld, and so is enough around it that no column
    # total minus its shown cells gives the Justice cell.
    assert all(not published.cells[("Justice", c)].shown for c in LONELY_OPTIONS)
    assert not published.row_totals["Justice"].shown
    for option in LONELY_OPTIONS:
        column = [published.cells[(g, option)] for g in groups]
        hidden = [f for f in column if not f.shown]
        assert len(hidden) != 1
    hidden_rows = [g for g in groups if not published.row_totals[g].shown]
    assert len(hidden_rows) >= 2  # grand total minus the other groups does not give 1

    # The decisive check: had the Justice member said "often or always" instead (and
    # one Health & care member "never" instead of "often or always"), every published
    # figure would be exactly the same, so nobody can tell which it was.
    said_often = _lonely_table(justice_answer=0, health_moved=1)
    assert said_often != said_never
    assert sum(said_often.values()) == sum(said_never.values())
    other = protect_crosstab(said_often, groups, LONELY_OPTIONS, column_groups={"h": [0]})
    assert other == published


# Property: no withheld entry can be recovered from the published ones.


def _determined(
    values: Mapping[Hashable, int], lines: Sequence[Line[Hashable]], hidden: set[Hashable]
) -> set[Hashable]:
    """Withheld entries fixed by the lines (independent check with numpy ranks)."""
    unknowns = sorted(hidden, key=repr)
    if not unknowns:
        return set()
    index = {k: i for i, k in enumerate(unknowns)}
    rows = []
    for line in lines:
        row = np.zeros(len(unknowns))
        for key, sign in ((line.total, -1.0), *((p, 1.0) for p in line.parts)):
            if key in index:
                row[index[key]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for key, i in index.items():
        unit = np.zeros(len(unknowns))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(key)
    return found


tables = st.integers(1, 4).flatmap(
    lambda rows: st.integers(2, 5).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.one_of(st.integers(0, 4), st.integers(5, 15)), min_size=cols, max_size=cols
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_suppression_never_reveals_a_small_cell_by_subtraction(table: list[list[int]]) -> None:
    rows, cols = range(len(table)), range(len(table[0]))
    counts = {(r, c): table[r][c] for r in rows for c in cols}
    published = protect_crosstab(counts, rows, cols)

    values: dict[Hashable, int] = {("cell", r, c): table[r][c] for r in rows for c in cols}
    figures: dict[Hashable, Figure] = {
        ("cell", r, c): published.cells[(r, c)] for r in rows for c in cols
    }
    for r in rows:
        values[("row", r)] = sum(table[r])
        figures[("row", r)] = published.row_totals[r]
    for c in cols:
        values[("col", c)] = sum(table[r][c] for r in rows)
        figures[("col", c)] = published.column_totals[c]
    values["total"] = sum(map(sum, table))
    figures["total"] = published.total
    lines: list[Line[Hashable]] = [
        Line(("row", r), tuple(("cell", r, c) for c in cols)) for r in rows
    ]
    lines += [Line(("col", c), tuple(("cell", r, c) for r in rows)) for c in cols]
    lines += [
        Line("total", tuple(("row", r) for r in rows)),
        Line("total", tuple(("col", c) for c in cols)),
    ]

    hidden = {k for k, f in figures.items() if not f.shown}
    for key, figure in figures.items():
        if figure.shown:
            assert figure.value == values[key] >= THRESHOLD
        if values[key] < THRESHOLD:
            assert figure.withheld is Withheld.SMALL
    for line in lines:
        entries = (line.total, *line.parts)
        withheld_here = [k for k in entries if k in hidden]
        assert len(withheld_here) != 1
        withheld_parts = [k for k in line.parts if k in hidden]
        if withheld_parts and line.total not in hidden:
            assert sum(values[k] for k in withheld_parts) >= THRESHOLD
    assert _determined(values, lines, hidden) == set()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 4), st.integers(5, 30)), min_size=1, max_size=8))
def test_a_published_line_never_gives_away_a_small_part(parts: list[int]) -> None:
    shown, total = protect_distribution(dict(enumerate(parts)), range(len(parts)))
    hidden = [i for i in range(len(parts)) if not shown[i].shown]
    assert all(
        shown[i].value == parts[i] >= THRESHOLD for i in range(len(parts)) if i not in hidden
    )
    assert all(i in hidden for i, v in enumerate(parts) if v < THRESHOLD)
    if total.shown:
        assert total.value == sum(parts)
        assert len(hidden) != 1
        if hidden:
            assert sum(parts[i] for i in hidden) >= THRESHOLD
    else:
        assert sum(parts) < THRESHOLD or len(hidden) >= 1


def test_protect_refuses_lines_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="do not add up"):
        protect({"t": 10, "a": 3, "b": 3}, [Line("t", ("a", "b"))])
