"""The 10 conditions as a weekly post, ``/prompt``, and a server's own ``/prompts``.

This one module holds the cog, its weekly job and the condition embed. The weekly
post's "Share a reflection" button belongs to the reflections cog.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import coordinator_only
from bot.interaction import Interaction
from bot.models import ChannelPurpose, ScheduledJob
from bot.scheduler import JobContext, JobSkipped, JobSpec
from bot.services.content import Condition, PromptKind
from cogs.shared.channels import configured_channel
from cogs.shared.delivery import post_once
from cogs.shared.display import safe_text
from cogs.shared.guild import guild_for_job, guild_id
from cogs.shared.posts import SHARE_BUTTON_ID, persistent_view

if TYPE_CHECKING:
    from bot.core import KindBot
    from bot.text import Messages

CONDITION_GOLD = discord.Colour.from_rgb(230, 180, 60)
_KIND_CHOICES = [
    app_commands.Choice(name="discussion prompt", value=PromptKind.DISCUSSION.value),
    app_commands.Choice(name="coffee conversation starter", value=PromptKind.STARTER.value),
    app_commands.Choice(name="reflection question", value=PromptKind.REFLECTION.value),
]


def condition_embed(condition: Condition, prompt: str, texts: Messages) -> discord.Embed:
    embed = discord.Embed(
        title=texts("prompts.week_title", number=condition.number, title=condition.title),
        description=condition.explanation,
        colour=CONDITION_GOLD,
    )
    embed.add_field(name=texts("prompts.prompt_heading"), value=prompt, inline=False)
    return embed


class PromptsCog(commands.Cog):
    prompts = app_commands.Group(
        name="prompts",
        description="Coordinators: this server's own prompts",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    async def cog_load(self) -> None:
        self.services.scheduler.register(
            JobSpec(ScheduledJob.PROMPT.value, ScheduledJob.PROMPT.default_time, self.post_week)
        )

    async def cog_unload(self) -> None:
        self.services.scheduler.unregister(ScheduledJob.PROMPT.value)

    async def post_week(self, ctx: JobContext) -> None:
        """Post "This week: condition N" once per week in the reflections channel."""
        guild = guild_for_job(self.bot, ctx)
        channel = await configured_channel(self.bot, guild, ChannelPurpose.REFLECTIONS)
        if channel is None:
            raise JobSkipped("no reflections channel")
        prompts = self.services.prompts
        condition = await prompts.condition_for_week(guild.id, ctx.period_key)
        prompt = await prompts.pick(guild.id, ctx.period_key, condition, PromptKind.DISCUSSION)
        embed = condition_embed(condition, prompt, self.texts)
        await post_once(
            ctx,
            "post",
            channel,
            me_id=guild.me.id,
            target_id=channel.id,
            embed=embed,
            view=persistent_view(self.bot, SHARE_BUTTON_ID),
        )

    @app_commands.command(name="prompt", description="This week's condition and a fresh prompt")
    @app_commands.guild_only()
    async def prompt(self, interaction: Interaction) -> None:
        server = guild_id(interaction)
        week = await self.services.reflections.this_week(server)
        options = await self.services.prompts.prompts(server, week.condition, PromptKind.DISCUSSION)
        embed = condition_embed(week.condition, random.choice(options), self.texts)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @prompts.command(name="add", description="Add a prompt of your own to a condition")
    @app_commands.describe(
        condition="The condition's number (1 to 10)",
        kind="What kind of prompt",
        text="Up to 300 characters",
    )
    @app_commands.choices(kind=_KIND_CHOICES)
    @coordinator_only
    async def add(
        self, interaction: Interaction, condition: int, kind: app_commands.Choice[str], text: str
    ) -> None:
        added = await self.services.prompts.add_custom(
            guild_id(interaction),
            condition,
            PromptKind(kind.value),
            text,
            interaction.user.id,
            self.services.clock.now(),
        )
        await interaction.response.send_message(
            self.texts("prompts.added", number=added.condition_number, id=added.prompt_id),
            ephemeral=True,
        )

    @prompts.command(name="list", description="This server's own prompts")
    @app_commands.describe(condition="Only this condition (1 to 10)")
    @coordinator_only
    async def list_(self, interaction: Interaction, condition: int | None = None) -> None:
        server = guild_id(interaction)
        if condition is not None:
            self.services.prompts.condition(condition)
        items = await self.services.prompts.custom(server, condition)
        lines = [
            f"**#{p.prompt_id}** · {p.condition_number} · {p.kind}: {safe_text(p.text, 200)}"
            for p in items
        ]
        embed = discord.Embed(
            title=self.texts("prompts.list_title"),
            description="\n".join(lines)[:4000] or self.texts("prompts.list_empty"),
            colour=CONDITION_GOLD,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @prompts.command(name="remove", description="Remove one of this server's prompts")
    @app_commands.describe(prompt="The prompt to remove")
    @coordinator_only
    async def remove(self, interaction: Interaction, prompt: int) -> None:
        await self.services.prompts.remove_custom(guild_id(interaction), prompt)
        await interaction.response.send_message(self.texts("prompts.removed"), ephemeral=True)

    @add.autocomplete("condition")
    @list_.autocomplete("condition")
    async def _condition_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        needle = current.casefold().strip()
        return [
            app_commands.Choice(name=f"{c.number}. {c.title}"[:100], value=c.number)
            for c in self.services.content.conditions
            if needle in f"{c.number}. {c.title}".casefold()
        ][:25]

    @remove.autocomplete("prompt")
    async def _prompt_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild is None:
            return []
        items = await self.services.prompts.custom(interaction.guild.id)
        needle = current.casefold().strip()
        return [
            app_commands.Choice(name=f"#{p.prompt_id} {p.text}"[:100], value=p.prompt_id)
            for p in items
            if needle in f"#{p.prompt_id} {p.text}".casefold()
        ][:25]


async def setup(bot: KindBot) -> None:
    await bot.add_cog(PromptsCog(bot))
