"""CSV files that open safely in spreadsheet programs.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would
be run as a formula, so text cells that start that way get a leading apostrophe.
Numbers are written as numbers: a spreadsheet reads ``-24`` as minus 24.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """Text for a CSV cell that a spreadsheet will never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def spreadsheet_cell(value: object) -> object:
    """Numbers as they are; anything else as :func:`spreadsheet_safe` text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return spreadsheet_safe(value)


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text whose every cell is safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(h) for h in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(v) for v in row])
    return out.getvalue()
