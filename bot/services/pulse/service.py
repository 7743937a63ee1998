"""When a pulse is due, a server's own questions, and the pulse service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.problems import UserFacingError
from bot.repos.pulse import CustomQuestionRow, PulseRepo
from bot.services.pulse.content import (
    BASELINE,
    CUSTOM_PREFIX,
    MAX_CUSTOM_QUESTIONS,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_QUESTION_LENGTH,
    MIN_OPTIONS,
    PulseContent,
    Question,
)


class Frequency(StrEnum):
    OFF = "off"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    HALF_YEARLY = "half_yearly"


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

    async def answered(self, guild_id: int, user_id: int, period: str) -> bool:
        """Whether the member answered (or skipped) any question of this pulse yet."""
        return bool(await self.repo.answers(guild_id, user_id, period))

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
