"""``/join``, ``/profile``, ``/leave`` and what happens when members arrive or go."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.interaction import Interaction
from bot.models import ChampionStatus, ChannelPurpose
from bot.problems import UserFacingError
from bot.services.onboarding import plan_roles
from bot.ui import KindView
from cogs.onboarding._form import EditProfileView
from cogs.onboarding._render import profile_embed
from cogs.onboarding._welcome import JoinFromInvitation, WelcomeView, open_form
from cogs.shared.channels import configured_channel
from cogs.shared.guild import guild_of
from cogs.shared.regroup import RegroupSelect
from cogs.shared.roles import apply_role_plan

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


class OnboardingCog(commands.Cog):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    def persistent_views(self) -> list[discord.ui.View]:
        return [WelcomeView(self.bot)]

    def dynamic_items(self) -> list[type[discord.ui.DynamicItem[Any]]]:
        return [JoinFromInvitation, RegroupSelect]

    @app_commands.command(name="join", description="Become a Kindness Champion (takes a minute)")
    @app_commands.guild_only()
    async def join(self, interaction: Interaction) -> None:
        await open_form(self.bot, interaction)

    @app_commands.command(name="profile", description="See your champion profile and edit it")
    @app_commands.guild_only()
    async def profile(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        champion = await self.services.onboarding.champion(guild.id, interaction.user.id)
        if champion is None or not champion.active:
            raise UserFacingError("onboarding.not_a_champion")
        group = await self.services.onboarding.group_of(champion)
        embed = profile_embed(
            interaction.user.display_name,
            champion.profile,
            group,
            self.services.content,
            self.texts,
            pulse_on=await self.services.pulse.consented(guild.id, interaction.user.id),
        )
        reminder = self.texts("profile.choose_group") if group is None else None
        await interaction.response.send_message(
            reminder, embed=embed, view=EditProfileView(self.bot), ephemeral=True
        )

    @app_commands.command(
        name="leave", description="Stop being a champion; you choose what happens to your data"
    )
    @app_commands.guild_only()
    async def leave(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        champion = await self.services.onboarding.champion(guild.id, interaction.user.id)
        if champion is None or champion.status is ChampionStatus.LEFT:
            raise UserFacingError("onboarding.not_a_champion")
        await interaction.response.send_message(
            self.texts("onboarding.leave_question"), view=LeaveView(self.bot), ephemeral=True
        )

    # Members arriving and going

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot or member.pending:
            return  # greet once Discord's onboarding or screening is complete
        await self._greet(member)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if before.pending and not after.pending and not after.bot:
            await self._greet(after)

    @commands.Cog.listener()
    async def on_member_remove(self, member: discord.Member) -> None:
        if await self.services.onboarding.member_left_server(member.guild.id, member.id):
            log.info("Champion %s left guild %s; paused their profile", member.id, member.guild.id)

    async def _greet(self, member: discord.Member) -> None:
        guild = member.guild
        returning = await self.services.onboarding.member_returned(guild.id, member.id)
        if returning is not None:
            group = await self.services.onboarding.group_of(returning)
            champion_role = await self.services.onboarding.champion_role_id(guild.id)
            await apply_role_plan(
                self.bot, member, plan_roles(champion_role, group, None, joining=True)
            )
        channel = await configured_channel(self.bot, guild, ChannelPurpose.WELCOME)
        if channel is None:
            return
        key = "onboarding.greeting_back" if returning else "onboarding.greeting"
        view = discord.ui.View() if returning else WelcomeView(self.bot)
        try:
            greeting = await channel.send(
                self.texts(key, member=member.mention),
                view=view,
                allowed_mentions=discord.AllowedMentions(
                    users=[member], everyone=False, roles=False
                ),
            )
        except discord.HTTPException as exc:
            log.warning("Could not greet %s in guild %s: %s", member.id, guild.id, exc)
            return
        # Removed after the server's greeting clean-up period (cogs/setup/_greetings.py).
        await self.services.greetings.record(guild.id, channel.id, greeting.id, member.id)


class LeaveView(KindView):
    """Leave and keep the data for a return, leave and delete it, or think again."""

    def __init__(self, bot: KindBot) -> None:
        super().__init__(timeout=300)
        self.bot = bot
        texts = bot.services.texts
        self.keep.label = texts("onboarding.leave_keep")
        self.delete.label = texts("onboarding.leave_delete")
        self.cancel.label = texts("onboarding.cancel_button")

    @discord.ui.button(style=discord.ButtonStyle.primary)
    async def keep(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._leave(interaction, keep=True)

    @discord.ui.button(style=discord.ButtonStyle.danger)
    async def delete(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._leave(interaction, keep=False)

    @discord.ui.button(style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.bot.services.texts("onboarding.leave_cancelled"), view=None
        )

    async def _leave(self, interaction: Interaction, *, keep: bool) -> None:
        guild = guild_of(interaction)
        services = self.bot.services
        champion = await services.onboarding.leave(guild.id, interaction.user.id, keep_data=keep)
        self.stop()
        group = await services.onboarding.group_of(champion)
        champion_role = await services.onboarding.champion_role_id(guild.id)
        if isinstance(interaction.user, discord.Member):
            await apply_role_plan(
                self.bot, interaction.user, plan_roles(champion_role, group, None, joining=False)
            )
        key = "onboarding.left_kept" if keep else "onboarding.left_deleted"
        await interaction.response.edit_message(content=services.texts(key), view=None)
