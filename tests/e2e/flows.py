"""What members and coordinators do, in a few reusable steps for the journeys."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from bot.sandbox.interactions import InteractionHandle
from bot.sandbox.state import Channel, Member, Message, Role
from bot.text import Messages
from tests.e2e.conftest import Harness

TEXTS = Messages.load()


def label(key: str, **params: Any) -> str:
    return TEXTS(key, **params)


def select_id(message: Message, placeholder_key: str) -> str:
    placeholder = TEXTS(placeholder_key)
    for comp in message.iter_components():
        if comp.get("placeholder") == placeholder:
            return str(comp["custom_id"])
    raise LookupError(f"no select with placeholder {placeholder!r}")


def option_value(message: Message, placeholder_key: str, option_label: str) -> str:
    custom_id = select_id(message, placeholder_key)
    for option in message.component(custom_id)["options"]:
        if option["label"] == option_label:
            return str(option["value"])
    raise LookupError(f"no option {option_label!r}")


async def click(
    h: Harness, message: Message, key: str, by: Member, **params: Any
) -> InteractionHandle:
    return await h.emu.click(message, message.custom_id_for(label(key, **params)), by=by)


async def configure(
    h: Harness, *, champion_role: Role | None = None, group_roles: dict[str, Role] | None = None
) -> None:
    """A coordinator sets the channels (and optionally roles) up."""
    emu, guild, owner = h.emu, h.guild, h.owner
    for purpose, name in (
        ("welcome", "welcome"),
        ("coffee", "coffee"),
        ("reflections", "reflections"),
        ("digest", "digest"),
        ("log", "coordinators"),
    ):
        await (
            await emu.slash(guild, owner, "setup channel", purpose=purpose, channel=h.channel(name))
        ).final()
    if champion_role is not None:
        await (await emu.slash(guild, owner, "setup champion-role", role=champion_role)).final()
    for group, role in (group_roles or {}).items():
        await (await emu.slash(guild, owner, "setup group remove", group=group)).final()
        await (await emu.slash(guild, owner, "setup group add", name=group, role=role)).final()


async def open_form(h: Harness, member: Member) -> Message:
    return await (await h.emu.slash(h.guild, member, "join")).final()


async def fill_form(
    h: Harness,
    form: Message,
    member: Member,
    *,
    group: str,
    region: str = "London",
    interests: list[str] | None = None,
    coffee: bool = False,
    digest: bool = False,
    intro: str | None = None,
) -> Message:
    emu = h.emu
    form = await (
        await emu.select(
            form,
            select_id(form, "onboarding.pick_group"),
            [option_value(form, "onboarding.pick_group", group)],
            by=member,
        )
    ).final()
    form = await (
        await emu.select(
            form,
            select_id(form, "onboarding.pick_region"),
            [option_value(form, "onboarding.pick_region", region)],
            by=member,
        )
    ).final()
    if interests:
        values = [option_value(form, "onboarding.pick_interests", i) for i in interests]
        form = await (
            await emu.select(form, select_id(form, "onboarding.pick_interests"), values, by=member)
        ).final()
    if coffee:
        form = await (
            await click(h, form, "onboarding.toggle_coffee", member, state=label("onboarding.off"))
        ).final()
    if digest:
        form = await (
            await click(h, form, "onboarding.toggle_digest", member, state=label("onboarding.off"))
        ).final()
    if intro is not None:
        modal = await (await click(h, form, "onboarding.intro_button", member)).wait_modal()
        field = next(iter(modal.fields))
        form = await (await emu.submit_modal(modal, {field: intro}, by=member)).final()
    return form


async def review_and_confirm(h: Harness, form: Message, member: Member) -> Message:
    review = await (await click(h, form, "onboarding.review_button", member)).final()
    return await (await click(h, review, "onboarding.confirm_button", member)).final()


async def join(h: Harness, member: Member, group: str, **answers: Any) -> Message:
    form = await open_form(h, member)
    form = await fill_form(h, form, member, group=group, **answers)
    return await review_and_confirm(h, form, member)


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return list(conn.execute(sql, params).fetchall())


def tables_mentioning(db: Path, value: int) -> list[str]:
    found = []
    with closing(sqlite3.connect(db)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                if any(str(value) in str(cell) for cell in row):
                    found.append(table)
                    break
    return found


def last_bot_message(h: Harness, channel: Channel) -> Message | None:
    messages = h.emu.bot_messages(channel)
    return messages[-1] if messages else None
