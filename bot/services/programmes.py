"""Programmes: a server's coffee and meal programmes, their members, rounds and meetings.

Pure domain rules over the programme repository, with an injected clock and no
Discord types: cogs pass ids (and a member's role ids), and get back values or a
:class:`ProgrammeError` whose ``key`` names a message in ``prompts/programmes.toml``.

The pairing engine makes the meetings; this service hands it a round's inputs
(:meth:`ProgrammeService.round_inputs`), stores what it made
(:meth:`ProgrammeService.store_round`) and gives coordinators their own tools:
introducing chosen members and placing a late joiner, never breaking a block.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.models import ChampionStatus
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import NewMeeting
from bot.repos.guilds import GuildRepo
from bot.repos.programmes import (
    DuplicateProgrammeName,
    FairnessCounts,
    Membership,
    Programme,
    ProgrammeCandidate,
    ProgrammeFormat,
    ProgrammeLimitReached,
    ProgrammeRepo,
    ProgrammeRound,
    ProgrammeSettings,
    StoredHours,
)
from bot.resources import prompts_dir
from bot.services.content import ContentLibrary
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
from bot.services.prompts import seeded_choice, stable_seed
from bot.services.rhythm import Rhythm, RhythmError, RhythmKind
from bot.text import Messages

MAX_NAME_LENGTH = 50
MAX_PAUSE_WEEKS = 12
MAX_PROGRAMME_PAUSE = timedelta(days=366)
GROUP_SIZES = range(2, 9)
PROGRAMME_LIMITS = range(1, 51)
#: How far back a missed round is still made (the scheduler's catch-up window).
DEFAULT_LOOKBACK = timedelta(hours=24)
MAX_LABEL_LENGTH = 80
MAX_SUGGESTION_LENGTH = 200

#: Format and control characters that never show, dropped from names (the zero-width
#: joiner stays, as emoji sequences need it; it is only trimmed from the ends).
_DROPPED = {"Cc", "Cf"}
_ZWJ = "\u200d"


class ProgrammeError(UserFacingError):
    """An expected problem; ``key`` names a message in ``prompts/programmes.toml``."""


def programme_texts(path: Path | None = None) -> Messages:
    """The programme wording (``programmes.*`` keys), checked like messages.toml."""
    return Messages.load(path or prompts_dir() / "programmes.toml")


# Names


def clean_name(raw: str) -> tuple[str, str]:
    """(name as shown, key compared case-insensitively); raises for a blank or long name.

    Unicode is normalised (NFKC), invisible characters are dropped, runs of any kind
    of space become one space, and the ends are trimmed.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    kept = "".join(ch for ch in text if ch == _ZWJ or unicodedata.category(ch) not in _DROPPED)
    name = " ".join(kept.split()).strip(" " + _ZWJ)
    if not any(unicodedata.category(ch)[0] in "LNSP" for ch in name):
        raise ProgrammeError("programmes.name_blank")
    if len(name) > MAX_NAME_LENGTH:
        raise ProgrammeError("programmes.name_too_long", limit=MAX_NAME_LENGTH, length=len(name))
    key = name.replace(_ZWJ, "").casefold()
    return name, unicodedata.normalize("NFKC", key)


# Drafts: what a coordinator asks for


@dataclass(frozen=True)
class ProgrammeDraft:
    """A programme as a coordinator describes it; checked by the service.

    ``rhythm`` is ``"weekly"`` (every ``every_weeks`` weeks) or ``"monthly"`` (on the
    ``week_of_month``-th weekday, -1 for the last). ``timezone`` defaults to the
    server's, ``anchor`` (the first date counted) to today.
    """

    name: str
    day_of_week: int
    at: time
    channel_id: int | None = None
    rhythm: str = RhythmKind.WEEKLY.value
    every_weeks: int = 1
    week_of_month: int | None = None
    group_size: int = 2
    format: str = ProgrammeFormat.ONLINE.value
    role_id: int | None = None
    timezone: str | None = None
    anchor: date | None = None


