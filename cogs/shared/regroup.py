"""Choosing a group again after a coordinator removed yours.

The menu arrives by direct message. It is a dynamic item whose custom id carries
the server, so it keeps working after restarts without keeping anything in memory.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import answer_kindly
from bot.interaction import ClientT, Interaction
from bot.models import Group
from bot.services.onboarding import plan_roles
from cogs.shared.roles import apply_role_plan

if TYPE_CHECKING:
    from bot.core import KindBot


class RegroupSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"kindbot:regroup:(?P<guild>\d+)"
):
    def __init__(self, guild_id: int, select: discord.ui.Select[Any] | None = None) -> None:
        super().__init__(select or discord.ui.Select(custom_id=f"kindbot:regroup:{guild_id}"))
        self.guild_id = guild_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[ClientT],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RegroupSelect:
        return cls(int(match["guild"]))

    async def callback(self, interaction: discord.Interaction[ClientT]) -> None:
        await answer_kindly(interaction, self._choose)

    async def _choose(self, interaction: Interaction) -> None:
        bot = interaction.client
        services = bot.services
        user_id = interaction.user.id
        group = await services.champions.choose_group(
            self.guild_id, user_id, int(self.item.values[0])
        )
        await interaction.response.edit_message(
            content=services.texts("onboarding.regroup_done", group=group.label), view=None
        )
        guild = bot.get_guild(self.guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        if member is not None:
            champion_role = await services.onboarding.champion_role_id(self.guild_id)
            await apply_role_plan(bot, member, plan_roles(champion_role, group, None, joining=True))


def regroup_view(bot: KindBot, guild_id: int, groups: list[Group]) -> discord.ui.View:
    """The menu sent to a champion whose group was removed."""
    select: discord.ui.Select[Any] = discord.ui.Select(
        custom_id=f"kindbot:regroup:{guild_id}",
        placeholder=bot.services.texts("onboarding.pick_group"),
        options=[discord.SelectOption(label=g.name, value=str(g.group_id)) for g in groups[:25]],
    )
    view = discord.ui.View(timeout=None)
    view.add_item(RegroupSelect(guild_id, select))
    return view
