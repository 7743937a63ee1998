"""Removing a group that has champions: move them to another group, or ask each to choose."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.interaction import Interaction
from bot.models import Group
from bot.services.champions import RemovedGroup
from bot.services.onboarding import plan_roles
from bot.ui import KindView
from cogs.shared.guild import guild_of
from cogs.shared.notices import tell_coordinators
from cogs.shared.regroup import regroup_view
from cogs.shared.roles import apply_role_plan

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


class RemoveGroupView(KindView):
    """The question before a group with champions is removed; nothing changes until answered."""

    def __init__(self, bot: KindBot, *, owner_id: int, group: Group, others: list[Group]) -> None:
        super().__init__(timeout=600, owner_id=owner_id)
        self.bot = bot
        self.group = group
        texts = bot.services.texts
        self.move.placeholder = texts("setup.group_remove_move")
        self.move.options = [
            discord.SelectOption(label=g.name, value=str(g.group_id)) for g in others[:25]
        ]
        self.ask.label = texts("setup.group_remove_ask")
        self.cancel.label = texts("setup.group_remove_cancel")

    @discord.ui.select(cls=discord.ui.Select, row=0)
    async def move(self, interaction: Interaction, select: discord.ui.Select[Any]) -> None:
        await self._remove(interaction, int(select.values[0]))

    @discord.ui.button(style=discord.ButtonStyle.danger, row=1)
    async def ask(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        await self._remove(interaction, None)

    @discord.ui.button(style=discord.ButtonStyle.secondary, row=1)
    async def cancel(self, interaction: Interaction, button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=self.bot.services.texts("setup.group_remove_cancelled"), view=None
        )

    async def _remove(self, interaction: Interaction, move_to: int | None) -> None:
        guild = guild_of(interaction)
        services = self.bot.services
        texts = services.texts
        removed = await services.champions.remove_group(guild.id, self.group.group_id, move_to)
        self.stop()
        await interaction.response.defer()
        count = len(removed.active)
        if removed.moved_to is not None:
            await self._update_roles(guild, removed)
            text = texts(
                "setup.group_removed_moved",
                count=count,
                group=removed.group.label,
                target=removed.moved_to.label,
            )
        else:
            await self._ask_each(guild, removed)
            text = texts("setup.group_removed_asked", count=count, group=removed.group.label)
        await interaction.edit_original_response(content=text, view=None)

    async def _members(self, guild: discord.Guild, user_ids: list[int]) -> list[discord.Member]:
        members = []
        for user_id in user_ids:
            member = guild.get_member(user_id)
            if member is None:
                try:
                    member = await guild.fetch_member(user_id)
                except discord.HTTPException:
                    continue
            members.append(member)
        return members

    async def _update_roles(self, guild: discord.Guild, removed: RemovedGroup) -> None:
        champion_role = await self.bot.services.onboarding.champion_role_id(guild.id)
        plan = plan_roles(champion_role, removed.moved_to, removed.group, joining=True)
        if plan.add or plan.remove:
            for member in await self._members(guild, removed.active):
                await apply_role_plan(self.bot, member, plan)

    async def _ask_each(self, guild: discord.Guild, removed: RemovedGroup) -> None:
        services = self.bot.services
        texts = services.texts
        await self._update_roles(guild, removed)
        groups = await services.setup.groups(guild.id)
        text = texts("onboarding.regroup_dm", server=guild.name, group=removed.group.name)
        unreachable: list[str] = []
        for member in await self._members(guild, removed.active):
            try:
                await member.send(
                    text,
                    view=regroup_view(self.bot, guild.id, groups),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException as exc:
                log.info("Could not ask %s to choose a new group: %s", member.id, exc)
                unreachable.append(member.mention)
        if unreachable:
            await tell_coordinators(
                self.bot,
                guild,
                texts(
                    "setup.regroup_unreachable_log",
                    members=", ".join(unreachable),
                    group=removed.group.name,
                ),
            )
