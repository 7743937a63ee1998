"""The emulator's clock: real monotonic time plus whatever a test has skipped ahead."""

from __future__ import annotations

import time


class Clock:
    """Monotonic seconds that a test can move forward with :meth:`advance`."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        """Moves the clock ``seconds`` ahead (windows such as ``enforce_nonce`` expire)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
