"""Onboarding rules and privacy, against a real SQLite file (no Discord)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.models import ChampionStatus, Profile
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.privacy import MEMBER_TABLES, SHARED_TABLES, PrivacyRepo
from bot.services.champions import ChampionsService
from bot.services.content import load_content
from bot.services.onboarding import INTRO_LIMIT, OnboardingService, plan_roles
from bot.services.spreadsheet import spreadsheet_safe
from tests.sqlite_checks import tables_mentioning

GUILD = 555555555555555555
OTHER_GUILD = 666666666666666666
ALICE = 700000000000000001
BOB = 700000000000000002


@pytest.fixture
def onboarding(db: Database, clock: FakeClock) -> OnboardingService:
    return OnboardingService(
        GuildRepo(db), ChampionRepo(db), PrivacyRepo(db), load_content(), clock
    )


@pytest.fixture
def champions(db: Database, clock: FakeClock) -> ChampionsService:
    return ChampionsService(GuildRepo(db), ChampionRepo(db), PrivacyRepo(db), clock)


async def _profile(onboarding: OnboardingService, guild: int = GUILD, **extra: object) -> Profile:
    groups = await onboarding.groups(guild)
    base = Profile(group_id=groups[0].group_id, region_id="london", timezone="Europe/London")
    return Profile(**{**base.__dict__, **extra})  # type: ignore[arg-type]


async def test_join_saves_everything_and_edit_updates(onboarding: OnboardingService) -> None:
    profile = await _profile(
        onboarding, interests=frozenset({"food", "no-such-interest"}), intro="Hello!"
    )
    profile = onboarding.choose_interests(profile, sorted(profile.interests))
    result = await onboarding.join(GUILD, ALICE, profile)
    assert result.created
    assert result.champion.profile.interests == frozenset({"food"})
    assert result.champion.profile.coffee_opt_in is False  # off until chosen
    assert result.champion.profile.digest_name_ok is False

    groups = await onboarding.groups(GUILD)
    edited = Profile(**{**result.champion.profile.__dict__, "group_id": groups[1].group_id})
    second = await onboarding.join(GUILD, ALICE, edited)
    assert not second.created
    assert second.previous_group == groups[0]
    assert second.group == groups[1]


async def test_elsewhere_needs_a_timezone(onboarding: OnboardingService) -> None:
    profile = onboarding.choose_region(await _profile(onboarding), "elsewhere")
    assert profile.region_id == "elsewhere"
    profile = Profile(**{**profile.__dict__, "timezone": None})
    with pytest.raises(UserFacingError) as raised:
        await onboarding.join(GUILD, ALICE, profile)
    assert raised.value.key == "onboarding.timezone_required"
    profile = onboarding.choose_timezone(profile, "asia/kolkata")
    result = await onboarding.join(GUILD, ALICE, profile)
    assert result.champion.profile.timezone == "Asia/Kolkata"


async def test_group_removed_while_choosing(
    onboarding: OnboardingService, db: Database, clock: FakeClock
) -> None:
    profile = await _profile(onboarding)
    assert profile.group_id is not None
    await GuildRepo(db).remove_group(GUILD, profile.group_id)
    with pytest.raises(UserFacingError) as raised:
        await onboarding.join(GUILD, ALICE, profile)
    assert raised.value.key == "onboarding.group_gone"
    assert await onboarding.champion(GUILD, ALICE) is None


@pytest.mark.parametrize(
    ("intro", "key"),
    [("x" * (INTRO_LIMIT + 1), "errors.text_too_long")],
)
async def test_bad_intro_leaves_nothing(
    onboarding: OnboardingService, intro: str, key: str
) -> None:
    with pytest.raises(UserFacingError) as raised:
        await onboarding.join(GUILD, ALICE, await _profile(onboarding, intro=intro))
    assert raised.value.key == key
    assert await onboarding.champion(GUILD, ALICE) is None


async def test_intro_with_mentions_is_kept_as_written(onboarding: OnboardingService) -> None:
    intro = "@everyone <@&123> **bold** \u200b hi"
    result = await onboarding.join(GUILD, ALICE, await _profile(onboarding, intro=intro))
    assert result.champion.profile.intro == intro
    blank = await onboarding.join(GUILD, ALICE, await _profile(onboarding, intro=" \u200b\n "))
    assert blank.champion.profile.intro is None


@settings(max_examples=200)
@given(st.text(max_size=400))
def test_intro_validation_never_crashes(raw: str) -> None:
    try:
        cleaned = OnboardingService.clean_intro(raw)
    except UserFacingError as error:
        assert error.key == "errors.text_too_long"
    else:
        assert cleaned is None or 0 < len(cleaned) <= INTRO_LIMIT


async def test_leave_keep_then_rejoin_and_leave_delete(onboarding: OnboardingService) -> None:
    await onboarding.join(GUILD, ALICE, await _profile(onboarding, coffee_opt_in=True))
    await onboarding.leave(GUILD, ALICE, keep_data=True)
    kept = await onboarding.champion(GUILD, ALICE)
    assert kept is not None and kept.status is ChampionStatus.LEFT
    assert kept.profile.coffee_opt_in is False
    with pytest.raises(UserFacingError):
        await onboarding.leave(GUILD, ALICE, keep_data=True)
    await onboarding.join(GUILD, ALICE, kept.profile)
    await onboarding.leave(GUILD, ALICE, keep_data=False)
    assert await onboarding.champion(GUILD, ALICE) is None


async def test_leaving_the_server_and_coming_back(onboarding: OnboardingService) -> None:
    await onboarding.join(GUILD, ALICE, await _profile(onboarding, coffee_opt_in=True))
    assert await onboarding.member_left_server(GUILD, ALICE)
    away = await onboarding.champion(GUILD, ALICE)
    assert away is not None and away.status is ChampionStatus.AWAY
    back = await onboarding.member_returned(GUILD, ALICE)
    assert back is not None and back.active and back.profile.coffee_opt_in
    assert await onboarding.member_returned(GUILD, BOB) is None


def test_role_plans() -> None:
    from bot.models import Group

    old = Group(1, GUILD, "Justice", None, 11)
    new = Group(2, GUILD, "Education", None, 22)
    assert plan_roles(99, new, old, joining=True).add == (99, 22)
    assert plan_roles(99, new, old, joining=True).remove == (11,)
    assert plan_roles(None, new, None, joining=False).remove == (22,)
    assert plan_roles(None, Group(3, GUILD, "X", None, None), None, joining=True).add == ()


async def test_my_data_and_forget_me_leave_no_trace(
    onboarding: OnboardingService, champions: ChampionsService, db: Database
) -> None:
    await onboarding.join(
        GUILD, ALICE, await _profile(onboarding, intro="hi", interests=frozenset({"food"}))
    )
    await onboarding.join(GUILD, BOB, await _profile(onboarding))
    await onboarding.join(OTHER_GUILD, ALICE, await _profile(onboarding, OTHER_GUILD))
    exported = (await champions.my_data(GUILD, ALICE)).decode()
    assert '"intro": "hi"' in exported and '"interest_id": "food"' in exported
    assert str(BOB) not in exported
    assert str(OTHER_GUILD) not in exported.replace(f'"guild_id": "{GUILD}"', "")

    await champions.forget(GUILD, ALICE)
    assert not await champions.has_data(GUILD, ALICE)
    assert await champions.has_data(OTHER_GUILD, ALICE)  # another community is untouched
    await champions.forget(OTHER_GUILD, ALICE)
    await db.close()
    assert tables_mentioning(db.path, ALICE) == []


async def test_every_member_table_is_covered_by_privacy(db: Database) -> None:
    covered = {t.table for t in MEMBER_TABLES} | {t.table for t in SHARED_TABLES}
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    uncovered = []
    for (table,) in rows:
        columns = await db.fetchall(f"PRAGMA table_info({table})")
        names = {c["name"] for c in columns}
        if names & {"user_id", "member_id", "author_id", "partner_id"} and table not in covered:
            uncovered.append(table)
    assert uncovered == []


async def test_overview_and_csv(onboarding: OnboardingService, champions: ChampionsService) -> None:
    await onboarding.join(GUILD, ALICE, await _profile(onboarding, intro='=HYPERLINK("x")'))
    overview = await champions.overview(GUILD)
    assert overview.total == 1
    assert [c.user_id for c in overview.recent] == [ALICE]
    assert sum(count for _, count in overview.by_group) == 1
    text = await champions.export_csv(GUILD, lambda uid: "Alice" if uid == ALICE else None)
    lines = text.splitlines()
    assert lines[0].startswith("user_id,name,group")
    assert "Alice" in lines[1]
    assert "'=HYPERLINK" in lines[1]
    assert spreadsheet_safe("-1") == "'-1"
    assert await champions.export_csv(OTHER_GUILD, lambda uid: None) == lines[0] + "\r\n"


async def test_removing_a_group_moves_its_champions_or_leaves_them_out_of_pairing(
    onboarding: OnboardingService, champions: ChampionsService, db: Database, clock: FakeClock
) -> None:
    from bot.repos.coffee import CoffeeRepo

    groups = await onboarding.groups(GUILD)
    justice, education, health = groups[1], groups[2], groups[0]
    for user, group in ((ALICE, justice), (BOB, justice)):
        await onboarding.join(
            GUILD, user, await _profile(onboarding, group_id=group.group_id, coffee_opt_in=True)
        )
    assert sorted(await champions.active_in_group(GUILD, justice.group_id)) == [ALICE, BOB]
    with pytest.raises(UserFacingError) as same:
        await champions.remove_group(GUILD, justice.group_id, move_to=justice.group_id)
    assert same.value.key == "setup.group_gone"

    moved = await champions.remove_group(GUILD, justice.group_id, move_to=education.group_id)
    assert moved.moved_to == education and sorted(moved.active) == [ALICE, BOB]
    alice = await onboarding.champion(GUILD, ALICE)
    assert alice is not None and alice.profile.group_id == education.group_id

    asked = await champions.remove_group(GUILD, education.group_id)
    assert asked.moved_to is None and sorted(asked.active) == [ALICE, BOB]
    bob = await onboarding.champion(GUILD, BOB)
    assert bob is not None and bob.profile.group_id is None
    paired = await CoffeeRepo(db).participants(GUILD, "2026-W50", clock.now())
    assert [c.user_id for c in paired] == []  # no group: they sit out until they choose

    chosen = await champions.choose_group(GUILD, BOB, health.group_id)
    assert chosen == health
    paired = await CoffeeRepo(db).participants(GUILD, "2026-W50", clock.now())
    assert [c.user_id for c in paired] == [BOB]
    with pytest.raises(UserFacingError) as gone:
        await champions.choose_group(GUILD, ALICE, education.group_id)
    assert gone.value.key == "onboarding.regroup_gone"
