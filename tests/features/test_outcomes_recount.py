"""The outcome queries equal a brute-force recount on random communities."""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import Database, migrate
from bot.models import Profile
from bot.repos.analytics import Window
from bot.repos.champions import ChampionRepo
from bot.repos.coffee import CoffeeRepo, NewMeeting
from bot.repos.guilds import GuildRepo
from bot.repos.outcomes import OutcomesRepo
from bot.repos.pulse import PulseRepo
from bot.timeutil import to_db

GUILD = 31313131
START = datetime(2026, 9, 1, tzinfo=UTC)
WINDOW = Window(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
ANSWERS = st.sampled_from(["yes", "not_yet", "cant", None])


@st.composite
def communities(draw: st.DrawFn) -> dict[str, object]:
    size = draw(st.integers(4, 12))
    groups = draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
    rounds = []
    for _ in range(draw(st.integers(1, 4))):
        day = draw(st.integers(0, 60))
        people = draw(st.permutations(range(size)))
        taking = people[: draw(st.integers(2, size))]
        meetings: list[list[tuple[int, str | None]]] = []
        index = 0
        while len(taking) - index >= 2:
            width = 3 if len(taking) - index == 3 else 2
            meetings.append([(p, draw(ANSWERS)) for p in taking[index : index + width]])
            index += width
        rounds.append((day, meetings))
    acts = draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1),
                st.integers(0, 60),
                st.one_of(st.none(), st.integers(1, 10)),
                st.one_of(st.none(), st.integers(0, 2)),
            ),
            max_size=15,
        )
    )
    answers = draw(
        st.lists(
            st.tuples(
                st.integers(0, size - 1),
                st.sampled_from(["baseline", "2026-Q3", "2026-Q4"]),
                st.one_of(st.none(), st.integers(0, 4)),
                st.integers(0, 60),
            ),
            max_size=20,
        )
    )
    return {"groups": groups, "rounds": rounds, "acts": acts, "answers": answers}


def in_window(day: int) -> bool:
    return WINDOW.since <= START + timedelta(days=day, hours=9) < WINDOW.until


async def figures(data: dict[str, object], path: Path) -> dict[str, object]:
    db = Database(path)
    await db.connect()
    await migrate(db)
    try:
        await GuildRepo(db).ensure(GUILD, START)
        group_ids = [g.group_id for g in await GuildRepo(db).groups(GUILD)][:3]
        groups = [group_ids[g] for g in data["groups"]]  # type: ignore[attr-defined]
        for user, group in enumerate(groups):
            await ChampionRepo(db).save(GUILD, user + 1, Profile(group_id=group), START)
        coffee = CoffeeRepo(db)
        for number, (day, meetings) in enumerate(data["rounds"]):  # type: ignore[arg-type]
            when = START + timedelta(days=day, hours=9)
            made = await coffee.create_round(
                GUILD, f"r{number}", seed=1, condition_number=None, starter=None, now=when,
                checkin_due_at=when, meetings=[
                    NewMeeting(tuple((p + 1, groups[p]) for p, _ in m)) for m in meetings
                ],
            )  # fmt: skip
            for stored, meeting in zip(await coffee.meetings(made.round_id), meetings, strict=True):
                for person, answer in meeting:
                    if answer is not None:
                        await coffee.record_answer(stored.meeting_id, person + 1, answer, when)
        for user, day, condition, helped in data["acts"]:  # type: ignore[attr-defined]
            when = to_db(START + timedelta(days=day, hours=9))
            await db.execute(
                "INSERT INTO acts (guild_id, user_id, group_id, what, condition_number, "
                "visibility, text_key, created_at, updated_at, beneficiary_group_id) "
                "VALUES (?, ?, ?, 'x', ?, 'private', 'k', ?, ?, ?)",
                (GUILD, user + 1, groups[user], condition, when, when,
                 None if helped is None else group_ids[helped]),
            )  # fmt: skip
        pulse = PulseRepo(db)
        for user, period, choice, day in data["answers"]:  # type: ignore[attr-defined]
            await pulse.save_answer(
                GUILD, user + 1, period, "lonely", choice, START + timedelta(days=day, hours=9)
            )
        repo = OutcomesRepo(db)
        answered = await pulse.answer_counts(GUILD, WINDOW.since, WINDOW.until)
        counts = answered.get("lonely", [])
        ties = await repo.ties(GUILD, WINDOW)
        return {
            "group_ids": group_ids,
            "active": ties.taking_part,
            "sectors": ties.groups_met,
            "ties": ties.cross_group_ties,
            "acts": [
                (a.condition_number, a.acts, a.with_beneficiary, a.for_other_group)
                for a in await repo.acts_by_condition(GUILD, WINDOW)
            ],
            "pulse": {(c.group_id, c.choice): c.members for c in counts},
        }
    finally:
        await db.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(communities())
def test_figures_equal_a_brute_force_recount(data: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        got = asyncio.run(figures(data, Path(folder) / "k.sqlite3"))
    groups: list[int] = data["groups"]  # type: ignore[assignment]
    rounds = [(d, m) for d, m in data["rounds"] if in_window(d)]  # type: ignore[attr-defined]
    acts = [a for a in data["acts"] if in_window(a[1])]  # type: ignore[attr-defined]

    active = {u for u, *_ in acts}
    met: dict[int, set[int]] = {}
    participants: set[int] = set()
    pairs: set[tuple[int, int]] = set()
    for _, meetings in rounds:
        for meeting in meetings:
            for person, answer in meeting:
                participants.add(person)
                if answer == "yes":
                    active.add(person)
                    others = {groups[p] for p, _ in meeting if groups[p] != groups[person]}
                    met.setdefault(person, set()).update(others)
            for a, answer_a in meeting:
                for b, answer_b in meeting:
                    if a < b and groups[a] != groups[b] and "yes" in (answer_a, answer_b):
                        pairs.add((a, b))
    assert got["active"] == len(active)
    assert got["sectors"] == dict(Counter(len(met.get(p, set())) for p in participants))
    assert got["ties"] == len(pairs)

    by_condition: dict[int | None, list[int]] = {}
    for user, _, condition, helped in acts:
        row = by_condition.setdefault(condition, [0, 0, 0])
        row[0] += 1
        row[1] += helped is not None
        row[2] += helped is not None and helped != groups[user]
    expected = sorted(
        ((c, *v) for c, v in by_condition.items()), key=lambda r: (r[0] is None, r[0] or 0)
    )
    assert got["acts"] == expected

    stored: dict[tuple[int, str], tuple[int | None, int]] = {}
    for user, period, choice, day in data["answers"]:  # type: ignore[attr-defined]
        stored[(user, period)] = (choice, day)  # a second answer replaces the first
    newest: dict[int, tuple[int, str, int | None]] = {}
    for (user, period), (choice, day) in stored.items():
        if choice is None or not in_window(day):
            continue
        if user not in newest or (day, period) > newest[user][:2]:
            newest[user] = (day, period, choice)
    group_ids: list[int] = got["group_ids"]  # type: ignore[assignment]
    recount = Counter((group_ids[groups[u]], c) for u, (_, _, c) in newest.items())
    assert got["pulse"] == dict(recount)
