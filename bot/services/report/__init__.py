"""The monthly impact report: figures with last month's for comparison, as HTML and CSV.

Definitions (a month is a calendar month in the guild's timezone):

* A month that has not ended yet is counted up to the moment the report is
  made and labelled "to date" with its real last day; a month that has not
  started is refused.
* *Active champions* took part in the month: logged an act, wrote a reflection,
  or answered "yes" at the check-in of a coffee round made that month. They are
  counted by their current group.
* *New champions* first joined in the month, by their current group.
* Coffee figures cover the rounds made in the month. A meeting *met* when at
  least one member answered "yes". The *meeting rate* is met meetings out of all
  meetings of the month's rounds whose check-in time had passed when the report
  was built; unanswered meetings count as not met, so the rate is a floor.
* *Group pairs connected* is the number of pairs of different current groups
  with at least one meeting that happened, out of n·(n−1)/2 (see
  :mod:`bot.services.bridging`).

Privacy: the report holds counts, group names and condition titles only. The
CSV files list shareable acts and reflections without their authors, and coffee
meetings under pseudonyms (``c-`` + 10 hex digits of a salted SHA-256 of the
member's id, with a secret per-guild salt); erased members stay anonymous.
Nothing the bot would need a name for is ever written.

Modules: :mod:`~bot.services.report.periods` (months and their windows),
:mod:`~bot.services.report.figures` (the figures model),
:mod:`~bot.services.report.tables` (CSV files), :mod:`~bot.services.report.page`
(the HTML page) and :mod:`~bot.services.report.service` (building and writing).
"""

from __future__ import annotations

from bot.services.report.figures import (
    FigureRow,
    MonthFigures,
    MonthlyReport,
    figure_label,
    period_label,
)
from bot.services.report.page import render_html
from bot.services.report.periods import (
    FutureMonthError,
    month_window,
    parse_month,
    previous_month,
)
from bot.services.report.service import (
    CSV_FILES,
    REPORT_FILE,
    ReportService,
    load_report_texts,
)
from bot.services.report.tables import pseudonym

__all__ = [
    "CSV_FILES",
    "REPORT_FILE",
    "FigureRow",
    "FutureMonthError",
    "MonthFigures",
    "MonthlyReport",
    "ReportService",
    "figure_label",
    "load_report_texts",
    "month_window",
    "parse_month",
    "period_label",
    "previous_month",
    "pseudonym",
    "render_html",
]
