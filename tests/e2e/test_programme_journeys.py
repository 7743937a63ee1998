"""Programmes as coordinators and champions meet them through Discord."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.services.programmes import programme_texts
from bot.text import Messages
from sandbox import FailureMode, FailureRule
from sandbox.state import Channel, Member, Message
from tests.e2e.conftest import Harness
from tests.e2e.flows import configure, join, rows

TEXTS = programme_texts()
WEDNESDAY = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
GROUPS = ["Justice", "Education", "Health & care", "Justice"] * 2


def at(when: str) -> dict[str, str]:
    return {"KINDBOT_CLOCK_START": datetime.fromisoformat(when).isoformat()}


def said(key: str, **params: Any) -> str:
    return TEXTS(key, **params)


def placeholder_select(message: Message, placeholder: str) -> str:
    for comp in message.iter_components():
        if comp.get("placeholder") == placeholder:
            return str(comp["custom_id"])
    raise LookupError(placeholder)


def threads_in(h: Harness, channel: Channel) -> list[Channel]:
    return [t for t in h.guild.threads if t.parent_id == channel.id]


def programme_rounds(h: Harness, name: str) -> list[str]:
    return [
        period
        for (period,) in rows(
            h.db_path,
            "SELECT r.period_key FROM coffee_rounds r JOIN programmes p "
            "ON p.programme_id = r.programme_id WHERE p.name = ? ORDER BY r.round_id",
            name,
        )
    ]


def job_finished(h: Harness, job_prefix: str, period: str) -> bool:
    return bool(
        rows(
            h.db_path,
            "SELECT 1 FROM job_runs WHERE job LIKE ? AND period_key = ? AND status = 'done'",
            f"{job_prefix}%",
            period,
        )
    )


async def join_programme(h: Harness, member: Member, programme_id: int) -> str:
    menu = await (await h.emu.slash(h.guild, member, "programmes")).final()
    pick = placeholder_select(menu, said("programmes.pick_placeholder"))
    await h.emu.select(menu, pick, [str(programme_id)], by=member)
    button = menu.custom_id_for(said("programmes.button_join"))
    return (await (await h.emu.click(menu, button, by=member)).final()).content


async def test_a_two_weekly_programme_of_fours_meets_finds_a_time_and_pauses(
    harness: Harness,
) -> None:
    h = harness
    lunch = h.emu.create_channel(h.guild, "lunch")
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))
    await configure(h)
    people = []
    for index, group in enumerate(GROUPS):
        member = h.member(f"luncher{index}")
        await join(h, member, group, intro=f"Hello from luncher {index}")
        people.append(member)

    options = {"name": "Lunch club", "rhythm": "every-2-weeks", "day": 3, "hour": 10}
    too_big = await (
        await h.emu.slash(
            h.guild, h.owner, "programme create", channel=lunch, group_size=9, **options
        )
    ).final()
    assert too_big.content == said("programmes.group_size_range", low=2, high=8)
    assert programme_rounds(h, "Lunch club") == []
    assert rows(h.db_path, "SELECT 1 FROM programmes WHERE name = 'Lunch club'") == []
    made = await (
        await h.emu.slash(
            h.guild, h.owner, "programme create", channel=lunch, group_size=4, **options
        )
    ).final()
    assert made.content.startswith(said("programmes.created", line="").split("\n")[0])
    ((programme_id,),) = rows(
        h.db_path, "SELECT programme_id FROM programmes WHERE name = 'Lunch club'"
    )
    for member in people:
        assert await join_programme(h, member, programme_id) == said(
            "programmes.joined", name="Lunch club"
        )

    # Thursday 26 November, 10:00: the first round, two groups of four.
    await h.restart_bot(**at("2026-11-26T10:01:00+00:00"))
    await h.emu.wait_until(lambda: len(threads_in(h, lunch)) == 2, within=20, what="two threads")
    ids = {m.user.id for m in people}
    seen: set[int] = set()
    for thread in threads_in(h, lunch):
        intro = await h.emu.wait_for_message(thread, within=10)
        members = set(thread.thread_members) - {h.emu.bot_user.id}
        assert len(members) == 4 and members <= ids
        assert not members & seen
        seen |= members
        assert intro.custom_id_for(said("programmes.find_time_button"))
    assert seen == ids
    assert programme_rounds(h, "Lunch club") == ["2026-W48"]

    # Find a time: every member of the first thread ticks the first two times.
    thread = threads_in(h, lunch)[0]
    intro = await h.emu.wait_for_message(thread)
    button = intro.custom_id_for(said("programmes.find_time_button"))
    members = [m for m in people if m.user.id in set(thread.thread_members)]
    # Someone from another meeting is told kindly, and privately, that this one isn't theirs.
    outsider = next(m for m in people if m.user.id not in set(thread.thread_members))
    refused = await (await h.emu.click(intro, button, by=outsider)).final()
    assert refused.ephemeral and refused.content == said("programmes.not_in_meeting")
    for member in members:
        offer = await (await h.emu.click(intro, button, by=member)).final()
        assert "<t:" in offer.content
        select = placeholder_select(offer, said("programmes.slot_placeholder"))
        choices = offer.component(select)["options"]
        assert len(choices) == 8
        # The menu is this member's own, labelled in their timezone (London, from /profile).
        assert all(c["label"].endswith(" (Europe/London)") for c in choices)
        assert offer.content.count("<t:") == 8
        saved = await (await h.emu.select(offer, select, ["0", "1"], by=member)).final()
        assert saved.content == said("programmes.ticks_saved", count=2)
    agreed = await h.emu.wait_for_message(thread, lambda m: bool(m.attachments), within=10)
    assert agreed.attachments[0].filename == "meeting.ics"
    assert b"BEGIN:VEVENT" in agreed.attachments[0].data
    assert "<t:" in agreed.content

    # An hour before the agreed time, the thread is reminded once.
    ((starts,),) = rows(
        h.db_path,
        "SELECT s.starts_at FROM meeting_slots s JOIN coffee_meetings m "
        "ON m.meeting_id = s.meeting_id WHERE m.thread_id = ? AND s.position = 0",
        thread.id,
    )
    remind_at = datetime.fromisoformat(starts) - timedelta(minutes=59)
    await h.restart_bot(**at(remind_at.isoformat()))
    reminder = await h.emu.wait_for_message(
        thread, lambda m: m.content.startswith("A friendly reminder"), within=20
    )
    assert f"<t:{int(datetime.fromisoformat(starts).timestamp())}:R>" in reminder.content
    # The restart came within a day of the round: it is not made or announced again.
    assert remind_at - datetime.fromisoformat("2026-11-26T10:00:00+00:00") < timedelta(days=1)
    assert programme_rounds(h, "Lunch club") == ["2026-W48"]
    assert len(threads_in(h, lunch)) == 2
    assert len(h.emu.bot_messages(thread)) == 3  # introduction, agreed time, reminder

    # Paused until 10 December: its channel is told now, and again when it comes back.
    paused = await (
        await h.emu.slash(
            h.guild, h.owner, "programme pause", name="Lunch club", resume_on="2026-12-10"
        )
    ).final()
    assert paused.content.startswith("**Lunch club** is paused")
    notice = await h.emu.wait_for_message(lunch, lambda m: "short break" in m.content)
    assert notice.mention_ids == []

    # Thursday 3 December is an off week: no round.
    await h.restart_bot(**at("2026-12-03T10:01:00+00:00"))
    await h.emu.wait_until(
        lambda: job_finished(h, "programme-", "2026-W49"), within=20, what="the off week's job"
    )
    assert programme_rounds(h, "Lunch club") == ["2026-W48"]

    # Thursday 10 December: back by itself, and the next round is made.
    await h.restart_bot(**at("2026-12-10T10:01:00+00:00"))
    back = await h.emu.wait_for_message(
        lunch, lambda m: m.content == said("programmes.back_notice", name="Lunch club"), within=20
    )
    assert back.mention_ids == []
    await h.emu.wait_until(lambda: len(threads_in(h, lunch)) == 4, within=20, what="new threads")
    assert programme_rounds(h, "Lunch club") == ["2026-W48", "2026-W50"]


def meetings_of(h: Harness, name: str) -> list[set[int]]:
    found: dict[int, set[int]] = {}
    for meeting_id, user_id in rows(
        h.db_path,
        "SELECT m.meeting_id, mm.user_id FROM coffee_meetings m "
        "JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
        "JOIN coffee_rounds r ON r.round_id = m.round_id "
        "JOIN programmes p ON p.programme_id = r.programme_id WHERE p.name = ?",
        name,
    ):
        found.setdefault(meeting_id, set()).add(int(user_id))
    return list(found.values())


async def test_a_monthly_in_person_programme_keeps_regions_apart_and_never_pairs_a_block(
    harness: Harness,
) -> None:
    h = harness
    walks = h.emu.create_channel(h.guild, "walks")
    await h.start_bot(**at("2026-10-28T12:00:00+00:00"))
    await configure(h)
    await h.emu.slash(h.guild, h.owner, "setup timezone", name="America/New_York")
    regions = {
        "ann": "North East England",
        "bob": "North East England",
        "cat": "North East England",
        "dan": "London",
        "eve": "London",
        "fay": "Scotland",
    }
    groups = ["Justice", "Education", "Health & care"]
    people: dict[str, Member] = {}
    for index, (name, region) in enumerate(regions.items()):
        people[name] = h.member(name)
        await join(h, people[name], groups[index % 3], region=region)
    for blocker in ("ann", "cat"):  # nobody can meet bob: he sits out
        await h.emu.slash(h.guild, people[blocker], "coffee never", member=people["bob"])
    made = await (
        await h.emu.slash(
            h.guild,
            h.owner,
            "programme create",
            name="Walks",
            rhythm="monthly",
            week=1,
            day=1,
            hour=18,
            channel=walks,
            format="in_person",
        )
    ).final()
    assert "**Walks**" in made.content
    ((programme_id,),) = rows(
        h.db_path, "SELECT programme_id FROM programmes WHERE name = ?", "Walks"
    )
    for member in people.values():
        await join_programme(h, member, programme_id)

    # The first Tuesday of November is the 3rd, two days after New York leaves summer
    # time: 18:00 there is 23:00 UTC, not 22:00.
    await h.restart_bot(**at("2026-11-03T22:30:00+00:00"))
    await h.emu.wait_until(
        lambda: job_finished(h, "programme-notices", "2026-11-03"),
        within=20,
        what="the catch-up on the morning of 3 November",
    )
    assert meetings_of(h, "Walks") == []
    await h.restart_bot(**at("2026-11-03T23:01:00+00:00"))
    await h.emu.wait_until(lambda: len(threads_in(h, walks)) == 2, within=20, what="two threads")
    ids = {name: m.user.id for name, m in people.items()}
    assert sorted(map(sorted, meetings_of(h, "Walks"))) == sorted(
        [sorted([ids["ann"], ids["cat"]]), sorted([ids["dan"], ids["eve"]])]
    )
    for thread in threads_in(h, walks):
        intro = await h.emu.wait_for_message(thread, within=10)
        assert "North East England" in intro.content or "London" in intro.content
        assert said("programmes.place_suggestion", suggestion="")[:10] in intro.content
    sat_out = await h.emu.wait_for_message(people["bob"], within=10)
    assert sat_out.content == said("programmes.sat_out_blocked", name="Walks")
    offer = await h.emu.wait_for_message(people["fay"], within=10)
    assert offer.content == said("programmes.offer_neighbour", region="North East England")
    log = await h.emu.wait_for_message(h.channel("coordinators"), lambda m: "Walks" in m.content)
    assert f"<@{ids['bob']}>" in log.content
    assert said("programmes.reason_blocked") in log.content
    assert f"<@{ids['fay']}> ({said('programmes.reason_region_small')})" in log.content
    assert len(h.emu.dms_to(people["fay"])) == 1  # the offer, not a second note

    # A coordinator places bob after all (with fay, who also sat out), and cannot
    # introduce two members who already have a group this round.
    placed = await (
        await h.emu.slash(
            h.guild, h.owner, "programme add-late", name="Walks", member=people["bob"]
        )
    ).final()
    assert placed.content == said("programmes.late_placed", name="Walks")
    await h.emu.wait_until(lambda: len(threads_in(h, walks)) == 3, within=10, what="a third thread")
    assert sorted([ids["bob"], ids["fay"]]) in [sorted(m) for m in meetings_of(h, "Walks")]
    late = next(t for t in threads_in(h, walks) if ids["bob"] in t.thread_members)
    assert set(late.thread_members) - {h.emu.bot_user.id} == {ids["bob"], ids["fay"]}
    twice = await (
        await h.emu.slash(
            h.guild,
            h.owner,
            "programme introduce",
            name="Walks",
            first=people["ann"],
            second=people["dan"],
        )
    ).final()
    assert twice.content == said("programmes.already_placed")


async def test_the_migrated_roulette_keeps_avoiding_its_past_pairs(harness: Harness) -> None:
    import shutil

    from bot.db import Database, migrate
    from bot.db.migrations import discover
    from bot.models import ChannelPurpose, Profile
    from bot.repos.champions import ChampionRepo
    from bot.repos.guilds import GuildRepo
    from bot.timeutil import to_db

    h = harness
    people = [h.member(name) for name in ("ann", "bob", "cat", "dan", "eve", "fay")]
    a, b, c, d, e, f = (m.user.id for m in people)
    earlier = h.db_path.parent / "earlier"
    earlier.mkdir()
    migrations = discover()
    [programmes] = [m for m in migrations if m.name == "programmes"]
    for migration in migrations:
        if migration.version < programmes.version:
            shutil.copy(migration.path, earlier / migration.path.name)
    then = datetime.fromisoformat("2026-11-01T10:00:00+00:00")
    db = Database(h.db_path)
    await db.connect()
    try:
        await migrate(db, earlier)
        guilds = GuildRepo(db)
        await guilds.ensure(h.guild.id, then)
        await guilds.set_channel(h.guild.id, ChannelPurpose.COFFEE, h.channel("coffee").id)
        groups = [g.group_id for g in await guilds.groups(h.guild.id)]
        group_of = {a: 0, c: 0, e: 0, b: 1, d: 1, f: 1}
        for user, index in group_of.items():
            profile = Profile(group_id=groups[index], coffee_opt_in=True)
            await ChampionRepo(db).save(h.guild.id, user, profile, then)
        history = {46: [(a, b), (c, d), (e, f)], 47: [(a, d), (c, f), (e, b)]}
        # The rounds are written as the schema before programmes stored them.
        async with db.transaction() as tx:
            for week, pairs in history.items():
                made = then + timedelta(weeks=week - 45)
                written = await tx.execute(
                    "INSERT INTO coffee_rounds (guild_id, period_key, created_at, seed, "
                    "condition_number, starter, checkin_due_at) VALUES (?, ?, ?, ?, 1, 'Hello', ?)",
                    (
                        h.guild.id,
                        f"2026-W{week}",
                        to_db(made),
                        week,
                        to_db(made + timedelta(weeks=1)),
                    ),
                )
                for position, (x, y) in enumerate(pairs):
                    meeting = await tx.execute(
                        "INSERT INTO coffee_meetings (round_id, guild_id, position, cross_group) "
                        "VALUES (?, ?, ?, 1)",
                        (written.lastrowid, h.guild.id, position),
                    )
                    await tx.executemany(
                        "INSERT INTO coffee_meeting_members (meeting_id, guild_id, user_id, "
                        "group_id) VALUES (?, ?, ?, ?)",
                        [
                            (meeting.lastrowid, h.guild.id, user, groups[group_of[user]])
                            for user in (x, y)
                        ],
                    )
    finally:
        await db.close()

    # Monday 23 November, 09:05: the bot upgrades the database and makes the round.
    await h.start_bot(**at("2026-11-23T09:05:00+00:00"))
    await h.emu.wait_until(
        lambda: programme_rounds(h, "Coffee roulette") == ["2026-W46", "2026-W47", "2026-W48"],
        within=20,
        what="this week's roulette round",
    )
    week = [
        frozenset(m)
        for m in meetings_of(h, "Coffee roulette")
        if frozenset(m) not in {frozenset(p) for pairs in history.values() for p in pairs}
    ]
    assert sorted(map(sorted, week)) == sorted(map(sorted, [(a, f), (c, b), (e, d)]))


async def test_every_bad_programme_is_refused_with_a_clear_message_and_nothing_saved(
    harness: Harness,
) -> None:
    from sandbox.permissions import Perm

    h = harness
    closed = h.emu.create_channel(h.guild, "closed")
    lunch = h.emu.create_channel(h.guild, "lunch")
    h.emu.deny_bot(closed, Perm.CREATE_PRIVATE_THREADS)
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))
    await configure(h)
    base: dict[str, Any] = {"rhythm": "weekly", "day": 2, "hour": 12, "channel": lunch}

    async def create(**options: Any) -> str:
        reply = await (await h.emu.slash(h.guild, h.owner, "programme create", **options)).final()
        return reply.content

    assert "can't open private threads in" in await create(
        **{**base, "name": "A", "channel": closed}
    )
    assert await create(**{**base, "name": "  \u200b "}) == said("programmes.name_blank")
    assert await create(**{**base, "name": "x" * 51}) == said(
        "programmes.name_too_long", length=51, limit=50
    )
    assert await create(**{**base, "name": "Walks", "rhythm": "monthly"}) == said(
        "programmes.week_needed"
    )
    assert await create(**{**base, "name": "Walks", "group_size": 1}) == said(
        "programmes.group_size_range", low=2, high=8
    )
    assert rows(h.db_path, "SELECT name FROM programmes") == [("Coffee roulette",)]

    members_only = h.role("Walkers")
    walker = h.member("walker")
    await join(h, walker, "Justice")
    created = await create(**{**base, "name": "Walks", "role": members_only})
    assert "**Walks**" in created
    assert await create(**{**base, "name": "WALKS"}) == said("programmes.name_taken", name="WALKS")
    ((walks_id,),) = rows(h.db_path, "SELECT programme_id FROM programmes WHERE name = 'Walks'")
    assert await join_programme(h, walker, walks_id) == said(
        "programmes.role_required", programme="Walks", role=members_only.id
    )
    assert rows(h.db_path, "SELECT 1 FROM programme_members WHERE programme_id = ?", walks_id) == []

    made = 2  # the roulette and Walks
    while made < 10:
        made += 1
        assert "**Extra" in await create(**{**base, "name": f"Extra {made}"})
    assert await create(**{**base, "name": "One too many"}) == said(
        "programmes.limit_reached", limit=10
    )
    assert len(rows(h.db_path, "SELECT 1 FROM programmes")) == 10


ANY_MESSAGE = re.compile(r"^/channels/\d+/messages$")


def lose_answer(h: Harness, route: str | re.Pattern[str]) -> FailureRule:
    """The next matching POST takes effect, and Discord's answer is lost on the way back."""
    return h.emu.inject_failure("POST", route, mode=FailureMode.STORE_THEN_DROP)


