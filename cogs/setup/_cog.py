"""``/setup``: the commands coordinators use to fit kindbot to their community."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_coordinator
from bot.errors import permission_label
from bot.interaction import ClientT, Interaction, as_kindbot, reply_privately
from bot.models import ChannelPurpose, ScheduledJob
from bot.problems import UserFacingError
from bot.services.setup import MIN_GROUPS, channel_problems, role_problem, suggest_timezones
from cogs.setup._diagnostics import find_problems, granted_in
from cogs.setup._removal import RemoveGroupView
from cogs.setup._wizard import start_wizard
from cogs.shared.channels import configured_channel
from cogs.shared.choices import group_choices
from cogs.shared.fields import add_list_fields, join_lines
from cogs.shared.guild import guild_of
from cogs.shared.posts import JOIN_BUTTON_ID, persistent_view, welcome_embed

if TYPE_CHECKING:
    from bot.core import KindBot

_PURPOSES = [app_commands.Choice(name=p.value, value=p.value) for p in ChannelPurpose]
_JOBS = [app_commands.Choice(name=j.value, value=j.value) for j in ScheduledJob]
_DAYS = [
    app_commands.Choice(name=day, value=index)
    for index, day in enumerate(
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    )
]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class SetupCog(
    commands.GroupCog, group_name="setup", group_description="Set kindbot up for this server"
):
    """Coordinator-only commands; every rule lives in ``SetupService``."""

    group = app_commands.Group(name="group", description="Manage the groups champions come from")

    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts

    async def interaction_check(self, interaction: discord.Interaction[ClientT], /) -> bool:
        return await is_coordinator(as_kindbot(interaction))

    # Channels and roles

    @app_commands.command(
        name="channel", description="Choose the channel kindbot uses for a purpose"
    )
    @app_commands.describe(purpose="What the channel is for", channel="A text channel")
    @app_commands.choices(purpose=_PURPOSES)
    async def channel(
        self, interaction: Interaction, purpose: str, channel: discord.TextChannel
    ) -> None:
        guild = guild_of(interaction)
        purpose = ChannelPurpose(purpose)
        await self.services.setup.set_channel(guild.id, purpose, channel.id)
        missing = channel_problems(purpose, granted_in(channel, guild.me))
        if missing:
            labels = ", ".join(permission_label(p) for p in missing)
            await reply_privately(
                interaction,
                self.texts(
                    "setup.channel_set_with_warning",
                    purpose=purpose.value,
                    channel=channel.mention,
                    permissions=labels,
                ),
            )
        else:
            await reply_privately(
                interaction,
                self.texts("setup.channel_set", purpose=purpose.value, channel=channel.mention),
            )

    @app_commands.command(
        name="coordinator-role",
        description="Let a role use coordinator commands (leave empty to clear)",
    )
    @app_commands.describe(role="The coordinators' role; leave empty to clear it")
    async def coordinator_role(
        self, interaction: Interaction, role: discord.Role | None = None
    ) -> None:
        guild = guild_of(interaction)
        if role is not None and role.is_default():
            raise UserFacingError("setup.coordinator_everyone")
        await self.services.setup.set_coordinator_role(guild.id, role.id if role else None)
        if role is None:
            await reply_privately(interaction, self.texts("setup.coordinator_role_cleared"))
        else:
            await reply_privately(
                interaction, self.texts("setup.coordinator_role_set", role=role.mention)
            )

    @app_commands.command(
        name="champion-role", description="The role every champion gets (leave empty to clear)"
    )
    @app_commands.describe(role="Given to everyone who becomes a champion")
    async def champion_role(
        self, interaction: Interaction, role: discord.Role | None = None
    ) -> None:
        guild = guild_of(interaction)
        if role is not None:
            self._check_assignable(guild, role)
        await self.services.setup.set_champion_role(guild.id, role.id if role else None)
        if role is None:
            await reply_privately(interaction, self.texts("setup.champion_role_cleared"))
        else:
            await reply_privately(
                interaction, self.texts("setup.champion_role_set", role=role.mention)
            )

    @app_commands.command(
        name="welcome-post", description="Post the 'Become a Kindness Champion' button"
    )
    async def welcome_post(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        channel = await configured_channel(self.bot, guild, ChannelPurpose.WELCOME)
        if channel is None:
            raise UserFacingError("setup.welcome_channel_missing")
        missing = channel_problems(ChannelPurpose.WELCOME, granted_in(channel, guild.me))
        if missing:
            raise UserFacingError(
                "errors.bot_missing_permissions",
                permissions=", ".join(permission_label(p) for p in missing),
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await channel.send(
            embed=welcome_embed(self.texts), view=persistent_view(self.bot, JOIN_BUTTON_ID)
        )
        await reply_privately(
            interaction, self.texts("setup.welcome_posted", channel=channel.mention)
        )

    # Time

    @app_commands.command(name="timezone", description="Set the timezone for weekly posts")
    @app_commands.describe(name="A city such as London, or a timezone such as Europe/Dublin")
    async def timezone(self, interaction: Interaction, name: str) -> None:
        guild = guild_of(interaction)
        chosen = await self.services.setup.set_timezone(guild.id, name)
        await reply_privately(interaction, self.texts("setup.timezone_set", timezone=chosen))
        await self.services.scheduler.schedule_guild(guild.id)

    @timezone.autocomplete("name")
    async def _timezone_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=n) for n in suggest_timezones(current)]

    @app_commands.command(name="schedule", description="Choose when a weekly job runs")
    @app_commands.describe(job="Which weekly job", day="Day of the week", time="Local time, HH:MM")
    @app_commands.choices(job=_JOBS)
    @app_commands.choices(day=_DAYS)
    async def schedule(self, interaction: Interaction, job: str, day: int, time: str) -> None:
        guild = guild_of(interaction)
        job = ScheduledJob(job)
        when = await self.services.setup.set_schedule(guild.id, job, day, time)
        await reply_privately(
            interaction, self.texts("setup.schedule_set", job=job.value, when=when.describe())
        )
        await self.services.scheduler.schedule_guild(guild.id)

    # Groups

    @group.command(name="add", description="Add a group (a sector champions come from)")
    @app_commands.describe(
        name="Up to 50 characters",
        emoji="An emoji shown with the name",
        role="A role to give its members",
    )
    async def group_add(
        self,
        interaction: Interaction,
        name: str,
        emoji: str | None = None,
        role: discord.Role | None = None,
    ) -> None:
        guild = guild_of(interaction)
        if role is not None:
            self._check_assignable(guild, role)
        group = await self.services.setup.add_group(
            guild.id, name, emoji, role.id if role else None
        )
        await reply_privately(interaction, self.texts("setup.group_added", group=group.label))

    @group.command(name="rename", description="Rename a group")
    @app_commands.autocomplete(group=group_choices)
    @app_commands.describe(group="The group to rename", new_name="Its new name")
    async def group_rename(self, interaction: Interaction, group: str, new_name: str) -> None:
        guild = guild_of(interaction)
        old, new = await self.services.setup.rename_group(guild.id, group, new_name)
        await reply_privately(interaction, self.texts("setup.group_renamed", old=old.name, new=new))

    @group.command(name="remove", description="Remove a group")
    @app_commands.autocomplete(group=group_choices)
    @app_commands.describe(group="The group to remove")
    async def group_remove(self, interaction: Interaction, group: str) -> None:
        guild = guild_of(interaction)
        found = await self.services.setup.find_group(guild.id, group)
        affected = await self.services.champions.active_in_group(guild.id, found.group_id)
        if not affected:
            removed = await self.services.setup.remove_group(guild.id, group)
            await reply_privately(
                interaction, self.texts("setup.group_removed", group=removed.label)
            )
            return
        groups = await self.services.setup.groups(guild.id)
        if len(groups) <= MIN_GROUPS:
            raise UserFacingError("setup.group_last_ones", minimum=MIN_GROUPS)
        others = [g for g in groups if g.group_id != found.group_id]
        view = RemoveGroupView(self.bot, owner_id=interaction.user.id, group=found, others=others)
        await interaction.response.send_message(
            self.texts("setup.group_remove_question", count=len(affected), group=found.label),
            view=view,
            ephemeral=True,
        )

    @group.command(name="list", description="List the groups")
    async def group_list(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        groups = await self.services.setup.groups(guild.id)
        lines = [f"{g.label}" + (f" · <@&{g.role_id}>" if g.role_id else "") for g in groups]
        embed = discord.Embed(
            title=self.texts("setup.groups_title"),
            description=join_lines(lines, self.texts) or "—",
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # Guided set-up and greeting clean-up (cogs/setup/_wizard.py, cogs/setup/_greetings.py)

    @app_commands.command(name="start", description="A guided set-up, one confirmed step at a time")
    async def start(self, interaction: Interaction) -> None:
        await start_wizard(self.bot, interaction)

    @app_commands.command(
        name="greeting-cleanup", description="Remove newcomers' welcome greetings after some days"
    )
    @app_commands.describe(days="Days to keep each greeting; 0 keeps them")
    async def greeting_cleanup(
        self, interaction: Interaction, days: app_commands.Range[int, 0, 365]
    ) -> None:
        guild = guild_of(interaction)
        await self.services.setup.ensure_guild(guild.id)
        chosen = await self.services.greetings.set_cleanup_days(guild.id, days)
        key = "wizard.greeting_keep" if chosen == 0 else "wizard.greeting_days_set"
        await reply_privately(interaction, self.texts(key, days=chosen))

    # Overview

    @app_commands.command(name="show", description="Show the settings and any problems")
    async def show(self, interaction: Interaction) -> None:
        guild = guild_of(interaction)
        await self.services.setup.ensure_guild(guild.id)
        config = await self.services.setup.config(guild.id)
        assert config is not None  # ensure_guild just made sure of it
        groups = await self.services.setup.groups(guild.id)
        schedules = await self.services.setup.schedules(guild.id)
        champion_role = await self.services.setup.champion_role(guild.id)
        problems = find_problems(guild, config, groups, champion_role, self.texts)
        embed = discord.Embed(title=self.texts("setup.show_title"), colour=discord.Colour.green())
        channels = "\n".join(
            f"**{p.value}**: " + (f"<#{config.channel(p)}>" if config.channel(p) else "—")
            for p in ChannelPurpose
        )
        embed.add_field(name=self.texts("setup.show_channels"), value=channels, inline=False)
        role = f"<@&{config.coordinator_role_id}>" if config.coordinator_role_id else "—"
        embed.add_field(name=self.texts("setup.show_coordinators"), value=role, inline=True)
        champions = f"<@&{champion_role}>" if champion_role else "—"
        embed.add_field(name=self.texts("setup.show_champion_role"), value=champions, inline=True)
        embed.add_field(name=self.texts("setup.show_timezone"), value=config.timezone, inline=True)
        embed.add_field(
            name=self.texts("setup.show_schedule"),
            value="\n".join(
                f"**{job.value}**: {when.describe()}" for job, when in schedules.items()
            ),
            inline=False,
        )
        add_list_fields(
            embed,
            self.texts("setup.show_groups", count=len(groups)),
            [g.label for g in groups],
            self.texts,
        )
        add_list_fields(
            embed,
            self.texts("setup.show_problems", count=len(problems)),
            [f"⚠️ {p}" for p in problems],
            self.texts,
            empty=self.texts("setup.show_no_problems"),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    def _check_assignable(self, guild: discord.Guild, role: discord.Role) -> None:
        key = role_problem(
            is_default=role.is_default(),
            is_managed=role.managed,
            position=role.position,
            bot_top_position=guild.me.top_role.position,
        )
        if key is not None:
            raise UserFacingError(key, role=role.mention)
