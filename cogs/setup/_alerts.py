"""Alerts reach the coordinators' log, and losing a permission kindbot needs is noticed.

When the bot's roles, its role's permissions or a configured channel's overwrites
change, the checks ``/setup show`` makes are run again; each problem that was not
there before becomes an alert (at most once a day per problem).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from cogs.setup._diagnostics import find_problems
from cogs.shared.notices import tell_coordinators

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


class AlertsCog(commands.Cog):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self._known: dict[int, set[str]] = {}

    async def cog_load(self) -> None:
        self.services.alerts.attach(self._post)

    async def cog_unload(self) -> None:
        self.services.alerts.attach(None)

    async def _post(self, guild_id: int, text: str, nonce: str) -> bool:
        guild = self.bot.get_guild(guild_id)
        return guild is not None and await tell_coordinators(self.bot, guild, text, nonce=nonce)

    async def problems(self, guild: discord.Guild) -> set[str]:
        services = self.services
        config = await services.setup.config(guild.id)
        if config is None:
            return set()
        groups = await services.setup.groups(guild.id)
        champion_role = await services.setup.champion_role(guild.id)
        return set(find_problems(guild, config, groups, champion_role, services.texts))

    async def recheck(self, guild: discord.Guild) -> list[str]:
        """Alert each problem that appeared since the last look; returns them."""
        now = await self.problems(guild)
        before = self._known.get(guild.id)
        self._known[guild.id] = now
        if before is None:
            return []
        fresh = sorted(now - before)
        for problem in fresh:
            await self.services.alerts.permission_lost(guild.id, problem)
        return fresh

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        for guild in self.bot.guilds:
            self._known[guild.id] = await self.problems(guild)

    @commands.Cog.listener()
    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        me = after.guild.me
        if me is not None and after in me.roles and before.permissions != after.permissions:
            await self.recheck(after.guild)

    @commands.Cog.listener()
    async def on_member_update(self, before: discord.Member, after: discord.Member) -> None:
        if (
            self.bot.user is not None
            and after.id == self.bot.user.id
            and before.roles != after.roles
        ):
            await self.recheck(after.guild)

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        if before.overwrites != after.overwrites:
            await self.recheck(after.guild)
