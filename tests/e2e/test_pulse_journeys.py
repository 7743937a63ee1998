"""The pulse, as members and coordinators live it through the emulator."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.services.pulse import load_pulse_content
from sandbox import FailureMode
from sandbox.constants import NONCE_WINDOW_SECONDS
from sandbox.interactions import InteractionHandle
from sandbox.state import Member, Message
from tests.e2e.conftest import Harness
from tests.e2e.flows import click, configure, fill_form, label, open_form, review_and_confirm, rows

PULSE = load_pulse_content().messages
NOVEMBER = datetime.fromisoformat("2026-11-16T11:05:00+00:00")  # just after the daily job
JANUARY = datetime.fromisoformat("2027-01-05T11:05:00+00:00")


def at(when: datetime) -> dict[str, str]:
    return {"KINDBOT_CLOCK_START": when.isoformat()}


def pulses(h: Harness, member: Member) -> list[Message]:
    """Pulse DMs: each starts with the invitation, then shows one question at a time."""
    return [m for m in h.emu.dms_to(member) if "kindbot:pulse" in str(m.components)]


async def settled(h: Harness, sql: str, expected: list[tuple[object, ...]]) -> None:
    """Wait (up to ten seconds) until the bot's database answers ``sql`` with ``expected``."""
    for _ in range(100):
        if rows(h.db_path, sql) == expected:
            return
        await asyncio.sleep(0.1)
    assert rows(h.db_path, sql) == expected


INVITES = "SELECT period_key FROM pulse_invites WHERE user_id != 0 ORDER BY period_key"


async def join_with_pulse(h: Harness, member: Member, group: str, *, pulse: bool) -> None:
    form = await open_form(h, member)
    form = await fill_form(h, form, member, group=group)
    if pulse:
        form = await (
            await click(h, form, "onboarding.toggle_pulse", member, state=label("onboarding.off"))
        ).final()
    await review_and_confirm(h, form, member)


async def profile_pulse_field(h: Harness, member: Member) -> str:
    """What ``/profile`` shows for "help us learn what works"."""
    shown = await (await h.emu.slash(h.guild, member, "profile")).final()
    assert shown.ephemeral and shown.embed is not None
    fields = {f["name"]: f["value"] for f in shown.embed["fields"]}
    assert fields[label("profile.coffee")] in {label("profile.yes"), label("profile.no")}
    assert label("profile.digest_name") in fields
    return str(fields[label("profile.pulse")])


async def answer(h: Harness, message: Message, member: Member, option: str) -> Message:
    select = next(c for c in message.iter_components() if c.get("options"))
    value = next(o["value"] for o in select["options"] if o["label"] == option)
    return await (await h.emu.select(message, select["custom_id"], [value], by=member)).final()


async def test_without_consent_no_pulse_is_ever_sent(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(NOVEMBER))
    await configure(h)
    bea = h.member("bea")
    await join_with_pulse(h, bea, "Education", pulse=False)
    assert await profile_pulse_field(h, bea) == label("profile.off")
    await h.restart_bot(**at(JANUARY))
    await h.restart_bot(**at(JANUARY + timedelta(days=1)))
    assert pulses(h, bea) == []
    assert rows(h.db_path, "SELECT count(*) FROM pulse_invites WHERE user_id != 0") == [(0,)]


async def test_baseline_after_joining_then_one_quarterly_pulse_across_restarts(
    harness: Harness,
) -> None:
    h = harness
    await h.start_bot(**at(NOVEMBER))
    await configure(h)
    ada = h.member("ada")
    await join_with_pulse(h, ada, "Justice", pulse=True)
    baseline = await h.emu.wait_for_message(ada, lambda m: "Question 1 of 5" in m.text, within=10)
    assert "How often do you feel lonely?" in baseline.text
    assert await profile_pulse_field(h, ada) == label("profile.on")
    second = await answer(h, baseline, ada, "Hardly ever")
    assert "Question 2 of 5" in second.text
    # The same pulse answered again replaces the first answer: it is counted once.
    again = await (await click_skip(h, second, ada)).final()
    assert "Question 3 of 5" in again.text
    assert rows(
        h.db_path,
        "SELECT period_key, question_key, choice FROM pulse_answers ORDER BY question_key",
    ) == [("baseline", "kind", None), ("baseline", "lonely", 3)]

    await h.restart_bot(**at(JANUARY))
    quarterly = await h.emu.wait_for_message(
        ada, lambda m: "Question 1 of 5" in m.text and m is not baseline, within=15
    )
    assert quarterly.id != baseline.id
    # Killed straight after the DM: the restarted job finds its step and does not resend.
    await h.restart_bot(kill=True, **at(JANUARY + timedelta(minutes=5)))
    await settled(h, INVITES, [("2027-Q1",), ("baseline",)])
    await h.restart_bot(**at(JANUARY + timedelta(days=1)))
    await settled(
        h,
        "SELECT count(*) FROM job_runs WHERE job = 'pulse' AND status = 'done' "
        "AND period_key LIKE '2027-01-06%'",
        [(1,)],
    )
    assert len(pulses(h, ada)) == 2  # the baseline and 2027-Q1, each once


