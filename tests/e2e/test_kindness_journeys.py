"""Acts of kindness, the weekly condition and reflections, as members meet them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.demo.scenario import modal_fields, modal_option
from sandbox.interactions import Modal
from sandbox.state import Member, Message
from tests.e2e.conftest import Harness
from tests.e2e.flows import click, configure, join, label, rows, scenario, select_id

WEDNESDAY = datetime.fromisoformat("2026-11-25T12:00:00+00:00")


def at(when: datetime) -> dict[str, str]:
    return {"KINDBOT_CLOCK_START": when.isoformat()}


field_ids = modal_fields
option = modal_option


async def submit_act(h: Harness, modal: Modal, member: Member, what: str, **kwargs: Any) -> Message:
    return await scenario(h).submit_act(modal, member, what, **kwargs)


async def log_act(h: Harness, member: Member, what: str, **kwargs: Any) -> Message:
    return await scenario(h).log_act(member, what, **kwargs)


async def champion(h: Harness, name: str, group: str = "Education", **answers: Any) -> Member:
    member = h.member(name)
    await join(h, member, group, **answers)
    return member


async def test_log_an_act_through_the_form_and_the_message_menu(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    ana = await champion(h, "ana")
    reply = await log_act(h, ana, "Helped a neighbour carry shopping", who="Mrs P", condition="9.")
    assert reply.ephemeral and "Thank you for recording" in reply.content
    note = h.emu.send_message(
        h.channel("general"), h.owner, "Olive brought soup to the whole team today"
    )
    modal = await (await h.emu.message_command(ana, "Record as act of kindness", note)).wait_modal()
    ids = field_ids(modal)
    assert modal.fields[ids[label("kindness.what_label")]]["value"] == note.content
    reply = await submit_act(h, modal, ana, note.content)
    assert "Thank you" in reply.content
    stored = rows(
        h.db_path, "SELECT what, who_benefited, condition_number, source FROM acts ORDER BY act_id"
    )
    assert stored == [
        ("Helped a neighbour carry shopping", "Mrs P", 9, "form"),
        (note.content, "Olive", None, "message"),
    ]


async def test_daily_limit_and_duplicates(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    ben = await champion(h, "ben")
    await (await h.emu.slash(h.guild, h.owner, "kindness limit", per_day=2)).final()
    await log_act(h, ben, "One kind thing")
    again = await log_act(h, ben, "  one KIND   thing ")
    assert again.content == label("kindness.duplicate")
    await log_act(h, ben, "Two kind things")
    refused = await log_act(h, ben, "Three kind things")
    assert refused.ephemeral and refused.content == label("kindness.daily_limit", count=2, limit=2)
    assert rows(h.db_path, "SELECT count(*) FROM acts") == [(2,)]


async def test_private_acts_never_show_and_names_need_consent(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    named = await champion(h, "cara", "Justice", digest=True)
    quiet = await champion(h, "dev", "Education")
    await log_act(h, named, "Shared lunch with the new starter")
    await log_act(h, quiet, "Listened to a worried parent")
    await log_act(h, quiet, "A secret kindness", visibility="kindness.visibility_private")
    await log_act(h, quiet, "For the coordinators", visibility="kindness.visibility_coordinators")
    recent = await (await h.emu.slash(h.guild, quiet, "kindness recent")).final()
    text = recent.text
    assert "Shared lunch" in text and "Cara" in text
    assert "Listened to a worried parent" in text and "a champion from Education" in text
    assert "Dev" not in text
    assert "secret" not in text and "For the coordinators" not in text
    stats = await (await h.emu.slash(h.guild, quiet, "kindness stats")).final()
    assert "This week: 4 acts" in stats.text


async def test_edits_and_deletions_take_effect(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    eli = await champion(h, "eli")
    await log_act(h, eli, "Origninal typo")
    await log_act(h, eli, "To be removed")
    mine = await (await h.emu.slash(h.guild, eli, "kindness mine")).final()
    picker = next(c["custom_id"] for c in mine.iter_components() if c.get("type") == 3)
    first_id, second_id = sorted(int(o["value"]) for o in mine.component(picker)["options"])
    await h.emu.select(mine, picker, [str(second_id)], by=eli)
    deleted = await (await click(h, mine, "kindness.delete_button", eli)).final()
    assert deleted.content == label("kindness.deleted")

    mine = await (await h.emu.slash(h.guild, eli, "kindness mine")).final()
    picker = next(c["custom_id"] for c in mine.iter_components() if c.get("type") == 3)
    await h.emu.select(mine, picker, [str(first_id)], by=eli)
    modal = await (await click(h, mine, "kindness.edit_button", eli)).wait_modal()
    h.emu.delete_message(mine)  # the list is gone before the form comes back
    saved = await submit_act(h, modal, eli, "Original, fixed")
    assert saved.content == label("kindness.edited")
    assert rows(h.db_path, "SELECT act_id, what FROM acts") == [(first_id, "Original, fixed")]
    # The edit's confirmation offers the "which group did it help?" menu too.
    picker = select_id(saved, "kindness.benefit_placeholder")
    choices = {o["label"]: o["value"] for o in saved.component(picker)["options"]}
    justice = next(name for name in choices if name.endswith("Justice"))
    noted = await (await h.emu.select(saved, picker, [choices[justice]], by=eli)).final()
    assert noted.content == label("kindness.benefit_noted", group=justice)
    assert rows(
        h.db_path,
        "SELECT a.act_id, g.name FROM acts a JOIN groups g ON g.group_id = a.beneficiary_group_id",
    ) == [(first_id, "Justice")]


async def test_bad_text_is_explained_and_noisy_text_is_shown_safely(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    fin = await champion(h, "fin", digest=True)
    blank = await log_act(h, fin, "  \u200b\u200b  ")
    assert blank.ephemeral and "can't be empty" in blank.content
    noisy = "@everyone <@&123> **shout** \u200bhi"
    await log_act(h, fin, noisy)
    assert rows(h.db_path, "SELECT what FROM acts") == [(noisy,)]
    recent = await (await h.emu.slash(h.guild, fin, "kindness recent")).final()
    assert "@\u200beveryone" in recent.text and "\\*\\*shout\\*\\*" in recent.text
    assert recent.mention_ids == []
    out_of_range = await (
        await h.emu.slash(
            h.guild, h.owner, "prompts add", condition=11, kind="discussion", text="Hi"
        )
    ).final()
    assert out_of_range.content == label("prompts.condition_range", count=10)
    assert rows(h.db_path, "SELECT count(*) FROM guild_prompts") == [(0,)]


async def test_weekly_condition_is_posted_once_even_across_a_restart(harness: Harness) -> None:
    h = harness
    monday = datetime.fromisoformat("2026-11-30T08:40:00+00:00")  # just after the 08:30 post
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    await h.restart_bot(**at(monday))
    reflections = h.channel("reflections")
    post = await h.emu.wait_for_message(reflections, lambda m: bool(m.embeds), within=10)
    assert "condition 1" in post.embeds[0]["title"]
    assert post.custom_ids == ["kindbot:reflect:open"]
    await h.restart_bot(**at(monday + timedelta(minutes=5)))
    await h.restart_bot(**at(monday + timedelta(days=7)))
    await h.emu.wait_for_message(reflections, lambda m: "condition 2" in m.text, within=10)
    titles = [m.embeds[0]["title"] for m in h.emu.bot_messages(reflections) if m.embeds]
    assert [t.split(",")[0] for t in titles] == ["This week: condition 1", "This week: condition 2"]


async def test_reflection_through_the_button_and_reminders(harness: Harness) -> None:
    h = harness
    monday = datetime.fromisoformat("2026-11-30T08:40:00+00:00")
    await h.start_bot(**at(monday - timedelta(days=3)))
    await configure(h)
    gia = await champion(h, "gia")
    hal = await champion(h, "hal")
    ida = await champion(h, "ida")
    for member in (gia, hal):
        await (await h.emu.slash(h.guild, member, "reflections reminders", enabled=True)).final()
    await h.restart_bot(**at(monday))
    post = await h.emu.wait_for_message(
        h.channel("reflections"), lambda m: bool(m.custom_ids), within=10
    )
    modal = await (await h.emu.click(post, "kindbot:reflect:open", by=gia)).wait_modal()
    ids = field_ids(modal)
    values = {
        ids[label("reflect.body_label")]: "This week I noticed how much a hello matters.",
        ids[label("kindness.visibility_label")]: option(
            modal, label("kindness.visibility_label"), label("kindness.visibility_shareable")
        ),
    }
    saved = await (await h.emu.submit_modal(modal, values, by=gia)).final()
    assert saved.ephemeral and "Thank you for reflecting" in saved.content
    assert rows(h.db_path, "SELECT user_id, period_key, condition_number FROM reflections") == [
        (gia.user.id, "2026-W49", 1)
    ]
    await h.restart_bot(
        **at(datetime.fromisoformat("2026-12-03T17:05:00+00:00"))
    )  # Thursday reminders
    reminder = await h.emu.wait_for_message(hal.user, within=10)
    assert "reflection question" in reminder.content
    assert h.emu.dms_to(gia) == [] and h.emu.dms_to(ida) == []


async def test_reflection_edits_and_deletions_take_effect(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    jan = await champion(h, "jan")
    s = scenario(h)
    await s.reflect(jan, "First thoughts")
    await s.reflect(jan, "Second thoughts")
    mine = await (await h.emu.slash(h.guild, jan, "reflections mine")).final()
    picker = next(c["custom_id"] for c in mine.iter_components() if c.get("type") == 3)
    first_id, second_id = sorted(int(o["value"]) for o in mine.component(picker)["options"])
    refused = await (await click(h, mine, "kindness.delete_button", jan)).final()
    assert refused.content == label("reflect.pick_first")  # nothing picked yet: nothing deleted
    await h.emu.select(mine, picker, [str(second_id)], by=jan)
    deleted = await (await click(h, mine, "kindness.delete_button", jan)).final()
    assert deleted.content == label("reflect.deleted")
    await h.emu.select(mine, picker, [str(first_id)], by=jan)
    modal = await (await click(h, mine, "kindness.edit_button", jan)).wait_modal()
    ids = modal_fields(modal)
    field = label("kindness.visibility_label")
    values = {
        ids[label("reflect.body_label")]: "First thoughts, revised",
        ids[field]: modal_option(modal, field, label("kindness.visibility_private")),
    }
    edited = await (await h.emu.submit_modal(modal, values, by=jan)).final()
    assert edited.content == label("reflect.edited")
    assert rows(h.db_path, "SELECT reflection_id, body, visibility FROM reflections") == [
        (first_id, "First thoughts, revised", "private")
    ]


async def test_an_act_can_say_which_group_it_helped(harness: Harness) -> None:
    h = harness
    await h.start_bot(**at(WEDNESDAY))
    await configure(h)
    ana = await champion(h, "ana", "Education")
    reply = await log_act(h, ana, "Walked a neighbour's dog", condition="9.")
    assert reply.ephemeral and "Thank you for recording" in reply.content
    picker = select_id(reply, "kindness.benefit_placeholder")
    choices = {o["label"]: o["value"] for o in reply.component(picker)["options"]}
    assert label("kindness.benefit_not_said") in choices
    justice = next(name for name in choices if name.endswith("Justice"))
    done = await (await h.emu.select(reply, picker, [choices[justice]], by=ana)).final()
    assert done.content == label("kindness.benefit_noted", group=justice)
    assert done.components == []
    benefited = (
        "SELECT g.name FROM acts a LEFT JOIN groups g ON g.group_id = a.beneficiary_group_id"
    )
    assert rows(h.db_path, f"{benefited} ORDER BY a.act_id") == [("Justice",)]

    # "Prefer not to say" notes nothing; a group removed while the list was open is
    # answered kindly, with today's groups to pick from instead.
    second = await log_act(h, ana, "Stayed late to help with the rota")
    picker = select_id(second, "kindness.benefit_placeholder")
    choices = {o["label"]: o["value"] for o in second.component(picker)["options"]}
    skipped = await (
        await h.emu.select(second, picker, [choices[label("kindness.benefit_not_said")]], by=ana)
    ).final()
    assert skipped.content == label("kindness.benefit_not_noted")
    third = await log_act(h, ana, "Brought soup to the lunch club")
    picker = select_id(third, "kindness.benefit_placeholder")
    choices = {o["label"]: o["value"] for o in third.component(picker)["options"]}
    gone = next(name for name in choices if name.endswith("Justice"))
    removed = await (
        await h.emu.slash(h.guild, h.owner, "setup group remove", group="Justice")
    ).final()
    assert removed.content == label("setup.group_removed", group=gone)
    stale = await (await h.emu.select(third, picker, [choices[gone]], by=ana)).final()
    assert stale.content == label("kindness.benefit_group_gone")
    fresh = {
        o["label"]: o["value"]
        for o in stale.component(select_id(stale, "kindness.benefit_placeholder"))["options"]
    }
    assert gone not in fresh
    health = next(name for name in fresh if name.endswith("Health & care"))
    done = await (
        await h.emu.select(
            stale, select_id(stale, "kindness.benefit_placeholder"), [fresh[health]], by=ana
        )
    ).final()
    assert done.content == label("kindness.benefit_noted", group=health)
    assert rows(h.db_path, f"{benefited} ORDER BY a.act_id") == [
        (None,),  # Justice was removed: the first act no longer names it
        (None,),
        ("Health & care",),
    ]
