"""Programmes: setting them up, their names and limits, and members' own choices."""

from __future__ import annotations

import ast
import asyncio
import string
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.models import ChannelPurpose, Profile
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo
from bot.repos.guilds import GuildRepo
from bot.repos.programmes import ProgrammeCandidate, ProgrammeFormat, ProgrammeRepo
from bot.services.programmes import (
    MAX_NAME_LENGTH,
    ProgrammeDraft,
    ProgrammeError,
    ProgrammeService,
    clean_name,
    programme_texts,
)

GUILD = 777777777777777777
OTHER_GUILD = 666666666666666666
ALICE, BOB, CAROL, DAN = 101, 102, 103, 104
OUTSIDER = 199
COOKS_ROLE = 5555
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def service(db: Database, clock: FakeClock) -> ProgrammeService:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    await guilds.ensure(OTHER_GUILD, clock.now())
    groups = await guilds.groups(GUILD)
    champions = ChampionRepo(db)
    for index, user in enumerate((ALICE, BOB, CAROL, DAN)):
        profile = Profile(group_id=groups[index % 3].group_id, region_id="london")
        await champions.save(GUILD, user, profile, clock.now())
    await champions.save(GUILD, OUTSIDER, Profile(group_id=groups[0].group_id), clock.now())
    return ProgrammeService(ProgrammeRepo(db), champions, guilds, clock)


def lunch(**changes: object) -> ProgrammeDraft:
    fields: dict[str, object] = {
        "name": "Lunch club",
        "day_of_week": 3,
        "at": time(12, 30),
        "channel_id": 4242,
        "group_size": 4,
        **changes,
    }
    return ProgrammeDraft(**fields)  # type: ignore[arg-type]


async def _count(db: Database, guild: int = GUILD) -> int:
    return int(await db.fetchval("SELECT count(*) FROM programmes WHERE guild_id = ?", (guild,)))


async def _key(coro: object) -> str:
    with pytest.raises(ProgrammeError) as raised:
        await coro  # type: ignore[misc]
    return raised.value.key


# Setting up


async def test_every_server_starts_with_the_roulette_as_its_default_programme(
    service: ProgrammeService,
) -> None:
    [default] = await service.programmes(GUILD)
    assert default.is_default and default.name == "Coffee roulette"
    assert default.group_size == 2
    assert default.settings.format is ProgrammeFormat.ONLINE
    assert default.rhythm.every_weeks == 1
    assert (default.rhythm.day_of_week, default.rhythm.hour) == (0, 9)


async def test_create_a_monthly_in_person_programme(
    service: ProgrammeService, clock: FakeClock
) -> None:
    made = await service.create(
        GUILD,
        lunch(
            rhythm="monthly",
            week_of_month=-1,
            format="in_person",
            role_id=COOKS_ROLE,
            timezone="America/New_York",
        ),
    )
    again = await service.get(GUILD, made.programme_id)
    assert again == made
    assert made.name == "Lunch club" and not made.is_default
    assert made.rhythm.week_of_month == -1 and made.rhythm.timezone == "America/New_York"
    assert made.rhythm.anchor == date(2026, 11, 23)
    assert made.settings.role_id == COOKS_ROLE and made.settings.channel_id == 4242
    assert await service.find(GUILD, "  LUNCH   club ") == made
    # The last Thursday of November 2026, 12:30 in New York (EST).
    assert service.next_due(made, clock.now()).isoformat() == "2026-11-26T17:30:00+00:00"


def test_names_are_trimmed_of_odd_spaces_and_invisible_characters() -> None:
    assert clean_name("  Lunch\u200b\u00a0\u3000 club\ufeff\n") == ("Lunch club", "lunch club")
    assert clean_name("Ｍｅａｌ　ｔｉｍｅ") == ("Meal time", "meal time")
    assert clean_name("Cooks 👩\u200d🍳")[0] == "Cooks 👩\u200d🍳"
    assert clean_name("STRASSE")[1] == clean_name("straße")[1]


