"""User-facing wording, loaded from ``prompts/messages.toml``.

Keeping every sentence in one data file lets coordinators adjust the tone without
touching code. Keys are dotted paths (``errors.unexpected``); placeholders use
``{name}`` and are checked when a message is rendered.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.resources import prompts_dir


class TextError(Exception):
    """The messages file is broken, or code asked for a message it does not have."""


class Messages:
    """A flat catalogue of message templates."""

    def __init__(self, templates: Mapping[str, str], source: str = "messages.toml") -> None:
        self._templates = dict(templates)
        self._source = source

    @classmethod
    def load(cls, path: Path | None = None) -> Messages:
        file = path or prompts_dir() / "messages.toml"
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise TextError(f"{file}: cannot read messages ({exc})") from exc
        templates: dict[str, str] = {}
        _flatten(data, "", templates, file.name)
        for key, template in templates.items():
            try:
                list(string.Formatter().parse(template))
            except ValueError as exc:
                raise TextError(f"{file.name}: message '{key}' has a broken placeholder") from exc
        return cls(templates, file.name)

    def keys(self) -> set[str]:
        return set(self._templates)

    def placeholders(self, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self._templates[key]) if name}

    def __contains__(self, key: str) -> bool:
        return key in self._templates

    def __call__(self, key: str, **params: Any) -> str:
        try:
            template = self._templates[key]
        except KeyError:
            raise TextError(f"{self._source} has no message '{key}'") from None
        try:
            return template.format(**params)
        except (KeyError, IndexError) as exc:
            raise TextError(f"{self._source}: message '{key}' needs {exc}") from exc


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
