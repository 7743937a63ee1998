"""One place that turns any failure in a command, button or form into a kind reply.

Expected problems (bad input, missing permissions) get a clear explanation.
Anything unexpected gets a short code, shown to the member and logged with the
traceback, so a coordinator can find the exact failure from a screenshot.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.interaction import ClientT, as_kindbot, reply_privately
from bot.problems import UserFacingError

if TYPE_CHECKING:
    from bot.interaction import Interaction
    from bot.text import Messages

log = logging.getLogger(__name__)

_PERMISSION_LABELS = {
    "manage_guild": "Manage Server",
    "manage_roles": "Manage Roles",
    "manage_channels": "Manage Channels",
    "manage_threads": "Manage Threads",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_private_threads": "Create Private Threads",
    "view_channel": "View Channel",
    "read_message_history": "Read Message History",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "administrator": "Administrator",
}

__all__ = ["NotCoordinator", "UserFacingError", "explain", "report_error"]


class NotCoordinator(app_commands.CheckFailure):
    """The member is neither a server manager nor holds the coordinator role."""


def permission_label(name: str) -> str:
    return _PERMISSION_LABELS.get(name, name.replace("_", " ").replace("guild", "server").title())


def new_error_code() -> str:
    return f"KB-{secrets.token_hex(3).upper()}"


PULSE_PREFIX = "pulse."


@functools.cache
def pulse_messages() -> Messages:
    """The ``pulse.*`` replies, which live in ``prompts/pulse.toml``."""
    from bot.services.pulse import load_pulse_content

    return load_pulse_content().messages


def explain(error: BaseException, texts: Messages) -> str:
    """The message a member should see for ``error``; unexpected errors are logged."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.TransformerError):
        return texts("errors.bad_option", value=str(error.value)[:80])
    if isinstance(error, UserFacingError):
        if error.key.startswith(PULSE_PREFIX):
            return pulse_messages()(error.key, **error.params)
        return texts(error.key, **error.params)
    if isinstance(error, NotCoordinator):
        return texts("errors.not_coordinator")
    if isinstance(error, app_commands.MissingPermissions):
        labels = ", ".join(permission_label(p) for p in error.missing_permissions)
        return texts("errors.member_missing_permissions", permissions=labels)
    if isinstance(error, app_commands.BotMissingPermissions):
        labels = ", ".join(permission_label(p) for p in error.missing_permissions)
        return texts("errors.bot_missing_permissions", permissions=labels)
    if isinstance(error, app_commands.NoPrivateMessage):
        return texts("errors.guild_only")
    if isinstance(error, app_commands.CommandOnCooldown):
        return texts("errors.cooldown", count=max(1, round(error.retry_after)))
    if isinstance(error, discord.Forbidden) and error.code == 50007:
        return texts("errors.dm_closed")
    if isinstance(error, discord.Forbidden):
        log.warning("Discord refused an action: %s", error)
        return texts("errors.discord_forbidden")
    if isinstance(error, discord.NotFound) and error.code in (10003, 10008):
        return texts("errors.gone")
    code = new_error_code()
    log.error("[%s] Unexpected error", code, exc_info=error)
    return texts("errors.unexpected", code=code)


async def report_error(interaction: Interaction, error: BaseException) -> None:
    """Tell the member what went wrong, privately; a reply Discord refuses is only logged."""
    if interaction.client.is_closed():
        log.info("Interaction %s was cut short by shutdown: %r", interaction.id, error)
        return
    try:
        await reply_privately(interaction, explain(error, interaction.client.services.texts))
    except discord.HTTPException as exc:
        log.warning("Could not show an error message to %s: %s", interaction.user.id, exc)


async def answer_kindly(
    interaction: discord.Interaction[ClientT], handler: Callable[[Interaction], Awaitable[None]]
) -> None:
    """Run a persistent item's handler; a failure gets the same kind reply as a command's.

    discord.py hands dynamic items an interaction typed for any client; kindbot's items
    always belong to ``KindBot``, so the handler gets the typed one.
    """
    mine = as_kindbot(interaction)
    try:
        await handler(mine)
    except Exception as error:
        await report_error(mine, error)
