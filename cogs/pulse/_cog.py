"""``/pulse`` for coordinators, the daily pulse job, and the baseline after consent."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import coordinator_only
from bot.interaction import Interaction
from bot.models import ChannelPurpose, WeeklyTime
from bot.scheduler import JobContext, JobSpec
from bot.scheduler.delivery import DeliveryRefused
from bot.services.pulse import DuePulse
from bot.ui import KindModal
from cogs.pulse._answer import (
    AnswerSelect,
    OpenPulseButton,
    SkipButton,
    first_message,
    is_pulse_message,
    open_view,
    pulse_texts,
)
from cogs.pulse._quarterly import QUARTERLY_JOB, QuarterlyReport
from cogs.shared.channels import configured_channel
from cogs.shared.delivery import FIND_LIMIT
from cogs.shared.guild import guild_for_job, guild_id

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

PULSE_JOB = "pulse"
PULSE_TIME = WeeklyTime(0, 11, 0)  # daily, late morning in the server's time
DM_CLOSED = 50007


class PulseCog(commands.Cog):
    pulse = app_commands.Group(
        name="pulse",
        description="Coordinators: the short pulse that helps us learn what works",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.quarterly = QuarterlyReport(bot)

    def dynamic_items(self) -> list[type[discord.ui.DynamicItem[Any]]]:
        return [AnswerSelect, SkipButton, OpenPulseButton]

    async def cog_load(self) -> None:
        self.services.scheduler.register(
            JobSpec(PULSE_JOB, PULSE_TIME, self.send_pulses, daily=True)
        )
        self.services.scheduler.register(self.quarterly.spec())

    async def cog_unload(self) -> None:
        self.services.scheduler.unregister(PULSE_JOB)
        self.services.scheduler.unregister(QUARTERLY_JOB)

    # Sending

    async def _dm(self, guild: discord.Guild, user_id: int, due: DuePulse, nonce: str) -> int:
        member = guild.get_member(user_id)
        if member is None:
            raise DeliveryRefused("the member is not in the server")
        content, view = first_message(self.bot, guild.id, due.period_key, due.questions)
        try:
            message = await member.send(
                content,
                view=view,
                nonce=nonce,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.Forbidden as exc:
            raise DeliveryRefused("direct messages are closed") from exc
        return message.id

    async def send_pulses(self, ctx: JobContext) -> None:
        """Each due member's pulse, once: by DM, or the channel button when DMs are closed.

        Each DM is a delivery step of the member's pulse period (not of the day's run),
        so a DM whose run was cut short before it was noted is looked for in the
        member's DM channel by a later day's run instead of being sent again.
        """
        guild = guild_for_job(self.bot, ctx)
        service = self.services.pulse
        closed: set[str] = set()
        for user_id, due in await service.due_members(guild.id):
            if await service.answered(guild.id, user_id, due.period_key):
                # The member is already answering it: the DM arrived before a crash.
                await service.mark_sent(guild.id, user_id, due.period_key)
                continue

            async def send(nonce: str, user_id: int = user_id, due: DuePulse = due) -> int:
                return await self._dm(guild, user_id, due, nonce)

            async def find(
                nonce: str, since: datetime, user_id: int = user_id, due: DuePulse = due
            ) -> int | None:
                return await self._find_dm(guild, user_id, due.period_key, nonce)

            delivered = await ctx.deliver(
                f"dm:{user_id}",
                send,
                target_id=user_id,
                find=find,
                period_key=due.period_key,
            )
            await service.mark_sent(guild.id, user_id, due.period_key)
            if not delivered.reached:
                closed.add(await service.button_period(guild.id, due.period_key))
        for period in sorted(closed):
            await self._post_button(guild, period)

    async def _find_dm(
        self, guild: discord.Guild, user_id: int, period: str, nonce: str
    ) -> int | None:
        """The bot's pulse DM of ``period`` in the member's recent DMs, if it is there."""
        member = guild.get_member(user_id)
        if member is None:
            return None
        try:
            channel = member.dm_channel or await member.create_dm()
            async for message in channel.history(limit=FIND_LIMIT):
                if message.author.id == guild.me.id and (
                    str(message.nonce or "") == nonce or is_pulse_message(message, guild.id, period)
                ):
                    return message.id
        except discord.HTTPException as exc:
            log.warning("Could not read %s's DMs to look for their pulse: %s", user_id, exc)
        return None

    async def _post_button(self, guild: discord.Guild, period: str) -> None:
        channel = await configured_channel(self.bot, guild, ChannelPurpose.REFLECTIONS)
        if channel is None or not await self.services.pulse.claim_button_post(guild.id, period):
            return
        await channel.send(
            pulse_texts(self.bot)("pulse.open_post"),
            view=open_view(self.bot, guild.id),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @commands.Cog.listener()
    async def on_pulse_consent(self, guild_id: int, user_id: int) -> None:
        """Right after someone switches the pulse on: their baseline, if not sent yet."""
        service = self.services.pulse
        due = await service.due_now(guild_id, user_id)
        guild = self.bot.get_guild(guild_id)
        if due is None or guild is None:
            return
        if not await service.mark_sent(guild_id, user_id, due.period_key):
            return
        try:
            await self._dm(guild, user_id, due, f"p{user_id}"[:25])
        except DeliveryRefused:
            await self._post_button(guild, await service.button_period(guild_id, due.period_key))

    # /pulse

    @pulse.command(name="frequency", description="How often the pulse comes after the first one")
    @app_commands.describe(frequency="off, monthly, quarterly or half_yearly")
    @coordinator_only
    async def frequency(
        self,
        interaction: Interaction,
        frequency: Literal["off", "monthly", "quarterly", "half_yearly"],
    ) -> None:
        chosen = await self.services.pulse.set_frequency(guild_id(interaction), frequency)
        label = chosen.value.replace("_", "-")
        await interaction.response.send_message(
            pulse_texts(self.bot)("pulse.frequency_set", frequency=label), ephemeral=True
        )

    @pulse.command(name="add", description="Add your server's own question (up to 3)")
    @app_commands.describe(kind="choice: your own options; scale: 1 to 5")
    @coordinator_only
    async def add(self, interaction: Interaction, kind: Literal["choice", "scale"]) -> None:
        await interaction.response.send_modal(QuestionModal(self.bot, kind))

    @pulse.command(name="list", description="The pulse questions, in the order they are asked")
    @coordinator_only
    async def list_questions(self, interaction: Interaction) -> None:
        texts = pulse_texts(self.bot)
        questions = await self.services.pulse.questions(guild_id(interaction))
        lines = [texts("pulse.list_line", id=q.key, text=q.text) for q in questions]
        await interaction.response.send_message(
            "\n".join([f"**{texts('pulse.list_title')}**", *lines])[:2000],
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @pulse.command(name="remove", description="Remove one of your server's own questions")
    @app_commands.describe(question="The question's id from /pulse list, like custom-1")
    @coordinator_only
    async def remove(self, interaction: Interaction, question: str) -> None:
        await self.services.pulse.remove_question(guild_id(interaction), question.strip())
        await interaction.response.send_message(
            pulse_texts(self.bot)("pulse.removed"), ephemeral=True
        )


class QuestionModal(KindModal):
    def __init__(self, bot: KindBot, kind: str) -> None:
        texts = pulse_texts(bot)
        super().__init__(title=texts("pulse.modal_title"))
        self.bot = bot
        self.kind = kind
        self.text: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
            label=texts("pulse.modal_text"), max_length=100
        )
        self.add_item(self.text)
        self.options: discord.ui.TextInput[QuestionModal] | None = None
        if kind == "choice":
            self.options = discord.ui.TextInput(
                label=texts("pulse.modal_options"),
                style=discord.TextStyle.paragraph,
                max_length=450,
            )
            self.add_item(self.options)

    async def submit(self, interaction: Interaction) -> None:
        options = (
            [line for line in self.options.value.splitlines() if line.strip()]
            if self.options is not None
            else []
        )
        question = await self.bot.services.pulse.add_question(
            guild_id(interaction), interaction.user.id, self.text.value, self.kind, options
        )
        await interaction.response.send_message(
            pulse_texts(self.bot)("pulse.added", question=question.text, id=question.key),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )


__all__ = ["PulseCog"]
