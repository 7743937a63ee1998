"""What members and coordinators do, as short steps for the journeys (see bot.demo.scenario)."""

from __future__ import annotations

from typing import Any

from bot.demo.scenario import Scenario, label, option_value, select_id
from sandbox.interactions import InteractionHandle
from sandbox.state import Member, Message, Role
from tests.e2e.conftest import Harness
from tests.sqlite_checks import rows, tables_mentioning

__all__ = ["label", "option_value", "rows", "select_id", "tables_mentioning"]

PURPOSES = {
    "welcome": "welcome",
    "coffee": "coffee",
    "reflections": "reflections",
    "digest": "digest",
    "log": "coordinators",
}


def scenario(h: Harness) -> Scenario:
    return Scenario(h.emu, h.guild, h.owner)


async def click(
    h: Harness, message: Message, key: str, by: Member, **params: Any
) -> InteractionHandle:
    return await scenario(h).click(message, key, by, **params)


async def configure(
    h: Harness, *, champion_role: Role | None = None, group_roles: dict[str, Role] | None = None
) -> None:
    """A coordinator sets the channels (and optionally roles) up."""
    s = scenario(h)
    await s.configure({purpose: h.channel(name) for purpose, name in PURPOSES.items()})
    if champion_role is not None:
        await s.command(h.owner, "setup champion-role", role=champion_role)
    for group, role in (group_roles or {}).items():
        await s.command(h.owner, "setup group remove", group=group)
        await s.command(h.owner, "setup group add", name=group, role=role)


async def open_form(h: Harness, member: Member) -> Message:
    return await scenario(h).command(member, "join")


async def fill_form(
    h: Harness, form: Message, member: Member, *, group: str, **answers: Any
) -> Message:
    return await scenario(h).fill_profile(form, member, group=group, **answers)


async def review_and_confirm(h: Harness, form: Message, member: Member) -> Message:
    return await scenario(h).confirm_profile(form, member)


async def join(h: Harness, member: Member, group: str, **answers: Any) -> Message:
    return await scenario(h).join(member, group, **answers)
