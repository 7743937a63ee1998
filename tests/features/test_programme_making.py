"""Making a programme's round: the engine's groups, stored once, with who sat out and why."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FakeClock
from bot.db import Database, migrate
from bot.models import Profile
from bot.offload import Offload
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.programmes import ProgrammeRepo
from bot.services.programmes import ProgrammeDraft, ProgrammeService, programme_texts, slot_label
from bot.services.programmes._making import INLINE_BELOW

GUILD = 333333333333333333
A, B, C, D = range(320_000_000_000_000_001, 320_000_000_000_000_005)


async def _service(db: Database, clock: FakeClock, zones: dict[int, str]) -> ProgrammeService:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    groups = await guilds.groups(GUILD)
    champions = ChampionRepo(db)
    for index, (user, zone) in enumerate(zones.items()):
        profile = Profile(group_id=groups[index % 3].group_id, timezone=zone)
        await champions.save(GUILD, user, profile, clock.now())
    return ProgrammeService(ProgrammeRepo(db), champions, guilds, clock)


async def test_a_due_round_is_made_once_and_far_apart_meetings_are_named(
    db: Database, clock: FakeClock
) -> None:
    service = await _service(db, clock, {A: "Europe/London", B: "Asia/Tokyo"})
    # Monday 23 November 10:00; the programme meets on Mondays at 09:00.
    lunch = await service.create(GUILD, ProgrammeDraft(name="Tea", day_of_week=0, at=time(9)))
    for user in (A, B):
        await service.join(GUILD, lunch.programme_id, user)
    due = await service.due_round(GUILD, lunch.programme_id)
    assert due is not None and due.period_key == "2026-W48"
    made = await service.make_programme_round(due)
    assert made.created
    assert [m.members for m in made.meetings] == [(A, B)]
    assert made.far_apart == (made.meetings[0].meeting_id,)  # 9 hours apart
    assert made.sat_out == {}
    assert await service.due_round(GUILD, lunch.programme_id) is None
    again = await service.make_programme_round(due)
    assert not again.created
    assert again.round_id == made.round_id
    assert [m.members for m in again.meetings] == [(A, B)]


async def test_a_blocked_member_sits_out_with_the_reason(db: Database, clock: FakeClock) -> None:
    service = await _service(
        db, clock, {A: "Europe/London", B: "Europe/London", C: "Europe/London"}
    )
    tea = await service.create(GUILD, ProgrammeDraft(name="Tea", day_of_week=0, at=time(9)))
    for user in (A, B, C):
        await service.join(GUILD, tea.programme_id, user)
    coffee = CoffeeRepo(db)
    await coffee.block(GUILD, A, C, clock.now())
    await coffee.block(GUILD, B, C, clock.now())
    due = await service.due_round(GUILD, tea.programme_id)
    assert due is not None
    made = await service.make_programme_round(due)
    assert [m.members for m in made.meetings] == [(A, B)]
    assert made.sat_out == {C: "blocked"}
    clock.advance(timedelta(weeks=1))
    later = await service.due_round(GUILD, tea.programme_id)
    assert later is not None and later.period_key == "2026-W49"


async def test_an_agreed_time_waits_for_its_reminder_until_it_has_passed(
    db: Database, clock: FakeClock
) -> None:
    service = await _service(db, clock, {A: "Europe/London", B: "Europe/London"})
    tea = await service.create(GUILD, ProgrammeDraft(name="Tea", day_of_week=0, at=time(9)))
    for user in (A, B):
        await service.join(GUILD, tea.programme_id, user)
    due = await service.due_round(GUILD, tea.programme_id)
    assert due is not None
    (meeting,) = (await service.make_programme_round(due)).meetings
    offer = await service.offer_times(GUILD, meeting.meeting_id)
    assert await service.pending_reminders() == []  # offered, not agreed
    for user in (A, B):
        status = await service.tick(GUILD, meeting.meeting_id, user, 0)
    assert status.agreed == offer.slots[0]
    assert await service.pending_reminders() == [
        (GUILD, meeting.meeting_id, offer.slots[0] - timedelta(hours=1))
    ]
    clock.advance(offer.slots[0] - clock.now() + timedelta(minutes=1))
    assert await service.pending_reminders() == []


async def _big_programme(
    path: Path, clock: FakeClock, offload: Offload | None
) -> list[tuple[int, ...]]:
    """A programme of fours above the pool's threshold, its round made once."""
    database = Database(path)
    await database.connect()
    await migrate(database)
    try:
        guilds = GuildRepo(database)
        await guilds.ensure(GUILD, clock.now())
        groups = await guilds.groups(GUILD)
        champions = ChampionRepo(database)
        service = ProgrammeService(
            ProgrammeRepo(database), champions, guilds, clock, offload=offload
        )
        tea = await service.create(
            GUILD, ProgrammeDraft(name="Tea", day_of_week=0, at=time(9), group_size=4)
        )
        zones = ("Europe/London", "America/New_York", "Asia/Kolkata")
        for index in range(INLINE_BELOW + 10):
            user = 400_000_000_000_000_000 + index
            profile = Profile(group_id=groups[index % 3].group_id, timezone=zones[index % 3])
            await champions.save(GUILD, user, profile, clock.now())
            await service.join(GUILD, tea.programme_id, user)
        due = await service.due_round(GUILD, tea.programme_id)
        assert due is not None
        made = await service.make_programme_round(due)
        return [m.members for m in made.meetings]
    finally:
        await database.close()


