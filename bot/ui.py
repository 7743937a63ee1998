"""Base classes for views and forms that route their errors to the shared handler."""

from __future__ import annotations

from typing import Any

import discord

from bot.errors import report_error


class KindView(discord.ui.View):
    """A view whose callback failures reach the member as a kind message."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await report_error(interaction, error)


class KindModal(discord.ui.Modal):
    """A form whose submit failures reach the member as a kind message."""

    async def on_error(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], error: Exception, /
    ) -> None:
        await report_error(interaction, error)
