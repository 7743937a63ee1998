"""The report funders read: the outcome figures for a period, as a template context,
rendered to HTML (Jinja2 templates in ``prompts/report/``, autoescaped) with a print
stylesheet, and a CSV pack with one tidy file per table."""

from bot.services.funders.service import (
    REPORT_FILE,
    FundersReport,
    FundersReportService,
    NameLookup,
    Story,
    pick_stories,
)
from bot.services.funders.tables import Table
from bot.services.funders.texts import FundersContentError, FundersTexts, load_funders_texts

__all__ = [
    "REPORT_FILE",
    "FundersContentError",
    "FundersReport",
    "FundersReportService",
    "FundersTexts",
    "NameLookup",
    "Story",
    "Table",
    "load_funders_texts",
    "pick_stories",
]
