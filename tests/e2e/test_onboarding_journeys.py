"""Becoming a champion, editing, leaving and privacy, as members do it through Discord."""

from __future__ import annotations

import asyncio
import json

from sandbox.permissions import DEFAULT_BOT_PERMISSIONS, Perm
from tests.e2e.conftest import Harness
from tests.e2e.flows import (
    click,
    configure,
    fill_form,
    join,
    label,
    open_form,
    option_value,
    review_and_confirm,
    rows,
    select_id,
    tables_mentioning,
)


async def test_join_by_button_gets_roles_and_profile(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    champions = h.role("Champions")
    educators = h.role("Educators")
    await configure(h, champion_role=champions, group_roles={"Education": educators})
    await (await h.emu.slash(h.guild, h.owner, "setup welcome-post")).final()
    post = h.emu.bot_messages(h.channel("welcome"))[-1]
    assert post.custom_ids == ["kindbot:welcome:join"]

    ada = h.member("ada")
    form = await (await h.emu.click(post, "kindbot:welcome:join", by=ada)).final()
    assert form.ephemeral
    form = await fill_form(
        h, form, ada, group="Education", interests=["Food & cooking"], coffee=True
    )
    done = await review_and_confirm(h, form, ada)
    assert "Kindness Champion" in done.embeds[0]["title"]
    assert set(ada.role_ids) == {champions.id, educators.id}

    profile = await (await h.emu.slash(h.guild, ada, "profile")).final()
    assert profile.ephemeral
    text = profile.text
    assert "Education" in text and "Food & cooking" in text
    stored = rows(
        h.db_path,
        "SELECT coffee_opt_in, digest_name_ok, region_id FROM champions WHERE user_id = ?",
        ada.user.id,
    )
    assert stored == [(1, 0, "london")]


async def test_edit_profile_moves_group_and_roles(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    justice, health = h.role("Justice folk"), h.role("Health folk")
    await configure(h, group_roles={"Justice": justice, "Health & care": health})
    bea = h.member("bea")
    await join(h, bea, "Justice")
    assert justice.id in bea.role_ids

    profile = await (await h.emu.slash(h.guild, bea, "profile")).final()
    form = await (await click(h, profile, "onboarding.edit_button", bea)).final()
    form = await (
        await h.emu.select(
            form,
            select_id(form, "onboarding.pick_group"),
            [option_value(form, "onboarding.pick_group", "Health & care")],
            by=bea,
        )
    ).final()
    done = await review_and_confirm(h, form, bea)
    assert "Health & care" in done.text
    assert health.id in bea.role_ids and justice.id not in bea.role_ids


async def test_pending_member_is_greeted_only_after_onboarding(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    welcome = h.channel("welcome")
    before = len(h.emu.bot_messages(welcome))
    cal = h.member("cal", pending=True)
    dan = h.member("dan")  # a non-pending member is greeted straight away
    greeting = await h.emu.wait_for_message(
        welcome, lambda m: f"<@{dan.user.id}>" in m.content, within=5
    )
    assert f"<@{cal.user.id}>" not in " ".join(m.content for m in h.emu.bot_messages(welcome))
    h.emu.complete_onboarding(cal)
    greeting = await h.emu.wait_for_message(
        welcome, lambda m: f"<@{cal.user.id}>" in m.content, within=5
    )
    assert "@everyone" not in greeting.content and "@here" not in greeting.content
    assert greeting.custom_ids == ["kindbot:welcome:join"]
    assert len(h.emu.bot_messages(welcome)) == before + 2


async def test_missing_manage_roles_tells_member_and_coordinators(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    champions = h.role("Champions")
    await configure(h, champion_role=champions)
    h.emu.set_bot_permissions(h.guild, DEFAULT_BOT_PERMISSIONS & ~Perm.MANAGE_ROLES)
    eve = h.member("eve")
    form = await fill_form(h, await open_form(h, eve), eve, group="Justice")
    review = await (await click(h, form, "onboarding.review_button", eve)).final()
    confirm = await click(h, review, "onboarding.confirm_button", eve)
    notes = await confirm.wait_followups(1)
    assert notes[0].ephemeral
    assert notes[0].content == label("onboarding.roles_member_note")
    log = await h.emu.wait_for_message(
        h.channel("coordinators"), lambda m: f"<@{eve.user.id}>" in m.content, within=5
    )
    assert "Manage Roles" in log.content
    assert champions.id not in eve.role_ids
    assert rows(h.db_path, "SELECT status FROM champions WHERE user_id = ?", eve.user.id) == [
        ("active",)
    ]


async def test_leave_keeping_then_deleting_data(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    champions = h.role("Champions")
    await configure(h, champion_role=champions)
    fay = h.member("fay")
    await join(h, fay, "Voluntary sector", coffee=True)
    ask = await (await h.emu.slash(h.guild, fay, "leave")).final()
    done = await (await click(h, ask, "onboarding.leave_keep", fay)).final()
    assert done.content == label("onboarding.left_kept")
    assert rows(
        h.db_path, "SELECT status, coffee_opt_in FROM champions WHERE user_id = ?", fay.user.id
    ) == [("left", 0)]
    assert champions.id not in fay.role_ids

    form = await open_form(h, fay)
    group_select = form.component(select_id(form, "onboarding.pick_group"))
    chosen = [o["label"] for o in group_select["options"] if o.get("default")]
    assert chosen == ["Voluntary sector"]  # the kept profile comes back
    await join(h, fay, "Voluntary sector")
    ask = await (await h.emu.slash(h.guild, fay, "leave")).final()
    done = await (await click(h, ask, "onboarding.leave_delete", fay)).final()
    assert done.content == label("onboarding.left_deleted")
    assert tables_mentioning(h.db_path, fay.user.id) == []


async def test_my_data_contains_your_rows(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    gus = h.member("gus")
    await join(h, gus, "Education", interests=["Food & cooking"], intro="I teach maths.")
    reply = await (await h.emu.slash(h.guild, gus, "my-data")).final()
    assert reply.ephemeral
    document = json.loads(reply.attachments[0].data)
    assert document["user_id"] == str(gus.user.id)
    assert document["tables"]["champions"][0]["intro"] == "I teach maths."
    assert document["tables"]["champion_interests"][0]["interest_id"] == "food"


async def test_forget_me_leaves_no_trace(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    hal = h.member("hal")
    await join(h, hal, "Justice", intro="hello")
    ask = await (await h.emu.slash(h.guild, hal, "forget-me")).final()
    done = await (await click(h, ask, "privacy.forget_confirm", hal)).final()
    assert done.content == label("privacy.forgotten")
    assert tables_mentioning(h.db_path, hal.user.id) == []


async def test_second_guild_never_sees_the_first(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    ivy = h.member("ivy")
    await join(h, ivy, "Justice")
    other = h.emu.create_guild("Elsewhere", owner="oscar")
    oscar = other.members[other.owner_id]
    assert h.bot is not None
    await h.bot.wait_for_log(f"Joined server Elsewhere ({other.id})")
    listing = await (await h.emu.slash(other, oscar, "champions list")).final()
    assert "(0 active)" in listing.text
    assert str(ivy.user.id) not in listing.text
    export = await (await h.emu.slash(other, oscar, "champions export")).final()
    assert str(ivy.user.id) not in export.attachments[0].data.decode()
    profile = await (
        await h.emu.slash(other, h.emu.create_member(other, ivy.user), "profile")
    ).final()
    assert profile.content == label("onboarding.not_a_champion")


async def test_leaving_the_server_and_returning(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    champions = h.role("Champions")
    await configure(h, champion_role=champions)
    jo = h.member("jo")
    await join(h, jo, "Education", coffee=True)
    h.emu.remove_member(jo)
    await h.emu.wait_until(
        lambda: (
            rows(h.db_path, "SELECT status FROM champions WHERE user_id = ?", jo.user.id)
            == [("away",)]
        ),
        5,
        "the profile to become inactive",
    )
    back = h.emu.create_member(h.guild, jo.user)
    greeting = await h.emu.wait_for_message(
        h.channel("welcome"), lambda m: "Welcome back" in m.content, within=5
    )
    assert f"<@{jo.user.id}>" in greeting.content
    assert rows(
        h.db_path, "SELECT status, coffee_opt_in FROM champions WHERE user_id = ?", jo.user.id
    ) == [("active", 1)]
    await h.emu.wait_until(
        lambda: champions.id in back.role_ids, 5, "the champion role to come back"
    )


async def test_bad_intro_and_abandoned_flow_store_nothing(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    kit = h.member("kit")
    form = await fill_form(h, await open_form(h, kit), kit, group="Justice")
    modal = await (await click(h, form, "onboarding.intro_button", kit)).wait_modal()
    field = next(iter(modal.fields))
    assert modal.fields[field]["max_length"] == 300  # Discord refuses longer text itself
    blank = await h.emu.submit_modal(modal, {field: "  \u200b  "}, by=kit)
    note = (await blank.wait_followups(1))[0]
    assert note.ephemeral and note.content == label("onboarding.intro_blank")
    # Kit walks away here: nothing may be stored.
    assert rows(h.db_path, "SELECT count(*) FROM champions") == [(0,)]

    noisy = "@everyone look **here** <@&1> _now_"
    form = await fill_form(h, await open_form(h, kit), kit, group="Justice", intro=noisy)
    done = await review_and_confirm(h, form, kit)
    assert rows(h.db_path, "SELECT intro FROM champions WHERE user_id = ?", kit.user.id) == [
        (noisy,)
    ]
    shown = done.text
    assert "@\u200beveryone" in shown and "\\*\\*here\\*\\*" in shown


async def test_two_confirm_clicks_save_once(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    lee = h.member("lee")
    form = await fill_form(h, await open_form(h, lee), lee, group="Justice")
    review = await (await click(h, form, "onboarding.review_button", lee)).final()
    confirm_id = review.custom_id_for(label("onboarding.confirm_button"))
    first, second = await asyncio.gather(
        h.emu.click(review, confirm_id, by=lee), h.emu.click(review, confirm_id, by=lee)
    )
    replies = [await first.final(), await second.final()]
    assert any(r.content == label("onboarding.already_saved") for r in replies)
    assert rows(h.db_path, "SELECT count(*) FROM champions WHERE user_id = ?", lee.user.id) == [
        (1,)
    ]


async def test_group_removed_while_choosing(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    max_ = h.member("max")
    form = await fill_form(h, await open_form(h, max_), max_, group="Justice")
    await (await h.emu.slash(h.guild, h.owner, "setup group remove", group="Justice")).final()
    review = await (await click(h, form, "onboarding.review_button", max_)).final()
    confirm = await click(h, review, "onboarding.confirm_button", max_)
    error = (await confirm.wait_followups(1))[0]
    assert error.ephemeral and error.content == label("onboarding.group_gone")
    assert rows(h.db_path, "SELECT count(*) FROM champions") == [(0,)]
    form = await (await click(h, review, "onboarding.edit_button", max_)).final()
    options = [
        o["label"] for o in form.component(select_id(form, "onboarding.pick_group"))["options"]
    ]
    assert "Justice" not in options


async def test_welcome_button_still_works_after_a_restart(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    await (await h.emu.slash(h.guild, h.owner, "setup welcome-post")).final()
    post = h.emu.bot_messages(h.channel("welcome"))[-1]
    await h.restart_bot()
    nia = h.member("nia")
    form = await (await h.emu.click(post, "kindbot:welcome:join", by=nia)).final()
    assert form.ephemeral
    assert form.embeds[0]["title"] == label("onboarding.form_title")
