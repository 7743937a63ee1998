"""Posts that one cog sends and another cog's persistent buttons answer.

``/setup welcome-post`` sends the "Become a Kindness Champion" button that the
onboarding cog answers; the prompts cog's weekly post carries the "Share a
reflection" button that the reflections cog answers. The custom ids never change,
so posts made before a restart keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.core import ProvidesPersistentViews
from cogs.shared.style import KIND_GREEN

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.text import Messages

JOIN_BUTTON_ID = "kindbot:welcome:join"
SHARE_BUTTON_ID = "kindbot:reflect:open"


def persistent_view(bot: KindBot, custom_id: str) -> discord.ui.View:
    """A new copy of the persistent view that holds ``custom_id``, from the cog that answers it."""
    for cog in bot.cogs.values():
        if isinstance(cog, ProvidesPersistentViews):
            for view in cog.persistent_views():
                if any(getattr(item, "custom_id", None) == custom_id for item in view.children):
                    return view
    raise LookupError(f"No loaded cog answers the button {custom_id!r}")


def welcome_embed(texts: Messages) -> discord.Embed:
    return discord.Embed(
        title=texts("onboarding.post_title"),
        description=texts("onboarding.post_body"),
        colour=KIND_GREEN,
    )
