"""``/coffee``: members' choices about the roulette, and coordinators' tools."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import coordinator_only
from bot.interaction import Interaction, reply_privately
from bot.scheduler import RunOutcome
from bot.services.coffee import MAX_HEADSUP_HOURS, MAX_PAUSE_WEEKS, PAUSED_INDEFINITELY
from cogs.coffee._checkin import CheckinButton, SkipView
from cogs.coffee._jobs import CoffeeJobs
from cogs.coffee._progress import QUIET_SECONDS, RunNowReply
from cogs.coffee._render import COFFEE_BROWN
from cogs.shared.display import shorten
from cogs.shared.guild import guild_id, guild_of
from cogs.shared.notices import tell_coordinators

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

#: The preview lists meetings up to this many characters (an embed holds 4,096).
PREVIEW_CHARS = 4000


@app_commands.guild_only()
class CoffeeCog(
    commands.GroupCog,
    group_name="coffee",
    group_description="The weekly cross-group coffee roulette",
):
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts
        self.jobs = CoffeeJobs(bot)
        self._warming: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        for spec in self.jobs.specs():
            self.services.scheduler.register(spec)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """With a big roulette, start the worker processes now, not on its first round."""
        offload = self.services.offload
        if offload.started or self._warming is not None:
            return
        modules = await self.services.coffee.worker_modules(g.id for g in self.bot.guilds)
        if modules:
            self._warming = asyncio.create_task(self._warm(modules))

    async def _warm(self, modules: tuple[str, ...]) -> None:
        try:
            await self.services.offload.warm(*modules)
        except Exception as exc:  # the first round starts them instead
            log.warning("Could not start the worker processes early: %s", exc)

    async def cog_unload(self) -> None:
        for spec in self.jobs.specs():
            self.services.scheduler.unregister(spec.name)

    def persistent_views(self) -> list[discord.ui.View]:
        return [SkipView(self.bot)]

    def dynamic_items(self) -> list[type[discord.ui.DynamicItem[Any]]]:
        return [CheckinButton]

    # Members

    @app_commands.command(name="join", description="Join the weekly coffee roulette")
    async def join(self, interaction: Interaction) -> None:
        await self.services.coffee.join(guild_id(interaction), interaction.user.id)
        await reply_privately(interaction, self.texts("coffee.joined"))

    @app_commands.command(name="leave", description="Leave the coffee roulette")
    async def leave(self, interaction: Interaction) -> None:
        await self.services.coffee.leave(guild_id(interaction), interaction.user.id)
        await reply_privately(interaction, self.texts("coffee.left"))

    @app_commands.command(
        name="pause", description="Take a break for a few weeks (resumes by itself)"
    )
    @app_commands.describe(weeks=f"How many weeks (1 to {MAX_PAUSE_WEEKS})")
    async def pause(
        self, interaction: Interaction, weeks: app_commands.Range[int, 1, MAX_PAUSE_WEEKS]
    ) -> None:
        until = await self.services.coffee.pause(guild_id(interaction), interaction.user.id, weeks)
        await reply_privately(
            interaction, self.texts("coffee.paused", until=discord.utils.format_dt(until, "D"))
        )

    @app_commands.command(name="resume", description="Come back to the roulette now")
    async def resume(self, interaction: Interaction) -> None:
        await self.services.coffee.resume(guild_id(interaction), interaction.user.id)
        await reply_privately(interaction, self.texts("coffee.resumed"))

    @app_commands.command(name="skip", description="Skip the next round only")
    async def skip(self, interaction: Interaction) -> None:
        period = await self.services.coffee.skip(guild_id(interaction), interaction.user.id)
        await reply_privately(interaction, self.texts("coffee.skipped", week=period))

    @app_commands.command(name="history", description="Your past coffee partners")
    async def history(self, interaction: Interaction) -> None:
        rows = await self.services.coffee.history(guild_id(interaction), interaction.user.id)
        if not rows:
            await reply_privately(interaction, self.texts("coffee.history_empty"))
            return
        lines = []
        for period, partners in rows:
            names = ", ".join(
                f"<@{p}>" if p else self.texts("coffee.erased_partner") for p in partners
            )
            lines.append(f"**{period}** · {names}")
        embed = discord.Embed(
            title=self.texts("coffee.history_title"),
            description="\n".join(lines),
            colour=COFFEE_BROWN,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="never", description="Privately: never pair me with this member")
    @app_commands.describe(member="Nobody is told; you can undo it with /coffee allow")
    async def never(self, interaction: Interaction, member: discord.Member) -> None:
        await self.services.coffee.never(guild_id(interaction), interaction.user.id, member.id)
        await reply_privately(interaction, self.texts("coffee.never_set", member=member.mention))

    @app_commands.command(name="allow", description="Undo /coffee never for a member")
    @app_commands.describe(member="The member you can be paired with again")
    async def allow(self, interaction: Interaction, member: discord.Member) -> None:
        removed = await self.services.coffee.unblock(
            guild_id(interaction), interaction.user.id, member.id
        )
        await reply_privately(
            interaction,
            self.texts("coffee.allowed" if removed else "coffee.allow_none", member=member.mention),
        )

    @app_commands.command(name="status", description="Are you in the roulette, paused or out?")
    async def status(self, interaction: Interaction) -> None:
        opted_in, paused_until = await self.services.coffee.status(
            guild_id(interaction), interaction.user.id
        )
        if not opted_in:
            await reply_privately(interaction, self.texts("coffee.status_out"))
        elif paused_until and paused_until > self.services.clock.now():
            if paused_until >= PAUSED_INDEFINITELY:
                await reply_privately(interaction, self.texts("coffee.status_paused_open"))
            else:
                await reply_privately(
                    interaction,
                    self.texts(
                        "coffee.status_paused", until=discord.utils.format_dt(paused_until, "D")
                    ),
                )
        else:
            await reply_privately(interaction, self.texts("coffee.status_in"))

    # Coordinators

    @app_commands.command(
        name="preview", description="Coordinators: a dry run of the next round (nothing is saved)"
    )
    @coordinator_only
    async def preview(self, interaction: Interaction) -> None:
        server = guild_id(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = self.services.coffee
        period = await service.run_now_period(server)
        plan = await service.plan(server, period, self.services.clock.now())
        groups = await service.groups(server)
        lines: list[str] = []
        length = 0
        for meeting in plan.result.meetings:
            if length >= PREVIEW_CHARS:
                break
            people = []
            for uid in meeting:
                group = groups.get(plan.group_of[int(uid)])
                people.append(f"<@{uid}> ({group.name if group else '?'})")
            lines.append(" · ".join(people))
            length += len(lines[-1]) + 1
        stats = plan.result.stats
        embed = discord.Embed(
            title=self.texts("coffee.preview_title", week=period),
            description="\n".join(lines)[:PREVIEW_CHARS],
            colour=COFFEE_BROWN,
        )
        embed.add_field(
            name=self.texts("coffee.preview_stats"),
            value=self.texts(
                "coffee.preview_numbers",
                people=plan.people,
                meetings=len(plan.result.meetings),
                same=stats.same_group_pairs,
                minimum=stats.min_same_group_pairs,
                repeats=stats.repeats,
            ),
        )
        if plan.sat_out:
            embed.add_field(
                name=self.texts("coffee.sat_out_title"),
                value=shorten(
                    ", ".join(f"<@{uid}>" for uid in plan.sat_out)
                    + f" ({self.texts('coffee.sat_out_reason')})",
                    1024,
                ),
                inline=False,
            )
        await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(
        name="run-now", description="Coordinators: make and announce this week's round now"
    )
    @coordinator_only
    async def run_now(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        week = await self.services.coffee.run_now_period(guild.id)

        async def edit(text: str) -> None:
            await interaction.edit_original_response(content=text)

        async def tell_log(text: str) -> None:
            await tell_coordinators(self.bot, guild, text)

        reply = RunNowReply(self.services.clock, self.texts, week, edit, tell_log)
        self.jobs.progress[guild.id] = reply.progress
        run = asyncio.ensure_future(self.services.scheduler.run_now(guild.id, "pairing"))
        try:
            try:
                outcome = await asyncio.wait_for(asyncio.shield(run), QUIET_SECONDS)
            except TimeoutError:
                await reply.went_quiet()
                outcome = await run
        finally:
            if self.jobs.progress.get(guild.id) == reply.progress:
                del self.jobs.progress[guild.id]
        key = {
            RunOutcome.RAN: "coffee.run_done",
            RunOutcome.ALREADY_DONE: "coffee.run_already",
            RunOutcome.BUSY: "coffee.run_busy",
            RunOutcome.SKIPPED: "coffee.run_skipped",
        }.get(outcome, "coffee.run_failed")
        if outcome is RunOutcome.SKIPPED:
            now = self.services.clock.now()
            until = await self.services.programmes.roulette_paused_until(guild.id, now)
            if until is not None:
                until_text = discord.utils.format_dt(until, "D")
                await reply.finish(self.texts("coffee.run_paused", week=week, until=until_text))
                return
        await reply.finish(self.texts(key, week=week))

    @app_commands.command(
        name="heads-up",
        description="Coordinators: post a 'skip this week?' reminder before pairing",
    )
    @app_commands.describe(
        hours=f"Hours before pairing (0 turns it off, up to {MAX_HEADSUP_HOURS})"
    )
    @coordinator_only
    async def heads_up(
        self, interaction: Interaction, hours: app_commands.Range[int, 0, MAX_HEADSUP_HOURS]
    ) -> None:
        server = guild_id(interaction)
        when = await self.services.coffee.set_headsup(server, hours)
        if when is None:
            await reply_privately(interaction, self.texts("coffee.headsup_off"))
        else:
            await reply_privately(
                interaction, self.texts("coffee.headsup_on", when=when.describe())
            )
        await self.services.scheduler.schedule_guild(server)

    @app_commands.command(
        name="stats", description="Coordinators: rounds, meetings, cross-group and meeting rates"
    )
    @coordinator_only
    async def stats(self, interaction: Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        stats = await self.services.coffee.stats(guild_id(interaction))
        embed = discord.Embed(title=self.texts("coffee.stats_title"), colour=COFFEE_BROWN)
        embed.add_field(name=self.texts("coffee.stats_rounds"), value=str(stats.rounds))
        embed.add_field(name=self.texts("coffee.stats_meetings"), value=str(stats.meetings))
        embed.add_field(
            name=self.texts("coffee.stats_cross"),
            value="—" if stats.cross_group_percent is None else f"{stats.cross_group_percent:.0f}%",
        )
        embed.add_field(
            name=self.texts("coffee.stats_rate"),
            value="—"
            if stats.meeting_rate_percent is None
            else self.texts(
                "coffee.stats_rate_value",
                percent=f"{stats.meeting_rate_percent:.0f}",
                answered=stats.answered_meetings,
            ),
        )
        await interaction.followup.send(embed=embed, ephemeral=True)
