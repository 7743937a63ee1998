"""PNG charts for the digest and the impact report, drawn off-screen with matplotlib.

Every chart sits on an opaque warm-grey card with dark text, so it reads the same
in Discord's dark and light themes and in a printed report. Colours are chosen to
stay distinct for the common kinds of colour blindness. The functions are pure
and CPU-bound: call them through ``asyncio.to_thread`` from the event loop.
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Sequence
from datetime import timedelta

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.services.bridging import BridgingMatrix
from bot.services.digest import ConditionCount, Digest
from bot.services.labels import MAX_LABEL, condition_label, short
from bot.text import Messages

log = logging.getLogger(__name__)

DPI = 100
WIDE = (12.0, 6.0)  # 1200 × 600 px
CARD = "#F3EFE8"
INK = "#1F2A33"
MUTED = "#5C6670"
GRID = "#D8D1C4"
BAR = "#2E7D78"
CURRENT = "#C8553D"
PREVIOUS = "#8FA3B0"
HEAT = LinearSegmentedColormap.from_list(
    "kindbot_heat", ["#FBF8F3", "#9CCFC6", "#2E7D78", "#153F3C"]
)
TITLE_SIZE = 16
LABEL_SIZE = 12
TICK_SIZE = 11


#: Where the digest's two charts sit (left, bottom, width, height, as parts of the
#: figure). Fixed, because the labels are: axis labels are cut at MAX_LABEL characters,
#: and a layout engine would cost the digest a second drawing pass.
DIGEST_TREND_BOX = (0.075, 0.09, 0.335, 0.81)
DIGEST_CONDITIONS_BOX = (0.685, 0.09, 0.295, 0.81)


def _figure(size: tuple[float, float], *, layout: bool = True) -> Figure:
    figure = Figure(figsize=size, dpi=DPI, facecolor=CARD)
    if layout:
        figure.set_layout_engine("constrained")
    return figure


def _style(axes: Axes) -> None:
    axes.set_facecolor(CARD)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=TICK_SIZE)
    axes.xaxis.label.set_color(INK)
    axes.yaxis.label.set_color(INK)
    axes.title.set_color(INK)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=CARD, metadata={"Software": None})
    return buffer.getvalue()


def _week_label(period_key: str) -> str:
    """``2026-W48`` → ``W48``: the year is in the title, the axis stays uncluttered."""
    return period_key.split("-")[-1]


def digest_chart(digest: Digest, texts: Messages) -> bytes:
    """The 8-week trend of acts beside this week's conditions practised."""
    figure = _figure(WIDE, layout=False)
    figure.suptitle(
        texts("chart.digest_title", week=digest.period_key),
        color=INK,
        fontsize=TITLE_SIZE,
        fontweight="bold",
        y=0.985,
    )
    trend_axes = figure.add_axes(DIGEST_TREND_BOX)
    conditions_axes = figure.add_axes(DIGEST_CONDITIONS_BOX)
    _trend(trend_axes, digest, texts)
    _conditions(conditions_axes, digest.conditions, texts)
    if digest.quiet:
        trend_axes.text(
            0.5,
            0.55,
            textwrap.fill(texts("chart.quiet_note"), 38),
            transform=trend_axes.transAxes,
            ha="center",
            va="center",
            color=INK,
            fontsize=13,
            bbox={"boxstyle": "round,pad=0.6", "facecolor": "#FBF8F3", "edgecolor": GRID},
        )
    return _png(figure)


def _trend(axes: Axes, digest: Digest, texts: Messages) -> None:
    _style(axes)
    labels = [_week_label(w.period_key) for w in digest.trend]
    values = [w.count for w in digest.trend]
    colours = [BAR] * (len(values) - 1) + [CURRENT]
    bars = axes.bar(labels, values, color=colours, width=0.7, zorder=2)
    axes.bar_label(bars, labels=[f"{v:,}" for v in values], color=INK, fontsize=10, padding=2)
    axes.set_title(texts("chart.trend_title"), fontsize=LABEL_SIZE + 1, loc="left")
    axes.set_xlabel(texts("chart.trend_xlabel"), fontsize=LABEL_SIZE)
    axes.set_ylabel(texts("chart.trend_ylabel"), fontsize=LABEL_SIZE)
    axes.set_ylim(0, max(max(values, default=0), 4) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color=GRID, linewidth=0.8, zorder=0)


