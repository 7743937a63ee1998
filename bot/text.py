"""User-facing wording, loaded from ``prompts/messages.toml``.

Keeping every sentence in one data file lets coordinators adjust the tone without
touching code. Keys are dotted paths (``errors.unexpected``); placeholders use
``{name}`` and are checked when a message is rendered.

A message that counts something comes in forms chosen by its ``count`` parameter:
``x_one`` for exactly one and ``x_other`` for any other number (``x_zero``, if the
catalogue has it, for none). Code asks for ``x`` with ``count=...``.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.resources import prompts_dir


class TextError(Exception):
    """The messages file is broken, or code asked for a message it does not have.

    ``str(error)`` is the first problem on one line; ``error.problems`` holds all.
    """

    def __init__(self, first: str, *more: str) -> None:
        self.problems: tuple[str, ...] = (first, *more)
        message = first
        if more:
            message += f" (and {len(more)} more problem{'s' if len(more) > 1 else ''})"
        super().__init__(message)


class Messages:
    """A flat catalogue of message templates."""

    def __init__(self, templates: Mapping[str, str], source: str = "messages.toml") -> None:
        self._templates = dict(templates)
        self._source = source

    @classmethod
    def load(cls, path: Path | None = None, *, override_dir: Path | None = None) -> Messages:
        """Read a catalogue (``prompts/messages.toml`` by default).

        When ``override_dir`` holds a file with the same name, its messages replace
        the shipped ones; a message it leaves out keeps the shipped wording. It may
        not add messages kindbot does not use, nor placeholders it does not fill in.
        """
        shipped = path or prompts_dir() / "messages.toml"
        override = None if override_dir is None else override_dir / shipped.name
        if override is None or not override.is_file():
            return cls._read(shipped, shipped.name)
        own = cls._read(override, str(override))
        base = cls._read(shipped, shipped.name)
        problems = own.differences(base)
        if problems:
            raise TextError(*problems)
        return cls({**base._templates, **own._templates}, str(override))

    @classmethod
    def _read(cls, file: Path, label: str) -> Messages:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise TextError(f"{file}: cannot read messages ({exc})") from exc
        templates: dict[str, str] = {}
        _flatten(data, "", templates, label)
        for key, template in templates.items():
            try:
                list(string.Formatter().parse(template))
            except ValueError as exc:
                raise TextError(f"{label}: message '{key}' has a broken placeholder") from exc
        return cls(templates, label)

    def differences(self, shipped: Messages) -> list[str]:
        """How this catalogue would fail where ``shipped`` works, one line per problem."""
        problems = [
            f"{self._source}: message '{key}' is not one kindbot uses"
            for key in sorted(self.keys() - shipped.keys())
        ]
        for key in sorted(self.keys() & shipped.keys()):
            unknown = sorted(self.placeholders(key) - shipped.placeholders(key))
            if unknown:
                names = ", ".join("{" + name + "}" for name in unknown)
                allowed = ", ".join("{" + n + "}" for n in sorted(shipped.placeholders(key)))
                problems.append(
                    f"{self._source}: message '{key}' uses {names}, which kindbot does not fill "
                    f"in (it offers {allowed or 'no placeholders'})"
                )
        return problems

    def keys(self) -> set[str]:
        return set(self._templates)

    def placeholders(self, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self._templates[key]) if name}

    def __contains__(self, key: str) -> bool:
        return key in self._templates

    def names(self) -> set[str]:
        """The names code asks for: plural forms ``x_one``/``x_other`` count as ``x``."""
        return {_plural_base(key, self._templates) or key for key in self._templates}

    def __call__(self, key: str, **params: Any) -> str:
        template = self._templates.get(key)
        if template is None and "count" in params:
            template = self._plural(key, params["count"])
        if template is None:
            raise TextError(f"{self._source} has no message '{key}'")
        try:
            return template.format(**params)
        except (KeyError, IndexError) as exc:
            raise TextError(f"{self._source}: message '{key}' needs {exc}") from exc

    def _plural(self, key: str, count: Any) -> str | None:
        if not isinstance(count, int) or f"{key}_other" not in self._templates:
            return None
        if count == 0 and f"{key}_zero" in self._templates:
            return self._templates[f"{key}_zero"]
        if count == 1 and f"{key}_one" in self._templates:
            return self._templates[f"{key}_one"]
        return self._templates[f"{key}_other"]


_PLURAL_FORMS = ("_zero", "_one", "_other")


def _plural_base(key: str, templates: Mapping[str, str]) -> str | None:
    for suffix in _PLURAL_FORMS:
        if key.endswith(suffix):
            base = key[: -len(suffix)]
            if f"{base}_other" in templates:
                return base
    return None


def _flatten(data: Mapping[str, Any], prefix: str, out: dict[str, str], source: str) -> None:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, f"{full}.", out, source)
        elif isinstance(value, str):
            if not value.strip():
                raise TextError(f"{source}: message '{full}' is empty")
            out[full] = value.strip("\n")
        else:
            raise TextError(f"{source}: message '{full}' must be text")
