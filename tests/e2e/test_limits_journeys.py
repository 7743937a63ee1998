"""The most a server can have, rendered through the strict emulator: every reply fits Discord.

The emulator refuses any body over one of Discord's limits with 400 50035, so each
step passing with the full content in place proves the reply stayed within them.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

from bot.repos.guilds import name_key
from bot.services.setup import GROUP_NAME_MAX, MAX_GROUPS
from tests.e2e.conftest import Harness
from tests.e2e.flows import configure, join, label, select_id

DEFAULTS = (
    "Health & care",
    "Justice",
    "Education",
    "Local government",
    "Community groups",
    "Voluntary sector",
)


def long_name(index: int) -> str:
    return f"Group {index:02d} " + "k" * (GROUP_NAME_MAX - 9)


def custom_emoji(index: int) -> str:
    return f"<a:{'e' * 30}{index:02d}:{10**20 + index}>"


async def test_the_most_groups_with_the_longest_names_fit_everywhere(harness: Harness) -> None:
    h = harness
    await h.start_bot()
    await configure(h)
    s = h.emu
    for index, name in enumerate(DEFAULTS):
        reply = await (
            await s.slash(
                h.guild, h.owner, "setup group rename", group=name, new_name=long_name(index)
            )
        ).final()
        assert long_name(index) in reply.content
    for index in range(len(DEFAULTS), MAX_GROUPS):
        role = h.role(f"Role {index}")
        reply = await (
            await s.slash(
                h.guild,
                h.owner,
                "setup group add",
                name=long_name(index),
                emoji=custom_emoji(index),
                role=role,
            )
        ).final()
        assert long_name(index) in reply.content
    names = [long_name(i) for i in range(MAX_GROUPS)]
    assert all(len(n) == GROUP_NAME_MAX for n in names)

    refused = await (
        await s.slash(h.guild, h.owner, "setup group add", name="One group too many")
    ).final()
    assert refused.content == label("setup.group_limit", maximum=MAX_GROUPS)

    show = await (await s.slash(h.guild, h.owner, "setup show")).final()
    assert show.embeds, show.content
    assert all(name in show.text for name in names)

    listing = await (await s.slash(h.guild, h.owner, "setup group list")).final()
    assert listing.embeds, listing.content
    assert all(name in listing.text for name in names)

    ada = h.member("ada")
    form = await (await s.slash(h.guild, ada, "join")).final()
    options = form.component(select_id(form, "onboarding.pick_group"))["options"]
    assert [o["label"] for o in options] == names

    await join(h, ada, names[-1])
    profile = await (await s.slash(h.guild, ada, "profile")).final()
    assert names[-1] in profile.text

    for index in range(12):
        await join(h, h.member(f"champion{index}"), names[index])
    champions = await (await s.slash(h.guild, h.owner, "champions list")).final()
    assert champions.embeds, champions.content
    assert all(name in champions.text for name in names)


async def test_a_server_over_the_maximum_is_told_and_still_fits(harness: Harness) -> None:
    """A server that had more groups before the maximum: /setup show says so, within limits."""
    h = harness
    await h.start_bot()
    await configure(h)
    await (await h.emu.slash(h.guild, h.owner, "setup show")).final()  # the server's defaults
    with closing(sqlite3.connect(h.db_path)) as conn, conn:
        for index in range(len(DEFAULTS), MAX_GROUPS + 5):
            name = long_name(index)
            conn.execute(
                "INSERT INTO groups (guild_id, name, name_key, emoji, role_id, created_at) "
                "VALUES (?, ?, ?, ?, NULL, '2026-01-01T00:00:00+00:00')",
                (h.guild.id, name, name_key(name), custom_emoji(index)),
            )
    show = await (await h.emu.slash(h.guild, h.owner, "setup show")).final()
    assert show.embeds, show.content
    problem = label("setup.problem_many_groups", count=MAX_GROUPS + 5, maximum=MAX_GROUPS)
    assert problem in show.text
    form = await (await h.emu.slash(h.guild, h.member("ada"), "join")).final()
    assert len(form.component(select_id(form, "onboarding.pick_group"))["options"]) == MAX_GROUPS
