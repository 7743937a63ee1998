"""Announcing a stored round: one private thread per meeting, DMs when that fails.

Every step is recorded as it happens (the thread id, then the intro), so a
restart mid-announcement carries on without a second thread or a second intro.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Final, Literal

import discord

from bot.models import ChannelPurpose, WeeklyTime
from bot.scheduler import JobContext
from bot.services.coffee import MeetingRecord, RoundRecord
from cogs.coffee._checkin import SkipView, checkin_view
from cogs.coffee._render import intro_embed, mentions
from cogs.shared.channels import configured_channel
from cogs.shared.display import shorten
from cogs.shared.notices import tell_coordinators

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080  # a week


class Announcer:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts
        self.pace = bot.rest_pacer.wait

    async def coffee_channel(self, guild: discord.Guild) -> discord.TextChannel | None:
        return await configured_channel(self.bot, guild, ChannelPurpose.COFFEE)

    async def announce(self, ctx: JobContext, guild: discord.Guild, round_: RoundRecord) -> int:
        """Announce every meeting not yet announced; returns how many were announced now."""
        coffee = self.services.coffee
        channel = await self.coffee_channel(guild)
        groups = await coffee.groups(guild.id)
        count = 0
        for meeting in await coffee.meetings(round_.round_id):
            if meeting.announced:
                continue
            intros = {}
            for user_id in meeting.user_ids:
                champion = await self.services.onboarding.champion(guild.id, user_id)
                intros[user_id] = champion.profile.intro if champion else None
            embed = intro_embed(meeting, round_, groups, intros, self.services.content, self.texts)
            thread = (
                await self._thread_for(guild, channel, meeting, round_.period_key)
                if channel
                else None
            )
            if thread is not None:
                await ctx.step(
                    f"intro:{meeting.meeting_id}", partial(self._post_intro, thread, meeting, embed)
                )
            else:
                await ctx.step(
                    f"dm-intro:{meeting.meeting_id}", partial(self._dm_intro, guild, meeting, embed)
                )
            await coffee.mark_announced(meeting.meeting_id)
            count += 1
        return count

    async def _thread_for(
        self,
        guild: discord.Guild,
        channel: discord.TextChannel,
        meeting: MeetingRecord,
        week: str,
    ) -> discord.Thread | None:
        if meeting.thread_id is not None:
            existing = guild.get_thread(meeting.thread_id)
            if existing is None:
                try:
                    fetched = await guild.fetch_channel(meeting.thread_id)
                except discord.HTTPException:
                    fetched = None
                existing = fetched if isinstance(fetched, discord.Thread) else None
            if existing is not None:
                await self._add_members(guild, existing, meeting)
                return existing
        names = []
        for uid in meeting.user_ids:
            member = guild.get_member(uid)
            names.append(member.display_name if member else self.texts("coffee.no_group"))
        title = shorten(self.texts("coffee.thread_name", names=" & ".join(names), week=week), 100)
        # A thread made just before a crash, whose id was never saved, is found again by
        # its name, so a restart never opens a second thread for the same meeting.
        me = guild.me.id
        for thread in channel.threads:
            if thread.name == title and thread.owner_id == me:
                await self.services.coffee.record_thread(meeting.meeting_id, thread.id)
                await self._add_members(guild, thread, meeting)
                return thread
        try:
            await self.pace()
            thread = await channel.create_thread(
                name=title,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                reason="kindbot coffee roulette",
            )
        except discord.HTTPException as exc:
            log.warning(
                "No thread for meeting %s in guild %s: %s", meeting.meeting_id, guild.id, exc
            )
            return None
        await self.services.coffee.record_thread(meeting.meeting_id, thread.id)
        await self._add_members(guild, thread, meeting)
        return thread

    async def _add_members(
        self, guild: discord.Guild, thread: discord.Thread, meeting: MeetingRecord
    ) -> None:
        for user_id in meeting.user_ids:
            if guild.get_member(user_id) is None:
                continue
            try:
                await self.pace()
                await thread.add_user(discord.Object(id=user_id))
            except discord.HTTPException as exc:
                log.warning("Could not add %s to thread %s: %s", user_id, thread.id, exc)
                continue
            await self.services.coffee.record_reached(meeting.meeting_id, user_id, "thread")

    async def _post_intro(
        self, thread: discord.Thread, meeting: MeetingRecord, embed: discord.Embed
    ) -> int:
        await self.pace()
        message = await thread.send(
            content=mentions(meeting),
            embed=embed,
            allowed_mentions=discord.AllowedMentions(
                users=[discord.Object(id=u) for u in meeting.user_ids], everyone=False, roles=False
            ),
        )
        return message.id

    async def _dm_intro(
        self, guild: discord.Guild, meeting: MeetingRecord, embed: discord.Embed
    ) -> None:
        unreachable: list[int] = []
        for user_id in meeting.user_ids:
            member = guild.get_member(user_id)
            if member is None:
                continue
            try:
                await self.pace()
                await member.send(
                    content=self.texts("coffee.dm_intro", guild=guild.name), embed=embed
                )
            except discord.Forbidden:
                unreachable.append(user_id)
                await self.services.coffee.record_reached(
                    meeting.meeting_id, user_id, "unreachable"
                )
                continue
            await self.services.coffee.record_reached(meeting.meeting_id, user_id, "dm")
        if unreachable:
            await tell_coordinators(
                self.bot,
                guild,
                self.texts(
                    "coffee.unreachable_log",
                    members=", ".join(f"<@{u}>" for u in unreachable),
                    meeting=mentions(meeting),
                ),
            )

    async def post_checkin(self, guild: discord.Guild, meeting: MeetingRecord) -> None:
        view = checkin_view(meeting.meeting_id, self.bot)
        text = self.texts("coffee.checkin_question")
        thread = guild.get_thread(meeting.thread_id) if meeting.thread_id else None
        if thread is None and meeting.thread_id is not None:
            try:
                fetched = await guild.fetch_channel(meeting.thread_id)
                thread = fetched if isinstance(fetched, discord.Thread) else None
            except discord.HTTPException:
                thread = None
        if thread is not None:
            await thread.send(
                content=f"{mentions(meeting)} {text}",
                view=view,
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(id=u) for u in meeting.user_ids]
                ),
            )
            return
        for user_id in meeting.user_ids:
            member = guild.get_member(user_id)
            if member is None:
                continue
            try:
                await member.send(content=text, view=view)
            except discord.Forbidden:
                log.info("Check-in DM to %s refused", user_id)

    async def post_headsup(self, channel: discord.TextChannel, pairing: WeeklyTime) -> int:
        message = await channel.send(
            content=self.texts("coffee.headsup", when=pairing.describe()), view=SkipView(self.bot)
        )
        return message.id

    async def tell_paused(self, guild: discord.Guild, user_id: int) -> None:
        member = guild.get_member(user_id)
        if member is None:
            return
        try:
            await member.send(self.texts("coffee.auto_paused_dm", guild=guild.name))
        except discord.Forbidden:
            await tell_coordinators(
                self.bot, guild, self.texts("coffee.auto_paused_log", member=member.mention)
            )
