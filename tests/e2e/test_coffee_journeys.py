"""The weekly coffee roulette as champions and coordinators meet it through Discord."""

from __future__ import annotations

import itertools
import signal
from datetime import datetime, timedelta

from sandbox import FailureMode
from sandbox.permissions import Perm
from sandbox.state import Channel, Member
from tests.e2e.conftest import Harness
from tests.e2e.flows import click, configure, join, label, rows

WEDNESDAY = datetime.fromisoformat("2026-11-25T12:00:00+00:00")  # no pairing due by schedule
GROUPS = [
    "Justice",
    "Justice",
    "Justice",
    "Education",
    "Education",
    "Health & care",
    "Health & care",
]


def at(when: datetime) -> dict[str, str]:
    return {"KINDBOT_CLOCK_START": when.isoformat()}


async def seven_champions(h: Harness, **member_options: object) -> list[Member]:
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    people = []
    for index, group in enumerate(GROUPS):
        member = h.member(f"champion{index}", **member_options.get(str(index), {}))  # type: ignore[arg-type]
        await join(h, member, group, coffee=True, intro=f"Hello from champion {index}")
        people.append(member)
    return people


async def run_now(h: Harness) -> str:
    reply = await (await h.emu.slash(h.guild, h.owner, "coffee run-now")).final(within=30)
    return reply.content


def meetings_by_round(h: Harness) -> dict[str, list[tuple[int, ...]]]:
    result: dict[str, list[tuple[int, ...]]] = {}
    for period, _meeting_id, user_ids in rows(
        h.db_path,
        "SELECT r.period_key, m.meeting_id, group_concat(mm.user_id) FROM coffee_rounds r "
        "JOIN coffee_meetings m ON m.round_id = r.round_id "
        "JOIN coffee_meeting_members mm ON mm.meeting_id = m.meeting_id "
        "GROUP BY m.meeting_id ORDER BY r.period_key, m.position",
    ):
        result.setdefault(period, []).append(tuple(sorted(int(u) for u in user_ids.split(","))))
    return result


def coffee_threads(h: Harness) -> list[Channel]:
    coffee = h.channel("coffee")
    return [t for t in h.guild.threads if t.parent_id == coffee.id]


async def test_seven_champions_meet_across_groups(harness: Harness) -> None:
    h = harness
    people = await seven_champions(h)
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    week = meetings_by_round(h)
    (meetings,) = week.values()
    assert sorted(len(m) for m in meetings) == [2, 2, 3]
    group_of = {p.user.id: g for p, g in zip(people, GROUPS, strict=True)}
    for meeting in meetings:
        assert len({group_of[u] for u in meeting}) == len(meeting), meeting  # all cross-group
    threads = coffee_threads(h)
    assert len(threads) == 3
    for thread in threads:
        intro = h.emu.bot_messages(thread)
        assert len(intro) == 1
        members = set(thread.thread_members)
        mentioned = {int(x) for x in intro[0].mention_ids}
        assert mentioned <= members
        assert "Conversation starter" in intro[0].text
        assert "Hello from champion" in intro[0].text


async def test_second_week_repeats_no_pair_and_a_pause_ends_by_itself(harness: Harness) -> None:
    h = harness
    people = await seven_champions(h)
    resting = people[0]
    paused = await (await h.emu.slash(h.guild, resting, "coffee pause", weeks=1)).final()
    assert paused.ephemeral
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    first = next(iter(meetings_by_round(h).values()))
    assert all(resting.user.id not in m for m in first)

    await h.restart_bot(**at(WEDNESDAY + timedelta(days=7, hours=1)))
    assert await run_now(h) == label("coffee.run_done", week="2026-W49")
    rounds = meetings_by_round(h)
    assert len(rounds) == 2
    second = list(rounds.values())[1]
    assert any(resting.user.id in m for m in second)  # back without doing anything
    first_pairs = {frozenset(p) for m in first for p in itertools.combinations(m, 2)}
    second_pairs = {frozenset(p) for m in second for p in itertools.combinations(m, 2)}
    assert not first_pairs & second_pairs


