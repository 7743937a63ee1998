"""Pausing Python's cycle collector through a burst of allocations."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector, which only slows a burst of millions of acyclic objects
    (a round's rows, its engine's tables): each of its passes walks every live object.

    Reference counting still frees everything; the previous setting is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
