"""Announcing a programme's round: a private thread per meeting, DMs when that fails.

Each thread is recorded as soon as it exists, and every post is a delivery step of the
round's job, so a restart carries on without a second thread or a second message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Final, Literal

import discord

from bot.scheduler import DeliveryRefused, JobContext
from bot.services.programmes import Programme, ProgrammeFormat
from cogs.programmes._times import find_time_view
from cogs.shared.display import shorten
from cogs.shared.notices import tell_coordinators

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080  # a week
_NO_PINGS = discord.AllowedMentions.none()


class ProgrammeAnnouncer:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.programme_texts
        self.pace = bot.rest_pacer.wait

    def channel_of(self, programme: Programme) -> discord.TextChannel | None:
        guild = self.bot.get_guild(programme.guild_id)
        channel_id = programme.settings.channel_id
        channel = guild.get_channel(channel_id) if guild and channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def post_in_channel(
        self, programme: Programme, text: str, nonce: str | None = None
    ) -> int | None:
        """Post a notice in the programme's channel; None when there is no usable channel."""
        channel = self.channel_of(programme)
        if channel is None:
            return None
        try:
            await self.pace()
            if nonce is None:
                message = await channel.send(text, allowed_mentions=_NO_PINGS)
            else:
                message = await channel.send(text, allowed_mentions=_NO_PINGS, nonce=nonce)
        except discord.Forbidden as exc:
            raise DeliveryRefused(str(exc)) from None
        return message.id

    async def intro_text(
        self, programme: Programme, meeting_id: int, user_ids: Sequence[int]
    ) -> str:
        people = ", ".join(f"<@{u}>" for u in user_ids)
        lines = [self.texts("programmes.intro", name=programme.name, people=people)]
        if programme.settings.format is ProgrammeFormat.IN_PERSON:
            region = await self.region_of(programme.guild_id, user_ids)
            if region:
                lines.append(self.texts("programmes.intro_region", region=region))
            place = self.services.programmes.place_for(programme.guild_id, meeting_id)
            if place is not None:
                lines.append(self.texts("programmes.place_suggestion", suggestion=place.suggestion))
        lines.append(self.texts("programmes.intro_find_time"))
        return "\n".join(lines)

    async def region_of(self, guild_id: int, user_ids: Sequence[int]) -> str | None:
        """The label of the meeting's region (in person, everyone shares one)."""
        for user_id in user_ids:
            champion = await self.services.onboarding.champion(guild_id, user_id)
            region_id = champion.profile.region_id if champion else None
            if region_id:
                return self.region_label(region_id)
        return None

    def region_label(self, region_id: str) -> str:
        labels = {r.id: r.label for r in self.services.content.regions}
        return labels.get(region_id, region_id)

    async def thread_for(
        self, guild: discord.Guild, programme: Programme, meeting_id: int, user_ids: Sequence[int]
    ) -> discord.Thread | None:
        channel = self.channel_of(programme)
        if channel is None:
            return None
        names = []
        for user_id in user_ids:
            member = guild.get_member(user_id)
            names.append(member.display_name if member else "?")
        title = shorten(
            self.texts("programmes.thread_name", name=programme.name, people=" & ".join(names)),
            100,
        )
        # A thread made just before a restart, whose id was never saved, is found again
        # by its name, so the meeting never gets a second thread.
        for existing in channel.threads:
            if existing.name == title and existing.owner_id == guild.me.id:
                await self.services.coffee.record_thread(meeting_id, existing.id)
                return existing
        try:
            await self.pace()
            thread = await channel.create_thread(
                name=title,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                reason="kindbot programme round",
            )
        except discord.HTTPException as exc:
            log.warning("No thread for meeting %s in guild %s: %s", meeting_id, guild.id, exc)
            return None
        await self.services.coffee.record_thread(meeting_id, thread.id)
        return thread

    async def add_members(
        self, guild: discord.Guild, thread: discord.Thread, meeting_id: int, user_ids: Sequence[int]
    ) -> None:
        for user_id in user_ids:
            if guild.get_member(user_id) is None:
                continue
            try:
                await self.pace()
                await thread.add_user(discord.Object(id=user_id))
            except discord.HTTPException as exc:
                log.warning("Could not add %s to thread %s: %s", user_id, thread.id, exc)
                continue
            await self.services.coffee.record_reached(meeting_id, user_id, "thread")

    async def existing_thread(
        self, guild: discord.Guild, thread_id: int | None
    ) -> discord.Thread | None:
        if thread_id is None:
            return None
        found = guild.get_thread(thread_id)
        if found is None:
            try:
                fetched = await guild.fetch_channel(thread_id)
            except discord.HTTPException:
                return None
            found = fetched if isinstance(fetched, discord.Thread) else None
        return found

    async def announce(
        self, ctx: JobContext, guild: discord.Guild, programme: Programme, round_id: int
    ) -> int:
        """Announce every meeting of the round not announced yet; returns how many."""
        count = 0
        for meeting in await self.services.coffee.meetings(round_id):
            if meeting.announced:
                continue
            users = meeting.user_ids
            thread = await self.existing_thread(guild, meeting.thread_id)
            if thread is None:
                thread = await self.thread_for(guild, programme, meeting.meeting_id, users)
            text = await self.intro_text(programme, meeting.meeting_id, users)
            view = find_time_view(meeting.meeting_id, self.texts("programmes.find_time_button"))
            if thread is not None:
                await self.add_members(guild, thread, meeting.meeting_id, users)
                await ctx.deliver(
                    f"intro:{meeting.meeting_id}",
                    partial(self._send_intro, thread, text, view),
                    target_id=thread.id,
                )
            else:
                for user_id in users:
                    await self.dm(
                        ctx, guild, f"dm-intro:{meeting.meeting_id}:{user_id}", user_id, text, view
                    )
            await self.services.coffee.mark_announced(meeting.meeting_id)
            count += 1
        return count

    async def _send_intro(
        self, thread: discord.Thread, text: str, view: discord.ui.View, nonce: str
    ) -> int:
        await self.pace()
        sent = await thread.send(text, view=view, allowed_mentions=_NO_PINGS, nonce=nonce)
        return sent.id

    async def send_in(self, thread: discord.Thread, text: str, nonce: str) -> int:
        await self.pace()
        sent = await thread.send(text, allowed_mentions=_NO_PINGS, nonce=nonce)
        return sent.id

    async def announce_one(
        self, programme: Programme, meeting_id: int, user_ids: Sequence[int]
    ) -> None:
        """A meeting a coordinator made (an introduction or a late joiner's place)."""
        guild = self.bot.get_guild(programme.guild_id)
        if guild is None:
            return
        text = await self.intro_text(programme, meeting_id, user_ids)
        view = find_time_view(meeting_id, self.texts("programmes.find_time_button"))
        known = await self.services.programmes.meeting_thread(guild.id, meeting_id)
        thread = await self.existing_thread(guild, known)  # joining a group with a thread
        if thread is None:
            thread = await self.thread_for(guild, programme, meeting_id, user_ids)
        if thread is not None:
            await self.add_members(guild, thread, meeting_id, user_ids)
            await self.pace()
            await thread.send(text, view=view, allowed_mentions=_NO_PINGS)
        else:
            for user_id in user_ids:
                member = guild.get_member(user_id)
                if member is None:
                    continue
                try:
                    await self.pace()
                    await member.send(text, view=view, allowed_mentions=_NO_PINGS)
                except discord.Forbidden:
                    log.info("Introduction DM to %s refused", user_id)
        await self.services.coffee.mark_announced(meeting_id)

    async def dm(
        self,
        ctx: JobContext,
        guild: discord.Guild,
        step: str,
        user_id: int,
        text: str,
        view: discord.ui.View | None = None,
    ) -> bool:
        member = guild.get_member(user_id)
        if member is None:
            return False

        async def send(nonce: str) -> int:
            try:
                await self.pace()
                if view is None:
                    sent = await member.send(text, allowed_mentions=_NO_PINGS, nonce=nonce)
                else:
                    sent = await member.send(
                        text, view=view, allowed_mentions=_NO_PINGS, nonce=nonce
                    )
            except discord.Forbidden as exc:
                raise DeliveryRefused(str(exc)) from None
            return sent.id

        return (await ctx.deliver(step, send, target_id=user_id)).reached

    async def tell_log(self, ctx: JobContext, guild: discord.Guild, step: str, text: str) -> None:
        async def send(nonce: str) -> None:
            await tell_coordinators(self.bot, guild, text)

        await ctx.deliver(step, send)
