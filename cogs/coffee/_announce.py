"""Announcing a stored round: one private thread per meeting, DMs when that fails.

Every side effect is a delivery step (see :mod:`cogs.shared.delivery`): the thread,
the intro, each member's DM, each note to the coordinators. A restart, or an answer
Discord never sent back, carries on without a second thread, intro or DM.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Final, Literal

import discord

from bot.models import ChannelPurpose, Group, WeeklyTime
from bot.scheduler import Delivery, DeliveryRefused, JobContext
from bot.services.coffee import MeetingRecord, RoundRecord
from cogs.coffee._checkin import SkipView, checkin_view
from cogs.coffee._render import intro_embed, mentions
from cogs.shared.channels import configured_channel
from cogs.shared.delivery import Marker, note_once, post_once
from cogs.shared.display import shorten
from cogs.shared.threads import own_thread_named, thread_by_id

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080  # a week

#: Told after each meeting is announced: (announced so far, meetings in the round).
Progress = Callable[[int, int], Awaitable[None]]


@dataclass
class _Trouble:
    """What coordinators must hear about once the round is announced."""

    no_channel: bool = False
    no_thread_permission: bool = False
    left: list[tuple[int, int]] = field(default_factory=list)  # (who left, partner alone)


class Announcer:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.texts
        self.pace = bot.rest_pacer.wait

    async def coffee_channel(self, guild: discord.Guild) -> discord.TextChannel | None:
        return await configured_channel(self.bot, guild, ChannelPurpose.COFFEE)

    async def announce(
        self,
        ctx: JobContext,
        guild: discord.Guild,
        round_: RoundRecord,
        progress: Progress | None = None,
    ) -> int:
        """Announce every meeting not yet announced; returns how many were announced now."""
        coffee = self.services.coffee
        channel = await self.coffee_channel(guild)
        trouble = _Trouble(no_channel=channel is None)
        groups = await coffee.groups(guild.id)
        meetings = await coffee.meetings(round_.round_id)
        done = sum(1 for m in meetings if m.announced)
        count = 0
        for meeting in meetings:
            if meeting.announced:
                continue
            present = [u for u in meeting.user_ids if guild.get_member(u) is not None]
            if len(present) == 1 and len(meeting.user_ids) > 1:
                await self._alone(ctx, guild, meeting, present[0], trouble)
            else:
                await self._announce_meeting(ctx, guild, channel, meeting, round_, groups, trouble)
            await coffee.mark_announced(meeting.meeting_id)
            count += 1
            done += 1
            if progress is not None:
                await progress(done, len(meetings))
        await self._tell_trouble(ctx, guild, trouble)
        return count

    async def _announce_meeting(
        self,
        ctx: JobContext,
        guild: discord.Guild,
        channel: discord.TextChannel | None,
        meeting: MeetingRecord,
        round_: RoundRecord,
        groups: dict[int, Group],
        trouble: _Trouble,
    ) -> None:
        intros = {}
        for user_id in meeting.user_ids:
            champion = await self.services.onboarding.champion(guild.id, user_id)
            intros[user_id] = champion.profile.intro if champion else None
        embed = intro_embed(meeting, round_, groups, intros, self.services.content, self.texts)
        thread = (
            await self._thread_for(ctx, guild, channel, meeting, round_.period_key, trouble)
            if channel
            else None
        )
        if thread is not None:
            await post_once(
                ctx,
                f"intro:{meeting.meeting_id}",
                thread,
                me_id=guild.me.id,
                target_id=thread.id,
                content=mentions(meeting),
                embed=embed,
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(id=u) for u in meeting.user_ids],
                    everyone=False,
                    roles=False,
                ),
                marker=Marker(content=mentions(meeting), title=embed.title or ""),
            )
        else:
            await self._dm_intro(ctx, guild, meeting, embed)

    async def _alone(
        self,
        ctx: JobContext,
        guild: discord.Guild,
        meeting: MeetingRecord,
        partner: int,
        trouble: _Trouble,
    ) -> None:
        """A partner left the server after pairing: the one left is told kindly."""
        member = guild.get_member(partner)
        assert member is not None
        for user_id in meeting.user_ids:
            if user_id != partner:
                trouble.left.append((user_id, partner))
        await post_once(
            ctx,
            f"dm:alone:{partner}",
            member,
            me_id=guild.me.id,
            target_id=partner,
            content=self.texts("coffee.partner_left_dm", guild=guild.name),
        )

    async def _tell_trouble(self, ctx: JobContext, guild: discord.Guild, trouble: _Trouble) -> None:
        if trouble.no_channel:
            await note_once(
                self.bot, ctx, guild, "no-coffee-channel", self.texts("coffee.no_channel_log")
            )
        if trouble.no_thread_permission:
            await note_once(
                self.bot, ctx, guild, "no-thread-permission", self.texts("coffee.no_threads_log")
            )
        for gone, partner in trouble.left:
            await note_once(
                self.bot,
                ctx,
                guild,
                f"left:{gone}",
                self.texts("coffee.partner_left_log", member=f"<@{gone}>", partner=f"<@{partner}>"),
            )

    def _thread_name(self, guild: discord.Guild, meeting: MeetingRecord, week: str) -> str:
        names = []
        for uid in meeting.user_ids:
            member = guild.get_member(uid)
            names.append(member.display_name if member else self.texts("coffee.no_group"))
        return shorten(self.texts("coffee.thread_name", names=" & ".join(names), week=week), 100)

    async def _thread_for(
        self,
        ctx: JobContext,
        guild: discord.Guild,
        channel: discord.TextChannel,
        meeting: MeetingRecord,
        week: str,
        trouble: _Trouble,
    ) -> discord.Thread | None:
        if meeting.thread_id is not None:
            existing = await thread_by_id(guild, meeting.thread_id)
            if existing is not None:
                await self._add_members(guild, existing, meeting)
                return existing
        title = self._thread_name(guild, meeting, week)
        made: dict[int, discord.Thread] = {}
        attempts = 0

        async def create(_nonce: str) -> int:
            # Threads take no nonce: before trying again, look for the one made already.
            nonlocal attempts
            attempts += 1
            found = await own_thread_named(guild, channel, title, ask=attempts > 1)
            if found is not None:
                made[found.id] = found
                return found.id
            try:
                await self.pace()
                thread = await channel.create_thread(
                    name=title,
                    type=discord.ChannelType.private_thread,
                    invitable=False,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                    reason="kindbot coffee roulette",
                )
            except (discord.Forbidden, discord.NotFound) as exc:
                raise DeliveryRefused(f"{exc.status} {exc.code}: {exc.text}") from exc
            made[thread.id] = thread
            return thread.id

        async def find(_nonce: str, _since: datetime) -> int | None:
            found = await own_thread_named(guild, channel, title, ask=True)
            if found is None:
                return None
            made[found.id] = found
            return found.id

        done = await ctx.deliver(
            f"thread:{meeting.meeting_id}", create, target_id=channel.id, find=find
        )
        if done.outcome is Delivery.REFUSED:
            log.warning(
                "No thread for meeting %s in guild %s: %s",
                meeting.meeting_id,
                guild.id,
                done.detail,
            )
            trouble.no_thread_permission = True
            return None
        assert done.message_id is not None
        thread = made.get(done.message_id) or await thread_by_id(guild, done.message_id)
        if thread is None:
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

    async def _dm_intro(
        self, ctx: JobContext, guild: discord.Guild, meeting: MeetingRecord, embed: discord.Embed
    ) -> None:
        unreachable: list[int] = []
        for user_id in meeting.user_ids:
            member = guild.get_member(user_id)
            if member is None:
                continue
            await self.pace()
            done = await post_once(
                ctx,
                f"dm:intro:{user_id}",
                member,
                me_id=guild.me.id,
                target_id=user_id,
                content=self.texts("coffee.dm_intro", guild=guild.name),
                embed=embed,
                marker=Marker(
                    content=self.texts("coffee.dm_intro", guild=guild.name),
                    title=embed.title or "",
                ),
            )
            if done.outcome is Delivery.REFUSED:
                unreachable.append(user_id)
                await self.services.coffee.record_reached(
                    meeting.meeting_id, user_id, "unreachable"
                )
                continue
            await self.services.coffee.record_reached(meeting.meeting_id, user_id, "dm")
        if unreachable:
            await note_once(
                self.bot,
                ctx,
                guild,
                f"unreachable:{meeting.meeting_id}",
                self.texts(
                    "coffee.unreachable_log",
                    members=", ".join(f"<@{u}>" for u in unreachable),
                    meeting=mentions(meeting),
                ),
            )

    async def post_checkin(
        self, ctx: JobContext, guild: discord.Guild, meeting: MeetingRecord
    ) -> None:
        text = self.texts("coffee.checkin_question")
        marker = Marker(custom_id=f"kindbot:checkin:{meeting.meeting_id}:yes")
        thread = await thread_by_id(guild, meeting.thread_id) if meeting.thread_id else None
        if thread is not None:
            await post_once(
                ctx,
                f"checkin:{meeting.meeting_id}",
                thread,
                me_id=guild.me.id,
                target_id=thread.id,
                content=f"{mentions(meeting)} {text}",
                view=checkin_view(meeting.meeting_id, self.bot),
                allowed_mentions=discord.AllowedMentions(
                    users=[discord.Object(id=u) for u in meeting.user_ids]
                ),
                marker=marker,
            )
            return
        for user_id in meeting.user_ids:
            member = guild.get_member(user_id)
            if member is None:
                continue
            done = await post_once(
                ctx,
                f"dm:checkin:{meeting.meeting_id}:{user_id}",
                member,
                me_id=guild.me.id,
                target_id=user_id,
                content=text,
                view=checkin_view(meeting.meeting_id, self.bot),
                marker=marker,
            )
            if done.outcome is Delivery.REFUSED:
                log.info("Check-in DM to %s refused", user_id)

    async def post_headsup(
        self, ctx: JobContext, channel: discord.TextChannel, pairing: WeeklyTime
    ) -> None:
        await post_once(
            ctx,
            "headsup",
            channel,
            me_id=channel.guild.me.id,
            target_id=channel.id,
            content=self.texts("coffee.headsup", when=pairing.describe()),
            view=SkipView(self.bot),
        )

    async def tell_sat_out(
        self, ctx: JobContext, guild: discord.Guild, period_key: str, user_ids: list[int]
    ) -> None:
        """Kindly tell each member who sits this round out, once; and the coordinators."""
        if not user_ids:
            return
        for user_id in user_ids:
            member = guild.get_member(user_id)
            if member is None:
                continue
            await post_once(
                ctx,
                f"dm:satout:{user_id}",
                member,
                me_id=guild.me.id,
                target_id=user_id,
                content=self.texts("coffee.sat_out_dm", guild=guild.name, week=period_key),
            )
        await self.services.alerts.unplaced(guild.id, period_key, user_ids)

    async def tell_paused(self, ctx: JobContext, guild: discord.Guild, user_id: int) -> None:
        member = guild.get_member(user_id)
        if member is None:
            return
        done = await post_once(
            ctx,
            f"dm:paused:{user_id}",
            member,
            me_id=guild.me.id,
            target_id=user_id,
            content=self.texts("coffee.auto_paused_dm", guild=guild.name),
        )
        if done.outcome is Delivery.REFUSED:
            await note_once(
                self.bot,
                ctx,
                guild,
                f"paused:{user_id}",
                self.texts("coffee.auto_paused_log", member=member.mention),
            )
