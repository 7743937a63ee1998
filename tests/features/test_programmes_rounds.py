"""Programme rounds: storing them, fairness history, coordinators' tools, in person, times."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Profile
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.privacy import PrivacyRepo
from bot.repos.programmes import FairnessCounts, Programme, ProgrammeCandidate, ProgrammeRepo
from bot.services.content import load_content
from bot.services.programmes import (
    PlacesError,
    ProgrammeDraft,
    ProgrammeError,
    ProgrammeService,
    RegionOffer,
    agreed_messages,
    choose_place,
    load_places,
    load_region_neighbours,
    offer_message,
    partition_by_region,
    place_message,
    programme_texts,
    times_message,
)
from tests.sqlite_checks import rows, tables_mentioning

GUILD = 333333333333333333
# Discord-sized ids, so "no trace left" checks cannot match a timestamp by chance.
A, B, C, D, E, F, G, H, J = range(310_000_000_000_000_001, 310_000_000_000_000_010)
EVERYONE = (A, B, C, D, E, F, G, H, J)
OUTSIDER = 310_000_000_000_000_099


@pytest.fixture
async def service(db: Database, clock: FakeClock) -> ProgrammeService:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    groups = await guilds.groups(GUILD)
    champions = ChampionRepo(db)
    for index, user in enumerate((*EVERYONE, OUTSIDER)):
        profile = Profile(group_id=groups[index % 3].group_id, region_id="london")
        await champions.save(GUILD, user, profile, clock.now())
    content = load_content()
    return ProgrammeService(
        ProgrammeRepo(db),
        champions,
        guilds,
        clock,
        places=load_places(),
        neighbours=load_region_neighbours(content),
    )


async def _programme(service: ProgrammeService, members: tuple[int, ...]) -> Programme:
    made = await service.create(
        GUILD, ProgrammeDraft(name="Lunch club", day_of_week=3, at=time(12, 30))
    )
    for user in members:
        await service.join(GUILD, made.programme_id, user)
    return made


async def _key(coro: object) -> str:
    with pytest.raises(ProgrammeError) as raised:
        await coro  # type: ignore[misc]
    return raised.value.key


async def _meetings(db: Database, programme: Programme) -> list[tuple[int, ...]]:
    repo = ProgrammeRepo(db)
    latest = await repo.latest_round(programme.programme_id)
    assert latest is not None
    return [m.members for m in await repo.round_meetings(latest.round_id)]


# Rounds and fairness


async def test_round_inputs_and_fairness_counts_come_from_history(
    service: ProgrammeService, db: Database, clock: FakeClock
) -> None:
    lunch = await _programme(service, (A, B, C, D, E, F))
    # Groups go round: A, D in one; B, E in another; C, F in the third.
    first = await service.store_round(lunch, "2026-W48", [[A, B], [C, D, E]], sit_outs=[F])
    again = await service.store_round(lunch, "2026-W48", [[A, C]])
    assert again == first  # once per period
    clock.advance(timedelta(weeks=1))
    await service.store_round(lunch, "2026-W49", [[A, D], [B, C]], sit_outs=[E, F])
    default = (await service.programmes(GUILD))[0]
    await service.join(GUILD, default.programme_id, A)
    await service.join(GUILD, default.programme_id, F)
    await service.store_round(default, "2026-W49", [[A, F]])  # another programme

    repo = ProgrammeRepo(db)
    assert await repo.fairness(lunch.programme_id, 8, 2) == {
        A: FairnessCounts(0, 1, 0, 0),
        B: FairnessCounts(0, 0, 0, 0),
        C: FairnessCounts(0, 0, 1, 0),
        D: FairnessCounts(0, 1, 1, 0),
        E: FairnessCounts(1, 0, 1, 0),
        F: FairnessCounts(2, 0, 0, 0),
    }
    recent = await repo.fairness(lunch.programme_id, 1, 2)
    assert recent[E] == FairnessCounts(1, 0, 0, 0) and recent[D] == FairnessCounts(0, 1, 0, 0)
    assert (await repo.fairness(lunch.programme_id, 8, 4))[A] == FairnessCounts(0, 1, 0, 2)

    inputs = await service.round_inputs(lunch, "2026-W50", clock.now())
    assert [c.user_id for c in inputs.participants] == [A, B, C, D, E, F]
    assert inputs.history == [[(A, B), (C, D, E)], [(A, D), (B, C)]]
    assert inputs.fairness[F].sit_outs == 2
    assert inputs.seed == (await service.round_inputs(lunch, "2026-W50", clock.now())).seed
    assert inputs.seed != (await service.round_inputs(lunch, "2026-W51", clock.now())).seed
    # The roulette's own code sees the programme's meetings as meetings.
    coffee_meetings = await CoffeeRepo(db).meetings(first.round_id)
    assert [m.user_ids for m in coffee_meetings] == [[A, B], [C, D, E]]


# Coordinators' tools


async def test_introduce_chosen_members_in_this_round(
    service: ProgrammeService, db: Database
) -> None:
    lunch = await _programme(service, (A, B, C, D, E, F))
    pid = lunch.programme_id
    assert await _key(service.introduce(GUILD, pid, [E, F])) == "programmes.no_round_yet"
    await service.store_round(lunch, "2026-W48", [[A, B], [C, D]], sit_outs=[E, F])
    for chosen, key in [
        ([E], "programmes.introduce_size"),
        ([E, E], "programmes.introduce_size"),
        ([E, F, A, B], "programmes.introduce_size"),
        ([E, OUTSIDER], "programmes.not_a_member"),
        ([A, E], "programmes.already_placed"),
    ]:
        assert await _key(service.introduce(GUILD, pid, chosen)) == key
    await CoffeeRepo(db).block(GUILD, F, E, service.now())
    assert await _key(service.introduce(GUILD, pid, [E, F])) == "programmes.introduce_blocked"
    await CoffeeRepo(db).unblock(GUILD, F, E)
    await service.introduce(GUILD, pid, [F, E])
    assert await _meetings(db, lunch) == [(A, B), (C, D), (F, E)]
    latest = await ProgrammeRepo(db).latest_round(pid)
    assert latest is not None and await ProgrammeRepo(db).sit_outs(latest.round_id) == []


async def test_a_late_joiner_meets_someone_free_then_joins_a_meeting_with_room(
    service: ProgrammeService, db: Database
) -> None:
    lunch = await _programme(service, (A, B, C, D, E, F))
    pid = lunch.programme_id
    await service.store_round(lunch, "2026-W48", [[A, B], [C, D]], sit_outs=[E, F])
    for late in (G, H, J):
        await service.join(GUILD, pid, late)
    # G (first group) meets a free member of another group first: E.
    placed = await service.add_late_joiner(GUILD, pid, G)
    assert placed.new_meeting and placed.others == (E,)
    placed = await service.add_late_joiner(GUILD, pid, H)
    assert placed.new_meeting and placed.others == (F,)
    # Nobody is free now: J joins the smallest meeting with room, but never a blocked one.
    await CoffeeRepo(db).block(GUILD, A, J, service.now())
    placed = await service.add_late_joiner(GUILD, pid, J)
    assert not placed.new_meeting and placed.others == (C, D)
    assert await _meetings(db, lunch) == [(A, B), (C, D, J), (E, G), (F, H)]
    assert await _key(service.add_late_joiner(GUILD, pid, J)) == "programmes.already_placed"
    assert await _key(service.add_late_joiner(GUILD, pid, OUTSIDER)) == "programmes.not_a_member"
    joined = (await ProgrammeRepo(db).round_meetings(await _latest(db, pid)))[1]
    meeting = await CoffeeRepo(db).meeting(joined.meeting_id)
    assert meeting is not None and meeting.user_ids == [C, D, J] and meeting.cross_group


async def test_two_coordinators_at_once_place_a_member_only_once(
    service: ProgrammeService, db: Database
) -> None:
    lunch = await _programme(service, (A, B, C, D, E, F, G))
    pid = lunch.programme_id
    await service.store_round(lunch, "2026-W48", [[A, B], [C, D]], sit_outs=[E, F, G])
    results = await asyncio.gather(
        service.introduce(GUILD, pid, [E, F]),
        service.introduce(GUILD, pid, [F, E]),
        service.add_late_joiner(GUILD, pid, G),
        service.add_late_joiner(GUILD, pid, G),
        return_exceptions=True,
    )
    refused = [r.key for r in results if isinstance(r, ProgrammeError)]
    assert refused == ["programmes.already_placed", "programmes.already_placed"]
    placed = [u for m in await _meetings(db, lunch) for u in m]
    assert sorted(placed) == sorted([A, B, C, D, E, F, G])


async def _latest(db: Database, programme_id: int) -> int:
    latest = await ProgrammeRepo(db).latest_round(programme_id)
    assert latest is not None
    return latest.round_id


async def test_a_late_joiner_never_repeats_a_recent_partner(
    service: ProgrammeService, db: Database, clock: FakeClock
) -> None:
    lunch = await _programme(service, (A, B, C, D))
    pid = lunch.programme_id
    await service.store_round(lunch, "2026-W48", [[A, B]])
    clock.advance(timedelta(weeks=1))
    await service.store_round(lunch, "2026-W49", [[C, D]], sit_outs=[B])
    # B is free, but A met B last round: A joins C and D instead.
    placed = await service.add_late_joiner(GUILD, pid, A)
    assert not placed.new_meeting and placed.others == (C, D)
    # A full meeting (group size + 1) has no more room.
    await service.join(GUILD, pid, E)
    await CoffeeRepo(db).block(GUILD, E, B, service.now())
    assert await _key(service.add_late_joiner(GUILD, pid, E)) == "programmes.no_room"


# In person


def _candidate(user: int, region: str | None) -> ProgrammeCandidate:
    return ProgrammeCandidate(user, 1, region, None, frozenset())


def test_small_regions_are_offered_the_nearest_table_or_online() -> None:
    neighbours = load_region_neighbours(load_content())
    people = [
        _candidate(1, "london"),
        _candidate(2, "london"),
        _candidate(3, "london"),
        _candidate(4, "north-east"),
        _candidate(5, "north-east"),
        _candidate(6, "scotland"),
        _candidate(7, "wales"),
        _candidate(8, None),
    ]
    plan = partition_by_region(people, 2, neighbours, online_programme_id=77)
    assert {region: [c.user_id for c in m] for region, m in plan.tables.items()} == {
        "london": [1, 2, 3],
        "north-east": [4, 5],
    }
    assert plan.offers == (
        RegionOffer("scotland", (6,), neighbour="north-east"),
        RegionOffer("wales", (7,), online_programme_id=77),
        RegionOffer(None, (8,), online_programme_id=77),
    )
    bigger = partition_by_region(people, 3, neighbours, online_programme_id=None)
    assert list(bigger.tables) == ["london"]
    assert RegionOffer("north-east", (4, 5)) in bigger.offers
    texts = programme_texts()
    labels = {r.id: r.label for r in load_content().regions}
    key, params = offer_message(plan.offers[0], labels, None)
    assert "North East England" in texts(key, **params)
    key, params = offer_message(plan.offers[1], labels, "Coffee roulette")
    assert "Coffee roulette" in texts(key, **params)
    key, params = offer_message(bigger.offers[0], labels, None)
    assert texts(key, **params)


async def test_region_plan_offers_the_servers_online_programme(service: ProgrammeService) -> None:
    made = await service.create(
        GUILD,
        ProgrammeDraft(name="Supper", day_of_week=4, at=time(19), format="in_person"),
    )
    default = (await service.programmes(GUILD))[0]
    plan = await service.region_plan(made, [_candidate(1, "wales")])
    assert plan.offers == (RegionOffer("wales", (1,), online_programme_id=default.programme_id),)


def test_each_meeting_gets_the_same_kind_of_place_every_time() -> None:
    places = load_places()
    assert {p.id for p in places} >= {"cafe", "community-space", "shared-lunch"}
    chosen = [choose_place(places, GUILD, meeting).id for meeting in range(60)]
    assert chosen == [choose_place(places, GUILD, meeting).id for meeting in range(60)]
    assert len(set(chosen)) == len(places)
    key, params = place_message(places[0])
    assert programme_texts()(key, **params).startswith("You could meet at")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[neighbours]\nlondon = ["atlantis"]\n', "unknown region 'atlantis'"),
        ('[neighbours]\natlantis = ["london"]\n', "'atlantis' is not a region"),
        ('[neighbours]\nlondon = ["london"]\n', "lists itself"),
        ('[neighbours]\nlondon = ["wales", "wales"]\n', "lists a region twice"),
        ("[neighbours\n", "cannot be read"),
        ('[near]\nlondon = ["wales"]\n', "one [neighbours] table"),
    ],
)
def test_mistakes_in_the_neighbours_file_are_named(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "region_neighbours.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlacesError, match=problem.replace("[", r"\[")):
        load_region_neighbours(load_content(), path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no \\[\\[place\\]\\] entries"),
        ('[[place]]\nid = "cafe"\nlabel = "A café"\n', "exactly id, label and suggestion"),
        ('[[place]]\nid = "a"\nlabel = " "\nsuggestion = "x"\n', "empty"),
        (
            '[[place]]\nid = "a"\nlabel = "A"\nsuggestion = "x"\n'
            '[[place]]\nid = "a"\nlabel = "B"\nsuggestion = "y"\n',
            "reuses id 'a'",
        ),
    ],
)
def test_mistakes_in_the_places_file_are_named(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "places.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlacesError, match=problem):
        load_places(path)


# Finding a time, through the service


async def test_a_meeting_finds_a_time_and_gets_a_calendar_file(
    service: ProgrammeService, db: Database, clock: FakeClock
) -> None:
    lunch = await _programme(service, (A, B, C))
    await service.store_round(lunch, "2026-W48", [[A, B]])
    [meeting] = await ProgrammeRepo(db).round_meetings(await _latest(db, lunch.programme_id))
    mid = meeting.meeting_id
    assert await _key(service.set_hours(GUILD, A, [], time(8), time(18))) == (
        "programmes.hours_days"
    )
    assert await _key(service.set_hours(GUILD, A, [0], time(18), time(9))) == (
        "programmes.hours_order"
    )
    await service.set_hours(GUILD, A, [0, 1, 2], time(9), time(12))
    [a_hours, b_hours] = await service.usual_hours(GUILD, [A, B])
    assert a_hours.days == frozenset({0, 1, 2}) and a_hours.end == time(12)
    assert b_hours.days == frozenset(range(5)) and b_hours.timezone == "Europe/London"

    offer = await service.offer_times(GUILD, mid)
    assert offer.everyone_free and 6 <= len(offer.slots) <= 10
    assert all(s.weekday() in (0, 1, 2) and 9 <= s.hour < 12 for s in offer.slots)
    key, params = times_message(offer)
    assert key == "programmes.times_everyone" and params["slots"].count("<t:") == len(offer.slots)
    assert await _key(service.calendar_file(GUILD, mid, "Lunch")) == "programmes.no_agreed_time"

    assert await _key(service.tick(GUILD, mid, C, 0)) == "programmes.not_in_meeting"
    assert await _key(service.tick(GUILD, mid, A, 99)) == "programmes.unknown_slot"
    assert await _key(service.tick(GUILD, 987654, A, 0)) == "programmes.unknown_meeting"
    await service.tick(GUILD, mid, A, 1)
    await service.tick(GUILD, mid, A, 3)
    status = await service.tick(GUILD, mid, B, 0)
    assert status.agreed is None and not status.far_apart
    status = await service.tick(GUILD, mid, B, 3)
    assert status.agreed == offer.slots[3]
    status = await service.tick(GUILD, mid, B, 1)
    assert status.agreed == offer.slots[1] and status.reminder_at == offer.slots[1] - timedelta(
        hours=1
    )
    status = await service.tick(GUILD, mid, A, 1, can_do=False)
    assert status.agreed == offer.slots[3]
    said = [programme_texts()(k, **p) for k, p in agreed_messages(status)]
    assert said and "<t:" in said[0]

    data = await service.calendar_file(GUILD, mid, "Lunch club, with friends")
    text = data.decode()
    assert f"UID:meeting-{mid}-{GUILD}@kindbot\r\n" in text
    assert "SUMMARY:Lunch club\\, with friends\r\n" in text
    # A fresh offer replaces the old one and its ticks.
    await service.offer_times(GUILD, mid)
    assert (await service.time_status(GUILD, mid)).agreed is None


async def test_members_far_apart_are_flagged(
    service: ProgrammeService, db: Database, clock: FakeClock
) -> None:
    champions = ChampionRepo(db)
    alice = await champions.get(GUILD, A)
    assert alice is not None
    await champions.save(GUILD, A, replace(alice.profile, timezone="Asia/Tokyo"), clock.now())
    lunch = await _programme(service, (A, B))
    await service.store_round(lunch, "2026-W48", [[A, B]])
    [meeting] = await ProgrammeRepo(db).round_meetings(await _latest(db, lunch.programme_id))
    offer = await service.offer_times(GUILD, meeting.meeting_id)
    assert not offer.everyone_free
    assert times_message(offer)[0] == "programmes.times_best_overlap"
    status = await service.time_status(GUILD, meeting.meeting_id)
    assert status.far_apart
    assert [k for k, _ in agreed_messages(status)] == ["programmes.far_apart"]


# Privacy


async def test_my_data_shows_and_forget_me_erases_programme_rows(
    service: ProgrammeService, db: Database, tmp_path: Path
) -> None:
    lunch = await _programme(service, (A, B, C))
    await service.skip(GUILD, lunch.programme_id, A)
    await service.set_hours(GUILD, A, [0, 1], time(9), time(17))
    await service.store_round(lunch, "2026-W48", [[A, B]], sit_outs=[C])
    [meeting] = await ProgrammeRepo(db).round_meetings(await _latest(db, lunch.programme_id))
    await service.offer_times(GUILD, meeting.meeting_id)
    await service.tick(GUILD, meeting.meeting_id, A, 0)
    await service.store_round(lunch, "2026-W49", [[B, C]], sit_outs=[A])

    privacy = PrivacyRepo(db)
    exported = await privacy.export(GUILD, A)
    for table in (
        "programme_members",
        "programme_skips",
        "member_hours",
        "meeting_slot_ticks",
        "round_sitouts",
    ):
        assert len(exported[table]) == 1, table
    await privacy.forget(GUILD, A)
    await db.close()
    assert tables_mentioning(db.path, A) == []
    # Bob's meeting with Alice still happened; only her identity is gone.
    assert rows(db.path, "SELECT count(*) FROM coffee_meeting_members WHERE user_id IS NULL") == [
        (1,)
    ]


async def test_a_round_with_someone_who_is_not_a_champion_is_not_stored(
    service: ProgrammeService, db: Database
) -> None:
    lunch = await _programme(service, (A, B))
    with pytest.raises(ProgrammeError) as raised:
        await service.store_round(lunch, "2026-W48", [[A, 424242]])
    assert raised.value.key == "programmes.not_a_champion"
    assert await ProgrammeRepo(db).latest_round(lunch.programme_id) is None
