"""Announcing a programme's meetings and notices: a private thread per meeting, DMs
when that fails, and the programme's "paused" and "it's back" posts.

Every thread and post is a delivery step (see :mod:`bot.scheduler.delivery`) keyed by
what makes it unique, whoever makes it: a meeting's steps by the meeting (its thread,
intro, a late joiner's welcome, each agreed time and its reminder), a pause's notices
by the pause. So a double click, two coordinators at once, the scheduled job racing a
command, or an answer Discord never sent back still gives exactly one of each.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final, Literal, Protocol

import discord

from bot.models import ChannelPurpose
from bot.scheduler import Delivered, Delivery, DeliveryRefused, JobContext
from bot.scheduler.delivery import Find, Send
from bot.services.programmes import Programme, ProgrammeFormat, TimeStatus
from cogs.programmes._times import find_time_view
from cogs.shared.channels import configured_channel
from cogs.shared.delivery import Marker, find_own_message
from cogs.shared.display import shorten
from cogs.shared.notices import tell_coordinators
from cogs.shared.threads import own_thread_named, thread_by_id

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)
THREAD_ARCHIVE_MINUTES: Final[Literal[10080]] = 10080  # a week
_NO_PINGS = discord.AllowedMentions.none()
#: The ledger's "job" for a meeting's own steps (period: the meeting id) ...
MEETING_STEPS = "programme-meeting"
#: ... and for a whole-programme pause's notices (period: the programme and its pause).
PAUSE_STEPS = "programme-pause"


class Steps(Protocol):
    """Where delivery steps run: a scheduled job's context, or the ledger directly."""

    async def deliver(
        self, step: str, send: Send, *, target_id: int | None = None, find: Find | None = None
    ) -> Delivered: ...


def _refused(exc: discord.HTTPException) -> DeliveryRefused:
    return DeliveryRefused(f"{exc.status} {exc.code}: {exc.text}")


