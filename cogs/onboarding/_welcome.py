"""The "Become a Kindness Champion" button: a persistent view that survives restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.ui import KindView
from cogs.onboarding._form import ProfileForm
from cogs.onboarding._render import KIND_GREEN
from cogs.shared.welcome import JOIN_BUTTON_ID

if TYPE_CHECKING:
    from bot.core import KindBot

__all__ = ["JOIN_BUTTON_ID", "WelcomeView", "open_form", "welcome_post"]


class WelcomeView(KindView):
    """Registered once at start-up with a fixed custom id, so old posts keep working."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot
        button: discord.ui.Button[WelcomeView] = discord.ui.Button(
            label=bot.services.texts("onboarding.join_button"),
            style=discord.ButtonStyle.success,
            emoji="💚",
            custom_id=JOIN_BUTTON_ID,
        )
        button.callback = self._on_join  # type: ignore[method-assign]
        self.add_item(button)

    async def _on_join(self, interaction: discord.Interaction[Any]) -> None:
        await open_form(self.bot, interaction)


async def open_form(bot: KindBot, interaction: discord.Interaction[Any]) -> None:
    if interaction.guild is None:
        raise discord.app_commands.NoPrivateMessage()
    form = await ProfileForm.start(bot, interaction.guild.id, interaction.user.id)
    await interaction.response.send_message(embed=form.embed(), view=form, ephemeral=True)


def welcome_post(bot: KindBot) -> tuple[discord.Embed, WelcomeView]:
    texts = bot.services.texts
    embed = discord.Embed(
        title=texts("onboarding.post_title"),
        description=texts("onboarding.post_body"),
        colour=KIND_GREEN,
    )
    return embed, WelcomeView(bot)
