"""The weekly digest and the bridging picture, against a real SQLite file."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot.clock import FakeClock
from bot.db import Database
from bot.models import ChampionStatus, Profile, Visibility
from bot.repos.analytics import AnalyticsRepo
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo, NewMeeting
from bot.repos.guilds import GuildRepo
from bot.repos.kindness import KindnessRepo, NewAct
from bot.repos.prompts import PromptRepo
from bot.repos.reflections import ReflectionRepo
from bot.services import charts
from bot.services.bridging import BridgingService
from bot.services.content import load_content
from bot.services.digest import (
    HIGHLIGHT_LIMIT,
    DigestService,
    UnknownGuildError,
    cut_text,
    parse_week_key,
)
from bot.services.prompts import PromptService
from bot.services.report import load_report_texts

GUILD = 777777777777777777
NAMED = 111111111111111111  # agreed to be named in digests
SECRET = 222222222222222222  # did not agree
LEFT = 333333333333333333  # agreed, then stopped being a champion
A, B, C, D, E, F, G = (400000000000000000 + n for n in range(7))
PRIVATE_TEXT = "PRIVATE-ONLY baked for my own family"
COORDINATORS_TEXT = "COORDINATORS-ONLY sorted out a tricky case"
PRIVATE_REFLECTION = "PRIVATE-REFLECTION nobody else should read this"
CONTENT = load_content()
TEXTS = load_report_texts()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def at(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Community:
    db: Database
    clock: FakeClock
    groups: dict[str, int]


async def add_act(
    db: Database, user: int, group: int, what: str, condition: int | None,
    visibility: Visibility, when: datetime,
) -> None:  # fmt: skip
    act = NewAct(what, None, condition, visibility, "form", f"{user}:{what}")
    await KindnessRepo(db).add(
        GUILD, user, group, act, when, since=when, duplicate_since=when, limit=100
    )


async def seed_community(db: Database, clock: FakeClock) -> Community:
    """A guild in week 2026-W48 (Mon 23 – Sun 29 November), with history before it."""
    guilds = GuildRepo(db)
    await guilds.ensure(GUILD, at(1, month=9))
    groups = {g.name: g.group_id for g in await guilds.groups(GUILD)}
    edu, justice, health = groups["Education"], groups["Justice"], groups["Health & care"]
    champions = ChampionRepo(db)
    people = {
        NAMED: (edu, True, at(10, month=10)),
        SECRET: (justice, False, at(10, month=10)),
        LEFT: (health, True, at(10, month=10)),
        A: (health, False, at(24)),  # joined this week
        B: (health, False, at(25)),  # joined this week
        C: (edu, False, at(10, month=10)),
        D: (justice, False, at(10, month=10)),
        E: (health, False, at(10, month=10)),
        F: (health, False, at(3, month=10)),
        G: (health, False, at(3, month=10)),
    }
    for user, (group, named, joined) in people.items():
        await champions.save(
            GUILD, user, Profile(group_id=group, coffee_opt_in=True, digest_name_ok=named), joined
        )
    await champions.set_status(GUILD, LEFT, ChampionStatus.LEFT, at(20))

    share, coord, private = Visibility.SHAREABLE, Visibility.COORDINATORS, Visibility.PRIVATE
    await add_act(db, NAMED, edu, "Walked a neighbour's dog while she was in hospital", 2, share,
                  at(23, 9))  # fmt: skip
    await add_act(db, SECRET, justice, "Baked bread for the night shift", 3, share, at(24, 10))
    await add_act(db, LEFT, health, "Drove a volunteer home in the rain", 2, share, at(25, 11))
    await add_act(db, SECRET, justice, PRIVATE_TEXT, 3, private, at(25, 12))
    await add_act(db, NAMED, edu, COORDINATORS_TEXT, 1, coord, at(26, 13))
    await add_act(db, C, edu, "word " * 120, None, share, at(26, 14))
    await add_act(db, D, justice, "Helped at the food bank", 3, share, at(18))  # W47
    await add_act(db, E, health, "Listened to a worried parent", 4, share, at(19))  # W47
    await add_act(db, E, health, "Mended a fence", 5, share, at(7, month=10))  # W41
    await add_act(db, E, health, "Cooked for a neighbour", 5, share, at(1, month=10))  # W40

    reflections = ReflectionRepo(db)
    await reflections.add(GUILD, SECRET, justice, "2026-W48", 3, "Q?",
                          "I learnt to ask before helping", share, at(24, 18))  # fmt: skip
    await reflections.add(GUILD, NAMED, edu, "2026-W48", 3, "Q?", PRIVATE_REFLECTION, private,
                          at(25, 18))  # fmt: skip
    await reflections.add(GUILD, C, edu, "2026-W44", 8, "Q?", "An October thought", share,
                          at(28, 18, month=10))  # fmt: skip

    coffee = CoffeeRepo(db)
    w47 = await coffee.create_round(
        GUILD, "2026-W47", seed=1, condition_number=2, starter=None, now=at(16, 9),
        checkin_due_at=at(21, 9),
        meetings=[
            NewMeeting(((NAMED, edu), (SECRET, justice))),
            NewMeeting(((F, health), (G, health))),
            NewMeeting(((C, edu), (D, justice), (E, health))),
        ],
    )  # fmt: skip
    w48 = await coffee.create_round(
        GUILD, "2026-W48", seed=2, condition_number=3, starter=None, now=at(23, 9),
        checkin_due_at=at(28, 9),
        meetings=[
            NewMeeting(((NAMED, edu), (A, health))),
            NewMeeting(((F, health), (G, health))),
        ],
    )  # fmt: skip
    first, same, trio = await coffee.meetings(w47.round_id)
    await coffee.record_answer(first.meeting_id, NAMED, "yes", at(21, 10))
    await coffee.record_answer(same.meeting_id, F, "cant", at(21, 10))
    await coffee.record_answer(trio.meeting_id, C, "not_yet", at(21, 10))
    await coffee.record_answer(trio.meeting_id, D, "yes", at(21, 11))
    cross, same_again = await coffee.meetings(w48.round_id)
    await coffee.record_answer(cross.meeting_id, A, "yes", at(26, 10))
    await coffee.record_answer(same_again.meeting_id, G, "yes", at(26, 10))
    return Community(db, clock, groups)


@pytest.fixture
async def community(db: Database) -> Community:
    clock = FakeClock(at(27, 16))  # Friday of 2026-W48, digest time
    return await seed_community(db, clock)


def digest_service(community: Community) -> DigestService:
    prompts = PromptService(CONTENT, PromptRepo(community.db))
    return DigestService(AnalyticsRepo(community.db), prompts, community.clock)


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        return image.size


async def test_busy_week(community: Community) -> None:
    digest = await digest_service(community).build(GUILD)
    assert digest.period_key == "2026-W48"
    assert not digest.quiet
    assert digest.acts == 6  # private and coordinators-only acts count as numbers
    assert [w.period_key for w in digest.trend] == [f"2026-W{n}" for n in range(41, 49)]
    assert [w.count for w in digest.trend] == [1, 0, 0, 0, 0, 0, 2, 6]
    by_condition = {c.number: c.count for c in digest.conditions}
    assert by_condition == {1: 1, 2: 2, 3: 2, **{n: 0 for n in range(4, 11)}, None: 1}
    assert digest.conditions[0].title == CONTENT.condition(1).title
    assert digest.reflections == 2
    assert digest.reflections_shareable == 1
    new = {g.name: g.count for g in digest.new_champions}
    assert new["Health & care"] == 2
    assert digest.new_champions_total == 2
    assert digest.coffee.round_period == "2026-W48"
    assert digest.coffee.meetings == 2
    assert (digest.coffee.pairs, digest.coffee.cross_group_pairs) == (2, 1)
    assert digest.coffee.cross_group_share == pytest.approx(0.5)
    # This week's check-in is still open, so the share who met is last week's round.
    assert digest.coffee.met_round_period == "2026-W47"
    assert (digest.coffee.met_meetings, digest.coffee.checked_meetings) == (2, 3)
    assert digest.coffee.met_share == pytest.approx(2 / 3)
    assert digest.next_condition.number == 1  # nothing assigned yet: the rotation starts at 1
    assert digest.starts_at == at(23, 0)
    assert digest.ends_at == at(30, 0)


async def test_highlights_are_shareable_capped_and_credited_with_consent(
    community: Community,
) -> None:
    digest = await digest_service(community).build(GUILD)
    assert 2 <= len(digest.highlights) <= 3
    for item in digest.highlights:
        assert len(item.text) <= HIGHLIGHT_LIMIT
        assert "PRIVATE" not in item.text and "COORDINATORS" not in item.text
        assert item.author_id in (None, NAMED)
        if item.author_id is None:
            assert item.group_name in community.groups
    assert digest.highlights == (await digest_service(community).build(GUILD)).highlights
    every = await digest_service(community).build(GUILD)
    assert every == digest  # deterministic


async def test_named_only_with_consent_across_many_weeks(community: Community) -> None:
    service = digest_service(community)
    digest = await service.build(GUILD, "2026-W48")
    text = repr(digest)
    assert str(SECRET) not in text
    assert str(LEFT) not in text  # consented, but no longer a champion
    for marker in (PRIVATE_TEXT, COORDINATORS_TEXT, PRIVATE_REFLECTION):
        assert marker not in text
    w47 = repr(await service.build(GUILD, "2026-W47"))
    assert str(SECRET) not in w47 and str(D) not in w47 and str(E) not in w47


async def test_reflection_highlight_credits_group_without_consent(
    community: Community,
) -> None:
    digest = await digest_service(community).build(GUILD)
    reflections = [h for h in digest.highlights if h.kind == "reflection"]
    assert reflections, "a shareable reflection should be among the highlights"
    assert reflections[0].author_id is None
    assert reflections[0].group_name == "Justice"


async def test_quiet_week_is_valid_and_flagged(community: Community) -> None:
    service = digest_service(community)
    assert not (await service.build(GUILD, "2026-W44")).quiet  # one reflection is enough
    digest = await service.build(GUILD, "2026-W45")
    assert digest.quiet
    assert digest.acts == 0
    assert digest.highlights == ()
    assert digest.coffee.meetings == 0 and digest.coffee.cross_group_share is None
    assert digest.coffee.met_share is None
    assert digest.reflections == 0
    width, height = png_size(charts.digest_chart(digest, TEXTS))
    assert (width, height) == (1200, 600)


async def test_quiet_week_for_a_brand_new_guild(db: Database, clock: FakeClock) -> None:
    await GuildRepo(db).ensure(GUILD, clock.now())
    service = DigestService(AnalyticsRepo(db), PromptService(CONTENT, PromptRepo(db)), clock)
    digest = await service.build(GUILD)
    assert digest.quiet and digest.acts == 0
    assert [w.count for w in digest.trend] == [0] * 8
    assert png_size(charts.digest_chart(digest, TEXTS)) == (1200, 600)


async def test_unknown_guild_and_bad_week(community: Community) -> None:
    service = digest_service(community)
    with pytest.raises(UnknownGuildError):
        await service.build(GUILD + 1)
    for bad in ("2026-48", "2026-W54", "W48", "2026-W00"):
        with pytest.raises(ValueError):
            await service.build(GUILD, bad)


async def test_week_follows_the_guild_timezone(community: Community) -> None:
    await GuildRepo(community.db).set_timezone(GUILD, "Pacific/Auckland")
    community.clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))  # Monday 1am in Auckland
    digest = await digest_service(community).build(GUILD)
    assert digest.period_key == "2026-W49"
    assert digest.starts_at == datetime(2026, 11, 29, 11, 0, tzinfo=UTC)  # NZDT is UTC+13


def test_cut_text_keeps_words_whole() -> None:
    assert cut_text("  short   and\nsweet ") == "short and sweet"
    long = "kindness " * 60
    cut = cut_text(long, 50)
    assert len(cut) <= 50 and cut.endswith("…") and "kindn…" not in cut
    assert cut_text("x" * 300, 20) == "x" * 19 + "…"
    assert parse_week_key("2026-W48").isoformat() == "2026-11-23"


async def test_digest_chart_is_a_readable_png(community: Community) -> None:
    digest = await digest_service(community).build(GUILD)
    data = charts.digest_chart(digest, TEXTS)
    assert png_size(data) == (1200, 600)
    assert 10_000 < len(data) < 500_000


async def test_bridging_counts_meetings_that_happened(community: Community) -> None:
    matrix = await BridgingService(AnalyticsRepo(community.db)).build(GUILD, at(1), at(1, month=12))
    g = community.groups
    edu, justice, health = g["Education"], g["Justice"], g["Health & care"]
    assert matrix.count(edu, justice) == matrix.count(justice, edu) == 2
    assert matrix.count(edu, health) == 2  # the W47 trio and the W48 pair
    assert matrix.count(justice, health) == 1  # the trio only
    assert matrix.count(health, health) == 1  # W48's same-group meeting; W47's said "can't"
    assert matrix.count(edu, edu) == 0
    assert matrix.distinct_pairs_met == 3
    assert matrix.possible_pairs == 15
    assert matrix.group_names[: len(g)] == tuple(g)
    october = await BridgingService(AnalyticsRepo(community.db)).build(
        GUILD, at(1, month=10), at(1)
    )
    assert october.distinct_pairs_met == 0
    assert sum(map(sum, october.counts)) == 0
    width, height = png_size(charts.bridging_heatmap(matrix, TEXTS))
    assert 900 <= width <= 1400 and 500 <= height <= 1000
    assert png_size(charts.bridging_heatmap(october, TEXTS))[0] == width


async def test_bridging_ignores_removed_groups(community: Community) -> None:
    await GuildRepo(community.db).remove_group(GUILD, community.groups["Justice"])
    matrix = await BridgingService(AnalyticsRepo(community.db)).build(GUILD, at(1), at(1, month=12))
    assert matrix.size == 5
    assert matrix.possible_pairs == 10
    assert matrix.distinct_pairs_met == 1  # Education–Health only


def test_digest_period_bounds_are_half_open() -> None:
    monday = parse_week_key("2026-W01")
    assert monday.isoformat() == "2025-12-29"
    assert monday + timedelta(days=7) == parse_week_key("2026-W02")
