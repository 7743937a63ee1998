"""Every message a scheduled job promises arrives once: after a kill just after the post,
after an answer Discord never sent back, and after a kill between two DMs.

The community: four champions in two groups, two of whom asked for reflection
reminders. Pairing is on Fridays at 10:00 with a 24-hour heads-up, and the weekly
condition post, the reminders and the digest are all due on Thursdays at 10:00, so
one start of the bot on a Thursday morning runs every weekly job and the check-ins.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sandbox import FailureMode, FailureRule
from sandbox.constants import NONCE_WINDOW_SECONDS
from sandbox.permissions import Perm
from sandbox.state import Channel, Member, Message
from tests.e2e.conftest import Harness
from tests.e2e.flows import configure, join, label, rows

FRIDAY = datetime.fromisoformat("2026-11-20T12:00:00+00:00")  # week 2026-W47
THURSDAY = datetime.fromisoformat("2026-11-26T10:30:00+00:00")  # week 2026-W48
GROUPS = ["Justice", "Education", "Justice", "Education"]
ANY_MESSAGE = re.compile(r"^/channels/\d+/messages$")
THURSDAY_JOBS = ("prompt", "reminder", "digest", "coffee-headsup", "coffee-checkin")


def at(when: datetime) -> dict[str, str]:
    return {"KINDBOT_CLOCK_START": when.isoformat()}


async def community(h: Harness) -> list[Member]:
    await h.start_bot(**at(FRIDAY))
    await configure(h)
    for job in ("prompt", "reminder", "digest"):
        await (
            await h.emu.slash(h.guild, h.owner, "setup schedule", job=job, day=3, time="10:00")
        ).final()
    await (
        await h.emu.slash(h.guild, h.owner, "setup schedule", job="pairing", day=4, time="10:00")
    ).final()
    await (await h.emu.slash(h.guild, h.owner, "coffee heads-up", hours=24)).final()
    people = []
    for index, group in enumerate(GROUPS):
        member = h.member(f"champion{index}")
        await join(h, member, group, coffee=True, intro=f"Hello from champion {index}")
        people.append(member)
    for member in people[:2]:
        await (await h.emu.slash(h.guild, member, "reflections reminders", enabled=True)).final()
    return people


def drop(h: Harness, where: Channel | Member | re.Pattern[str], route: str) -> FailureRule:
    """The next matching call takes effect, and its answer is lost."""
    if isinstance(where, re.Pattern):
        path: str | re.Pattern[str] = where
    else:
        channel = where if isinstance(where, Channel) else h.emu.dm_channel(where)
        path = route.replace("{channel_id}", str(channel.id))
    return h.emu.inject_failure("POST", path, mode=FailureMode.STORE_THEN_DROP)


def drop_message(h: Harness, where: Channel | Member | re.Pattern[str]) -> FailureRule:
    return drop(h, where, "/channels/{channel_id}/messages")


async def run_now_reply(h: Harness, *, week: str = "2026-W47") -> None:
    """``/coffee run-now`` ends with the round named and done (edits before are progress)."""
    handle = await h.emu.slash(h.guild, h.owner, "coffee run-now")
    done = label("coffee.run_done", week=week)
    await h.emu.wait_until(
        lambda: handle.original is not None and handle.original.content == done,
        within=30,
        what="run-now's final reply",
    )


def coffee_threads(h: Harness) -> list[Channel]:
    coffee = h.channel("coffee")
    return [t for t in h.guild.threads if t.parent_id == coffee.id]


def own(h: Harness, where: Channel | Member, text: str | None = None) -> list[Message]:
    channel = where if isinstance(where, Channel) else h.emu.dm_channel(where)
    found = h.emu.bot_messages(channel)
    return [m for m in found if text is None or text in m.text]


def assert_one_of_each(h: Harness, people: list[Member], reminded: list[Member]) -> None:
    assert len(own(h, h.channel("reflections"))) == 1  # the weekly condition post
    assert len(own(h, h.channel("digest"))) == 1
    headsups = [m for m in own(h, h.channel("coffee")) if m.custom_ids]
    assert len(headsups) == 1
    for thread in coffee_threads(h):
        checkins = [m for m in own(h, thread) if m.custom_ids]
        assert len(checkins) == 1, thread.name
    question = "This week's reflection question"
    for member in people:
        expected = 1 if member in reminded else 0
        assert len(own(h, member, question)) == expected, member.user.name


def finished(h: Harness, since: datetime) -> set[str]:
    done = rows(
        h.db_path,
        "SELECT job FROM job_runs WHERE status = 'done' AND due_at >= ?",
        since.isoformat(),
    )
    return {job for (job,) in done}


async def wait_for_jobs(h: Harness, jobs: tuple[str, ...]) -> None:
    """Until each job has finished its Thursday run (in this process or an earlier one)."""
    await h.emu.wait_until(
        lambda: set(jobs) <= finished(h, THURSDAY - timedelta(hours=1)),
        within=30,
        what=f"the jobs {jobs} to finish",
    )


async def kill_when_stored(h: Harness, where: Channel | Member) -> None:
    """SIGKILL the bot as soon as Discord holds the message whose answer was lost."""
    assert h.bot is not None
    await h.emu.wait_for_message(where, within=20)
    await h.bot.kill()
    h.processes.remove(h.bot)  # a killed process's log ends abruptly
    h.emu.clock.advance(NONCE_WINDOW_SECONDS + 60)  # the nonce alone no longer protects


async def test_lost_answers_make_no_second_thread_post_or_dm(harness: Harness) -> None:
    h = harness
    people = await community(h)
    threads_made = drop(h, h.channel("coffee"), "/channels/{channel_id}/threads")
    intros_lost = drop_message(h, ANY_MESSAGE)
    await run_now_reply(h)
    assert threads_made.exhausted and intros_lost.exhausted
    threads = coffee_threads(h)
    assert len(threads) == 2
    assert all(len(own(h, t)) == 1 for t in threads)

    rules = [
        drop_message(h, h.channel("reflections")),
        drop_message(h, h.channel("digest")),
        drop_message(h, h.channel("coffee")),
        drop_message(h, threads[0]),
        *(drop_message(h, member) for member in people[:2]),
    ]
    await h.restart_bot(**at(THURSDAY))
    await wait_for_jobs(h, THURSDAY_JOBS)
    assert all(rule.exhausted for rule in rules)
    assert_one_of_each(h, people, people[:2])
    assert rows(h.db_path, "SELECT count(*) FROM deliveries WHERE status = 'pending'") == [(0,)]


async def test_a_kill_just_after_each_post_resumes_without_repeating_it(harness: Harness) -> None:
    h = harness
    people = await community(h)
    drop_message(h, ANY_MESSAGE)
    await h.emu.slash(h.guild, h.owner, "coffee run-now")
    await h.emu.wait_until(lambda: any(own(h, t) for t in coffee_threads(h)), within=20)
    assert h.bot is not None
    await h.bot.kill()
    h.processes.remove(h.bot)
    h.emu.clock.advance(NONCE_WINDOW_SECONDS + 60)
    await h.start_bot(**at(FRIDAY + timedelta(minutes=10)))
    assert h.bot is not None
    await h.bot.wait_for_log("Coffee round 2026-W47")
    threads = coffee_threads(h)
    assert len(threads) == 2
    assert all(len(own(h, t)) == 1 for t in threads)

    # Thursday: each weekly post, the first reminder and a check-in are killed in turn.
    targets: list[Channel | Member] = [
        h.channel("reflections"),
        h.channel("digest"),
        h.channel("coffee"),
        people[0],  # between the two reminders
        threads[0],
    ]
    minutes = 0
    for target in targets:
        drop_message(h, target)
        await h.start_bot(**at(THURSDAY + timedelta(minutes=minutes)))
        await kill_when_stored(h, target)
        minutes += 5
    await h.start_bot(**at(THURSDAY + timedelta(minutes=minutes)))
    await wait_for_jobs(h, THURSDAY_JOBS)
    assert_one_of_each(h, people, people[:2])


async def test_dm_introductions_survive_a_kill_between_dms(harness: Harness) -> None:
    h = harness
    people = await community(h)
    h.emu.deny_bot(h.channel("coffee"), Perm.CREATE_PRIVATE_THREADS)
    drop_message(h, ANY_MESSAGE)
    await h.emu.slash(h.guild, h.owner, "coffee run-now")
    await h.emu.wait_until(lambda: any(own(h, p) for p in people), within=20)
    assert h.bot is not None
    await h.bot.kill()
    h.processes.remove(h.bot)
    h.emu.clock.advance(NONCE_WINDOW_SECONDS + 60)
    await h.start_bot(**at(FRIDAY + timedelta(minutes=10)))
    assert h.bot is not None
    await h.bot.wait_for_log("Coffee round 2026-W47")
    assert coffee_threads(h) == []
    for member in people:
        assert len(own(h, member, "coffee match")) == 1, member.user.name
    # The round's own note, once (a separate alert may report the lost permission itself).
    notes = own(h, h.channel("coordinators"), "went out by DM")
    assert len(notes) == 1
