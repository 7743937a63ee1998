"""Interactions: what users trigger (payload builders) and how the bot answers them.

An :class:`InteractionHandle` follows one interaction from INTERACTION_CREATE through
its callback, @original edits and follow-ups, so a test can await "the answer".
"""

from __future__ import annotations

import copy
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox import payloads
from sandbox.constants import (
    INTERACTION_TOKEN_LIFETIME,
    SELECT_TYPES,
    ComponentType,
    ErrorCode,
    InteractionResponseType,
    InteractionType,
    MessageFlag,
    MessageType,
    OptionType,
)
from sandbox.messages import normalise_components, validate_body
from sandbox.permissions import DM_PERMISSIONS
from sandbox.router import DiscordHTTPError, Reply, Request, Router
from sandbox.state import AppCommand, Attachment, Channel, Guild, Member, Message, Role, User
from sandbox.validation import check_autocomplete, check_modal

if TYPE_CHECKING:
    from sandbox.core import EmulatorCore

log = logging.getLogger(__name__)

JSON = dict[str, Any]

IT = InteractionType
RT = InteractionResponseType
CT = ComponentType
OT = OptionType
_MESSAGE = RT.CHANNEL_MESSAGE_WITH_SOURCE
_DEFER = RT.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
_DEFER_UPDATE = RT.DEFERRED_UPDATE_MESSAGE
_UPDATE = RT.UPDATE_MESSAGE
_CHOICES = RT.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
_GROUPING = (OT.SUB_COMMAND, OT.SUB_COMMAND_GROUP)


class InteractionError(AssertionError):
    """The bot did not answer an interaction the way a Discord user would need."""


class CommandUnavailable(Exception):
    """Discord's client would not let this user run this command (permissions/context)."""


@dataclass(eq=False)
class Modal:
    """A modal the bot opened; fill it in with :meth:`EmulatorCore.submit_modal`."""

    custom_id: str
    title: str
    components: list[JSON]
    interaction: InteractionHandle = field(repr=False)

    @property
    def fields(self) -> dict[str, JSON]:
        """Input components (text inputs, selects...) by custom_id."""
        out: dict[str, JSON] = {}
        for comp in _modal_inputs(self.components):
            out[str(comp["custom_id"])] = comp
        return out

    def label(self, custom_id: str) -> str | None:
        """The visible label of a field (Label component label or legacy TextInput label)."""
        for top in self.components:
            if (
                top.get("type") == CT.LABEL
                and top.get("component", {}).get("custom_id") == custom_id
            ):
                return top.get("label")
        comp = self.fields.get(custom_id)
        return None if comp is None else comp.get("label")


def _modal_inputs(components: list[JSON]) -> list[JSON]:
    out: list[JSON] = []
    for comp in components:
        if comp.get("type") == CT.ACTION_ROW:
            out.extend(_modal_inputs(comp.get("components", [])))
        elif comp.get("type") == CT.LABEL:
            out.extend(_modal_inputs([comp["component"]]))
        elif "custom_id" in comp:
            out.append(comp)
    return out