def bot_posts(h: Harness, where: Channel, text: str) -> list[Message]:
    return [m for m in h.emu.bot_messages(where) if text in m.content]


async def command(h: Harness, command_name: str, /, **options: Any) -> str:
    return (await (await h.emu.slash(h.guild, h.owner, command_name, **options)).final()).content


async def test_coordinators_posts_are_made_once_even_when_discords_answer_is_lost(
    harness: Harness,
) -> None:
    h = harness
    lunch = h.emu.create_channel(h.guild, "lunch")
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))
    await configure(h)
    people = []
    for index, group in enumerate(["Justice", "Education"] * 4):
        member = h.member(f"diner{index}")
        await join(h, member, group, intro=f"Hello from diner {index}")
        people.append(member)
    await command(
        h, "programme create", name="Lunch club", rhythm="weekly", day=3, hour=10, channel=lunch
    )
    ((programme_id,),) = rows(
        h.db_path, "SELECT programme_id FROM programmes WHERE name = 'Lunch club'"
    )
    for member in people[:4]:
        await join_programme(h, member, programme_id)
    await h.restart_bot(**at("2026-11-26T10:01:00+00:00"))
    await h.emu.wait_until(lambda: len(threads_in(h, lunch)) == 2, within=20, what="two threads")
    for member in people[4:]:
        await join_programme(h, member, programme_id)

    # An introduction whose new thread and intro both lose Discord's answer: one of each.
    made_thread = lose_answer(h, f"/channels/{lunch.id}/threads")
    lost_intro = lose_answer(h, ANY_MESSAGE)
    introduced = await command(
        h, "programme introduce", name="Lunch club", first=people[4], second=people[5]
    )
    assert introduced == said("programmes.introduced", name="Lunch club")
    assert made_thread.exhausted and lost_intro.exhausted
    assert len(threads_in(h, lunch)) == 3
    chosen = next(t for t in threads_in(h, lunch) if people[4].user.id in t.thread_members)
    assert set(chosen.thread_members) - {h.emu.bot_user.id} == {
        people[4].user.id,
        people[5].user.id,
    }
    assert len(h.emu.bot_messages(chosen)) == 1

    # A late joiner added to a meeting with room: one welcome in its thread.
    lost_welcome = lose_answer(h, ANY_MESSAGE)
    placed = await command(h, "programme add-late", name="Lunch club", member=people[6])
    assert placed == said("programmes.late_placed", name="Lunch club")
    assert lost_welcome.exhausted
    joined = next(t for t in threads_in(h, lunch) if people[6].user.id in t.thread_members)
    assert len(threads_in(h, lunch)) == 3
    welcomes = [m for m in h.emu.bot_messages(joined) if f"<@{people[6].user.id}>" in m.content]
    assert len(welcomes) == 1

    # Paused twice (a double click), the first answer lost: one notice.
    lost_pause = lose_answer(h, f"/channels/{lunch.id}/messages")
    pause = {"name": "Lunch club", "resume_on": "2026-12-10"}
    first = await command(h, "programme pause", **pause)
    again = await command(h, "programme pause", **pause)
    assert first == again and first.startswith("**Lunch club** is paused")
    assert lost_pause.exhausted
    assert len(bot_posts(h, lunch, "short break")) == 1
    # Brought back twice: one "it's back" notice.
    lost_back = lose_answer(h, f"/channels/{lunch.id}/messages")
    back = said("programmes.back_notice", name="Lunch club")
    for _ in range(2):
        resumed = await command(h, "programme resume", name="Lunch club")
        assert resumed == said("programmes.resumed", name="Lunch club")
    assert lost_back.exhausted
    assert len([m for m in h.emu.bot_messages(lunch) if m.content == back]) == 1

    # Find a time in the introduced meeting: the agreed time is posted once, though its
    # answer is lost, and ticking the same time again does not post it again.
    intro = h.emu.bot_messages(chosen)[0]
    button = intro.custom_id_for(said("programmes.find_time_button"))
    menus = {}
    for member in (people[4], people[5]):
        menus[member.user.id] = await (await h.emu.click(intro, button, by=member)).final()
    select = placeholder_select(menus[people[4].user.id], said("programmes.slot_placeholder"))
    await (await h.emu.select(menus[people[4].user.id], select, ["0"], by=people[4])).final()
    lost_agreed = lose_answer(h, f"/channels/{chosen.id}/messages")
    last = menus[people[5].user.id]
    saved = await (await h.emu.select(last, select, ["0"], by=people[5])).final()
    assert saved.content == said("programmes.ticks_saved", count=1)
    assert h.bot is not None
    await h.bot.wait_for_log("Agreed time of meeting", within=10)
    assert lost_agreed.exhausted
    for ticks in ([], ["0"]):
        seen = len(h.bot.lines)
        await (await h.emu.select(last, select, ticks, by=people[5])).final()
    await h.bot.wait_for_log("already-sent", within=10, after=seen)
    agreed = [m for m in h.emu.bot_messages(chosen) if m.attachments]
    assert len(agreed) == 1
    assert agreed[0].attachments[0].filename == "meeting.ics"

    # An hour before, the reminder's answer is lost too: one reminder.
    ((starts,),) = rows(
        h.db_path,
        "SELECT starts_at FROM meeting_slots s JOIN coffee_meetings m "
        "ON m.meeting_id = s.meeting_id WHERE m.thread_id = ? AND s.position = 0",
        chosen.id,
    )
    lost_reminder = lose_answer(h, f"/channels/{chosen.id}/messages")
    remind_at = datetime.fromisoformat(starts) - timedelta(minutes=59)
    await h.restart_bot(**at(remind_at.isoformat()))
    await h.emu.wait_until(lambda: lost_reminder.exhausted, within=20, what="the reminder")
    await h.emu.wait_until(
        lambda: job_finished(h, "programme-reminder-", remind_at.strftime("%G-W%V")),
        within=20,
        what="the reminder's job",
    )
    assert len(bot_posts(h, chosen, "A friendly reminder")) == 1
    assert len(h.emu.bot_messages(chosen)) == 3  # introduction, agreed time, reminder

    pending = rows(h.db_path, "SELECT job, step FROM deliveries WHERE status = 'pending'")
    assert pending == []


