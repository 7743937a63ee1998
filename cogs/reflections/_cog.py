"""``/reflect``, ``/reflections`` and the weekly reminder for those who asked for one."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.interaction import Interaction
from bot.models import ScheduledJob
from bot.problems import UserFacingError
from bot.scheduler import Delivery, JobContext, JobSpec
from cogs.reflections._forms import (
    MyReflectionsView,
    ShareReflectionView,
    open_reflection,
    reflection_line,
)
from cogs.shared.delivery import note_once, post_once
from cogs.shared.guild import guild_for_job, guild_id

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)
REFLECT_BLUE = discord.Colour.from_rgb(90, 140, 200)


class ReflectionsCog(commands.Cog):
    reflections = app_commands.Group(
        name="reflections", description="Your weekly reflections", guild_only=True
    )

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    def persistent_views(self) -> list[discord.ui.View]:
        return [ShareReflectionView(self.bot)]

    async def cog_load(self) -> None:
        self.services.scheduler.register(
            JobSpec(
                ScheduledJob.REMINDER.value, ScheduledJob.REMINDER.default_time, self.send_reminders
            )
        )

    async def cog_unload(self) -> None:
        self.services.scheduler.unregister(ScheduledJob.REMINDER.value)

    @app_commands.command(name="reflect", description="Write this week's reflection")
    @app_commands.guild_only()
    async def reflect(self, interaction: Interaction) -> None:
        await open_reflection(self.bot, interaction)

    @reflections.command(name="mine", description="Your reflections, to edit or delete")
    async def mine(self, interaction: Interaction) -> None:
        items = await self.services.reflections.mine(guild_id(interaction), interaction.user.id)
        if not items:
            raise UserFacingError("reflect.none_yet")
        embed = discord.Embed(
            title=self.texts("reflect.mine_title"),
            description="\n".join(reflection_line(r, self.texts) for r in items)[:4000],
            colour=REFLECT_BLUE,
        )
        await interaction.response.send_message(
            embed=embed, view=MyReflectionsView(self.bot, items), ephemeral=True
        )

    @reflections.command(
        name="reminders", description="A gentle weekly DM if you haven't reflected yet"
    )
    @app_commands.describe(enabled="On or off")
    async def reminders(self, interaction: Interaction, enabled: bool) -> None:
        await self.services.reflections.set_reminders(
            guild_id(interaction), interaction.user.id, enabled
        )
        key = "reflect.reminders_on" if enabled else "reflect.reminders_off"
        await interaction.response.send_message(self.texts(key), ephemeral=True)

    async def send_reminders(self, ctx: JobContext) -> None:
        """One reminder per member and week: each DM is its own delivery step, so a
        resumed run never reminds a member twice."""
        guild = guild_for_job(self.bot, ctx)
        service = self.services.reflections
        week = await service.this_week(guild.id)
        unknown = 0
        for user_id in await service.due_reminders(guild.id, week.period_key):
            member = guild.get_member(user_id)
            if member is None:
                continue
            try:
                done = await post_once(
                    ctx,
                    f"dm:reminder:{user_id}",
                    member,
                    me_id=guild.me.id,
                    target_id=user_id,
                    content=self.texts(
                        "reflect.reminder_dm", guild=guild.name, question=week.question
                    ),
                )
            except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
                # Outcome unknown: the step stays pending and the next attempt looks first.
                log.warning("Reminder to %s in guild %s not confirmed: %s", user_id, guild.id, exc)
                unknown += 1
                continue
            if done.outcome is Delivery.REFUSED and await service.note_closed_dm_once(
                guild.id, user_id
            ):
                await note_once(
                    self.bot,
                    ctx,
                    guild,
                    f"closed-dm:{user_id}",
                    self.texts("reflect.reminder_closed_log", member=member.mention),
                )
        if unknown:
            raise RuntimeError(f"{unknown} reminder(s) were not confirmed; they are tried again")