@dataclass(eq=False)
class InteractionHandle:
    """One user interaction and everything the bot answered to it."""

    emu: EmulatorCore = field(repr=False)
    id: int
    token: str
    type: int
    description: str
    user: User
    guild: Guild | None
    channel: Channel
    payload: JSON = field(repr=False)
    message_type: int = MessageType.CHAT_INPUT_COMMAND
    source_message: Message | None = None
    created: float = field(default_factory=time.monotonic)
    #: Emulator-clock time the token was issued (it expires 15 minutes later).
    issued_at: float = 0.0
    #: ``time.monotonic()`` when INTERACTION_CREATE was queued on the gateway.
    dispatched_at: float | None = None
    #: ``time.monotonic()`` when the callback (the 3 s acknowledgement) was recorded.
    responded_at: float | None = None
    #: ``time.monotonic()`` when :meth:`final` first had a message to return.
    settled_at: float | None = None
    response_type: int | None = None
    response_data: JSON | None = field(default=None, repr=False)
    original: Message | None = None
    followups: list[Message] = field(default_factory=list)
    modal: Modal | None = None
    choices: list[JSON] | None = None
    _source_edits: int = 0

    @property
    def responded(self) -> bool:
        return self.response_type is not None

    @property
    def deferred(self) -> bool:
        return self.response_type in (
            RT.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
            RT.DEFERRED_UPDATE_MESSAGE,
        )

    @property
    def messages(self) -> list[Message]:
        """The original response (if it is a new message) and follow-ups, undeleted."""
        out = [m for m in [self.original, *self.followups] if m is not None and not m.deleted]
        if self.response_type in (RT.DEFERRED_UPDATE_MESSAGE, RT.UPDATE_MESSAGE):
            out = [m for m in out if m is not self.source_message]
        return out

    async def wait_response(self, within: float = 5.0) -> InteractionHandle:
        """Waits for the interaction callback (what Discord requires within 3 s)."""
        await self.emu.wait_until(
            lambda: self.responded, within, f"a response to {self.description}"
        )
        return self

    async def final(self, within: float = 5.0) -> Message:
        """The message that answers the interaction once any defer has been resolved.

        Type 4 → the message sent; type 5 → the deferred message after its edit or first
        follow-up; type 6 → the component message after its edit, or the first follow-up;
        type 7 → the updated component message.
        """
        await self.wait_response(within)
        if self.response_type == RT.MODAL:
            raise InteractionError(f"{self.description} opened modal {self.modal!r}, not a message")
        if self.response_type == RT.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            raise InteractionError(f"{self.description} was an autocomplete request")
        await self.emu.wait_until(
            lambda: self.final_message() is not None,
            within,
            f"the final response to {self.description}",
        )
        result = self.final_message()
        assert result is not None
        self.note_progress()
        return result

    def final_message(self) -> Message | None:
        """The answering message if the interaction has settled (see :meth:`final`), else None."""
        rt = self.response_type
        if rt == RT.CHANNEL_MESSAGE_WITH_SOURCE:
            return self.original
        if rt == RT.UPDATE_MESSAGE:
            return self.source_message
        if (
            rt == RT.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            and self.original is not None
            and not self.original.loading
        ):
            return self.original
        if rt == RT.DEFERRED_UPDATE_MESSAGE:
            src = self.source_message
            if src is not None and src.edits > self._source_edits:
                return src
            if self.followups:
                return self.followups[0]
        return None

    @property
    def latency(self) -> float | None:
        """Seconds from INTERACTION_CREATE to the final response, once both happened."""
        if self.dispatched_at is None or self.settled_at is None:
            return None
        return self.settled_at - self.dispatched_at

    def note_progress(self) -> None:
        """Stamps ``settled_at`` the first time a final message exists.

        The webhook routes call this as they record answers, so benchmarks measure when
        the emulator received the answer rather than when a waiter woke up. Edits made
        through the channel-message routes are stamped when :meth:`final` sees them.
        """
        if self.settled_at is None and self.final_message() is not None:
            self.settled_at = time.monotonic()

    async def wait_modal(self, within: float = 5.0) -> Modal:
        await self.wait_response(within)
        if self.modal is None:
            raise InteractionError(
                f"{self.description} answered with type {self.response_type}, not a modal"
            )
        return self.modal

    async def wait_followups(self, count: int = 1, within: float = 5.0) -> list[Message]:
        """Waits until at least ``count`` follow-up messages exist."""

        def enough() -> bool:
            extra = [m for m in self.followups if m is not self.original]
            return len(extra) >= count

        await self.emu.wait_until(enough, within, f"{count} follow-up(s) to {self.description}")
        return [m for m in self.followups if m is not self.original]


