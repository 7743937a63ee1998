"""``/champions``: coordinators' view of who is taking part, and inviting a community.

What lives where:

- this module: the cog: the list, correcting a group, the CSV export and ``/champions invite``;
- ``_invite``: sending paced, once-per-member invitations with progress and a summary.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_coordinator
from bot.interaction import ClientT, Interaction, as_kindbot
from bot.services.champions import joined_label
from bot.services.onboarding import plan_roles
from cogs.champions._invite import send_invitations
from cogs.shared.choices import group_choices
from cogs.shared.fields import add_list_fields
from cogs.shared.guild import guild_id, guild_of
from cogs.shared.roles import apply_role_plan
from cogs.shared.style import KIND_GREEN

if TYPE_CHECKING:
    from bot.core import KindBot


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ChampionsCog(
    commands.GroupCog,
    group_name="champions",
    group_description="Coordinators: see and manage champions",
):
    invite = app_commands.Group(name="invite", description="Invite members to become champions")

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    async def interaction_check(self, interaction: discord.Interaction[ClientT], /) -> bool:
        return await is_coordinator(as_kindbot(interaction))

    @app_commands.command(name="list", description="Champions by group, and who joined recently")
    async def list_(self, interaction: Interaction) -> None:
        overview = await self.services.champions.overview(guild_id(interaction))
        embed = discord.Embed(
            title=self.texts("champions.list_title", total=overview.total), colour=KIND_GREEN
        )
        lines = [
            f"{group.label if group else self.texts('champions.no_group')}: **{count}**"
            for group, count in overview.by_group
        ]
        recent = [f"<@{c.user_id}> · {joined_label(c.joined_at)}" for c in overview.recent]
        add_list_fields(embed, self.texts("champions.by_group"), lines, self.texts)
        add_list_fields(
            embed,
            self.texts("champions.recent"),
            recent,
            self.texts,
            empty=self.texts("champions.none_recent"),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="set-group", description="Correct a champion's group")
    @app_commands.autocomplete(group=group_choices)
    @app_commands.describe(member="The champion", group="Their group")
    async def set_group(self, interaction: Interaction, member: discord.Member, group: str) -> None:
        server = guild_id(interaction)
        new, previous = await self.services.champions.set_group(server, member.id, group)
        champion_role = await self.services.onboarding.champion_role_id(server)
        await apply_role_plan(
            self.bot, member, plan_roles(champion_role, new, previous, joining=True)
        )
        await interaction.response.send_message(
            self.texts("champions.group_set", member=member.mention, group=new.label),
            ephemeral=True,
        )

    @app_commands.command(name="export", description="Download the champions list as a CSV file")
    async def export(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)

        def name_of(user_id: int) -> str | None:
            member = guild.get_member(user_id)
            return member.display_name if member else None

        text = await self.services.champions.export_csv(guild.id, name_of)
        file = discord.File(io.BytesIO(text.encode("utf-8-sig")), filename="kindbot-champions.csv")
        await interaction.followup.send(self.texts("champions.exported"), file=file, ephemeral=True)

    # Inviting an existing community (see cogs/champions/_invite.py)

    @invite.command(name="role", description="Invite everyone with a role to become a champion")
    @app_commands.describe(role="Its members get a personal invitation")
    async def invite_role(self, interaction: Interaction, role: discord.Role) -> None:
        await send_invitations(self.bot, interaction, role.members)

    @invite.command(
        name="channel", description="Invite everyone who can see a channel to become a champion"
    )
    @app_commands.describe(channel="Everyone who can see it gets a personal invitation")
    async def invite_channel(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        await send_invitations(self.bot, interaction, channel.members)


async def setup(bot: KindBot) -> None:
    await bot.add_cog(ChampionsCog(bot))
