"""``/champions invite role|channel``: a personal invitation for each member of a community.

Each invitation is recorded before it is sent and goes out under Discord's rate limit
(``bot.rest_pacer``). Members whose direct messages are closed are named in one post
in the welcome channel instead. Nobody is signed up: each person still chooses their
group and consents in the form themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import discord

from bot.interaction import Interaction
from bot.models import ChannelPurpose
from bot.services.invites import Candidate, InviteProgress
from cogs.shared.channels import configured_channel
from cogs.shared.notices import tell_coordinators
from cogs.shared.posts import JOIN_BUTTON_ID, persistent_view
from cogs.shared.welcome import join_in_dm_id

if TYPE_CHECKING:
    from bot.core import KindBot

log = logging.getLogger(__name__)


#: Mentions per welcome-channel post, well inside Discord's 2,000 characters.
MENTIONS_PER_POST = 60
_DM_CLOSED = 50007


def invitation_view(bot: KindBot, guild_id: int) -> discord.ui.View:
    """The invitation's join button; the onboarding cog answers its clicks."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=bot.services.texts("onboarding.join_button"),
            style=discord.ButtonStyle.success,
            emoji="💚",
            custom_id=join_in_dm_id(guild_id),
        )
    )
    return view


@dataclass
class InviteOutcome:
    total: int = 0
    dm: list[int] = field(default_factory=list)
    posted: list[int] = field(default_factory=list)
    unreachable: list[int] = field(default_factory=list)
    skipped: int = 0


async def send_invitations(
    bot: KindBot, interaction: Interaction, members: Sequence[discord.Member]
) -> None:
    """Invite ``members`` (coordinator-checked by the caller), showing progress as it goes."""
    guild = interaction.guild
    assert guild is not None
    services, texts = bot.services, bot.services.texts
    await interaction.response.defer(ephemeral=True, thinking=True)
    plan = await services.invites.plan(guild.id, [Candidate(m.id, m.bot) for m in members])
    outcome = InviteOutcome(total=len(plan.invite), skipped=plan.skipped)
    progress = InviteProgress(len(plan.invite))
    if plan.invite:
        await _edit(interaction, texts("invite.progress", done=0, total=progress.total))
    closed: list[discord.Member] = []
    for user_id in plan.invite:
        member = guild.get_member(user_id)
        if member is None or not await services.invites.claim(guild.id, user_id):
            outcome.skipped += 1
        else:
            status = await _send_dm(bot, guild, member)
            if status == "dm":
                outcome.dm.append(user_id)
                await services.invites.mark(guild.id, [user_id], "dm")
            elif status == "closed":
                closed.append(member)
            else:
                outcome.unreachable.append(user_id)
                await services.invites.mark(guild.id, [user_id], "failed")
        progress.advance()
        if progress.edit_due():
            await _edit(
                interaction, texts("invite.progress", done=progress.done, total=progress.total)
            )
    if closed:
        posted = await _post_in_welcome(bot, guild, closed)
        outcome.posted = [m.id for m in posted]
        missed = [m.id for m in closed if m not in posted]
        outcome.unreachable += missed
        await services.invites.mark(guild.id, outcome.posted, "posted")
        await services.invites.mark(guild.id, missed, "failed")
    summary = _summary(bot, outcome)
    if progress.token_usable:
        await _edit(interaction, summary)
    else:
        await tell_coordinators(bot, guild, summary)


async def _send_dm(bot: KindBot, guild: discord.Guild, member: discord.Member) -> str:
    texts = bot.services.texts
    try:
        await bot.rest_pacer.wait()
        channel = await member.create_dm()
        await bot.rest_pacer.wait()
        await channel.send(
            texts("invite.dm", server=discord.utils.escape_markdown(guild.name)),
            view=invitation_view(bot, guild.id),
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.Forbidden as exc:
        if exc.code == _DM_CLOSED:
            return "closed"
        log.warning("Could not invite %s in guild %s: %s", member.id, guild.id, exc)
        return "failed"
    except discord.HTTPException as exc:
        log.warning("Could not invite %s in guild %s: %s", member.id, guild.id, exc)
        return "failed"
    return "dm"


async def _post_in_welcome(
    bot: KindBot, guild: discord.Guild, members: list[discord.Member]
) -> list[discord.Member]:
    """Name members with closed DMs in the welcome channel; returns those named."""
    channel = await configured_channel(bot, guild, ChannelPurpose.WELCOME)
    if channel is None:
        return []
    named: list[discord.Member] = []
    for start in range(0, len(members), MENTIONS_PER_POST):
        chunk = members[start : start + MENTIONS_PER_POST]
        await bot.rest_pacer.wait()
        try:
            await channel.send(
                bot.services.texts(
                    "invite.welcome_post", members=" ".join(m.mention for m in chunk)
                ),
                view=persistent_view(bot, JOIN_BUTTON_ID),
                allowed_mentions=discord.AllowedMentions(users=chunk, everyone=False, roles=False),
            )
        except discord.HTTPException as exc:
            log.warning("Could not post invitations in guild %s: %s", guild.id, exc)
            break
        named += chunk
    return named


def _summary(bot: KindBot, outcome: InviteOutcome) -> str:
    texts = bot.services.texts
    text = texts(
        "invite.summary",
        dm=len(outcome.dm),
        posted=len(outcome.posted),
        skipped=outcome.skipped,
    )
    if outcome.unreachable:
        shown = " ".join(f"<@{u}>" for u in outcome.unreachable[:40])
        more = len(outcome.unreachable) - 40
        text += "\n" + texts("invite.unreachable", members=shown)
        if more > 0:
            text += " " + texts("invite.unreachable_more", count=more)
    return text[:2000]


async def _edit(interaction: Interaction, content: str) -> None:
    try:
        await interaction.edit_original_response(
            content=content, allowed_mentions=discord.AllowedMentions.none()
        )
    except discord.HTTPException as exc:
        log.warning("Could not update the invite progress: %s", exc)
