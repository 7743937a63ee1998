"""A member's own entries in a menu, with Edit and Delete for the one they pick."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.problems import UserFacingError
from bot.ui import KindView
from cogs.shared.display import shorten
from cogs.shared.guild import guild_id

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.interaction import Interaction


class OwnEntriesView(KindView):
    """Subclasses say how to show, edit and delete an entry; this view does the rest."""

    placeholder_key = "kindness.pick_act"
    pick_first_key = "kindness.pick_first"
    deleted_key = "kindness.deleted"

    def __init__(self, bot: KindBot, entries: list[tuple[int, str]]) -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.selected: int | None = None
        texts = bot.services.texts
        self.picker.placeholder = texts(self.placeholder_key)
        self.picker.options = [
            discord.SelectOption(label=shorten(f"#{entry_id} {text}", 100), value=str(entry_id))
            for entry_id, text in entries
        ]
        self.edit.label = texts("kindness.edit_button")
        self.delete_button.label = texts("kindness.delete_button")

    async def describe(self, guild_id: int, user_id: int, entry_id: int) -> str:
        raise NotImplementedError

    async def editor(self, guild_id: int, user_id: int, entry_id: int) -> discord.ui.Modal:
        raise NotImplementedError

    async def delete(self, guild_id: int, user_id: int, entry_id: int) -> None:
        raise NotImplementedError

    def _current(self) -> int:
        if self.selected is None:
            raise UserFacingError(self.pick_first_key)
        return self.selected

    @discord.ui.select(cls=discord.ui.Select)
    async def picker(self, interaction: Interaction, select: discord.ui.Select[Any]) -> None:
        self.selected = int(select.values[0])
        line = await self.describe(guild_id(interaction), interaction.user.id, self.selected)
        await interaction.response.send_message(line, ephemeral=True)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def edit(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        modal = await self.editor(guild_id(interaction), interaction.user.id, self._current())
        await interaction.response.send_modal(modal)

    @discord.ui.button(style=discord.ButtonStyle.danger)
    async def delete_button(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self.delete(guild_id(interaction), interaction.user.id, self._current())
        self.selected = None
        await interaction.response.send_message(
            self.bot.services.texts(self.deleted_key), ephemeral=True
        )
