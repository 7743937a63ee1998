"""The pulse's wording and questions, read and checked from ``prompts/pulse.toml``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from bot.resources import prompts_dir
from bot.text import Messages

BASELINE = "baseline"
MAX_CUSTOM_QUESTIONS = 3
MAX_QUESTION_LENGTH = 100
MAX_OPTION_LENGTH = 80  # Discord's button and select-option label limit
MIN_OPTIONS = 2
MAX_OPTIONS = 5
CUSTOM_PREFIX = "custom-"

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MESSAGE_KEYS = {
    "invite": {"count"},
    "skip": set(),
    "thanks": set(),
    "consent_on": set(),
    "consent_off": set(),
    "custom_limit": {"limit"},
    "question_empty": set(),
    "question_too_long": {"length", "limit"},
    "options_count": {"low", "high", "count"},
    "option_empty": set(),
    "option_too_long": {"option", "length", "limit"},
    "option_duplicate": {"option"},
    "question_unknown": set(),
    "frequency_unknown": set(),
    "period_future": set(),
    "period_order": set(),
    "question": {"number", "total", "question"},
    "pick": set(),
    "open_button": set(),
    "open_post": set(),
    "nothing_due": set(),
    "frequency_set": {"frequency"},
    "list_title": set(),
    "list_line": {"id", "text"},
    "added": {"question", "id"},
    "removed": set(),
    "modal_title": set(),
    "modal_text": set(),
    "modal_options": set(),
}
_FIGURE_KEYS = {
    "fewer_than": {"threshold"},
    "not_shown": set(),
    "share": {"percent", "low", "high"},
    "period_month": {"month"},
    "period_quarter": {"quarter"},
    "period_year": {"year"},
    "period_range": {"start", "end"},
    "to_date": {"label", "start", "end"},
    "complete": {"label", "start", "end"},
}
_SUMMARY_KEYS = {
    "opening": {"period", "active", "joined"},
    "ties": {"members", "share"},
    "ties_withheld": set(),
    "sectors": {"median"},
    "pairs": {"pairs"},
    "acts": {"acts", "cross"},
    "acts_no_beneficiary": {"acts"},
    "pulse": {"share", "n", "label"},
    "pulse_change": {"label", "before", "after"},
    "closing": {"threshold"},
}


class PulseContentError(Exception):
    """``prompts/pulse.toml`` cannot be used; the message names the entry and the fix."""


@dataclass(frozen=True)
class Question:
    """A pulse question: ``key`` is stored with each answer, ``options`` are the taps."""

    key: str
    text: str
    options: tuple[str, ...]
    source: str | None = None
    headline: frozenset[int] = frozenset()
    headline_label: str | None = None
    custom: bool = False


@dataclass(frozen=True)
class PulseContent:
    questions: tuple[Question, ...]
    scale: tuple[str, ...]
    messages: Messages  # keys like "pulse.custom_limit"
    figures: Messages  # keys like "figure.fewer_than"
    summary: Messages  # keys like "summary.opening"

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


def load_pulse_content(path: Path | None = None) -> PulseContent:
    """Read and check ``prompts/pulse.toml``; PulseContentError names the first problem."""
    file = path or prompts_dir() / "pulse.toml"
    name = file.name
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PulseContentError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PulseContentError(f"{name}: is not valid TOML ({exc})") from exc
    return parse_pulse_content(data, name)


def parse_pulse_content(data: Mapping[str, Any], name: str = "pulse.toml") -> PulseContent:
    raw_questions = data.get("question")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise PulseContentError(f"{name}: add at least one [[question]]")
    questions: list[Question] = []
    for index, raw in enumerate(raw_questions, start=1):
        questions.append(_parse_question(raw, f"{name}: question {index}"))
    seen: set[str] = set()
    for question in questions:
        if question.key in seen:
            raise PulseContentError(f"{name}: question id '{question.key}' is used twice")
        seen.add(question.key)
    scale_table = data.get("scale")
    scale = scale_table.get("options") if isinstance(scale_table, Mapping) else None
    if not _is_texts(scale) or len(scale) != 5:
        raise PulseContentError(f"{name}: [scale] options must be a list of 5 labels")
    return PulseContent(
        questions=tuple(questions),
        scale=tuple(s.strip() for s in scale),
        messages=_messages(data, "messages", "pulse", _MESSAGE_KEYS, name),
        figures=_messages(data, "figure", "figure", _FIGURE_KEYS, name),
        summary=_messages(data, "summary", "summary", _SUMMARY_KEYS, name),
    )


def _parse_question(raw: Any, where: str) -> Question:
    if not isinstance(raw, Mapping):
        raise PulseContentError(f"{where}: must be a table with id, text and options")
    key = raw.get("id")
    if not isinstance(key, str) or not _ID.match(key) or key.startswith(CUSTOM_PREFIX):
        raise PulseContentError(
            f"{where}: 'id' must be lower case letters, digits and dashes "
            f"(not starting with '{CUSTOM_PREFIX}')"
        )
    where = f"{where} ('{key}')"
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PulseContentError(f"{where}: 'text' is missing or empty")
    if len(text.strip()) > MAX_QUESTION_LENGTH:
        raise PulseContentError(
            f"{where}: 'text' is {len(text.strip())} characters; keep it to "
            f"{MAX_QUESTION_LENGTH} or fewer"
        )
    options = raw.get("options")
    if not _is_texts(options) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise PulseContentError(
            f"{where}: 'options' must be a list of {MIN_OPTIONS} to {MAX_OPTIONS} labels"
        )
    cleaned = tuple(o.strip() for o in options)
    for option in cleaned:
        if not option or len(option) > MAX_OPTION_LENGTH:
            raise PulseContentError(
                f"{where}: every option needs 1 to {MAX_OPTION_LENGTH} characters"
            )
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise PulseContentError(f"{where}: two options have the same label")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise PulseContentError(f"{where}: 'source' must name where the question comes from")
    headline = raw.get("headline")
    if (
        not isinstance(headline, list)
        or not headline
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in headline)
        or not all(0 <= i < len(cleaned) for i in headline)
        or len(set(headline)) == len(cleaned)
    ):
        raise PulseContentError(
            f"{where}: 'headline' must list some (not all) option positions, from 0 to "
            f"{len(cleaned) - 1}"
        )
    label = raw.get("headline_label")
    if not isinstance(label, str) or not label.strip():
        raise PulseContentError(f"{where}: 'headline_label' is missing or empty")
    return Question(
        key=key,
        text=text.strip(),
        options=cleaned,
        source=source.strip(),
        headline=frozenset(headline),
        headline_label=label.strip(),
    )


def _is_texts(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _messages(
    data: Mapping[str, Any], table: str, prefix: str, needed: Mapping[str, set[str]], name: str
) -> Messages:
    section = data.get(table)
    if not isinstance(section, Mapping):
        raise PulseContentError(f"{name}: the [{table}] table is missing")
    templates: dict[str, str] = {}
    for key in needed:
        value = section.get(key)
        if not isinstance(value, str) or not value.strip():
            raise PulseContentError(f"{name}: [{table}] needs the text '{key}'")
        templates[f"{prefix}.{key}"] = value.strip()
    messages = Messages(templates, name)
    for key, placeholders in needed.items():
        try:
            found = messages.placeholders(f"{prefix}.{key}")
        except ValueError as exc:
            raise PulseContentError(f"{name}: [{table}] '{key}' has a broken placeholder") from exc
        if found != placeholders:
            expected = ", ".join(f"{{{p}}}" for p in sorted(placeholders)) or "no placeholders"
            raise PulseContentError(f"{name}: [{table}] '{key}' must use {expected}")
    unknown = sorted(set(section) - set(needed))
    if unknown:
        raise PulseContentError(f"{name}: [{table}] has an unknown entry '{unknown[0]}'")
    return messages
