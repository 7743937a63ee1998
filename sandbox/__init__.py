"""A loopback emulator of Discord's v10 REST API and gateway for end-to-end tests and demos.

The unmodified discord.py client talks to it over HTTP and websocket (see
:func:`point_discord_at`); tests drive users through :class:`DiscordEmulator`.

It is as strict as Discord: bodies Discord refuses get a 400 "Invalid Form Body" whose
``errors`` name the field (:mod:`sandbox.validation`), Discord's numbers have names
(:mod:`sandbox.constants`), time-based windows follow the emulator's :class:`Clock`, and
:meth:`DiscordEmulator.inject_failure` can fail calls outright or store them and then
drop the connection (:class:`FailureMode`). The package knows discord.py, never kindbot.
"""

from sandbox.clock import Clock
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
    "Clock",
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
