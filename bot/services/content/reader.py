"""Reading content files and recording every problem, named by file and entry.

A :class:`Reader` looks for each file first in the override folder (when there is
one) and then in the shipped folder, file by file.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.services.content.model import MAX_ID_LENGTH
from bot.services.content.words import count, describe, fold, join, one_line, show

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Reader:
    """Collects problems across files so a coordinator sees them all at once."""

    def __init__(self, root: Path, override: Path | None = None) -> None:
        self.root = root
        self.override = override
        self.label = root.name or root.resolve().name
        self.problems: list[str] = []

    def locate(self, relative: str) -> Path:
        """The override folder's copy of a file if it has one, otherwise the shipped one."""
        if self.override is not None:
            candidate = self.override / relative
            if candidate.exists():
                return candidate
        return self.root / relative

    def exists(self, relative: str) -> bool:
        return self.locate(relative).exists()

    def folder_files(self, folder: str, suffix: str) -> list[Path] | None:
        """The files of a folder, name by name: an override file replaces the shipped one.

        None when neither the shipped nor the override folder exists.
        """
        found: dict[str, Path] = {}
        bases = [self.root] if self.override is None else [self.root, self.override]
        present = False
        for base in bases:
            directory = base / folder
            if not directory.is_dir():
                continue
            present = True
            for path in directory.iterdir():
                if path.suffix == suffix and not path.name.startswith("."):
                    found[path.name] = path
        return [found[name] for name in sorted(found)] if present else None

    def show(self, path: Path) -> str:
        """A short, familiar path such as ``prompts/nudges.toml``.

        Files from the override folder are shown under that folder as it was given.
        """
        bases = [(self.root, self.label)]
        if self.override is not None:
            bases.insert(0, (self.override, str(self.override)))
        for base, label in bases:
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            return f"{label}/{relative}" if relative != "." else label
        return str(path)

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
            self.problem(path, f"is not valid TOML: {one_line(str(error))}")
            return None


@dataclass(slots=True)
class Entry:
    """One entry in one file, so every message names both."""

    reader: Reader
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
                else f"expected {join([repr(k) for k in expected])}"
            )
            self.problem(f"has an unknown key {show(key)} ({hint})")

    def text(self, table: Mapping[str, object], key: str, limit: int) -> str | None:
        if key not in table:
            self.problem(f"is missing {key!r}")
            return None
        return self.text_value(table[key], repr(key), limit)

    def text_value(self, value: object, label: str, limit: int) -> str | None:
        if not isinstance(value, str):
            self.problem(f"{label} should be text in quotes, not {describe(value)}")
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
            self.problem(f"{key!r} should be a list in square brackets, not {describe(values)}")
            return None
        before = len(self.reader.problems)
        result: list[str] = []
        first_seen: dict[str, int] = {}
        for index, value in enumerate(values, start=1):
            cleaned = self.text_value(value, f"{key!r} entry #{index}", limit)
            if cleaned is None:
                continue
            earlier = first_seen.setdefault(fold(cleaned), index)
            if earlier != index:
                self.problem(f"{key!r} entry #{index} repeats entry #{earlier}")
            result.append(cleaned)
        if len(values) < minimum:
            self.problem(
                f"{key!r} needs at least {count(minimum, 'entry', 'entries')} (found {len(values)})"
            )
        return tuple(result) if len(self.reader.problems) == before else None

    def slug(self, table: Mapping[str, object], key: str = "id") -> str | None:
        value = self.text(table, key, MAX_ID_LENGTH)
        if value is None:
            return None
        if not ID_PATTERN.fullmatch(value):
            self.problem(
                f"has {key} {show(value)}, which should use only lowercase letters, "
                "digits and single hyphens (like 'local-history')"
            )
            return None
        return value