async def test_a_pulse_dm_lost_in_a_crash_is_not_sent_again_on_a_later_day(
    harness: Harness,
) -> None:
    """Discord stores the quarterly DM but its answer is lost and the bot is killed before
    noting it; the next day's run finds the DM in the member's DM channel instead of
    sending it again, and the other member's pulse still comes once."""
    h = harness
    await h.start_bot(**at(NOVEMBER))
    await configure(h)
    ada, ben = h.member("ada"), h.member("ben")
    await join_with_pulse(h, ada, "Justice", pulse=True)
    await join_with_pulse(h, ben, "Education", pulse=True)
    for member in (ada, ben):
        await h.emu.wait_for_message(member, lambda m: "Question 1 of 5" in m.text, within=10)
    assert h.bot is not None
    await h.bot.stop()
    lost = h.emu.inject_failure(
        "POST",
        f"/channels/{h.emu.dm_channel(ada).id}/messages",
        mode=FailureMode.STORE_THEN_DROP,
    )
    await h.start_bot(**at(JANUARY))
    await h.emu.wait_until(lambda: lost.exhausted, within=20, what="ada's quarterly pulse")
    await h.bot.kill()
    h.processes.remove(h.bot)  # a killed process's log ends abruptly
    h.emu.clock.advance(NONCE_WINDOW_SECONDS + 60)  # the nonce alone no longer protects
    assert len(pulses(h, ada)) == 2
    await h.start_bot(**at(JANUARY + timedelta(days=1)))
    await settled(
        h,
        "SELECT user_id, period_key FROM pulse_invites WHERE period_key = '2027-Q1' "
        "ORDER BY user_id",
        sorted([(ada.user.id, "2027-Q1"), (ben.user.id, "2027-Q1")]),
    )
    await settled(
        h,
        "SELECT count(*) FROM job_runs WHERE job = 'pulse' AND status = 'done' "
        "AND period_key LIKE '2027-01-06%'",
        [(1,)],
    )
    assert len(pulses(h, ada)) == 2  # the baseline and 2027-Q1, each once
    assert len(pulses(h, ben)) == 2


async def click_skip(h: Harness, message: Message, member: Member) -> InteractionHandle:
    return await h.emu.click(message, message.custom_id_for(PULSE("pulse.skip")), by=member)


async def test_closed_dms_get_the_pulse_from_a_button_in_the_channel(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(NOVEMBER))
    await configure(h)
    cy = h.member("cy", dms_open=False)
    await join_with_pulse(h, cy, "Education", pulse=True)
    post = await h.emu.wait_for_message(
        h.channel("reflections"),
        lambda m: PULSE("pulse.open_button") in str(m.components),
        within=10,
    )
    await h.restart_bot(**at(JANUARY))
    await settled(h, INVITES, [("2027-Q1",), ("baseline",)])
    await h.emu.wait_for_message(
        h.channel("reflections"),
        lambda m: m.id != post.id and PULSE("pulse.open_button") in str(m.components),
        within=10,
    )
    await h.restart_bot(**at(JANUARY + timedelta(minutes=5)))
    posts = [
        m
        for m in h.emu.bot_messages(h.channel("reflections"))
        if PULSE("pulse.open_button") in str(m.components)
    ]
    assert len(posts) == 2  # one for 2026-Q4, one for 2027-Q1
    opened = await (
        await h.emu.click(post, post.custom_id_for(PULSE("pulse.open_button")), by=cy)
    ).final()
    assert opened.ephemeral and "Question 1 of 5" in opened.text
    await answer(h, opened, cy, "Never")
    assert rows(h.db_path, "SELECT user_id, choice FROM pulse_answers") == [(cy.user.id, 4)]


async def test_the_quarterly_report_is_posted_once_when_switched_on(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(NOVEMBER))
    await configure(h)
    await join_with_pulse(h, h.member("eve"), "Justice", pulse=False)
    done = await (await h.emu.slash(h.guild, h.owner, "impact", auto_quarterly="on")).final()
    assert done.ephemeral and done.content == label("digest.impact_auto_on")
    log = h.channel("coordinators")
    await h.restart_bot(**at(JANUARY))
    post = await h.emu.wait_for_message(log, lambda m: bool(m.attachments), within=20)
    assert post.content == label("digest.impact_quarterly", quarter="2026-Q4")
    names = {a.filename for a in post.attachments}
    assert {"impact-report.html", "impact-tables.zip"} <= names
    html = next(a for a in post.attachments if a.filename == "impact-report.html").data.decode()
    assert "Kindness Town" in html and "2026-Q4 (1 October 2026 to 31 December 2026)" in html
    await h.restart_bot(kill=True, **at(JANUARY + timedelta(days=1)))
    await settled(
        h,
        "SELECT count(*) FROM job_runs WHERE job = 'impact-quarterly' "
        "AND period_key LIKE '2027-01-06%'",
        [(1,)],
    )
    assert len([m for m in h.emu.bot_messages(log) if m.attachments]) == 1
