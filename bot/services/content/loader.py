"""Load the content folder, optionally overridden file by file, and check all of it."""

from __future__ import annotations

import difflib
import zoneinfo
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from bot.resources import prompts_dir
from bot.services.content.model import (
    CONDITION_NUMBERS,
    MAX_EXPLANATION_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_MENU_OPTIONS,
    MAX_NUDGE_LENGTH,
    MAX_PROMPT_LENGTH,
    MAX_TITLE_LENGTH,
    Condition,
    ContentError,
    ContentLibrary,
    Interest,
    PromptKind,
    Region,
)
from bot.services.content.reader import Entry, Reader
from bot.services.content.words import describe, fold, join, show
from bot.services.defaults import DEFAULT_TIMEZONE


def load_content(directory: Path | None = None, override: Path | None = None) -> ContentLibrary:
    """Read and check every content file; raise ContentError listing all problems.

    ``directory`` is the shipped content (``prompts/`` by default). A file in
    ``override`` replaces the file with the same relative path there, file by file;
    a file the override folder lacks comes from ``directory``.
    """
    root = prompts_dir() if directory is None else directory
    reader = Reader(root, override)
    if override is not None:
        _check_override(reader, override)
    conditions = _load_conditions(reader)
    nudges = _load_nudges(reader)
    interests = _load_interests(reader)
    regions = _load_regions(reader)
    if reader.problems:
        raise ContentError(*reader.problems)
    assert conditions is not None
    assert nudges is not None
    assert interests is not None
    assert regions is not None
    return ContentLibrary(conditions, nudges, interests, regions)


def _load_conditions(reader: Reader) -> tuple[Condition, ...] | None:
    if reader.exists("conditions.toml"):
        reader.problem(
            reader.locate("conditions.toml"),
            "is not read; each condition has its own file in conditions/",
        )
    folder = reader.root / "conditions"
    paths = reader.folder_files("conditions", ".toml")
    if paths is None:
        reader.problem(folder, "folder is missing (it should hold one file per condition)")
        return None
    before = len(reader.problems)
    by_number: dict[int, tuple[Path, Condition]] = {}
    for path in paths:
        condition = _parse_condition(reader, path)
        if condition is None:
            continue
        if condition.number in by_number:
            other = reader.show(by_number[condition.number][0])
            reader.problem(path, f"condition {condition.number} is already defined in {other}")
            continue
        by_number[condition.number] = (path, condition)
    if len(reader.problems) != before:
        return None
    missing = [n for n in CONDITION_NUMBERS if n not in by_number]
    if missing:
        noun = "condition" if len(missing) == 1 else "conditions"
        reader.problem(
            folder,
            f"{noun} {join([str(n) for n in missing])} missing "
            f"(expected one file for each of conditions 1 to {CONDITION_NUMBERS[-1]})",
        )
        return None
    return tuple(by_number[n][1] for n in CONDITION_NUMBERS)


def shipped_files(directory: Path | None = None) -> list[str]:
    """The relative paths (``messages.toml``, ``conditions/01-….toml``) of the shipped content."""
    root = prompts_dir() if directory is None else directory
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.toml")
        if not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


def _check_override(reader: Reader, override: Path) -> None:
    """An override folder must exist, and every TOML file in it must be one kindbot reads."""
    if not override.is_dir():
        reader.problem(override, "folder is missing")
        return
    known = set(shipped_files(reader.root))
    for path in sorted(override.rglob("*")):
        relative = path.relative_to(override)
        if path.suffix != ".toml" or any(part.startswith(".") for part in relative.parts):
            continue
        name = relative.as_posix()
        if name in known or (relative.parent.as_posix() == "conditions" and path.suffix == ".toml"):
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "it is not one of the content files"
        reader.problem(path, f"is not read by kindbot ({hint})")


_CONDITION_KEYS = ("number", "title", "explanation", *(kind.key for kind in PromptKind))


def _parse_condition(reader: Reader, path: Path) -> Condition | None:
    data = reader.read(path)
    if data is None:
        return None
    number = data.get("number")
    valid_number = (
        isinstance(number, int) and not isinstance(number, bool) and number in CONDITION_NUMBERS
    )
    entry = Entry(reader, path, f"condition {number}" if valid_number else "condition")
    before = len(reader.problems)
    if "number" not in data:
        entry.problem(f"is missing 'number' (a whole number from 1 to {CONDITION_NUMBERS[-1]})")
    elif not valid_number:
        entry.problem(
            f"'number' should be a whole number from 1 to {CONDITION_NUMBERS[-1]}, "
            f"not {show(number)}"
        )
    entry.check_keys(data, _CONDITION_KEYS)
    title = entry.text(data, "title", MAX_TITLE_LENGTH)
    explanation = entry.text(data, "explanation", MAX_EXPLANATION_LENGTH)
    lists = {
        kind: entry.text_list(data, kind.key, kind.minimum, MAX_PROMPT_LENGTH)
        for kind in PromptKind
    }
    if len(reader.problems) != before:
        return None
    assert isinstance(number, int) and title is not None and explanation is not None
    discussion = lists[PromptKind.DISCUSSION]
    starters = lists[PromptKind.STARTER]
    reflections = lists[PromptKind.REFLECTION]
    assert discussion is not None and starters is not None and reflections is not None
    return Condition(number, title, explanation, discussion, starters, reflections)


