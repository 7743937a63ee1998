"""The act-of-kindness form (new, from a message, or editing), and the "mine" list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.models import Act, Visibility
from bot.services.kindness import WHAT_LIMIT, WHO_LIMIT
from bot.ui import KindModal
from cogs.shared.display import safe_text, shorten
from cogs.shared.forms import chosen, condition_select, visibility_label, visibility_select
from cogs.shared.pick_list import OwnEntriesView

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


class MyActsView(OwnEntriesView):
    """Pick one of your acts, then edit or delete it."""

    def __init__(self, bot: KindBot, acts: list[Act]) -> None:
        super().__init__(bot, [(a.act_id, a.what) for a in acts])

    async def describe(self, guild_id: int, user_id: int, entry_id: int) -> str:
        act = await self.bot.services.kindness.get_own(guild_id, user_id, entry_id)
        return act_line(act, self.bot.services.texts)

    async def editor(self, guild_id: int, user_id: int, entry_id: int) -> discord.ui.Modal:
        act = await self.bot.services.kindness.get_own(guild_id, user_id, entry_id)
        return ActModal(
            self.bot,
            what=act.what,
            who=act.who_benefited or "",
            condition=act.condition_number,
            visibility=act.visibility,
            act_id=act.act_id,
        )

    async def delete(self, guild_id: int, user_id: int, entry_id: int) -> None:
        await self.bot.services.kindness.delete(guild_id, user_id, entry_id)
