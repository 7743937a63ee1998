"""The reflection form and the "Share a reflection" button under the weekly post."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.interaction import Interaction
from bot.models import Reflection, Visibility
from bot.services.reflections import BODY_LIMIT
from bot.ui import KindModal, KindView
from cogs.shared.display import safe_text, shorten
from cogs.shared.forms import chosen, visibility_label, visibility_select
from cogs.shared.guild import guild_id
from cogs.shared.pick_list import OwnEntriesView
from cogs.shared.posts import SHARE_BUTTON_ID

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.text import Messages


class ReflectionModal(KindModal):
    """Shows this week's question above a text box of up to 1,500 characters."""

    def __init__(
        self,
        bot: KindBot,
        question: str,
        *,
        body: str = "",
        visibility: Visibility = Visibility.SHAREABLE,
        reflection_id: int | None = None,
    ) -> None:
        texts = bot.services.texts
        key = "reflect.edit_title" if reflection_id else "reflect.form_title"
        super().__init__(title=texts(key), timeout=1800)
        self.bot = bot
        self.reflection_id = reflection_id
        self.add_item(discord.ui.TextDisplay(shorten(question, 1000)))
        self.body: discord.ui.TextInput[ReflectionModal] = discord.ui.TextInput(
            label=texts("reflect.body_label"),
            style=discord.TextStyle.paragraph,
            max_length=BODY_LIMIT,
            default=body or None,
        )
        self.visibility = visibility_select(texts, visibility)
        self.add_item(self.body)
        self.add_item(
            discord.ui.Label(text=texts("kindness.visibility_label"), component=self.visibility)
        )

    async def submit(self, interaction: Interaction) -> None:
        services = self.bot.services
        server = guild_id(interaction)
        if self.reflection_id is not None:
            await services.reflections.edit(
                server,
                interaction.user.id,
                self.reflection_id,
                self.body.value,
                chosen(self.visibility),
            )
            await interaction.response.send_message(
                services.texts("reflect.edited"), ephemeral=True
            )
            return
        saved = await services.reflections.add(
            server, interaction.user.id, self.body.value, chosen(self.visibility)
        )
        await interaction.response.send_message(
            services.texts(
                "reflect.saved", visibility=visibility_label(services.texts, saved.visibility)
            ),
            ephemeral=True,
        )


async def open_reflection(bot: KindBot, interaction: Interaction) -> None:
    week = await bot.services.reflections.this_week(guild_id(interaction))
    await interaction.response.send_modal(ReflectionModal(bot, week.question))


class ShareReflectionView(KindView):
    """The persistent button under the weekly condition post."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot
        self.share.label = bot.services.texts("reflect.share_button")

    @discord.ui.button(style=discord.ButtonStyle.primary, emoji="📝", custom_id=SHARE_BUTTON_ID)
    async def share(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await open_reflection(self.bot, interaction)


def reflection_line(item: Reflection, texts: Messages) -> str:
    seen = visibility_label(texts, item.visibility)
    return f"**#{item.reflection_id}** ({item.period_key}) {safe_text(item.body, 140)} · _{seen}_"


class MyReflectionsView(OwnEntriesView):
    """Pick one of your reflections, then edit or delete it."""

    placeholder_key = "reflect.pick"
    pick_first_key = "reflect.pick_first"
    deleted_key = "reflect.deleted"

    def __init__(self, bot: KindBot, items: list[Reflection]) -> None:
        super().__init__(bot, [(r.reflection_id, r.body) for r in items])

    async def describe(self, guild_id: int, user_id: int, entry_id: int) -> str:
        item = await self.bot.services.reflections.get_own(guild_id, user_id, entry_id)
        return reflection_line(item, self.bot.services.texts)

    async def editor(self, guild_id: int, user_id: int, entry_id: int) -> discord.ui.Modal:
        item = await self.bot.services.reflections.get_own(guild_id, user_id, entry_id)
        return ReflectionModal(
            self.bot,
            item.question or "",
            body=item.body,
            visibility=item.visibility,
            reflection_id=item.reflection_id,
        )

    async def delete(self, guild_id: int, user_id: int, entry_id: int) -> None:
        await self.bot.services.reflections.delete(guild_id, user_id, entry_id)
