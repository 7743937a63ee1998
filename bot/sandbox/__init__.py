"""A loopback emulator of Discord's v10 REST API and gateway for end-to-end tests and demos.

The unmodified discord.py client talks to it over HTTP and websocket (see
:func:`point_discord_at`); tests drive users through :class:`DiscordEmulator`.
"""

from bot.sandbox.emulator import DiscordEmulator
from bot.sandbox.gateway import Intent
from bot.sandbox.interactions import (
    CommandUnavailable,
    InteractionError,
    InteractionHandle,
    Modal,
)
from bot.sandbox.permissions import Perm
from bot.sandbox.redirect import point_discord_at, restore_discord_defaults
from bot.sandbox.router import FailureRule, RequestRecord
from bot.sandbox.state import Attachment, Channel, Guild, Member, Message, Role, User

__all__ = [
    "Attachment",
    "Channel",
    "CommandUnavailable",
    "DiscordEmulator",
    "FailureRule",
    "Guild",
    "Intent",
    "InteractionError",
    "InteractionHandle",
    "Member",
    "Message",
    "Modal",
    "Perm",
    "RequestRecord",
    "Role",
    "User",
    "point_discord_at",
    "restore_discord_defaults",
]
