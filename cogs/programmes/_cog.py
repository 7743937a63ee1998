"""``/programme``: the coordinators' commands for the server's programmes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_coordinator
from bot.interaction import ClientT, Interaction, as_kindbot, reply_privately
from bot.services.programmes import (
    MAX_NAME_LENGTH,
    Programme,
    ProgrammeDraft,
    ProgrammeError,
    TimeStatus,
)
from cogs.programmes._options import (
    DAY_CHOICES,
    FORMAT_CHOICES,
    RHYTHM_CHOICES,
    RHYTHMS,
    WEEK_CHOICES,
    answer,
    find,
    missing_thread_permissions,
    programme_names,
)
from cogs.programmes._rounds import ProgrammeJobs
from cogs.programmes._times import FindTimeButton, SlotSelect
from cogs.shared.display import shorten
from cogs.shared.guild import guild_of

if TYPE_CHECKING:
    from bot.core import KindBot

MESSAGE_LIMIT = 2000
_FORMAT_KEYS = {"online": "programmes.format_online", "in_person": "programmes.format_in_person"}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ProgrammeCog(
    commands.GroupCog,
    group_name="programme",
    group_description="Run the server's programmes: coffee, meals and more",
):
    """Coordinator-only commands; every rule lives in ``ProgrammeService``."""

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.programme_texts
        self.jobs = ProgrammeJobs(bot)

    async def cog_load(self) -> None:
        await self.jobs.register_all()

    async def cog_unload(self) -> None:
        self.jobs.unregister_all()

    async def interaction_check(self, interaction: discord.Interaction[ClientT], /) -> bool:
        return await is_coordinator(as_kindbot(interaction))

    async def remind(self, guild_id: int, meeting_id: int, when: datetime) -> None:
        await self.jobs.remind(guild_id, meeting_id, when)

    async def post_agreed(
        self,
        guild: discord.Guild,
        thread: discord.Thread,
        meeting_id: int,
        status: TimeStatus,
        text: str,
        ics: bytes,
    ) -> None:
        """The agreed time in the meeting's thread, once, and its reminder scheduled."""
        await self.jobs.announcer.post_agreed(guild, thread, meeting_id, status, text, ics)
        if status.reminder_at is not None:
            await self.jobs.remind(guild.id, meeting_id, status.reminder_at)

    def dynamic_items(self) -> list[type[discord.ui.DynamicItem[Any]]]:
        return [FindTimeButton, SlotSelect]

    def describe(self, programme: Programme) -> str:
        rhythm = programme.rhythm
        day = _DAYS[rhythm.day_of_week]
        if rhythm.kind.value == "monthly":
            nth = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
            when = self.texts(
                "programmes.rhythm_monthly", nth=nth[rhythm.week_of_month or 1], day=day
            )
        elif rhythm.every_weeks == 1:
            when = self.texts("programmes.rhythm_weekly", day=day)
        else:
            when = self.texts("programmes.rhythm_every", weeks=rhythm.every_weeks, day=day)
        paused = (
            self.texts(
                "programmes.list_paused",
                until=discord.utils.format_dt(programme.paused_until, "D"),
            )
            if programme.paused_until and programme.paused_until > self.services.programmes.now()
            else ""
        )
        return self.texts(
            "programmes.list_line",
            name=programme.name,
            when=when,
            at=f"{rhythm.hour:02d}:{rhythm.minute:02d}",
            size=programme.group_size,
            format=self.texts(_FORMAT_KEYS[programme.settings.format.value]),
            channel=f"<#{programme.settings.channel_id}>" if programme.settings.channel_id else "-",
            paused=paused,
        )

    def _check_channel(self, guild: discord.Guild, channel: discord.TextChannel | None) -> None:
        if channel is None:
            return
        missing = missing_thread_permissions(channel, guild.me)
        if missing:
            raise ProgrammeError(
                "programmes.channel_permissions",
                channel=channel.mention,
                permissions=", ".join(missing),
            )

    @app_commands.command(name="create", description="Start a new programme")
    @app_commands.describe(
        name=f"What members see it called (up to {MAX_NAME_LENGTH} characters)",
        rhythm="How often it meets",
        day="The day of the week it meets",
        hour="The hour it starts, 0 to 23 (server time)",
        minute="The minute it starts, 0 to 59",
        channel="Where each meeting gets its private thread",
        group_size="How many people in each meeting, 2 to 8",
        format="Online, or in person by region",
        week="For a monthly programme: which week of the month",
        role="Only members with this role can join (optional)",
    )
    @app_commands.choices(rhythm=RHYTHM_CHOICES, format=FORMAT_CHOICES)
    @app_commands.choices(day=DAY_CHOICES, week=WEEK_CHOICES)
    async def create(
        self,
        interaction: Interaction,
        name: str,
        rhythm: str,
        day: int,
        hour: int,
        channel: discord.TextChannel,
        minute: int = 0,
        group_size: int = 2,
        format: str = "online",
        week: int | None = None,
        role: discord.Role | None = None,
    ) -> None:
        guild = guild_of(interaction)

        async def act() -> str:
            self._check_channel(guild, channel)
            draft = _draft(name, rhythm, day, hour, minute, channel, group_size, format, week, role)
            made = await self.services.programmes.create(guild.id, draft)
            await self.jobs.register(made)
            return self.texts("programmes.created", line=self.describe(made))

        await answer(interaction, act)

    @app_commands.command(name="edit", description="Change a programme's settings")
    @app_commands.describe(
        name="The programme to change",
        new_name="A new name (optional)",
        rhythm="How often it meets",
        day="The day of the week it meets",
        hour="The hour it starts, 0 to 23",
        minute="The minute it starts, 0 to 59",
        channel="Where each meeting gets its private thread",
        group_size="How many people in each meeting, 2 to 8",
        format="Online, or in person by region",
        week="For a monthly programme: which week of the month",
        role="Only members with this role can join",
    )
    @app_commands.autocomplete(name=programme_names)
    @app_commands.choices(rhythm=RHYTHM_CHOICES, format=FORMAT_CHOICES)
    @app_commands.choices(day=DAY_CHOICES, week=WEEK_CHOICES)
    async def edit(
        self,
        interaction: Interaction,
        name: str,
        new_name: str | None = None,
        rhythm: str | None = None,
        day: int | None = None,
        hour: int | None = None,
        minute: int | None = None,
        channel: discord.TextChannel | None = None,
        group_size: int | None = None,
        format: str | None = None,
        week: int | None = None,
        role: discord.Role | None = None,
    ) -> None:
        guild = guild_of(interaction)

        async def act() -> str:
            old = await find(interaction, name)
            self._check_channel(guild, channel)
            r = old.rhythm
            current = "monthly" if r.kind.value == "monthly" else _weekly_choice(r.every_weeks)
            settings = old.settings
            at_hour = r.hour if hour is None else hour
            at_minute = r.minute if minute is None else minute
            if not _valid_time(at_hour, at_minute):
                raise ProgrammeError("programmes.time_range")
            draft = ProgrammeDraft(
                name=new_name if new_name is not None else old.name,
                day_of_week=r.day_of_week if day is None else day,
                at=time(at_hour, at_minute),
                channel_id=channel.id if channel else settings.channel_id,
                rhythm=RHYTHMS.get(rhythm or current, ("", 1))[0],
                every_weeks=RHYTHMS.get(rhythm or current, ("", 1))[1],
                week_of_month=week if week is not None else r.week_of_month,
                group_size=settings.group_size if group_size is None else group_size,
                format=settings.format.value if format is None else format,
                role_id=role.id if role else settings.role_id,
                timezone=r.timezone,
                anchor=r.anchor,
            )
            changed = await self.services.programmes.edit(guild.id, old.programme_id, draft)
            await self.jobs.register(changed)
            return self.texts("programmes.edited", line=self.describe(changed))

        await answer(interaction, act)

    @app_commands.command(name="list", description="The programmes this server runs")
    async def list_programmes(self, interaction: Interaction) -> None:
        found = await self.services.programmes.programmes(guild_of(interaction).id)
        lines = "\n".join(self.describe(p) for p in found)
        text = self.texts("programmes.list", lines=lines)
        await reply_privately(interaction, shorten(text, MESSAGE_LIMIT))

    @app_commands.command(name="remove", description="Stop a programme for good")
    @app_commands.describe(name="The programme to remove")
    @app_commands.autocomplete(name=programme_names)
    async def remove(self, interaction: Interaction, name: str) -> None:
        async def act() -> str:
            programme = await find(interaction, name)
            await self.services.programmes.remove(programme.guild_id, programme.programme_id)
            self.jobs.unregister(programme.programme_id)
            return self.texts("programmes.removed", name=programme.name)

        await answer(interaction, act)

    @app_commands.command(name="pause", description="Pause a programme until a date")
    @app_commands.describe(
        name="The programme to pause", resume_on="The date it comes back, as YYYY-MM-DD"
    )
    @app_commands.autocomplete(name=programme_names)
    async def pause(self, interaction: Interaction, name: str, resume_on: str) -> None:
        async def act() -> str:
            programme = await find(interaction, name)
            try:
                until = date.fromisoformat(resume_on.strip())
            except ValueError:
                raise ProgrammeError("programmes.bad_date", value=resume_on[:40]) from None
            service = self.services.programmes
            resume = await service.pause_programme(
                programme.guild_id, programme.programme_id, until
            )
            paused = await service.get(programme.guild_id, programme.programme_id)
            when = discord.utils.format_dt(resume, "D")
            notice = self.texts("programmes.paused_notice", name=programme.name, until=when)
            await self.jobs.announcer.pause_notice(paused, "paused", notice)
            return self.texts("programmes.paused", name=programme.name, until=when)

        await answer(interaction, act, posts=True)

    @app_commands.command(name="resume", description="Bring a paused programme back now")
    @app_commands.describe(name="The programme to bring back")
    @app_commands.autocomplete(name=programme_names)
    async def resume(self, interaction: Interaction, name: str) -> None:
        async def act() -> str:
            programme = await find(interaction, name)
            service = self.services.programmes
            await service.resume_programme(programme.guild_id, programme.programme_id)
            back = await service.get(programme.guild_id, programme.programme_id)
            notice = self.texts("programmes.back_notice", name=programme.name)
            # Once per pause: not again after the pause ended by itself, or on a second click.
            await self.jobs.announcer.pause_notice(back, "back", notice)
            return self.texts("programmes.resumed", name=programme.name)

        await answer(interaction, act, posts=True)

    @app_commands.command(name="introduce", description="Make a chosen meeting in this round")
    @app_commands.describe(
        name="The programme", first="A member", second="Another member", third="A third member"
    )
    @app_commands.autocomplete(name=programme_names)
    async def introduce(
        self,
        interaction: Interaction,
        name: str,
        first: discord.Member,
        second: discord.Member,
        third: discord.Member | None = None,
    ) -> None:
        people = [m.id for m in (first, second, third) if m is not None]

        async def act() -> str:
            programme = await find(interaction, name)
            meeting_id = await self.services.programmes.introduce(
                programme.guild_id, programme.programme_id, people
            )
            await self.jobs.announcer.announce_one(programme, meeting_id, people)
            return self.texts("programmes.introduced", name=programme.name)

        await answer(interaction, act, posts=True)

    @app_commands.command(name="add-late", description="Place a late joiner in this round")
    @app_commands.describe(name="The programme", member="The member who joined late")
    @app_commands.autocomplete(name=programme_names)
    async def add_late(self, interaction: Interaction, name: str, member: discord.Member) -> None:
        async def act() -> str:
            programme = await find(interaction, name)
            placed = await self.services.programmes.add_late_joiner(
                programme.guild_id, programme.programme_id, member.id
            )
            await self.jobs.announcer.announce_one(
                programme,
                placed.meeting_id,
                [*placed.others, member.id],
                joiner=None if placed.new_meeting else member.id,
            )
            return self.texts("programmes.late_placed", name=programme.name)

        await answer(interaction, act, posts=True)


def _weekly_choice(every: int) -> str:
    return "weekly" if every == 1 else f"every-{every}-weeks"


def _valid_time(hour: int, minute: int) -> bool:
    return 0 <= hour <= 23 and 0 <= minute <= 59


def _draft(
    name: str,
    rhythm: str,
    day: int,
    hour: int,
    minute: int,
    channel: discord.TextChannel,
    group_size: int,
    format: str,
    week: int | None,
    role: discord.Role | None,
) -> ProgrammeDraft:
    if rhythm not in RHYTHMS:
        raise ProgrammeError("programmes.unknown_rhythm")
    if not _valid_time(hour, minute):
        raise ProgrammeError("programmes.time_range")
    kind, every = RHYTHMS[rhythm]
    if kind == "monthly" and week is None:
        raise ProgrammeError("programmes.week_needed")
    return ProgrammeDraft(
        name=name,
        day_of_week=day,
        at=time(hour, minute),
        channel_id=channel.id,
        rhythm=kind,
        every_weeks=every,
        week_of_month=week,
        group_size=group_size,
        format=format,
        role_id=role.id if role else None,
    )
