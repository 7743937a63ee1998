"""Input rules for the /setup commands, checked without Discord."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.models import ScheduledJob, WeeklyTime
from bot.problems import UserFacingError
from bot.repos.guilds import DEFAULT_GROUPS, GuildRepo
from bot.services.setup import (
    GROUP_NAME_MAX,
    SetupService,
    clean_emoji,
    clean_group_name,
    clean_timezone,
    parse_time_of_day,
    role_problem,
    suggest_timezones,
)

GUILD = 333333333333333333


@pytest.fixture
def service(db: Database, clock: FakeClock) -> SetupService:
    return SetupService(GuildRepo(db), clock)


def _key(call: object) -> str:
    assert isinstance(call, UserFacingError)
    return call.key


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", "setup.group_name_empty"),
        ("   \t ", "setup.group_name_empty"),
        ("\u200b\u200b", "setup.group_name_empty"),
        ("x" * (GROUP_NAME_MAX + 1), "setup.group_name_too_long"),
        ("@everyone", "setup.group_name_symbols"),
        ("<@&123> fans", "setup.group_name_symbols"),
    ],
)
def test_bad_group_names_are_refused(raw: str, key: str) -> None:
    with pytest.raises(UserFacingError) as raised:
        clean_group_name(raw)
    assert raised.value.key == key


def test_group_names_are_tidied() -> None:
    assert clean_group_name("  Arts \u200b  and   culture ") == "Arts and culture"
    assert clean_group_name("x" * GROUP_NAME_MAX) == "x" * GROUP_NAME_MAX


@given(st.text(max_size=80))
def test_group_name_rule_never_crashes(raw: str) -> None:
    try:
        name = clean_group_name(raw)
    except UserFacingError as error:
        assert error.key.startswith("setup.group_name_")
    else:
        assert 0 < len(name) <= GROUP_NAME_MAX
        assert name == name.strip()
        assert "@" not in name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("europe/london", "Europe/London"),
        (" Asia/Kolkata ", "Asia/Kolkata"),
        ("UTC", "UTC"),
        # the city names the timezone message suggests typing
        ("London", "Europe/London"),
        ("dublin", "Europe/Dublin"),
        ("New York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("KOLKATA", "Asia/Kolkata"),
        ("Indianapolis", "America/Indianapolis"),
    ],
)
def test_timezones_are_canonicalised(raw: str, expected: str) -> None:
    assert clean_timezone(raw) == expected


@pytest.mark.parametrize("raw", ["Mars/Olympus", "", "Londn", "Europe/Londn", "Europe"])
def test_unknown_timezones_are_refused(raw: str) -> None:
    with pytest.raises(UserFacingError) as raised:
        clean_timezone(raw)
    assert raised.value.key == "setup.timezone_unknown"


def test_timezone_suggestions() -> None:
    assert suggest_timezones("")[0] == "Europe/London"
    assert suggest_timezones("London")[0] == "Europe/London"
    assert "Europe/London" in suggest_timezones("lond")
    assert suggest_timezones("europe/li")[0] == "Europe/Lisbon"
    assert suggest_timezones("new york") == ["America/New_York"]
    assert len(suggest_timezones("a")) == 25
    assert suggest_timezones("zzzz") == []


@pytest.mark.parametrize(
    ("raw", "parsed"), [("09:00", (9, 0)), ("7:05", (7, 5)), ("23.59", (23, 59))]
)
def test_times_of_day(raw: str, parsed: tuple[int, int]) -> None:
    assert parse_time_of_day(raw) == parsed


@pytest.mark.parametrize("raw", ["24:00", "9", "nine", "12:60", "", "9am"])
def test_bad_times_of_day(raw: str) -> None:
    with pytest.raises(UserFacingError) as raised:
        parse_time_of_day(raw)
    assert raised.value.key == "setup.time_invalid"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("🤝", "🤝"),
        ("<:kind:123456789012345678>", "<:kind:123456789012345678>"),
    ],
)
def test_emoji(raw: str | None, expected: str | None) -> None:
    assert clean_emoji(raw) == expected


@pytest.mark.parametrize("raw", ["smile", ":)", "🤝 friends"])
def test_bad_emoji(raw: str) -> None:
    with pytest.raises(UserFacingError):
        clean_emoji(raw)


def test_role_rules() -> None:
    ok = {"is_default": False, "is_managed": False, "bot_top_position": 5}
    assert role_problem(position=3, **ok) is None
    assert role_problem(position=5, **ok) == "setup.role_above_bot"
    assert role_problem(position=9, **ok) == "setup.role_above_bot"
    assert role_problem(is_default=True, is_managed=False, position=0, bot_top_position=5) == (
        "setup.role_everyone"
    )
    assert role_problem(is_default=False, is_managed=True, position=1, bot_top_position=5) == (
        "setup.role_managed"
    )


async def test_new_guild_gets_default_groups(service: SetupService) -> None:
    groups = await service.groups(GUILD)
    assert [g.name for g in groups] == [name for name, _ in DEFAULT_GROUPS]


async def test_duplicate_group_is_refused_and_nothing_changes(service: SetupService) -> None:
    before = await service.groups(GUILD)
    with pytest.raises(UserFacingError) as raised:
        await service.add_group(GUILD, "  health   & CARE ", None, None)
    assert raised.value.key == "setup.group_duplicate"
    assert await service.groups(GUILD) == before


async def test_rename_and_remove_groups(service: SetupService) -> None:
    await service.add_group(GUILD, "Arts", "🎨", None)
    _, new = await service.rename_group(GUILD, "arts", "Arts & culture")
    assert new == "Arts & culture"
    with pytest.raises(UserFacingError) as raised:
        await service.rename_group(GUILD, "Justice", "arts & CULTURE")
    assert raised.value.key == "setup.group_duplicate"
    removed = await service.remove_group(GUILD, "Arts & culture")
    assert removed.emoji == "🎨"
    with pytest.raises(UserFacingError) as raised:
        await service.remove_group(GUILD, "Arts & culture")
    assert raised.value.key == "setup.group_unknown"


async def test_cannot_drop_below_two_groups(service: SetupService) -> None:
    groups = await service.groups(GUILD)
    for group in groups[:-2]:
        await service.remove_group(GUILD, group.name)
    with pytest.raises(UserFacingError) as raised:
        await service.remove_group(GUILD, groups[-1].name)
    assert raised.value.key == "setup.group_last_ones"
    assert len(await service.groups(GUILD)) == 2


async def test_schedule_and_timezone(service: SetupService) -> None:
    assert (await service.schedules(GUILD))[ScheduledJob.DIGEST] == ScheduledJob.DIGEST.default_time
    when = await service.set_schedule(GUILD, ScheduledJob.DIGEST, 2, "18:15")
    assert when == WeeklyTime(2, 18, 15)
    assert (await service.schedules(GUILD))[ScheduledJob.DIGEST] == when
    with pytest.raises(UserFacingError):
        await service.set_schedule(GUILD, ScheduledJob.DIGEST, 2, "25:00")
    assert (await service.schedules(GUILD))[ScheduledJob.DIGEST] == when
    assert await service.set_timezone(GUILD, "europe/dublin") == "Europe/Dublin"


async def test_guilds_never_see_each_other(service: SetupService) -> None:
    other = 444444444444444444
    await service.add_group(GUILD, "Arts", None, None)
    assert "Arts" not in [g.name for g in await service.groups(other)]
    await service.add_group(other, "Arts", None, None)  # same name is fine elsewhere