@dataclass(frozen=True)
class DueRound:
    programme: Programme
    due: datetime
    period_key: str


@dataclass(frozen=True)
class RoundInputs:
    """What the pairing engine needs to make one programme's round."""

    programme: Programme
    period_key: str
    participants: tuple[ProgrammeCandidate, ...]
    history: list[list[tuple[int, ...]]]
    blocked: list[tuple[int, int]]
    fairness: dict[int, FairnessCounts]
    avoid_rounds: int
    seed: int


@dataclass(frozen=True)
class LatePlacement:
    """Where a late joiner went: a new meeting with someone free, or an existing one."""

    meeting_id: int
    others: tuple[int, ...]
    new_meeting: bool


@dataclass(frozen=True)
class TimeStatus:
    slots: tuple[datetime, ...]
    ticks: dict[int, frozenset[datetime]]
    members: tuple[int, ...]
    agreed: datetime | None
    reminder_at: datetime | None
    far_apart: bool


# In person: places and neighbouring regions


@dataclass(frozen=True)
class Place:
    id: str
    label: str
    suggestion: str


@dataclass(frozen=True)
class RegionOffer:
    """Members of a region too small for a table, and what they are offered instead."""

    region_id: str | None
    user_ids: tuple[int, ...]
    neighbour: str | None = None
    online_programme_id: int | None = None


@dataclass(frozen=True)
class RegionPlan:
    tables: dict[str, tuple[ProgrammeCandidate, ...]]
    offers: tuple[RegionOffer, ...] = field(default_factory=tuple)


class PlacesError(Exception):
    """places.toml or region_neighbours.toml cannot be used; the bot must not start."""


def load_places(path: Path | None = None) -> tuple[Place, ...]:
    file = path or prompts_dir() / "places.toml"
    data = _read_toml(file)
    tables = data.get("place")
    if not isinstance(tables, list) or not tables:
        raise PlacesError(f"{file.name}: has no [[place]] entries")
    places: list[Place] = []
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict) or set(table) != {"id", "label", "suggestion"}:
            raise PlacesError(f"{file.name}: place #{index} needs exactly id, label and suggestion")
        values = [table["id"], table["label"], table["suggestion"]]
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise PlacesError(f"{file.name}: place #{index} has an empty or non-text value")
        place_id, label, suggestion = (str(v).strip() for v in values)
        if len(label) > MAX_LABEL_LENGTH or len(suggestion) > MAX_SUGGESTION_LENGTH:
            raise PlacesError(f"{file.name}: place #{index} ({place_id!r}) is too long")
        if any(p.id == place_id for p in places):
            raise PlacesError(f"{file.name}: place #{index} reuses id {place_id!r}")
        places.append(Place(place_id, label, suggestion))
    return tuple(places)


def load_region_neighbours(
    content: ContentLibrary, path: Path | None = None
) -> dict[str, tuple[str, ...]]:
    """Each region's neighbours, nearest first, checked against regions.toml."""
    file = path or prompts_dir() / "region_neighbours.toml"
    data = _read_toml(file)
    if set(data) != {"neighbours"} or not isinstance(data["neighbours"], dict):
        raise PlacesError(f"{file.name}: expected one [neighbours] table")
    known = {r.id for r in content.regions}
    result: dict[str, tuple[str, ...]] = {}
    for region, near in data["neighbours"].items():
        if region not in known:
            raise PlacesError(f"{file.name}: {region!r} is not a region in regions.toml")
        if not isinstance(near, list) or not all(isinstance(n, str) for n in near):
            raise PlacesError(f"{file.name}: {region!r} should list region ids in quotes")
        for other in near:
            if other not in known:
                raise PlacesError(f"{file.name}: {region!r} lists unknown region {other!r}")
            if other == region:
                raise PlacesError(f"{file.name}: {region!r} lists itself")
        if len(set(near)) != len(near):
            raise PlacesError(f"{file.name}: {region!r} lists a region twice")
        result[region] = tuple(near)
    return result


