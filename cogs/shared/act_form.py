"""The act-of-kindness form: new, from a message, after a coffee, or editing one.

The kindness cog opens it from ``/kindness log``, the message command and
``/kindness mine``; the coffee cog opens it after "Yes, we met".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.models import Visibility
from bot.services.kindness import WHAT_LIMIT, WHO_LIMIT
from bot.ui import KindModal
from cogs.shared.display import shorten
from cogs.shared.forms import chosen, condition_select, visibility_label, visibility_select
from cogs.shared.guild import guild_id

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.interaction import Interaction


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

    async def submit(self, interaction: Interaction) -> None:
        services = interaction.client.services
        texts = services.texts
        server = guild_id(interaction)
        act = services.kindness.clean(
            self.what.value,
            self.who.value,
            chosen(self.condition),
            chosen(self.visibility),
            self.source,
        )
        if self.act_id is not None:
            await services.kindness.edit(server, interaction.user.id, self.act_id, act)
            await interaction.response.send_message(texts("kindness.edited"), ephemeral=True)
            return
        _, created = await services.kindness.log(server, interaction.user.id, act)
        key = "kindness.logged" if created else "kindness.duplicate"
        await interaction.response.send_message(
            texts(key, visibility=visibility_label(texts, act.visibility)), ephemeral=True
        )