class ResolvedBuilder:
    """Accumulates the ``resolved`` map Discord sends alongside options and selects."""

    def __init__(self, emu: EmulatorCore, guild: Guild | None, channel: Channel, by: User):
        self.emu, self.guild, self.channel, self.by = emu, guild, channel, by
        self.data: dict[str, dict[str, JSON]] = {}

    def _put(self, kind: str, key: int, value: JSON) -> None:
        self.data.setdefault(kind, {})[str(key)] = value

    def user(self, target: User | Member) -> int:
        user = target.user if isinstance(target, Member) else target
        self._put("users", user.id, payloads.user(user))
        if self.guild is not None and user.id in self.guild.members:
            gm = self.guild.members[user.id]
            perms = self.emu.member_perms(self.guild, self.channel, gm)
            self._put("members", user.id, payloads.member(gm, with_user=False, permissions=perms))
        return user.id

    def role(self, role: Role) -> int:
        self._put("roles", role.id, payloads.role(role))
        return role.id

    def channel_(self, chan: Channel) -> int:
        data = payloads.channel(chan)
        if self.guild is not None and self.by.id in self.guild.members:
            gm = self.guild.members[self.by.id]
            data["permissions"] = str(self.emu.member_perms(self.guild, chan, gm))
        else:
            data["permissions"] = str(DM_PERMISSIONS)
        self._put("channels", chan.id, data)
        return chan.id

    def attachment(self, att: Attachment) -> int:
        self._put("attachments", att.id, payloads.attachment(att))
        return att.id

    def message(self, msg: Message) -> int:
        self._put("messages", msg.id, payloads.message(self.emu.world, msg))
        self.user(msg.author)
        return msg.id

    def mentionable(self, target: User | Member | Role) -> int:
        if isinstance(target, Role):
            return self.role(target)
        return self.user(target)

    def result(self) -> JSON:
        return dict(self.data)


def convert_option(spec: JSON, value: Any, resolved: ResolvedBuilder, *, command: str) -> Any:
    """Converts a test value into the option ``value`` Discord sends, validating it."""
    kind = int(spec["type"])
    name = spec["name"]
    where = f"option {name!r} of /{command}"
    if kind == OT.STRING:
        if not isinstance(value, str):
            raise TypeError(f"{where} is a string option, got {value!r}")
        if len(value) < spec.get("min_length", 0) or len(value) > spec.get("max_length", 6000):
            raise ValueError(f"{where}: length of {value!r} is out of bounds")
        out: Any = value
    elif kind == OT.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{where} is an integer option, got {value!r}")
        out = value
    elif kind == OT.BOOLEAN:
        if not isinstance(value, bool):
            raise TypeError(f"{where} is a boolean option, got {value!r}")
        out = value
    elif kind == OT.USER:
        if not isinstance(value, User | Member):
            raise TypeError(f"{where} is a user option, pass a User or Member")
        out = str(resolved.user(value))
    elif kind == OT.CHANNEL:
        if not isinstance(value, Channel):
            raise TypeError(f"{where} is a channel option, pass a Channel")
        allowed = spec.get("channel_types")
        if allowed and value.type not in allowed:
            raise ValueError(f"{where} only accepts channel types {allowed}")
        out = str(resolved.channel_(value))
    elif kind == OT.ROLE:
        if not isinstance(value, Role):
            raise TypeError(f"{where} is a role option, pass a Role")
        out = str(resolved.role(value))
    elif kind == OT.MENTIONABLE:
        if not isinstance(value, User | Member | Role):
            raise TypeError(f"{where} is a mentionable option, pass a User, Member or Role")
        out = str(resolved.mentionable(value))
    elif kind == OT.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{where} is a number option, got {value!r}")
        out = value
    elif kind == OT.ATTACHMENT:
        if not isinstance(value, Attachment):
            raise TypeError(f"{where} is an attachment option, pass emu.make_attachment(...)")
        out = str(resolved.attachment(value))
    else:
        raise TypeError(f"{where} has unsupported type {kind}")
    if kind in (OT.INTEGER, OT.NUMBER):
        lo, hi = spec.get("min_value"), spec.get("max_value")
        if (lo is not None and out < lo) or (hi is not None and out > hi):
            raise ValueError(f"{where}: {out} is outside [{lo}, {hi}]")
    choices = spec.get("choices")
    if choices and out not in [c["value"] for c in choices]:
        raise ValueError(f"{where}: {out!r} is not one of {[c['value'] for c in choices]}")
    return out


