"""Long lists in embeds, kept within Discord's limits.

A field holds at most 1,024 characters, an embed 25 fields, and all the embeds
of one message 6,000 characters together. A list that would not fit in one field
continues in the next ones, always between lines; what cannot fit at all ends
with a line saying how many more there are, instead of a refused message.
"""

from __future__ import annotations

import discord

from bot.text import Messages
from cogs.shared.display import shorten

FIELD_VALUE_MAX = 1024
FIELD_NAME_MAX = 256
FIELDS_MAX = 25
EMBED_TOTAL_MAX = 6000
DESCRIPTION_MAX = 4096


def add_list_fields(
    embed: discord.Embed,
    name: str,
    lines: list[str],
    texts: Messages,
    *,
    empty: str = "—",
    inline: bool = False,
) -> int:
    """Add ``lines`` under ``name`` as one field or more; returns how many lines were left out."""
    name = shorten(name, FIELD_NAME_MAX)
    if not lines:
        embed.add_field(name=name, value=empty, inline=inline)
        return 0
    chunks = _chunks([shorten(line, FIELD_VALUE_MAX) for line in lines], FIELD_VALUE_MAX)
    shown = 0
    for index, chunk in enumerate(chunks):
        title = name if index == 0 else shorten(texts("common.continued", name=name), 256)
        later = len(lines) - shown - len(chunk)
        room = EMBED_TOTAL_MAX - len(embed) - len(title)
        fits = len("\n".join(chunk)) <= room and len(embed.fields) < FIELDS_MAX
        if later and len(embed.fields) + 1 >= FIELDS_MAX:
            fits = False  # the last field is kept for the "and more" line
        if not fits:
            return len(lines) - shown - _add_rest(embed, title, chunk, len(lines) - shown, texts)
        embed.add_field(name=title, value="\n".join(chunk), inline=inline)
        shown += len(chunk)
    return 0


def _add_rest(
    embed: discord.Embed, title: str, chunk: list[str], remaining: int, texts: Messages
) -> int:
    """As many of ``chunk`` as still fit, then "and N more"; returns how many lines it showed."""
    if len(embed.fields) >= FIELDS_MAX:
        return 0
    room = min(FIELD_VALUE_MAX, EMBED_TOTAL_MAX - len(embed) - len(title))
    taken: list[str] = []
    for line in chunk:
        more = texts("common.and_more", count=remaining - len(taken) - 1)
        if len("\n".join([*taken, line, more])) > room:
            break
        taken.append(line)
    rest = remaining - len(taken)
    value = "\n".join([*taken, texts("common.and_more", count=rest)] if rest else taken)
    if not value or len(value) > room:
        return 0
    embed.add_field(name=title, value=value, inline=False)
    return len(taken)


def _chunks(lines: list[str], limit: int) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines:
        extra = len(line) + (1 if chunks[-1] else 0)
        if chunks[-1] and size + extra > limit:
            chunks.append([])
            size, extra = 0, len(line)
        chunks[-1].append(line)
        size += extra
    return chunks


def join_lines(lines: list[str], texts: Messages, limit: int = DESCRIPTION_MAX) -> str:
    """``lines`` as one text of at most ``limit`` characters, ending "and N more" if cut."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    taken: list[str] = []
    for index, line in enumerate(lines):
        more = texts("common.and_more", count=len(lines) - index - 1)
        if len("\n".join([*taken, line, more])) > limit:
            break
        taken.append(line)
    return "\n".join([*taken, texts("common.and_more", count=len(lines) - len(taken))])
