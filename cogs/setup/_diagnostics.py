"""Reads what the bot can actually do in a guild, for ``/setup show`` and early warnings."""

from __future__ import annotations

import discord

from bot.errors import permission_label
from bot.models import ChannelPurpose, Group, GuildConfig
from bot.services.setup import (
    CHANNEL_NEEDS,
    MAX_GROUPS,
    MIN_GROUPS,
    channel_problems,
    role_problem,
)
from bot.text import Messages


def granted_in(channel: discord.abc.GuildChannel, me: discord.Member) -> set[str]:
    """The permissions kindbot cares about that it holds in ``channel``.

    Looked up by attribute because iterating ``discord.Permissions`` skips aliases
    such as ``view_channel``.
    """
    permissions = channel.permissions_for(me)
    wanted = {name for needs in CHANNEL_NEEDS.values() for name in needs}
    return {name for name in wanted if getattr(permissions, name)}


def find_problems(
    guild: discord.Guild,
    config: GuildConfig,
    groups: list[Group],
    champion_role_id: int | None,
    texts: Messages,
) -> list[str]:
    """Every problem we can see, each as a sentence with its fix."""
    me = guild.me
    problems: list[str] = []
    for purpose in ChannelPurpose:
        channel_id = config.channel(purpose)
        if channel_id is None:
            problems.append(texts("setup.problem_channel_unset", purpose=purpose.value))
            continue
        channel = guild.get_channel(channel_id)
        if channel is None:
            problems.append(texts("setup.problem_channel_gone", purpose=purpose.value))
            continue
        missing = channel_problems(purpose, granted_in(channel, me))
        if missing:
            problems.append(
                texts(
                    "setup.problem_channel_permissions",
                    channel=channel.mention,
                    purpose=purpose.value,
                    permissions=", ".join(permission_label(p) for p in missing),
                )
            )
    if not me.guild_permissions.manage_roles and (
        champion_role_id or any(g.role_id for g in groups)
    ):
        problems.append(texts("setup.problem_manage_roles"))
    for group in groups:
        if group.role_id is None:
            continue
        role = guild.get_role(group.role_id)
        if role is None:
            problems.append(texts("setup.problem_group_role_gone", group=group.name))
            continue
        key = role_problem(
            is_default=role.is_default(),
            is_managed=role.managed,
            position=role.position,
            bot_top_position=me.top_role.position,
        )
        if key is not None:
            reason = texts(key, role=role.mention)
            problems.append(texts("setup.problem_group_role", group=group.name, reason=reason))
    if champion_role_id is not None:
        role = guild.get_role(champion_role_id)
        if role is None:
            problems.append(texts("setup.problem_champion_role_gone"))
        else:
            key = role_problem(
                is_default=role.is_default(),
                is_managed=role.managed,
                position=role.position,
                bot_top_position=me.top_role.position,
            )
            if key is not None:
                problems.append(texts(key, role=role.mention))
    if len(groups) < MIN_GROUPS:
        problems.append(texts("setup.problem_few_groups", minimum=MIN_GROUPS))
    if len(groups) > MAX_GROUPS:
        problems.append(texts("setup.problem_many_groups", count=len(groups), maximum=MAX_GROUPS))
    return problems