def build_command_data(
    cmd: AppCommand,
    path: list[str],
    values: dict[str, Any],
    resolved: ResolvedBuilder,
    *,
    focused: str | None = None,
) -> JSON:
    """Builds ``data`` for a chat-input (or autocomplete) interaction along ``path``."""
    specs: list[JSON] = cmd.data.get("options", [])
    chain: list[JSON] = []
    full = " ".join([cmd.name, *path])
    for part in path:
        sub = next((o for o in specs if o["name"] == part and o["type"] in _GROUPING), None)
        if sub is None:
            names = [o["name"] for o in specs if o["type"] in _GROUPING]
            raise LookupError(f"/{cmd.name} has no subcommand {part!r} here; has {names}")
        chain.append({"type": sub["type"], "name": part, "options": []})
        specs = sub.get("options", [])
    if any(o["type"] in _GROUPING for o in specs):
        names = [o["name"] for o in specs]
        raise LookupError(f"/{full} needs a subcommand: one of {names}")
    leaf: list[JSON] = []
    known = {o["name"]: o for o in specs}
    unknown = set(values) - set(known)
    if unknown:
        raise TypeError(f"/{full} has no option(s) {sorted(unknown)}; has {sorted(known)}")
    for spec in specs:
        name = spec["name"]
        if name == focused:
            leaf.append(
                {"type": spec["type"], "name": name, "value": values[name], "focused": True}
            )
            continue
        if name not in values:
            if spec.get("required") and focused is None:
                raise TypeError(f"/{full} requires option {name!r}")
            continue
        value = convert_option(spec, values[name], resolved, command=full)
        leaf.append({"type": spec["type"], "name": name, "value": value})
    if focused is not None and focused not in known:
        raise TypeError(f"/{full} has no option {focused!r}")
    if focused is not None and not known[focused].get("autocomplete"):
        raise TypeError(f"option {focused!r} of /{full} has no autocomplete")
    options: list[JSON] = leaf
    for link in reversed(chain):
        link["options"] = options
        options = [link]
    data: JSON = {"id": str(cmd.id), "name": cmd.name, "type": 1, "options": options}
    if cmd.guild_id is not None:
        data["guild_id"] = str(cmd.guild_id)
    res = resolved.result()
    if res:
        data["resolved"] = res
    return data


