"""Load and check the shipped content: the ten conditions, nudges, interests and regions.

Coordinators edit the TOML files in ``prompts/`` without touching code, so every
mistake is caught at start-up with a one-line message naming the file, the entry
and the problem, instead of surfacing later as a broken embed or a crash halfway
through someone's onboarding.

Layout of the content folder::

    conditions/NN-<slug>.toml   one file per condition (numbers 1 to 10)
    nudges.toml                 nudges = ["...", ...]
    interests.toml              [[interest]] id = "...", label = "..."
    regions.toml                [[region]] id, label, and timezone or ask_timezone = true

Guild-specific prompts live in the database, not here; they are merged at read
time with :meth:`Condition.combined` or :meth:`ContentLibrary.prompts_for`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.resources import prompts_dir

CONDITION_NUMBERS = range(1, 11)

# Lengths stay well inside Discord's embed limits (title 256, field 1024) so a
# prompt always fits in one field and reads comfortably on a phone.
MAX_TITLE_LENGTH = 80
MAX_EXPLANATION_LENGTH = 600
MAX_PROMPT_LENGTH = 300
MAX_NUDGE_LENGTH = 300
MAX_LABEL_LENGTH = 80
MAX_ID_LENGTH = 32
# Interests and regions are offered in Discord select menus, which hold at most 25 options.
MAX_MENU_OPTIONS = 25

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SHOWN_VALUE_LENGTH = 40


class ContentError(Exception):
    """The content folder cannot be used; the bot must not start with it.

    ``str(error)`` is the first problem on one line (with a count of the rest);
    ``error.problems`` holds every problem so they can all be fixed in one pass.
    """

    def __init__(self, first: str, *more: str) -> None:
        self.problems: tuple[str, ...] = (first, *more)
        message = first
        if more:
            message += f" (and {_count(len(more), 'more problem', 'more problems')})"
        super().__init__(message)


class PromptKind(StrEnum):
    """The three kinds of text a condition offers; values are stable and safe to store."""

    DISCUSSION = "discussion"
    STARTER = "starter"
    REFLECTION = "reflection"

    @property
    def key(self) -> str:
        """The key used for this kind in a condition file."""
        return _KIND_KEYS[self]

    @property
    def minimum(self) -> int:
        """How many shipped entries each condition must have, so rotation feels fresh."""
        return _KIND_MINIMUMS[self]


_KIND_KEYS: dict[PromptKind, str] = {
    PromptKind.DISCUSSION: "discussion_prompts",
    PromptKind.STARTER: "coffee_starters",
    PromptKind.REFLECTION: "reflection_questions",
}
_KIND_MINIMUMS: dict[PromptKind, int] = {
    PromptKind.DISCUSSION: 3,
    PromptKind.STARTER: 3,
    PromptKind.REFLECTION: 2,
}


@dataclass(frozen=True, slots=True)
class Condition:
    """One of Belong's ten conditions for radical kindness, with its conversation material."""

    number: int
    title: str
    explanation: str
    discussion_prompts: tuple[str, ...]
    coffee_starters: tuple[str, ...]
    reflection_questions: tuple[str, ...]

    def prompts(self, kind: PromptKind) -> tuple[str, ...]:
        """The shipped entries of one kind."""
        if kind is PromptKind.DISCUSSION:
            return self.discussion_prompts
        if kind is PromptKind.STARTER:
            return self.coffee_starters
        return self.reflection_questions

    def combined(self, kind: PromptKind, extra: Iterable[str] = ()) -> tuple[str, ...]:
        """Shipped entries followed by a guild's own, without blanks or repeats.

        ``extra`` is expected to have passed :func:`clean_custom_prompt` when it
        was saved; repeats are compared ignoring case and spacing so a guild that
        re-adds a shipped prompt does not see it twice as often.
        """
        result: list[str] = []
        seen: set[str] = set()
        for text in (*self.prompts(kind), *extra):
            cleaned = text.strip()
            folded = _fold(cleaned)
            if cleaned and folded not in seen:
                seen.add(folded)
                result.append(cleaned)
        return tuple(result)


