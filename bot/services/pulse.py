"""The pulse: a short, opt-in check-in, its questions, and when it is due.

A member who switched on "help us learn what works" gets a *baseline* pulse right
after joining, then one pulse per period of the server's frequency: ``monthly``
(periods keyed ``2026-11``), ``quarterly`` (``2026-Q4``) or ``half_yearly``
(``2026-H2``), in the server's timezone; ``off`` sends none. At most one pulse
comes in any period, so someone who joined in November has their baseline then
and their first quarterly pulse in January.

Each question is answered with one tap or skipped; a second answer to the same
pulse replaces the first. The five shipped questions, their scales and the sources
they come from live in ``prompts/pulse.toml``; a server can add up to
:data:`MAX_CUSTOM_QUESTIONS` of its own.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.problems import UserFacingError
from bot.repos.pulse import CustomQuestionRow, PulseRepo
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


class Frequency(StrEnum):
    OFF = "off"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"


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


# When a pulse is due


def period_key(day: date, frequency: Frequency) -> tuple[str, date]:
    """The key of the period ``day`` falls in, and the period's first day."""
    if frequency is Frequency.MONTHLY:
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1)
    if frequency is Frequency.QUARTERLY:
        quarter = (day.month - 1) // 3 + 1
        return f"{day.year:04d}-Q{quarter}", date(day.year, 3 * quarter - 2, 1)
    if frequency is Frequency.HALF_YEARLY:
        half = 1 if day.month <= 6 else 2
        return f"{day.year:04d}-H{half}", date(day.year, 1 if half == 1 else 7, 1)
    raise ValueError("an 'off' pulse has no periods")


def due_pulse(
    now: datetime,
    timezone: str,
    frequency: Frequency,
    consented: bool,
    sent: Mapping[str, datetime],
) -> str | None:
    """Which pulse is due for a member now, if any: ``baseline``, a period key, or None.

    ``sent`` maps the pulses already sent to when. Nothing is due without consent or
    with the frequency ``off``; the baseline comes first; then the current period's
    pulse, unless one was already sent since that period began.
    """
    if not consented or frequency is Frequency.OFF:
        return None
    if BASELINE not in sent:
        return BASELINE
    zone = ZoneInfo(timezone)
    key, first_day = period_key(now.astimezone(zone).date(), frequency)
    if key in sent:
        return None
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    if any(when >= start for when in sent.values()):
        return None
    return key


def parse_frequency(text: str) -> Frequency:
    folded = text.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Frequency(folded)
    except ValueError:
        raise UserFacingError("pulse.frequency_unknown") from None


# A server's own questions


