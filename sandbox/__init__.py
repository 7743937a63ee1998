"""A loopback emulator of Discord's v10 REST API and gateway for end-to-end tests and demos.

The unmodified discord.py client talks to it over HTTP and websocket (see
:func:`point_discord_at`); tests drive users through :class:`DiscordEmulator`.
"""

from sandbox.emulator import DiscordEmulator
from sandbox.gateway import Intent
from sandbox.interactions import (
    CommandUnavailable,
    InteractionError,
    InteractionHandle,
    Modal,
)
from sandbox.permissions import Perm
from sandbox.redirect import point_discord_at, restore_discord_defaults
from sandbox.router import FailureMode, FailureRule, RequestRecord
from sandbox.state import Attachment, Channel, Guild, Member, Message, Role, User

__all__ = [
    "Attachment",
    "Channel",
    "CommandUnavailable",
    "DiscordEmulator",
    "FailureMode",
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
