"""Coffee rules that need no Discord: rounds, choices, silence and statistics."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Profile
from bot.offload import Offload
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo, NewMeeting, NewRound, new_round, write_round
from bot.repos.guilds import GuildRepo
from bot.repos.prompts import PromptRepo
from bot.services.coffee import INLINE_BELOW, MISSED_CHECKINS_BEFORE_PAUSE, CoffeeService
from bot.services.content import PromptKind, load_content
from bot.services.pairing.assignment import ASSIGNMENT_LIMIT
from bot.services.prompts import PromptService, stable_seed

GUILD = 888888888888888888


def _header(clock: FakeClock, period_key: str, *, seed: int = 1) -> NewRound:
    """A round's own row, made now, for the writers under test."""
    return new_round(
        GUILD,
        period_key,
        seed=seed,
        condition_number=1,
        starter="Hello",
        now=clock.now(),
        checkin_due_at=clock.now(),
    )


@pytest.fixture
async def coffee(db: Database, clock: FakeClock) -> CoffeeService:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    groups = await guilds.groups(GUILD)
    champions = ChampionRepo(db)
    for index in range(6):
        profile = Profile(
            group_id=groups[index % 3].group_id, region_id="london", coffee_opt_in=True
        )
        await champions.save(GUILD, 1000 + index, profile, clock.now())
    prompts = PromptService(load_content(), PromptRepo(db))
    return CoffeeService(CoffeeRepo(db), champions, guilds, prompts, clock)


async def test_round_is_stored_once_and_cross_group(coffee: CoffeeService, db: Database) -> None:
    first = await coffee.make_round(GUILD, "2026-W48", coffee.now())
    again = await coffee.make_round(GUILD, "2026-W48", coffee.now())
    assert first == again
    meetings = await CoffeeRepo(db).meetings(first.round_id)
    assert len(meetings) == 3 and all(m.cross_group for m in meetings)
    assert first.condition_number == 1 and first.starter


async def test_preview_matches_the_round_it_would_make(coffee: CoffeeService, db: Database) -> None:
    plan = await coffee.plan(GUILD, "2026-W48", coffee.now())
    made = await coffee.make_round(GUILD, "2026-W48", coffee.now())
    stored = [
        tuple(str(u) for u in m.user_ids) for m in await CoffeeRepo(db).meetings(made.round_id)
    ]
    assert stored == [tuple(m) for m in plan.result.meetings]


async def test_three_silent_checkins_pause_a_member(
    coffee: CoffeeService, db: Database, clock: FakeClock
) -> None:
    repo = CoffeeRepo(db)
    paused: list[int] = []
    for week in range(MISSED_CHECKINS_BEFORE_PAUSE):
        made = await coffee.make_round(GUILD, f"2026-W{48 + week}", clock.now())
        for meeting in await repo.meetings(made.round_id):
            await repo.mark_checkin_posted(meeting.meeting_id, clock.now())
            for user_id in meeting.user_ids:
                if user_id != 1000:  # everyone answers except champion 1000
                    await repo.record_answer(meeting.meeting_id, user_id, "yes", clock.now())
        paused = await coffee.pause_the_silent(GUILD, made.round_id)
        clock.advance(timedelta(days=7))
    assert paused == [1000]
    opted_in, until = await coffee.status(GUILD, 1000)
    assert opted_in and until is not None and until > clock.now()
    participants = await repo.participants(GUILD, "2026-W51", clock.now())
    assert 1000 not in [c.user_id for c in participants]
    await coffee.resume(GUILD, 1000)
    assert 1000 in [c.user_id for c in await repo.participants(GUILD, "2026-W51", clock.now())]


