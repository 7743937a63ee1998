"""The "Become a Kindness Champion" button: a persistent view that survives restarts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import answer_kindly
from bot.interaction import ClientT, Interaction
from bot.ui import KindView
from cogs.onboarding._form import ProfileForm
from cogs.shared.guild import guild_id
from cogs.shared.posts import JOIN_BUTTON_ID
from cogs.shared.welcome import JOIN_IN_DM_TEMPLATE, join_in_dm_id

if TYPE_CHECKING:
    from bot.core import KindBot


class WelcomeView(KindView):
    """Registered once at start-up with a fixed custom id, so old posts keep working."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot
        self.join.label = bot.services.texts("onboarding.join_button")

    @discord.ui.button(style=discord.ButtonStyle.success, emoji="💚", custom_id=JOIN_BUTTON_ID)
    async def join(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await open_form(self.bot, interaction)


async def open_form(bot: KindBot, interaction: Interaction) -> None:
    form = await ProfileForm.start(bot, guild_id(interaction), interaction.user.id)
    await interaction.response.send_message(embed=form.embed(), view=form, ephemeral=True)


class JoinFromInvitation(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=JOIN_IN_DM_TEMPLATE
):
    """The join button in an invitation DM; it opens the form for the inviting server."""

    def __init__(self, guild_id: int, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.success,
                emoji="💚",
                custom_id=join_in_dm_id(guild_id),
            )
        )
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> JoinFromInvitation:
        label = getattr(item, "label", None) or ""
        return cls(int(match["guild_id"]), label)

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await answer_kindly(interaction, self._open)

    async def _open(self, interaction: Interaction) -> None:
        bot = interaction.client
        guild = bot.get_guild(self.guild_id)
        if guild is None or guild.get_member(interaction.user.id) is None:
            await interaction.response.send_message(bot.services.texts("invite.not_in_server"))
            return
        form = await ProfileForm.start(bot, guild.id, interaction.user.id)
        await interaction.response.send_message(embed=form.embed(), view=form)
