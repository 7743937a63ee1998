"""Spacing out bursts of Discord requests so they stay under the global rate limit.

discord.py only slows down after Discord answers 429; every 429 also counts toward
Discord's invalid-request ban threshold. Announcing hundreds of coffee meetings is
the one place kindbot makes thousands of calls in a row, so it paces itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

#: Discord allows 50 requests per second per bot; stay a little under it.
DEFAULT_RATE = 45.0


class Pacer:
    """Lets callers through at most ``rate`` times per second, in order."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self._monotonic()
            if self._next > now:
                await self._sleep(self._next - now)
                now = self._next
            self._next = now + self._interval