def build_modal_submit(modal: Modal, values: dict[str, Any], resolved: ResolvedBuilder) -> JSON:
    """The modal-submit ``data`` mirroring the modal's layout (ActionRow or Label based)."""
    fields = modal.fields
    unknown = set(values) - set(fields)
    if unknown:
        raise KeyError(
            f"modal {modal.custom_id!r} has no field(s) {sorted(unknown)}; has {sorted(fields)}"
        )

    def submit_value(comp: JSON) -> JSON:
        cid = str(comp["custom_id"])
        kind = int(comp["type"])
        out: JSON = {"type": kind, "id": comp.get("id"), "custom_id": cid}
        given = values.get(cid)
        if kind == CT.TEXT_INPUT:
            text = "" if given is None else str(given)
            if given is None and comp.get("value") is not None:
                text = str(comp["value"])
            if comp.get("required", True) and not text:
                raise ValueError(f"modal field {cid!r} is required")
            if text and not comp.get("min_length", 0) <= len(text) <= comp.get("max_length", 4000):
                raise ValueError(f"modal field {cid!r}: length {len(text)} out of bounds")
            out["value"] = text
        elif kind in SELECT_TYPES:
            chosen = [] if given is None else list(given)
            if comp.get("required", True) and not chosen:
                raise ValueError(f"modal select {cid!r} is required")
            out["values"] = _select_values(kind, chosen, resolved)
        elif kind == CT.FILE_UPLOAD:
            files = [] if given is None else list(given)
            out["values"] = [str(resolved.attachment(a)) for a in files]
        elif kind == CT.RADIO_GROUP:
            out["value"] = given
        elif kind == CT.CHECKBOX_GROUP:
            out["values"] = [] if given is None else list(given)
        elif kind == CT.CHECKBOX:
            out["value"] = bool(given)
        return out

    def walk(comps: list[JSON]) -> list[JSON]:
        result: list[JSON] = []
        for comp in comps:
            kind = comp.get("type")
            if kind == CT.ACTION_ROW:
                result.append(
                    {
                        "type": CT.ACTION_ROW,
                        "id": comp.get("id"),
                        "components": walk(comp["components"]),
                    }
                )
            elif kind == CT.LABEL:
                inner = walk([comp["component"]])
                result.append({"type": CT.LABEL, "id": comp.get("id"), "component": inner[0]})
            elif kind == CT.TEXT_DISPLAY:
                result.append({"type": CT.TEXT_DISPLAY, "id": comp.get("id")})
            elif "custom_id" in comp:
                result.append(submit_value(comp))
        return result

    data: JSON = {"custom_id": modal.custom_id, "components": walk(modal.components)}
    res = resolved.result()
    if res:
        data["resolved"] = res
    return data


def _select_values(kind: int, chosen: list[Any], resolved: ResolvedBuilder) -> list[str]:
    out: list[str] = []
    for item in chosen:
        if kind == CT.STRING_SELECT:
            out.append(str(item))
        elif kind == CT.USER_SELECT:
            out.append(str(resolved.user(item)))
        elif kind == CT.ROLE_SELECT:
            out.append(str(resolved.role(item)))
        elif kind == CT.MENTIONABLE_SELECT:
            out.append(str(resolved.mentionable(item)))
        elif kind == CT.CHANNEL_SELECT:
            out.append(str(resolved.channel_(item)))
    return out


