"""The act-of-kindness form (new, from a message, or editing), and the "mine" list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.models import Act, Visibility
from bot.problems import UserFacingError
from bot.services.kindness import WHAT_LIMIT, WHO_LIMIT
from bot.ui import KindModal, KindView
from cogs.shared.display import safe_text, shorten
from cogs.shared.forms import chosen, condition_select, visibility_label, visibility_select

if TYPE_CHECKING:
    from bot.core import KindBot

Interaction = discord.Interaction[Any]


class ActModal(KindModal):
    """What happened, who benefited, which condition, and who may see it."""

    def __init__(
        self,
        bot: KindBot,
        *,
        what: str = "",
        who: str = "",
        condition: int | None = None,
        visibility: Visibility = Visibility.SHAREABLE,
        act_id: int | None = None,
        source: str = "form",
    ) -> None:
        texts = bot.services.texts
        key = "kindness.edit_title" if act_id else "kindness.form_title"
        super().__init__(title=texts(key), timeout=900)
        self.bot = bot
        self.act_id = act_id
        self.source = source
        self.what: discord.ui.TextInput[ActModal] = discord.ui.TextInput(
            label=texts("kindness.what_label"),
            style=discord.TextStyle.paragraph,
            max_length=WHAT_LIMIT,
            default=shorten(what, WHAT_LIMIT) or None,
            placeholder=texts("kindness.what_placeholder"),
        )
        self.who: discord.ui.TextInput[ActModal] = discord.ui.TextInput(
            label=texts("kindness.who_label"),
            required=False,
            max_length=WHO_LIMIT,
            default=shorten(who, WHO_LIMIT) or None,
        )
        self.condition = condition_select(texts, bot.services.content, condition)
        self.visibility = visibility_select(texts, visibility)
        self.add_item(self.what)
        self.add_item(self.who)
        self.add_item(
            discord.ui.Label(text=texts("kindness.condition_label"), component=self.condition)
        )
        self.add_item(
            discord.ui.Label(text=texts("kindness.visibility_label"), component=self.visibility)
        )

    async def on_submit(self, interaction: Interaction) -> None:
        services = self.bot.services
        texts = services.texts
        assert interaction.guild is not None
        act = services.kindness.clean(
            self.what.value,
            self.who.value,
            chosen(self.condition),
            chosen(self.visibility),
            self.source,
        )
        if self.act_id is not None:
            await services.kindness.edit(
                interaction.guild.id, interaction.user.id, self.act_id, act
            )
            await interaction.response.send_message(texts("kindness.edited"), ephemeral=True)
            return
        _, created = await services.kindness.log(interaction.guild.id, interaction.user.id, act)
        key = "kindness.logged" if created else "kindness.duplicate"
        await interaction.response.send_message(
            texts(key, visibility=visibility_label(texts, act.visibility)), ephemeral=True
        )


def act_line(act: Act, texts: Any) -> str:
    condition = f" · {act.condition_number}" if act.condition_number else ""
    seen = visibility_label(texts, act.visibility)
    return f"**#{act.act_id}** {safe_text(act.what, 120)}{condition} · _{seen}_"


class MyActsView(KindView):
    """Pick one of your acts, then edit or delete it."""

    def __init__(self, bot: KindBot, acts: list[Act]) -> None:
        super().__init__(timeout=600)
        self.bot = bot
        self.acts = {a.act_id: a for a in acts}
        self.selected: int | None = None
        texts = bot.services.texts
        self.picker: discord.ui.Select[MyActsView] = discord.ui.Select(
            placeholder=texts("kindness.pick_act"),
            options=[
                discord.SelectOption(
                    label=shorten(f"#{a.act_id} {a.what}", 100), value=str(a.act_id)
                )
                for a in acts
            ],
        )
        self.picker.callback = self._on_pick  # type: ignore[method-assign]
        self.add_item(self.picker)
        for key, style, callback in (
            ("kindness.edit_button", discord.ButtonStyle.secondary, self._on_edit),
            ("kindness.delete_button", discord.ButtonStyle.danger, self._on_delete),
        ):
            button: discord.ui.Button[MyActsView] = discord.ui.Button(label=texts(key), style=style)
            button.callback = callback  # type: ignore[method-assign]
            self.add_item(button)

    async def _on_pick(self, interaction: Interaction) -> None:
        self.selected = int(self.picker.values[0])
        act = self.acts[self.selected]
        await interaction.response.send_message(
            act_line(act, self.bot.services.texts), ephemeral=True
        )

    def _current(self) -> int:
        if self.selected is None:
            raise UserFacingError("kindness.pick_first")
        return self.selected

    async def _on_edit(self, interaction: Interaction) -> None:
        assert interaction.guild is not None
        act = await self.bot.services.kindness.get_own(
            interaction.guild.id, interaction.user.id, self._current()
        )
        await interaction.response.send_modal(
            ActModal(
                self.bot,
                what=act.what,
                who=act.who_benefited or "",
                condition=act.condition_number,
                visibility=act.visibility,
                act_id=act.act_id,
            )
        )

    async def _on_delete(self, interaction: Interaction) -> None:
        assert interaction.guild is not None
        act_id = self._current()
        await self.bot.services.kindness.delete(interaction.guild.id, interaction.user.id, act_id)
        self.acts.pop(act_id, None)
        self.selected = None
        await interaction.response.send_message(
            self.bot.services.texts("kindness.deleted"), ephemeral=True
        )
