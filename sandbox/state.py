"""In-memory model of everything the emulated Discord knows about.

These objects are also what tests hold on to: a test creates a guild, keeps the
returned :class:`Guild`, and passes it back to the emulator's test-side API.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.constants import ApplicationCommandType, MessageFlag
from sandbox.constants import ChannelType as ChannelType

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Issues increasing, time-based snowflakes like Discord's (so ``created_at`` is sane)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._counter = itertools.count()

    def next(self) -> int:
        with self._lock:
            ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
            candidate = (ms << 22) | ((next(self._counter) & 0xFFF) << 0)
            self._last = max(candidate, self._last + 1)
            return self._last


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(value: dt.datetime | None) -> str | None:
    """Discord's timestamp format (ISO 8601 with an explicit +00:00 offset)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat()


@dataclass(eq=False)
class User:
    """A Discord account. ``dms_open=False`` makes DMs to it fail with code 50007."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_open: bool = True
    avatar: str | None = None

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def display_name(self) -> str:
        return self.global_name or self.username


@dataclass(eq=False)
class Role:
    """A guild role; ``position`` 0 is @everyone, higher is more powerful."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 1
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        return f"<@&{self.id}>"

    @property
    def is_everyone(self) -> bool:
        return self.id == self.guild_id


@dataclass(eq=False)
class Overwrite:
    """A channel permission overwrite; ``type`` 0 targets a role, 1 a member."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass(eq=False)
class ThreadMember:
    user_id: int
    joined_at: dt.datetime = field(default_factory=utcnow)
    flags: int = 0


@dataclass(eq=False)
class Channel:
    """Text channel, category, DM channel or thread (``type`` tells which)."""

    id: int
    type: int
    name: str
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    recipients: list[User] = field(default_factory=list)
    rate_limit_per_user: int = 0
    # Thread-only fields.
    owner_id: int | None = None
    thread_members: dict[int, ThreadMember] = field(default_factory=dict)
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    created_at: dt.datetime = field(default_factory=utcnow)
    message_count: int = 0
    total_message_sent: int = 0

    @property
    def is_thread(self) -> bool:
        return self.type in (10, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)

    @property
    def is_dm(self) -> bool:
        return self.type == ChannelType.DM

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"

    def overwrite_for(self, target_id: int, target_type: int) -> Overwrite | None:
        for ow in self.overwrites:
            if ow.id == target_id and ow.type == target_type:
                return ow
        return None


@dataclass(eq=False)
class Member:
    """A user's membership of a guild."""

    guild_id: int
    user: User
    role_ids: list[int] = field(default_factory=list)
    joined_at: dt.datetime = field(default_factory=utcnow)
    nick: str | None = None
    pending: bool = False
    flags: int = 0
    communication_disabled_until: dt.datetime | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def mention(self) -> str:
        return f"<@{self.user.id}>"


@dataclass(eq=False)
class Attachment:
    """A stored file; ``data`` holds the exact bytes the bot uploaded."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str
    description: str | None = None
    ephemeral: bool = False

    @property
    def size(self) -> int:
        return len(self.data)

    def text(self, encoding: str = "utf-8") -> str:
        return self.data.decode(encoding)


@dataclass(eq=False)
class Message:
    """A message as Discord stores it; tests read ``content``, ``embeds``, ``components``..."""

    id: int
    channel_id: int
    author: User
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    created_at: dt.datetime = field(default_factory=utcnow)
    edited_at: dt.datetime | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    interaction_id: int | None = None
    reference: dict[str, Any] | None = None
    #: Users the message pings: named in the content and let through by its
    #: ``allowed_mentions`` (Discord's ``mentions``).
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    #: Every user named in the content (``<@id>``), pinged or not.
    named_ids: list[int] = field(default_factory=list)
    deleted: bool = False
    edits: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    #: The ``nonce`` the author sent, echoed back in the message object.
    nonce: int | str | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True for a deferred "is thinking..." placeholder that was never filled in."""
        return bool(self.flags & MessageFlag.LOADING)

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    def iter_components(self) -> list[dict[str, Any]]:
        """Every component in the message, flattened (rows, containers, sections...)."""
        return list(walk_components(self.components))

    def component(self, custom_id: str) -> dict[str, Any]:
        for comp in walk_components(self.components):
            if comp.get("custom_id") == custom_id:
                return comp
        raise LookupError(
            f"message {self.id} has no component {custom_id!r}; has {self.custom_ids}"
        )

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def custom_id_for(self, label: str) -> str:
        """The custom_id of the button whose label is ``label`` (tests click by label)."""
        for comp in walk_components(self.components):
            if comp.get("label") == label and "custom_id" in comp:
                return str(comp["custom_id"])
        labels = [c.get("label") for c in walk_components(self.components) if c.get("label")]
        raise LookupError(f"no button labelled {label!r}; labels: {labels}")

    @property
    def text(self) -> str:
        """Content plus all embed text and text displays, for loose assertions."""
        parts = [self.content]
        for emb in self.embeds:
            parts.append(str(emb.get("title", "")))
            parts.append(str(emb.get("description", "")))
            for fld in emb.get("fields", []):
                parts.append(f"{fld.get('name', '')}\n{fld.get('value', '')}")
            parts.append(str((emb.get("footer") or {}).get("text", "")))
            parts.append(str((emb.get("author") or {}).get("name", "")))
        for comp in walk_components(self.components):
            if comp.get("type") == 10:
                parts.append(str(comp.get("content", "")))
        return "\n".join(p for p in parts if p)


def walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comp in components:
        out.append(comp)
        out.extend(walk_components(comp.get("components", [])))
        for key in ("component", "accessory"):
            child = comp.get(key)
            if isinstance(child, dict):
                out.extend(walk_components([child]))
    return out


@dataclass(eq=False)
class AppCommand:
    """A registered application command exactly as the bot PUT it (plus Discord's fields)."""

    id: int
    guild_id: int | None
    data: dict[str, Any]
    version: int

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def type(self) -> int:
        return int(self.data.get("type", ApplicationCommandType.CHAT_INPUT))


@dataclass(eq=False)
class Guild:
    """A guild with its roles, channels (threads included) and members."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    system_channel_id: int | None = None
    preferred_locale: str = "en-US"
    created_at: dt.datetime = field(default_factory=utcnow)

    @property
    def everyone_role(self) -> Role:
        return self.roles[self.id]

    @property
    def text_channels(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.type == ChannelType.TEXT]

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.is_thread]

    def channel(self, name: str) -> Channel:
        for chan in self.channels.values():
            if chan.name == name:
                return chan
        raise LookupError(f"guild {self.name!r} has no channel {name!r}")

    def role(self, name: str) -> Role:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise LookupError(f"guild {self.name!r} has no role {name!r}")

    def member(self, user: User | int) -> Member:
        uid = user if isinstance(user, int) else user.id
        try:
            return self.members[uid]
        except KeyError:
            raise LookupError(f"user {uid} is not a member of {self.name!r}") from None

    def top_role_position(self, member: Member) -> int:
        positions = [self.roles[r].position for r in member.role_ids if r in self.roles]
        return max(positions, default=0)


@dataclass
class World:
    """All emulated Discord state."""

    users: dict[int, User] = field(default_factory=dict)
    guilds: dict[int, Guild] = field(default_factory=dict)
    dm_channels: dict[int, Channel] = field(default_factory=dict)  # keyed by recipient id
    messages: dict[int, Message] = field(default_factory=dict)
    channel_messages: dict[int, list[int]] = field(default_factory=dict)
    global_commands: dict[tuple[str, int], AppCommand] = field(default_factory=dict)
    guild_commands: dict[int, dict[tuple[str, int], AppCommand]] = field(default_factory=dict)

    def find_channel(self, channel_id: int) -> tuple[Channel, Guild | None] | None:
        for guild in self.guilds.values():
            chan = guild.channels.get(channel_id)
            if chan is not None:
                return chan, guild
        for chan in self.dm_channels.values():
            if chan.id == channel_id:
                return chan, None
        return None

    def add_message(self, message: Message) -> None:
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message.id)

    def messages_in(self, channel_id: int, *, include_ephemeral: bool = False) -> list[Message]:
        ids = self.channel_messages.get(channel_id, [])
        out = [self.messages[i] for i in ids if not self.messages[i].deleted]
        if not include_ephemeral:
            out = [m for m in out if not m.ephemeral]
        return out
