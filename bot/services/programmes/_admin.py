"""Coordinators' programmes, members' own choices and when rounds fall due."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.repos.programmes import (
    DuplicateProgrammeName,
    Membership,
    Programme,
    ProgrammeFormat,
    ProgrammeLimitReached,
    ProgrammeSettings,
)
from bot.services.defaults import DEFAULT_TIMEZONE
from bot.services.programmes._base import ServiceBase
from bot.services.programmes._values import (
    DEFAULT_LOOKBACK,
    GROUP_SIZES,
    MAX_PAUSE_WEEKS,
    MAX_PROGRAMME_PAUSE,
    PROGRAMME_LIMITS,
    DueRound,
    ProgrammeDraft,
    ProgrammeError,
    clean_name,
)
from bot.services.rhythm import Rhythm, RhythmError, RhythmKind


class ProgrammeAdmin(ServiceBase):
    async def programmes(self, guild_id: int) -> list[Programme]:
        return await self._repo.all(guild_id)

    async def find(self, guild_id: int, name: str) -> Programme:
        _, key = clean_name(name)
        programme = await self._repo.by_name(guild_id, key)
        if programme is None:
            raise ProgrammeError("programmes.unknown")
        return programme

    async def create(self, guild_id: int, draft: ProgrammeDraft) -> Programme:
        """Check everything first, then store the programme in one transaction."""
        settings = await self._settings(guild_id, draft)
        try:
            return await self._repo.create(guild_id, settings, self.now())
        except ProgrammeLimitReached as exc:
            raise ProgrammeError("programmes.limit_reached", limit=exc.args[0]) from None
        except DuplicateProgrammeName:
            raise ProgrammeError("programmes.name_taken", name=settings.name) from None

    async def edit(self, guild_id: int, programme_id: int, draft: ProgrammeDraft) -> Programme:
        """Change a programme. For the default one (the roulette ``/coffee`` runs), its
        name, channel, day and time change the roulette too; what the roulette cannot do
        (another rhythm, group size or format, or a role) is refused, pointing to a new
        programme instead."""
        old = await self.get(guild_id, programme_id)
        settings = await self._settings(guild_id, draft)
        if old.is_default:
            _check_roulette(settings, old.name)
        try:
            await self._repo.update(guild_id, programme_id, settings, self.now())
        except DuplicateProgrammeName:
            raise ProgrammeError("programmes.name_taken", name=settings.name) from None
        return await self.get(guild_id, programme_id)

    async def remove(self, guild_id: int, programme_id: int) -> None:
        programme = await self.get(guild_id, programme_id)
        if programme.is_default:
            raise ProgrammeError("programmes.default_stays")
        await self._repo.delete(guild_id, programme_id)

    async def pause_programme(self, guild_id: int, programme_id: int, until: date) -> datetime:
        """Pause the whole programme; it resumes by itself at the start of ``until``."""
        programme = await self.get(guild_id, programme_id)
        zone = programme.rhythm.zone
        resume = datetime(until.year, until.month, until.day, tzinfo=zone)
        now = self.now()
        if resume <= now:
            raise ProgrammeError("programmes.resume_in_past")
        if resume - now > MAX_PROGRAMME_PAUSE:
            raise ProgrammeError("programmes.resume_too_far")
        await self._repo.set_paused(guild_id, programme_id, resume, now)
        return resume

    async def resume_programme(self, guild_id: int, programme_id: int) -> None:
        await self.get(guild_id, programme_id)
        await self._repo.set_paused(guild_id, programme_id, None, self.now())

    @staticmethod
    def pause_period(programme: Programme) -> str | None:
        """Names the programme's latest pause (for its notices); None: never paused."""
        began = programme.paused_since or programme.paused_until
        if began is None:
            return None
        return f"{programme.programme_id}:{began.isoformat()}"

    async def roulette_paused(self, guild_id: int, when: datetime) -> bool:
        """Whether the server's roulette (its default programme) is paused at ``when``."""
        return await self.roulette_paused_until(guild_id, when) is not None

    async def roulette_paused_until(self, guild_id: int, when: datetime) -> datetime | None:
        """When the server's roulette comes back, if it is paused at ``when``."""
        default = await self._repo.default(guild_id)
        return default.paused_until if default is not None and default.paused_at(when) else None

    async def set_limit(self, guild_id: int, limit: int) -> None:
        if limit not in PROGRAMME_LIMITS:
            raise ProgrammeError(
                "programmes.limit_range", low=PROGRAMME_LIMITS[0], high=PROGRAMME_LIMITS[-1]
            )
        await self._repo.set_limit(guild_id, limit)

    async def _settings(self, guild_id: int, draft: ProgrammeDraft) -> ProgrammeSettings:
        name, key = clean_name(draft.name)
        if draft.group_size not in GROUP_SIZES:
            raise ProgrammeError("programmes.group_size_range", low=2, high=8)
        try:
            programme_format = ProgrammeFormat(draft.format)
        except ValueError:
            raise ProgrammeError("programmes.unknown_format") from None
        try:
            kind = RhythmKind(draft.rhythm)
        except ValueError:
            raise ProgrammeError("programmes.unknown_rhythm") from None
        timezone = draft.timezone
        if timezone is None:
            config = await self._guilds.config(guild_id)
            timezone = config.timezone if config else DEFAULT_TIMEZONE
        anchor = draft.anchor
        if anchor is None:
            try:
                anchor = self.now().astimezone(ZoneInfo(timezone)).date()
            except (ValueError, KeyError):
                raise ProgrammeError("programmes.unknown_timezone", timezone=timezone) from None
        try:
            rhythm = Rhythm(
                kind,
                draft.day_of_week,
                draft.at.hour,
                draft.at.minute,
                timezone,
                anchor,
                every_weeks=draft.every_weeks if kind is RhythmKind.WEEKLY else 1,
                week_of_month=draft.week_of_month if kind is RhythmKind.MONTHLY else None,
            )
        except RhythmError as exc:
            raise ProgrammeError(exc.key, **exc.params) from None
        return ProgrammeSettings(
            name, key, draft.channel_id, rhythm, draft.group_size, programme_format, draft.role_id
        )

    async def join(
        self, guild_id: int, programme_id: int, user_id: int, role_ids: Collection[int] = ()
    ) -> bool:
        """Join (or come back from a pause); True when newly joined.

        ``role_ids`` are the member's roles, checked against a role-limited programme.
        """
        programme = await self.get(guild_id, programme_id)
        await self._require_champion(guild_id, user_id)
        role = programme.settings.role_id
        if role is not None and role not in role_ids:
            raise ProgrammeError("programmes.role_required", programme=programme.name, role=role)
        if programme.settings.format is ProgrammeFormat.IN_PERSON:
            champion = await self._champions.get(guild_id, user_id)
            if champion is None or champion.profile.region_id is None:
                raise ProgrammeError("programmes.region_needed", programme=programme.name)
        return await self._repo.join(programme, user_id, self.now())

    async def leave(self, guild_id: int, programme_id: int, user_id: int) -> None:
        programme = await self.get(guild_id, programme_id)
        await self._require_member(programme, user_id)
        await self._repo.leave(programme, user_id, self.now())

    async def pause(self, guild_id: int, programme_id: int, user_id: int, weeks: int) -> datetime:
        programme = await self.get(guild_id, programme_id)
        await self._require_member(programme, user_id)
        if not 1 <= weeks <= MAX_PAUSE_WEEKS:
            raise ProgrammeError("programmes.pause_range", maximum=MAX_PAUSE_WEEKS)
        until = self.now() + timedelta(weeks=weeks)
        await self._repo.set_member_pause(programme, user_id, until)
        return until

    async def resume(self, guild_id: int, programme_id: int, user_id: int) -> None:
        programme = await self.get(guild_id, programme_id)
        await self._require_member(programme, user_id)
        await self._repo.set_member_pause(programme, user_id, None)

    async def skip(self, guild_id: int, programme_id: int, user_id: int) -> str:
        """Skip the programme's next round not made yet; returns its period key."""
        programme = await self.get(guild_id, programme_id)
        await self._require_member(programme, user_id)
        period = await self.next_round_period(programme)
        await self._repo.skip(programme, user_id, period)
        return period

    async def my_programmes(
        self, guild_id: int, user_id: int
    ) -> list[tuple[Programme, Membership]]:
        programmes = {p.programme_id: p for p in await self._repo.all(guild_id)}
        return [
            (programmes[m.programme_id], m)
            for m in await self._repo.memberships(guild_id, user_id)
            if m.programme_id in programmes
        ]

    def next_due(self, programme: Programme, after: datetime) -> datetime:
        """The next occurrence after ``after`` that the programme is not paused for."""
        when = programme.rhythm.next_due(after)
        while programme.paused_at(when):
            when = programme.rhythm.next_due(when)
        return when

    async def next_round_period(self, programme: Programme) -> str:
        """The period of the programme's next round that has not been made yet."""
        when = self.next_due(programme, self.now())
        while True:
            key = programme.rhythm.period_key(when)
            if await self._repo.round_for(programme.programme_id, key) is None:
                return key
            when = self.next_due(programme, when)

    async def due_rounds(
        self, guild_id: int, lookback: timedelta = DEFAULT_LOOKBACK
    ) -> list[DueRound]:
        """Rounds that fell due within ``lookback`` and are not made yet, for the scheduler."""
        now = self.now()
        found: list[DueRound] = []
        for programme in await self._repo.all(guild_id):
            due = programme.rhythm.latest_due(now, lookback)
            if due is None or programme.paused_at(due):
                continue
            key = programme.rhythm.period_key(due)
            if await self._repo.round_for(programme.programme_id, key) is None:
                found.append(DueRound(programme, due, key))
        return found

    async def due_round(self, guild_id: int, programme_id: int) -> DueRound | None:
        """This programme's round that fell due and is not made yet (None: nothing due)."""
        due = [
            d for d in await self.due_rounds(guild_id) if d.programme.programme_id == programme_id
        ]
        return due[0] if due else None

    async def scheduled_programmes(self) -> list[Programme]:
        """Every server's own programmes (not the default one), for the scheduler."""
        return await self._repo.every_guild()


def _check_roulette(settings: ProgrammeSettings, name: str) -> None:
    """The roulette meets every week, in pairs, online, open to every champion."""
    rhythm = settings.rhythm
    if rhythm.kind is not RhythmKind.WEEKLY or rhythm.every_weeks != 1:
        raise ProgrammeError("programmes.roulette_fixed_rhythm", name=name)
    if settings.group_size != 2:
        raise ProgrammeError("programmes.roulette_fixed_group_size", name=name)
    if settings.format is not ProgrammeFormat.ONLINE:
        raise ProgrammeError("programmes.roulette_fixed_format", name=name)
    if settings.role_id is not None:
        raise ProgrammeError("programmes.roulette_fixed_role", name=name)
