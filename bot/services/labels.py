"""Labels that the charts, the report's tables and its CSVs share (no matplotlib here)."""

from __future__ import annotations

from bot.services.digest import ConditionCount
from bot.text import Messages

#: Longest axis label before it is cut with an ellipsis.
MAX_LABEL = 40


def short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def condition_label(count: ConditionCount, texts: Messages, limit: int | None = None) -> str:
    """ "3. Working alongside, not doing to", cut to ``limit`` characters if given."""
    if count.number is None:
        return texts("chart.no_condition")
    label = texts("chart.condition_label", number=count.number, title=count.title or "")
    return label if limit is None else short(label, limit)
