"""The pulse: its wording as data, when it is due, consent, answers, a server's own
questions, and the member's export and erasure."""

from __future__ import annotations

import copy
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_checks import rows, tables_mentioning

from bot.clock import FakeClock
from bot.db import Database
from bot.models import Profile
from bot.problems import UserFacingError
from bot.repos.champions import ChampionRepo
from bot.repos.guilds import GuildRepo
from bot.repos.privacy import PrivacyRepo
from bot.repos.pulse import PulseRepo
from bot.resources import prompts_dir
from bot.services.pulse import (
    BASELINE,
    MAX_CUSTOM_QUESTIONS,
    Frequency,
    PulseContentError,
    PulseService,
    due_pulse,
    load_pulse_content,
    parse_pulse_content,
    period_key,
)

GUILD = 515151515151515151
OTHER_GUILD = 626262626262626262
ALICE = 101010101010101010
BOB = 202020202020202020
CONTENT = load_pulse_content()
SHIPPED = tomllib.loads((prompts_dir() / "pulse.toml").read_text(encoding="utf-8"))


# Wording as data


def test_the_five_questions_keep_their_sources_scales() -> None:
    keys = [q.key for q in CONTENT.questions]
    assert keys == ["lonely", "kind", "get-on", "trust", "bridging"]
    lonely, kind, get_on, trust, bridging = CONTENT.questions
    assert lonely.text == "How often do you feel lonely?"
    assert lonely.options == (
        "Often or always",
        "Some of the time",
        "Occasionally",
        "Hardly ever",
        "Never",
    )
    assert "Office for National Statistics" in (lonely.source or "")
    assert kind.options[0] == "Strongly agree" and len(kind.options) == 5
    assert "52%" in (kind.source or "") and "Carnegie" in (kind.source or "")
    assert (
        get_on.options
        == trust.options
        == (
            "Definitely agree",
            "Tend to agree",
            "Tend to disagree",
            "Definitely disagree",
        )
    )
    assert "Community Life Survey" in (get_on.source or "")
    assert bridging.options == ("None", "1 or 2", "3 to 5", "6 or more")
    assert bridging.headline == frozenset({1, 2, 3})
    assert CONTENT.scale == ("1", "2", "3", "4", "5")
    assert "guild" not in (prompts_dir() / "pulse.toml").read_text(encoding="utf-8").lower()


def _broken(change: Any) -> str:
    data = copy.deepcopy(SHIPPED)
    change(data)
    with pytest.raises(PulseContentError) as caught:
        parse_pulse_content(data)
    return str(caught.value)


def test_a_broken_file_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    def duplicate(d: dict[str, Any]) -> None:
        d["question"][1]["id"] = "lonely"

    assert _broken(duplicate) == "pulse.toml: question id 'lonely' is used twice"

    def six_options(d: dict[str, Any]) -> None:
        d["question"][0]["options"].append("Always, always")

    assert "question 1 ('lonely'): 'options' must be a list of 2 to 5" in _broken(six_options)

    def headline(d: dict[str, Any]) -> None:
        d["question"][2]["headline"] = [7]

    assert "question 3 ('get-on'): 'headline'" in _broken(headline)

    def no_source(d: dict[str, Any]) -> None:
        del d["question"][4]["source"]

    assert "'source' must name where the question comes from" in _broken(no_source)

    def placeholder(d: dict[str, Any]) -> None:
        d["messages"]["custom_limit"] = "Only a few questions allowed."

    assert _broken(placeholder) == "pulse.toml: [messages] 'custom_limit' must use {limit}"

    def missing(d: dict[str, Any]) -> None:
        del d["summary"]["closing"]

    assert _broken(missing) == "pulse.toml: [summary] needs the text 'closing'"

    def scale(d: dict[str, Any]) -> None:
        d["scale"]["options"] = ["low", "high"]

    assert "[scale] options must be a list of 5 labels" in _broken(scale)

    def long_text(d: dict[str, Any]) -> None:
        d["question"][0]["text"] = "x" * 101

    assert "'text' is 101 characters" in _broken(long_text)

    bad = tmp_path / "pulse.toml"
    bad.write_text('[[question]]\nid = "x\n', encoding="utf-8")
    with pytest.raises(PulseContentError, match=r"pulse\.toml: is not valid TOML"):
        load_pulse_content(bad)
    with pytest.raises(PulseContentError, match="cannot be read"):
        load_pulse_content(tmp_path / "missing.toml")


