"""A timeline picture of dated events and documents on a real time axis, drawn with
matplotlib (Agg): :func:`write_timeline` (SVG), :func:`write_timeline_png` (PNG).

What it shows:

- the x axis is time: years labelled, months as minor ticks;
- one lane per summit series (its editions, and the events held during them,
  ``edition_of``/``part_of`` edges), then one lane per record type for the
  other events and for documents; each record has its own row, labelled;
- a record dated to the day is a marker (an event's start..end a bar with
  markers); one dated only to a month or a year covers that month or year as a
  lighter bar, so ``2023`` is drawn over all of 2023, not sorted before
  ``2023-01-05``;
- a legend; records without any date are listed apart, below the axis.

Chinese needs a CJK font: the font stack names Noto Sans CJK SC, Source Han
Sans SC, WenQuanYi Zen Hei, Microsoft YaHei and SimHei before DejaVu Sans. The
SVG keeps text as text (``svg.fonttype: none``) with that stack, so a viewer
with any of them shows the Chinese; the PNG is drawn with the first one
installed here (without one, Chinese shows as boxes; matplotlib's warning per
missing glyph is silenced, it would repeat for every character).

Deterministic: the same graph gives the same SVG bytes (``svg.hashsalt`` fixed,
no date in the metadata; items in a stable order).
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import textwrap
import warnings
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from kb.store.files import atomic_write
from kb.export.flat import xml_text
from kb.export.timeline_items import TYPE_NAMES, Item, timeline_items

__all__ = ["FONT_STACK", "TYPE_NAMES", "Item", "timeline_items", "timeline_png", "timeline_svg", "write_timeline",
           "write_timeline_png"]


FONT_STACK = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "DejaVu Sans"]
_STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT_STACK,
    "axes.unicode_minus": False,
    "svg.fonttype": "none",  # text stays text: the viewer picks a CJK font from the stack
    "svg.hashsalt": "kb-timeline",  # clip-path ids from a fixed salt, not a random one
}
_COLOURS = {"event": "#1f77b4", "document": "#d62728"}
_MARKERS = {"event": "o", "document": "s"}
_UNDATED, _PRECISION = "无日期", {"day": "日期", "month": "整月", "year": "整年"}
_WIDTH, _ROW, _TOP, _BOTTOM, _LEFT, _RIGHT = 12.0, 0.3, 1.0, 0.55, 1.8, 0.3  # inches
_LINE, _WRAP, _DPI = 0.22, 70, 100


# ---------------------------------------------------------------- drawing


def _draw_item(ax: Any, item: Item, row: int, middle: date) -> None:
    assert item.span is not None
    first, last = item.span
    colour = _COLOURS[item.type]
    if item.precision == "day":
        if last > first:
            ax.plot([first, last], [row, row], color=colour, linewidth=3, solid_capstyle="butt")
        ax.plot([first, last] if last > first else [first], [row] * (2 if last > first else 1),
                linestyle="none", marker=_MARKERS[item.type], color=colour, markersize=6)
    else:
        alpha = 0.6 if item.precision == "month" else 0.3
        ax.barh(row, (last + timedelta(days=1)) - first, left=first, height=0.6, color=colour, alpha=alpha,
                edgecolor=colour, linewidth=0.8)
    # Labels of late records go left of them, so none runs off the right edge.
    right = first < middle
    pad = timedelta(days=40)
    ax.text(last + pad if right else first - pad, row, item.label, va="center", ha="left" if right else "right",
            fontsize=9, parse_math=False)


def _legend_handles(items: list[Item]) -> list[Any]:
    handles: list[Any] = [Patch(color=_COLOURS[t], label=TYPE_NAMES[t]) for t in TYPE_NAMES]
    handles.append(Line2D([], [], linestyle="none", marker="o", color="#555555", label=_PRECISION["day"]))
    for precision, alpha in (("month", 0.6), ("year", 0.3)):
        handles.append(Patch(facecolor="#555555", alpha=alpha, label=_PRECISION[precision]))
    return handles


def _undated_lines(items: list[Item]) -> list[str]:
    names = "、".join(f"{i.label}" for i in items)
    return textwrap.wrap(f"{_UNDATED}（{len(items)}）：{names}", _WRAP) if items else []


def timeline_figure(graph: nx.MultiDiGraph, *, series: str | None = None, title: str = "时间线") -> Figure:
    """The timeline as a matplotlib figure (call inside :func:`_drawing`)."""
    items = timeline_items(graph, series)
    dated, undated = [i for i in items if i.span], [i for i in items if not i.span]
    notes = _undated_lines(undated)
    rows = max(len(dated), 1)
    height = _TOP + rows * _ROW + _BOTTOM + len(notes) * _LINE + (0.2 if notes else 0)
    fig = Figure(figsize=(_WIDTH, height), dpi=_DPI)
    axes_bottom = (_BOTTOM + len(notes) * _LINE + (0.2 if notes else 0)) / height
    ax = fig.add_axes((_LEFT / _WIDTH, axes_bottom, 1 - (_LEFT + _RIGHT) / _WIDTH, rows * _ROW / height))
    fig.text(0.01, 1 - 0.3 / height, xml_text(title), fontsize=14, fontweight="bold", va="center", parse_math=False)
    _draw_axis(ax, dated)
    ax.legend(handles=_legend_handles(dated), loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=5, fontsize=9,
              frameon=False)
    for n, line in enumerate(notes):
        fig.text(0.01, (_BOTTOM - 0.1 + (len(notes) - n - 1) * _LINE) / height, line, fontsize=9, va="bottom",
                 parse_math=False)
    return fig


def _draw_axis(ax: Any, dated: list[Item]) -> None:
    if dated:
        first = min(i.span[0] for i in dated if i.span)
        last = max(i.span[1] for i in dated if i.span)
    else:
        first = last = date(2000, 1, 1)
    start, end = date(first.year, 1, 1), date(last.year + 1, 1, 1)
    middle = start + (end - start) / 2
    for row, item in enumerate(dated):
        _draw_item(ax, item, row, middle)
    ax.set_xlim(start, end)
    ax.set_ylim(len(dated) - 0.5 if dated else 0.5, -0.5)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.grid(axis="x", which="major", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    _draw_lanes(ax, dated)


def _draw_lanes(ax: Any, dated: list[Item]) -> None:
    """Lane names as y tick labels at each lane's middle, a line between lanes."""
    ticks, names, start = [], [], 0
    for row in range(1, len(dated) + 1):
        if row == len(dated) or dated[row].lane != dated[start].lane:
            ticks.append((start + row - 1) / 2)
            names.append(dated[start].lane)
            if row < len(dated):
                ax.axhline(row - 0.5, color="#999999", linewidth=0.8)
            start = row
    ax.set_yticks(ticks, names, fontsize=10)
    ax.tick_params(axis="y", length=0)


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """kb's timeline style, with matplotlib's missing-font and missing-glyph messages silenced
    (there would be one per Chinese character on a machine without a CJK font)."""
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with rc_context(_STYLE), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
            yield
    finally:
        font_log.setLevel(level)


