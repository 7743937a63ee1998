"""CPU-heavy work away from the event loop.

Pure-Python work in a thread still holds the GIL most of the time, so a thread only
shortens the stall of the event loop (and with it the gateway heartbeat and every
other member's command); it does not remove it. Heavy jobs (the pairing engine on a
big roulette, charts, the report's HTML and CSV files) therefore run in worker
processes, started with ``spawn`` on first use (so a worker never inherits the bot's
threads, sockets or database connections) and shut down when the bot closes. Inputs
and results cross as pickles, so a job is a module-level function of plain data.

There are two kinds of worker. :meth:`Offload.run` sends a job to the general pool
(rounds, the report's CSVs, exports). :meth:`Offload.draw` sends one to the drawing
worker, the only process that loads matplotlib: a worker that has drawn once keeps
matplotlib's modules and font cache (some 100 MB at 4× the bench's data), so keeping
every chart in one process keeps that cost to one process.

Small jobs stay inline: below a few tens of milliseconds, pickling and the hop to a
worker cost more than the work.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import partial
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: General worker processes: with the drawing worker, one per core of a small machine.
WORKERS = 1
#: Logged once :meth:`Offload.warm` has started every general worker.
WORKERS_READY = "Worker processes ready"
#: Processes that draw charts (each keeps matplotlib loaded once it has drawn).
DRAWING_WORKERS = 1


class Offload:
    """Runs a function in a worker process (or, with ``processes=False``, a thread)."""

    def __init__(self, workers: int = WORKERS, *, processes: bool = True) -> None:
        self._workers = workers
        self._processes = processes
        self._pool: Executor | None = None
        self._drawing: Executor | None = None

    @property
    def started(self) -> bool:
        """Whether a worker pool exists (each is created by its first job)."""
        return self._pool is not None or self._drawing is not None

    def _executor(self) -> Executor | None:
        if not self._processes:
            return None
        if self._pool is None:
            self._pool = _spawn(self._workers)
            log.debug("Started %d worker processes", self._workers)
        return self._pool

    def _drawer(self) -> Executor | None:
        if not self._processes:
            return None
        if self._drawing is None:
            self._drawing = _spawn(DRAWING_WORKERS)
            log.debug("Started the drawing worker")
        return self._drawing

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function(*args, **kwargs)`` off the event loop; its exceptions propagate."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor(), partial(function, *args, **kwargs))

    async def draw(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like :meth:`run`, in the drawing worker: for every job that draws a chart."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._drawer(), partial(function, *args, **kwargs))

    async def warm(self, *modules: str) -> None:
        """Start every worker now and import ``modules`` in each, so that the first real
        job does not wait for processes to start (a second or more on a busy machine)."""
        if not self._processes:
            return
        started = time.perf_counter()
        await asyncio.gather(*(self.run(_import, modules) for _ in range(self._workers)))
        log.info("%s in %.2f s", WORKERS_READY, time.perf_counter() - started)

    async def close(self) -> None:
        """Stop the workers (jobs not yet started are cancelled), without blocking the loop."""
        pools = [p for p in (self._pool, self._drawing) if p is not None]
        self._pool = self._drawing = None
        for pool in pools:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        if pools:
            log.debug("Stopped the worker processes")


def _spawn(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _import(modules: tuple[str, ...]) -> int:
    for name in modules:
        importlib.import_module(name)
    return os.getpid()


async def run_inline(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` right here (for small jobs and the command line)."""
    return function(*args, **kwargs)