@pytest.mark.parametrize(
    "raw", ["", "   ", "\u200b\u200d\ufeff", "\u3000\u00a0\t\n", "\u0301\u0301"]
)
def test_blank_names_are_refused(raw: str) -> None:
    with pytest.raises(ProgrammeError) as raised:
        clean_name(raw)
    assert raised.value.key == "programmes.name_blank"


def test_long_names_are_refused() -> None:
    assert clean_name("x" * MAX_NAME_LENGTH)[0] == "x" * MAX_NAME_LENGTH
    with pytest.raises(ProgrammeError) as raised:
        clean_name("x" * (MAX_NAME_LENGTH + 1))
    assert raised.value.key == "programmes.name_too_long"
    assert raised.value.params == {"limit": 50, "length": 51}


@given(st.text(alphabet=string.ascii_letters + " \u00a0\u200b", min_size=1, max_size=60))
def test_cleaning_a_name_twice_changes_nothing(raw: str) -> None:
    try:
        name, key = clean_name(raw)
    except ProgrammeError:
        return
    assert clean_name(name) == (name, key)
    assert clean_name(name.upper())[1] == clean_name(name.lower())[1]
    assert 1 <= len(name) <= MAX_NAME_LENGTH and name == name.strip()


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"name": "COFFEE Roulette"}, "programmes.name_taken"),
        ({"name": " \u200b "}, "programmes.name_blank"),
        ({"group_size": 1}, "programmes.group_size_range"),
        ({"group_size": 9}, "programmes.group_size_range"),
        ({"every_weeks": 5}, "programmes.every_weeks_range"),
        ({"rhythm": "monthly", "week_of_month": 5}, "programmes.week_of_month_range"),
        ({"rhythm": "daily"}, "programmes.unknown_rhythm"),
        ({"format": "by post"}, "programmes.unknown_format"),
        ({"day_of_week": 7}, "programmes.day_range"),
        ({"timezone": "Europe/Atlantis"}, "programmes.unknown_timezone"),
    ],
)
async def test_bad_programmes_are_refused_and_nothing_is_created(
    service: ProgrammeService, db: Database, changes: dict[str, object], key: str
) -> None:
    assert await _key(service.create(GUILD, lunch(**changes))) == key
    assert await _count(db) == 1


async def test_names_are_unique_per_server_only(service: ProgrammeService) -> None:
    await service.create(GUILD, lunch())
    assert await _key(service.create(GUILD, lunch(name="lunch CLUB"))) == "programmes.name_taken"
    await service.create(OTHER_GUILD, lunch(name="lunch CLUB"))


async def test_the_cap_on_programmes_holds_even_when_asked_at_once(
    service: ProgrammeService, db: Database
) -> None:
    assert await ProgrammeRepo(db).limit(GUILD) == 10
    await service.set_limit(GUILD, 3)
    results = await asyncio.gather(
        *(service.create(GUILD, lunch(name=f"Programme {n}")) for n in range(5)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, ProgrammeError)]
    assert len(refused) == 3 and {r.key for r in refused} == {"programmes.limit_reached"}
    assert await _count(db) == 3
    assert await _key(service.set_limit(GUILD, 0)) == "programmes.limit_range"


async def test_edit_keeps_names_unique(service: ProgrammeService) -> None:
    made = await service.create(GUILD, lunch())
    edited = await service.edit(GUILD, made.programme_id, lunch(name="Supper club", every_weeks=2))
    assert edited.name == "Supper club" and edited.rhythm.every_weeks == 2
    assert (
        await _key(service.edit(GUILD, made.programme_id, lunch(name="coffee roulette")))
        == "programmes.name_taken"
    )
    assert await _key(service.edit(GUILD, 999, lunch())) == "programmes.unknown"