async def test_a_pause_notice_cut_short_by_a_stop_is_posted_by_the_next_daily_run(
    harness: Harness,
) -> None:
    h = harness
    lunch = h.emu.create_channel(h.guild, "lunch")
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))
    await configure(h)
    await command(
        h, "programme create", name="Lunch club", rhythm="weekly", day=3, hour=10, channel=lunch
    )
    # Discord keeps the bot waiting on the notice, and the bot is killed meanwhile: the
    # pause is stored, its notice never posted.
    waiting = h.emu.inject_failure(
        "POST", f"/channels/{lunch.id}/messages", status=429, retry_after=60
    )
    await h.emu.slash(
        h.guild, h.owner, "programme pause", name="Lunch club", resume_on="2026-12-10"
    )
    await h.emu.wait_until(lambda: waiting.exhausted, within=20, what="the notice to be held")
    assert h.bot is not None
    await h.bot.kill()
    h.processes.remove(h.bot)
    assert bot_posts(h, lunch, "short break") == []
    assert rows(h.db_path, "SELECT paused_until FROM programmes WHERE name = 'Lunch club'") != [
        (None,)
    ]

    # Just after midnight the daily notices job finds the pause unannounced, and says it once,
    # even when it runs again after another restart.
    await h.start_bot(**at("2026-11-26T00:10:00+00:00"))
    await h.emu.wait_until(
        lambda: bot_posts(h, lunch, "short break"), within=20, what="the pause notice"
    )
    await h.emu.wait_until(
        lambda: job_finished(h, "programme-notices", "2026-11-26"), within=20, what="the job"
    )
    await h.restart_bot(**at("2026-11-27T00:10:00+00:00"))
    await h.emu.wait_until(
        lambda: job_finished(h, "programme-notices", "2026-11-27"), within=20, what="the job"
    )
    assert len(bot_posts(h, lunch, "short break")) == 1


