"""A member's own entries in a menu, with Edit and Delete for the one they pick."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.problems import UserFacingError
from bot.ui import KindView
from cogs.shared.display import shorten

if TYPE_CHECKING:
    from bot.core import KindBot

Interaction = discord.Interaction[Any]


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
        self.picker: discord.ui.Select[OwnEntriesView] = discord.ui.Select(
            placeholder=texts(self.placeholder_key),
            options=[
                discord.SelectOption(label=shorten(f"#{entry_id} {text}", 100), value=str(entry_id))
                for entry_id, text in entries
            ],
        )
        self.picker.callback = self._on_pick  # type: ignore[method-assign]
        self.add_item(self.picker)
        for key, style, callback in (
            ("kindness.edit_button", discord.ButtonStyle.secondary, self._on_edit),
            ("kindness.delete_button", discord.ButtonStyle.danger, self._on_delete),
        ):
            button: discord.ui.Button[OwnEntriesView] = discord.ui.Button(
                label=texts(key), style=style
            )
            button.callback = callback  # type: ignore[method-assign]
            self.add_item(button)

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

    async def _on_pick(self, interaction: Interaction) -> None:
        assert interaction.guild is not None
        self.selected = int(self.picker.values[0])
        line = await self.describe(interaction.guild.id, interaction.user.id, self.selected)
        await interaction.response.send_message(line, ephemeral=True)

    async def _on_edit(self, interaction: Interaction) -> None:
        assert interaction.guild is not None
        modal = await self.editor(interaction.guild.id, interaction.user.id, self._current())
        await interaction.response.send_modal(modal)

    async def _on_delete(self, interaction: Interaction) -> None:
        assert interaction.guild is not None
        await self.delete(interaction.guild.id, interaction.user.id, self._current())
        self.selected = None
        await interaction.response.send_message(
            self.bot.services.texts(self.deleted_key), ephemeral=True
        )