def _conditions(axes: Axes, counts: Sequence[ConditionCount], texts: Messages) -> None:
    _style(axes)
    labels = [condition_label(c, texts, MAX_LABEL) for c in counts]
    values = [c.count for c in counts]
    positions = list(range(len(values)))
    bars = axes.barh(positions, values, color=BAR, height=0.65, zorder=2)
    axes.bar_label(
        bars, labels=[str(v) if v else "" for v in values], color=INK, fontsize=10, padding=3
    )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_title(texts("chart.conditions_title"), fontsize=LABEL_SIZE + 1, loc="left")
    axes.set_xlabel(texts("chart.conditions_xlabel"), fontsize=LABEL_SIZE)
    axes.set_xlim(0, max(max(values, default=0), 4) * 1.15)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)


def month_conditions_chart(
    current: Sequence[ConditionCount],
    previous: Sequence[ConditionCount],
    current_label: str,
    previous_label: str,
    texts: Messages,
) -> bytes:
    """Acts by condition, this month beside the month before."""
    figure = _figure(WIDE)
    axes = figure.subplots()
    _style(axes)
    before = {c.number: c.count for c in previous}
    labels = [condition_label(c, texts, MAX_LABEL) for c in current]
    now_values = [c.count for c in current]
    then_values = [before.get(c.number, 0) for c in current]
    positions = list(range(len(current)))
    height = 0.4
    then_bars = axes.barh(
        [p + height / 2 for p in positions],
        then_values,
        height,
        color=PREVIOUS,
        label=previous_label,
        zorder=2,
    )
    now_bars = axes.barh(
        [p - height / 2 for p in positions],
        now_values,
        height,
        color=CURRENT,
        label=current_label,
        zorder=2,
    )
    for bars in (now_bars, then_bars):
        axes.bar_label(
            bars, labels=[f"{b.get_width():,.0f}" for b in bars], color=INK, fontsize=9, padding=3
        )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_title(
        texts("chart.month_conditions_title"),
        color=INK,
        fontsize=TITLE_SIZE,
        loc="left",
        fontweight="bold",
    )
    axes.set_xlabel(texts("chart.month_conditions_xlabel"), fontsize=LABEL_SIZE)
    axes.set_xlim(0, max(max(now_values + then_values, default=0), 4) * 1.15)
    axes.grid(axis="x", color=GRID, linewidth=0.8, zorder=0)
    legend = axes.legend(
        handles=[now_bars, then_bars],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        frameon=False,
        fontsize=TICK_SIZE,
    )
    for text in legend.get_texts():
        text.set_color(INK)
    return _png(figure)


def bridging_heatmap(matrix: BridgingMatrix, texts: Messages) -> bytes:
    """Group × group counts of meetings that happened, with the numbers in the cells."""
    size = max(matrix.size, 1)
    figure = _figure((11.0, max(7.0, 2.6 + 0.6 * size)))
    axes = figure.subplots()
    _style(axes)
    figure.suptitle(
        texts("chart.bridging_title"), color=INK, fontsize=TITLE_SIZE, fontweight="bold"
    )
    axes.set_title(
        texts(
            "chart.bridging_subtitle",
            start=matrix.since.date().isoformat(),
            end=(matrix.until - timedelta(seconds=1)).date().isoformat(),
            met=matrix.distinct_pairs_met,
            possible=matrix.possible_pairs,
        ),
        color=MUTED,
        fontsize=LABEL_SIZE,
    )
    if matrix.size == 0:
        axes.set_axis_off()
        axes.text(
            0.5,
            0.5,
            texts("chart.bridging_no_groups"),
            ha="center",
            color=MUTED,
            fontsize=LABEL_SIZE,
        )
        return _png(figure)
    peak = max((max(row) for row in matrix.counts), default=0)
    image = axes.imshow(matrix.counts, cmap=HEAT, vmin=0, vmax=max(peak, 1), aspect="equal")
    labels = [short(name, 24) for name in matrix.group_names]
    axes.set_xticks(range(matrix.size), labels, rotation=30, ha="right")
    axes.set_yticks(range(matrix.size), labels)
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    for i, row in enumerate(matrix.counts):
        for j, value in enumerate(row):
            dark_cell = value > 0.55 * max(peak, 1)
            axes.text(
                j,
                i,
                f"{value:,}",
                ha="center",
                va="center",
                fontsize=TICK_SIZE,
                color="#FFFFFF" if dark_cell else INK,
                fontstyle="italic" if i == j else "normal",
            )
    colorbar = figure.colorbar(image, ax=axes, shrink=0.85)
    colorbar.set_label(texts("chart.bridging_colorbar"), color=INK, fontsize=LABEL_SIZE)
    colorbar.ax.tick_params(colors=INK)
    colorbar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    colorbar.outline.set_visible(False)
    note = "chart.bridging_note" if peak else "chart.bridging_empty"
    axes.set_xlabel(texts(note), color=MUTED, fontsize=10, labelpad=12)
    return _png(figure)
