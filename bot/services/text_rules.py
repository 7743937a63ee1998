"""Rules for free text members type: kept as written, checked for size and substance.

Text is stored exactly as the member wrote it (mentions and markdown included) and
made harmless when shown; see ``cogs.shared.safe_text``. Here we only decide whether
it is acceptable at all.
"""

from __future__ import annotations

import unicodedata

from bot.problems import UserFacingError

_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}


def visible_length(text: str) -> int:
    """Characters that show up on screen (not spaces, zero-width or control characters)."""
    return sum(1 for ch in text if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


def clean_text(raw: str | None, *, field: str, limit: int, required: bool) -> str | None:
    """Trim surrounding whitespace and check the text; None for an allowed blank."""
    text = unicodedata.normalize("NFC", raw or "").strip()
    if visible_length(text) == 0:
        if required:
            raise UserFacingError("errors.text_empty", field=field)
        return None
    if len(text) > limit:
        raise UserFacingError("errors.text_too_long", field=field, limit=limit, length=len(text))
    return text
