"""Serialises emulator state into Discord's v10 JSON shapes.

Every shape here mirrors what discord.py 2.7's parsers read (state.py parse_*,
guild.py ``_from_data``, member.py, channel.py, threads.py, message.py), so a
payload that would crash the real client never leaves the emulator.
"""

from __future__ import annotations

from typing import Any

from sandbox.constants import ApplicationCommandType
from sandbox.state import (
    AppCommand,
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Role,
    ThreadMember,
    User,
    World,
    iso,
)

JSON = dict[str, Any]


def user(u: User) -> JSON:
    return {
        "id": str(u.id),
        "username": u.username,
        "discriminator": "0",
        "global_name": u.global_name,
        "avatar": u.avatar,
        "avatar_decoration_data": None,
        "banner": None,
        "accent_color": None,
        "public_flags": 0,
        "bot": u.bot,
        "system": False,
        "primary_guild": None,
        "collectibles": None,
    }


def client_user(u: User) -> JSON:
    data = user(u)
    data.update({"verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"})
    return data


def member(m: Member, *, with_user: bool = True, permissions: int | None = None) -> JSON:
    data: JSON = {
        "roles": [str(r) for r in m.role_ids],
        "nick": m.nick,
        "avatar": None,
        "banner": None,
        "joined_at": iso(m.joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": m.flags,
        "pending": m.pending,
        "communication_disabled_until": iso(m.communication_disabled_until),
        "avatar_decoration_data": None,
    }
    if with_user:
        data["user"] = user(m.user)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def member_update(m: Member) -> JSON:
    data = member(m)
    data["guild_id"] = str(m.guild_id)
    return data


def role(r: Role) -> JSON:
    data: JSON = {
        "id": str(r.id),
        "name": r.name,
        "color": r.color,
        "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
        "hoist": r.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": r.mentionable,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def overwrites(chan: Channel) -> list[JSON]:
    return [
        {"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
        for o in chan.overwrites
    ]


def thread_member(chan: Channel, tm: ThreadMember, *, with_member: Member | None = None) -> JSON:
    data: JSON = {
        "id": str(chan.id),
        "user_id": str(tm.user_id),
        "join_timestamp": iso(tm.joined_at),
        "flags": tm.flags,
        "muted": False,
        "mute_config": None,
    }
    if with_member is not None:
        data["member"] = member(with_member)
    return data


def channel(chan: Channel, *, viewer_id: int | None = None) -> JSON:
    """A channel object; ``viewer_id`` adds the thread ``member`` field for that user."""
    if chan.is_dm:
        return {
            "id": str(chan.id),
            "type": ChannelType.DM,
            "last_message_id": _snow(chan.last_message_id),
            "flags": 0,
            "recipients": [user(u) for u in chan.recipients],
        }
    data: JSON = {
        "id": str(chan.id),
        "type": chan.type,
        "guild_id": str(chan.guild_id),
        "name": chan.name,
        "parent_id": _snow(chan.parent_id),
        "flags": 0,
    }
    if chan.is_thread:
        data.update(
            {
                "owner_id": _snow(chan.owner_id),
                "last_message_id": _snow(chan.last_message_id),
                "rate_limit_per_user": chan.rate_limit_per_user,
                "message_count": chan.message_count,
                "member_count": min(len(chan.thread_members), 50),
                "total_message_sent": chan.total_message_sent,
                "thread_metadata": {
                    "archived": chan.archived,
                    "auto_archive_duration": chan.auto_archive_duration,
                    "archive_timestamp": iso(chan.created_at),
                    "locked": chan.locked,
                    "create_timestamp": iso(chan.created_at),
                    **(
                        {"invitable": chan.invitable}
                        if chan.type == ChannelType.PRIVATE_THREAD
                        else {}
                    ),
                },
            }
        )
        if viewer_id is not None and viewer_id in chan.thread_members:
            data["member"] = thread_member(chan, chan.thread_members[viewer_id])
        return data
    data.update(
        {
            "position": chan.position,
            "permission_overwrites": overwrites(chan),
            "nsfw": chan.nsfw,
        }
    )
    if chan.type == ChannelType.TEXT:
        data.update(
            {
                "topic": chan.topic,
                "last_message_id": _snow(chan.last_message_id),
                "rate_limit_per_user": chan.rate_limit_per_user,
                "default_auto_archive_duration": 1440,
                "default_thread_rate_limit_per_user": 0,
                "last_pin_timestamp": None,
                "icon_emoji": None,
                "theme_color": None,
            }
        )
    return data


def guild(g: Guild, *, bot_id: int, include_all_members: bool) -> JSON:
    """The full GUILD_CREATE payload.

    Without the presences intent Discord only sends the bot's own member here and the
    client chunks the rest with op 8, so that is what ``include_all_members=False`` does.
    """
    members = list(g.members.values())
    if not include_all_members:
        members = [m for m in members if m.user.id == bot_id]
    threads = [
        channel(c, viewer_id=bot_id)
        for c in g.threads
        if not c.archived and (c.type != ChannelType.PRIVATE_THREAD or bot_id in c.thread_members)
    ]
    bot_member = g.members.get(bot_id)
    return {
        "id": str(g.id),
        "name": g.name,
        "icon": None,
        "icon_hash": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(g.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "widget_enabled": False,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [role(r) for r in sorted(g.roles.values(), key=lambda r: r.position)],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": _snow(g.system_channel_id),
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": g.preferred_locale,
        "nsfw_level": 0,
        "incidents_data": None,
        "joined_at": iso(bot_member.joined_at if bot_member else g.created_at),
        "large": len(g.members) >= 250,
        "unavailable": False,
        "member_count": len(g.members),
        "voice_states": [],
        "members": [member(m) for m in members],
        "channels": [channel(c) for c in g.channels.values() if not c.is_thread],
        "threads": threads,
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": True,
    }


def guild_rest(g: Guild) -> JSON:
    data = guild(g, bot_id=0, include_all_members=False)
    for key in (
        "joined_at",
        "large",
        "unavailable",
        "member_count",
        "voice_states",
        "members",
        "channels",
        "threads",
        "presences",
        "stage_instances",
        "guild_scheduled_events",
        "soundboard_sounds",
        "lazy",
    ):
        data.pop(key, None)
    return data


def attachment(a: Attachment) -> JSON:
    data: JSON = {
        "id": str(a.id),
        "filename": a.filename,
        "size": a.size,
        "url": a.url,
        "proxy_url": a.url,
        "content_type": a.content_type,
        "description": a.description,
        "flags": 0,
    }
    if a.ephemeral:
        data["ephemeral"] = True
    return data


def message(world: World, msg: Message, *, gateway: bool = False) -> JSON:
    """A message object; ``gateway=True`` adds MESSAGE_CREATE's ``guild_id``/``member``."""
    mentions: list[JSON] = []
    guild_obj = world.guilds.get(msg.guild_id) if msg.guild_id else None
    for uid in msg.mention_ids:
        target = world.users.get(uid)
        if target is None:
            continue
        entry = user(target)
        if guild_obj is not None and uid in guild_obj.members:
            entry["member"] = member(guild_obj.members[uid], with_user=False)
        mentions.append(entry)
    data: JSON = {
        "id": str(msg.id),
        "channel_id": str(msg.channel_id),
        "type": msg.type,
        "content": msg.content,
        "author": user(msg.author),
        "timestamp": iso(msg.created_at),
        "edited_timestamp": iso(msg.edited_at),
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": [str(r) for r in msg.mention_role_ids],
        "attachments": [attachment(a) for a in msg.attachments],
        "embeds": msg.embeds,
        "components": msg.components,
        "pinned": False,
        "flags": msg.flags,
    }
    if msg.nonce is not None:
        data["nonce"] = msg.nonce
    if msg.webhook_id is not None:
        data["webhook_id"] = str(msg.webhook_id)
    if msg.application_id is not None:
        data["application_id"] = str(msg.application_id)
    if msg.interaction_metadata is not None:
        data["interaction_metadata"] = msg.interaction_metadata
    if msg.reference is not None:
        data["message_reference"] = msg.reference
    if gateway and guild_obj is not None:
        data["guild_id"] = str(guild_obj.id)
        author_member = guild_obj.members.get(msg.author.id)
        if author_member is not None and msg.webhook_id is None:
            data["member"] = member(author_member, with_user=False)
    return data


def app_command(cmd: AppCommand, application_id: int) -> JSON:
    data = dict(cmd.data)
    data.setdefault("type", ApplicationCommandType.CHAT_INPUT)
    data.setdefault("description", "")
    data.setdefault("options", [])
    data.setdefault("default_member_permissions", None)
    data.setdefault("nsfw", False)
    data.setdefault("name_localizations", None)
    data.setdefault("description_localizations", None)
    if cmd.guild_id is None:
        data.setdefault("contexts", None)
        data.setdefault("integration_types", [0])
        data.setdefault("dm_permission", True)
    if data["default_member_permissions"] is not None:
        data["default_member_permissions"] = str(data["default_member_permissions"])
    data["id"] = str(cmd.id)
    data["application_id"] = str(application_id)
    data["version"] = str(cmd.version)
    if cmd.guild_id is not None:
        data["guild_id"] = str(cmd.guild_id)
    return data


def _snow(value: int | None) -> str | None:
    return None if value is None else str(value)
