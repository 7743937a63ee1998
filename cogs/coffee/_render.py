"""Embeds for coffee introductions, check-ins, history and statistics."""

from __future__ import annotations

import discord

from bot.models import Group
from bot.services.coffee import MeetingRecord, RoundRecord
from bot.services.content import ContentLibrary
from bot.text import Messages
from cogs.shared.display import safe_text

COFFEE_BROWN = discord.Colour.from_rgb(166, 123, 91)


def intro_embed(
    meeting: MeetingRecord,
    round_: RoundRecord,
    groups: dict[int, Group],
    intros: dict[int, str | None],
    content: ContentLibrary,
    texts: Messages,
) -> discord.Embed:
    embed = discord.Embed(
        title=texts("coffee.intro_title"),
        description=texts("coffee.intro_body"),
        colour=COFFEE_BROWN,
    )
    for member in meeting.members:
        if member.user_id is None:
            continue
        group = groups.get(member.group_id) if member.group_id else None
        intro = safe_text(intros.get(member.user_id), 300) or texts("coffee.no_intro")
        embed.add_field(
            name=group.label if group else texts("coffee.no_group"),
            value=f"<@{member.user_id}>\n{intro}",
            inline=True,
        )
    if round_.condition_number and round_.starter:
        condition = content.condition(round_.condition_number)
        embed.add_field(
            name=texts("coffee.starter_title", number=condition.number, title=condition.title),
            value=round_.starter,
            inline=False,
        )
    embed.set_footer(text=texts("coffee.intro_footer"))
    return embed


def mentions(meeting: MeetingRecord) -> str:
    return " ".join(f"<@{uid}>" for uid in meeting.user_ids)
