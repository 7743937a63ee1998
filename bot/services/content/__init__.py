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

A folder named by ``KINDBOT_CONTENT_DIR`` overrides these files one by one (same
relative paths); anything it lacks comes from the shipped folder.

Guild-specific prompts live in the database, not here; they are merged at read
time with :meth:`Condition.combined` or :meth:`ContentLibrary.prompts_for`.
"""

from __future__ import annotations

from bot.services.content.check import CATALOGUES, content_problems
from bot.services.content.loader import load_content, shipped_files
from bot.services.content.model import (
    CONDITION_NUMBERS,
    MAX_EXPLANATION_LENGTH,
    MAX_ID_LENGTH,
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
    clean_custom_prompt,
)

__all__ = [
    "CATALOGUES",
    "CONDITION_NUMBERS",
    "MAX_EXPLANATION_LENGTH",
    "MAX_ID_LENGTH",
    "MAX_LABEL_LENGTH",
    "MAX_MENU_OPTIONS",
    "MAX_NUDGE_LENGTH",
    "MAX_PROMPT_LENGTH",
    "MAX_TITLE_LENGTH",
    "Condition",
    "ContentError",
    "ContentLibrary",
    "Interest",
    "PromptKind",
    "Region",
    "clean_custom_prompt",
    "content_problems",
    "load_content",
    "shipped_files",
]
