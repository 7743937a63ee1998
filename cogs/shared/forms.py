"""Pieces shared by the kindness and reflection forms."""

from __future__ import annotations

from typing import Any

import discord

from bot.models import Visibility
from bot.services.content import ContentLibrary
from bot.text import Messages

_VISIBILITY_KEYS = {
    Visibility.SHAREABLE: "kindness.visibility_shareable",
    Visibility.COORDINATORS: "kindness.visibility_coordinators",
    Visibility.PRIVATE: "kindness.visibility_private",
}


def visibility_label(texts: Messages, visibility: Visibility) -> str:
    return texts(_VISIBILITY_KEYS[visibility])


def visibility_select(texts: Messages, current: Visibility) -> discord.ui.Select[Any]:
    return discord.ui.Select(
        options=[
            discord.SelectOption(
                label=visibility_label(texts, v), value=v.value, default=v is current
            )
            for v in Visibility
        ],
        min_values=1,
        max_values=1,
    )


def condition_select(
    texts: Messages, content: ContentLibrary, current: int | None
) -> discord.ui.Select[Any]:
    options = [
        discord.SelectOption(
            label=texts("kindness.no_condition"), value="none", default=current is None
        )
    ]
    options += [
        discord.SelectOption(
            label=f"{c.number}. {c.title}"[:100], value=str(c.number), default=c.number == current
        )
        for c in content.conditions
    ]
    return discord.ui.Select(options=options, min_values=0, max_values=1, required=False)


def chosen(select: discord.ui.Select[Any]) -> str | None:
    return select.values[0] if select.values else None
