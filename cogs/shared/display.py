"""Showing member-written text safely: no pings, no broken formatting, no overflow."""

from __future__ import annotations

import discord

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def safe_text(text: str | None, limit: int = 1024) -> str:
    """Member text as plain text: markdown and mentions are escaped, length is capped.

    The bot also sends every message with mentions disabled, so this is the
    second of two locks: even a raw ``@everyone`` could not ping anyone.
    """
    if not text:
        return ""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(text))
    return shorten(escaped, limit)