async def test_the_default_programme_stays_and_others_go_with_their_members(
    service: ProgrammeService, db: Database
) -> None:
    default = (await service.programmes(GUILD))[0]
    assert await _key(service.remove(GUILD, default.programme_id)) == "programmes.default_stays"
    made = await service.create(GUILD, lunch())
    await service.join(GUILD, made.programme_id, ALICE)
    await service.remove(GUILD, made.programme_id)
    assert await _count(db) == 1
    assert await db.fetchval("SELECT count(*) FROM programme_members") == 0
    assert await _key(service.get(GUILD, made.programme_id)) == "programmes.unknown"
    assert await _key(service.remove(OTHER_GUILD, default.programme_id)) == "programmes.unknown"


async def test_a_paused_programme_resumes_by_itself(
    service: ProgrammeService, clock: FakeClock
) -> None:
    made = await service.create(GUILD, lunch())  # Thursdays 12:30
    resume = await service.pause_programme(GUILD, made.programme_id, date(2026, 12, 8))
    clock.set(clock.now().replace(day=26, hour=13))  # Thursday 26 November, just after
    assert [d.programme.name for d in await service.due_rounds(GUILD)] == []
    current = await service.get(GUILD, made.programme_id)
    assert current.paused_at(clock.now())
    assert service.next_due(current, clock.now()).date() == date(2026, 12, 10)
    clock.set(resume + timedelta(days=2, hours=12, minutes=45))  # Thursday 10 December
    assert [d.period_key for d in await service.due_rounds(GUILD)] == ["2026-W50"]
    past = date(2026, 12, 1)
    assert (
        await _key(service.pause_programme(GUILD, made.programme_id, past))
        == "programmes.resume_in_past"
    )
    far = date(2028, 1, 1)
    assert (
        await _key(service.pause_programme(GUILD, made.programme_id, far))
        == "programmes.resume_too_far"
    )
    await service.resume_programme(GUILD, made.programme_id)
    assert (await service.get(GUILD, made.programme_id)).paused_until is None


# Members


async def test_members_choose_each_programme_separately(
    service: ProgrammeService, db: Database, clock: FakeClock
) -> None:
    default = (await service.programmes(GUILD))[0]
    made = await service.create(GUILD, lunch())
    repo = ProgrammeRepo(db)
    assert await service.join(GUILD, made.programme_id, ALICE)
    assert not await service.join(GUILD, made.programme_id, ALICE)
    await service.join(GUILD, made.programme_id, BOB)
    await service.join(GUILD, default.programme_id, ALICE)
    await service.join(GUILD, default.programme_id, BOB)

    until = await service.pause(GUILD, made.programme_id, ALICE, 2)
    assert until == clock.now() + timedelta(weeks=2)
    skipped = await service.skip(GUILD, default.programme_id, BOB)
    assert skipped == "2026-W49"  # Monday 09:00 has passed this week
    lunch_period = await service.next_round_period(made)
    assert lunch_period == "2026-W48"

    def ids(found: list[ProgrammeCandidate]) -> list[int]:
        return [c.user_id for c in found]

    now = clock.now()
    assert ids(await repo.participants(made.programme_id, lunch_period, now)) == [BOB]
    assert ids(await repo.participants(default.programme_id, "2026-W49", now)) == [ALICE]
    assert ids(await repo.participants(made.programme_id, "2026-W49", until)) == [ALICE, BOB]

    await service.leave(GUILD, made.programme_id, BOB)
    assert await repo.member_ids(made.programme_id) == [ALICE]
    assert await repo.member_ids(default.programme_id) == [ALICE, BOB]
    mine = await service.my_programmes(GUILD, ALICE)
    assert [p.name for p, _ in mine] == ["Coffee roulette", "Lunch club"]
    assert mine[1][1].paused_until == until
    await service.resume(GUILD, made.programme_id, ALICE)
    assert (await repo.membership(made.programme_id, ALICE)).paused_until is None  # type: ignore[union-attr]