def clean_custom_question(
    text: str, kind: str, options: Sequence[str], scale: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """Check a coordinator's question; UserFacingError with a ``pulse.`` key if not."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise UserFacingError("pulse.question_empty")
    if len(cleaned) > MAX_QUESTION_LENGTH:
        raise UserFacingError(
            "pulse.question_too_long", length=len(cleaned), limit=MAX_QUESTION_LENGTH
        )
    if kind == "scale":
        return cleaned, scale
    if kind != "choice":
        raise ValueError(f"unknown question kind {kind!r}")
    labels = tuple(" ".join(o.split()) for o in options)
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise UserFacingError(
            "pulse.options_count", low=MIN_OPTIONS, high=MAX_OPTIONS, count=len(labels)
        )
    seen: set[str] = set()
    for label in labels:
        if not label:
            raise UserFacingError("pulse.option_empty")
        if len(label) > MAX_OPTION_LENGTH:
            raise UserFacingError(
                "pulse.option_too_long",
                option=label[:40],
                length=len(label),
                limit=MAX_OPTION_LENGTH,
            )
        if label.casefold() in seen:
            raise UserFacingError("pulse.option_duplicate", option=label)
        seen.add(label.casefold())
    return cleaned, labels


def custom_question(row: CustomQuestionRow) -> Question:
    return Question(
        key=f"{CUSTOM_PREFIX}{row.question_id}", text=row.text, options=row.options, custom=True
    )


@dataclass(frozen=True)
class DuePulse:
    period_key: str
    questions: tuple[Question, ...]


class PulseService:
    def __init__(self, repo: PulseRepo, content: PulseContent, clock: Clock) -> None:
        self.repo = repo
        self.content = content
        self._clock = clock

    async def consented(self, guild_id: int, user_id: int) -> bool:
        member = await self.repo.member(guild_id, user_id)
        return member is not None and member.consented

    async def set_consent(self, guild_id: int, user_id: int, on: bool) -> bool:
        """Switch "help us learn what works"; False when the member is not a champion."""
        return await self.repo.set_consent(guild_id, user_id, on, self._clock.now())

    async def frequency(self, guild_id: int) -> Frequency:
        value = await self.repo.frequency(guild_id)
        return Frequency.QUARTERLY if value is None else Frequency(value)

    async def set_frequency(self, guild_id: int, text: str) -> Frequency:
        frequency = parse_frequency(text)
        await self.repo.set_frequency(guild_id, frequency.value)
        return frequency

    async def questions(self, guild_id: int) -> tuple[Question, ...]:
        """The shipped questions, then the server's own, in the order they are asked."""
        own = await self.repo.custom_questions(guild_id)
        return (*self.content.questions, *(custom_question(r) for r in own))

    async def due(self, guild_id: int, user_id: int, timezone: str) -> DuePulse | None:
        """The pulse to send this member now, or None."""
        member = await self.repo.member(guild_id, user_id)
        if member is None or not member.active:
            return None
        key = due_pulse(
            self._clock.now(),
            timezone,
            await self.frequency(guild_id),
            member.consented,
            await self.repo.invites(guild_id, user_id),
        )
        if key is None:
            return None
        return DuePulse(key, await self.questions(guild_id))

    async def due_now(self, guild_id: int, user_id: int) -> DuePulse | None:
        timezone = await self.repo.timezone(guild_id)
        return None if timezone is None else await self.due(guild_id, user_id, timezone)

    async def due_members(self, guild_id: int) -> list[tuple[int, DuePulse]]:
        """Every consenting member whose pulse is due now, with it."""
        timezone = await self.repo.timezone(guild_id)
        if timezone is None or await self.frequency(guild_id) is Frequency.OFF:
            return []
        due = []
        for user_id in await self.repo.consenting_members(guild_id):
            pulse = await self.due(guild_id, user_id, timezone)
            if pulse is not None:
                due.append((user_id, pulse))
        return due

    async def current_pulse(self, guild_id: int, user_id: int) -> str | None:
        """The pulse a member answers from the button: their latest, or one due now."""
        member = await self.repo.member(guild_id, user_id)
        if member is None or not member.consented or not member.active:
            return None
        due = await self.due_now(guild_id, user_id)
        if due is not None:
            await self.mark_sent(guild_id, user_id, due.period_key)
            return due.period_key
        sent = await self.repo.invites(guild_id, user_id)
        return max(sent, key=lambda k: sent[k]) if sent else None

    async def button_period(self, guild_id: int, pulse_period: str) -> str:
        """The period the channel button belongs to (a baseline counts in today's period)."""
        if pulse_period != BASELINE:
            return pulse_period
        timezone = await self.repo.timezone(guild_id) or "UTC"
        frequency = await self.frequency(guild_id)
        if frequency is Frequency.OFF:
            return BASELINE
        today = self._clock.now().astimezone(ZoneInfo(timezone)).date()
        return period_key(today, frequency)[0]

    async def claim_button_post(self, guild_id: int, period: str) -> bool:
        return await self.repo.claim_button_post(guild_id, period, self._clock.now())

    async def mark_sent(self, guild_id: int, user_id: int, period: str) -> bool:
        return await self.repo.add_invite(guild_id, user_id, period, self._clock.now())

    async def answer(
        self, guild_id: int, user_id: int, period: str, question_key: str, choice: int | None
    ) -> None:
        """Record one tap (``choice`` None: skipped); a second tap replaces the first."""
        question = next((q for q in await self.questions(guild_id) if q.key == question_key), None)
        if question is None:
            raise UserFacingError("pulse.question_unknown")
        if choice is not None and not 0 <= choice < len(question.options):
            raise ValueError(f"choice {choice} is outside the question's options")
        member = await self.repo.member(guild_id, user_id)
        if member is None or not member.consented:
            raise PermissionError("only members who switched the pulse on can answer it")
        await self.repo.save_answer(
            guild_id, user_id, period, question_key, choice, self._clock.now()
        )

    async def add_question(
        self,
        guild_id: int,
        author_id: int | None,
        text: str,
        kind: str,
        options: Sequence[str] = (),
    ) -> Question:
        cleaned, labels = clean_custom_question(text, kind, options, self.content.scale)
        row = await self.repo.add_custom_question(
            guild_id,
            cleaned,
            kind,
            labels,
            author_id,
            self._clock.now(),
            limit=MAX_CUSTOM_QUESTIONS,
        )
        if row is None:
            raise UserFacingError("pulse.custom_limit", limit=MAX_CUSTOM_QUESTIONS)
        return custom_question(row)

    async def remove_question(self, guild_id: int, question_key: str) -> None:
        number = question_key.removeprefix(CUSTOM_PREFIX)
        if (
            not question_key.startswith(CUSTOM_PREFIX)
            or not number.isdigit()
            or not await self.repo.remove_custom_question(guild_id, int(number), self._clock.now())
        ):
            raise UserFacingError("pulse.question_unknown")