# When a pulse is due

JOINED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_period_keys() -> None:
    day = date(2026, 11, 23)
    assert period_key(day, Frequency.MONTHLY) == ("2026-11", date(2026, 11, 1))
    assert period_key(day, Frequency.QUARTERLY) == ("2026-Q4", date(2026, 10, 1))
    assert period_key(day, Frequency.HALF_YEARLY) == ("2026-H2", date(2026, 7, 1))
    assert period_key(date(2027, 3, 31), Frequency.QUARTERLY) == ("2027-Q1", date(2027, 1, 1))
    assert period_key(date(2027, 6, 30), Frequency.HALF_YEARLY)[0] == "2027-H1"


def test_baseline_first_then_one_pulse_a_period() -> None:
    london = "Europe/London"
    assert due_pulse(JOINED, london, Frequency.QUARTERLY, False, {}) is None
    assert due_pulse(JOINED, london, Frequency.OFF, True, {}) is None
    assert due_pulse(JOINED, london, Frequency.QUARTERLY, True, {}) == BASELINE
    sent = {BASELINE: JOINED}
    # Not again in the quarter of the baseline …
    assert due_pulse(JOINED + timedelta(days=30), london, Frequency.QUARTERLY, True, sent) is None
    # … but in the next one.
    january = datetime(2027, 1, 4, 9, tzinfo=UTC)
    assert due_pulse(january, london, Frequency.QUARTERLY, True, sent) == "2027-Q1"
    sent["2027-Q1"] = january
    assert due_pulse(january + timedelta(days=40), london, Frequency.QUARTERLY, True, sent) is None
    assert due_pulse(january, london, Frequency.MONTHLY, True, {BASELINE: JOINED}) == "2027-01"
    assert due_pulse(january, london, Frequency.HALF_YEARLY, True, {BASELINE: JOINED}) == "2027-H1"
    # Switched to monthly later in the same month: the January pulse already came.
    assert due_pulse(january + timedelta(days=3), london, Frequency.MONTHLY, True, sent) is None


def test_the_period_follows_the_server_timezone() -> None:
    # 23:30 UTC on 31 December is already 1 January in Auckland.
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    sent = {BASELINE: datetime(2026, 8, 1, tzinfo=UTC)}
    assert due_pulse(late, "Pacific/Auckland", Frequency.QUARTERLY, True, sent) == "2027-Q1"
    assert due_pulse(late, "Europe/London", Frequency.QUARTERLY, True, sent) == "2026-Q4"


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.HALF_YEARLY]),
    st.integers(0, 400),
    st.sampled_from(["Europe/London", "America/New_York", "Pacific/Auckland"]),
)
def test_checking_every_day_sends_one_pulse_per_period(
    frequency: Frequency, offset_days: int, timezone: str
) -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=offset_days)
    sent: dict[str, datetime] = {}
    for _ in range(730):
        key = due_pulse(now, timezone, frequency, True, sent)
        if key is not None:
            assert key not in sent
            sent[key] = now
        now += timedelta(hours=24)
    periods = [k for k in sent if k != BASELINE]
    assert BASELINE in sent
    assert len(periods) == len(set(periods))
    per_year = {Frequency.MONTHLY: 12, Frequency.QUARTERLY: 4, Frequency.HALF_YEARLY: 2}
    assert abs(len(periods) - 2 * per_year[frequency]) <= 1
    # Never two pulses in the same period.
    from zoneinfo import ZoneInfo

    seen = [
        period_key(t.astimezone(ZoneInfo(timezone)).date(), frequency)[0] for t in sent.values()
    ]
    assert len(seen) == len(set(seen))


# The service on a real database


@pytest.fixture
async def pulse(db: Database, clock: FakeClock) -> PulseService:
    await GuildRepo(db).ensure(GUILD, clock.now())
    await GuildRepo(db).ensure(OTHER_GUILD, clock.now())
    groups = await GuildRepo(db).groups(GUILD)
    champions = ChampionRepo(db)
    for user in (ALICE, BOB):
        await champions.save(GUILD, user, Profile(group_id=groups[0].group_id), clock.now())
    await champions.save(OTHER_GUILD, ALICE, Profile(), clock.now())
    return PulseService(PulseRepo(db), CONTENT, clock)


