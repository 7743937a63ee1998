"""Outcome figures on a hand-built community whose answers are known."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Profile
from bot.problems import UserFacingError
from bot.repos.analytics import AnalyticsRepo, Window
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo, NewMeeting
from bot.repos.guilds import GuildRepo
from bot.repos.outcomes import CohortRow, OutcomesRepo, StatusCounts
from bot.repos.pulse import PulseRepo
from bot.services.outcomes import (
    OutcomesService,
    Period,
    month_edges,
    period_label,
    resolve_period,
    summary_paragraph,
)
from bot.services.pulse import BASELINE, load_pulse_content
from bot.services.stats import Figure, Withheld, wilson_interval
from bot.timeutil import to_db

GUILD = 888888888888888888
LONDON = "Europe/London"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONTENT = load_pulse_content()
SMALL = Figure(None, Withheld.SMALL)
PROTECTS = Figure(None, Withheld.PROTECTS)


def utc(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Community:
    db: Database
    groups: dict[str, int]
    service: OutcomesService


async def add_champion(
    db: Database, user: int, group: int | None, joined: datetime, status: str = "active"
) -> None:
    await ChampionRepo(db).save(GUILD, user, Profile(group_id=group, coffee_opt_in=True), joined)
    await db.execute(
        "UPDATE champions SET status = ? WHERE guild_id = ? AND user_id = ?", (status, GUILD, user)
    )


async def add_act(
    db: Database, user: int, group: int | None, when: datetime, condition: int | None
) -> int:
    written = await db.execute(
        "INSERT INTO acts (guild_id, user_id, group_id, what, condition_number, visibility, "
        "text_key, created_at, updated_at) VALUES (?, ?, ?, 'an act', ?, 'private', ?, ?, ?)",
        (GUILD, user, group, condition, f"k{user}{when}", to_db(when), to_db(when)),
    )
    assert written.lastrowid is not None
    return written.lastrowid


async def add_round(
    db: Database,
    key: str,
    when: datetime,
    meetings: list[list[tuple[int, int, str | None]]],
) -> None:
    coffee = CoffeeRepo(db)
    made = await coffee.create_round(
        GUILD, key, seed=1, condition_number=None, starter=None, now=when,
        checkin_due_at=when + timedelta(days=5),
        meetings=[NewMeeting(tuple((u, g) for u, g, _ in m)) for m in meetings],
    )  # fmt: skip
    for meeting, people in zip(await coffee.meetings(made.round_id), meetings, strict=True):
        for user, _, answer in people:
            if answer is not None:
                await coffee.record_answer(
                    meeting.meeting_id, user, answer, when + timedelta(days=5)
                )


@pytest.fixture
async def community(db: Database) -> Community:
    """Sixteen champions by the end of October 2026 (see the comments for who did what)."""
    await GuildRepo(db).ensure(GUILD, utc(9, 1))
    groups = {g.name: g.group_id for g in await GuildRepo(db).groups(GUILD)}
    h, j, e = groups["Health & care"], groups["Justice"], groups["Education"]
    lg, c, v = groups["Local government"], groups["Community groups"], groups["Voluntary sector"]
    member_groups = {1: h, 2: j, 3: h, 4: e, 5: e, 6: lg, 7: h, 8: h, 9: h,
                     10: c, 11: v, 12: c, 13: v, 14: c, 15: v, 16: lg}  # fmt: skip
    for user in range(1, 10):  # the September cohort
        await add_champion(db, user, member_groups[user], utc(9, 10))
    # 00:30 on 1 October in London (BST) is still 30 September in UTC: October's cohort.
    for user in (12, 13):
        await add_champion(db, user, member_groups[user], utc(9, 30, 23, 30))
    for user, status in (
        (10, "active"),
        (11, "active"),
        (14, "active"),
        (15, "away"),
        (16, "left"),
    ):
        await add_champion(db, user, member_groups[user], utc(10, 5), status)
    await db.execute(
        "UPDATE champions SET coffee_paused_until = ? WHERE guild_id = ? AND user_id = 14",
        (to_db(utc(12, 1)), GUILD),
    )
    for user in range(17, 22):  # November joiners
        await add_champion(db, user, h, utc(11, 10))

    await add_round(db, "2026-W41", utc(10, 5), [
        [(1, h, "yes"), (2, j, None)],                    # 1 met Justice; 2 did not say
        [(3, h, "yes"), (4, e, "yes")],                   # both met
        [(5, e, "yes"), (6, lg, None), (7, h, "cant")],   # 5 met two groups
        [(8, h, "yes"), (9, h, "yes")],                   # same group: no tie
        [(12, c, "yes"), (13, v, "yes")],
    ])  # fmt: skip
    await add_round(db, "2026-W42", utc(10, 12), [
        [(1, h, "yes"), (4, e, "yes")],                   # 1 now met two groups
        [(2, j, "not_yet"), (8, h, None)],
    ])  # fmt: skip
    await add_round(db, "2026-W45", utc(11, 2), [[(3, h, "yes"), (2, j, "yes")]])

    await add_act(db, 10, c, utc(10, 20), 2)
    crossing = await add_act(db, 14, c, utc(10, 22), 2)
    other = await add_act(db, 15, v, utc(10, 23), None)
    same = await add_act(db, 16, lg, utc(10, 24), 5)
    await add_act(db, 11, v, utc(9, 30, 22, 50), 1)  # 23:50 on 30 September in London
    await db.execute(
        "INSERT INTO reflections (guild_id, user_id, group_id, period_key, body, visibility, "
        "created_at, updated_at) VALUES (?, 11, ?, '2026-W43', 'r', 'private', ?, ?)",
        (GUILD, v, to_db(utc(10, 21)), to_db(utc(10, 21))),
    )
    repo = OutcomesRepo(db)
    assert await repo.set_act_beneficiary(GUILD, 14, crossing, j)
    assert await repo.set_act_beneficiary(GUILD, 15, other, c)
    assert await repo.set_act_beneficiary(GUILD, 16, same, lg)
    service = OutcomesService(repo, PulseRepo(db), AnalyticsRepo(db), CONTENT, FakeClock(NOW))
    return Community(db, groups, service)


# Periods


def test_periods_follow_local_midnight_across_the_clock_change() -> None:
    october = resolve_period(Period.month(2026, 10), NOW, LONDON)
    # October starts at midnight BST (23:00 UTC) and ends at midnight GMT.
    assert october.window == Window(utc(9, 30, 23), utc(11, 1, 0))
    assert not october.to_date and october.end == date(2026, 10, 31)
    march = resolve_period(Period.month(2026, 3), NOW, LONDON)
    assert march.window == Window(datetime(2026, 3, 1, tzinfo=UTC), utc(3, 31, 23))
    assert period_label(october, CONTENT) == "October 2026 (1 October 2026 to 31 October 2026)"


def test_a_period_not_over_is_to_date_and_a_future_one_is_refused() -> None:
    november = resolve_period(Period.month(2026, 11), NOW, LONDON)
    assert november.to_date and november.window.until == NOW
    assert november.end == date(2026, 11, 23)
    assert period_label(november, CONTENT) == (
        "November 2026, to date (1 November 2026 to 23 November 2026)"
    )
    year = resolve_period(Period.year(2026), NOW, LONDON)
    assert period_label(year, CONTENT) == "2026, to date (1 January 2026 to 23 November 2026)"
    quarter = resolve_period(Period.quarter(2026, 3), NOW, LONDON)
    assert quarter.window.since == utc(6, 30, 23) and quarter.end == date(2026, 9, 30)
    assert period_label(quarter, CONTENT) == "2026-Q3 (1 July 2026 to 30 September 2026)"
    span = resolve_period(Period.between(date(2026, 10, 20), date(2026, 11, 3)), NOW, LONDON)
    assert period_label(span, CONTENT) == (
        "20 October 2026 to 3 November 2026 (20 October 2026 to 3 November 2026)"
    )
    for future in (Period.month(2026, 12), Period.quarter(2027, 1)):
        with pytest.raises(UserFacingError) as caught:
            resolve_period(future, NOW, LONDON)
        assert caught.value.key == "pulse.period_future"
    with pytest.raises(UserFacingError) as caught:
        Period.between(date(2026, 11, 3), date(2026, 11, 1))
    assert caught.value.key == "pulse.period_order"
    # In Auckland it is already the evening of the 23rd.
    kiwi = resolve_period(Period.month(2026, 11), NOW, "Pacific/Auckland")
    assert kiwi.end == date(2026, 11, 23) and kiwi.window.since == utc(10, 31, 11)


def test_months_are_cut_at_local_midnight() -> None:
    window = resolve_period(Period.quarter(2026, 4), NOW, LONDON).window
    assert month_edges(date(2026, 9, 10), window, LONDON) == [
        ("2026-09", utc(8, 31, 23), utc(9, 30, 23)),
        ("2026-10", utc(9, 30, 23), utc(11, 1, 0)),
        ("2026-11", utc(11, 1, 0), NOW),
    ]


# Figures from the bot's own rows


async def test_repository_counts_equal_the_known_answers(community: Community) -> None:
    repo = OutcomesRepo(community.db)
    october = resolve_period(Period.month(2026, 10), NOW, LONDON).window
    # Taking part: said yes (1, 3, 4, 5, 8, 9, 12, 13), an act (10, 14, 15, 16),
    # a reflection (11). The act from 30 September does not count.
    ties = await repo.ties(GUILD, october)
    assert ties.taking_part == 13
    # Everyone in an October meeting, by how many other groups they met.
    assert ties.groups_met == {0: 5, 1: 4, 2: 2}
    # 1–2, 3–4, 5–6, 5–7, 1–4 and 12–13 (not 6–7: neither of them said yes).
    assert ties.cross_group_ties == 6
    g = community.groups
    statuses = await repo.statuses(GUILD, october, NOW)
    assert statuses == StatusCounts(active=13, paused=1, away=1, left=1, joined=7)
    edges = month_edges(date(2026, 9, 1), october, LONDON)
    assert await repo.cohorts(GUILD, edges, october.until) == [
        # Said "yes" 30 days or more after joining on 10 September: 1, 3, 4, 5, 8, 9.
        CohortRow("2026-09", 9, (9, 0, 0), (6, 0, 0)),
        # 12 and 13 joined 31 days before November; neither took part after 5 October.
        CohortRow("2026-10", 7, (2, 0, 0), (0, 0, 0)),
    ]
    acts = await repo.acts_by_condition(GUILD, october)
    assert [(a.condition_number, a.acts, a.with_beneficiary, a.for_other_group) for a in acts] == [
        (2, 2, 1, 1),
        (5, 1, 1, 0),
        (None, 1, 1, 1),
    ]
    assert await repo.acts_across_groups(GUILD, october) == {
        (g["Community groups"], g["Justice"]): 1,
        (g["Voluntary sector"], g["Community groups"]): 1,
        (g["Local government"], g["Local government"]): 1,
    }
    months = await repo.bridging_by_month(
        GUILD, month_edges(date(2026, 10, 1), Window(utc(9, 30, 23), NOW), LONDON)
    )
    h, j, e, lg = g["Health & care"], g["Justice"], g["Education"], g["Local government"]
    c, v = g["Community groups"], g["Voluntary sector"]
    found = {(m.month, m.low_id, m.high_id): m.meetings for m in months}
    assert found == {
        ("2026-10", min(h, j), max(h, j)): 1,
        ("2026-10", min(h, e), max(h, e)): 3,
        ("2026-10", min(e, lg), max(e, lg)): 1,
        ("2026-10", min(h, lg), max(h, lg)): 1,
        ("2026-10", min(c, v), max(c, v)): 1,
        ("2026-11", min(h, j), max(h, j)): 1,
    }


async def test_setting_a_beneficiary_is_for_the_author_and_the_servers_groups(
    community: Community, db: Database
) -> None:
    repo = OutcomesRepo(db)
    act = await add_act(db, 10, community.groups["Community groups"], utc(10, 25), 3)
    assert not await repo.set_act_beneficiary(GUILD, 11, act, community.groups["Justice"])
    assert not await repo.set_act_beneficiary(GUILD, 10, act, 987654)  # no such group
    assert await repo.set_act_beneficiary(GUILD, 10, act, community.groups["Justice"])
    assert await repo.set_act_beneficiary(GUILD, 10, act, None)
    assert (
        await db.fetchval("SELECT beneficiary_group_id FROM acts WHERE act_id = ?", (act,)) is None
    )


async def test_october_figures_are_protected_and_summarised(community: Community) -> None:
    figures = await community.service.build(GUILD, Period.month(2026, 10))
    ties = figures.ties
    assert ties.taking_part == Figure(13)
    assert ties.members_with_ties.count == Figure(6)
    assert ties.members_with_ties.share == pytest.approx(6 / 13)
    assert (ties.members_with_ties.low, ties.members_with_ties.high) == wilson_interval(6, 13)
    assert ties.cross_group_ties == Figure(6)
    assert ties.coffee_participants == Figure(11)
    assert ties.groups_met == {0: Figure(5), 1: SMALL, 2: SMALL}
    assert ties.median_groups_met == 1

    part = figures.participation
    assert part.joined == Figure(7) and part.champions == Figure(16)
    # Paused, away and left are 1 each: the active count is withheld with them, or
    # 16 − 13 would say how many the three add up to.
    assert part.statuses == {"active": PROTECTS, "paused": SMALL, "away": SMALL, "left": SMALL}
    september, october = figures.cohorts
    assert september.joined == Figure(9)
    first_month = september.retained[0]
    # 6 of 9 would say that 3 did not stay.
    assert first_month is not None and first_month.count == PROTECTS and first_month.share is None
    assert september.retained[1:] == (None, None)  # not 91 days yet
    assert october.retained[0] is not None and october.retained[0].count == SMALL
    assert october.retained[1:] == (None, None)

    [month] = figures.bridging
    assert month.month == "2026-10"
    assert {(p.low, p.high) for p in month.pairs} == {
        ("Health & care", "Justice"),
        ("Health & care", "Education"),
        ("Education", "Local government"),
        ("Health & care", "Local government"),
        ("Community groups", "Voluntary sector"),
    }
    assert all(p.meetings == SMALL for p in month.pairs)
    assert figures.group_pairs_met == 5

    acts = figures.acts
    assert (acts.total, acts.with_beneficiary, acts.for_other_group) == (4, 3, 2)
    assert acts.share_for_other_group.share == pytest.approx(2 / 3)
    assert acts.across.total == Figure(None, Withheld.SMALL)
    assert all(not f.shown for f in acts.across.cells.values())

    assert all(r.respondents == SMALL for r in figures.pulse)  # nobody answered yet
    low, high = wilson_interval(6, 13)
    assert summary_paragraph(figures, CONTENT) == (
        "In October 2026 (1 October 2026 to 31 October 2026), 13 champions took part and 7 "
        "joined. 6 met someone from another group over coffee, "
        f"46% (95% interval {round(low * 100)}% to {round(high * 100)}%) of those taking part. "
        "Across everyone in a coffee meeting, the median number of other groups met was 1. "
        "Pairs of groups that met over coffee at least once: 5. "
        "Members logged 4 acts of kindness, 2 of them for someone in another group. "
        "Figures under 5 people are not shown, and nor is anything that would reveal them."
    )
    assert summary_paragraph(figures, CONTENT) == summary_paragraph(figures, CONTENT)


async def test_a_period_to_date_counts_up_to_now(community: Community) -> None:
    figures = await community.service.build(GUILD, Period.month(2026, 11))
    assert figures.period.to_date and figures.period.end == date(2026, 11, 23)
    assert figures.ties.taking_part == SMALL  # 2 and 3 said yes on 2 November
    assert figures.participation.joined == Figure(5)
    text = summary_paragraph(figures, CONTENT)
    assert text.startswith(
        "In November 2026, to date (1 November 2026 to 23 November 2026), fewer than 5 "
        "champions took part and 5 joined."
    )
    assert "Too few members met across groups" in text
    with pytest.raises(UserFacingError):
        await community.service.build(GUILD, Period.month(2027, 1))


# The pulse

PULSE_GUILD = GUILD  # answers live beside the coffee community


async def _answer(
    db: Database, user: int, group: int, period: str, question: str, choice: int | None,
    when: datetime,
) -> None:  # fmt: skip
    await db.execute(
        "INSERT INTO pulse_answers (guild_id, user_id, period_key, question_key, choice, "
        "group_id, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (GUILD, user, period, question, choice, group, to_db(when)),
    )


async def test_pulse_results_by_group_keep_a_lone_justice_member_hidden(
    community: Community, db: Database
) -> None:
    g = community.groups
    h, e, j = g["Health & care"], g["Education"], g["Justice"]
    answers = {h: [0] * 5 + [1] * 3 + [2] * 2 + [3] * 2 + [4] * 2,
               e: [0] * 2 + [1] * 3 + [2] * 4 + [3] * 3 + [4] * 3,
               j: [4]}  # fmt: skip
    user = 100
    for group, choices in answers.items():
        for choice in choices:
            user += 1
            # An earlier baseline answer is replaced by the member's latest one.
            await _answer(db, user, group, BASELINE, "lonely", 1, utc(10, 2))
            await _answer(db, user, group, "2026-Q4", "lonely", choice, utc(10, 20))
    await _answer(db, 999, h, "2026-Q4", "lonely", None, utc(10, 20))  # skipped
    figures = await community.service.build(GUILD, Period.month(2026, 10))
    lonely = figures.pulse[0]
    assert lonely.question.key == "lonely"
    assert lonely.respondents == Figure(30)
    assert lonely.options == {0: Figure(7), 1: Figure(6), 2: Figure(6), 3: Figure(5), 4: Figure(6)}
    assert lonely.headline is not None and lonely.headline.count == Figure(7)
    assert lonely.headline.share == pytest.approx(7 / 30)
    assert all(not lonely.by_group.cells[("Justice", c)].shown for c in range(5))
    assert not lonely.by_group.row_totals["Justice"].shown
    for option in range(5):  # no column gives the Justice cell by subtraction
        hidden = [r for r in lonely.by_group.rows if not lonely.by_group.cells[(r, option)].shown]
        assert len(hidden) != 1
    assert "In the pulse, 23% (95% interval" in summary_paragraph(figures, CONTENT)
    assert "of 30 members feel lonely often or always." in summary_paragraph(figures, CONTENT)


async def test_before_and_after_compares_the_same_members(
    community: Community, db: Database
) -> None:
    h = community.groups["Health & care"]
    cohorts = {
        utc(9, 12): ([0] * 6 + [3] * 4, [0] * 3 + [3] * 7),  # September joiners
        utc(10, 12): ([0] * 5 + [4] * 5, [0] * 2 + [4] * 8),  # October joiners
    }
    user = 300
    for joined, (before, after) in cohorts.items():
        for first, latest in zip(before, after, strict=True):
            user += 1
            await add_champion(db, user, h, joined)
            await _answer(db, user, h, BASELINE, "lonely", first, joined + timedelta(hours=1))
            await _answer(db, user, h, "2026-Q3", "lonely", 2, joined + timedelta(days=2))
            await _answer(db, user, h, "2026-Q4", "lonely", latest, utc(11, 15))
    await add_champion(db, 400, h, utc(10, 12))  # a baseline only: not paired
    await _answer(db, 400, h, BASELINE, "lonely", 0, utc(10, 12, 10))

    pulse = PulseRepo(db)
    edges = [(m, to_db(s), to_db(u)) for m, s, u in month_edges(
        date(2026, 9, 1), Window(utc(8, 31, 23), NOW), LONDON)]  # fmt: skip
    paired = (await pulse.paired_answers(GUILD, edges))["lonely"]
    assert sorted(paired) == [
        ("2026-09", 0, 0, 3), ("2026-09", 0, 3, 3), ("2026-09", 3, 3, 4),
        ("2026-10", 0, 0, 2), ("2026-10", 0, 4, 3), ("2026-10", 4, 4, 5),
    ]  # fmt: skip

    figures = await community.service.build(GUILD, Period.year(2026))
    lonely = next(c for c in figures.changes if c.question.key == "lonely")
    overall = lonely.overall
    assert overall.members == Figure(20)
    assert overall.before.count == Figure(11) and overall.after.count == Figure(5)
    assert overall.before.share == pytest.approx(0.55)
    assert overall.after.share == pytest.approx(0.25)
    september, october = lonely.cohorts
    assert september.members == Figure(10) and october.members == Figure(10)
    assert september.after.count == SMALL and october.after.count == SMALL
    assert not september.before.shown  # 6 of 10 would give away 4
    assert not october.before.shown  # else 11 − 6 … would give September's
    text = summary_paragraph(figures, CONTENT)
    assert (
        "Among members who answered both the first pulse and a later one, those who feel "
        "lonely often or always went from 55% to 25%."
    ) in text
