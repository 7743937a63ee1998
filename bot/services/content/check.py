"""Check a folder of wording overrides exactly as start-up would, listing every problem."""

from __future__ import annotations

from pathlib import Path

from bot.resources import prompts_dir
from bot.services.content.loader import load_content
from bot.services.content.model import ContentError
from bot.text import Messages, TextError

#: The message catalogues kindbot reads, besides the content files.
CATALOGUES = ("messages.toml", "report.toml", "programmes.toml")


def content_problems(override: Path) -> list[str]:
    """Every problem start-up would meet with ``override`` in use; empty when all is well."""
    problems: list[str] = []
    try:
        load_content(override=override)
    except ContentError as error:
        problems.extend(error.problems)
    if not override.is_dir():
        return problems
    for name in CATALOGUES:
        try:
            Messages.load(prompts_dir() / name, override_dir=override)
        except TextError as error:
            problems.extend(error.problems)
    return problems