async def test_member_choices(coffee: CoffeeService, db: Database, clock: FakeClock) -> None:
    repo = CoffeeRepo(db)
    until = await coffee.pause(GUILD, 1001, 2)
    assert until == clock.now() + timedelta(weeks=2)
    assert 1001 not in [c.user_id for c in await repo.participants(GUILD, "x", clock.now())]
    later = clock.now() + timedelta(weeks=2, minutes=1)
    assert 1001 in [c.user_id for c in await repo.participants(GUILD, "x", later)]
    with pytest.raises(UserFacingError):
        await coffee.pause(GUILD, 1001, 13)
    with pytest.raises(UserFacingError):
        await coffee.never(GUILD, 1002, 1002)
    await coffee.never(GUILD, 1002, 1003)
    assert (1002, 1003) in await repo.blocked_pairs(GUILD)
    with pytest.raises(UserFacingError) as raised:
        await coffee.join(GUILD, 4242)
    assert raised.value.key == "coffee.not_a_champion"


async def test_blocked_pair_is_never_formed(coffee: CoffeeService, db: Database) -> None:
    repo = CoffeeRepo(db)
    for other in range(1001, 1006):
        if other % 3 != 1000 % 3:
            await coffee.never(GUILD, 1000, other)
    allowed = {1000 + i for i in range(6) if i % 3 == 0}  # 1000's own group only: 1003
    made = await coffee.make_round(GUILD, "2026-W48", coffee.now())
    for meeting in await repo.meetings(made.round_id):
        if 1000 in meeting.user_ids:
            assert set(meeting.user_ids) - {1000} <= allowed


async def test_stats(coffee: CoffeeService, db: Database, clock: FakeClock) -> None:
    repo = CoffeeRepo(db)
    empty = await coffee.stats(GUILD)
    assert empty.rounds == 0 and empty.cross_group_percent is None
    made = await coffee.make_round(GUILD, "2026-W48", clock.now())
    meetings = await repo.meetings(made.round_id)
    await repo.record_answer(meetings[0].meeting_id, meetings[0].user_ids[0], "yes", clock.now())
    await repo.record_answer(meetings[1].meeting_id, meetings[1].user_ids[0], "cant", clock.now())
    stats = await coffee.stats(GUILD)
    assert (stats.rounds, stats.meetings) == (1, 3)
    assert stats.cross_group_percent == 100
    assert stats.meeting_rate_percent == 50


async def test_headsup_time_wraps_around_the_week(coffee: CoffeeService) -> None:
    assert await coffee.headsup_time(GUILD) is None
    when = await coffee.set_headsup(GUILD, 12)
    assert when is not None and when.describe() == "Sunday 21:00"
    with pytest.raises(UserFacingError):
        await coffee.set_headsup(GUILD, 73)
    assert await coffee.set_headsup(GUILD, 0) is None


async def test_a_round_that_misses_the_same_group_bound_is_noticed(
    coffee: CoffeeService, db: Database, clock: FakeClock
) -> None:
    from bot.repos.coffee import NewMeeting

    repo = CoffeeRepo(db)
    justice, education = [g.group_id for g in await GuildRepo(db).groups(GUILD)][:2]

    async def stored(week: str, meetings: list[NewMeeting]) -> int:
        made = await repo.create_round(
            GUILD,
            week,
            seed=0,
            condition_number=None,
            starter=None,
            now=clock.now(),
            checkin_due_at=clock.now(),
            meetings=meetings,
        )
        return made.round_id

    mixed = await stored(
        "2026-W40",
        [NewMeeting(((1, justice), (2, education))), NewMeeting(((3, justice), (4, education)))],
    )
    apart = await stored(
        "2026-W41",
        [NewMeeting(((1, justice), (3, justice))), NewMeeting(((2, education), (4, education)))],
    )
    assert await coffee.same_group_shortfall(mixed) is None
    assert await coffee.same_group_shortfall(apart) == (2, 0)


