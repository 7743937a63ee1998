"""The weekly digest as an embed: warm, short, and safe to show to everyone."""

from __future__ import annotations

import discord

from bot.services.digest import Digest, Highlight
from bot.text import Messages
from cogs.shared.display import safe_text

DIGEST_TEAL = discord.Colour.from_rgb(64, 170, 160)
_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    top = max(values, default=0)
    if top == 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[round(v / top * (len(_BARS) - 1))] for v in values)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def credit(highlight: Highlight, guild: discord.Guild, texts: Messages) -> str:
    """The author's name only with their consent; otherwise their group."""
    if highlight.author_id is not None:
        member = guild.get_member(highlight.author_id)
        if member is not None:
            return safe_text(member.display_name, 60)
    if highlight.group_name:
        return texts("digest.from_group", group=safe_text(highlight.group_name, 60))
    return texts("digest.a_champion")


def digest_embed(digest: Digest, guild: discord.Guild, texts: Messages) -> discord.Embed:
    embed = discord.Embed(
        title=texts("digest.title", week=digest.period_key),
        description=texts("digest.quiet") if digest.quiet else texts("digest.intro"),
        colour=DIGEST_TEAL,
    )
    trend = [w.count for w in digest.trend]
    embed.add_field(
        name=texts("digest.acts_heading"),
        value=texts("digest.acts", count=digest.acts, trend=sparkline(trend)),
        inline=False,
    )
    practised = [c for c in digest.conditions if c.count and c.number is not None]
    if practised:
        embed.add_field(
            name=texts("digest.conditions_heading"),
            value="\n".join(f"{c.number}. {c.title}: **{c.count}**" for c in practised)[:1024],
            inline=False,
        )
    coffee = digest.coffee
    embed.add_field(
        name=texts("digest.coffee_heading"),
        value=texts(
            "digest.coffee",
            meetings=coffee.meetings,
            cross=percent(coffee.cross_group_share),
            met=percent(coffee.met_share),
        ),
        inline=False,
    )
    if digest.new_champions_total:
        groups = ", ".join(
            f"{safe_text(g.name or texts('digest.no_group'), 40)} {g.count}"
            for g in digest.new_champions
            if g.count
        )
        embed.add_field(
            name=texts("digest.new_heading"),
            value=texts("digest.new", count=digest.new_champions_total, groups=groups)[:1024],
            inline=False,
        )
    embed.add_field(
        name=texts("digest.reflections_heading"),
        value=texts("digest.reflections", count=digest.reflections_shareable),
        inline=False,
    )
    if digest.highlights:
        lines = [
            f"💚 “{safe_text(h.text, 200)}” · _{credit(h, guild, texts)}_"
            for h in digest.highlights
        ]
        embed.add_field(
            name=texts("digest.highlights_heading"), value="\n".join(lines)[:1024], inline=False
        )
    nxt = digest.next_condition
    embed.add_field(
        name=texts("digest.next_heading"),
        value=texts("digest.next", number=nxt.number, title=nxt.title),
        inline=False,
    )
    embed.set_image(url="attachment://kindness-week.png")
    return embed
