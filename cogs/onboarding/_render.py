"""Embeds for the onboarding form, the review step and a champion's profile."""

from __future__ import annotations

import discord

from bot.models import Group, Profile
from bot.services.content import ContentLibrary
from bot.text import Messages
from cogs.shared.display import safe_text

KIND_GREEN = discord.Colour.from_rgb(76, 175, 125)


def _yes_no(texts: Messages, value: bool) -> str:
    return texts("profile.yes") if value else texts("profile.no")


def profile_fields(
    embed: discord.Embed,
    profile: Profile,
    group: Group | None,
    content: ContentLibrary,
    texts: Messages,
    *,
    pulse_on: bool | None = None,
) -> discord.Embed:
    """The profile's fields; ``pulse_on`` (when known) adds the "help us learn what
    works" consent beside the coffee and naming consents."""
    region = content.region(profile.region_id) if profile.region_id else None
    where = region.label if region else texts("profile.not_chosen")
    if region and region.needs_timezone and profile.timezone:
        where += f" ({profile.timezone})"
    interests = [content.interest(i) for i in sorted(profile.interests)]
    labels = ", ".join(i.label for i in interests if i is not None)
    embed.add_field(
        name=texts("profile.group"),
        value=group.label if group else texts("profile.not_chosen"),
        inline=True,
    )
    embed.add_field(name=texts("profile.where"), value=where, inline=True)
    embed.add_field(
        name=texts("profile.interests"), value=labels or texts("profile.none"), inline=False
    )
    embed.add_field(
        name=texts("profile.intro"),
        value=safe_text(profile.intro, 300) or texts("profile.none"),
        inline=False,
    )
    embed.add_field(
        name=texts("profile.coffee"), value=_yes_no(texts, profile.coffee_opt_in), inline=True
    )
    embed.add_field(
        name=texts("profile.digest_name"), value=_yes_no(texts, profile.digest_name_ok), inline=True
    )
    if pulse_on is not None:
        embed.add_field(
            name=texts("profile.pulse"),
            value=texts("profile.on") if pulse_on else texts("profile.off"),
            inline=True,
        )
    return embed


def form_embed(
    profile: Profile, group: Group | None, content: ContentLibrary, texts: Messages
) -> discord.Embed:
    embed = discord.Embed(
        title=texts("onboarding.form_title"),
        description=texts("onboarding.form_intro"),
        colour=KIND_GREEN,
    )
    return profile_fields(embed, profile, group, content, texts)


def review_embed(
    profile: Profile, group: Group | None, content: ContentLibrary, texts: Messages
) -> discord.Embed:
    embed = discord.Embed(
        title=texts("onboarding.review_title"),
        description=texts("onboarding.review_intro"),
        colour=KIND_GREEN,
    )
    return profile_fields(embed, profile, group, content, texts)


def profile_embed(
    name: str,
    profile: Profile,
    group: Group | None,
    content: ContentLibrary,
    texts: Messages,
    *,
    title_key: str = "profile.title",
    pulse_on: bool | None = None,
) -> discord.Embed:
    embed = discord.Embed(title=texts(title_key, name=safe_text(name, 100)), colour=KIND_GREEN)
    return profile_fields(embed, profile, group, content, texts, pulse_on=pulse_on)
