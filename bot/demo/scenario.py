"""Scripted people using kindbot through the emulator, as a real member would.

Shared by the end-to-end tests and ``kindbot demo``: each step clicks, picks and
types exactly what a member would, finding controls by their visible labels (read
from the message catalogue, so rewording a message never breaks a script).
"""

from __future__ import annotations

from typing import Any

from bot.text import Messages
from sandbox.emulator import DiscordEmulator
from sandbox.interactions import InteractionHandle, Modal
from sandbox.state import Channel, Guild, Member, Message

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


def modal_fields(modal: Modal) -> dict[str, str]:
    """A modal's inputs by their visible label."""
    return {modal.label(cid) or cid: cid for cid in modal.fields}


def modal_option(modal: Modal, field_label: str, option_prefix: str) -> list[str]:
    component = modal.fields[modal_fields(modal)[field_label]]
    for opt in component["options"]:
        if str(opt["label"]).startswith(option_prefix):
            return [str(opt["value"])]
    raise LookupError(option_prefix)


class Scenario:
    """One community in the emulator, with its owner acting as coordinator."""

    def __init__(self, emu: DiscordEmulator, guild: Guild, owner: Member) -> None:
        self.emu = emu
        self.guild = guild
        self.owner = owner

    async def click(
        self, message: Message, key: str, by: Member, **params: Any
    ) -> InteractionHandle:
        return await self.emu.click(message, message.custom_id_for(label(key, **params)), by=by)

    async def command(self, member: Member, command: str, **options: Any) -> Message:
        return await (await self.emu.slash(self.guild, member, command, **options)).final(within=30)

    async def configure(self, channels: dict[str, Channel]) -> None:
        """Set each purpose ("welcome", "coffee", …) to its channel."""
        for purpose, channel in channels.items():
            await self.command(self.owner, "setup channel", purpose=purpose, channel=channel)

    async def fill_profile(
        self,
        form: Message,
        member: Member,
        *,
        group: str,
        region: str = "London",
        interests: list[str] | None = None,
        coffee: bool = False,
        digest: bool = False,
        pulse: bool = False,
        intro: str | None = None,
    ) -> Message:
        emu = self.emu
        for key, value in (("onboarding.pick_group", group), ("onboarding.pick_region", region)):
            chosen = [option_value(form, key, value)]
            form = await (await emu.select(form, select_id(form, key), chosen, by=member)).final()
        if interests:
            values = [option_value(form, "onboarding.pick_interests", i) for i in interests]
            picker = select_id(form, "onboarding.pick_interests")
            form = await (await emu.select(form, picker, values, by=member)).final()
        off = label("onboarding.off")
        if coffee:
            form = await (
                await self.click(form, "onboarding.toggle_coffee", member, state=off)
            ).final()
        if digest:
            form = await (
                await self.click(form, "onboarding.toggle_digest", member, state=off)
            ).final()
        if pulse:
            form = await (
                await self.click(form, "onboarding.toggle_pulse", member, state=off)
            ).final()
        if intro is not None:
            modal = await (await self.click(form, "onboarding.intro_button", member)).wait_modal()
            field = next(iter(modal.fields))
            form = await (await emu.submit_modal(modal, {field: intro}, by=member)).final()
        return form

    async def confirm_profile(self, form: Message, member: Member) -> Message:
        review = await (await self.click(form, "onboarding.review_button", member)).final()
        return await (await self.click(review, "onboarding.confirm_button", member)).final()

    async def join(self, member: Member, group: str, **answers: Any) -> Message:
        form = await self.command(member, "join")
        form = await self.fill_profile(form, member, group=group, **answers)
        return await self.confirm_profile(form, member)

    async def answer_pulse(self, message: Message, member: Member, choices: list[int]) -> Message:
        """Answer a pulse DM question by question: ``choices`` are option positions."""
        for choice in choices:
            select = next(c for c in message.iter_components() if c.get("options"))
            value = str(select["options"][choice]["value"])
            handle = await self.emu.select(message, str(select["custom_id"]), [value], by=member)
            message = await handle.final()
        return message

    async def submit_act(
        self,
        modal: Modal,
        member: Member,
        what: str,
        *,
        who: str | None = None,
        condition: str | None = None,
        visibility: str = "kindness.visibility_shareable",
    ) -> Message:
        ids = modal_fields(modal)
        who_id = ids[label("kindness.who_label")]
        prefilled = modal.fields[who_id].get("value") or ""
        values: dict[str, Any] = {
            ids[label("kindness.what_label")]: what,
            who_id: prefilled if who is None else who,
        }
        if condition is not None:
            field = label("kindness.condition_label")
            values[ids[field]] = modal_option(modal, field, condition)
        field = label("kindness.visibility_label")
        values[ids[field]] = modal_option(modal, field, label(visibility))
        return await (await self.emu.submit_modal(modal, values, by=member)).final()

    async def log_act(self, member: Member, what: str, **kwargs: Any) -> Message:
        modal = await (await self.emu.slash(self.guild, member, "kindness log")).wait_modal()
        return await self.submit_act(modal, member, what, **kwargs)

    async def say_who_benefited(self, confirmation: Message, member: Member, group: str) -> Message:
        """Pick the group an act helped from the select under its confirmation."""
        picker = select_id(confirmation, "kindness.benefit_placeholder")
        options = confirmation.component(picker)["options"]
        value = next(str(o["value"]) for o in options if str(o["label"]).endswith(group))
        return await (await self.emu.select(confirmation, picker, [value], by=member)).final()

    async def reflect(
        self, member: Member, body: str, visibility: str = "kindness.visibility_shareable"
    ) -> Message:
        modal = await (await self.emu.slash(self.guild, member, "reflect")).wait_modal()
        ids = modal_fields(modal)
        field = label("kindness.visibility_label")
        values = {
            ids[label("reflect.body_label")]: body,
            ids[field]: modal_option(modal, field, label(visibility)),
        }
        return await (await self.emu.submit_modal(modal, values, by=member)).final()
