"""Choices, autocomplete and checks shared by the programme commands."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import permission_label
from bot.interaction import Interaction, reply_privately
from bot.services.programmes import ProgrammeError
from cogs.shared.guild import guild_of

if TYPE_CHECKING:
    from bot.services.programmes import Programme

#: rhythm choice value -> (kind, every_weeks)
RHYTHMS: dict[str, tuple[str, int]] = {
    "weekly": ("weekly", 1),
    "every-2-weeks": ("weekly", 2),
    "every-3-weeks": ("weekly", 3),
    "every-4-weeks": ("weekly", 4),
    "monthly": ("monthly", 1),
}
RHYTHM_CHOICES = [
    app_commands.Choice(name="every week", value="weekly"),
    app_commands.Choice(name="every 2 weeks", value="every-2-weeks"),
    app_commands.Choice(name="every 3 weeks", value="every-3-weeks"),
    app_commands.Choice(name="every 4 weeks", value="every-4-weeks"),
    app_commands.Choice(name="once a month (choose which week)", value="monthly"),
]
WEEK_CHOICES = [
    app_commands.Choice(name="first", value=1),
    app_commands.Choice(name="second", value=2),
    app_commands.Choice(name="third", value=3),
    app_commands.Choice(name="fourth", value=4),
    app_commands.Choice(name="last", value=-1),
]
DAY_CHOICES = [
    app_commands.Choice(name=day, value=index)
    for index, day in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
]
FORMAT_CHOICES = [
    app_commands.Choice(name="online", value="online"),
    app_commands.Choice(name="in person", value="in_person"),
]
#: What kindbot needs in a programme's channel to open a private thread per meeting.
THREAD_NEEDS = (
    "view_channel",
    "send_messages",
    "create_private_threads",
    "send_messages_in_threads",
)


def missing_thread_permissions(channel: discord.TextChannel, me: discord.Member) -> list[str]:
    granted = channel.permissions_for(me)
    return [permission_label(name) for name in THREAD_NEEDS if not getattr(granted, name)]


async def programme_names(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: this server's programmes whose names contain what was typed."""
    if interaction.guild is None:
        return []
    typed = current.casefold()
    found = await interaction.client.services.programmes.programmes(interaction.guild.id)
    return [
        app_commands.Choice(name=p.name, value=p.name) for p in found if typed in p.name.casefold()
    ][:25]


async def answer(
    interaction: Interaction, action: Callable[[], Awaitable[str]], *, posts: bool = False
) -> None:
    """Run ``action`` and reply privately with its text, or with the problem it found.

    An action that ``posts`` (a notice, a thread, an intro) may wait on Discord, and on
    a retry when an answer is lost, so the interaction is acknowledged first.
    """
    texts = interaction.client.services.programme_texts
    if posts and not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)
    try:
        text = await action()
    except ProgrammeError as problem:
        text = texts(problem.key, **problem.params)
    await reply_privately(interaction, text)


async def find(interaction: Interaction, name: str) -> Programme:
    return await interaction.client.services.programmes.find(guild_of(interaction).id, name)