@pytest.mark.parametrize("weeks", [0, 13])
async def test_pauses_are_between_one_and_twelve_weeks(
    service: ProgrammeService, weeks: int
) -> None:
    made = await service.create(GUILD, lunch())
    await service.join(GUILD, made.programme_id, ALICE)
    assert await _key(service.pause(GUILD, made.programme_id, ALICE, weeks)) == (
        "programmes.pause_range"
    )


async def test_choices_need_a_champion_and_a_membership(service: ProgrammeService) -> None:
    made = await service.create(GUILD, lunch())
    assert await _key(service.join(GUILD, made.programme_id, 424242)) == (
        "programmes.not_a_champion"
    )
    for action in (service.leave, service.resume, service.skip):
        assert await _key(action(GUILD, made.programme_id, ALICE)) == "programmes.not_a_member"
    assert await _key(service.join(OTHER_GUILD, made.programme_id, ALICE)) == ("programmes.unknown")


async def test_a_role_limited_programme_refuses_others_with_a_reason(
    service: ProgrammeService, db: Database
) -> None:
    made = await service.create(GUILD, lunch(role_id=COOKS_ROLE))
    with pytest.raises(ProgrammeError) as raised:
        await service.join(GUILD, made.programme_id, ALICE, role_ids=[1, 2])
    assert raised.value.key == "programmes.role_required"
    assert raised.value.params == {"programme": "Lunch club", "role": COOKS_ROLE}
    text = programme_texts()(raised.value.key, **raised.value.params)
    assert f"<@&{COOKS_ROLE}>" in text and "Lunch club" in text
    assert await ProgrammeRepo(db).member_ids(made.programme_id) == []
    assert await service.join(GUILD, made.programme_id, ALICE, role_ids=[COOKS_ROLE])


async def test_in_person_programmes_need_a_region(service: ProgrammeService) -> None:
    made = await service.create(GUILD, lunch(format="in_person"))
    assert await _key(service.join(GUILD, made.programme_id, OUTSIDER)) == (
        "programmes.region_needed"
    )
    assert await service.join(GUILD, made.programme_id, ALICE)


async def test_the_default_programme_and_the_roulette_stay_in_step(
    service: ProgrammeService, db: Database, clock: FakeClock
) -> None:
    """Joining the default programme is joining the roulette, and the other way round."""
    default = (await service.programmes(GUILD))[0]
    coffee = CoffeeRepo(db)
    champions = ChampionRepo(db)
    repo = ProgrammeRepo(db)
    await service.join(GUILD, default.programme_id, ALICE)
    await champions.set_coffee(GUILD, BOB, True, clock.now())
    assert [c.user_id for c in await coffee.participants(GUILD, "2026-W49", clock.now())] == [
        ALICE,
        BOB,
    ]
    assert await repo.member_ids(default.programme_id) == [ALICE, BOB]

    until = clock.now() + timedelta(weeks=3)
    await coffee.set_pause(GUILD, BOB, until)
    assert (await repo.membership(default.programme_id, BOB)).paused_until == until  # type: ignore[union-attr]
    await service.pause(GUILD, default.programme_id, ALICE, 1)
    assert await coffee.paused_until(GUILD, ALICE) == clock.now() + timedelta(weeks=1)

    await coffee.skip(GUILD, BOB, "2026-W50")
    assert await repo.skips(default.programme_id, BOB) == ["2026-W50"]
    await service.resume(GUILD, default.programme_id, ALICE)
    await service.skip(GUILD, default.programme_id, ALICE)
    assert [c.user_id for c in await coffee.participants(GUILD, "2026-W49", clock.now())] == []

    await service.leave(GUILD, default.programme_id, ALICE)
    await champions.set_coffee(GUILD, BOB, False, clock.now())
    assert await repo.member_ids(default.programme_id) == []
    assert not (await champions.get(GUILD, ALICE)).profile.coffee_opt_in  # type: ignore[union-attr]


