"""Finding a time: usual hours, offered slots, ticks and the calendar file."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.repos.programmes import (
    StoredHours,
)
from bot.services.ics import CalendarEvent, meeting_uid, render_ics
from bot.services.meeting_times import (
    DEFAULT_SLOTS,
    HoursError,
    SlotOffer,
    UsualHours,
    agreed_slot,
    discord_timestamp,
    far_apart,
    offer_slots,
    reminder_at,
)
from bot.services.programmes._base import ServiceBase
from bot.services.programmes._values import (
    ProgrammeError,
    TimeStatus,
)


def times_message(offer: SlotOffer) -> tuple[str, dict[str, str]]:
    """The list of offered slots, numbered, as Discord timestamps."""
    lines = "\n".join(
        f"{index}. {discord_timestamp(slot)}" for index, slot in enumerate(offer.slots, start=1)
    )
    key = "programmes.times_everyone" if offer.everyone_free else "programmes.times_best_overlap"
    return key, {"slots": lines}


def slot_label(index: int, slot: datetime, timezone: str) -> tuple[str, dict[str, str]]:
    """A slot as a select option's label, in the member's own timezone (labels cannot
    hold Discord timestamps): for example "3. Tue 1 Dec, 14:00 (Europe/London)"."""
    try:
        zone = ZoneInfo(timezone)
    except (ValueError, KeyError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    local = slot.astimezone(zone)
    when = f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"
    return "programmes.slot_label", {"index": str(index), "when": when, "timezone": timezone}


def agreed_messages(status: TimeStatus) -> list[tuple[str, dict[str, str]]]:
    """What to say once a time is agreed (and a note when members are far apart)."""
    said: list[tuple[str, dict[str, str]]] = []
    if status.agreed is not None:
        said.append(("programmes.time_agreed", {"when": discord_timestamp(status.agreed)}))
    if status.far_apart:
        said.append(("programmes.far_apart", {}))
    return said


class TimeTools(ServiceBase):
    async def set_hours(
        self, guild_id: int, user_id: int, days: Collection[int], start: time, end: time
    ) -> UsualHours:
        await self._require_champion(guild_id, user_id)
        timezone = await self._timezone(guild_id, user_id)
        try:
            hours = UsualHours(timezone, frozenset(days), start, end)
        except HoursError as exc:
            raise ProgrammeError(exc.key, **exc.params) from None
        await self._repo.set_hours(
            guild_id, user_id, StoredHours(hours.days, start, end), self.now()
        )
        return hours

    async def member_timezone(self, guild_id: int, user_id: int) -> str:
        """The member's own timezone (from their profile), else the server's."""
        return await self._timezone(guild_id, user_id)

    async def reset_hours(self, guild_id: int, user_id: int) -> None:
        await self._repo.set_hours(guild_id, user_id, None, self.now())

    async def usual_hours(self, guild_id: int, user_ids: Sequence[int]) -> list[UsualHours]:
        stored = await self._repo.hours(guild_id, user_ids)
        zones = await self._repo.timezones(guild_id, user_ids)
        fallback = await self._guild_timezone(guild_id)
        result = []
        for user_id in user_ids:
            zone = zones.get(user_id) or fallback
            hours = stored.get(user_id)
            if hours is None:
                result.append(UsualHours(zone))
            else:
                result.append(UsualHours(zone, hours.days, hours.start, hours.end))
        return result

    async def offer_times(
        self, guild_id: int, meeting_id: int, count: int = DEFAULT_SLOTS
    ) -> SlotOffer:
        """Offer slots to a meeting and store them (replacing an earlier offer)."""
        members = await self._meeting_members(guild_id, meeting_id)
        hours = await self.usual_hours(guild_id, members)
        offer = offer_slots(
            hours, self.now(), count=count, calendar_timezone=await self._guild_timezone(guild_id)
        )
        await self._repo.save_offer(
            meeting_id,
            offer.slots,
            int(offer.duration.total_seconds() // 60),
            offer.everyone_free,
            self.now(),
        )
        return offer

    async def tick(
        self, guild_id: int, meeting_id: int, user_id: int, position: int, can_do: bool = True
    ) -> TimeStatus:
        members = await self._meeting_members(guild_id, meeting_id)
        if user_id not in members:
            raise ProgrammeError("programmes.not_in_meeting")
        if not await self._repo.set_tick(
            meeting_id, position, guild_id, user_id, can_do, self.now()
        ):
            raise ProgrammeError("programmes.unknown_slot")
        return await self.time_status(guild_id, meeting_id)

    async def time_status(self, guild_id: int, meeting_id: int) -> TimeStatus:
        members = await self._meeting_members(guild_id, meeting_id)
        stored = await self._repo.offer(meeting_id)
        zones = await self._repo.timezones(guild_id, members)
        fallback = await self._guild_timezone(guild_id)
        spread = far_apart([zones.get(u) or fallback for u in members], self.now())
        if stored is None:
            return TimeStatus((), {}, tuple(members), None, None, spread)
        agreed = agreed_slot(stored.slots, stored.ticks, members)
        return TimeStatus(
            stored.slots,
            stored.ticks,
            tuple(members),
            agreed,
            reminder_at(agreed) if agreed else None,
            spread,
        )

    async def calendar_file(
        self, guild_id: int, meeting_id: int, summary: str, description: str = ""
    ) -> bytes:
        """The agreed time as an .ics file; raises while no time is agreed."""
        status = await self.time_status(guild_id, meeting_id)
        stored = await self._repo.offer(meeting_id)
        if status.agreed is None or stored is None:
            raise ProgrammeError("programmes.no_agreed_time")
        event = CalendarEvent(
            uid=meeting_uid(guild_id, meeting_id),
            start=status.agreed,
            end=status.agreed + timedelta(minutes=stored.duration_minutes),
            summary=summary,
            description=description,
        )
        return render_ics(event, stamp=self.now())

    async def _meeting_members(self, guild_id: int, meeting_id: int) -> list[int]:
        owner, members = await self._repo.meeting_members(meeting_id)
        if owner != guild_id:
            raise ProgrammeError("programmes.unknown_meeting")
        return members

    async def pending_reminders(self) -> list[tuple[int, int, datetime]]:
        """(guild id, meeting id, when to remind) of agreed meetings still to come."""
        now = self.now()
        found = []
        for guild_id, meeting_id in await self._repo.offered_meetings(now):
            status = await self.time_status(guild_id, meeting_id)
            if status.agreed is not None and status.reminder_at is not None and status.agreed > now:
                found.append((guild_id, meeting_id, status.reminder_at))
        return found

    async def meeting_thread(self, guild_id: int, meeting_id: int) -> int | None:
        """The meeting's private thread, when it has one."""
        await self._meeting_members(guild_id, meeting_id)
        return await self._repo.thread_of(meeting_id)