@dataclass(frozen=True, slots=True)
class Interest:
    """Something a member can say they enjoy; ``id`` is stored, ``label`` is shown."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Region:
    """Where a member is; ``timezone`` is None when the member must choose their own."""

    id: str
    label: str
    timezone: str | None

    @property
    def needs_timezone(self) -> bool:
        """True for entries such as "elsewhere" that cannot imply a timezone."""
        return self.timezone is None


@dataclass(frozen=True, slots=True)
class ContentLibrary:
    """Everything loaded from the content folder, already checked."""

    conditions: tuple[Condition, ...]
    nudges: tuple[str, ...]
    interests: tuple[Interest, ...]
    regions: tuple[Region, ...]

    def condition(self, number: int) -> Condition:
        """The condition with this number; raises KeyError outside 1 to 10."""
        for condition in self.conditions:
            if condition.number == number:
                return condition
        raise KeyError(f"there is no condition {number}")

    def interest(self, interest_id: str) -> Interest | None:
        """The interest with this id, or None: stored ids can outlive an edit to the file."""
        return next((i for i in self.interests if i.id == interest_id), None)

    def region(self, region_id: str) -> Region | None:
        """The region with this id, or None: stored ids can outlive an edit to the file."""
        return next((r for r in self.regions if r.id == region_id), None)

    def prompts_for(
        self, number: int, kind: PromptKind, extra: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """Shipped prompts of one kind for a condition, plus a guild's own ``extra``."""
        return self.condition(number).combined(kind, extra)


def clean_custom_prompt(text: str) -> str:
    """Tidy a guild's own prompt and hold it to the same rules as the shipped ones.

    Raises ValueError with a message that can be shown to the coordinator as is.
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("The prompt is empty.")
    if len(cleaned) > MAX_PROMPT_LENGTH:
        raise ValueError(
            f"The prompt is {len(cleaned)} characters long; please keep it to "
            f"{MAX_PROMPT_LENGTH} or fewer."
        )
    return cleaned


def load_content(directory: Path | None = None) -> ContentLibrary:
    """Read and check every content file; raise ContentError listing all problems."""
    root = prompts_dir() if directory is None else directory
    reader = _Reader(root)
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


class _Reader:
    """Collects problems across files so a coordinator sees them all at once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = root.name or root.resolve().name
        self.problems: list[str] = []

    def show(self, path: Path) -> str:
        """A short, familiar path such as ``prompts/nudges.toml``."""
        try:
            relative = path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
        return f"{self.label}/{relative}" if relative != "." else self.label

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(f"{self.show(path)}: {message}")

    def read(self, path: Path) -> dict[str, object] | None:
        if not path.exists():
            self.problem(path, "file is missing")
            return None
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            self.problem(path, f"is not UTF-8 text (byte {error.start})")
            return None
        except OSError as error:
            self.problem(path, f"cannot be read ({error.strerror or error})")
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            self.problem(path, f"is not valid TOML: {_one_line(str(error))}")
            return None