async def test_a_large_round_is_made_in_the_worker_pool_and_matches_the_inline_one(
    tmp_path: Path, clock: FakeClock
) -> None:
    pool = Offload(workers=1)
    try:
        pooled = await _big_programme(tmp_path / "pool.sqlite3", clock, pool)
        assert pool.started  # the engine ran in a worker process
    finally:
        await pool.close()
    inline = await _big_programme(tmp_path / "inline.sqlite3", clock, None)
    assert pooled == inline
    assert sorted(u for m in pooled for u in m) == [
        400_000_000_000_000_000 + i for i in range(INLINE_BELOW + 10)
    ]
    assert {len(m) for m in pooled} <= {4, 5}


async def test_a_small_round_stays_out_of_the_worker_pool(db: Database, clock: FakeClock) -> None:
    pool = Offload(workers=1)
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    champions = ChampionRepo(db)
    groups = await guilds.groups(GUILD)
    service = ProgrammeService(ProgrammeRepo(db), champions, guilds, clock, offload=pool)
    tea = await service.create(GUILD, ProgrammeDraft(name="Tea", day_of_week=0, at=time(9)))
    for index, user in enumerate((A, B, C, D)):
        await champions.save(GUILD, user, Profile(group_id=groups[index % 3].group_id), clock.now())
        await service.join(GUILD, tea.programme_id, user)
    due = await service.due_round(GUILD, tea.programme_id)
    assert due is not None
    made = await service.make_programme_round(due)
    assert sorted(u for m in made.meetings for u in m.members) == [A, B, C, D]
    assert not pool.started


async def test_each_member_sees_the_offered_slots_labelled_in_their_own_timezone(
    db: Database, clock: FakeClock
) -> None:
    service = await _service(db, clock, {A: "Europe/London", B: "Asia/Tokyo"})
    tea = await service.create(GUILD, ProgrammeDraft(name="Tea", day_of_week=0, at=time(9)))
    for user in (A, B):
        await service.join(GUILD, tea.programme_id, user)
    due = await service.due_round(GUILD, tea.programme_id)
    assert due is not None
    made = await service.make_programme_round(due)
    offer = await service.offer_times(GUILD, made.meetings[0].meeting_id)
    texts = programme_texts()
    first = offer.slots[0]

    def labels(zone: str) -> list[str]:
        return [
            texts(k, **p) for k, p in (slot_label(i, s, zone) for i, s in enumerate(offer.slots, 1))
        ]

    london = labels(await service.member_timezone(GUILD, A))
    tokyo = labels(await service.member_timezone(GUILD, B))
    here = first.astimezone(ZoneInfo("Europe/London"))
    there = first.astimezone(ZoneInfo("Asia/Tokyo"))
    assert london[0] == f"1. {here:%a} {here.day} {here:%b}, {here:%H:%M} (Europe/London)"
    assert tokyo[0] == f"1. {there:%a} {there.day} {there:%b}, {there:%H:%M} (Asia/Tokyo)"
    assert london[0] != tokyo[0]
    assert all(len(label) <= 100 for label in london + tokyo)
    # Someone without a timezone of their own sees the server's.
    assert await service.member_timezone(GUILD, C) == "Europe/London"


def test_a_slot_label_names_the_local_day_across_midnight() -> None:
    slot = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # a Tuesday in UTC
    key, params = slot_label(2, slot, "Asia/Tokyo")
    assert programme_texts()(key, **params) == "2. Wed 2 Dec, 08:30 (Asia/Tokyo)"
    key, params = slot_label(2, slot, "America/New_York")
    assert programme_texts()(key, **params) == "2. Tue 1 Dec, 18:30 (America/New_York)"
