"""``/my-data`` and ``/forget-me``: every member can see and erase what kindbot keeps."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.services.onboarding import plan_roles
from bot.ui import KindView
from cogs.shared.roles import apply_role_plan

if TYPE_CHECKING:
    from bot.core import KindBot

Interaction = discord.Interaction[Any]


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
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.services.champions.my_data(interaction.guild.id, interaction.user.id)
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
    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=300)
        self.bot = bot
        texts = bot.services.texts
        confirm: discord.ui.Button[ForgetView] = discord.ui.Button(
            label=texts("privacy.forget_confirm"), style=discord.ButtonStyle.danger
        )
        confirm.callback = self._on_confirm  # type: ignore[method-assign]
        cancel: discord.ui.Button[ForgetView] = discord.ui.Button(
            label=texts("onboarding.cancel_button"), style=discord.ButtonStyle.secondary
        )
        cancel.callback = self._on_cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def _on_confirm(self, interaction: Interaction) -> None:
        assert interaction.guild is not None
        services = self.bot.services
        self.stop()
        champion = await services.onboarding.champion(interaction.guild.id, interaction.user.id)
        group = await services.onboarding.group_of(champion) if champion else None
        champion_role = await services.onboarding.champion_role_id(interaction.guild.id)
        await services.champions.forget(interaction.guild.id, interaction.user.id)
        if champion is not None and isinstance(interaction.user, discord.Member):
            plan = plan_roles(champion_role, group, None, joining=False)
            await apply_role_plan(self.bot, interaction.user, plan)
        await interaction.response.edit_message(
            content=services.texts("privacy.forgotten"), view=None
        )

    async def _on_cancel(self, interaction: Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.bot.services.texts("privacy.forget_cancelled"), view=None
        )


async def setup(bot: KindBot) -> None:
    await bot.add_cog(PrivacyCog(bot))