async def test_consent_is_off_until_switched_on(pulse: PulseService, clock: FakeClock) -> None:
    assert await pulse.due(GUILD, ALICE, "Europe/London") is None
    with pytest.raises(PermissionError):
        await pulse.answer(GUILD, ALICE, BASELINE, "lonely", 2)
    assert await pulse.set_consent(GUILD, ALICE, True)
    assert not await pulse.set_consent(GUILD, 999, True)  # not a champion
    due = await pulse.due(GUILD, ALICE, "Europe/London")
    assert due is not None and due.period_key == BASELINE
    assert [q.key for q in due.questions][:5] == ["lonely", "kind", "get-on", "trust", "bridging"]
    assert await pulse.mark_sent(GUILD, ALICE, BASELINE)
    assert not await pulse.mark_sent(GUILD, ALICE, BASELINE)
    assert await pulse.due(GUILD, ALICE, "Europe/London") is None
    clock.set(datetime(2027, 1, 5, 9, tzinfo=UTC))
    due = await pulse.due(GUILD, ALICE, "Europe/London")
    assert due is not None and due.period_key == "2027-Q1"
    assert await pulse.set_frequency(GUILD, "half-yearly") is Frequency.HALF_YEARLY
    due = await pulse.due(GUILD, ALICE, "Europe/London")
    assert due is not None and due.period_key == "2027-H1"
    await pulse.set_frequency(GUILD, "off")
    assert await pulse.due(GUILD, ALICE, "Europe/London") is None
    with pytest.raises(UserFacingError) as caught:
        await pulse.set_frequency(GUILD, "weekly")
    assert caught.value.key == "pulse.frequency_unknown"
    await pulse.set_consent(GUILD, ALICE, False)
    await pulse.set_frequency(GUILD, "quarterly")
    assert await pulse.due(GUILD, ALICE, "Europe/London") is None


async def test_a_second_answer_replaces_the_first_and_skips_are_kept(
    pulse: PulseService, db: Database, clock: FakeClock
) -> None:
    await pulse.set_consent(GUILD, ALICE, True)
    await pulse.answer(GUILD, ALICE, BASELINE, "lonely", 1)
    clock.advance(timedelta(minutes=2))
    await pulse.answer(GUILD, ALICE, BASELINE, "lonely", 3)
    await pulse.answer(GUILD, ALICE, BASELINE, "kind", None)
    stored = rows(
        db.path,
        "SELECT question_key, choice, answered_at FROM pulse_answers ORDER BY question_key",
    )
    assert stored == [
        ("kind", None, "2026-11-23T10:02:00+00:00"),
        ("lonely", 3, "2026-11-23T10:02:00+00:00"),
    ]
    assert await pulse.repo.answers(GUILD, ALICE, BASELINE) == {"lonely": 3, "kind": None}
    with pytest.raises(UserFacingError) as caught:
        await pulse.answer(GUILD, ALICE, BASELINE, "no-such-question", 0)
    assert caught.value.key == "pulse.question_unknown"
    with pytest.raises(ValueError):
        await pulse.answer(GUILD, ALICE, BASELINE, "trust", 4)  # four options: 0 to 3


async def test_a_server_adds_up_to_three_questions(pulse: PulseService) -> None:
    first = await pulse.add_question(
        GUILD, ALICE, "  Did the   coffee help?  ", "choice", ["Yes", "No"]
    )
    assert first.text == "Did the coffee help?" and first.options == ("Yes", "No")
    scale = await pulse.add_question(GUILD, ALICE, "How welcome do you feel?", "scale")
    assert scale.options == ("1", "2", "3", "4", "5")
    await pulse.add_question(
        GUILD, None, "Which day suits?", "choice", ["Mon", "Tue", "Wed", "Thu", "Fri"]
    )
    with pytest.raises(UserFacingError) as caught:
        await pulse.add_question(GUILD, ALICE, "One more?", "choice", ["Yes", "No"])
    assert caught.value.key == "pulse.custom_limit"
    message = CONTENT.messages(caught.value.key, **caught.value.params)
    assert f"already has {MAX_CUSTOM_QUESTIONS} questions" in message
    # Another server is unaffected; removing one makes room again.
    await pulse.add_question(OTHER_GUILD, ALICE, "Elsewhere?", "choice", ["Yes", "No"])
    await pulse.remove_question(GUILD, first.key)
    with pytest.raises(UserFacingError):
        await pulse.remove_question(GUILD, first.key)
    with pytest.raises(UserFacingError):
        await pulse.remove_question(GUILD, "lonely")
    again = await pulse.add_question(GUILD, ALICE, "One more?", "choice", ["Yes", "No"])
    keys = [q.key for q in await pulse.questions(GUILD)]
    assert keys[:5] == ["lonely", "kind", "get-on", "trust", "bridging"]
    assert keys[5:] == [scale.key, keys[6], again.key]
    await pulse.set_consent(GUILD, BOB, True)
    await pulse.answer(GUILD, BOB, BASELINE, scale.key, 4)
    with pytest.raises(ValueError):
        await pulse.answer(GUILD, BOB, BASELINE, again.key, 2)


