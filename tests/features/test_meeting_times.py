"""Finding a time to meet: offered slots, ticks, the agreed time and its calendar file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.ics import (
    CalendarEvent,
    escape_text,
    fold,
    meeting_uid,
    render_ics,
)
from bot.services.meeting_times import (
    HORIZON,
    MAX_SLOTS,
    MIN_SLOTS,
    HoursError,
    UsualHours,
    agreed_slot,
    discord_timestamp,
    far_apart,
    hours_apart,
    offer_slots,
    reminder_at,
)

# A Tuesday evening in December.
NOW = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
LONDON = UsualHours("Europe/London")
NEW_YORK = UsualHours("America/New_York")
TOKYO = UsualHours("Asia/Tokyo")


def _local(when: datetime, hours: UsualHours) -> datetime:
    return when.astimezone(ZoneInfo(hours.timezone))


def test_slots_fall_inside_everyones_usual_hours_on_different_days() -> None:
    offer = offer_slots([LONDON, NEW_YORK], NOW)
    assert MIN_SLOTS <= len(offer.slots) <= MAX_SLOTS
    assert offer.everyone_free
    assert list(offer.slots) == sorted(offer.slots)
    for slot in offer.slots:
        assert NOW < slot <= NOW + HORIZON
        assert slot.minute in (0, 30) and slot.second == 0
        for member in (LONDON, NEW_YORK):
            local = _local(slot, member)
            assert local.weekday() < 5
            assert time(8) <= local.time() and (local + offer.duration).time() <= time(18)
    days = {slot.date() for slot in offer.slots}
    assert len(days) >= 5  # the week's five weekdays all get a slot
    per_day = max(sum(s.date() == d for s in offer.slots) for d in days)
    assert per_day <= 2


def test_the_same_question_gets_the_same_slots() -> None:
    first = offer_slots([LONDON, NEW_YORK, UsualHours("Europe/Paris")], NOW)
    again = offer_slots([LONDON, NEW_YORK, UsualHours("Europe/Paris")], NOW)
    assert first == again


def test_members_far_apart_get_the_best_overlap_and_are_told() -> None:
    # Weekdays 08:00-18:00 in London and Tokyo share one hour: 08:00-09:00 UTC.
    offer = offer_slots([LONDON, TOKYO], NOW)
    assert not offer.everyone_free
    everyone = [s for s, n in zip(offer.slots, offer.free_counts, strict=True) if n == 2]
    assert everyone and all(s.time() == time(8) for s in everyone)
    assert all(n >= 1 for n in offer.free_counts)
    assert len(offer.slots) >= MIN_SLOTS
    assert far_apart(["Europe/London", "Asia/Tokyo"], NOW)
    assert not far_apart(["Europe/London", "America/New_York"], NOW)
    assert hours_apart(["Europe/London", "America/New_York"], NOW) == 5


def test_own_days_and_hours_are_respected() -> None:
    weekend = UsualHours("Europe/London", frozenset({5, 6}), time(10), time(13))
    offer = offer_slots([weekend, UsualHours("Europe/London", frozenset(range(7)))], NOW, count=6)
    assert offer.everyone_free
    for slot in offer.slots:
        local = _local(slot, weekend)
        assert local.weekday() in (5, 6) and time(10) <= local.time() <= time(12)


def test_nobody_free_still_gets_an_offer() -> None:
    night = UsualHours("UTC", frozenset({0}), time(0), time(1))
    offer = offer_slots([night, UsualHours("UTC", frozenset({3}), time(20), time(21))], NOW)
    assert len(offer.slots) == 8 and not offer.everyone_free


@pytest.mark.parametrize(
    ("days", "start", "end", "key"),
    [
        (frozenset(), time(8), time(18), "programmes.hours_days"),
        (frozenset({7}), time(8), time(18), "programmes.hours_days"),
        (frozenset({1}), time(8, 15), time(18), "programmes.hours_half_hours"),
        (frozenset({1}), time(18), time(8), "programmes.hours_order"),
    ],
)
def test_bad_hours_are_refused(days: frozenset[int], start: time, end: time, key: str) -> None:
    with pytest.raises(HoursError) as raised:
        UsualHours("Europe/London", days, start, end)
    assert raised.value.key == key


def test_hours_until_midnight() -> None:
    late = UsualHours("UTC", frozenset(range(7)), time(20), time(0))
    assert late.fits(datetime(2026, 12, 2, 23, 0, tzinfo=UTC), timedelta(hours=1))
    assert not late.fits(datetime(2026, 12, 2, 23, 30, tzinfo=UTC), timedelta(hours=1))


@settings(max_examples=60, deadline=None)
@given(
    zones=st.lists(
        st.sampled_from(["UTC", "Europe/London", "America/Los_Angeles", "Asia/Kolkata"]),
        min_size=1,
        max_size=4,
    ),
    count=st.integers(MIN_SLOTS, MAX_SLOTS),
    minutes=st.integers(0, 60 * 24 * 30),
)
def test_any_offer_has_distinct_half_hour_slots_within_the_week(
    zones: list[str], count: int, minutes: int
) -> None:
    now = NOW + timedelta(minutes=minutes, seconds=7)
    offer = offer_slots([UsualHours(z) for z in zones], now, count=count)
    assert len(offer.slots) == count == len(set(offer.slots))
    assert all(now < s <= now + HORIZON and s.minute % 30 == 0 for s in offer.slots)
    if offer.everyone_free:
        assert all(all(UsualHours(z).fits(s, offer.duration) for z in zones) for s in offer.slots)


def test_the_first_slot_everyone_ticked_is_agreed() -> None:
    slots = [NOW + timedelta(hours=h) for h in (30, 20, 50, 40)]
    ticks = {1: {slots[0], slots[2], slots[3]}, 2: {slots[2], slots[0]}, 3: set(slots)}
    assert agreed_slot(slots, ticks, [1, 2, 3]) == slots[0]  # 30h beats 50h
    assert agreed_slot(slots, ticks, [1, 2, 3, 4]) is None
    assert agreed_slot(slots, {}, []) is None
    assert reminder_at(slots[0]) == slots[0] - timedelta(hours=1)


def test_discord_timestamps() -> None:
    assert discord_timestamp(datetime(2026, 12, 2, 9, tzinfo=UTC)) == "<t:1796202000:F>"


# .ics


def _unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical)
    assert all(len(line.encode("utf-8")) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def _check_structure(lines: list[str]) -> dict[str, str]:
    """A parser-free check of RFC 5545's shape; returns the VEVENT's properties."""
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    stack: list[str] = []
    event: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        assert sep and re.fullmatch(r"[A-Z-]+", name), line
        if name == "BEGIN":
            stack.append(value)
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR", "VEVENT"]:
            assert name not in event, f"{name} appears twice"
            event[name] = value
        else:
            assert stack == ["VCALENDAR"]
            assert name in {"VERSION", "PRODID", "CALSCALE", "METHOD"}
    assert stack == []
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    for required in ("UID", "DTSTAMP", "DTSTART", "DTEND"):
        assert required in event
    for stamp in ("DTSTAMP", "DTSTART", "DTEND"):
        assert re.fullmatch(r"\d{8}T\d{6}Z", event[stamp])
    for text in ("SUMMARY", "DESCRIPTION", "LOCATION"):
        if text in event:
            # Every , ; and \ is escaped: none is left once the escapes are taken out.
            assert not re.search(r"[\\;,]", re.sub(r"\\[\\;,nN]", "", event[text]))
    return event


def test_calendar_file_is_well_formed_and_stable() -> None:
    start = datetime(2026, 12, 3, 13, 30, tzinfo=UTC)
    summary = "Coffee: Ana, Bea; and Cai \\ friends 🌿☕"
    description = "Kindness Champions coffee.\nSay hello, share a kindness; " + "long " * 30
    event = CalendarEvent(
        meeting_uid(42, 7), start, start + timedelta(hours=1), summary, description
    )
    data = render_ics(event, stamp=NOW)
    lines = _unfold(data)
    properties = _check_structure(lines)
    assert properties["UID"] == "meeting-7-42@kindbot"
    assert properties["DTSTART"] == "20261203T133000Z"
    assert properties["DTEND"] == "20261203T143000Z"
    assert properties["DTSTAMP"] == "20261201T220000Z"
    assert _unescape(properties["SUMMARY"]) == summary
    assert _unescape(properties["DESCRIPTION"]) == description
    assert render_ics(event, stamp=NOW) == data
    again = render_ics(
        CalendarEvent(meeting_uid(42, 7), start, start + timedelta(hours=1), "Other"),
        stamp=NOW + timedelta(days=1),
    )
    assert _check_structure(_unfold(again))["UID"] == properties["UID"]


def test_times_in_other_zones_are_written_in_utc() -> None:
    start = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    data = render_ics(
        CalendarEvent("x@kindbot", start, start + timedelta(minutes=30), "Hi"), stamp=NOW
    )
    assert "DTSTART:20261203T140000Z\r\n" in data.decode()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_folding_and_escaping_round_trip(text: str) -> None:
    line = "DESCRIPTION:" + escape_text(text)
    folded = fold(line)
    chunks = folded.split("\r\n")
    assert all(len(chunk.encode("utf-8")) <= 75 for chunk in chunks)
    assert all(chunk.startswith(" ") for chunk in chunks[1:])
    assert chunks[0] + "".join(c[1:] for c in chunks[1:]) == line
    unescaped = _unescape(escape_text(text))
    assert unescaped == text.replace("\r\n", "\n").replace("\r", "\n")


def test_an_event_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        render_ics(CalendarEvent("x@kindbot", NOW, NOW, "Hi"), stamp=NOW)
