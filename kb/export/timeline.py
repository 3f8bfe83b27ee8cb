"""A timeline of dated events and documents as a self-contained SVG: :func:`write_timeline`."""

from __future__ import annotations

import os
from pathlib import Path
from xml.sax.saxutils import escape

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import _DATE_FIELDS, _flat_value, _node_label, xml_text, year_of


# ---------------------------------------------------------------- timeline

# Hand-written SVG: deterministic, and the viewer picks the first installed
# CJK font from this list, so Chinese renders without fonts on this machine.
FONT_FAMILY = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'WenQuanYi Micro Hei', SimHei, sans-serif"
)
_COLOURS = {"event": "#1f77b4", "document": "#d62728"}
_ROW, _TOP, _LEFT = 24, 48, 90


def _timeline_items(graph: nx.MultiDiGraph, series: str | None) -> list[tuple[int, str, str, str, str]]:
    """(year, date, type, label, id) of the events and documents to show, in order."""
    wanted = None
    if series is not None:
        # The series' events, and what is linked to them or to the series.
        near = set(nx.all_neighbors(graph, series)) if series in graph else set()
        events = {n for n in near if graph.nodes[n].get("type") == "event"}
        wanted = near | {n for e in events for n in nx.all_neighbors(graph, e)}
    items = []
    for node, data in graph.nodes(data=True):
        year = year_of(data)
        if data.get("type") in _COLOURS and year is not None and (wanted is None or node in wanted):
            date = next((str(data[f]) for f in _DATE_FIELDS if data.get(f)), str(year))
            label = str(_flat_value(data.get("label")) or _node_label(node, data))
            items.append((year, date, str(data["type"]), label, str(node)))
    return sorted(items)


def _svg_text(value: str) -> str:
    return escape(xml_text(value))


def timeline_svg(graph: nx.MultiDiGraph, *, series: str | None = None, title: str = "时间线") -> str:
    """The timeline as SVG text: one row per event or document, grouped by year."""
    items = _timeline_items(graph, series)
    width = _LEFT + 40 + 16 * max([len(f"{d}  {label}") for _, d, _, label, _ in items] + [len(title) * 2, 20])
    height = _TOP + _ROW * (len(items) + len({i[0] for i in items})) + 20
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}" font-size="14">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="28" font-size="18" font-weight="bold">{_svg_text(title)}</text>',
        f'<line x1="{_LEFT - 12}" y1="{_TOP - 10}" x2="{_LEFT - 12}" y2="{height - 16}" stroke="#999999"/>',
    ]
    y, last_year = _TOP, None
    for year, date, kind, label, node in items:
        if year != last_year:
            y += _ROW
            lines.append(f'<text x="16" y="{y}" font-weight="bold">{year}</text>')
            last_year = year
        if kind == "event":
            shape = f'<circle cx="{_LEFT}" cy="{y - 5}" r="5"'
        else:
            shape = f'<rect x="{_LEFT - 5}" y="{y - 10}" width="10" height="10"'
        lines.append(f'<g class="{kind}"><title>{_svg_text(node)}</title>{shape} fill="{_COLOURS[kind]}"/>'
                     f'<text x="{_LEFT + 14}" y="{y}">{_svg_text(date)}  {_svg_text(label)}</text></g>')
        y += _ROW
    lines.append("</svg>")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + "\n".join(lines) + "\n"


def write_timeline(
    graph: nx.MultiDiGraph, path: str | os.PathLike[str], *, series: str | None = None, title: str = "时间线"
) -> Path:
    """Write ``timeline.svg``: events (circles) and documents (squares) by year,
    labelled; only those linked to ``series`` (a series node id) when given."""
    return atomic_write(path, timeline_svg(graph, series=series, title=title))
