from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.pairing import min_same_group_pairs

from .helpers import PROPERTY, brute_force_bound


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ({"a": 1, "b": 1}, 0),
        ({"a": 2}, 1),
        ({"a": 3}, 3),
        ({"a": 2, "b": 1}, 1),
        ({"a": 1, "b": 1, "c": 1}, 0),
        ({"a": 5}, 4),
        ({"a": 4, "b": 1}, 2),
        ({"a": 3, "b": 2}, 1),
        ({"a": 3, "b": 2, "c": 2}, 0),
        ({"a": 6, "b": 1, "c": 1}, 2),
        ({"a": 60, "b": 8, "c": 8, "d": 8, "e": 8, "f": 8}, 10),
        ({"a": 61, "b": 8, "c": 8, "d": 8, "e": 8, "f": 8}, 11),
    ],
)
def test_known_bounds(sizes: dict[str, int], expected: int) -> None:
    assert min_same_group_pairs(sizes) == expected


def test_empty_groups_are_ignored() -> None:
    assert min_same_group_pairs({"a": 2, "b": 0}) == 1


def test_rejects_fewer_than_two_members() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        min_same_group_pairs({"a": 1})


@PROPERTY
@given(st.lists(st.integers(min_value=0, max_value=7), min_size=1, max_size=4))
def test_bound_matches_brute_force(sizes: list[int]) -> None:
    if sum(sizes) < 2:
        return
    named = {f"g{i}": s for i, s in enumerate(sizes)}
    assert min_same_group_pairs(named) == brute_force_bound(tuple(sizes))
