"""Whatever a coordinator types, the loader either succeeds or raises ContentError.

Anything else (a KeyError, a TypeError, a crash inside zoneinfo) would stop the bot
with a traceback instead of a message that says which line to fix.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.content import ContentError, ContentLibrary, load_content

if TYPE_CHECKING:
    from tests.content.conftest import ContentFolder

TARGETS = [
    "conditions/04-condition.toml",
    "conditions/11-extra.toml",
    "nudges.toml",
    "interests.toml",
    "regions.toml",
]
KNOWN_KEYS = [
    "number",
    "title",
    "explanation",
    "discussion_prompts",
    "coffee_starters",
    "reflection_questions",
    "nudges",
    "interest",
    "region",
    "id",
    "label",
    "timezone",
    "ask_timezone",
]

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40)
keys = st.sampled_from(KNOWN_KEYS) | text
scalars = st.one_of(
    text,
    st.sampled_from(["", " ", "Europe/London", "Europe", "../etc", "food", "x" * 400]),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(),
    st.datetimes(min_value=datetime(1000, 1, 1)),
    st.dates(min_value=date(1000, 1, 1)),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
structures = st.dictionaries(keys, values, max_size=6)

toml_ish = st.text(
    alphabet=st.sampled_from([*"[]{}=\"'\\.,#\n\t =-_:abnrtuefl0129+", "\u00e9", "\x00"]),
    max_size=120,
)


def _load(folder: ContentFolder) -> ContentLibrary | ContentError:
    try:
        return folder.load()
    except ContentError as error:
        return error


def _check(outcome: ContentLibrary | ContentError) -> None:
    if isinstance(outcome, ContentError):
        assert outcome.problems
        assert "\n" not in str(outcome)
        for problem in outcome.problems:
            assert problem.startswith("prompts/"), problem
            assert "\n" not in problem and "\r" not in problem, problem


@FUZZ
@given(target=st.sampled_from(TARGETS), raw=toml_ish | st.binary(max_size=80))
def test_garbage_text_only_raises_content_error(
    make_folder: type[ContentFolder], target: str, raw: str | bytes
) -> None:
    with tempfile.TemporaryDirectory() as parent:
        folder = make_folder(Path(parent))
        folder.raw[target] = raw.encode("utf-8") if isinstance(raw, str) else raw
        _check(_load(folder))


@FUZZ
@given(target=st.sampled_from(TARGETS), data=structures)
def test_random_structures_only_raise_content_error(
    make_folder: type[ContentFolder], target: str, data: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as parent:
        folder = make_folder(Path(parent))
        folder.files[target] = data
        _check(_load(folder))


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, list[Any], Any]:
    """A path to one value inside a valid file, and something to put there instead."""
    target = draw(st.sampled_from(TARGETS[:1] + TARGETS[2:]))
    return target, draw(st.lists(keys | st.integers(0, 4), min_size=1, max_size=3)), draw(values)


def _replace(tree: Any, path: list[Any], new: Any) -> None:
    """Put ``new`` at ``path`` inside ``tree``, going as deep as the path still fits."""
    node = tree
    for step in path[:-1]:
        if (
            isinstance(node, dict)
            and isinstance(step, str)
            and isinstance(node.get(step), dict | list)
        ):
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            if not isinstance(node[step], dict | list):
                break
            node = node[step]
        else:
            break
    last = path[-1]
    if isinstance(node, dict):
        node[str(last)] = new
    elif isinstance(node, list):
        if isinstance(last, int) and last < len(node):
            node[last] = new
        else:
            node.append(new)


@FUZZ
@given(mutation=mutations())
def test_mutated_valid_files_only_raise_content_error(
    make_folder: type[ContentFolder], mutation: tuple[str, list[Any], Any]
) -> None:
    target, path, new = mutation
    with tempfile.TemporaryDirectory() as parent:
        folder = make_folder(Path(parent))
        _replace(folder.files[target], path, new)
        _check(_load(folder))


@FUZZ
@given(bad_time=st.times() | st.dates(min_value=date(1000, 1, 1)))
def test_dates_and_times_are_described_in_words(
    make_folder: type[ContentFolder], bad_time: time | date
) -> None:
    with tempfile.TemporaryDirectory() as parent:
        folder = make_folder(Path(parent))
        folder.files["conditions/04-condition.toml"]["title"] = bad_time
        outcome = _load(folder)
        assert isinstance(outcome, ContentError)
        assert "a date or time" in str(outcome)


def test_the_shipped_folder_is_not_touched_by_fuzzing() -> None:
    assert isinstance(load_content(), ContentLibrary)
