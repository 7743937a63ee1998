"""Test-side user actions: messages, slash commands, autocomplete, components, modals.

Each action builds the exact INTERACTION_CREATE / MESSAGE_CREATE Discord would send.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from sandbox.constants import (
    SELECT_TYPES,
    ApplicationCommandType,
    ComponentType,
    InteractionType,
    MessageReferenceType,
    MessageType,
)
from sandbox.core import JSON, EmulatorCore
from sandbox.interactions import (
    CommandUnavailable,
    InteractionError,
    InteractionHandle,
    Modal,
    ResolvedBuilder,
    _select_values,
    build_command_data,
    build_modal_submit,
)
from sandbox.permissions import (
    ALL_PERMISSIONS,
    Perm,
    base_permissions,
)
from sandbox.router import (
    UploadedFile,
)
from sandbox.state import (
    AppCommand,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    User,
)

log = logging.getLogger(__name__)


class UserActions(EmulatorCore):
    """What users do in Discord's client, as awaitable test steps."""

    # -------------------------------------------------------------- user actions

    def send_message(
        self,
        channel: Channel,
        author: Member | User,
        content: str = "",
        *,
        embeds: list[JSON] | None = None,
        attachments: Iterable[Attachment] = (),
        reply_to: Message | None = None,
    ) -> Message:
        """A user posts in a guild channel/thread or DMs the bot (MESSAGE_CREATE)."""
        user = author.user if isinstance(author, Member) else author
        if channel.guild_id is not None:
            guild = self.world.guilds[channel.guild_id]
            member = guild.member(user)
            if not self.member_perms(guild, channel, member) & Perm.SEND_MESSAGES:
                raise PermissionError(f"{user.username} cannot send messages in #{channel.name}")
        body: JSON = {"content": content, "embeds": embeds or []}
        ref = None
        if reply_to is not None:
            ref = {
                "type": MessageReferenceType.DEFAULT,
                "message_id": str(reply_to.id),
                "channel_id": str(reply_to.channel_id),
            }
            if reply_to.guild_id:
                ref["guild_id"] = str(reply_to.guild_id)
        files = {
            i: UploadedFile(a.filename, a.data, a.content_type) for i, a in enumerate(attachments)
        }
        return self.post_message(
            channel,
            user,
            body,
            files,
            type=MessageType.REPLY if ref else MessageType.DEFAULT,
            reference=ref,
        )

    def dm_bot(self, user: User | Member, content: str) -> Message:
        """``user`` sends the bot a direct message."""
        account = user.user if isinstance(user, Member) else user
        return self.send_message(self.dm_channel(account), account, content)

    def _context(
        self, where: Guild | Channel | User | Member, user: User | Member
    ) -> tuple[Guild | None, Channel, User]:
        account = user.user if isinstance(user, Member) else user
        if isinstance(where, Guild):
            member = where.member(account)
            candidates = [where.channels.get(where.system_channel_id or 0), *where.text_channels]
            for chan in candidates:
                if chan is not None and self.member_perms(where, chan, member) & Perm.VIEW_CHANNEL:
                    return where, chan, account
            raise PermissionError(f"{account.username} cannot see any channel in {where.name}")
        if isinstance(where, Channel):
            if where.guild_id is None:
                return None, where, account
            guild = self.world.guilds[where.guild_id]
            member = guild.member(account)
            if not self.member_perms(guild, where, member) & Perm.VIEW_CHANNEL:
                raise PermissionError(f"{account.username} cannot see #{where.name}")
            return guild, where, account
        return None, self.dm_channel(account), account

    def _check_command_allowed(
        self, cmd: AppCommand, guild: Guild | None, channel: Channel, user: User
    ) -> None:
        if guild is None:
            contexts = cmd.data.get("contexts")
            if (
                cmd.guild_id is not None
                or (contexts is not None and 1 not in contexts)
                or cmd.data.get("dm_permission") is False
            ):
                raise CommandUnavailable(f"/{cmd.name} cannot be used in DMs")
            return
        member = guild.member(user)
        perms = self.member_perms(guild, channel, member)
        if not perms & Perm.USE_APPLICATION_COMMANDS:
            raise CommandUnavailable(f"{user.username} may not use commands in #{channel.name}")
        contexts = cmd.data.get("contexts")
        if contexts is not None and 0 not in contexts:
            raise CommandUnavailable(f"/{cmd.name} cannot be used in guilds")
        required = cmd.data.get("default_member_permissions")
        if not self.enforce_command_permissions or required is None:
            return
        base = base_permissions(guild, member)
        needed = int(required)
        if base != ALL_PERMISSIONS and (needed == 0 or base & needed != needed):
            raise CommandUnavailable(
                f"{user.username} lacks default_member_permissions={needed} for /{cmd.name}"
            )

    async def fire(self, handle: InteractionHandle, *, wait: bool = True) -> InteractionHandle:
        """Sends a handle built by :meth:`prepare_slash`; waits for the callback if ``wait``."""
        return await self._fire(handle, wait)

    async def _fire(self, handle: InteractionHandle, wait: bool) -> InteractionHandle:
        handle.dispatched_at = time.monotonic()
        self.dispatch("INTERACTION_CREATE", handle.payload, intent=None)
        if wait:
            try:
                await handle.wait_response(within=self.ack_deadline or 5.0)
            except TimeoutError:
                raise InteractionError(
                    f"the bot did not answer {handle.description} within "
                    f"{self.ack_deadline or 5.0}s (Discord shows 'The application did not "
                    f"respond'); unhandled routes: {self.unhandled}"
                ) from None
        return handle

    async def slash(
        self,
        where: Guild | Channel | User | Member,
        user: User | Member,
        command: str,
        /,
        *,
        wait: bool = True,
        **options: Any,
    ) -> InteractionHandle:
        """``user`` runs ``/command sub ... option=value`` in a guild, channel or DM.

        ``where`` is a Guild (its system/first visible channel), a Channel, or a User for
        the bot DM. Option values: str/int/float/bool, Member/User, Role, Channel,
        Attachment. Returns after the bot's callback unless ``wait=False``.
        """
        handle = self.prepare_slash(where, user, command, **options)
        return await self._fire(handle, wait)

    def prepare_slash(
        self,
        where: Guild | Channel | User | Member,
        user: User | Member,
        command: str,
        /,
        **options: Any,
    ) -> InteractionHandle:
        """Builds (and validates) the interaction :meth:`slash` would send, without sending it.

        A burst can then go out back to back with :meth:`fire`, so building payloads does
        not count towards the bot's response time.
        """
        guild, channel, account = self._context(where, user)
        name, *path = command.split()
        cmd = self.find_command(guild, name, ApplicationCommandType.CHAT_INPUT)
        self._check_command_allowed(cmd, guild, channel, account)
        resolved = ResolvedBuilder(self, guild, channel, account)
        data = build_command_data(cmd, path, options, resolved)
        return self.interactions.new_handle(
            type=InteractionType.APPLICATION_COMMAND,
            description=f"/{command}",
            user=account,
            guild=guild,
            channel=channel,
            data=data,
            message_type=MessageType.CHAT_INPUT_COMMAND,
        )

    async def autocomplete(
        self,
        where: Guild | Channel | User | Member,
        user: User | Member,
        command: str,
        option: str,
        typed: str,
        /,
        **options: Any,
    ) -> list[JSON]:
        """``user`` types ``typed`` into ``option``; returns the bot's choices ({name, value})."""
        guild, channel, account = self._context(where, user)
        name, *path = command.split()
        cmd = self.find_command(guild, name, ApplicationCommandType.CHAT_INPUT)
        self._check_command_allowed(cmd, guild, channel, account)
        resolved = ResolvedBuilder(self, guild, channel, account)
        data = build_command_data(cmd, path, {**options, option: typed}, resolved, focused=option)
        handle = self.interactions.new_handle(
            type=InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE,
            description=f"autocomplete of {option!r} in /{command}",
            user=account,
            guild=guild,
            channel=channel,
            data=data,
        )
        await self._fire(handle, True)
        if handle.choices is None:
            raise InteractionError(f"{handle.description} got response {handle.response_type}")
        return handle.choices

    async def _context_menu(
        self,
        kind: int,
        where: Guild | Channel | User | Member,
        user: User | Member,
        name: str,
        target_id: int,
        fill: Callable[[ResolvedBuilder], object],
        wait: bool,
    ) -> InteractionHandle:
        guild, channel, account = self._context(where, user)
        cmd = self.find_command(guild, name, kind)
        self._check_command_allowed(cmd, guild, channel, account)
        resolved = ResolvedBuilder(self, guild, channel, account)
        fill(resolved)
        data: JSON = {
            "id": str(cmd.id),
            "name": cmd.name,
            "type": kind,
            "target_id": str(target_id),
            "resolved": resolved.result(),
        }
        if cmd.guild_id is not None:
            data["guild_id"] = str(cmd.guild_id)
        handle = self.interactions.new_handle(
            type=InteractionType.APPLICATION_COMMAND,
            description=f"context menu {name!r}",
            user=account,
            guild=guild,
            channel=channel,
            data=data,
            message_type=MessageType.CONTEXT_MENU_COMMAND,
        )
        return await self._fire(handle, wait)

    async def message_command(
        self, user: User | Member, name: str, message: Message, /, *, wait: bool = True
    ) -> InteractionHandle:
        """``user`` picks the message context-menu command ``name`` on ``message``."""
        found = self.world.find_channel(message.channel_id)
        assert found is not None, "message's channel no longer exists"
        return await self._context_menu(
            ApplicationCommandType.MESSAGE,
            found[0],
            user,
            name,
            message.id,
            lambda r: r.message(message),
            wait,
        )

    async def user_command(
        self,
        where: Guild | Channel,
        user: User | Member,
        name: str,
        target: User | Member,
        /,
        *,
        wait: bool = True,
    ) -> InteractionHandle:
        """``user`` picks the user context-menu command ``name`` on ``target``."""
        target_user = target.user if isinstance(target, Member) else target
        return await self._context_menu(
            ApplicationCommandType.USER,
            where,
            user,
            name,
            target_user.id,
            lambda r: r.user(target_user),
            wait,
        )

    def _component_handle(
        self, message: Message, custom_id: str, by: User | Member, data: JSON, what: str
    ) -> InteractionHandle:
        if message.deleted:
            raise InteractionError(f"message {message.id} was deleted")
        comp = message.component(custom_id)
        if comp.get("disabled"):
            raise InteractionError(f"component {custom_id!r} is disabled")
        found = self.world.find_channel(message.channel_id)
        assert found is not None
        channel, guild = found
        account = by.user if isinstance(by, Member) else by
        data.setdefault("id", comp.get("id"))
        return self.interactions.new_handle(
            type=InteractionType.MESSAGE_COMPONENT,
            description=f"{what} {custom_id!r}",
            user=account,
            guild=guild,
            channel=channel,
            data=data,
            message_type=MessageType.REPLY,
            source_message=message,
        )

    async def click(
        self, message: Message, custom_id: str, /, *, by: User | Member, wait: bool = True
    ) -> InteractionHandle:
        """``by`` clicks the button ``custom_id`` (see :meth:`Message.custom_id_for`)."""
        comp = message.component(custom_id)
        if comp.get("type") != ComponentType.BUTTON:
            raise TypeError(f"component {custom_id!r} is not a button")
        data: JSON = {"custom_id": custom_id, "component_type": 2}
        handle = self._component_handle(message, custom_id, by, data, "button")
        return await self._fire(handle, wait)

    async def select(
        self,
        message: Message,
        custom_id: str,
        values: list[Any],
        /,
        *,
        by: User | Member,
        wait: bool = True,
    ) -> InteractionHandle:
        """``by`` picks ``values`` in a select (strings, or Members/Roles/Channels)."""
        comp = message.component(custom_id)
        kind = int(comp.get("type", 0))
        if kind not in SELECT_TYPES:
            raise TypeError(f"component {custom_id!r} is not a select menu")
        lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
        if not lo <= len(values) <= hi:
            raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        if kind == ComponentType.STRING_SELECT:
            allowed = {o["value"] for o in comp.get("options", [])}
            bad = [v for v in values if v not in allowed]
            if bad:
                raise ValueError(f"select {custom_id!r} has no option(s) {bad}; has {allowed}")
        found = self.world.find_channel(message.channel_id)
        assert found is not None
        account = by.user if isinstance(by, Member) else by
        resolved = ResolvedBuilder(self, found[1], found[0], account)
        data: JSON = {
            "custom_id": custom_id,
            "component_type": kind,
            "values": _select_values(kind, values, resolved),
        }
        if resolved.result():
            data["resolved"] = resolved.result()
        handle = self._component_handle(message, custom_id, by, data, "select")
        return await self._fire(handle, wait)

    async def submit_modal(
        self,
        modal: Modal,
        values: dict[str, Any],
        /,
        *,
        by: User | Member | None = None,
        wait: bool = True,
    ) -> InteractionHandle:
        """Fills in and submits ``modal``: text input custom_id → str, selects → list."""
        origin = modal.interaction
        account = origin.user if by is None else (by.user if isinstance(by, Member) else by)
        resolved = ResolvedBuilder(self, origin.guild, origin.channel, account)
        data = build_modal_submit(modal, values, resolved)
        handle = self.interactions.new_handle(
            type=InteractionType.MODAL_SUBMIT,
            description=f"modal {modal.custom_id!r}",
            user=account,
            guild=origin.guild,
            channel=origin.channel,
            data=data,
            message_type=(
                MessageType.REPLY if origin.source_message else MessageType.CHAT_INPUT_COMMAND
            ),
            source_message=origin.source_message,
        )
        return await self._fire(handle, wait)
