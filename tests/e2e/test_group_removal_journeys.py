"""Removing a group that has champions: a question first, and nobody is left out silently."""

from __future__ import annotations

from tests.e2e.conftest import Harness
from tests.e2e.flows import click, configure, join, label, rows, select_id


def _group_of(h: Harness, user_id: int) -> str | None:
    found = rows(
        h.db_path,
        "SELECT g.name FROM champions c LEFT JOIN groups g ON g.group_id = c.group_id "
        "WHERE c.user_id = ?",
        user_id,
    )
    return found[0][0] if found else None


async def test_removing_a_group_asks_first_and_can_move_its_champions(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    justice = h.role("Justice folk")
    await configure(h, group_roles={"Justice": justice})
    ada, bea = h.member("ada"), h.member("bea")
    await join(h, ada, "Justice", coffee=True)
    await join(h, bea, "Justice", coffee=True)
    assert justice.id in ada.role_ids

    question = await (
        await h.emu.slash(h.guild, h.owner, "setup group remove", group="Justice")
    ).final()
    assert question.ephemeral
    assert question.content == label("setup.group_remove_question", count=2, group="Justice")
    assert rows(h.db_path, "SELECT count(*) FROM groups WHERE name = 'Justice'") == [(1,)]

    cancelled = await (await click(h, question, "setup.group_remove_cancel", h.owner)).final()
    assert cancelled.content == label("setup.group_remove_cancelled")
    assert _group_of(h, ada.user.id) == "Justice"

    question = await (
        await h.emu.slash(h.guild, h.owner, "setup group remove", group="Justice")
    ).final()
    picker = select_id(question, "setup.group_remove_move")
    target = next(
        o["value"] for o in question.component(picker)["options"] if o["label"] == "Education"
    )
    assert all(o["label"] != "Justice" for o in question.component(picker)["options"])
    done = await (await h.emu.select(question, picker, [target], by=h.owner)).final()
    assert done.content == label(
        "setup.group_removed_moved", count=2, group="Justice", target="📚 Education"
    )
    assert _group_of(h, ada.user.id) == "Education" and _group_of(h, bea.user.id) == "Education"
    assert justice.id not in ada.role_ids and justice.id not in bea.role_ids
    assert rows(h.db_path, "SELECT count(*) FROM groups WHERE name = 'Justice'") == [(0,)]


async def test_removing_a_group_can_ask_each_champion_to_choose_again(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    ada, bea = h.member("ada"), h.member("bea")
    cal = h.member("cal", dms_open=False)
    for member in (ada, bea, cal):
        await join(h, member, "Justice", coffee=True)

    question = await (
        await h.emu.slash(h.guild, h.owner, "setup group remove", group="Justice")
    ).final()
    done = await (await click(h, question, "setup.group_remove_ask", h.owner)).final()
    assert done.content == label("setup.group_removed_asked", count=3, group="⚖️ Justice")
    log = await h.emu.wait_for_message(h.channel("coordinators"), within=5)
    assert log.content == label(
        "setup.regroup_unreachable_log", members=f"<@{cal.user.id}>", group="Justice"
    )
    assert _group_of(h, ada.user.id) is None

    dm = await h.emu.wait_for_message(ada, within=5)
    assert dm.content == label("onboarding.regroup_dm", server=h.guild.name, group="Justice")
    assert any(m.content == dm.content for m in h.emu.dms_to(bea))

    profile = await (await h.emu.slash(h.guild, bea, "profile")).final()
    assert profile.content == label("profile.choose_group")
    assert label("profile.not_chosen") in profile.text

    await h.restart_bot()  # the menu in the message keeps working after a restart
    picker = select_id(dm, "onboarding.pick_group")
    options = dm.component(picker)["options"]
    assert "Justice" not in [o["label"] for o in options]
    health = next(o["value"] for o in options if o["label"] == "Health & care")
    chosen = await (await h.emu.select(dm, picker, [health], by=ada)).final()
    assert chosen.content == label("onboarding.regroup_done", group="🩺 Health & care")
    assert _group_of(h, ada.user.id) == "Health & care"


async def test_removing_an_empty_group_needs_no_question(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    reply = await (
        await h.emu.slash(h.guild, h.owner, "setup group remove", group="Justice")
    ).final()
    assert reply.content == label("setup.group_removed", group="⚖️ Justice")
    assert rows(h.db_path, "SELECT count(*) FROM groups WHERE name = 'Justice'") == [(0,)]
