"""The chart jobs the bot hands to its drawing worker (see :meth:`bot.offload.Offload.draw`).

Each entry point imports the drawing code, and with it matplotlib (some 45 MB before the
first figure), only when it runs: in the worker. The bot's own process never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.services.bridging import BridgingMatrix
    from bot.services.digest import Digest
    from bot.text import Messages


def digest_chart(digest: Digest, texts: Messages) -> bytes:
    from bot.services import charts

    return charts.digest_chart(digest, texts)


def bridging_heatmap(matrix: BridgingMatrix, texts: Messages) -> bytes:
    from bot.services import charts

    return charts.bridging_heatmap(matrix, texts)