async def test_editing_the_default_programme_changes_the_roulette_and_setup_shows_in_the_list(
    harness: Harness,
) -> None:
    h = harness
    cafe = h.emu.create_channel(h.guild, "cafe")
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))  # a Wednesday
    await configure(h)
    for index, group in enumerate(["Justice", "Education"] * 2):
        await join(h, h.member(f"sipper{index}"), group, coffee=True)

    # The roulette moves to Fridays at 10:00 in #cafe, through its programme.
    edited = await command(
        h, "programme edit", name="Coffee roulette", day=4, hour=10, channel=cafe
    )
    assert edited.startswith(said("programmes.edited", line="").split("\n")[0])
    assert "every Friday at 10:00" in edited and f"<#{cafe.id}>" in edited
    # What the roulette cannot do is refused kindly, naming the command that can.
    for option, key in (
        ({"group_size": 4}, "group_size"),
        ({"rhythm": "every-2-weeks"}, "rhythm"),
        ({"format": "in_person"}, "format"),
        ({"role": h.role("Walkers")}, "role"),
    ):
        refused = await command(h, "programme edit", name="Coffee roulette", **option)
        assert refused == said(f"programmes.roulette_fixed_{key}", name="Coffee roulette")
        assert "/programme create" in refused
    assert rows(
        h.db_path,
        "SELECT group_size, format, every_weeks, role_id, day_of_week, hour, channel_id "
        "FROM programmes WHERE is_default = 1",
    ) == [(2, "online", 1, None, 4, 10, cafe.id)]

    # Friday 27 November, 10:00: the roulette pairs everyone, in #cafe.
    await h.restart_bot(**at("2026-11-27T10:01:00+00:00"))
    await h.emu.wait_until(
        lambda: len(threads_in(h, cafe)) == 2, within=20, what="the roulette's threads in #cafe"
    )
    assert threads_in(h, h.channel("coffee")) == []
    assert len(rows(h.db_path, "SELECT 1 FROM coffee_rounds")) == 1

    # A holiday pause of the roulette, as of any programme: no round on 4 December.
    paused = await command(h, "programme pause", name="Coffee roulette", resume_on="2026-12-08")
    assert paused.startswith("**Coffee roulette** is paused")
    await h.restart_bot(**at("2026-12-04T10:01:00+00:00"))
    assert h.bot is not None
    await h.bot.wait_for_log("the roulette is paused")
    assert len(rows(h.db_path, "SELECT 1 FROM coffee_rounds")) == 1
    # /coffee run-now during the pause makes no round either, and says why.
    refused = await command(h, "coffee run-now")
    until = re.search(r"<t:\d+:D>", refused)
    assert until is not None
    assert refused == Messages.load()("coffee.run_paused", week="2026-W49", until=until[0])
    assert len(rows(h.db_path, "SELECT 1 FROM coffee_rounds")) == 1
    # Back by itself on 8 December: the round of 11 December is made.
    await h.restart_bot(**at("2026-12-11T10:01:00+00:00"))
    await h.emu.wait_until(
        lambda: len(threads_in(h, cafe)) == 4, within=20, what="the next round's threads"
    )
    assert [p for (p,) in rows(h.db_path, "SELECT period_key FROM coffee_rounds")] == [
        "2026-W48",
        "2026-W50",
    ]

    # The other way round: the roulette's own settings show in /programme list.
    await command(h, "setup schedule", job="pairing", day=1, time="08:30")
    await command(h, "setup channel", purpose="coffee", channel=h.channel("coffee"))
    listed = await command(h, "programme list")
    assert "**Coffee roulette** · every Tuesday at 08:30" in listed
    assert f"<#{h.channel('coffee').id}>" in listed


