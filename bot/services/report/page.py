"""The report as one self-contained HTML page: inline CSS and charts, no scripts or links."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from datetime import UTC

from bot.services.report.figures import FigureRow, MonthlyReport, figure_label, period_label
from bot.text import Messages


def format_value(value: float | None, percent: bool, texts: Messages) -> str:
    if value is None:
        return texts("value.unknown")
    if percent:
        return texts("value.percent", value=f"{value:.1f}")
    return f"{value:,.0f}"


def format_change(row: FigureRow, texts: Messages) -> str:
    change = row.change
    if change is None:
        return texts("value.unknown")
    if abs(change) < 0.05:
        return texts("value.no_change")
    sign = "+" if change > 0 else "−"
    number = f"{abs(change):.1f}" if row.percent else f"{abs(change):,.0f}"
    key = "value.change_points" if row.percent else "value.change"
    return texts(key, sign=sign, value=number)


_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f3efe8; color: #1f2a33;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid #d8d1c4; }
.lede { color: #5c6670; margin: 0 0 20px; }
table { border-collapse: collapse; width: 100%; background: #fbf8f3; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid #e4ddd1; }
th { background: #e9e3d8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.up { color: #1d6b4f; } .down { color: #a2432f; }
img { max-width: 100%; height: auto; border-radius: 8px; display: block; margin: 12px 0; }
.note { color: #5c6670; font-size: 0.92rem; }
footer { margin-top: 40px; color: #5c6670; font-size: 0.9rem; }
@media print { body { background: #fff; } main { padding: 0; } }
"""


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric_from: int) -> str:
    def cell(tag: str, index: int, text: str) -> str:
        css = ' class="num"' if index >= numeric_from else ""
        return f"<{tag}{css}>{text}</{tag}>"

    head = "".join(cell("th", i, html.escape(h)) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _comparison_cells(row: FigureRow, texts: Messages) -> list[str]:
    change = row.change
    css = (
        ""
        if not change or abs(change) < 0.05
        else (' class="up"' if change > 0 else ' class="down"')
    )
    return [
        html.escape(format_value(row.current, row.percent, texts)),
        html.escape(format_value(row.previous, row.percent, texts)),
        f"<span{css}>{html.escape(format_change(row, texts))}</span>",
    ]


def render_html(report: MonthlyReport, texts: Messages, *, heatmap: bytes | None = None) -> str:
    """A self-contained page: inline CSS and charts, no scripts, no external links.

    ``heatmap`` is the bridging heatmap when it has been drawn already."""
    t = texts
    now, then = report.current, report.previous
    esc = html.escape
    now_label, then_label = period_label(now, t), period_label(then, t)
    compare_header = [
        t("html.this_month", month=now_label),
        t("html.previous_month", month=then_label),
        t("html.change"),
    ]
    headline = _table(
        [t("html.figure"), *compare_header],
        ([esc(figure_label(r, t)), *_comparison_cells(r, t)] for r in report.headline()),
        numeric_from=1,
    )
    groups = _table(
        [
            t("html.group"),
            t("html.active", month=now_label),
            t("html.active", month=then_label),
            t("html.new", month=now_label),
            t("html.new", month=then_label),
        ],
        (
            [
                esc(a.detail or t("html.no_group")),
                *(
                    esc(format_value(v, False, t))
                    for v in (a.current, a.previous, n.current, n.previous)
                ),
            ]
            for a, n in zip(
                report.by_group("active_champions"), report.by_group("new_champions"), strict=True
            )
        ),
        numeric_from=1,
    )
    conditions = _table(
        [t("html.condition"), *compare_header],
        ([esc(r.detail or ""), *_comparison_cells(r, t)] for r in report.by_condition(t)),
        numeric_from=1,
    )
    from bot.services import charts  # matplotlib: only where a page is drawn

    conditions_png = charts.month_conditions_chart(
        now.acts_by_condition, then.acts_by_condition, now_label, then_label, t
    )
    bridging_png = heatmap if heatmap is not None else charts.bridging_heatmap(now.bridging, t)
    generated = report.generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    definitions = "".join(
        f"<li>{esc(t(key))}</li>"
        for key in (
            "html.define_active",
            "html.define_new",
            "html.define_met",
            "html.define_rate",
            "html.define_pairs",
            "html.define_privacy",
        )
    )
    sections = [
        f"<h1>{esc(t('html.title', month=now_label))}</h1>",
        f'<p class="lede">{esc(t("html.lede", start=now.first_day.isoformat(), end=now.last_day.isoformat(), timezone=report.timezone))}</p>',  # noqa: E501
        f"<h2>{esc(t('html.headline_heading'))}</h2>",
        headline,
        f"<h2>{esc(t('html.groups_heading'))}</h2>",
        groups,
        f"<h2>{esc(t('html.conditions_heading'))}</h2>",
        _image(conditions_png, t("html.conditions_alt", month=now_label)),
        conditions,
        f"<h2>{esc(t('html.bridging_heading'))}</h2>",
        f"<p>{esc(t('html.bridging_summary', met=now.group_pairs_connected, possible=now.possible_group_pairs, previous=then.group_pairs_connected))}</p>",  # noqa: E501
        _image(bridging_png, t("html.bridging_alt", month=now_label)),
        f"<h2>{esc(t('html.definitions_heading'))}</h2>",
        f'<ul class="note">{definitions}</ul>',
        f"<footer>{esc(t('html.footer', generated=generated))}</footer>",
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(t('html.title', month=now_label))}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