@dataclass(slots=True)
class _Entry:
    """One entry in one file, so every message names both."""

    reader: _Reader
    path: Path
    name: str

    def problem(self, message: str) -> None:
        self.reader.problem(self.path, f"{self.name} {message}" if self.name else message)

    def check_keys(self, table: Mapping[str, object], allowed: Iterable[str]) -> None:
        """Flag keys nobody reads: almost always a typo that would silently lose content."""
        expected = sorted(allowed)
        for key in table:
            if key in expected:
                continue
            close = difflib.get_close_matches(key, expected, n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else f"expected {_join([repr(k) for k in expected])}"
            )
            self.problem(f"has an unknown key {_show(key)} ({hint})")

    def text(self, table: Mapping[str, object], key: str, limit: int) -> str | None:
        if key not in table:
            self.problem(f"is missing {key!r}")
            return None
        return self.text_value(table[key], repr(key), limit)

    def text_value(self, value: object, label: str, limit: int) -> str | None:
        if not isinstance(value, str):
            self.problem(f"{label} should be text in quotes, not {_describe(value)}")
            return None
        cleaned = value.strip()
        if not cleaned:
            self.problem(f"has an empty {label}")
            return None
        if len(cleaned) > limit:
            self.problem(f"{label} is too long: {len(cleaned)} characters (limit {limit})")
            return None
        return cleaned

    def text_list(
        self, table: Mapping[str, object], key: str, minimum: int, limit: int
    ) -> tuple[str, ...] | None:
        if key not in table:
            self.problem(f"is missing {key!r}")
            return None
        values = table[key]
        if not isinstance(values, list):
            self.problem(f"{key!r} should be a list in square brackets, not {_describe(values)}")
            return None
        before = len(self.reader.problems)
        result: list[str] = []
        first_seen: dict[str, int] = {}
        for index, value in enumerate(values, start=1):
            cleaned = self.text_value(value, f"{key!r} entry #{index}", limit)
            if cleaned is None:
                continue
            earlier = first_seen.setdefault(_fold(cleaned), index)
            if earlier != index:
                self.problem(f"{key!r} entry #{index} repeats entry #{earlier}")
            result.append(cleaned)
        if len(values) < minimum:
            self.problem(
                f"{key!r} needs at least {_count(minimum, 'entry', 'entries')} "
                f"(found {len(values)})"
            )
        return tuple(result) if len(self.reader.problems) == before else None

    def slug(self, table: Mapping[str, object], key: str = "id") -> str | None:
        value = self.text(table, key, MAX_ID_LENGTH)
        if value is None:
            return None
        if not _ID_PATTERN.fullmatch(value):
            self.problem(
                f"has {key} {_show(value)}, which should use only lowercase letters, "
                "digits and single hyphens (like 'local-history')"
            )
            return None
        return value


def _load_conditions(reader: _Reader) -> tuple[Condition, ...] | None:
    folder = reader.root / "conditions"
    stray = reader.root / "conditions.toml"
    if stray.exists():
        reader.problem(stray, "is not read; each condition has its own file in conditions/")
    if not folder.is_dir():
        reader.problem(folder, "folder is missing (it should hold one file per condition)")
        return None
    paths = sorted(
        p for p in folder.iterdir() if p.suffix == ".toml" and not p.name.startswith(".")
    )
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
            f"{noun} {_join([str(n) for n in missing])} missing "
            f"(expected one file for each of conditions 1 to {CONDITION_NUMBERS[-1]})",
        )
        return None
    return tuple(by_number[n][1] for n in CONDITION_NUMBERS)


_CONDITION_KEYS = ("number", "title", "explanation", *(kind.key for kind in PromptKind))


