"""CPU-heavy work away from the event loop.

Pure-Python work in a thread still holds the GIL most of the time, so a thread only
shortens the stall of the event loop (and with it the gateway heartbeat and every
other member's command); it does not remove it. Heavy jobs (the pairing engine on a
big roulette, charts, the report's HTML and CSV files) therefore run in worker
processes: a small pool, started with ``spawn`` on first use (so a worker never
inherits the bot's threads, sockets or database connections) and shut down when the
bot closes. Inputs and results cross as pickles, so a job is a module-level function
of plain data.

Small jobs stay inline: below a few tens of milliseconds, pickling and the hop to a
worker cost more than the work.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Worker processes at most; one core stays free for the event loop on small machines.
WORKERS = 2


class Offload:
    """Runs a function in a worker process (or, with ``processes=False``, a thread)."""

    def __init__(self, workers: int = WORKERS, *, processes: bool = True) -> None:
        self._workers = workers
        self._processes = processes
        self._pool: Executor | None = None

    @property
    def started(self) -> bool:
        """Whether a worker pool exists (it is created by the first job)."""
        return self._pool is not None

    def _executor(self) -> Executor | None:
        if not self._processes:
            return None
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=context)
            log.debug("Started %d worker processes", self._workers)
        return self._pool

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` off the event loop; its exceptions propagate."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), partial(function, *args, **kwargs))

    async def warm(self, *modules: str) -> None:
        """Start every worker now and import ``modules`` in each, so that the first real
        job does not wait for processes to start (a second or more on a busy machine)."""
        if not self._processes:
            return
        await asyncio.gather(*(self.run(_import, modules) for _ in range(self._workers)))

    async def close(self) -> None:
        """Stop the workers (jobs not yet started are cancelled), without blocking the loop."""
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
            log.debug("Stopped the worker processes")


def _import(modules: tuple[str, ...]) -> int:
    for name in modules:
        importlib.import_module(name)
    return os.getpid()


async def run_inline(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` right here (for small jobs and the command line)."""
    return function(*args, **kwargs)