def _read_toml(file: Path) -> dict[str, object]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PlacesError(f"{file.name}: cannot be read ({exc})") from exc


def partition_by_region(
    candidates: Sequence[ProgrammeCandidate],
    group_size: int,
    neighbours: Mapping[str, Sequence[str]],
    online_programme_id: int | None,
) -> RegionPlan:
    """Split an in-person round by region; a region with fewer than ``group_size``
    members gets an offer: the nearest listed neighbour that has a table, or else
    the online programme (None when the server runs none)."""
    by_region: dict[str | None, list[ProgrammeCandidate]] = {}
    for candidate in candidates:
        by_region.setdefault(candidate.region_id, []).append(candidate)
    tables = {
        region: tuple(members)
        for region, members in by_region.items()
        if region is not None and len(members) >= group_size
    }
    offers: list[RegionOffer] = []
    for region, members in sorted(by_region.items(), key=lambda item: item[0] or "\uffff"):
        if region in tables:
            continue
        ids = tuple(m.user_id for m in members)
        near = next((n for n in neighbours.get(region or "", ()) if n in tables), None)
        if near is not None:
            offers.append(RegionOffer(region, ids, neighbour=near))
        else:
            offers.append(RegionOffer(region, ids, online_programme_id=online_programme_id))
    return RegionPlan(tables, tuple(offers))


def offer_message(
    offer: RegionOffer, names: Mapping[str, str], programme_name: str | None
) -> tuple[str, dict[str, str]]:
    """The message (key, placeholders) for members of a region too small for a table.

    ``names`` maps region ids to labels; ``programme_name`` is the online programme's.
    """
    if offer.neighbour is not None:
        return "programmes.offer_neighbour", {"region": names.get(offer.neighbour, offer.neighbour)}
    if offer.online_programme_id is not None and programme_name:
        return "programmes.offer_online", {"programme": programme_name}
    return "programmes.offer_none", {}


def place_message(place: Place) -> tuple[str, dict[str, str]]:
    """The introduction's line suggesting a kind of place."""
    return "programmes.place_suggestion", {"suggestion": place.suggestion}


def times_message(offer: SlotOffer) -> tuple[str, dict[str, str]]:
    """The list of offered slots, numbered, as Discord timestamps."""
    lines = "\n".join(
        f"{index}. {discord_timestamp(slot)}" for index, slot in enumerate(offer.slots, start=1)
    )
    key = "programmes.times_everyone" if offer.everyone_free else "programmes.times_best_overlap"
    return key, {"slots": lines}


def agreed_messages(status: TimeStatus) -> list[tuple[str, dict[str, str]]]:
    """What to say once a time is agreed (and a note when members are far apart)."""
    said: list[tuple[str, dict[str, str]]] = []
    if status.agreed is not None:
        said.append(("programmes.time_agreed", {"when": discord_timestamp(status.agreed)}))
    if status.far_apart:
        said.append(("programmes.far_apart", {}))
    return said


def choose_place(places: Sequence[Place], guild_id: int, meeting_id: int) -> Place:
    """The kind of place suggested to one meeting: the same one every time."""
    chosen = seeded_choice([p.id for p in places], "place", guild_id, meeting_id)
    return next(p for p in places if p.id == chosen)