async def test_a_heads_up_for_the_first_round_after_a_pause_still_goes_out(
    harness: Harness,
) -> None:
    h = harness
    await h.start_bot(**at("2026-11-28T12:00:00+00:00"))
    await configure(h)
    await command(h, "setup schedule", job="pairing", day=4, time="10:00")
    await command(h, "coffee heads-up", hours=48)
    paused = await command(h, "programme pause", name="Coffee roulette", resume_on="2026-12-04")
    assert paused.startswith("**Coffee roulette** is paused")

    # Wednesday 2 December, 10:00: still paused, but the round of Friday 4 December is not,
    # so its heads-up goes out.
    await h.restart_bot(**at("2026-12-02T10:01:00+00:00"))
    await h.emu.wait_until(
        lambda: bot_posts(h, h.channel("coffee"), "Can't make a coffee this week?"),
        within=20,
        what="the heads-up for 4 December",
    )
    assert len(bot_posts(h, h.channel("coffee"), "Can't make a coffee this week?")) == 1


async def tea_for_two(h: Harness, pair: list[Member], tea: Channel) -> int:
    """A weekly programme of two, "Tea", in ``tea``, that both of ``pair`` join: its id."""
    options = {"name": "Tea", "rhythm": "weekly", "day": 3, "hour": 10}
    await (
        await h.emu.slash(
            h.guild, h.owner, "programme create", channel=tea, group_size=2, **options
        )
    ).final()
    ((programme_id,),) = rows(h.db_path, "SELECT programme_id FROM programmes WHERE name = 'Tea'")
    for member in pair:
        assert await join_programme(h, member, programme_id) == said(
            "programmes.joined", name="Tea"
        )
    return int(programme_id)