def _load_nudges(reader: Reader) -> tuple[str, ...] | None:
    path = reader.locate("nudges.toml")
    data = reader.read(path)
    if data is None:
        return None
    entry = Entry(reader, path, "")
    before = len(reader.problems)
    entry.check_keys(data, ["nudges"])
    nudges = entry.text_list(data, "nudges", 1, MAX_NUDGE_LENGTH)
    return nudges if len(reader.problems) == before else None


def _tables(reader: Reader, path: Path, key: str) -> list[tuple[int, dict[str, object]]] | None:
    """The ``[[key]]`` tables of a file, numbered from 1 as a coordinator would count them."""
    data = reader.read(path)
    if data is None:
        return None
    entry = Entry(reader, path, "")
    before = len(reader.problems)
    entry.check_keys(data, [key])
    if key not in data:
        entry.problem(f"has no [[{key}]] entries")
        return None
    tables = data[key]
    if not isinstance(tables, list):
        entry.problem(f"{key!r} should be written as [[{key}]] tables, not {describe(tables)}")
        return None
    if not tables:
        entry.problem(f"has no [[{key}]] entries")
    if len(tables) > MAX_MENU_OPTIONS:
        entry.problem(
            f"has {len(tables)} [[{key}]] entries; Discord menus show at most {MAX_MENU_OPTIONS}"
        )
    result: list[tuple[int, dict[str, object]]] = []
    for index, table in enumerate(tables, start=1):
        if isinstance(table, dict):
            result.append((index, table))
        else:
            entry.problem(f"{key} #{index} should be a [[{key}]] table, not {describe(table)}")
    return result if len(reader.problems) == before else None


def _entry_for(
    reader: Reader, path: Path, noun: str, index: int, table: Mapping[str, object]
) -> Entry:
    raw_id = table.get("id")
    named = f" ({show(raw_id.strip())})" if isinstance(raw_id, str) else ""
    return Entry(reader, path, f"{noun} #{index}{named}")


def _check_unique(
    reader: Reader, path: Path, noun: str, items: Iterable[tuple[int, str, str]]
) -> None:
    """Ids are stored in the database and labels are shown side by side: both must differ."""
    seen_ids: dict[str, int] = {}
    seen_labels: dict[str, int] = {}
    for index, item_id, label in items:
        earlier = seen_ids.setdefault(item_id, index)
        if earlier != index:
            reader.problem(path, f"{noun} #{index} reuses id {item_id!r} from {noun} #{earlier}")
        earlier = seen_labels.setdefault(fold(label), index)
        if earlier != index:
            reader.problem(path, f"{noun} #{index} reuses label {label!r} from {noun} #{earlier}")


def _load_interests(reader: Reader) -> tuple[Interest, ...] | None:
    path = reader.locate("interests.toml")
    tables = _tables(reader, path, "interest")
    if tables is None:
        return None
    before = len(reader.problems)
    found: list[tuple[int, Interest]] = []
    for index, table in tables:
        entry = _entry_for(reader, path, "interest", index, table)
        entry.check_keys(table, ["id", "label"])
        item_id = entry.slug(table)
        label = entry.text(table, "label", MAX_LABEL_LENGTH)
        if item_id is not None and label is not None:
            found.append((index, Interest(item_id, label)))
    _check_unique(reader, path, "interest", ((i, x.id, x.label) for i, x in found))
    return tuple(x for _, x in found) if len(reader.problems) == before else None


def _load_regions(reader: Reader) -> tuple[Region, ...] | None:
    path = reader.locate("regions.toml")
    tables = _tables(reader, path, "region")
    if tables is None:
        return None
    before = len(reader.problems)
    found: list[tuple[int, Region]] = []
    for index, table in tables:
        entry = _entry_for(reader, path, "region", index, table)
        start = len(reader.problems)
        entry.check_keys(table, ["id", "label", "timezone", "ask_timezone"])
        item_id = entry.slug(table)
        label = entry.text(table, "label", MAX_LABEL_LENGTH)
        timezone = _region_timezone(entry, table)
        if len(reader.problems) == start:
            assert item_id is not None and label is not None
            found.append((index, Region(item_id, label, timezone)))
    _check_unique(reader, path, "region", ((i, x.id, x.label) for i, x in found))
    return tuple(x for _, x in found) if len(reader.problems) == before else None


def _region_timezone(entry: Entry, table: Mapping[str, object]) -> str | None:
    """A region names its timezone, or says ``ask_timezone = true``; never both, never neither.

    Requiring the explicit flag means a forgotten timezone is reported rather than
    silently turning a UK region into one that asks every member to pick.
    """
    ask = table.get("ask_timezone", False)
    if not isinstance(ask, bool):
        entry.problem(f"'ask_timezone' should be true or false, not {describe(ask)}")
        return None
    if "timezone" not in table:
        if not ask:
            entry.problem(
                f"needs a 'timezone' (such as {DEFAULT_TIMEZONE!r}) or 'ask_timezone = true'"
            )
        return None
    if ask:
        entry.problem("has both a 'timezone' and 'ask_timezone = true'; keep only one")
        return None
    timezone = entry.text(table, "timezone", 64)
    if timezone is None:
        return None
    if timezone not in known_timezones():
        close = difflib.get_close_matches(timezone, sorted(known_timezones()), n=1)
        example = f"use a name such as {DEFAULT_TIMEZONE!r}"
        hint = f"did you mean {close[0]!r}?" if close else example
        entry.problem(f"has an unknown timezone {show(timezone)} ({hint})")
        return None
    return timezone


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