async def test_a_big_round_made_in_a_worker_is_the_round_made_inline(
    db: Database, clock: FakeClock
) -> None:
    """From INLINE_BELOW members the worker reads the file itself: same plan, same round."""
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    groups = await guilds.groups(GUILD)
    champions, repo = ChampionRepo(db), CoffeeRepo(db)
    for index in range(INLINE_BELOW + 11):
        profile = Profile(
            group_id=groups[index % 4].group_id,
            region_id="london",
            coffee_opt_in=True,
            interests=frozenset(("walking", "food", "music")[: index % 4]),
        )
        await champions.save(GUILD, 5000 + index, profile, clock.now())
    await repo.block(GUILD, 5000, 5004, clock.now())
    await repo.skip(GUILD, 5001, "2026-W48")
    await repo.set_pause(GUILD, 5002, clock.now() + timedelta(days=30))
    prompts = PromptService(load_content(), PromptRepo(db))
    inline = CoffeeService(repo, champions, guilds, prompts, clock)
    last_week = await inline.make_round(GUILD, "2026-W47", clock.now())
    offload = Offload(workers=1)
    try:
        pooled = CoffeeService(repo, champions, guilds, prompts, clock, offload)
        expected = await inline.plan(GUILD, "2026-W48", clock.now())
        planned = await pooled.plan(GUILD, "2026-W48", clock.now())
        assert offload.started
        made = await pooled.make_round(GUILD, "2026-W48", clock.now())
    finally:
        await offload.close()
    assert planned == expected
    assert planned.people == INLINE_BELOW + 11 - 2
    # The worker stored the round's own row as the bot would have, once.
    condition = await prompts.condition_for_week(GUILD, "2026-W48")
    assert (made.period_key, made.seed) == ("2026-W48", stable_seed(GUILD, "2026-W48"))
    assert made.condition_number == condition.number
    assert made.starter == await prompts.pick(GUILD, "2026-W48", condition, PromptKind.STARTER)
    assert made.checkin_due_at == clock.now() + timedelta(
        days=(await repo.settings(GUILD)).checkin_days
    )
    assert await inline.make_round(GUILD, "2026-W48", clock.now()) == made
    assert await repo.totals(GUILD) == await repo.recount(GUILD)
    assert {5001, 5002}.isdisjoint(planned.group_of)
    stored = [tuple(str(u) for u in m.user_ids) for m in await repo.meetings(made.round_id)]
    assert stored == [tuple(m) for m in planned.result.meetings]
    past = {frozenset(m.user_ids) for m in await repo.meetings(last_week.round_id)}
    assert not past & {frozenset(int(u) for u in m) for m in planned.result.meetings}
    assert not any({"5000", "5004"} <= set(m) for m in planned.result.meetings)


