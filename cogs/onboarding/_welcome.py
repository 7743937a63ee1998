"""The "Become a Kindness Champion" button: a persistent view that survives restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.interaction import Interaction
from bot.ui import KindView
from cogs.onboarding._form import ProfileForm
from cogs.shared.guild import guild_id
from cogs.shared.posts import JOIN_BUTTON_ID

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
