"""Giving and taking roles, with a precise fix when Discord's hierarchy gets in the way."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.services.onboarding import RolePlan

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


async def apply_role_plan(bot: KindBot, member: discord.Member, plan: RolePlan) -> bool:
    """Apply ``plan``; on any problem tell the coordinators the exact fix. True if all went well."""
    guild = member.guild
    texts = bot.services.texts
    me = guild.me
    fixes: list[str] = []
    if (plan.add or plan.remove) and not me.guild_permissions.manage_roles:
        fixes.append(texts("onboarding.fix_manage_roles"))
    else:
        for role_id, adding in [(r, True) for r in plan.add] + [(r, False) for r in plan.remove]:
            role = guild.get_role(role_id)
            if role is None:
                fixes.append(texts("onboarding.fix_role_gone", role_id=role_id))
                continue
            if adding == (role in member.roles):
                continue
            if role >= me.top_role:
                fixes.append(texts("onboarding.fix_role_above", role=role.mention))
                continue
            try:
                if adding:
                    await member.add_roles(role, reason="kindbot: champion profile")
                else:
                    await member.remove_roles(role, reason="kindbot: champion profile")
            except discord.Forbidden:
                fixes.append(texts("onboarding.fix_role_above", role=role.mention))
            except discord.HTTPException as exc:
                log.warning("Role change failed for %s: %s", member.id, exc)
                fixes.append(texts("onboarding.fix_role_retry", role=role.mention))
    if fixes:
        # One note a day per problem in the coordinators' log, however many members it hits.
        detail = texts(
            "onboarding.roles_log", member=member.mention, fixes="\n".join(f"• {f}" for f in fixes)
        )
        await bot.services.alerts.role_failed(guild.id, detail, fixes)
    return not fixes