async def test_restart_mid_announcement_makes_no_duplicates(harness: Harness) -> None:
    h = harness
    await seven_champions(h)
    threads_route = "/channels/{channel_id}/threads"
    handle = await h.emu.slash(h.guild, h.owner, "coffee run-now")
    await h.emu.wait_for_request("POST", threads_route, count=1)
    h.emu.inject_failure("POST", threads_route, status=500, times=20)
    await h.emu.wait_for_request("POST", threads_route, count=2, within=10)
    assert h.bot is not None
    await h.bot.kill()  # the process dies half-way through announcing
    assert handle.deferred
    rounds_before = meetings_by_round(h)
    h.emu.router.failures.clear()

    await h.start_bot(**at(WEDNESDAY + timedelta(minutes=5)))
    assert h.bot is not None
    await h.bot.wait_for_log("Coffee round")
    assert meetings_by_round(h) == rounds_before  # never re-paired
    threads = coffee_threads(h)
    assert len(threads) == 3
    assert all(len(h.emu.bot_messages(t)) == 1 for t in threads)
    assert rows(h.db_path, "SELECT count(*) FROM coffee_meetings WHERE announced_at IS NULL") == [
        (0,)
    ]
    h.processes.remove(h.processes[0])  # the killed process's log ends abruptly


async def test_closed_dm_falls_back_and_alerts_coordinators(harness: Harness) -> None:
    h = harness
    people = await seven_champions(h, **{"0": {"dms_open": False}})
    h.emu.deny_bot(h.channel("coffee"), Perm.CREATE_PRIVATE_THREADS)
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    assert coffee_threads(h) == []
    for person in people[1:]:
        assert any("coffee match" in m.content for m in h.emu.dms_to(person))
    log = await h.emu.wait_for_message(
        h.channel("coordinators"), lambda m: "couldn't reach" in m.content
    )
    assert people[0].user.id in log.named_ids and log.mention_ids == []  # named, not pinged
    assert rows(
        h.db_path, "SELECT reached FROM coffee_meeting_members WHERE user_id = ?", people[0].user.id
    ) == [("unreachable",)]


async def test_checkin_buttons_record_the_answer(harness: Harness) -> None:
    h = harness
    people = await seven_champions(h)
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    await h.restart_bot(**at(WEDNESDAY + timedelta(days=5, hours=1)))
    thread = coffee_threads(h)[0]
    checkin = await h.emu.wait_for_message(thread, lambda m: bool(m.custom_ids), within=10)
    member = next(p for p in people if p.user.id in thread.thread_members)
    member_id = member.user.id
    yes = checkin.custom_id_for(label("coffee.checkin_yes"))
    reply = await (await h.emu.click(checkin, yes, by=member)).final()
    assert reply.ephemeral and reply.content == label("coffee.checkin_thanks_yes")
    assert rows(
        h.db_path,
        "SELECT mm.answer FROM coffee_meeting_members mm JOIN coffee_meetings m "
        "ON m.meeting_id = mm.meeting_id WHERE m.thread_id = ? AND mm.user_id = ?",
        thread.id,
        member_id,
    ) == [("yes",)]
    modal = await (await click(h, reply, "coffee.log_act_button", member)).wait_modal()
    by_label = {modal.label(cid): cid for cid in modal.fields}
    answers = {
        by_label[label("kindness.what_label")]: "We swapped tips on volunteering",
        by_label[label("kindness.visibility_label")]: ["shareable"],
    }
    logged = await (await h.emu.submit_modal(modal, answers, by=member)).final()
    assert "Thank you for recording" in logged.content
    assert rows(h.db_path, "SELECT source FROM acts") == [("coffee",)]
    stranger = next(p for p in people if p.user.id not in thread.thread_members)
    refused = await (await h.emu.click(checkin, yes, by=stranger)).final()
    assert refused.content == label("coffee.checkin_not_yours")
    stats = await (await h.emu.slash(h.guild, h.owner, "coffee stats")).final()
    assert "100%" in stats.text  # every pair was cross-group


