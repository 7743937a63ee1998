"""REST handlers for users, guilds, members, roles, channels, messages, DMs and threads."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sandbox import payloads
from sandbox.constants import ErrorCode, MessageType
from sandbox.gateway import Intent
from sandbox.permissions import Perm, base_permissions, has
from sandbox.router import DiscordHTTPError, Reply, Request, Router
from sandbox.state import Channel, ChannelType, Guild, Member, Message, Overwrite, ThreadMember
from sandbox.validation import DEFAULT_AUTO_ARCHIVE_MINUTES, check_thread


def _wrong_channel_type() -> DiscordHTTPError:
    return DiscordHTTPError(
        400, ErrorCode.INVALID_CHANNEL_TYPE, "Cannot execute action on this channel type"
    )


if TYPE_CHECKING:
    from sandbox.core import EmulatorCore

log = logging.getLogger(__name__)


class RestApi:
    """Discord's core REST resources, enforcing permissions the way Discord does."""

    def __init__(self, emu: EmulatorCore) -> None:
        self.emu = emu

    def register(self, r: Router) -> None:
        r.add("GET", "/users/@me", self.get_me)
        r.add("GET", "/oauth2/applications/@me", self.get_application)
        r.add("GET", "/applications/@me", self.get_application)
        r.add("GET", "/gateway", self.get_gateway, auth=False)
        r.add("GET", "/gateway/bot", self.get_gateway_bot)
        r.add("POST", "/users/@me/channels", self.create_dm)
        r.add("GET", "/users/@me/guilds", self.get_my_guilds)
        r.add("GET", "/users/{user_id}", self.get_user)
        r.add("GET", "/guilds/{guild_id}", self.get_guild)
        r.add("GET", "/guilds/{guild_id}/channels", self.get_guild_channels)
        r.add("GET", "/guilds/{guild_id}/roles", self.get_roles)
        r.add("GET", "/guilds/{guild_id}/members", self.list_members)
        r.add("GET", "/guilds/{guild_id}/members/{user_id}", self.get_member)
        r.add("PATCH", "/guilds/{guild_id}/members/{user_id}", self.edit_member)
        r.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.add_role)
        r.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self.remove_role)
        r.add("GET", "/guilds/{guild_id}/threads/active", self.active_threads)
        r.add("GET", "/channels/{channel_id}", self.get_channel)
        r.add("POST", "/channels/{channel_id}/typing", self.typing)
        r.add("GET", "/channels/{channel_id}/messages", self.list_messages)
        r.add("POST", "/channels/{channel_id}/messages", self.create_message)
        r.add("GET", "/channels/{channel_id}/messages/{message_id}", self.get_message)
        r.add("PATCH", "/channels/{channel_id}/messages/{message_id}", self.edit_message)
        r.add("DELETE", "/channels/{channel_id}/messages/{message_id}", self.delete_message)
        r.add("POST", "/channels/{channel_id}/threads", self.create_thread)
        r.add("PUT", "/channels/{channel_id}/thread-members/@me", self.join_thread)
        r.add("DELETE", "/channels/{channel_id}/thread-members/@me", self.leave_thread)
        r.add("GET", "/channels/{channel_id}/thread-members", self.list_thread_members)
        r.add("PUT", "/channels/{channel_id}/thread-members/{user_id}", self.add_thread_member)
        r.add(
            "DELETE", "/channels/{channel_id}/thread-members/{user_id}", self.remove_thread_member
        )
        r.add("GET", "/channels/{channel_id}/thread-members/{user_id}", self.get_thread_member)
        # Creating and deleting guild channels (a set-up wizard making its channels)
        r.add("POST", "/guilds/{guild_id}/channels", self.create_guild_channel)
        r.add("DELETE", "/channels/{channel_id}", self.delete_channel)

    # -- users & application -------------------------------------------------

    async def get_me(self, req: Request) -> Reply:
        return Reply(body=payloads.client_user(self.emu.bot_user))

    async def get_application(self, req: Request) -> Reply:
        emu = self.emu
        return Reply(
            body={
                "id": str(emu.application_id),
                "name": emu.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "flags": emu.application_flags,
                "owner": payloads.user(emu.app_owner),
                "team": None,
                "bot": payloads.user(emu.bot_user),
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(emu.world.guilds),
                "integration_types_config": {"0": {}},
            }
        )

    async def get_gateway(self, req: Request) -> Reply:
        return Reply(body={"url": self.emu.ws_url})

    async def get_gateway_bot(self, req: Request) -> Reply:
        return Reply(
            body={
                "url": self.emu.ws_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def get_user(self, req: Request) -> Reply:
        user = self.emu.world.users.get(req.snowflake("user_id"))
        if user is None:
            raise DiscordHTTPError.unknown("user")
        return Reply(body=payloads.user(user))

    async def get_my_guilds(self, req: Request) -> Reply:
        emu = self.emu
        out: list[dict[str, Any]] = []
        for g in emu.world.guilds.values():
            me = g.members.get(emu.bot_user.id)
            if me is None:
                continue
            out.append(
                {
                    "id": str(g.id),
                    "name": g.name,
                    "icon": None,
                    "banner": None,
                    "owner": False,
                    "permissions": str(base_permissions(g, me)),
                    "features": [],
                }
            )
        return Reply(body=out)

    async def create_dm(self, req: Request) -> Reply:
        raw = req.json().get("recipient_id")
        if raw is None:
            raise DiscordHTTPError.form_error(
                ("recipient_id",), "BASE_TYPE_REQUIRED", "This field is required"
            )
        user = self.emu.world.users.get(int(raw))
        if user is None:
            raise DiscordHTTPError.unknown("user")
        return Reply(body=payloads.channel(self.emu.dm_channel(user)))

    # -- guilds, members & roles --------------------------------------------

    def _guild(self, req: Request) -> Guild:
        guild = self.emu.world.guilds.get(req.snowflake("guild_id"))
        if guild is None or self.emu.bot_user.id not in guild.members:
            raise DiscordHTTPError.unknown("guild")
        return guild

    def _member(self, guild: Guild, user_id: int) -> Member:
        member = guild.members.get(user_id)
        if member is None:
            raise DiscordHTTPError.unknown("member")
        return member

    async def get_guild(self, req: Request) -> Reply:
        guild = self._guild(req)
        body = payloads.guild_rest(guild)
        if req.query.get("with_counts") == "true":
            body["approximate_member_count"] = len(guild.members)
            body["approximate_presence_count"] = 0
        return Reply(body=body)

    async def get_guild_channels(self, req: Request) -> Reply:
        guild = self._guild(req)
        return Reply(body=[payloads.channel(c) for c in guild.channels.values() if not c.is_thread])

    async def get_roles(self, req: Request) -> Reply:
        guild = self._guild(req)
        return Reply(body=[payloads.role(r) for r in guild.roles.values()])

    async def list_members(self, req: Request) -> Reply:
        guild = self._guild(req)
        gw = self.emu.gateway.identified_intents
        if gw is not None and not gw & Intent.GUILD_MEMBERS:
            raise DiscordHTTPError.missing_access()
        limit = min(int(req.query.get("limit", "1")), 1000)
        after = int(req.query.get("after", "0"))
        members = sorted(
            (m for m in guild.members.values() if m.user.id > after), key=lambda m: m.user.id
        )
        return Reply(body=[payloads.member(m) for m in members[:limit]])

    async def get_member(self, req: Request) -> Reply:
        guild = self._guild(req)
        return Reply(body=payloads.member(self._member(guild, req.snowflake("user_id"))))

    def _check_role_assignable(self, guild: Guild, role_id: int) -> None:
        emu = self.emu
        role = guild.roles.get(role_id)
        if role is None:
            raise DiscordHTTPError.unknown("role")
        me = guild.members[emu.bot_user.id]
        if not has(base_permissions(guild, me), Perm.MANAGE_ROLES):
            raise DiscordHTTPError.missing_permissions()
        if role.managed or role.is_everyone:
            raise DiscordHTTPError.missing_permissions()
        if guild.owner_id != me.user.id and role.position >= guild.top_role_position(me):
            raise DiscordHTTPError.missing_permissions()

    async def add_role(self, req: Request) -> Reply:
        guild = self._guild(req)
        member = self._member(guild, req.snowflake("user_id"))
        role_id = req.snowflake("role_id")
        self._check_role_assignable(guild, role_id)
        if role_id not in member.role_ids:
            member.role_ids.append(role_id)
            self.emu.member_updated(member)
        return Reply.no_content()

    async def remove_role(self, req: Request) -> Reply:
        guild = self._guild(req)
        member = self._member(guild, req.snowflake("user_id"))
        role_id = req.snowflake("role_id")
        self._check_role_assignable(guild, role_id)
        if role_id in member.role_ids:
            member.role_ids.remove(role_id)
            self.emu.member_updated(member)
        return Reply.no_content()

    async def edit_member(self, req: Request) -> Reply:
        guild = self._guild(req)
        member = self._member(guild, req.snowflake("user_id"))
        body = req.json()
        if "roles" in body:
            new = [int(r) for r in body["roles"] or []]
            for role_id in set(new) ^ set(member.role_ids):
                self._check_role_assignable(guild, role_id)
            member.role_ids = new
        if "nick" in body:
            me = guild.members[self.emu.bot_user.id]
            if not has(base_permissions(guild, me), Perm.MANAGE_NICKNAMES):
                raise DiscordHTTPError.missing_permissions()
            if member.user.id == guild.owner_id:
                raise DiscordHTTPError.missing_permissions()
            member.nick = body["nick"] or None
        self.emu.member_updated(member)
        return Reply(body=payloads.member(member))

    async def active_threads(self, req: Request) -> Reply:
        guild = self._guild(req)
        me = guild.members[self.emu.bot_user.id]
        threads = [
            t
            for t in guild.threads
            if not t.archived and self.emu.member_perms(guild, t, me) & Perm.VIEW_CHANNEL
        ]
        members = [
            payloads.thread_member(t, t.thread_members[me.user.id])
            for t in threads
            if me.user.id in t.thread_members
        ]
        return Reply(body={"threads": [payloads.channel(t) for t in threads], "members": members})

    # -- channels & messages -------------------------------------------------

    def _channel(self, req: Request) -> tuple[Channel, Guild | None]:
        found = self.emu.world.find_channel(req.snowflake("channel_id"))
        if found is None:
            raise DiscordHTTPError.unknown("channel")
        chan, guild = found
        if guild is not None:
            if self.emu.bot_user.id not in guild.members:
                raise DiscordHTTPError.unknown("channel")
            if not self.emu.bot_perms(guild, chan) & Perm.VIEW_CHANNEL:
                raise DiscordHTTPError.missing_access()
        return chan, guild

    def _message(self, chan: Channel, req: Request) -> Message:
        msg = self.emu.world.messages.get(req.snowflake("message_id"))
        if msg is None or msg.deleted or msg.channel_id != chan.id or msg.ephemeral:
            raise DiscordHTTPError.unknown("message")
        return msg

    async def get_channel(self, req: Request) -> Reply:
        chan, _ = self._channel(req)
        return Reply(body=payloads.channel(chan, viewer_id=self.emu.bot_user.id))

    async def typing(self, req: Request) -> Reply:
        chan, guild = self._channel(req)
        if guild is not None and not self.emu.bot_perms(guild, chan) & Perm.SEND_MESSAGES:
            raise DiscordHTTPError.missing_permissions()
        return Reply.no_content()

    async def list_messages(self, req: Request) -> Reply:
        chan, guild = self._channel(req)
        if guild is not None and not self.emu.bot_perms(guild, chan) & Perm.READ_MESSAGE_HISTORY:
            return Reply(body=[])
        limit = max(1, min(int(req.query.get("limit", "50")), 100))
        msgs = self.emu.world.messages_in(chan.id)
        if "before" in req.query:
            before = int(req.query["before"])
            msgs = [m for m in msgs if m.id < before][-limit:]
        elif "after" in req.query:
            after = int(req.query["after"])
            msgs = [m for m in msgs if m.id > after][:limit]
        elif "around" in req.query:
            around = int(req.query["around"])
            idx = next((i for i, m in enumerate(msgs) if m.id >= around), len(msgs))
            half = limit // 2
            msgs = msgs[max(0, idx - half) : idx - half + limit]
        else:
            msgs = msgs[-limit:]
        msgs = sorted(msgs, key=lambda m: m.id, reverse=True)
        return Reply(body=[self.emu.message_for_bot(m) for m in msgs])

    async def get_message(self, req: Request) -> Reply:
        chan, guild = self._channel(req)
        if guild is not None and not self.emu.bot_perms(guild, chan) & Perm.READ_MESSAGE_HISTORY:
            raise DiscordHTTPError.missing_access()
        return Reply(body=self.emu.message_for_bot(self._message(chan, req)))

    async def create_message(self, req: Request) -> Reply:
        chan, guild = self._channel(req)
        emu = self.emu
        body = req.json()
        if guild is None:
            recipient = chan.recipients[0] if chan.recipients else None
            if recipient is None or not emu.can_dm(recipient):
                raise DiscordHTTPError.cannot_dm()
        else:
            perms = emu.bot_perms(guild, chan)
            if chan.is_thread and (chan.archived or chan.locked):
                if chan.locked and not perms & Perm.MANAGE_THREADS:
                    raise DiscordHTTPError.missing_permissions()
                chan.archived = False
            if not perms & Perm.SEND_MESSAGES:
                raise DiscordHTTPError.missing_permissions()
            if req.files and not perms & Perm.ATTACH_FILES:
                raise DiscordHTTPError.missing_permissions()
            if body.get("embeds") and not perms & Perm.EMBED_LINKS:
                body = dict(body, embeds=[])
        ref = body.get("message_reference")
        msg = emu.post_message(
            chan,
            emu.bot_user,
            body,
            req.files,
            type=MessageType.REPLY if ref else MessageType.DEFAULT,
            reference=ref,
        )
        return Reply(body=emu.message_for_bot(msg))

    async def edit_message(self, req: Request) -> Reply:
        chan, _ = self._channel(req)
        msg = self._message(chan, req)
        body = req.json()
        if msg.author.id != self.emu.bot_user.id and set(body) - {"flags"}:
            raise DiscordHTTPError(
                403,
                ErrorCode.CANNOT_EDIT_OTHERS_MESSAGE,
                "Cannot edit a message authored by another user",
            )
        self.emu.edit_message(msg, body, req.files)
        return Reply(body=self.emu.message_for_bot(msg))

    async def delete_message(self, req: Request) -> Reply:
        chan, guild = self._channel(req)
        msg = self._message(chan, req)
        own = msg.author.id == self.emu.bot_user.id
        can_manage = guild is not None and self.emu.bot_perms(guild, chan) & Perm.MANAGE_MESSAGES
        if not own and not can_manage:
            raise DiscordHTTPError.missing_permissions()
        self.emu.delete_message(msg)
        return Reply.no_content()

    # -- threads ------------------------------------------------------------

    def _thread(self, req: Request) -> tuple[Channel, Guild]:
        chan, guild = self._channel(req)
        if guild is None or not chan.is_thread:
            raise _wrong_channel_type()
        return chan, guild

    async def create_thread(self, req: Request) -> Reply:
        chan, guild = self._channel(req)
        emu = self.emu
        body = req.json()
        if guild is None or chan.type != ChannelType.TEXT:
            raise _wrong_channel_type()
        check_thread(body)
        kind = int(body.get("type") or ChannelType.PRIVATE_THREAD)
        name = str(body["name"])
        needed = (
            Perm.CREATE_PRIVATE_THREADS
            if kind == ChannelType.PRIVATE_THREAD
            else Perm.CREATE_PUBLIC_THREADS
        )
        if not has(emu.bot_perms(guild, chan), needed):
            raise DiscordHTTPError.missing_permissions()
        thread = emu.create_thread_state(
            guild,
            chan,
            name,
            owner=emu.bot_user,
            private=kind == ChannelType.PRIVATE_THREAD,
            invitable=bool(body.get("invitable", True)),
            auto_archive_duration=int(
                body.get("auto_archive_duration") or DEFAULT_AUTO_ARCHIVE_MINUTES
            ),
        )
        return Reply(status=201, body=payloads.channel(thread, viewer_id=emu.bot_user.id))

    async def join_thread(self, req: Request) -> Reply:
        thread, guild = self._thread(req)
        self.emu.add_thread_member_state(guild, thread, self.emu.bot_user.id)
        return Reply.no_content()

    async def leave_thread(self, req: Request) -> Reply:
        thread, guild = self._thread(req)
        self.emu.remove_thread_member_state(guild, thread, self.emu.bot_user.id)
        return Reply.no_content()

    def _check_can_manage_members(self, guild: Guild, thread: Channel) -> None:
        perms = self.emu.bot_perms(guild, thread)
        if not perms & Perm.SEND_MESSAGES:
            raise DiscordHTTPError.missing_permissions()
        if thread.archived:
            raise DiscordHTTPError(400, ErrorCode.THREAD_ARCHIVED, "Thread is archived")

    async def add_thread_member(self, req: Request) -> Reply:
        thread, guild = self._thread(req)
        self._check_can_manage_members(guild, thread)
        user_id = req.snowflake("user_id")
        self._member(guild, user_id)
        self.emu.add_thread_member_state(guild, thread, user_id)
        return Reply.no_content()

    async def remove_thread_member(self, req: Request) -> Reply:
        thread, guild = self._thread(req)
        emu = self.emu
        perms = emu.bot_perms(guild, thread)
        if thread.owner_id != emu.bot_user.id and not perms & Perm.MANAGE_THREADS:
            raise DiscordHTTPError.missing_permissions()
        user_id = req.snowflake("user_id")
        if user_id not in thread.thread_members:
            raise DiscordHTTPError.unknown("member")
        emu.remove_thread_member_state(guild, thread, user_id)
        return Reply.no_content()

    async def list_thread_members(self, req: Request) -> Reply:
        thread, guild = self._thread(req)
        with_member = req.query.get("with_member") == "true"
        out: list[dict[str, Any]] = []
        for tm in thread.thread_members.values():
            gm = guild.members.get(tm.user_id) if with_member else None
            out.append(payloads.thread_member(thread, tm, with_member=gm))
        return Reply(body=out)

    async def get_thread_member(self, req: Request) -> Reply:
        thread, guild = self._thread(req)
        tm: ThreadMember | None = thread.thread_members.get(req.snowflake("user_id"))
        if tm is None:
            raise DiscordHTTPError.unknown("member")
        gm = guild.members.get(tm.user_id) if req.query.get("with_member") == "true" else None
        return Reply(body=payloads.thread_member(thread, tm, with_member=gm))

    # -- creating and deleting guild channels ---------------------------------

    async def create_guild_channel(self, req: Request) -> Reply:
        """POST /guilds/{id}/channels: a text channel or category, with its overwrites."""
        guild = self._guild(req)
        emu = self.emu
        if not has(base_permissions(guild, guild.members[emu.bot_user.id]), Perm.MANAGE_CHANNELS):
            raise DiscordHTTPError.missing_permissions()
        body = req.json()
        kind = int(body.get("type") or ChannelType.TEXT)
        if kind not in (ChannelType.TEXT, ChannelType.CATEGORY):
            raise DiscordHTTPError.form_error(
                ("type",), "BASE_TYPE_CHOICES", "Value must be one of the supported channel types."
            )
        name = str(body.get("name") or "").strip()
        if not 1 <= len(name) <= 100:
            raise DiscordHTTPError.form_error(
                ("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
            )
        parent = body.get("parent_id")
        chan = Channel(
            id=emu.ids.next(),
            type=kind,
            name=name,
            guild_id=guild.id,
            position=len([c for c in guild.channels.values() if c.type == kind]),
            parent_id=int(parent) if parent else None,
            topic=body.get("topic"),
        )
        for raw in body.get("permission_overwrites") or []:
            chan.overwrites.append(
                Overwrite(
                    int(raw["id"]),
                    int(raw.get("type", 0)),
                    int(raw.get("allow") or 0),
                    int(raw.get("deny") or 0),
                )
            )
        guild.channels[chan.id] = chan
        emu.dispatch("CHANNEL_CREATE", payloads.channel(chan), intent=Intent.GUILDS)
        return Reply(status=201, body=payloads.channel(chan))

    async def delete_channel(self, req: Request) -> Reply:
        """DELETE /channels/{id} for a guild text channel or category (not threads, not DMs)."""
        chan, guild = self._channel(req)
        if guild is None or chan.is_thread:
            raise _wrong_channel_type()
        if not has(self.emu.bot_perms(guild, chan), Perm.MANAGE_CHANNELS):
            raise DiscordHTTPError.missing_permissions()
        guild.channels.pop(chan.id, None)
        if guild.system_channel_id == chan.id:
            guild.system_channel_id = None
        self.emu.dispatch("CHANNEL_DELETE", payloads.channel(chan), intent=Intent.GUILDS)
        return Reply(body=payloads.channel(chan))
