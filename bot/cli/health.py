"""``kindbot health``: exit 0 while the bot's heartbeat is fresh, 1 otherwise (for
Docker's HEALTHCHECK and monitoring)."""

from __future__ import annotations

import sys

from bot.cli.common import EXIT_OK, EXIT_UNHEALTHY
from bot.clock import Clock, SystemClock
from bot.heartbeat import check_health, heartbeat_path
from bot.settings import Settings


def health(settings: Settings, clock: Clock | None = None) -> int:
    result = check_health(heartbeat_path(settings.db_path), (clock or SystemClock()).now())
    if result.healthy:
        print(f"kindbot: {result.message}")
        return EXIT_OK
    print(f"kindbot: {result.message}", file=sys.stderr)
    return EXIT_UNHEALTHY
