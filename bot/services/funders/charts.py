"""The report's charts: full labels, readable in greyscale (hatching and markers, not
colour alone). Pure and CPU-bound: call through ``asyncio.to_thread``."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

INK = "#1F2A33"
GRID = "#C9C2B6"
DARK = "#2E5E5A"
LIGHT = "#B9D6D1"
WRAP = 38
DPI = 100


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _margins(figure: Figure, height: float) -> None:
    """Room on the left for labels of up to WRAP characters, on the right for the legend
    (fixed margins: a layout engine costs more than the drawing)."""
    figure.subplots_adjust(left=0.35, right=0.8, top=1 - 0.55 / height, bottom=0.75 / height)


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, WRAP)) or label


def conditions_chart(
    rows: Sequence[tuple[str, int, int]], title: str, xlabel: str, legend: tuple[str, str]
) -> bytes:
    """Horizontal bars: all acts (plain) and those for another group (hatched), per condition."""
    height = 1.6 + 0.62 * max(1, len(rows))
    figure = Figure(figsize=(9.0, height), dpi=DPI, facecolor="white")
    _margins(figure, height)
    axes = figure.add_subplot()
    labels = [_wrap(label) for label, _, _ in rows][::-1]
    totals = [total for _, total, _ in rows][::-1]
    other = [n for _, _, n in rows][::-1]
    positions = [float(i) for i in range(len(rows))]
    axes.barh(
        [p + 0.2 for p in positions], totals, 0.38, color=LIGHT, edgecolor=INK, label=legend[0]
    )
    axes.barh(
        [p - 0.2 for p in positions], other, 0.38, color=DARK, edgecolor=INK, hatch="///",
        label=legend[1],
    )  # fmt: skip
    axes.set_yticks(positions, labels, fontsize=9, color=INK)
    axes.set_xlabel(xlabel, color=INK)
    axes.set_title(title, color=INK, loc="left", fontsize=13)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if rows:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return _png(figure)


def change_chart(
    rows: Sequence[tuple[str, tuple[float, float, float], tuple[float, float, float]]],
    title: str,
    xlabel: str,
    legend: tuple[str, str],
) -> bytes:
    """Before (open circle) and after (filled square) with 95% intervals, one row each."""
    height = 1.6 + 0.7 * max(1, len(rows))
    figure = Figure(figsize=(9.0, height), dpi=DPI, facecolor="white")
    _margins(figure, height)
    axes = figure.add_subplot()
    labels = [_wrap(label) for label, _, _ in rows][::-1]
    for index, (_, before, after) in enumerate(reversed(rows)):
        for offset, (share, low, high), marker, fill, name in (
            (0.15, before, "o", "white", legend[0]),
            (-0.15, after, "s", DARK, legend[1]),
        ):
            axes.errorbar(
                [share],
                [index + offset],
                xerr=[[share - low], [high - share]],
                fmt=marker,
                color=INK,
                markerfacecolor=fill,
                markersize=8,
                capsize=3,
                label=name if index == 0 else None,
            )
    axes.set_yticks(list(range(len(rows))), labels, fontsize=9, color=INK)
    axes.set_xlim(0, 100)
    axes.set_xlabel(xlabel, color=INK)
    axes.set_title(title, color=INK, loc="left", fontsize=13)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if rows:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    return _png(figure)