class ProgrammeAnnouncer:
    def __init__(self, bot: KindBot) -> None:
        self.bot = bot
        self.services = bot.services
        self.texts = bot.services.programme_texts
        self.pace = bot.rest_pacer.wait
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, key: str) -> asyncio.Lock:
        """One at a time per meeting or programme (a click and a job in the same process)."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def meeting_steps(self, guild_id: int, meeting_id: int) -> Steps:
        return self.services.programmes.ledger(guild_id, MEETING_STEPS, str(meeting_id))

    def channel_of(self, programme: Programme) -> discord.TextChannel | None:
        guild = self.bot.get_guild(programme.guild_id)
        channel_id = programme.settings.channel_id
        channel = guild.get_channel(channel_id) if guild and channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    async def post(
        self,
        steps: Steps,
        step: str,
        target: discord.abc.Messageable,
        me_id: int,
        text: str,
        *,
        target_id: int | None,
        view: discord.ui.View | None = None,
        file: tuple[str, bytes] | None = None,
    ) -> Delivered:
        """Send ``text`` once as ``step``; a step left pending is first looked for in the
        target's recent history (by its nonce, or by its text once the nonce expired)."""

        async def send(nonce: str) -> int:
            try:
                await self.pace()
                if file is not None:
                    attached = discord.File(io.BytesIO(file[1]), filename=file[0])
                    sent = await target.send(
                        text, allowed_mentions=_NO_PINGS, nonce=nonce, file=attached
                    )
                elif view is not None:
                    sent = await target.send(
                        text, allowed_mentions=_NO_PINGS, nonce=nonce, view=view
                    )
                else:
                    sent = await target.send(text, allowed_mentions=_NO_PINGS, nonce=nonce)
            except (discord.Forbidden, discord.NotFound) as exc:
                raise _refused(exc) from exc
            return sent.id

        async def find(nonce: str, since: datetime) -> int | None:
            return await find_own_message(target, me_id, nonce, since, Marker(content=text))

        return await steps.deliver(step, send, target_id=target_id, find=find)

    async def pause_notice(self, programme: Programme, step: str, text: str) -> bool:
        """The pause's "paused" or "it's back" post in the programme's channel, once per
        pause whoever asks (the coordinator's command or the daily job)."""
        period = self.services.programmes.pause_period(programme)
        channel = self.channel_of(programme)
        if period is None or channel is None:
            return False
        steps = self.services.programmes.ledger(programme.guild_id, PAUSE_STEPS, period)
        async with self._lock(f"pause:{programme.programme_id}"):
            done = await self.post(
                steps, step, channel, channel.guild.me.id, text, target_id=channel.id
            )
        return done.reached

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

    async def thread_for(
        self,
        steps: Steps,
        guild: discord.Guild,
        programme: Programme,
        meeting_id: int,
        user_ids: Sequence[int],
    ) -> discord.Thread | None:
        """The meeting's private thread, made once (a step found again by its name)."""
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
        made: dict[int, discord.Thread] = {}
        attempts = 0

        async def create(_nonce: str) -> int:
            # Threads take no nonce: before trying again, look for the one made already.
            nonlocal attempts
            attempts += 1
            found = await own_thread_named(guild, channel, title, ask=attempts > 1)
            if found is None:
                try:
                    await self.pace()
                    found = await channel.create_thread(
                        name=title,
                        type=discord.ChannelType.private_thread,
                        invitable=False,
                        auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                        reason="kindbot programme round",
                    )
                except discord.HTTPException as exc:
                    if exc.status >= 500:
                        raise  # the outcome is unknown: tried again, looked for first
                    raise _refused(exc) from exc
            made[found.id] = found
            return found.id

        async def find(_nonce: str, _since: datetime) -> int | None:
            found = await own_thread_named(guild, channel, title, ask=True)
            if found is None:
                return None
            made[found.id] = found
            return found.id

        done = await steps.deliver("thread", create, target_id=channel.id, find=find)
        if done.outcome is Delivery.REFUSED or done.message_id is None:
            log.warning(
                "No thread for meeting %s in guild %s: %s", meeting_id, guild.id, done.detail
            )
            return None
        thread = made.get(done.message_id) or await thread_by_id(guild, done.message_id)
        if thread is not None:
            await self.services.coffee.record_thread(meeting_id, thread.id)
        return thread

    async def announce(self, guild: discord.Guild, programme: Programme, round_id: int) -> int:
        """Announce every meeting of the round not announced yet; returns how many."""
        count = 0
        for meeting in await self.services.coffee.meetings(round_id):
            if meeting.announced:
                continue
            await self.announce_meeting(guild, programme, meeting.meeting_id, meeting.user_ids)
            count += 1
        return count

    async def announce_one(
        self,
        programme: Programme,
        meeting_id: int,
        user_ids: Sequence[int],
        joiner: int | None = None,
    ) -> None:
        """A meeting a coordinator made, or a late ``joiner`` placed in an existing one."""
        guild = self.bot.get_guild(programme.guild_id)
        if guild is not None:
            await self.announce_meeting(guild, programme, meeting_id, user_ids, joiner)

    async def announce_meeting(
        self,
        guild: discord.Guild,
        programme: Programme,
        meeting_id: int,
        user_ids: Sequence[int],
        joiner: int | None = None,
    ) -> None:
        """Its thread (or DMs) and intro, once, whether the round's job or a coordinator
        asks; a late joiner gets a welcome of their own in a meeting that has one."""
        steps = self.meeting_steps(guild.id, meeting_id)
        async with self._lock(f"meeting:{meeting_id}"):
            text = await self.intro_text(programme, meeting_id, user_ids)
            view = find_time_view(meeting_id, self.texts("programmes.find_time_button"))
            known = await self.services.programmes.meeting_thread(guild.id, meeting_id)
            thread = await thread_by_id(guild, known)
            if thread is None:
                thread = await self.thread_for(steps, guild, programme, meeting_id, user_ids)
            step = "intro" if joiner is None else f"late:{joiner}"
            if thread is not None:
                await self.add_members(guild, thread, meeting_id, user_ids)
                await self.post(
                    steps, step, thread, guild.me.id, text, target_id=thread.id, view=view
                )
            else:
                unreachable: list[int] = []
                for user_id in user_ids:
                    if guild.get_member(user_id) is None:
                        continue  # left the server: not told, like a thread they can't join
                    sent = await self.dm(steps, guild, f"dm-{step}:{user_id}", user_id, text, view)
                    if not sent:
                        unreachable.append(user_id)
                    how = "dm" if sent else "unreachable"
                    await self.services.coffee.record_reached(meeting_id, user_id, how)
                if unreachable:
                    await self.tell_unreachable(steps, guild, programme, step, unreachable)
            await self.services.coffee.mark_announced(meeting_id)

    async def tell_unreachable(
        self,
        steps: Steps,
        guild: discord.Guild,
        programme: Programme,
        step: str,
        unreachable: Sequence[int],
    ) -> None:
        """Tell the coordinators, once per introduction, who it could not reach at all."""
        text = self.texts(
            "programmes.log_unreachable",
            name=programme.name,
            people=", ".join(f"<@{u}>" for u in unreachable),
        )
        channel = await configured_channel(self.bot, guild, ChannelPurpose.LOG)
        if channel is None:
            log.warning("No usable log channel in guild %s for: %s", guild.id, text)
            return
        try:
            await self.post(
                steps, f"unreachable-{step}", channel, guild.me.id, text, target_id=channel.id
            )
        except discord.HTTPException as exc:
            log.warning("Could not post in the log channel of guild %s: %s", guild.id, exc)

    async def post_agreed(
        self,
        guild: discord.Guild,
        thread: discord.Thread,
        meeting_id: int,
        status: TimeStatus,
        text: str,
        ics: bytes,
    ) -> bool:
        """The agreed time and its calendar file in the meeting's thread, once per time."""
        assert status.agreed is not None
        steps = self.meeting_steps(guild.id, meeting_id)
        async with self._lock(f"meeting:{meeting_id}"):
            done = await self.post(
                steps,
                f"agreed:{int(status.agreed.timestamp())}",
                thread,
                guild.me.id,
                text,
                target_id=thread.id,
                file=("meeting.ics", ics),
            )
        log.info(
            "Agreed time of meeting %s in guild %s: %s", meeting_id, guild.id, done.outcome.value
        )
        return done.reached

    async def post_reminder(
        self, guild: discord.Guild, thread: discord.Thread, meeting_id: int, agreed: datetime
    ) -> bool:
        """The reminder before an agreed time, once per meeting and time."""
        text = self.texts("programmes.reminder", when=f"<t:{int(agreed.timestamp())}:R>")
        steps = self.meeting_steps(guild.id, meeting_id)
        async with self._lock(f"meeting:{meeting_id}"):
            done = await self.post(
                steps,
                f"reminder:{int(agreed.timestamp())}",
                thread,
                guild.me.id,
                text,
                target_id=thread.id,
            )
        return done.reached

    async def dm(
        self,
        steps: Steps,
        guild: discord.Guild,
        step: str,
        user_id: int,
        text: str,
        view: discord.ui.View | None = None,
    ) -> bool:
        member = guild.get_member(user_id)
        if member is None:
            return False
        done = await self.post(steps, step, member, guild.me.id, text, target_id=user_id, view=view)
        return done.reached

    async def tell_log(self, ctx: JobContext, guild: discord.Guild, step: str, text: str) -> None:
        async def send(nonce: str) -> None:
            await tell_coordinators(self.bot, guild, text, nonce=nonce)

        await ctx.deliver(step, send)
