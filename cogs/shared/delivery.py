"""Posting and DMing from scheduled jobs so that each message exists once.

Every send goes through :meth:`JobContext.deliver` with the step's nonce. When a
step is found pending (the bot was killed, or Discord's answer was lost), ``find``
reads the recent history of the channel, thread or DM for the bot's own message
with that nonce, or with the step's :class:`Marker` (what the step posts), which
still works after Discord's nonce window has passed.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.models import ChannelPurpose
from bot.scheduler import Delivered, DeliveryRefused, JobContext
from cogs.shared.channels import configured_channel

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)

#: How far before the step began the history is read (clocks differ a little).
FIND_MARGIN = timedelta(minutes=2)
#: How many messages of recent history are read.
FIND_LIMIT = 50

Target = discord.abc.Messageable


@dataclass(frozen=True)
class Marker:
    """What a step posts, to recognise it in history; every field given must match."""

    content: str | None = None
    title: str | None = None
    description: str | None = None
    custom_id: str | None = None

    @classmethod
    def of(cls, content: str | None = None, embed: discord.Embed | None = None) -> Marker:
        return cls(
            content=content or "",
            title=None if embed is None else embed.title or "",
            description=None if embed is None else embed.description or "",
        )

    def matches(self, message: discord.Message) -> bool:
        if self.content is not None and (message.content or "") != self.content:
            return False
        if self.title is not None or self.description is not None:
            if not message.embeds:
                return False
            first = message.embeds[0]
            if self.title is not None and (first.title or "") != self.title:
                return False
            if self.description is not None and (first.description or "") != self.description:
                return False
        return self.custom_id is None or self.custom_id in _custom_ids(message)


def _custom_ids(message: discord.Message) -> set[str]:
    found: set[str] = set()
    for row in message.components:
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None)
            if custom_id:
                found.add(custom_id)
    return found


async def find_own_message(
    target: Target, me_id: int, nonce: str, since: datetime, marker: Marker
) -> int | None:
    """The id of the bot's message with ``nonce`` or ``marker`` sent since ``since``."""
    after: datetime | None = since - FIND_MARGIN
    if after is not None and after > discord.utils.utcnow():
        after = None  # the bot's clock runs ahead of Discord's: read the latest instead
    try:
        async for message in target.history(limit=FIND_LIMIT, after=after):
            if message.author.id != me_id:
                continue
            if str(message.nonce or "") == nonce or marker.matches(message):
                return message.id
    except discord.HTTPException as exc:
        log.warning("Could not read history to look for an earlier message: %s", exc)
    return None


async def post_once(
    ctx: JobContext,
    step: str,
    target: Target,
    *,
    me_id: int,
    target_id: int | None,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    files: Sequence[tuple[str, bytes]] = (),
    allowed_mentions: discord.AllowedMentions | None = None,
    marker: Marker | None = None,
) -> Delivered:
    """Send one message as the delivery step ``step`` (see the module docstring)."""
    wanted = marker or Marker.of(content, embed)
    mentions = allowed_mentions or discord.AllowedMentions.none()

    async def send(nonce: str) -> int | None:
        kwargs: dict[str, Any] = {"nonce": nonce, "allowed_mentions": mentions}
        if content is not None:
            kwargs["content"] = content
        if embed is not None:
            kwargs["embed"] = embed
        if view is not None:
            kwargs["view"] = view
        if files:
            kwargs["files"] = [discord.File(io.BytesIO(d), filename=name) for name, d in files]
        try:
            message = await target.send(**kwargs)
        except (discord.Forbidden, discord.NotFound) as exc:
            raise DeliveryRefused(f"{exc.status} {exc.code}: {exc.text}") from exc
        return message.id

    async def find(nonce: str, since: datetime) -> int | None:
        return await find_own_message(target, me_id, nonce, since, wanted)

    return await ctx.deliver(step, send, target_id=target_id, find=find)


async def note_once(
    bot: KindBot, ctx: JobContext, guild: discord.Guild, key: str, text: str
) -> bool:
    """Tell the coordinators' log once per job period (the note is its own delivery step)."""
    channel = await configured_channel(bot, guild, ChannelPurpose.LOG)
    if channel is None:
        log.warning("No usable log channel in guild %s for: %s", guild.id, text)
        return False
    me = guild.me.id
    try:
        done = await post_once(
            ctx, f"note:{key}", channel, me_id=me, target_id=channel.id, content=text
        )
    except discord.HTTPException as exc:
        log.warning("Could not post in the log channel of guild %s: %s", guild.id, exc)
        return False
    return done.reached
