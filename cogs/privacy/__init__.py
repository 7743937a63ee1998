"""``/my-data`` and ``/forget-me``: every member can see and erase what kindbot keeps.

This one module holds the cog and the "forget me" confirmation.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.interaction import Interaction
from bot.services.onboarding import plan_roles
from bot.ui import KindView
from cogs.shared.guild import guild_id, guild_of
from cogs.shared.roles import apply_role_plan

if TYPE_CHECKING:
    from bot.core import KindBot


class PrivacyCog(commands.Cog):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    @app_commands.command(
        name="my-data", description="Get a file with everything kindbot keeps about you here"
    )
    @app_commands.guild_only()
    async def my_data(self, interaction: Interaction) -> None:
        server = guild_id(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.services.champions.my_data(server, interaction.user.id)
        file = discord.File(io.BytesIO(data), filename="my-kindbot-data.json")
        await interaction.followup.send(self.texts("privacy.my_data"), file=file, ephemeral=True)

    @app_commands.command(
        name="forget-me", description="Delete everything kindbot keeps about you here"
    )
    @app_commands.guild_only()
    async def forget_me(self, interaction: Interaction) -> None:
        await interaction.response.send_message(
            self.texts("privacy.forget_question"), view=ForgetView(self.bot), ephemeral=True
        )


class ForgetView(KindView):
    """Delete everything, or think again."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=300)
        self.bot = bot
        texts = bot.services.texts
        self.confirm.label = texts("privacy.forget_confirm")
        self.cancel.label = texts("onboarding.cancel_button")

    @discord.ui.button(style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        guild = guild_of(interaction)
        services = self.bot.services
        self.stop()
        champion = await services.onboarding.champion(guild.id, interaction.user.id)
        group = await services.onboarding.group_of(champion) if champion else None
        champion_role = await services.onboarding.champion_role_id(guild.id)
        await services.champions.forget(guild.id, interaction.user.id)
        if champion is not None and isinstance(interaction.user, discord.Member):
            plan = plan_roles(champion_role, group, None, joining=False)
            await apply_role_plan(self.bot, interaction.user, plan)
        await interaction.response.edit_message(
            content=services.texts("privacy.forgotten"), view=None
        )

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.bot.services.texts("privacy.forget_cancelled"), view=None
        )


async def setup(bot: KindBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