class ProgrammeService:
    def __init__(
        self,
        repo: ProgrammeRepo,
        champions: ChampionRepo,
        guilds: GuildRepo,
        clock: Clock,
        *,
        places: Sequence[Place] = (),
        neighbours: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._repo = repo
        self._champions = champions
        self._guilds = guilds
        self._clock = clock
        self.places = tuple(places)
        self.neighbours = dict(neighbours or {})

    def now(self) -> datetime:
        return self._clock.now()

    # Programmes (coordinators)

    async def programmes(self, guild_id: int) -> list[Programme]:
        return await self._repo.all(guild_id)

    async def get(self, guild_id: int, programme_id: int) -> Programme:
        programme = await self._repo.get(guild_id, programme_id)
        if programme is None:
            raise ProgrammeError("programmes.unknown")
        return programme

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
        await self.get(guild_id, programme_id)
        settings = await self._settings(guild_id, draft)
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
            timezone = config.timezone if config else "Europe/London"
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

    # Members' own choices

    async def _require_champion(self, guild_id: int, user_id: int) -> None:
        champion = await self._champions.get(guild_id, user_id)
        if champion is None or champion.status is not ChampionStatus.ACTIVE:
            raise ProgrammeError("programmes.not_a_champion")

    async def _require_member(self, programme: Programme, user_id: int) -> Membership:
        membership = await self._repo.membership(programme.programme_id, user_id)
        if membership is None:
            raise ProgrammeError("programmes.not_a_member", programme=programme.name)
        return membership

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

    # Scheduling

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

    # Rounds

    async def round_inputs(
        self, programme: Programme, period_key: str, reference: datetime
    ) -> RoundInputs:
        avoid, _ = await self._repo.roulette_settings(programme.guild_id)
        participants = await self._repo.participants(programme.programme_id, period_key, reference)
        return RoundInputs(
            programme=programme,
            period_key=period_key,
            participants=tuple(participants),
            history=await self._repo.recent_meetings(programme.programme_id, avoid),
            blocked=await self._repo.blocked_pairs(programme.guild_id),
            fairness=await self._repo.fairness(programme.programme_id, avoid, programme.group_size),
            avoid_rounds=avoid,
            seed=stable_seed(programme.guild_id, programme.programme_id, period_key),
        )

    async def region_plan(
        self, programme: Programme, participants: Sequence[ProgrammeCandidate]
    ) -> RegionPlan:
        """For an in-person programme: tables per region and offers for the small ones."""
        online = [
            p
            for p in await self._repo.all(programme.guild_id)
            if p.settings.format is ProgrammeFormat.ONLINE
            and p.programme_id != programme.programme_id
            and not p.paused_at(self.now())
        ]
        return partition_by_region(
            participants,
            programme.group_size,
            self.neighbours,
            online[0].programme_id if online else None,
        )

    async def store_round(
        self,
        programme: Programme,
        period_key: str,
        meetings: Sequence[Sequence[int]],
        *,
        sit_outs: Collection[int] = (),
        condition_number: int | None = None,
        starter: str | None = None,
    ) -> ProgrammeRound:
        """Store the engine's meetings (user ids) and who sat out, once per period."""
        groups = await self._group_ids(programme.guild_id, [u for m in meetings for u in m])
        _, checkin_days = await self._repo.roulette_settings(programme.guild_id)
        now = self.now()
        return await self._repo.create_round(
            programme,
            period_key,
            seed=stable_seed(programme.guild_id, programme.programme_id, period_key),
            condition_number=condition_number,
            starter=starter,
            now=now,
            checkin_due_at=now + timedelta(days=checkin_days),
            meetings=[NewMeeting(tuple((u, groups[u]) for u in meeting)) for meeting in meetings],
            sit_outs=sit_outs,
        )

    async def _group_ids(self, guild_id: int, user_ids: Sequence[int]) -> dict[int, int]:
        """Each member's group; refused when one of them is not an active champion."""
        groups = await self._repo.active_groups(guild_id, user_ids)
        if any(user_id not in groups for user_id in user_ids):
            raise ProgrammeError("programmes.not_a_champion")
        return groups

    # Coordinator tools

    async def _current_round(self, programme: Programme) -> ProgrammeRound:
        current = await self._repo.latest_round(programme.programme_id)
        if current is None:
            raise ProgrammeError("programmes.no_round_yet", programme=programme.name)
        return current

    async def introduce(self, guild_id: int, programme_id: int, user_ids: Sequence[int]) -> int:
        """Make a meeting of chosen members in this round; returns its meeting id."""
        programme = await self.get(guild_id, programme_id)
        people = list(dict.fromkeys(user_ids))
        if len(people) != len(user_ids) or not 2 <= len(people) <= programme.group_size + 1:
            raise ProgrammeError("programmes.introduce_size", low=2, high=programme.group_size + 1)
        for user_id in people:
            await self._require_member(programme, user_id)
        groups = await self._group_ids(guild_id, people)
        blocked = _blocked_set(await self._repo.blocked_pairs(guild_id))
        if any(frozenset((a, b)) in blocked for a in people for b in people if a < b):
            raise ProgrammeError("programmes.introduce_blocked")
        current = await self._current_round(programme)
        placed = {u for m in await self._repo.round_meetings(current.round_id) for u in m.members}
        if placed & set(people):
            raise ProgrammeError("programmes.already_placed")
        return await self._repo.add_meeting(
            current.round_id, guild_id, NewMeeting(tuple((u, groups[u]) for u in people))
        )

    async def add_late_joiner(
        self, guild_id: int, programme_id: int, user_id: int
    ) -> LatePlacement:
        """Place a member in this round: with someone who sat out, or in a meeting with
        room (at most one over the group size), never with a blocked or recent partner."""
        programme = await self.get(guild_id, programme_id)
        await self._require_member(programme, user_id)
        group = (await self._group_ids(guild_id, [user_id]))[user_id]
        current = await self._current_round(programme)
        meetings = await self._repo.round_meetings(current.round_id)
        if any(user_id in m.members for m in meetings):
            raise ProgrammeError("programmes.already_placed")
        avoid, _ = await self._repo.roulette_settings(guild_id)
        history = await self._repo.recent_meetings(
            programme.programme_id, avoid, before_round=current.round_id
        )
        unwelcome = _blocked_set(await self._repo.blocked_pairs(guild_id))
        unwelcome |= {
            frozenset((a, b)) for rnd in history for m in rnd for a in m for b in m if a != b
        }

        def fits(others: Sequence[int]) -> bool:
            return all(frozenset((user_id, o)) not in unwelcome for o in others)

        free = [u for u in await self._repo.sit_outs(current.round_id) if u != user_id]
        free_groups = await self._repo.active_groups(guild_id, free)
        partners = [u for u in free if u in free_groups and fits([u])]
        if partners:
            partners.sort(key=lambda u: (free_groups[u] == group, u))
            partner = partners[0]
            meeting_id = await self._repo.add_meeting(
                current.round_id,
                guild_id,
                NewMeeting(((partner, free_groups[partner]), (user_id, group))),
            )
            return LatePlacement(meeting_id, (partner,), new_meeting=True)
        roomy = [m for m in meetings if m.size < programme.group_size + 1 and fits(m.members)]
        if not roomy:
            raise ProgrammeError("programmes.no_room", programme=programme.name)
        roomy.sort(key=lambda m: (m.size, m.position))
        chosen = roomy[0]
        await self._repo.add_to_meeting(
            current.round_id, chosen.meeting_id, guild_id, user_id, group
        )
        return LatePlacement(chosen.meeting_id, chosen.members, new_meeting=False)

    # In person

    def place_for(self, guild_id: int, meeting_id: int) -> Place | None:
        """The kind of place suggested in an in-person meeting's introduction."""
        return choose_place(self.places, guild_id, meeting_id) if self.places else None

    # Finding a time

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

    async def _timezone(self, guild_id: int, user_id: int) -> str:
        zones = await self._repo.timezones(guild_id, [user_id])
        return zones.get(user_id) or await self._guild_timezone(guild_id)

    async def _guild_timezone(self, guild_id: int) -> str:
        config = await self._guilds.config(guild_id)
        return config.timezone if config else "Europe/London"


def _blocked_set(pairs: Sequence[tuple[int, int]]) -> set[frozenset[int]]:
    return {frozenset(pair) for pair in pairs}
