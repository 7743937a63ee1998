"""A heartbeat file beside the database, so ``kindbot health`` can tell a live bot
from a stuck or disconnected one without touching Discord or the database.

While the bot is connected it rewrites ``<database>.heartbeat`` every
:data:`INTERVAL` with the current time; ``kindbot health`` calls the bot unhealthy
when that time is older than :data:`STALE_AFTER` or the file is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import Clock, SystemClock

log = logging.getLogger(__name__)

INTERVAL = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=5)


def heartbeat_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".heartbeat")


def write_heartbeat(path: Path, when: datetime) -> None:
    """Replace the file in one step, so a reader never sees half a time."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(when.isoformat(), encoding="utf-8")
    os.replace(partial, path)


@dataclass(frozen=True)
class Health:
    healthy: bool
    message: str


def check_health(path: Path, now: datetime) -> Health:
    """Healthy when the last heartbeat is at most :data:`STALE_AFTER` old."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return Health(False, f"no heartbeat yet at {path}: the bot is not running or not connected")
    except OSError as exc:
        return Health(False, f"cannot read the heartbeat {path} ({exc.strerror or exc})")
    try:
        beat = datetime.fromisoformat(text)
    except ValueError:
        return Health(False, f"the heartbeat {path} is unreadable")
    if beat.tzinfo is None:
        return Health(False, f"the heartbeat {path} has no UTC offset")
    age = now - beat
    seconds = int(age.total_seconds())
    if age > STALE_AFTER:
        minutes = seconds // 60
        return Health(
            False,
            f"the last heartbeat was {minutes} minutes ago: the bot is stuck or disconnected",
        )
    return Health(True, f"healthy: last heartbeat {max(seconds, 0)} s ago")


class HeartbeatWriter:
    """The task that writes the heartbeat while ``connected()`` is true."""

    def __init__(
        self,
        path: Path,
        connected: Callable[[], bool],
        clock: Clock | None = None,
        interval: timedelta = INTERVAL,
    ) -> None:
        self.path = path
        self._connected = connected
        self._clock = clock or SystemClock()
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self._announced = False

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._beat(), name="heartbeat")

    async def stop(self) -> None:
        """Stop beating and remove the file: a stopped bot is not a healthy one."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(OSError):
            await asyncio.to_thread(self.path.unlink, missing_ok=True)

    async def beat_once(self) -> bool:
        """Write one heartbeat if connected; False when skipped or it failed."""
        if not self._connected():
            return False
        try:
            await asyncio.to_thread(write_heartbeat, self.path, self._clock.now())
        except OSError as exc:
            log.warning("Cannot write the heartbeat %s: %s", self.path, exc.strerror or exc)
            return False
        if not self._announced:
            self._announced = True
            log.info("Heartbeat: %s, every %d s", self.path, int(self._interval.total_seconds()))
        return True

    async def _beat(self) -> None:
        # Until the first beat, look every second, so a fresh start shows up at once.
        while True:
            beat = await self.beat_once()
            wait = self._interval.total_seconds()
            await asyncio.sleep(wait if beat else min(wait, 1.0))
