"""Each rule fires on a broken copy, with a message naming the file, the entry and the problem."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import pytest

from bot.services.content import (
    Condition,
    ContentError,
    PromptKind,
    clean_custom_prompt,
    load_content,
)

if TYPE_CHECKING:
    from tests.content.conftest import ContentFolder

F4 = "conditions/04-condition.toml"
C4 = f"prompts/{F4}"


def test_valid_folder_loads(content: ContentFolder) -> None:
    library = content.load()
    assert [c.number for c in library.conditions] == list(range(1, 11))
    assert library.nudges == ("Say hello.", "Share a biscuit.", "Ask how they are.")
    assert [i.id for i in library.interests] == ["food", "walking", "music"]
    elsewhere = library.region("elsewhere")
    assert elsewhere is not None and elsewhere.timezone is None and elsewhere.needs_timezone
    london = library.region("london")
    assert london is not None and london.timezone == "Europe/London"


def test_text_is_trimmed(content: ContentFolder) -> None:
    content.files["conditions/02-condition.toml"]["title"] = "  Padded title \n"
    content.files["nudges.toml"]["nudges"][0] = "\tSay hello. "
    library = content.load()
    assert library.condition(2).title == "Padded title"
    assert library.nudges[0] == "Say hello."


# --- files and syntax ------------------------------------------------------------------


def test_missing_file(content: ContentFolder) -> None:
    del content.files["nudges.toml"]
    assert content.problem() == "prompts/nudges.toml: file is missing"


def test_missing_conditions_folder(content: ContentFolder) -> None:
    root = content.write()
    for path in (root / "conditions").iterdir():
        path.unlink()
    (root / "conditions").rmdir()
    with pytest.raises(ContentError) as caught:
        load_content(root)
    assert str(caught.value).startswith("prompts/conditions: folder is missing")


def test_toml_syntax_error_names_the_line(content: ContentFolder) -> None:
    content.raw["interests.toml"] = b'[[interest]]\nid = "food"\nlabel = "Food\n'
    problem = content.problem()
    assert problem.startswith("prompts/interests.toml: is not valid TOML: ")
    assert "line 3" in problem
    assert "\n" not in problem


def test_not_utf8(content: ContentFolder) -> None:
    content.raw["nudges.toml"] = 'nudges = ["caf\u00e9"]\n'.encode("latin-1")
    assert content.problem().startswith("prompts/nudges.toml: is not UTF-8 text")


def test_stray_single_conditions_file_is_flagged(content: ContentFolder) -> None:
    content.raw["conditions.toml"] = b"number = 1\n"
    assert content.problem().startswith("prompts/conditions.toml: is not read;")


def test_other_files_in_conditions_folder_are_ignored(content: ContentFolder) -> None:
    content.raw["conditions/README.md"] = b"Notes for coordinators."
    content.raw["conditions/.04-condition.toml.swp"] = b"\x00\x01"
    assert len(content.load().conditions) == 10


# --- conditions ----------------------------------------------------------------------------


def test_too_few_coffee_starters(content: ContentFolder) -> None:
    content.files[F4]["coffee_starters"] = ["Just one?"]
    assert content.problem() == (
        f"{C4}: condition 4 'coffee_starters' needs at least 3 entries (found 1)"
    )


@pytest.mark.parametrize(
    ("key", "minimum"),
    [("discussion_prompts", 3), ("coffee_starters", 3), ("reflection_questions", 2)],
)
def test_minimum_counts(content: ContentFolder, key: str, minimum: int) -> None:
    content.files[F4][key] = content.files[F4][key][: minimum - 1]
    assert content.problem() == (
        f"{C4}: condition 4 {key!r} needs at least {minimum} entries (found {minimum - 1})"
    )
    content.files[F4][key] = [f"Entry {i}?" for i in range(minimum)]
    content.load()


def test_missing_condition(content: ContentFolder) -> None:
    del content.files["conditions/07-condition.toml"]
    assert content.problem() == (
        "prompts/conditions: condition 7 missing (expected one file for each of conditions 1 to 10)"
    )


def test_several_missing_conditions(content: ContentFolder) -> None:
    for n in (2, 5, 9):
        del content.files[f"conditions/{n:02d}-condition.toml"]
    assert content.problem().startswith("prompts/conditions: conditions 2, 5 and 9 missing")


def test_duplicate_condition(content: ContentFolder) -> None:
    content.files["conditions/04-copy.toml"] = content.copy()[F4]
    assert content.problem() == (
        "prompts/conditions/04-copy.toml: condition 4 is already defined in "
        "prompts/conditions/04-condition.toml"
    )


@pytest.mark.parametrize(
    ("value", "shown"), [(11, "11"), (0, "0"), (True, "True"), ("4", "'4'"), (4.0, "4.0")]
)
def test_bad_number(content: ContentFolder, value: Any, shown: str) -> None:
    content.files[F4]["number"] = value
    assert content.problem() == (
        f"{C4}: condition 'number' should be a whole number from 1 to 10, not {shown}"
    )


def test_missing_number(content: ContentFolder) -> None:
    del content.files[F4]["number"]
    assert content.problem().startswith(f"{C4}: condition is missing 'number'")


@pytest.mark.parametrize(
    "key",
    ["title", "explanation", "discussion_prompts", "coffee_starters", "reflection_questions"],
)
def test_missing_key(content: ContentFolder, key: str) -> None:
    del content.files[F4][key]
    assert content.problem() == f"{C4}: condition 4 is missing {key!r}"


def test_unknown_key_suggests_the_near_miss(content: ContentFolder) -> None:
    content.files[F4]["coffee_starter"] = ["A typo?"]
    assert content.problem() == (
        f"{C4}: condition 4 has an unknown key 'coffee_starter' (did you mean 'coffee_starters'?)"
    )


def test_unknown_key_without_near_miss_lists_the_keys(content: ContentFolder) -> None:
    content.files[F4]["zzz"] = 1
    problem = content.problem()
    assert problem.startswith(f"{C4}: condition 4 has an unknown key 'zzz' (expected ")
    assert "'reflection_questions'" in problem


def test_title_of_wrong_type(content: ContentFolder) -> None:
    content.files[F4]["title"] = 5
    assert content.problem() == f"{C4}: condition 4 'title' should be text in quotes, not a number"


def test_list_of_wrong_type(content: ContentFolder) -> None:
    content.files[F4]["discussion_prompts"] = "Only one, not in a list"
    assert content.problem() == (
        f"{C4}: condition 4 'discussion_prompts' should be a list in square brackets, not text"
    )


def test_list_entry_of_wrong_type(content: ContentFolder) -> None:
    content.files[F4]["coffee_starters"][1] = ["nested"]
    assert content.problem() == (
        f"{C4}: condition 4 'coffee_starters' entry #2 should be text in quotes, not a list"
    )


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_empty_title(content: ContentFolder, blank: str) -> None:
    content.files[F4]["title"] = blank
    assert content.problem() == f"{C4}: condition 4 has an empty 'title'"


def test_empty_list_entry(content: ContentFolder) -> None:
    content.files[F4]["reflection_questions"][2] = "  "
    assert content.problem() == f"{C4}: condition 4 has an empty 'reflection_questions' entry #3"


def test_prompt_too_long(content: ContentFolder) -> None:
    content.files[F4]["discussion_prompts"][0] = "x" * 301
    assert content.problem() == (
        f"{C4}: condition 4 'discussion_prompts' entry #1 is too long: 301 characters (limit 300)"
    )


def test_prompt_at_the_limit_is_fine(content: ContentFolder) -> None:
    content.files[F4]["discussion_prompts"][0] = "x" * 300
    content.load()


def test_explanation_too_long(content: ContentFolder) -> None:
    content.files[F4]["explanation"] = "y" * 601
    assert content.problem() == (
        f"{C4}: condition 4 'explanation' is too long: 601 characters (limit 600)"
    )


def test_title_too_long(content: ContentFolder) -> None:
    content.files[F4]["title"] = "t" * 81
    assert "'title' is too long: 81 characters (limit 80)" in content.problem()


def test_repeated_prompt(content: ContentFolder) -> None:
    starters = content.files[F4]["coffee_starters"]
    starters[2] = "  " + starters[0].upper() + " "
    assert content.problem() == f"{C4}: condition 4 'coffee_starters' entry #3 repeats entry #1"


# --- nudges ---------------------------------------------------------------------------------


def test_no_nudges(content: ContentFolder) -> None:
    content.files["nudges.toml"]["nudges"] = []
    assert content.problem() == ("prompts/nudges.toml: 'nudges' needs at least 1 entry (found 0)")


def test_empty_nudge(content: ContentFolder) -> None:
    content.files["nudges.toml"]["nudges"][1] = ""
    assert content.problem() == "prompts/nudges.toml: has an empty 'nudges' entry #2"


def test_nudge_too_long(content: ContentFolder) -> None:
    content.files["nudges.toml"]["nudges"][0] = "n" * 301
    assert "'nudges' entry #1 is too long: 301 characters (limit 300)" in content.problem()


def test_nudges_unknown_key(content: ContentFolder) -> None:
    content.files["nudges.toml"]["nudge"] = ["Typo"]
    assert content.problem() == (
        "prompts/nudges.toml: has an unknown key 'nudge' (did you mean 'nudges'?)"
    )


# --- interests -----------------------------------------------------------------------------

INTERESTS = "prompts/interests.toml"


def test_interest_with_empty_label(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][2]["label"] = " "
    assert content.problem() == f"{INTERESTS}: interest #3 ('music') has an empty 'label'"


def test_interest_with_empty_id(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][2]["id"] = ""
    assert content.problem() == f"{INTERESTS}: interest #3 ('') has an empty 'id'"


@pytest.mark.parametrize("bad", ["Food", "food stuff", "food_stuff", "-food", "food--x", "café"])
def test_interest_with_unsafe_id(content: ContentFolder, bad: str) -> None:
    content.files["interests.toml"]["interest"][0]["id"] = bad
    problem = content.problem()
    assert problem.startswith(f"{INTERESTS}: interest #1 ({bad!r}) has id {bad!r}, which should")


def test_interest_id_too_long(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][0]["id"] = "a" * 33
    assert "'id' is too long: 33 characters (limit 32)" in content.problem()


def test_interest_missing_label(content: ContentFolder) -> None:
    del content.files["interests.toml"]["interest"][1]["label"]
    assert content.problem() == f"{INTERESTS}: interest #2 ('walking') is missing 'label'"


def test_duplicate_interest_id(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][2]["id"] = "food"
    assert content.problem() == f"{INTERESTS}: interest #3 reuses id 'food' from interest #1"


def test_duplicate_interest_label(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][2]["label"] = "walking"
    assert content.problem() == (
        f"{INTERESTS}: interest #3 reuses label 'walking' from interest #2"
    )


def test_interest_unknown_key(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][0]["lable"] = "Typo"
    assert content.problem() == (
        f"{INTERESTS}: interest #1 ('food') has an unknown key 'lable' (did you mean 'label'?)"
    )


def test_interest_not_a_table(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"][1] = "walking"
    assert content.problem() == (
        f"{INTERESTS}: interest #2 should be a [[interest]] table, not text"
    )


def test_interests_not_a_list(content: ContentFolder) -> None:
    content.files["interests.toml"] = {"interest": {"id": "food", "label": "Food"}}
    assert content.problem() == (
        f"{INTERESTS}: 'interest' should be written as [[interest]] tables, not a table"
    )


def test_no_interests(content: ContentFolder) -> None:
    content.files["interests.toml"] = {}
    assert content.problem() == f"{INTERESTS}: has no [[interest]] entries"


def test_too_many_interests_for_a_menu(content: ContentFolder) -> None:
    content.files["interests.toml"]["interest"] = [
        {"id": f"i{n}", "label": f"Interest {n}"} for n in range(26)
    ]
    assert content.problem() == (
        f"{INTERESTS}: has 26 [[interest]] entries; Discord menus show at most 25"
    )


# --- regions --------------------------------------------------------------------------------

REGIONS = "prompts/regions.toml"


def test_unknown_timezone_suggests_a_fix(content: ContentFolder) -> None:
    content.files["regions.toml"]["region"][0]["timezone"] = "Europe/Londn"
    assert content.problem() == (
        f"{REGIONS}: region #1 ('london') has an unknown timezone 'Europe/Londn' "
        "(did you mean 'Europe/London'?)"
    )


@pytest.mark.parametrize("bad", ["Nowhere/Special", "../../etc/passwd", "Europe", "GMT+1 "])
def test_invalid_timezones(content: ContentFolder, bad: str) -> None:
    content.files["regions.toml"]["region"][1]["timezone"] = bad
    assert content.problem().startswith(f"{REGIONS}: region #2 ('scotland') has an unknown")


def test_region_without_timezone_or_flag(content: ContentFolder) -> None:
    del content.files["regions.toml"]["region"][1]["timezone"]
    assert content.problem() == (
        f"{REGIONS}: region #2 ('scotland') needs a 'timezone' (such as 'Europe/London') "
        "or 'ask_timezone = true'"
    )


def test_region_with_timezone_and_flag(content: ContentFolder) -> None:
    content.files["regions.toml"]["region"][0]["ask_timezone"] = True
    assert content.problem() == (
        f"{REGIONS}: region #1 ('london') has both a 'timezone' and 'ask_timezone = true'; "
        "keep only one"
    )


def test_region_flag_of_wrong_type(content: ContentFolder) -> None:
    content.files["regions.toml"]["region"][2]["ask_timezone"] = "yes"
    assert content.problem() == (
        f"{REGIONS}: region #3 ('elsewhere') 'ask_timezone' should be true or false, not text"
    )


def test_region_explicit_false_flag_with_timezone_is_fine(content: ContentFolder) -> None:
    content.files["regions.toml"]["region"][0]["ask_timezone"] = False
    london = content.load().region("london")
    assert london is not None and london.timezone == "Europe/London"


def test_duplicate_region_id(content: ContentFolder) -> None:
    content.files["regions.toml"]["region"][2]["id"] = "london"
    assert content.problem() == f"{REGIONS}: region #3 reuses id 'london' from region #1"


def test_region_unknown_key(content: ContentFolder) -> None:
    content.files["regions.toml"]["region"][0]["time_zone"] = "Europe/London"
    assert content.problem() == (
        f"{REGIONS}: region #1 ('london') has an unknown key 'time_zone' (did you mean 'timezone'?)"
    )


# --- reporting ------------------------------------------------------------------------------


def test_every_problem_is_collected_and_the_message_stays_on_one_line(
    content: ContentFolder,
) -> None:
    content.files[F4]["title"] = ""
    content.files["nudges.toml"]["nudges"] = []
    content.files["regions.toml"]["region"][0]["timezone"] = "Mars/Olympus"
    with pytest.raises(ContentError) as caught:
        content.load()
    error = caught.value
    assert len(error.problems) == 3
    assert [p.split(":")[0] for p in error.problems] == [
        C4,
        "prompts/nudges.toml",
        REGIONS,
    ]
    assert str(error) == f"{error.problems[0]} (and 2 more problems)"
    assert "\n" not in str(error)


def test_one_further_problem_is_counted_in_the_singular(content: ContentFolder) -> None:
    content.files[F4]["title"] = ""
    content.files["nudges.toml"]["nudges"] = []
    with pytest.raises(ContentError, match=r"\(and 1 more problem\)$"):
        content.load()


def test_error_survives_pickling() -> None:
    error = ContentError("prompts/a.toml: broken", "prompts/b.toml: also broken")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, ContentError)
    assert str(copy) == str(error)


def test_long_values_are_cut_short_in_messages(content: ContentFolder) -> None:
    content.files[F4]["number"] = "9" * 500
    problem = content.problem()
    assert len(problem) < 200 and problem.endswith("…")


# --- guild prompts and lookups --------------------------------------------------------------


def _condition() -> Condition:
    return Condition(
        number=1,
        title="T",
        explanation="E.",
        discussion_prompts=("One?", "Two?", "Three?"),
        coffee_starters=("Tea?", "Coffee?", "Cake?"),
        reflection_questions=("Why?", "How?"),
    )


def test_prompt_kinds_map_to_file_keys() -> None:
    assert [k.key for k in PromptKind] == [
        "discussion_prompts",
        "coffee_starters",
        "reflection_questions",
    ]
    assert [k.minimum for k in PromptKind] == [3, 3, 2]
    assert PromptKind("starter") is PromptKind.STARTER


def test_combined_puts_shipped_first_and_drops_blanks_and_repeats() -> None:
    condition = _condition()
    combined = condition.combined(PromptKind.STARTER, ["  Biscuits? ", "", "tea?", "Biscuits?"])
    assert combined == ("Tea?", "Coffee?", "Cake?", "Biscuits?")
    assert condition.combined(PromptKind.REFLECTION) == ("Why?", "How?")
    assert condition.combined(PromptKind.DISCUSSION, iter(["Four?"]))[-1] == "Four?"


def test_library_lookups(content: ContentFolder) -> None:
    library = content.load()
    assert library.condition(10).number == 10
    with pytest.raises(KeyError):
        library.condition(11)
    assert library.interest("nope") is None
    assert library.region("nope") is None
    extra = library.prompts_for(3, PromptKind.DISCUSSION, ["Our own question?"])
    assert extra == (*library.condition(3).discussion_prompts, "Our own question?")


def test_clean_custom_prompt() -> None:
    assert clean_custom_prompt("  What made you smile today?\n") == "What made you smile today?"
    with pytest.raises(ValueError, match="empty"):
        clean_custom_prompt("   ")
    with pytest.raises(ValueError, match="301 characters"):
        clean_custom_prompt("z" * 301)
