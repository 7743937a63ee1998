"""Where discord.py sends its requests: Discord itself, or the address in ``KINDBOT_DISCORD_API``.

The setting exists for the offline demo and the end-to-end tests, which run a local
Discord emulator; in production it is unset and nothing here changes discord.py.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl


def use_discord_api(api_base: str) -> None:
    """Sends REST calls to ``{api_base}/api/v10`` and the gateway to ``{api_base}/gateway``.

    discord.py reads both class attributes when it makes a request or connects, so this
    applies to every client in the process, made before or after the call.
    """
    base = yarl.URL(api_base.rstrip("/"))
    discord.http.Route.BASE = str(base / "api" / "v10")
    scheme = "wss" if base.scheme == "https" else "ws"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base.with_scheme(scheme).with_path(
        "/gateway"
    )