def _parse_condition(reader: _Reader, path: Path) -> Condition | None:
    data = reader.read(path)
    if data is None:
        return None
    number = data.get("number")
    valid_number = (
        isinstance(number, int) and not isinstance(number, bool) and number in CONDITION_NUMBERS
    )
    entry = _Entry(reader, path, f"condition {number}" if valid_number else "condition")
    before = len(reader.problems)
    if "number" not in data:
        entry.problem(f"is missing 'number' (a whole number from 1 to {CONDITION_NUMBERS[-1]})")
    elif not valid_number:
        entry.problem(
            f"'number' should be a whole number from 1 to {CONDITION_NUMBERS[-1]}, "
            f"not {_show(number)}"
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


def _load_nudges(reader: _Reader) -> tuple[str, ...] | None:
    path = reader.root / "nudges.toml"
    data = reader.read(path)
    if data is None:
        return None
    entry = _Entry(reader, path, "")
    before = len(reader.problems)
    entry.check_keys(data, ["nudges"])
    nudges = entry.text_list(data, "nudges", 1, MAX_NUDGE_LENGTH)
    return nudges if len(reader.problems) == before else None


def _tables(reader: _Reader, path: Path, key: str) -> list[tuple[int, dict[str, object]]] | None:
    """The ``[[key]]`` tables of a file, numbered from 1 as a coordinator would count them."""
    data = reader.read(path)
    if data is None:
        return None
    entry = _Entry(reader, path, "")
    before = len(reader.problems)
    entry.check_keys(data, [key])
    if key not in data:
        entry.problem(f"has no [[{key}]] entries")
        return None
    tables = data[key]
    if not isinstance(tables, list):
        entry.problem(f"{key!r} should be written as [[{key}]] tables, not {_describe(tables)}")
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
            entry.problem(f"{key} #{index} should be a [[{key}]] table, not {_describe(table)}")
    return result if len(reader.problems) == before else None


def _entry_for(
    reader: _Reader, path: Path, noun: str, index: int, table: Mapping[str, object]
) -> _Entry:
    raw_id = table.get("id")
    named = f" ({_show(raw_id.strip())})" if isinstance(raw_id, str) else ""
    return _Entry(reader, path, f"{noun} #{index}{named}")


def _check_unique(
    reader: _Reader, path: Path, noun: str, items: Iterable[tuple[int, str, str]]
) -> None:
    """Ids are stored in the database and labels are shown side by side: both must differ."""
    seen_ids: dict[str, int] = {}
    seen_labels: dict[str, int] = {}
    for index, item_id, label in items:
        earlier = seen_ids.setdefault(item_id, index)
        if earlier != index:
            reader.problem(path, f"{noun} #{index} reuses id {item_id!r} from {noun} #{earlier}")
        earlier = seen_labels.setdefault(_fold(label), index)
        if earlier != index:
            reader.problem(path, f"{noun} #{index} reuses label {label!r} from {noun} #{earlier}")


def _load_interests(reader: _Reader) -> tuple[Interest, ...] | None:
    path = reader.root / "interests.toml"
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


def _load_regions(reader: _Reader) -> tuple[Region, ...] | None:
    path = reader.root / "regions.toml"
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


def _region_timezone(entry: _Entry, table: Mapping[str, object]) -> str | None:
    """A region names its timezone, or says ``ask_timezone = true``; never both, never neither.

    Requiring the explicit flag means a forgotten timezone is reported rather than
    silently turning a UK region into one that asks every member to pick.
    """
    ask = table.get("ask_timezone", False)
    if not isinstance(ask, bool):
        entry.problem(f"'ask_timezone' should be true or false, not {_describe(ask)}")
        return None
    if "timezone" not in table:
        if not ask:
            entry.problem("needs a 'timezone' (such as 'Europe/London') or 'ask_timezone = true'")
        return None
    if ask:
        entry.problem("has both a 'timezone' and 'ask_timezone = true'; keep only one")
        return None
    timezone = entry.text(table, "timezone", 64)
    if timezone is None:
        return None
    if timezone not in _known_timezones():
        close = difflib.get_close_matches(timezone, sorted(_known_timezones()), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "use a name such as 'Europe/London'"
        entry.problem(f"has an unknown timezone {_show(timezone)} ({hint})")
        return None
    return timezone


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _fold(text: str) -> str:
    """Compare texts the way a reader would: ignoring case and spacing."""
    return " ".join(text.split()).casefold()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def _show(value: object) -> str:
    """A value quoted for a message, cut short so one bad entry cannot flood the log."""
    shown = repr(value)
    if len(shown) > _SHOWN_VALUE_LENGTH:
        shown = shown[: _SHOWN_VALUE_LENGTH - 1] + "…"
    return shown


def _describe(value: object) -> str:
    """Name a TOML value's type in words a coordinator would use."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return "a date or time"
    return type(value).__name__