async def test_coordinators_hear_when_a_programme_round_keeps_a_recent_pair(
    harness: Harness,
) -> None:
    """Two members of a weekly programme meet again rather than sit out: the log says so."""
    h = harness
    tea = h.emu.create_channel(h.guild, "tea")
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))
    await configure(h)
    pair = []
    for index, group in enumerate(["Justice", "Education"]):
        member = h.member(f"taster{index}")
        await join(h, member, group)
        pair.append(member)
    await tea_for_two(h, pair, tea)
    note = said("programmes.log_repeats", name="Tea", count=1)
    log = h.channel("coordinators")

    await h.restart_bot(**at("2026-11-26T10:01:00+00:00"))
    await h.emu.wait_until(lambda: len(threads_in(h, tea)) == 1, within=20, what="a thread")
    await h.emu.wait_until(lambda: job_finished(h, "programme", "2026-W48"), within=20)
    assert not any(note in m.content for m in h.emu.bot_messages(log))

    await h.restart_bot(**at("2026-12-03T10:01:00+00:00"))
    await h.emu.wait_until(
        lambda: programme_rounds(h, "Tea") == ["2026-W48", "2026-W49"], within=20, what="round 2"
    )
    posted = await h.emu.wait_for_message(log, lambda m: note in m.content, within=20)
    assert not posted.mention_ids
    assert rows(
        h.db_path,
        "SELECT r.kept_repeats FROM coffee_rounds r JOIN programmes p "
        "ON p.programme_id = r.programme_id WHERE p.name = 'Tea' ORDER BY r.round_id",
    ) == [(0,), (1,)]