class InteractionApi:
    """The callback and webhook routes the bot uses to answer interactions."""

    def __init__(self, emu: EmulatorCore) -> None:
        self.emu = emu
        self.by_id: dict[int, InteractionHandle] = {}
        self.by_token: dict[str, InteractionHandle] = {}

    def register(self, r: Router) -> None:
        r.add(
            "POST",
            "/interactions/{interaction_id}/{token}/callback",
            self.callback,
            auth=False,
            ratelimited=False,
        )
        base = "/webhooks/{application_id}/{token}"
        r.add("POST", base, self.followup, auth=False)
        for msg in ("@original", "{message_id}"):
            r.add("GET", f"{base}/messages/{msg}", self.get_webhook_message, auth=False)
            r.add("PATCH", f"{base}/messages/{msg}", self.edit_webhook_message, auth=False)
            r.add("DELETE", f"{base}/messages/{msg}", self.delete_webhook_message, auth=False)

    def new_handle(
        self,
        *,
        type: int,
        description: str,
        user: User,
        guild: Guild | None,
        channel: Channel,
        data: JSON,
        message_type: int = MessageType.CHAT_INPUT_COMMAND,
        source_message: Message | None = None,
    ) -> InteractionHandle:
        emu = self.emu
        iid = emu.ids.next()
        token = f"aW50ZXJhY3Rpb246{iid}:{secrets.token_urlsafe(48)}"
        payload = self._payload(iid, token, type, user, guild, channel, data, source_message)
        handle = InteractionHandle(
            emu=emu,
            id=iid,
            token=token,
            type=type,
            description=description,
            user=user,
            guild=guild,
            channel=channel,
            payload=payload,
            message_type=message_type,
            source_message=source_message,
            _source_edits=source_message.edits if source_message else 0,
            issued_at=emu.clock.now(),
        )
        self.by_id[iid] = handle
        self.by_token[token] = handle
        return handle

    def _payload(
        self,
        iid: int,
        token: str,
        type: int,
        user: User,
        guild: Guild | None,
        channel: Channel,
        data: JSON,
        message: Message | None,
    ) -> JSON:
        emu = self.emu
        chan = payloads.channel(channel)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(emu.application_id),
            "type": type,
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "locale": emu.user_locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild is not None:
            member = guild.members[user.id]
            perms = emu.member_perms(guild, channel, member)
            chan["permissions"] = str(perms)
            payload.update(
                {
                    "guild_id": str(guild.id),
                    "guild": {
                        "id": str(guild.id),
                        "locale": guild.preferred_locale,
                        "features": [],
                    },
                    "guild_locale": guild.preferred_locale,
                    "member": payloads.member(member, permissions=perms),
                    "app_permissions": str(emu.bot_perms(guild, channel)),
                    "authorizing_integration_owners": {"0": str(guild.id)},
                    "context": 0,
                }
            )
        else:
            chan["permissions"] = str(DM_PERMISSIONS)
            payload.update(
                {
                    "user": payloads.user(user),
                    "app_permissions": str(DM_PERMISSIONS),
                    "authorizing_integration_owners": {"0": "0"},
                    "context": 1,
                }
            )
        payload["channel"] = chan
        if message is not None:
            payload["message"] = payloads.message(emu.world, message)
        return payload

    # -- routes ---------------------------------------------------------------

    def _by_token(self, req: Request) -> InteractionHandle:
        handle = self.by_token.get(req.params["token"])
        if (
            handle is None
            or req.params["application_id"] != str(self.emu.application_id)
            or self.emu.clock.now() - handle.issued_at > INTERACTION_TOKEN_LIFETIME
        ):
            raise DiscordHTTPError.unknown("webhook")
        if not handle.responded:
            raise DiscordHTTPError.unknown("webhook")
        return handle

    async def callback(self, req: Request) -> Reply:
        emu = self.emu
        handle = self.by_id.get(req.snowflake("interaction_id"))
        if handle is None or handle.token != req.params["token"]:
            raise DiscordHTTPError.unknown("interaction")
        deadline = emu.ack_deadline
        sent = handle.dispatched_at if handle.dispatched_at is not None else handle.created
        if deadline is not None and time.monotonic() - sent > deadline:
            log.warning("interaction %s answered after %.1fs", handle.description, deadline)
            raise DiscordHTTPError.unknown("interaction")
        if handle.responded:
            raise DiscordHTTPError(
                400,
                ErrorCode.INTERACTION_ALREADY_ACKNOWLEDGED,
                "Interaction has already been acknowledged.",
            )
        body = req.json()
        rtype = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        allowed = {
            IT.APPLICATION_COMMAND: {_MESSAGE, _DEFER, RT.MODAL},
            IT.MESSAGE_COMPONENT: {_MESSAGE, _DEFER, _DEFER_UPDATE, _UPDATE, RT.MODAL},
            IT.APPLICATION_COMMAND_AUTOCOMPLETE: {_CHOICES},
            IT.MODAL_SUBMIT: (
                {_MESSAGE, _DEFER, _DEFER_UPDATE, _UPDATE}
                if handle.source_message is not None
                else {_MESSAGE, _DEFER}
            ),
        }[IT(handle.type)]
        if rtype not in allowed:
            shown = ", ".join(str(int(t)) for t in sorted(allowed))
            raise DiscordHTTPError.form_error(
                ("type",), "BASE_TYPE_CHOICES", f"Value must be one of {{{shown}}}."
            )
        interaction: JSON = {"id": str(handle.id), "type": handle.type}
        resource: JSON = {"type": rtype}
        if rtype in (_MESSAGE, _DEFER):
            flags = int(data.get("flags") or 0)
            if rtype == _DEFER:
                body_data: JSON = {"content": "", "flags": flags & MessageFlag.EPHEMERAL}
                msg = emu.interaction_message(handle, body_data, {}, loading=True)
            else:
                emu.validate_message_body(data, req.files, prefix=("data",))
                msg = emu.interaction_message(handle, data, req.files)
            handle.original = msg
            interaction["response_message_id"] = str(msg.id)
            interaction["response_message_loading"] = rtype == _DEFER
            interaction["response_message_ephemeral"] = msg.ephemeral
            resource["message"] = payloads.message(emu.world, msg)
        elif rtype in (_DEFER_UPDATE, _UPDATE):
            src = handle.source_message
            assert src is not None
            if rtype == _UPDATE:
                validate_body(data, req.files, creating=False, prefix=("data",))
                emu.edit_message(src, data, req.files)
                resource["message"] = payloads.message(emu.world, src)
            interaction["response_message_id"] = str(src.id)
            interaction["response_message_loading"] = False
            interaction["response_message_ephemeral"] = src.ephemeral
        elif rtype == _CHOICES:
            check_autocomplete(data)
            handle.choices = list(data.get("choices") or [])
        elif rtype == RT.MODAL:
            check_modal(data)
            handle.modal = Modal(
                custom_id=str(data["custom_id"]),
                title=str(data["title"]),
                components=normalise_components(data["components"]),
                interaction=handle,
            )
        handle.response_type = rtype
        handle.response_data = copy.deepcopy(data)
        handle.responded_at = time.monotonic()
        handle.note_progress()
        emu.notify()
        if req.query.get("with_response") not in ("1", "true", "True"):
            return Reply.no_content()
        return Reply(body={"interaction": interaction, "resource": resource})

    async def followup(self, req: Request) -> Reply:
        emu = self.emu
        handle = self._by_token(req)
        body = req.json()
        orig = handle.original
        if (
            handle.response_type == _DEFER
            and orig is not None
            and orig.loading
            and not orig.deleted
        ):
            edit = dict(body)
            edit.pop("flags", None)
            emu.edit_message(orig, edit, req.files, clear_loading=True)
            handle.followups.append(orig)
            msg = orig
        else:
            emu.validate_message_body(body, req.files)
            msg = emu.interaction_message(handle, body, req.files)
            handle.followups.append(msg)
        handle.note_progress()
        emu.notify()
        if req.query.get("wait") in ("1", "true", "True"):
            return Reply(body=payloads.message(emu.world, msg))
        return Reply.no_content()

    def _webhook_message(self, handle: InteractionHandle, req: Request) -> Message:
        if "message_id" not in req.params:
            msg = (
                handle.original
                if handle.response_type in (_MESSAGE, _DEFER)
                else handle.source_message
            )
        else:
            wanted = req.snowflake("message_id")
            candidates = [handle.original, handle.source_message, *handle.followups]
            msg = next((m for m in candidates if m is not None and m.id == wanted), None)
        if msg is None or msg.deleted:
            raise DiscordHTTPError.unknown("message")
        return msg

    async def get_webhook_message(self, req: Request) -> Reply:
        handle = self._by_token(req)
        return Reply(body=payloads.message(self.emu.world, self._webhook_message(handle, req)))

    async def edit_webhook_message(self, req: Request) -> Reply:
        handle = self._by_token(req)
        msg = self._webhook_message(handle, req)
        body = dict(req.json())
        body.pop("flags", None)
        self.emu.edit_message(msg, body, req.files, clear_loading=True)
        handle.note_progress()
        self.emu.notify()
        return Reply(body=payloads.message(self.emu.world, msg))

    async def delete_webhook_message(self, req: Request) -> Reply:
        handle = self._by_token(req)
        msg = self._webhook_message(handle, req)
        self.emu.delete_message(msg)
        return Reply.no_content()
