"""Kindness, reflections and prompt rules, against a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Profile, Visibility
from bot.problems import UserFacingError
from bot.repos.analytics import Window
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.kindness import KindnessRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.prompts import PromptRepo
from bot.repos.reflections import ReflectionRepo
from bot.services.content import PromptKind, load_content
from bot.services.kindness import WHAT_LIMIT, WHO_LIMIT, KindnessService, text_key
from bot.services.prompts import PromptService
from bot.services.reflections import BODY_LIMIT, ReflectionService

GUILD = 999999999999999999
ME = 123456789012345678
CONTENT = load_content()


@pytest.fixture
async def kindness(db: Database, clock: FakeClock) -> KindnessService:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    group = (await guilds.groups(GUILD))[0]
    champions = ChampionRepo(db)
    await champions.save(
        GUILD, ME, Profile(group_id=group.group_id, region_id="london"), clock.now()
    )
    return KindnessService(KindnessRepo(db), champions, guilds, clock)


@pytest.fixture
def prompts(db: Database) -> PromptService:
    return PromptService(CONTENT, PromptRepo(db))


async def test_rotation_covers_all_ten_before_repeating(db: Database, clock: FakeClock) -> None:
    await GuildRepo(db).ensure(GUILD, clock.now())
    repo = PromptRepo(db)
    weeks = [f"2027-W{n:02d}" for n in range(1, 24)]
    numbers = [await repo.condition_for_week(GUILD, week) for week in weeks]
    assert numbers[:10] == list(range(1, 11))
    assert numbers[10:20] == list(range(1, 11))
    assert numbers == [await repo.condition_for_week(GUILD, week) for week in weeks]  # stable
    assert await repo.peek_next(GUILD, weeks[-1]) == numbers[-1] % 10 + 1


async def test_missed_weeks_do_not_skip_a_condition(db: Database, clock: FakeClock) -> None:
    await GuildRepo(db).ensure(GUILD, clock.now())
    repo = PromptRepo(db)
    assert await repo.condition_for_week(GUILD, "2027-W01") == 1
    assert await repo.condition_for_week(GUILD, "2027-W09") == 2  # weeks 2–8 never happened


async def test_guild_prompts_join_the_rotation(
    prompts: PromptService, db: Database, clock: FakeClock
) -> None:
    await GuildRepo(db).ensure(GUILD, clock.now())
    added = await prompts.add_custom(
        GUILD, 3, PromptKind.STARTER, "  What brings you joy?  ", ME, clock.now()
    )
    options = await prompts.prompts(GUILD, CONTENT.condition(3), PromptKind.STARTER)
    assert options[-1] == "What brings you joy?"
    assert len(options) == len(CONTENT.condition(3).coffee_starters) + 1
    other_guild = await prompts.prompts(GUILD + 1, CONTENT.condition(3), PromptKind.STARTER)
    assert "What brings you joy?" not in other_guild
    await prompts.remove_custom(GUILD, added.prompt_id)
    with pytest.raises(UserFacingError):
        await prompts.remove_custom(GUILD, added.prompt_id)
    for bad_condition in (0, 11, -1):
        with pytest.raises(UserFacingError) as raised:
            await prompts.add_custom(
                GUILD, bad_condition, PromptKind.STARTER, "Hi", ME, clock.now()
            )
        assert raised.value.key == "prompts.condition_range"
    with pytest.raises(UserFacingError) as raised:
        await prompts.add_custom(GUILD, 1, PromptKind.STARTER, "x" * 301, ME, clock.now())
    assert raised.value.key == "prompts.invalid"


async def test_limit_duplicates_and_totals(kindness: KindnessService, clock: FakeClock) -> None:
    await kindness.set_daily_limit(GUILD, 3)
    first, created = await kindness.log(
        GUILD, ME, kindness.clean("Made tea", None, "2", "shareable")
    )
    assert created
    again, created = await kindness.log(
        GUILD, ME, kindness.clean("made   TEA", None, None, "private")
    )
    assert not created and again.act_id == first.act_id
    clock.advance(timedelta(minutes=2))
    await kindness.log(GUILD, ME, kindness.clean("Made tea", None, None, "private"))  # allowed now
    await kindness.log(GUILD, ME, kindness.clean("Washed up", None, None, "coordinators"))
    with pytest.raises(UserFacingError) as raised:
        await kindness.log(GUILD, ME, kindness.clean("Dried up", None, None, "shareable"))
    assert raised.value.key == "kindness.daily_limit"
    clock.advance(timedelta(days=1))
    await kindness.log(GUILD, ME, kindness.clean("Dried up", None, None, "shareable"))
    stats = await kindness.stats(GUILD)
    assert stats.all_time.count == 4
    assert stats.all_time.by_condition[2] == 1
    recent = await kindness.recent(GUILD)
    assert [a.what for a, _ in recent] == ["Dried up", "Made tea"]
    assert all(a.visibility is Visibility.SHAREABLE for a, _ in recent)


async def test_an_act_says_which_of_the_servers_groups_it_helped(
    kindness: KindnessService, db: Database, clock: FakeClock
) -> None:
    guilds = GuildRepo(db)
    mine, helped, *_ = await guilds.groups(GUILD)
    await guilds.ensure(GUILD + 1, clock.now())
    elsewhere = (await guilds.groups(GUILD + 1))[0]
    act, _ = await kindness.log(GUILD, ME, kindness.clean("Made tea", None, "2", None))
    choices = await kindness.beneficiary_choices(GUILD)
    assert [g.group_id for g in choices] == [g.group_id for g in await guilds.groups(GUILD)]

    with pytest.raises(UserFacingError) as raised:
        await kindness.set_beneficiary(GUILD, ME, act.act_id, elsewhere.group_id)
    assert raised.value.key == "kindness.benefit_group_gone"  # not this server's group
    with pytest.raises(UserFacingError) as raised:
        await kindness.set_beneficiary(GUILD, ME + 1, act.act_id, helped.group_id)
    assert raised.value.key == "kindness.gone"  # only the author says who it helped
    noted = await kindness.set_beneficiary(GUILD, ME, act.act_id, helped.group_id)
    assert noted == helped

    # The outcome figures count it as an act across groups.
    window = Window(clock.now() - timedelta(days=1), clock.now() + timedelta(days=1))
    across = await OutcomesRepo(db).acts_across_groups(GUILD, window)
    assert across == {(mine.group_id, helped.group_id): 1}
    assert await kindness.set_beneficiary(GUILD, ME, act.act_id, None) is None
    assert await OutcomesRepo(db).acts_across_groups(GUILD, window) == {}
    await guilds.remove_group(GUILD, helped.group_id)
    with pytest.raises(UserFacingError) as raised:
        await kindness.set_beneficiary(GUILD, ME, act.act_id, helped.group_id)
    assert raised.value.key == "kindness.benefit_group_gone"


async def test_only_champions_record(kindness: KindnessService) -> None:
    with pytest.raises(UserFacingError) as raised:
        await kindness.log(GUILD, ME + 1, kindness.clean("Hello", None, None, None))
    assert raised.value.key == "kindness.not_a_champion"


async def test_reflections_and_reminders(
    db: Database, clock: FakeClock, prompts: PromptService
) -> None:
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, clock.now())
    group = (await guilds.groups(GUILD))[0]
    champions = ChampionRepo(db)
    for user in (ME, ME + 1, ME + 2):
        await champions.save(
            GUILD, user, Profile(group_id=group.group_id, region_id="london"), clock.now()
        )
    service = ReflectionService(ReflectionRepo(db), champions, guilds, prompts, clock)
    week = await service.this_week(GUILD)
    assert week.question in CONTENT.condition(week.condition.number).reflection_questions
    for user in (ME, ME + 1):
        await service.set_reminders(GUILD, user, True)
    saved = await service.add(GUILD, ME, "I listened more.", "private")
    assert saved.question == week.question and saved.visibility is Visibility.PRIVATE
    assert await service.due_reminders(GUILD, week.period_key) == [ME + 1]
    await service.edit(GUILD, ME, saved.reflection_id, "I listened much more.", "shareable")
    assert (await service.mine(GUILD, ME))[0].body == "I listened much more."
    with pytest.raises(UserFacingError):
        await service.edit(GUILD, ME + 1, saved.reflection_id, "not mine", "shareable")
    await service.delete(GUILD, ME, saved.reflection_id)
    assert await service.mine(GUILD, ME) == []
    assert await service.note_closed_dm_once(GUILD, ME + 1)
    assert not await service.note_closed_dm_once(GUILD, ME + 1)


text_inputs = st.text(alphabet=st.characters(codec="utf-8"), max_size=1600) | st.sampled_from(
    ["", " ", "\u200b", "@everyone", "<@&1>", "**x**", "\n\n", "a" * 1001]
)


@settings(max_examples=300, deadline=None)
@given(
    what=text_inputs,
    who=text_inputs,
    condition=st.one_of(st.none(), st.integers(-5, 15), st.text(max_size=3)),
)
def test_act_validation_never_crashes(what: str, who: str, condition: object) -> None:
    try:
        act = KindnessService.clean(what, who, condition, "shareable")  # type: ignore[arg-type]
    except UserFacingError as error:
        assert error.key in {
            "errors.text_empty",
            "errors.text_too_long",
            "kindness.condition_range",
        }
    else:
        assert 0 < len(act.what) <= WHAT_LIMIT
        assert act.who_benefited is None or len(act.who_benefited) <= WHO_LIMIT
        assert act.condition_number is None or 1 <= act.condition_number <= 10
        assert act.text_key == text_key(act.what)


@settings(max_examples=300, deadline=None)
@given(body=text_inputs)
def test_reflection_validation_never_crashes(body: str) -> None:
    try:
        cleaned = ReflectionService.clean_body(body)
    except UserFacingError as error:
        assert error.key in {"errors.text_empty", "errors.text_too_long"}
    else:
        assert 0 < len(cleaned) <= BODY_LIMIT
        assert cleaned == cleaned.strip()