def timeline_svg(graph: nx.MultiDiGraph, *, series: str | None = None, title: str = "时间线") -> str:
    """The timeline as SVG text (see the module docstring)."""
    buffer = io.BytesIO()
    with _drawing():
        fig = timeline_figure(graph, series=series, title=title)
        FigureCanvasSVG(fig).print_svg(buffer, metadata={"Date": None})
    return buffer.getvalue().decode("utf-8")


def timeline_png(graph: nx.MultiDiGraph, *, series: str | None = None, title: str = "时间线") -> bytes:
    """The timeline as a PNG image, drawn by Agg at 100 dpi, 1200 pixels wide."""
    buffer = io.BytesIO()
    with _drawing():
        fig = timeline_figure(graph, series=series, title=title)
        FigureCanvasAgg(fig).print_png(buffer, metadata={"Software": "kb"})
    return buffer.getvalue()


def write_timeline(
    graph: nx.MultiDiGraph, path: str | os.PathLike[str], *, series: str | None = None, title: str = "时间线"
) -> Path:
    """Write ``timeline.svg`` (a PNG image when ``path`` ends in ``.png``); only the records
    linked to ``series`` (a series node id) when given."""
    if Path(path).suffix.lower() == ".png":
        return write_timeline_png(graph, path, series=series, title=title)
    return atomic_write(path, timeline_svg(graph, series=series, title=title))


def write_timeline_png(
    graph: nx.MultiDiGraph, path: str | os.PathLike[str], *, series: str | None = None, title: str = "时间线"
) -> Path:
    """Write ``timeline.png``, the same picture as :func:`write_timeline`."""
    return atomic_write(path, timeline_png(graph, series=series, title=title))