async def test_a_programme_meeting_sent_by_dm_records_who_was_reached_and_tells_coordinators(
    harness: Harness,
) -> None:
    """With its channel gone, a programme introduces a meeting by DM: the member whose DMs
    are open is reached by DM, the one who closed them is marked unreachable, and the
    coordinators are told who could not be introduced."""
    h = harness
    tea = h.emu.create_channel(h.guild, "tea")
    await h.start_bot(**at("2026-11-25T12:00:00+00:00"))
    await configure(h)
    open_dms = h.member("tasteropen")
    closed_dms = h.member("tasterclosed", dms_open=False)
    for member, group in ((open_dms, "Justice"), (closed_dms, "Education")):
        await join(h, member, group)
    programme_id = await tea_for_two(h, [open_dms, closed_dms], tea)
    h.emu.delete_channel(tea)
    dms_before = len(h.emu.dms_to(open_dms))

    await h.restart_bot(**at("2026-11-26T10:01:00+00:00"))
    await h.emu.wait_until(lambda: job_finished(h, "programme", "2026-W48"), within=20)
    assert len(h.emu.dms_to(open_dms)) == dms_before + 1  # the introduction
    assert sorted(
        rows(
            h.db_path,
            "SELECT mm.user_id, mm.reached FROM coffee_meeting_members mm "
            "JOIN coffee_meetings m ON m.meeting_id = mm.meeting_id "
            "JOIN coffee_rounds r ON r.round_id = m.round_id "
            "WHERE r.programme_id = ?",
            programme_id,
        )
    ) == sorted([(open_dms.id, "dm"), (closed_dms.id, "unreachable")])
    # The coordinators hear who could not be told, once, and nobody is pinged.
    told = await h.emu.wait_for_message(
        h.channel("coordinators"), lambda m: "couldn't introduce" in m.content
    )
    assert told.named_ids == [closed_dms.id] and told.mention_ids == []
    await h.restart_bot(**at("2026-11-26T10:05:00+00:00"))
    await h.emu.wait_until(lambda: job_finished(h, "programme", "2026-W48"), within=20)
    notes = [
        m
        for m in h.emu.bot_messages(h.channel("coordinators"))
        if "couldn't introduce" in m.content
    ]
    assert notes == [told]
