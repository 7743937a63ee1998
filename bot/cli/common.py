"""What every ``kindbot`` front end shares: the one-line error and its exit code.

Kept free of heavy imports, so that ``kindbot --help`` and ``kindbot pair`` start fast.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from bot.logging_setup import configure_logging
from bot.settings import Settings, level_number

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An expected failure, reported as one line."""


def setup_logging(settings: Settings) -> None:
    configure_logging(
        level_number(settings),
        secrets=[settings.token.reveal()] if settings.token else [],
        log_format=settings.log_format,
    )


def quiet_logging(level: int = logging.WARNING) -> None:
    configure_logging(level)


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        return 130
