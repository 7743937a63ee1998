"""Discord's permission bits and the resolution algorithm for guilds, channels and threads.

The emulator decides what the bot (and each member) may do exactly the way Discord
does, so a bot that forgets a permission check fails here the way it would in prod.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sandbox.constants import ChannelType, OverwriteType

if TYPE_CHECKING:
    from sandbox.state import Channel, Guild, Member


class Perm(enum.IntFlag):
    """Permission bits as documented by Discord (v10)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50
    PIN_MESSAGES = 1 << 51


ALL_PERMISSIONS = 0
for _bit in Perm:
    ALL_PERMISSIONS |= int(_bit)

#: What a fresh guild's @everyone role gets from Discord.
DEFAULT_EVERYONE = int(
    Perm.CREATE_INSTANT_INVITE
    | Perm.ADD_REACTIONS
    | Perm.STREAM
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.MENTION_EVERYONE
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.CONNECT
    | Perm.SPEAK
    | Perm.USE_VAD
    | Perm.CHANGE_NICKNAME
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.REQUEST_TO_SPEAK
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.USE_EXTERNAL_STICKERS
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.USE_EMBEDDED_ACTIVITIES
    | Perm.USE_SOUNDBOARD
    | Perm.CREATE_GUILD_EXPRESSIONS
    | Perm.CREATE_EVENTS
    | Perm.USE_EXTERNAL_SOUNDS
    | Perm.SEND_VOICE_MESSAGES
    | Perm.SEND_POLLS
    | Perm.USE_EXTERNAL_APPS
)

#: Permissions a bot gets in a DM channel (for interaction ``app_permissions``).
DM_PERMISSIONS = int(
    Perm.ADD_REACTIONS
    | Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.MENTION_EVERYONE
    | Perm.USE_EXTERNAL_EMOJIS
    | Perm.USE_APPLICATION_COMMANDS
    | Perm.USE_EXTERNAL_STICKERS
    | Perm.SEND_VOICE_MESSAGES
    | Perm.SEND_POLLS
    | Perm.USE_EXTERNAL_APPS
)

_TEXT_DEPENDENT = int(
    Perm.SEND_MESSAGES
    | Perm.SEND_TTS_MESSAGES
    | Perm.MENTION_EVERYONE
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.SEND_POLLS
)

_THREAD_ONLY_IRRELEVANT = int(Perm.SEND_MESSAGES)


def as_int(value: int | Perm) -> int:
    """Accepts ints, :class:`Perm` or anything with a ``value`` (discord.Permissions)."""
    raw = getattr(value, "value", value)
    return int(raw)


def base_permissions(guild: Guild, member: Member) -> int:
    """Guild-level permissions: owner/administrator get everything, else the OR of roles."""
    if member.user.id == guild.owner_id:
        return ALL_PERMISSIONS
    perms = guild.everyone_role.permissions
    for role_id in member.role_ids:
        role = guild.roles.get(role_id)
        if role is not None:
            perms |= role.permissions
    if perms & Perm.ADMINISTRATOR:
        return ALL_PERMISSIONS
    return perms


def channel_permissions(guild: Guild, channel: Channel, member: Member) -> int:
    """Applies @everyone, role and member overwrites on top of the base permissions."""
    if channel.is_thread:
        parent = guild.channels.get(channel.parent_id or 0)
        if parent is None:
            return 0
        perms = channel_permissions(guild, parent, member)
        if perms & Perm.ADMINISTRATOR:
            return perms
        if (
            channel.type == ChannelType.PRIVATE_THREAD
            and member.user.id not in channel.thread_members
            and not perms & Perm.MANAGE_THREADS
        ):
            perms &= ~int(Perm.VIEW_CHANNEL)
        if not perms & Perm.VIEW_CHANNEL:
            return 0
        if perms & Perm.SEND_MESSAGES_IN_THREADS:
            perms |= int(Perm.SEND_MESSAGES)
        else:
            perms &= ~int(Perm.SEND_MESSAGES)
        return perms

    base = base_permissions(guild, member)
    if base & Perm.ADMINISTRATOR:
        return ALL_PERMISSIONS
    perms = base
    everyone = channel.overwrite_for(guild.id, OverwriteType.ROLE)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member.role_ids:
        ow = channel.overwrite_for(role_id, OverwriteType.ROLE)
        if ow is not None:
            allow |= ow.allow
            deny |= ow.deny
    perms = (perms & ~deny) | allow
    own = channel.overwrite_for(member.user.id, OverwriteType.MEMBER)
    if own is not None:
        perms = (perms & ~own.deny) | own.allow
    if not perms & Perm.VIEW_CHANNEL:
        return 0
    if not perms & Perm.SEND_MESSAGES:
        perms &= ~_TEXT_DEPENDENT
    return perms


def has(perms: int, *needed: Perm) -> bool:
    """True when every permission in ``needed`` is present."""
    return all(perms & bit == bit for bit in needed)


#: What the bot's managed role gets unless a test says otherwise (a typical invite).
DEFAULT_BOT_PERMISSIONS = int(
    Perm.VIEW_CHANNEL
    | Perm.SEND_MESSAGES
    | Perm.SEND_MESSAGES_IN_THREADS
    | Perm.CREATE_PUBLIC_THREADS
    | Perm.CREATE_PRIVATE_THREADS
    | Perm.MANAGE_THREADS
    | Perm.EMBED_LINKS
    | Perm.ATTACH_FILES
    | Perm.READ_MESSAGE_HISTORY
    | Perm.ADD_REACTIONS
    | Perm.MANAGE_ROLES
    | Perm.USE_APPLICATION_COMMANDS
)
