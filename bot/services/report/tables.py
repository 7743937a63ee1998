"""The report's CSV files: figures, rounds and pseudonymous meetings.

Numbers are written as numbers and every text cell is safe to open in a
spreadsheet (see :mod:`bot.services.spreadsheet`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from bot.repos.analytics import MeetingMemberRow, RoundFigures
from bot.services.report.figures import MonthlyReport, figure_label, period_label
from bot.services.spreadsheet import spreadsheet_cell, spreadsheet_safe, to_csv
from bot.text import Messages


def pseudonym(guild_id: int, salt: str, user_id: int | None) -> str | None:
    """A stable, non-reversible id for exports; None for an erased member."""
    if user_id is None:
        return None
    digest = hashlib.sha256(f"{guild_id}:{salt}:{user_id}".encode()).hexdigest()
    return f"c-{digest[:10]}"


def figures_csv(report: MonthlyReport, texts: Messages) -> str:
    header = [
        texts("csv.figure"),
        texts("csv.detail"),
        texts("csv.this_month", month=period_label(report.current, texts)),
        texts("csv.previous_month", month=period_label(report.previous, texts)),
        texts("csv.change"),
    ]
    rows = (
        [
            figure_label(row, texts),
            row.detail or texts("csv.all"),
            "" if row.current is None else round(row.current, 1),
            "" if row.previous is None else round(row.previous, 1),
            "" if row.change is None else round(row.change, 1),
        ]
        for row in report.rows(texts)
    )
    return to_csv(header, rows)


#: A CSV file's header and its rows (the rows may be read lazily, as the file is written).
CsvTable = tuple[list[str], Iterable[Sequence[object]]]


def write_csv(path: Path, table: CsvTable) -> Path:
    """Write a CSV file row by row, with every cell safe to open in a spreadsheet: the
    bytes of :func:`~bot.services.spreadsheet.to_csv`, in utf-8 with a byte-order mark
    so spreadsheet programs read accents and emoji correctly."""
    header, rows = table
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(h) for h in header])
    writer.writerows([_cell(v) for v in row] for row in rows)
    path.write_text(text.getvalue(), encoding="utf-8-sig", newline="")
    return path


def _cell(value: object) -> object:
    """:func:`~bot.services.spreadsheet.spreadsheet_cell`, quicker for plain text."""
    if value.__class__ is str:
        text = str(value)
        return spreadsheet_safe(text) if text[:1] in _RISKY_STARTS else text
    return spreadsheet_cell(value)


#: First characters that :func:`~bot.services.spreadsheet.spreadsheet_safe` may guard.
_RISKY_STARTS = frozenset("=+-@\t\r")


def rounds_table(
    rounds: Iterable[RoundFigures], texts: Messages, local_day: Callable[[datetime], str]
) -> CsvTable:
    header = [
        texts("csv.week"),
        texts("csv.made_on"),
        texts("csv.condition_number"),
        texts("csv.meetings"),
        texts("csv.cross_group_meetings"),
        texts("csv.pairs"),
        texts("csv.cross_group_pairs"),
        texts("csv.meetings_met"),
        texts("csv.meetings_answered"),
        texts("csv.checkin_due"),
    ]
    rows = (
        [
            r.period_key,
            local_day(r.created_at),
            r.condition_number or "",
            r.meetings,
            r.cross_group_meetings,
            r.pairs,
            r.cross_group_pairs,
            r.met,
            r.answered,
            local_day(r.checkin_due_at),
        ]
        for r in rounds
    )
    return header, rows


def meetings_table(
    members: Iterable[MeetingMemberRow],
    groups: dict[int, str],
    texts: Messages,
    guild_id: int,
    salt: str,
) -> CsvTable:
    header = [
        texts("csv.week"),
        texts("csv.meeting"),
        texts("csv.cross_group"),
        texts("csv.member"),
        texts("csv.group"),
        texts("csv.answer"),
    ]
    answers = {
        "yes": texts("csv.answer_yes"),
        "not_yet": texts("csv.answer_not_yet"),
        "cant": texts("csv.answer_cant"),
    }
    anonymous = texts("csv.anonymous")
    yes, no = texts("csv.yes"), texts("csv.no")
    rows = (
        [
            m.period_key,
            m.position + 1,
            yes if m.cross_group else no,
            pseudonym(guild_id, salt, m.user_id) or anonymous,
            groups.get(m.group_id, "") if m.group_id is not None else "",
            answers.get(m.answer or "", ""),
        ]
        for m in members
    )
    return header, rows
