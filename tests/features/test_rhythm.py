"""When a programme's rounds fall due: weekly kinds, monthly nth weekdays, DST months."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.rhythm import Rhythm, RhythmError, RhythmKind, nth_weekday

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
TUESDAY, FRIDAY, SUNDAY = 1, 4, 6


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_two_weekly_programme_skips_the_off_weeks() -> None:
    rhythm = Rhythm.weekly(2, TUESDAY, time(9), LONDON, date(2026, 11, 30))
    found = list(rhythm.occurrences(_utc(2026, 11, 1), _utc(2027, 1, 31)))
    assert [d.date() for d in found] == [
        date(2026, 12, 1),
        date(2026, 12, 15),
        date(2026, 12, 29),
        date(2027, 1, 12),
        date(2027, 1, 26),
    ]
    assert [rhythm.period_key(d) for d in found] == [
        "2026-W49",
        "2026-W51",
        "2026-W53",
        "2027-W02",
        "2027-W04",
    ]
    # An off week is never due, even when asked from inside it.
    assert rhythm.next_due(_utc(2026, 12, 7)) == _utc(2026, 12, 15, 9)
    assert not rhythm.is_occurrence_day(date(2026, 12, 8))
    assert rhythm.is_occurrence_day(date(2026, 12, 15))


def test_nothing_falls_due_before_the_anchor() -> None:
    rhythm = Rhythm.weekly(1, TUESDAY, time(9), LONDON, date(2026, 12, 10))
    assert rhythm.next_due(_utc(2026, 11, 1)) == _utc(2026, 12, 15, 9)
    assert rhythm.latest_due(_utc(2026, 12, 14), timedelta(days=60)) is None


@pytest.mark.parametrize(
    ("timezone", "week", "weekday", "month", "expected_utc"),
    [
        # London changes on 29 March and 25 October 2026; New York on 8 March and 1 November.
        (LONDON, 1, TUESDAY, 3, _utc(2026, 3, 3, 9)),
        (NEW_YORK, 1, TUESDAY, 3, _utc(2026, 3, 3, 14)),
        (LONDON, -1, FRIDAY, 3, _utc(2026, 3, 27, 9)),
        (NEW_YORK, -1, FRIDAY, 3, _utc(2026, 3, 27, 13)),
        (LONDON, 1, TUESDAY, 10, _utc(2026, 10, 6, 8)),
        (LONDON, -1, FRIDAY, 10, _utc(2026, 10, 30, 9)),
        (NEW_YORK, -1, FRIDAY, 10, _utc(2026, 10, 30, 13)),
        (NEW_YORK, 1, TUESDAY, 11, _utc(2026, 11, 3, 14)),
        (LONDON, 1, TUESDAY, 11, _utc(2026, 11, 3, 9)),
        (LONDON, 4, SUNDAY, 3, _utc(2026, 3, 22, 9)),
    ],
)
def test_monthly_nth_weekday_in_dst_months(
    timezone: str, week: int, weekday: int, month: int, expected_utc: datetime
) -> None:
    rhythm = Rhythm.monthly(week, weekday, time(9), timezone, date(2026, 1, 1))
    due = rhythm.next_due(_utc(2026, month, 1) - timedelta(days=1))
    assert due == expected_utc
    local = due.astimezone(ZoneInfo(timezone))
    assert (local.hour, local.minute) == (9, 0)
    assert rhythm.period_key(due) == f"2026-{month:02d}"


def test_last_friday_of_each_month() -> None:
    rhythm = Rhythm.monthly(-1, FRIDAY, time(12, 30), LONDON, date(2026, 1, 1))
    found = [d.date() for d in rhythm.occurrences(_utc(2026, 1, 1), _utc(2026, 6, 30))]
    assert found == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
        date(2026, 5, 29),
        date(2026, 6, 26),
    ]
    assert nth_weekday(2026, 2, FRIDAY, -1) == date(2026, 2, 27)


def test_a_time_skipped_by_the_clocks_changing_still_happens_that_day() -> None:
    # 01:30 does not exist in London on 29 March 2026; the round is at 02:30 BST instead.
    rhythm = Rhythm.weekly(1, SUNDAY, time(1, 30), LONDON, date(2026, 3, 1))
    due = rhythm.next_due(_utc(2026, 3, 28))
    assert due == _utc(2026, 3, 29, 1, 30)
    assert due.astimezone(ZoneInfo(LONDON)).date() == date(2026, 3, 29)
    assert rhythm.next_due(due) == _utc(2026, 4, 5, 0, 30)


def test_latest_due_looks_back_only_so_far() -> None:
    rhythm = Rhythm.weekly(1, TUESDAY, time(9), LONDON, date(2026, 1, 1))
    now = _utc(2026, 12, 1, 20)
    assert rhythm.latest_due(now, timedelta(hours=24)) == _utc(2026, 12, 1, 9)
    assert rhythm.latest_due(now, timedelta(hours=2)) is None
    assert rhythm.latest_due(_utc(2026, 12, 1, 9), timedelta(0)) == _utc(2026, 12, 1, 9)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"every_weeks": 5}, "programmes.every_weeks_range"),
        ({"every_weeks": 0}, "programmes.every_weeks_range"),
        ({"day_of_week": 7}, "programmes.day_range"),
        ({"hour": 24}, "programmes.time_range"),
        ({"minute": 60}, "programmes.time_range"),
        ({"timezone": "Mars/Olympus"}, "programmes.unknown_timezone"),
        ({"kind": RhythmKind.MONTHLY, "week_of_month": 5}, "programmes.week_of_month_range"),
        ({"kind": RhythmKind.MONTHLY, "week_of_month": None}, "programmes.week_of_month_range"),
    ],
)
def test_bad_rhythms_are_refused_with_a_message_key(kwargs: dict[str, object], key: str) -> None:
    fields: dict[str, object] = {
        "kind": RhythmKind.WEEKLY,
        "day_of_week": 1,
        "hour": 9,
        "minute": 0,
        "timezone": LONDON,
        "anchor": date(2026, 1, 1),
        **kwargs,
    }
    with pytest.raises(RhythmError) as raised:
        Rhythm(**fields)  # type: ignore[arg-type]
    assert raised.value.key == key


def test_naive_datetimes_are_refused() -> None:
    rhythm = Rhythm.weekly(1, TUESDAY, time(9), LONDON, date(2026, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        rhythm.next_due(datetime(2026, 1, 1))


ZONES = [
    "UTC",
    LONDON,
    NEW_YORK,
    "Australia/Lord_Howe",  # half-hour DST shift
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "America/Sao_Paulo",
]


@st.composite
def rhythms(draw: st.DrawFn) -> Rhythm:
    kind = draw(st.sampled_from(list(RhythmKind)))
    common = {
        "day_of_week": draw(st.integers(0, 6)),
        "hour": draw(st.integers(0, 23)),
        "minute": draw(st.sampled_from([0, 15, 30, 45, 59])),
        "timezone": draw(st.sampled_from(ZONES)),
        "anchor": draw(st.dates(date(2024, 1, 1), date(2028, 12, 31))),
    }
    if kind is RhythmKind.WEEKLY:
        return Rhythm(kind, every_weeks=draw(st.integers(1, 4)), **common)  # type: ignore[arg-type]
    return Rhythm(kind, week_of_month=draw(st.sampled_from([1, 2, 3, 4, -1])), **common)  # type: ignore[arg-type]


@settings(max_examples=150, deadline=None)
@given(rhythm=rhythms(), offset=st.integers(-30 * 24 * 60, 700 * 24 * 60))
def test_occurrences_are_ordered_unique_per_period_and_agree(rhythm: Rhythm, offset: int) -> None:
    anchor = rhythm.anchor
    begin = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC) + timedelta(minutes=offset)
    found = list(rhythm.occurrences(begin, begin + timedelta(days=400)))
    assert found, "every rhythm meets at least once in 400 days after its anchor"
    assert all(a < b for a, b in pairwise(found))
    keys = [rhythm.period_key(when) for when in found]
    assert len(set(keys)) == len(keys)
    local_days = [when.astimezone(rhythm.zone).date() for when in found]
    assert all(rhythm.is_occurrence_day(day) for day in local_days)
    assert all(day >= rhythm.anchor for day in local_days)
    if rhythm.kind is RhythmKind.WEEKLY:
        gaps = {(b - a).days for a, b in pairwise(local_days)}
        assert gaps <= {7 * rhythm.every_weeks}
    else:
        months = [(d.year, d.month) for d in local_days]
        for (y1, m1), (y2, m2) in pairwise(months):
            assert (y2 * 12 + m2) - (y1 * 12 + m1) == 1
    # next_due and latest_due describe the same sequence.
    for previous, current in pairwise(found):
        assert rhythm.next_due(previous) == current
        assert rhythm.latest_due(current, timedelta(0)) == current
        assert rhythm.latest_due(current - timedelta(seconds=1), timedelta(days=40)) == previous
        middle = previous + (current - previous) / 2
        assert rhythm.latest_due(middle, current - previous) == previous
