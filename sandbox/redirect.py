"""Points the unmodified discord.py client at an emulator instead of discord.com."""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

_REAL_BASE = discord.http.Route.BASE
_REAL_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def point_discord_at(api_base: str) -> None:
    """Sends discord.py's REST calls to ``{api_base}/api/v10`` and its gateway to ``/gateway``.

    discord.py reads both class attributes at request/connect time, so this works for
    any client created before or after the call (in this process).
    """
    base = api_base.rstrip("/")
    discord.http.Route.BASE = f"{base}/api/v10"
    ws_base = yarl.URL(base)
    scheme = "wss" if ws_base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = ws_base.with_scheme(scheme).with_path(
        "/gateway"
    )


def restore_discord_defaults() -> None:
    """Undoes :func:`point_discord_at` (tests call this at teardown)."""
    discord.http.Route.BASE = _REAL_BASE
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = _REAL_GATEWAY
