"""``/kindness`` and the "Record as act of kindness" message command."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import coordinator_only
from bot.interaction import Interaction
from bot.models import Group
from bot.problems import UserFacingError
from cogs.kindness._forms import MyActsView, act_line
from cogs.shared.act_form import ActModal, BeneficiarySelect
from cogs.shared.display import safe_text
from cogs.shared.fields import add_list_fields
from cogs.shared.guild import guild_id, guild_of

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.services.kindness import Totals

KINDNESS_PINK = discord.Colour.from_rgb(233, 120, 150)


@app_commands.guild_only()
class KindnessCog(
    commands.GroupCog,
    group_name="kindness",
    group_description="Record and celebrate acts of kindness",
):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts
        self.menu = app_commands.ContextMenu(
            name="Record as act of kindness", callback=self.record_message
        )
        self.menu.guild_only = True

    def dynamic_items(self) -> list[type[discord.ui.DynamicItem[Any]]]:
        return [BeneficiarySelect]

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def record_message(self, interaction: Interaction, message: discord.Message) -> None:
        author = message.author
        who = "" if author.id == interaction.user.id else author.display_name
        await interaction.response.send_modal(
            ActModal(self.bot, what=message.content, who=who, source="message")
        )

    @app_commands.command(name="log", description="Record an act of kindness you did or saw")
    async def log(self, interaction: Interaction) -> None:
        await interaction.response.send_modal(ActModal(self.bot))

    @app_commands.command(name="mine", description="Your acts of kindness, to edit or delete")
    async def mine(self, interaction: Interaction) -> None:
        acts = await self.services.kindness.mine(guild_id(interaction), interaction.user.id)
        if not acts:
            raise UserFacingError("kindness.none_yet")
        embed = discord.Embed(
            title=self.texts("kindness.mine_title"),
            description="\n".join(act_line(a, self.texts) for a in acts)[:4000],
            colour=KINDNESS_PINK,
        )
        await interaction.response.send_message(
            embed=embed, view=MyActsView(self.bot, acts), ephemeral=True
        )

    @app_commands.command(name="recent", description="Acts of kindness the community has shared")
    async def recent(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        acts = await self.services.kindness.recent(guild.id)
        groups = {g.group_id: g for g in await self.services.setup.groups(guild.id)}
        lines = []
        for act, named in acts:
            member = guild.get_member(act.user_id) if named else None
            group = groups.get(act.group_id) if act.group_id else None
            if member is not None:
                by = safe_text(member.display_name, 60)
            else:
                by = self.texts(
                    "kindness.anonymous",
                    group=group.name if group else self.texts("kindness.some_group"),
                )
            lines.append(f"💚 {safe_text(act.what, 200)} · _{by}_")
        embed = discord.Embed(
            title=self.texts("kindness.recent_title"),
            description="\n".join(lines)[:4000] or self.texts("kindness.recent_empty"),
            colour=KINDNESS_PINK,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(
        name="stats", description="What the community has done together (no leaderboard)"
    )
    async def stats(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await self.services.kindness.stats(guild.id)
        groups = {g.group_id: g for g in await self.services.setup.groups(guild.id)}
        embed = discord.Embed(title=self.texts("kindness.stats_title"), colour=KINDNESS_PINK)
        for key, totals in (
            ("kindness.stats_week", stats.week),
            ("kindness.stats_all", stats.all_time),
        ):
            add_list_fields(
                embed,
                self.texts(key, count=totals.count),
                self._breakdown(totals, groups),
                self.texts,
                empty=self.texts("kindness.stats_none"),
            )
        await interaction.followup.send(embed=embed, ephemeral=True)

    def _breakdown(self, totals: Totals, groups: dict[int, Group]) -> list[str]:
        conditions = self.services.content
        lines = []
        for number, count in sorted(
            totals.by_condition.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)
        ):
            title = (
                conditions.condition(number).title
                if number
                else self.texts("kindness.no_condition")
            )
            lines.append(f"{title}: **{count}**")
        by_group = [
            f"{groups[g].name if g in groups else self.texts('kindness.some_group')}: **{c}**"
            for g, c in sorted(totals.by_group.items(), key=lambda kv: kv[0] or 0)
        ]
        if by_group:
            lines.append("")
            lines.extend(by_group)
        return lines

    @app_commands.command(
        name="limit", description="Coordinators: how many acts a member may record a day"
    )
    @app_commands.describe(per_day="1 to 200 (20 by default)")
    @coordinator_only
    async def limit(
        self, interaction: Interaction, per_day: app_commands.Range[int, 1, 200]
    ) -> None:
        await self.services.kindness.set_daily_limit(guild_id(interaction), per_day)
        await interaction.response.send_message(
            self.texts("kindness.limit_set", count=per_day, limit=per_day), ephemeral=True
        )