async def test_a_worker_that_fails_mid_round_leaves_nothing_behind(
    db: Database, clock: FakeClock
) -> None:
    guilds, repo = GuildRepo(db), CoffeeRepo(db)
    await guilds.ensure(GUILD, clock.now())
    group = (await guilds.groups(GUILD))[0].group_id
    before = await repo.totals(GUILD)
    header = _header(clock, "2026-W48")
    meetings = [NewMeeting(((1, group), (2, group))), NewMeeting(((3, group), (4, group)))]
    # The members' insert fails after the round's row and its meetings were written.
    await db.execute(
        "CREATE TRIGGER refuse_member BEFORE INSERT ON coffee_meeting_members "
        "WHEN NEW.user_id = 4 BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError, match="the disk is full"):
        write_round(db.path, header, meetings, [9])
    await db.execute("DROP TRIGGER refuse_member")
    # A member id SQLite cannot hold is refused before anything is written.
    broken = [NewMeeting(((1, group), (2, group))), NewMeeting(((3, group), (2**70, group)))]
    with pytest.raises(OverflowError):
        write_round(db.path, header, broken, [])
    assert await repo.round_for(GUILD, "2026-W48") is None
    assert await db.fetchval("SELECT count(*) FROM coffee_meetings") == 0
    assert await db.fetchval("SELECT count(*) FROM coffee_meeting_members") == 0
    assert await db.fetchval("SELECT count(*) FROM round_sitouts") == 0
    assert await db.fetchval("SELECT count(*) FROM coffee_bulk_writes") == 0
    assert await repo.totals(GUILD) == before

    # An existing week is kept: the worker writes nothing and answers with its id.
    made = await repo.store_round(header, [NewMeeting(((1, group), (2, group)))])
    again = write_round(db.path, header, [NewMeeting(((5, group), (6, group)))], [7])
    assert again == made.round_id
    assert [m.user_ids for m in await repo.meetings(made.round_id)] == [[1, 2]]
    assert await repo.sat_out(made.round_id) == []


async def test_members_find_their_meeting_when_meeting_ids_do_not_follow_positions(
    db: Database, clock: FakeClock
) -> None:
    """Once the largest id SQLite can hold is taken, it numbers new rows at random: a
    round's members must still land in their own meeting, from either writer."""
    guilds, repo = GuildRepo(db), CoffeeRepo(db)
    await guilds.ensure(GUILD, clock.now())
    one, two = [g.group_id for g in (await guilds.groups(GUILD))[:2]]
    old = await repo.store_round(
        _header(clock, "2026-W40"),
        [NewMeeting(((1, one), (2, two)))],
    )
    await db.execute(
        "INSERT INTO coffee_meetings (meeting_id, round_id, guild_id, position, cross_group) "
        "VALUES (?, ?, ?, 1, 0)",
        (2**63 - 1, old.round_id, GUILD),
    )
    written = [
        [(10 * week + i, one if i % 2 else two) for i in range(week % 3 + 2)]
        for week in range(41, 49)
    ]
    for week, members in zip(range(41, 49), written, strict=True):
        header = _header(clock, f"2026-W{week}", seed=week)
        meetings = [NewMeeting(tuple(members[:2])), NewMeeting(tuple(members[2:]) or ((9, one),))]
        if week % 2:
            round_id = write_round(db.path, header, meetings, [])
        else:
            round_id = (await repo.store_round(header, meetings)).round_id
        stored = await repo.meetings(round_id)
        assert [m.user_ids for m in stored] == [[u for u, _ in m.members] for m in meetings]
        first, second = (m.meeting_id for m in stored)
        assert second != first + 1  # numbered at random: only the look-up by position works
    assert await repo.totals(GUILD) == await repo.recount(GUILD)


async def test_the_count_that_routes_a_round_stops_at_enough_and_counts_only_who_takes_part(
    coffee: CoffeeService, db: Database, clock: FakeClock
) -> None:
    repo = CoffeeRepo(db)
    week = await coffee.run_now_period(GUILD)
    assert await repo.participants_at_least(GUILD, week, clock.now(), 6)
    assert not await repo.participants_at_least(GUILD, week, clock.now(), 7)
    await repo.skip(GUILD, 1000, week)
    await repo.set_pause(GUILD, 1001, clock.now() + timedelta(days=30))
    assert await repo.participants_at_least(GUILD, week, clock.now(), 4)
    assert not await repo.participants_at_least(GUILD, week, clock.now(), 5)
    assert len(await repo.participants(GUILD, week, clock.now())) == 4


async def test_workers_are_warmed_with_what_the_first_round_will_import(
    coffee: CoffeeService, db: Database, clock: FakeClock
) -> None:
    """No worker for a small roulette; the assignment's libraries for one the engine
    pairs from an assignment; only the service for one too big for an assignment."""
    assert await coffee.worker_modules([GUILD]) == ()
    guilds, champions = GuildRepo(db), ChampionRepo(db)
    groups = await guilds.groups(GUILD)
    for index in range(ASSIGNMENT_LIMIT + 1):
        profile = Profile(group_id=groups[index % 3].group_id, coffee_opt_in=True)
        await champions.save(GUILD, 20_000 + index, profile, clock.now())
        taking_part = index + 7  # with the fixture's six
        if taking_part == INLINE_BELOW - 1:
            assert await coffee.worker_modules([GUILD]) == ()
        if taking_part == INLINE_BELOW:
            assert await coffee.worker_modules([GUILD]) == (
                "bot.services.coffee",
                "numpy",
                "scipy.optimize",
            )
    assert await coffee.worker_modules([GUILD]) == ("bot.services.coffee",)
    assert await coffee.worker_modules([]) == ()