async def test_non_coordinator_is_refused_run_now(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    sam = h.member("sam")
    reply = await (await h.emu.slash(h.guild, sam, "coffee run-now")).final()
    assert reply.ephemeral and reply.content == label("errors.not_coordinator")
    assert rows(h.db_path, "SELECT count(*) FROM coffee_rounds") == [(0,)]
    assert h.bot is not None
    assert await h.bot.stop(signal.SIGTERM) == 0


async def test_preview_is_a_dry_run_of_the_round_run_now_makes(harness: Harness) -> None:
    h = harness
    await seven_champions(h)  # on a Wednesday: the week's round is not made yet
    preview = await (await h.emu.slash(h.guild, h.owner, "coffee preview")).final()
    assert preview.ephemeral
    assert label("coffee.preview_title", week="2026-W48") in preview.text
    assert "Same-group pairs: 0" in preview.text
    assert rows(h.db_path, "SELECT count(*) FROM coffee_rounds") == [(0,)]
    assert rows(h.db_path, "SELECT count(*) FROM condition_weeks") == [(0,)]
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    (week,) = meetings_by_round(h)
    assert week == "2026-W48"


async def test_coordinators_hear_what_to_fix(harness: Harness) -> None:
    h = harness
    people = await seven_champions(h)
    threads_route = "/channels/{channel_id}/threads"
    h.emu.inject_failure("POST", threads_route, status=429, retry_after=4.0)
    handle = await h.emu.slash(h.guild, h.owner, "coffee run-now")
    await h.emu.wait_for_request("POST", threads_route, within=10)
    # While Discord makes the bot wait, a member of a later pair leaves the server.
    (meetings,) = meetings_by_round(h).values()
    gone, partner = next(m for m in meetings[1:] if len(m) == 2)
    h.emu.remove_member(h.guild.members[gone])
    announcing = label("coffee.run_announcing", week="2026-W48")
    await h.emu.wait_until(
        lambda: handle.original is not None and handle.original.content == announcing,
        within=10,
        what="run-now to say the round is being announced",
    )
    done = label("coffee.run_done", week="2026-W48")
    await h.emu.wait_until(
        lambda: handle.original is not None and handle.original.content == done, within=20
    )
    left_alone = next(p for p in people if p.user.id == partner)
    assert [m.content for m in h.emu.dms_to(left_alone)] == [
        label("coffee.partner_left_dm", guild=h.guild.name)
    ]
    assert len(coffee_threads(h)) == len(meetings) - 1  # no thread for a pair of one
    log = h.channel("coordinators")
    note = label("coffee.partner_left_log", member=f"<@{gone}>", partner=f"<@{partner}>")
    assert [m.content for m in h.emu.bot_messages(log)] == [note]

    h.emu.delete_channel(h.channel("coffee"))
    await h.restart_bot(**at(WEDNESDAY + timedelta(days=7)))
    assert await run_now(h) == label("coffee.run_done", week="2026-W49")
    for person in people:
        if person.user.id not in (gone, partner):
            assert any("coffee match" in m.content for m in h.emu.dms_to(person))
    assert [m.content for m in h.emu.bot_messages(log)] == [
        note,
        label("coffee.no_channel_log"),
    ]


async def test_heads_up_lets_a_member_skip_the_week(harness: Harness) -> None:
    h = harness
    people = await seven_champions(h)
    reply = await (await h.emu.slash(h.guild, h.owner, "coffee heads-up", hours=24)).final()
    assert "Sunday 09:00" in reply.content
    sunday = datetime.fromisoformat("2026-11-29T09:30:00+00:00")
    await h.restart_bot(**at(sunday))
    post = await h.emu.wait_for_message(
        h.channel("coffee"), lambda m: bool(m.custom_ids), within=10
    )
    skipper = people[3]
    skipped = await (await h.emu.click(post, "kindbot:coffee:skip", by=skipper)).final()
    assert skipped.ephemeral and "2026-W49" in skipped.content
    await h.restart_bot(**at(sunday + timedelta(days=1)))  # Monday 09:30: pairing is due
    assert h.bot is not None
    await h.bot.wait_for_log("Coffee round 2026-W49")
    (week,) = meetings_by_round(h).values()
    assert all(skipper.user.id not in m for m in week)
    assert sum(len(m) for m in week) == 6


async def test_never_means_never_even_when_someone_must_sit_out(harness: Harness) -> None:
    """A circle of blocks: nobody meets someone they blocked; the fewest sit out, kindly told."""
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    people = []
    for index, group in enumerate(["Justice", "Education", "Health & care", "Justice"]):
        member = h.member(f"circle{index}")
        await join(h, member, group, coffee=True)
        people.append(member)
    for blocker, blocked in ((0, 1), (1, 2), (2, 0)):
        await (
            await h.emu.slash(h.guild, people[blocker], "coffee never", member=people[blocked])
        ).final()
    preview = await (await h.emu.slash(h.guild, h.owner, "coffee preview")).final()
    assert label("coffee.sat_out_title") in preview.text
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    blocked = {
        frozenset((people[a].user.id, people[b].user.id)) for a, b in ((0, 1), (1, 2), (2, 0))
    }
    placed = [m for week in meetings_by_round(h).values() for m in week]
    assert placed, "someone should still meet"
    for meeting in placed:
        assert not any(frozenset(pair) in blocked for pair in itertools.combinations(meeting, 2))
    sat_out = {row[0] for row in rows(h.db_path, "SELECT user_id FROM round_sitouts")}
    assert len(sat_out) == 2  # the fewest possible: one pair meets
    assert sat_out.isdisjoint(uid for meeting in placed for uid in meeting)
    for person in people:
        told = [m for m in h.emu.dms_to(person) if "sitting this round out" in m.content]
        assert len(told) == (1 if person.user.id in sat_out else 0)
    log = await h.emu.wait_for_message(
        h.channel("coordinators"), lambda m: all(f"<@{u}>" in m.content for u in sat_out)
    )
    assert log.content


async def test_about_names_the_version_and_the_last_round(harness: Harness) -> None:
    from bot import __version__

    h = harness
    await seven_champions(h)
    before = await (await h.emu.slash(h.guild, h.owner, "about")).final()
    assert before.ephemeral
    assert label("about.title", version=__version__) in before.text
    assert before.text.count(label("about.never")) == 3
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    after = await (await h.emu.slash(h.guild, h.owner, "about")).final()
    assert after.text.count(label("about.never")) == 2
    assert "<t:" in after.text


async def a_pair_who_met_in_week_48(h: Harness, first: str, second: str) -> list[Member]:
    """Two champions of different groups, the only ones in the roulette, paired by run-now."""
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    pair = [h.member(first), h.member(second)]
    for member, group in zip(pair, ["Justice", "Education"], strict=True):
        await join(h, member, group, coffee=True)
    assert await run_now(h) == label("coffee.run_done", week="2026-W48")
    return pair


async def test_coordinators_hear_when_a_round_keeps_a_recent_pair(harness: Harness) -> None:
    """Two champions meet again the next week rather than sit out: coordinators are told."""
    h = harness
    pair = await a_pair_who_met_in_week_48(h, "ada", "ben")
    log = h.channel("coordinators")
    title = label("alerts.title_repeats")
    assert not any(title in m.content for m in h.emu.bot_messages(log))

    await h.restart_bot(**at(WEDNESDAY + timedelta(days=7, hours=1)))
    assert await run_now(h) == label("coffee.run_done", week="2026-W49")
    rounds = meetings_by_round(h)
    assert rounds["2026-W49"] == rounds["2026-W48"] == [tuple(sorted(m.user.id for m in pair))]
    assert rows(h.db_path, "SELECT period_key, kept_repeats FROM coffee_rounds") == [
        ("2026-W48", 0),
        ("2026-W49", 1),
    ]
    note = await h.emu.wait_for_message(log, lambda m: title in m.content)
    assert label("alerts.detail_repeats", count=1) in note.content
    assert not note.mention_ids  # names nobody


async def test_an_alert_whose_answer_is_lost_is_posted_once(harness: Harness) -> None:
    """Discord stores the coordinators' alert but its answer is lost: the bot sends it
    again with the same nonce, gets the first post back, and the round carries on."""
    h = harness
    await a_pair_who_met_in_week_48(h, "cleo", "dev")
    log = h.channel("coordinators")
    title = label("alerts.title_repeats")

    await h.restart_bot(**at(WEDNESDAY + timedelta(days=7, hours=1)))
    lost = h.emu.inject_failure(
        "POST", f"/channels/{log.id}/messages", mode=FailureMode.STORE_THEN_DROP
    )
    assert await run_now(h) == label("coffee.run_done", week="2026-W49")
    assert lost.exhausted
    await h.restart_bot(**at(WEDNESDAY + timedelta(days=7, hours=2)))
    assert await run_now(h) == label("coffee.run_already", week="2026-W49")
    notes = [m for m in h.emu.bot_messages(log) if title in m.content]
    assert len(notes) == 1, [m.content for m in h.emu.bot_messages(log)]
    assert all(len(thread.thread_members) >= 2 for thread in coffee_threads(h))
