"""The content shipped in ``prompts/`` loads and meets every count the bot relies on."""

from __future__ import annotations

import tomllib
from zoneinfo import ZoneInfo

import pytest

from bot.resources import prompts_dir
from bot.services.content import (
    MAX_EXPLANATION_LENGTH,
    MAX_PROMPT_LENGTH,
    ContentLibrary,
    PromptKind,
    load_content,
)


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    return load_content()


def test_default_folder_is_the_shipped_one(library: ContentLibrary) -> None:
    assert load_content(prompts_dir()) == library


def test_all_ten_conditions_in_order(library: ContentLibrary) -> None:
    assert [c.number for c in library.conditions] == list(range(1, 11))
    assert len({c.title for c in library.conditions}) == 10


@pytest.mark.parametrize("number", range(1, 11))
def test_each_condition_has_enough_fresh_material(library: ContentLibrary, number: int) -> None:
    condition = library.condition(number)
    assert len(condition.discussion_prompts) >= 4
    assert len(condition.coffee_starters) >= 4
    assert len(condition.reflection_questions) >= 3
    assert len(condition.explanation) <= MAX_EXPLANATION_LENGTH
    for kind in PromptKind:
        for text in condition.prompts(kind):
            assert text == text.strip() and 0 < len(text) <= MAX_PROMPT_LENGTH
            assert text.endswith(("?", ".")), text


def test_prompts_are_not_repeated_across_conditions(library: ContentLibrary) -> None:
    everything = [
        text.casefold()
        for condition in library.conditions
        for kind in PromptKind
        for text in condition.prompts(kind)
    ]
    assert len(everything) == len(set(everything))


def test_explanations_are_two_or_three_sentences(library: ContentLibrary) -> None:
    for condition in library.conditions:
        sentences = condition.explanation.count(". ") + 1
        assert 2 <= sentences <= 3, (condition.number, condition.explanation)
        assert "\n" not in condition.explanation


def test_nudges(library: ContentLibrary) -> None:
    assert 10 <= len(library.nudges) <= 15


def test_interests(library: ContentLibrary) -> None:
    assert 10 <= len(library.interests) <= 20
    food = library.interest("food")
    assert food is not None and food.label == "Food & cooking"


def test_regions_cover_the_uk_and_elsewhere(library: ContentLibrary) -> None:
    england = {
        "north-east",
        "north-west",
        "yorkshire-humber",
        "east-midlands",
        "west-midlands",
        "east-of-england",
        "london",
        "south-east",
        "south-west",
    }
    ids = {region.id for region in library.regions}
    assert england | {"scotland", "wales", "northern-ireland", "elsewhere"} == ids
    for region in library.regions:
        if region.id == "elsewhere":
            assert region.needs_timezone
        else:
            assert region.timezone == "Europe/London"
            assert ZoneInfo(region.timezone).key == "Europe/London"


def test_condition_files_are_commented_for_coordinators() -> None:
    folder = prompts_dir() / "conditions"
    files = sorted(folder.glob("*.toml"))
    assert len(files) == 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#"), path.name
        number = tomllib.loads(text)["number"]
        assert path.name.startswith(f"{number:02d}-"), path.name
