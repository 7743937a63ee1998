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

from bot.services.pulse.content import (
    BASELINE,
    CUSTOM_PREFIX,
    MAX_CUSTOM_QUESTIONS,
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_QUESTION_LENGTH,
    MIN_OPTIONS,
    PulseContent,
    PulseContentError,
    Question,
    load_pulse_content,
    parse_pulse_content,
)
from bot.services.pulse.service import (
    DuePulse,
    Frequency,
    PulseService,
    clean_custom_question,
    custom_question,
    due_pulse,
    parse_frequency,
    period_key,
)

__all__ = [
    "BASELINE",
    "CUSTOM_PREFIX",
    "MAX_CUSTOM_QUESTIONS",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MAX_QUESTION_LENGTH",
    "MIN_OPTIONS",
    "DuePulse",
    "Frequency",
    "PulseContent",
    "PulseContentError",
    "PulseService",
    "Question",
    "clean_custom_question",
    "custom_question",
    "due_pulse",
    "load_pulse_content",
    "parse_frequency",
    "parse_pulse_content",
    "period_key",
]