@pytest.mark.parametrize(
    ("text", "options", "key"),
    [
        ("   ", ["Yes", "No"], "pulse.question_empty"),
        ("x" * 101, ["Yes", "No"], "pulse.question_too_long"),
        ("Ok?", ["Yes"], "pulse.options_count"),
        ("Ok?", ["a", "b", "c", "d", "e", "f"], "pulse.options_count"),
        ("Ok?", ["Yes", " "], "pulse.option_empty"),
        ("Ok?", ["Yes", "y" * 81], "pulse.option_too_long"),
        ("Ok?", ["Yes", "yes "], "pulse.option_duplicate"),
    ],
)
async def test_own_questions_are_checked_kindly(
    pulse: PulseService, text: str, options: list[str], key: str
) -> None:
    with pytest.raises(UserFacingError) as caught:
        await pulse.add_question(GUILD, ALICE, text, "choice", options)
    assert caught.value.key == key
    assert CONTENT.messages(key, **caught.value.params)  # the message renders
    assert await pulse.repo.custom_questions(GUILD) == []


async def test_export_and_forget_cover_the_pulse(
    pulse: PulseService, db: Database, clock: FakeClock
) -> None:
    for guild in (GUILD, OTHER_GUILD):
        await pulse.set_consent(guild, ALICE, True)
        await pulse.mark_sent(guild, ALICE, BASELINE)
        await pulse.answer(guild, ALICE, BASELINE, "lonely", 4)
    await pulse.set_consent(GUILD, BOB, True)
    await pulse.answer(GUILD, BOB, BASELINE, "lonely", 0)
    own = await pulse.add_question(GUILD, ALICE, "Was it useful?", "choice", ["Yes", "No"])

    exported = await pulse.repo.export_member(GUILD, ALICE)
    assert [r["question_key"] for r in exported["pulse_answers"]] == ["lonely"]
    assert exported["pulse_answers"][0]["choice"] == 4
    assert [r["period_key"] for r in exported["pulse_invites"]] == [BASELINE]
    assert exported["pulse_consent"][0]["pulse_opt_in"] == 1
    everything = await PrivacyRepo(db).export(GUILD, ALICE)
    assert len(everything["pulse_answers"]) == 1 and len(everything["pulse_invites"]) == 1
    assert [r["question_id"] for r in everything["pulse_questions"]] == [int(own.key[7:])]

    assert await pulse.repo.forget_member(GUILD, ALICE) == 4  # answer, invite, consent, author
    assert await pulse.repo.export_member(GUILD, ALICE) == {
        "pulse_invites": [],
        "pulse_answers": [],
        "pulse_consent": [{"pulse_opt_in": 0, "pulse_opt_in_at": None}],
    }
    assert await pulse.repo.answers(GUILD, BOB, BASELINE) == {"lonely": 0}
    assert await pulse.repo.answers(OTHER_GUILD, ALICE, BASELINE) == {"lonely": 4}
    assert [q.text for q in await pulse.repo.custom_questions(GUILD)] == ["Was it useful?"]

    # The general erasure reaches the same rows.
    await PrivacyRepo(db).forget(OTHER_GUILD, ALICE)
    await PrivacyRepo(db).forget(GUILD, ALICE)
    await db.close()
    assert tables_mentioning(db.path, ALICE) == []