# Wording


def _programme_keys_in_code() -> set[str]:
    keys: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("cogs").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                named = value.startswith("programmes.") and value.count(".") == 1
                if named and not value.endswith(".toml"):
                    keys.add(value)
    return keys


def test_every_programme_message_exists_and_is_used() -> None:
    texts = programme_texts()
    assert sorted(_programme_keys_in_code() - texts.names()) == []
    assert sorted(texts.names() - _programme_keys_in_code()) == []
    for key in sorted(texts.keys()):
        assert "guild" not in texts(key, **dict.fromkeys(texts.placeholders(key), "x")).lower()


async def test_editing_the_default_programme_edits_the_roulettes_own_settings(
    service: ProgrammeService, db: Database
) -> None:
    guilds = GuildRepo(db)
    default = (await service.programmes(GUILD))[0]
    draft = ProgrammeDraft(
        name="Morning coffee",
        day_of_week=4,
        at=time(10, 15),
        channel_id=9090,
        timezone=default.rhythm.timezone,
        anchor=default.rhythm.anchor,
    )
    changed = await service.edit(GUILD, default.programme_id, draft)
    assert changed.is_default and changed.name == "Morning coffee"
    schedule = await guilds.schedule(GUILD, "pairing")
    assert schedule is not None
    assert (schedule.day_of_week, schedule.hour, schedule.minute) == (4, 10, 15)
    config = await guilds.config(GUILD)
    assert config is not None and config.channels[ChannelPurpose.COFFEE] == 9090
    # Another server's roulette is untouched.
    assert await guilds.schedule(OTHER_GUILD, "pairing") is None


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"every_weeks": 2}, "programmes.roulette_fixed_rhythm"),
        ({"rhythm": "monthly", "week_of_month": 1}, "programmes.roulette_fixed_rhythm"),
        ({"group_size": 3}, "programmes.roulette_fixed_group_size"),
        ({"format": "in_person"}, "programmes.roulette_fixed_format"),
        ({"role_id": COOKS_ROLE}, "programmes.roulette_fixed_role"),
    ],
)
async def test_what_the_roulette_cannot_do_is_refused_and_nothing_changes(
    service: ProgrammeService, db: Database, changes: dict[str, object], key: str
) -> None:
    default = (await service.programmes(GUILD))[0]
    fields: dict[str, object] = {"name": "Other name", "day_of_week": 2, "at": time(8), **changes}
    draft = ProgrammeDraft(**fields)  # type: ignore[arg-type]
    assert await _key(service.edit(GUILD, default.programme_id, draft)) == key
    assert "/programme create" in programme_texts()(key, name=default.name)
    assert (await service.programmes(GUILD))[0] == default
    assert await GuildRepo(db).schedule(GUILD, "pairing") is None


async def test_a_pause_is_named_by_when_it_began_and_a_repeat_keeps_it(
    service: ProgrammeService, clock: FakeClock
) -> None:
    made = await service.create(GUILD, lunch())
    assert service.pause_period(made) is None
    await service.pause_programme(GUILD, made.programme_id, date(2026, 12, 10))
    first = service.pause_period(await service.get(GUILD, made.programme_id))
    clock.advance(timedelta(minutes=1))
    await service.pause_programme(GUILD, made.programme_id, date(2026, 12, 10))  # a double click
    assert service.pause_period(await service.get(GUILD, made.programme_id)) == first
    await service.resume_programme(GUILD, made.programme_id)
    resumed = await service.get(GUILD, made.programme_id)
    assert resumed.paused_until is None
    assert service.pause_period(resumed) == first  # the pause that just ended
    clock.advance(timedelta(minutes=1))
    await service.pause_programme(GUILD, made.programme_id, date(2026, 12, 10))
    again = service.pause_period(await service.get(GUILD, made.programme_id))
    assert again is not None and again != first
