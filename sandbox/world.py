"""Test-side world building: users, guilds, roles, channels, permissions, members, threads.

Every change dispatches the gateway event Discord would send, so the bot's cache follows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sandbox import payloads
from sandbox.constants import GatewayOp, OverwriteType
from sandbox.core import EmulatorCore, PermLike, Target
from sandbox.gateway import Intent
from sandbox.permissions import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE,
    as_int,
)
from sandbox.state import (
    Attachment,
    Channel,
    ChannelType,
    Guild,
    Member,
    Overwrite,
    Role,
    User,
)

log = logging.getLogger(__name__)


class WorldBuilder(EmulatorCore):
    """Creates and changes the emulated Discord world as admins and users would."""

    # --------------------------------------------------------------- world setup

    def create_user(self, name: str, *, dms_open: bool = True, bot: bool = False) -> User:
        """A Discord account (not in any guild yet). ``dms_open=False`` refuses bot DMs."""
        return self._new_user(name, bot=bot, dms_open=dms_open)

    def create_guild(
        self,
        name: str,
        *,
        owner: User | str = "owner",
        bot_permissions: PermLike = DEFAULT_BOT_PERMISSIONS,
        everyone_permissions: PermLike = DEFAULT_EVERYONE,
        with_bot: bool = True,
        general_channel: bool = True,
    ) -> Guild:
        """A guild with @everyone, an owner, a #general channel and the bot (managed role).

        If the bot is already connected it receives GUILD_CREATE (an ``on_guild_join``).
        """
        owner_user = owner if isinstance(owner, User) else self._new_user(owner)
        gid = self.ids.next()
        guild = Guild(id=gid, name=name, owner_id=owner_user.id)
        guild.roles[gid] = Role(
            id=gid,
            guild_id=gid,
            name="@everyone",
            permissions=as_int(everyone_permissions),
            position=0,
        )
        guild.members[owner_user.id] = Member(guild_id=gid, user=owner_user)
        self.world.guilds[gid] = guild
        if general_channel:
            chan = Channel(id=self.ids.next(), type=ChannelType.TEXT, name="general", guild_id=gid)
            guild.channels[chan.id] = chan
            guild.system_channel_id = chan.id
        if with_bot:
            self.add_bot_to_guild(guild, permissions=bot_permissions)
        return guild

    def add_bot_to_guild(
        self, guild: Guild, *, permissions: PermLike = DEFAULT_BOT_PERMISSIONS
    ) -> Role:
        """Installs the bot in ``guild`` with a managed role holding ``permissions``."""
        top = max((r.position for r in guild.roles.values()), default=0)
        role = Role(
            id=self.ids.next(),
            guild_id=guild.id,
            name=self.bot_user.username,
            permissions=as_int(permissions),
            position=top + 1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[role.id] = role
        guild.members[self.bot_user.id] = Member(
            guild_id=guild.id, user=self.bot_user, role_ids=[role.id]
        )
        for session in self.gateway.active:
            data = self.gateway.guild_create(guild, session.intents)
            # A join (not a lazy load after READY) carries no "unavailable" key, which is
            # how clients tell on_guild_join from on_guild_available.
            data.pop("unavailable", None)
            session.push(GatewayOp.DISPATCH, "GUILD_CREATE", data)
        self.notify()
        return role

    def bot_role(self, guild: Guild) -> Role:
        for role in guild.roles.values():
            if role.bot_id == self.bot_user.id:
                return role
        raise LookupError("the bot has no managed role in this guild")

    def set_bot_permissions(self, guild: Guild, permissions: PermLike) -> None:
        """Replaces the bot's managed-role permissions (GUILD_ROLE_UPDATE)."""
        self.update_role(self.bot_role(guild), permissions=permissions)

    def create_role(
        self,
        guild: Guild,
        name: str,
        *,
        permissions: PermLike = 0,
        position: int | None = None,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        """A new role. Like Discord, it goes to the bottom (position 1) unless told otherwise;
        roles at or above ``position`` move up one (GUILD_ROLE_CREATE + UPDATEs)."""
        pos = 1 if position is None else max(1, position)
        shifted = [r for r in guild.roles.values() if not r.is_everyone and r.position >= pos]
        for r in shifted:
            r.position += 1
        role = Role(
            id=self.ids.next(),
            guild_id=guild.id,
            name=name,
            permissions=as_int(permissions),
            position=pos,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        guild.roles[role.id] = role
        self.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": payloads.role(role)},
            intent=Intent.GUILDS,
        )
        for r in shifted:
            self._role_updated(r)
        return role

    def _role_updated(self, role: Role) -> None:
        self.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(role.guild_id), "role": payloads.role(role)},
            intent=Intent.GUILDS,
        )

    def update_role(
        self,
        role: Role,
        *,
        name: str | None = None,
        permissions: PermLike | None = None,
        position: int | None = None,
        color: int | None = None,
    ) -> Role:
        """Edits a role (GUILD_ROLE_UPDATE)."""
        if name is not None:
            role.name = name
        if permissions is not None:
            role.permissions = as_int(permissions)
        if position is not None:
            role.position = position
        if color is not None:
            role.color = color
        self._role_updated(role)
        return role

    def delete_role(self, role: Role) -> None:
        guild = self.world.guilds[role.guild_id]
        guild.roles.pop(role.id, None)
        for member in guild.members.values():
            if role.id in member.role_ids:
                member.role_ids.remove(role.id)
        self.dispatch(
            "GUILD_ROLE_DELETE",
            {"guild_id": str(guild.id), "role_id": str(role.id)},
            intent=Intent.GUILDS,
        )

    def create_category(self, guild: Guild, name: str) -> Channel:
        return self._create_channel(guild, name, ChannelType.CATEGORY, None, None)

    def create_channel(
        self,
        guild: Guild,
        name: str,
        *,
        category: Channel | None = None,
        topic: str | None = None,
        overwrites: dict[Target, tuple[PermLike, PermLike]] | None = None,
    ) -> Channel:
        """A text channel (CHANNEL_CREATE). ``overwrites`` maps target → (allow, deny)."""
        chan = self._create_channel(guild, name, ChannelType.TEXT, category, topic, overwrites)
        return chan

    def _create_channel(
        self,
        guild: Guild,
        name: str,
        type: int,
        category: Channel | None,
        topic: str | None,
        overwrites: dict[Target, tuple[PermLike, PermLike]] | None = None,
    ) -> Channel:
        position = len([c for c in guild.channels.values() if c.type == type])
        chan = Channel(
            id=self.ids.next(),
            type=type,
            name=name,
            guild_id=guild.id,
            position=position,
            parent_id=category.id if category else None,
            topic=topic,
        )
        if category is not None:
            chan.overwrites = [
                Overwrite(o.id, o.type, o.allow, o.deny) for o in category.overwrites
            ]
        for target, (allow, deny) in (overwrites or {}).items():
            self._put_overwrite(chan, target, as_int(allow), as_int(deny))
        guild.channels[chan.id] = chan
        self.dispatch("CHANNEL_CREATE", payloads.channel(chan), intent=Intent.GUILDS)
        return chan

    def _put_overwrite(self, chan: Channel, target: Target, allow: int, deny: int) -> None:
        if isinstance(target, Role):
            tid, ttype = target.id, OverwriteType.ROLE
        else:
            user_id = target.user.id if isinstance(target, Member) else target.id
            tid, ttype = user_id, OverwriteType.MEMBER
        chan.overwrites = [o for o in chan.overwrites if not (o.id == tid and o.type == ttype)]
        if allow or deny:
            chan.overwrites.append(Overwrite(tid, ttype, allow, deny))

    def set_channel_permissions(
        self,
        channel: Channel,
        target: Target,
        *,
        allow: PermLike = 0,
        deny: PermLike = 0,
    ) -> None:
        """Sets (replaces) the overwrite for a role/member in ``channel`` (CHANNEL_UPDATE)."""
        self._put_overwrite(channel, target, as_int(allow), as_int(deny))
        self.dispatch("CHANNEL_UPDATE", payloads.channel(channel), intent=Intent.GUILDS)

    def deny_bot(self, channel: Channel, permissions: PermLike) -> None:
        """Denies ``permissions`` to the bot's member in ``channel`` (member overwrite)."""
        self.set_channel_permissions(channel, self.bot_user, deny=permissions)

    def delete_channel(self, channel: Channel) -> None:
        """Deletes a channel and its threads (THREAD_DELETE / CHANNEL_DELETE)."""
        assert channel.guild_id is not None
        guild = self.world.guilds[channel.guild_id]
        for thread in [t for t in guild.threads if t.parent_id == channel.id]:
            del guild.channels[thread.id]
            self.dispatch(
                "THREAD_DELETE",
                {
                    "id": str(thread.id),
                    "guild_id": str(guild.id),
                    "parent_id": str(channel.id),
                    "type": thread.type,
                },
                intent=Intent.GUILDS,
            )
        guild.channels.pop(channel.id, None)
        if guild.system_channel_id == channel.id:
            guild.system_channel_id = None
        event = "THREAD_DELETE" if channel.is_thread else "CHANNEL_DELETE"
        self.dispatch(event, payloads.channel(channel), intent=Intent.GUILDS)

    def create_member(
        self,
        guild: Guild,
        user: User | str,
        *,
        roles: Iterable[Role] = (),
        pending: bool = False,
        nick: str | None = None,
        dms_open: bool = True,
    ) -> Member:
        """A user joins ``guild`` (GUILD_MEMBER_ADD). ``pending=True`` = onboarding not done."""
        account = user if isinstance(user, User) else self._new_user(user, dms_open=dms_open)
        if account.id in guild.members:
            raise ValueError(f"{account.username} is already in {guild.name}")
        member = Member(
            guild_id=guild.id,
            user=account,
            role_ids=[r.id for r in roles],
            pending=pending,
            nick=nick,
        )
        guild.members[account.id] = member
        data = payloads.member(member)
        data["guild_id"] = str(guild.id)
        self.dispatch("GUILD_MEMBER_ADD", data, intent=Intent.GUILD_MEMBERS)
        return member

    def complete_onboarding(self, member: Member) -> None:
        """The member passes membership screening: ``pending`` → false (GUILD_MEMBER_UPDATE)."""
        member.pending = False
        self.member_updated(member)

    def remove_member(self, member: Member) -> None:
        """The member leaves (GUILD_MEMBER_REMOVE); they also leave the guild's threads."""
        guild = self.world.guilds[member.guild_id]
        guild.members.pop(member.user.id, None)
        for thread in guild.threads:
            thread.thread_members.pop(member.user.id, None)
        self.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": payloads.user(member.user)},
            intent=Intent.GUILD_MEMBERS,
        )

    def set_member_roles(self, member: Member, roles: Iterable[Role]) -> None:
        """Replaces the member's roles, as a moderator would (GUILD_MEMBER_UPDATE)."""
        member.role_ids = [r.id for r in roles]
        self.member_updated(member)

    def add_member_roles(self, member: Member, *roles: Role) -> None:
        for role in roles:
            if role.id not in member.role_ids:
                member.role_ids.append(role.id)
        self.member_updated(member)

    def remove_member_roles(self, member: Member, *roles: Role) -> None:
        member.role_ids = [r for r in member.role_ids if r not in {x.id for x in roles}]
        self.member_updated(member)

    def create_thread(
        self,
        channel: Channel,
        name: str,
        *,
        owner: Member,
        private: bool = True,
        members: Iterable[Member] = (),
    ) -> Channel:
        """A user creates a thread in ``channel`` and adds ``members`` to it."""
        assert channel.guild_id is not None
        guild = self.world.guilds[channel.guild_id]
        thread = self.create_thread_state(guild, channel, name, owner=owner.user, private=private)
        for m in members:
            self.add_thread_member_state(guild, thread, m.user.id)
        return thread

    def add_to_thread(self, thread: Channel, member: Member) -> None:
        assert thread.guild_id is not None
        self.add_thread_member_state(self.world.guilds[thread.guild_id], thread, member.user.id)

    def make_attachment(
        self, filename: str, data: bytes, content_type: str | None = None
    ) -> Attachment:
        """An uploaded file a user can pass to an attachment option or a message."""
        att_id = self.ids.next()
        att = Attachment(
            id=att_id,
            filename=filename,
            data=data,
            content_type=content_type,
            url=self.attachment_url(0, att_id, filename),
        )
        self._loose_attachments.append(att)
        return att
