"""The emulator core: the aiohttp server, shared state mutations, waiting and diagnostics.

Test-facing world building and user actions live in mixins on top of this class.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from sandbox import payloads
from sandbox.clock import Clock
from sandbox.constants import (
    NONCE_WINDOW_SECONDS,
    ApplicationCommandType,
    ApplicationFlag,
    MessageFlag,
    MessageType,
)
from sandbox.gateway import Gateway, Intent
from sandbox.interactions import (
    InteractionApi,
    InteractionHandle,
)
from sandbox.messages import (
    PARSE_ALL,
    PARSE_USERS,
    apply_body,
    make_attachments,
    snapshot,
    validate_body,
)
from sandbox.permissions import (
    Perm,
    base_permissions,
    channel_permissions,
)
from sandbox.rest import RestApi
from sandbox.router import (
    DiscordHTTPError,
    FailureMode,
    FailureRule,
    Reply,
    Request,
    RequestRecord,
    Router,
    UploadedFile,
)
from sandbox.state import (
    AppCommand,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Role,
    SnowflakeFactory,
    ThreadMember,
    User,
    World,
    utcnow,
)
from sandbox.validation import check_commands

log = logging.getLogger(__name__)

JSON = dict[str, Any]
PermLike = int | Perm
Target = Role | Member | User


class EmulatorCore:
    """Server, state and the operations both REST handlers and tests need."""

    def __init__(
        self,
        *,
        bot_name: str = "KindBot",
        privileged_intents: int = Intent.PRIVILEGED,
        ack_deadline: float | None = 3.0,
    ) -> None:
        self.ids = SnowflakeFactory()
        #: The emulator's notion of time for windows such as ``enforce_nonce``.
        self.clock = Clock()
        #: ``(channel, author, nonce)`` → (clock time, message) for ``enforce_nonce``.
        self._nonces: dict[tuple[int, int, str], tuple[float, Message]] = {}
        self.world = World()
        self.bot_user = self._new_user(bot_name, bot=True)
        self.app_owner = self._new_user(f"{bot_name.lower()}-owner")
        #: Modern applications share their id with their bot user.
        self.application_id = self.bot_user.id
        raw_id = base64.b64encode(str(self.bot_user.id).encode()).decode().rstrip("=")
        self.bot_token = f"{raw_id}.emu.{secrets.token_urlsafe(27)}"
        #: Privileged intents "enabled in the developer portal"; others close with 4014.
        self.privileged_intents = privileged_intents
        #: Seconds the bot has to answer an interaction (Discord: 3); None disables.
        self.ack_deadline = ack_deadline
        #: Whether ``default_member_permissions`` hides commands from members lacking them.
        self.enforce_command_permissions = True
        self.user_locale = "en-US"
        self.host = "127.0.0.1"
        self.port = 0
        self.router = Router(token_check=self._token_ok)
        self.router.on_request = self.notify
        self.gateway = Gateway(self)
        self.gateway.on_change = self.notify
        self.rest = RestApi(self)
        self.interactions = InteractionApi(self)
        self.rest.register(self.router)
        self.interactions.register(self.router)
        self.router.add("GET", "/applications/{application_id}/commands", self._get_commands)
        self.router.add("PUT", "/applications/{application_id}/commands", self._put_commands)
        self.router.add(
            "GET", "/applications/{application_id}/guilds/{guild_id}/commands", self._get_commands
        )
        self.router.add(
            "PUT", "/applications/{application_id}/guilds/{guild_id}/commands", self._put_commands
        )
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._loose_attachments: list[Attachment] = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> Self:
        """Starts serving on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.router.handle)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get(
            "/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment
        )
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = int(sockets[0].getsockname()[1])
        log.info("Discord emulator listening on %s", self.api_base)
        return self

    async def stop(self) -> None:
        """Closes gateway sockets and the HTTP server."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """The value for ``KINDBOT_DISCORD_API`` / :func:`point_discord_at`."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def application_flags(self) -> int:
        flags = 0
        if self.privileged_intents & Intent.GUILD_PRESENCES:
            flags |= ApplicationFlag.GATEWAY_PRESENCE_LIMITED
        if self.privileged_intents & Intent.GUILD_MEMBERS:
            flags |= ApplicationFlag.GATEWAY_GUILD_MEMBERS_LIMITED
        if self.privileged_intents & Intent.MESSAGE_CONTENT:
            flags |= ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED
        return int(flags | ApplicationFlag.APPLICATION_COMMAND_BADGE)

    def _token_ok(self, header: str | None) -> bool:
        return header == f"Bot {self.bot_token}"

    # --------------------------------------------------------------- diagnostics

    @property
    def unhandled(self) -> list[str]:
        """Routes the bot called that the emulator does not implement (``METHOD /path``)."""
        return self.router.unhandled

    @property
    def requests(self) -> list[RequestRecord]:
        """Every REST call received, in order."""
        return self.router.requests

    def requests_to(self, method: str, template: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.method == method and r.template == template]

    def assert_no_unhandled(self) -> None:
        if self.unhandled:
            names = ", ".join(sorted(set(self.unhandled)))
            raise AssertionError(f"the bot called unimplemented Discord route(s): {names}")

    def inject_failure(
        self,
        method: str,
        route: str | re.Pattern[str],
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.2,
        is_global: bool = False,
        code: int | None = None,
        message: str | None = None,
        mode: FailureMode = FailureMode.RESPOND,
    ) -> FailureRule:
        """Makes the next ``times`` matching calls fail with ``status``.

        ``route`` is a Discord path template such as ``"/channels/{channel_id}/messages"``
        (or a concrete path), or a compiled regex searched in the path. ``method`` may be
        ``"*"``. 429s carry ``Via``, ``retry_after`` and X-RateLimit-* like Discord's.
        ``mode=FailureMode.STORE_THEN_DROP`` lets the call take effect and then drops the
        connection without answering (``status`` is then unused).
        """
        rule = FailureRule(
            method.upper(), route, status, times, retry_after, is_global, code, message, mode
        )
        self.router.failures.append(rule)
        return rule

    # ------------------------------------------------------------------- waiting

    def notify(self) -> None:
        """Wakes every :meth:`wait_until` so it re-checks its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, predicate: Callable[[], object], within: float = 5.0, what: str = "condition"
    ) -> None:
        """Waits until ``predicate()`` is truthy, re-checking on every emulator change."""
        deadline = time.monotonic() + within
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                hint = f"; unhandled routes: {self.unhandled}" if self.unhandled else ""
                raise TimeoutError(f"timed out after {within}s waiting for {what}{hint}")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.25))

    async def wait_until_ready(self, within: float = 10.0) -> None:
        """Waits until the bot has IDENTIFIED and READY + every GUILD_CREATE reached its socket.

        discord.py fires ``on_ready`` after its ``guild_ready_timeout`` (2 s by default)
        and after chunking members; wait on the bot's own signals for that.
        """

        def ready() -> bool:
            return any(
                s.connected and s.identify_seq and s.written_seq >= s.identify_seq
                for s in self.gateway.sessions.values()
            )

        await self.wait_until(ready, within, "the bot to identify on the gateway")

    async def wait_for_commands(
        self, *names: str, guild: Guild | None = None, within: float = 10.0
    ) -> dict[str, AppCommand]:
        """Waits until commands with these names are registered (globally or in ``guild``)."""

        def registered() -> bool:
            have = self.commands(guild)
            return bool(have) and all(n in have for n in names)

        scope = f"guild {guild.name!r}" if guild else "global scope"
        await self.wait_until(registered, within, f"commands {names or '(any)'} in {scope}")
        return self.commands(guild)

    async def wait_for_message(
        self,
        where: Channel | User | Member,
        predicate: Callable[[Message], bool] | None = None,
        *,
        within: float = 5.0,
        author: User | None = None,
        new_only: bool = False,
    ) -> Message:
        """Waits for a non-ephemeral message by the bot in a channel/thread or a user's DMs.

        Messages already there count unless ``new_only``; ``author`` defaults to the bot.
        Returns the oldest match.
        """
        chan = self._where(where)
        wanted_author = author or self.bot_user
        seen = {m.id for m in self.world.messages_in(chan.id)} if new_only else set()
        found: list[Message] = []

        def check() -> bool:
            for msg in self.world.messages_in(chan.id):
                if msg.author is not wanted_author or msg.id in seen:
                    continue
                if predicate is not None and not predicate(msg):
                    continue
                found.append(msg)
                return True
            return False

        await self.wait_until(check, within, f"a message in {chan.name or chan.id}")
        return found[0]

    async def wait_for_request(
        self,
        method: str,
        template: str,
        *,
        count: int = 1,
        within: float = 5.0,
    ) -> list[RequestRecord]:
        """Waits until the bot has called ``METHOD template`` at least ``count`` times."""
        await self.wait_until(
            lambda: len(self.requests_to(method, template)) >= count,
            within,
            f"{count}x {method} {template}",
        )
        return self.requests_to(method, template)

    def _where(self, where: Channel | User | Member) -> Channel:
        if isinstance(where, Channel):
            return where
        user = where.user if isinstance(where, Member) else where
        return self.dm_channel(user)

    # ------------------------------------------------------------ core helpers

    def dispatch(self, event: str, data: Any, *, intent: int | None) -> None:
        self.gateway.dispatch(event, data, intent=intent)
        self.notify()

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot_user.id]

    def bot_perms(self, guild: Guild, channel: Channel | None = None) -> int:
        me = guild.members.get(self.bot_user.id)
        if me is None:
            return 0
        return self.member_perms(guild, channel, me)

    def member_perms(self, guild: Guild, channel: Channel | None, member: Member) -> int:
        if channel is None:
            return base_permissions(guild, member)
        return channel_permissions(guild, channel, member)

    def can_dm(self, user: User) -> bool:
        if not user.dms_open or user.bot:
            return False
        return any(
            user.id in g.members and self.bot_user.id in g.members
            for g in self.world.guilds.values()
        )

    def dm_channel(self, user: User | Member) -> Channel:
        """The DM channel between ``user`` and the bot (created on first use)."""
        target = user.user if isinstance(user, Member) else user
        chan = self.world.dm_channels.get(target.id)
        if chan is None:
            chan = Channel(id=self.ids.next(), type=ChannelType.DM, name="", recipients=[target])
            self.world.dm_channels[target.id] = chan
        return chan

    def attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        return f"{self.api_base}/attachments/{channel_id}/{attachment_id}/{filename}"

    def validate_message_body(
        self, body: JSON, files: dict[int, UploadedFile], *, prefix: tuple[str, ...] = ()
    ) -> None:
        validate_body(body, files, creating=True, prefix=prefix)

    def message_for_bot(self, msg: Message, *, gateway: bool = False) -> JSON:
        """The message as the bot may see it (MESSAGE_CONTENT intent applies)."""
        data = payloads.message(self.world, msg, gateway=gateway)
        intents = self.gateway.identified_intents
        if (
            intents is not None
            and not intents & Intent.MESSAGE_CONTENT
            and msg.author.id != self.bot_user.id
            and msg.guild_id is not None
            and self.bot_user.id not in msg.mention_ids
        ):
            data.update(content="", embeds=[], attachments=[], components=[])
        return data

    def _message_intent(self, msg: Message) -> int:
        return Intent.GUILD_MESSAGES if msg.guild_id is not None else Intent.DIRECT_MESSAGES

    def post_message(
        self,
        channel: Channel,
        author: User,
        body: JSON,
        files: dict[int, UploadedFile] | None = None,
        *,
        type: int = MessageType.DEFAULT,
        reference: JSON | None = None,
        webhook_id: int | None = None,
        interaction: InteractionHandle | None = None,
        loading: bool = False,
    ) -> Message:
        """Stores a new message and dispatches MESSAGE_CREATE (unless ephemeral).

        With ``enforce_nonce`` and a ``nonce`` the same author already used in this
        channel within :data:`NONCE_WINDOW_SECONDS`, returns that message instead.
        """
        files = files or {}
        if not loading:
            validate_body(body, files, creating=True)
        nonce = body.get("nonce")
        nonce_key = (channel.id, author.id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            earlier = self._nonces.get(nonce_key)
            if (
                earlier is not None
                and self.clock.now() - earlier[0] < NONCE_WINDOW_SECONDS
                and not earlier[1].deleted
            ):
                return earlier[1]
        msg = Message(
            id=self.ids.next(),
            channel_id=channel.id,
            author=author,
            guild_id=channel.guild_id,
            type=type,
            webhook_id=webhook_id,
            reference=reference,
        )
        atts = make_attachments(
            body,
            files,
            new_id=self.ids.next,
            url_for=lambda aid, fn: self.attachment_url(channel.id, aid, fn),
            existing=[],
        )
        interacting = interaction is not None or webhook_id is not None
        apply_body(msg, body, atts, default_parse=PARSE_USERS if interacting else PARSE_ALL)
        if nonce is not None:
            msg.nonce = nonce
            self._nonces[nonce_key] = (self.clock.now(), msg)
        if loading:
            msg.flags |= MessageFlag.LOADING
        if interaction is not None:
            msg.flags |= int(body.get("flags") or 0) & MessageFlag.EPHEMERAL
            msg.application_id = self.application_id
            msg.interaction_id = interaction.id
            msg.interaction_metadata = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": payloads.user(interaction.user),
                "authorizing_integration_owners": interaction.payload[
                    "authorizing_integration_owners"
                ],
            }
            if interaction.source_message is not None:
                msg.interaction_metadata["interacted_message_id"] = str(
                    interaction.source_message.id
                )
            if interaction.original is not None:
                msg.interaction_metadata["original_response_message_id"] = str(
                    interaction.original.id
                )
        if msg.ephemeral:
            for att in msg.attachments:
                att.ephemeral = True
        msg.history.append(snapshot(msg))
        self.world.add_message(msg)
        if not msg.ephemeral:
            channel.last_message_id = msg.id
            if channel.is_thread:
                channel.message_count += 1
                channel.total_message_sent += 1
            self.dispatch(
                "MESSAGE_CREATE",
                self.message_for_bot(msg, gateway=True),
                intent=self._message_intent(msg),
            )
        else:
            self.notify()
        return msg

    def interaction_message(
        self,
        handle: InteractionHandle,
        body: JSON,
        files: dict[int, UploadedFile],
        *,
        loading: bool = False,
    ) -> Message:
        return self.post_message(
            handle.channel,
            self.bot_user,
            body,
            files,
            type=handle.message_type,
            webhook_id=self.application_id,
            interaction=handle,
            loading=loading,
        )

    def edit_message(
        self,
        msg: Message,
        body: JSON,
        files: dict[int, UploadedFile] | None = None,
        *,
        clear_loading: bool = False,
    ) -> None:
        """Applies an edit and dispatches MESSAGE_UPDATE (unless ephemeral)."""
        files = files or {}
        validate_body(body, files, creating=False)
        atts = make_attachments(
            body,
            files,
            new_id=self.ids.next,
            url_for=lambda aid, fn: self.attachment_url(msg.channel_id, aid, fn),
            existing=msg.attachments,
        )
        interacting = msg.webhook_id is not None or msg.interaction_id is not None
        apply_body(msg, body, atts, default_parse=PARSE_USERS if interacting else PARSE_ALL)
        if clear_loading:
            msg.flags &= ~MessageFlag.LOADING
        msg.edited_at = utcnow()
        msg.edits += 1
        msg.history.append(snapshot(msg))
        if not msg.ephemeral:
            self.dispatch(
                "MESSAGE_UPDATE",
                self.message_for_bot(msg, gateway=True),
                intent=self._message_intent(msg),
            )
        else:
            self.notify()

    def delete_message(self, msg: Message) -> None:
        msg.deleted = True
        if msg.ephemeral:
            self.notify()
            return
        data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self.dispatch("MESSAGE_DELETE", data, intent=self._message_intent(msg))

    def member_updated(self, member: Member) -> None:
        self.dispatch(
            "GUILD_MEMBER_UPDATE", payloads.member_update(member), intent=Intent.GUILD_MEMBERS
        )

    def create_thread_state(
        self,
        guild: Guild,
        parent: Channel,
        name: str,
        *,
        owner: User,
        private: bool,
        invitable: bool = True,
        auto_archive_duration: int = 1440,
    ) -> Channel:
        thread = Channel(
            id=self.ids.next(),
            type=ChannelType.PRIVATE_THREAD if private else ChannelType.PUBLIC_THREAD,
            name=name,
            guild_id=guild.id,
            parent_id=parent.id,
            owner_id=owner.id,
            invitable=invitable,
            auto_archive_duration=auto_archive_duration,
        )
        thread.thread_members[owner.id] = ThreadMember(user_id=owner.id)
        guild.channels[thread.id] = thread
        bot_id = self.bot_user.id
        if (
            not private
            or bot_id in thread.thread_members
            or self._bot_manages_threads(guild, parent)
        ):
            data = payloads.channel(thread, viewer_id=bot_id)
            data["newly_created"] = True
            self.dispatch("THREAD_CREATE", data, intent=Intent.GUILDS)
        return thread

    def _bot_manages_threads(self, guild: Guild, parent: Channel) -> bool:
        return bool(self.bot_perms(guild, parent) & Perm.MANAGE_THREADS)

    def add_thread_member_state(self, guild: Guild, thread: Channel, user_id: int) -> None:
        if user_id in thread.thread_members:
            return
        tm = ThreadMember(user_id=user_id)
        thread.thread_members[user_id] = tm
        bot_id = self.bot_user.id
        if user_id == bot_id and thread.type == ChannelType.PRIVATE_THREAD:
            self.dispatch(
                "THREAD_CREATE", payloads.channel(thread, viewer_id=bot_id), intent=Intent.GUILDS
            )
        added = payloads.thread_member(thread, tm, with_member=guild.members.get(user_id))
        added["presence"] = None
        self.dispatch(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": str(thread.id),
                "guild_id": str(guild.id),
                "member_count": len(thread.thread_members),
                "added_members": [added],
            },
            intent=Intent.GUILDS if user_id == bot_id else Intent.GUILD_MEMBERS,
        )

    def remove_thread_member_state(self, guild: Guild, thread: Channel, user_id: int) -> None:
        if thread.thread_members.pop(user_id, None) is None:
            return
        self.dispatch(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": str(thread.id),
                "guild_id": str(guild.id),
                "member_count": len(thread.thread_members),
                "removed_member_ids": [str(user_id)],
            },
            intent=Intent.GUILDS if user_id == self.bot_user.id else Intent.GUILD_MEMBERS,
        )

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        att_id = int(request.match_info["attachment_id"])
        for msg in self.world.messages.values():
            for att in msg.attachments:
                if att.id == att_id:
                    return web.Response(
                        body=att.data, content_type=att.content_type or "application/octet-stream"
                    )
        for att in self._loose_attachments:
            if att.id == att_id:
                return web.Response(body=att.data, content_type=att.content_type or "text/plain")
        return web.Response(status=404, text="Not Found")

    # ---------------------------------------------------------- command registry

    async def _put_commands(self, req: Request) -> Reply:
        if req.params["application_id"] != str(self.application_id):
            raise DiscordHTTPError.missing_access()
        guild_id = req.snowflake("guild_id") if "guild_id" in req.params else None
        if guild_id is not None:
            guild = self.world.guilds.get(guild_id)
            if guild is None or self.bot_user.id not in guild.members:
                raise DiscordHTTPError.missing_access()
            registry = self.world.guild_commands.setdefault(guild_id, {})
        else:
            registry = self.world.global_commands
        check_commands(req.body)
        body: list[JSON] = req.body
        new: dict[tuple[str, int], AppCommand] = {}
        for raw in body:
            raw = dict(raw)
            if raw.get("default_member_permissions") is not None:
                raw["default_member_permissions"] = str(raw["default_member_permissions"])
            key = (str(raw["name"]), int(raw.get("type") or ApplicationCommandType.CHAT_INPUT))
            old = registry.get(key)
            if old is not None and old.data == raw:
                new[key] = old
            else:
                new[key] = AppCommand(
                    id=old.id if old else self.ids.next(),
                    guild_id=guild_id,
                    data=raw,
                    version=self.ids.next(),
                )
        registry.clear()
        registry.update(new)
        self.notify()
        return Reply(body=[payloads.app_command(c, self.application_id) for c in new.values()])

    async def _get_commands(self, req: Request) -> Reply:
        guild_id = req.snowflake("guild_id") if "guild_id" in req.params else None
        registry = (
            self.world.guild_commands.get(guild_id, {})
            if guild_id is not None
            else self.world.global_commands
        )
        return Reply(body=[payloads.app_command(c, self.application_id) for c in registry.values()])

    def commands(self, guild: Guild | None = None) -> dict[str, AppCommand]:
        """Registered commands by name: global ones, or ``guild``'s own ones."""
        registry = (
            self.world.guild_commands.get(guild.id, {})
            if guild is not None
            else self.world.global_commands
        )
        return {c.name: c for c in registry.values()}

    def find_command(
        self, guild: Guild | None, name: str, type: int = ApplicationCommandType.CHAT_INPUT
    ) -> AppCommand:
        if guild is not None:
            cmd = self.world.guild_commands.get(guild.id, {}).get((name, type))
            if cmd is not None:
                return cmd
        cmd = self.world.global_commands.get((name, type))
        if cmd is None:
            known = sorted(
                {k[0] for k in self.world.global_commands}
                | {k[0] for g in self.world.guild_commands.values() for k in g}
            )
            raise LookupError(f"no command {name!r} (type {type}) is registered; have {known}")
        return cmd

    def _new_user(self, name: str, *, bot: bool = False, dms_open: bool = True) -> User:
        user = User(id=self.ids.next(), username=name, global_name=None if bot else name.title())
        user.bot = bot
        user.dms_open = dms_open
        self.world.users[user.id] = user
        return user

    # ------------------------------------------------------------------- reading

    def messages_in(self, channel: Channel, *, include_ephemeral: bool = False) -> list[Message]:
        """Undeleted messages in a channel/thread/DM, oldest first."""
        return self.world.messages_in(channel.id, include_ephemeral=include_ephemeral)

    def bot_messages(self, channel: Channel) -> list[Message]:
        return [m for m in self.messages_in(channel) if m.author is self.bot_user]

    def dms_to(self, user: User | Member) -> list[Message]:
        """What the bot sent ``user`` by DM."""
        return self.bot_messages(self.dm_channel(user))

    def interaction(self, interaction_id: int) -> InteractionHandle:
        return self.interactions.by_id[interaction_id]
