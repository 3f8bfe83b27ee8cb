"""What the timeline picture (:mod:`kb.export.timeline`) shows: its items, read off the graph.

Apart from the drawing so that a build can tell whether the picture would change without
importing matplotlib (over half a second): the same items give the same picture
(:class:`kb.store.build._Made`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from kb.export.flat import _DATE_FIELDS, _flat_value, _node_label, node_interval, xml_text

# Display words of the picture (like kb.graph.EDGE_LABELS), by record type.
TYPE_NAMES = {"event": "活动", "document": "文件"}


@dataclass(frozen=True)
class Item:
    """One record on the timeline."""

    node: str
    type: str  # event or document
    label: str
    lane: str
    span: tuple[date, date] | None  # first and last day it covers; None: undated
    precision: str  # day, month or year


def _precision(data: dict[str, Any]) -> str:
    stated = next((str(data[f]) for f in _DATE_FIELDS if data.get(f)), "")
    if "/" in stated or not stated:
        return "year"
    return {10: "day", 7: "month"}.get(len(stated), "year")


def _lanes(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Event id → the label of its series, for editions (``edition_of``) and events held during one."""
    lanes = {}
    for u, v, key in graph.edges(keys=True):
        if key == "edition_of" and graph.nodes[v].get("type") == "series":
            lanes[u] = str(_flat_value(graph.nodes[v].get("label")) or v)
    for u, v, key in graph.edges(keys=True):
        if key == "part_of" and v in lanes and u not in lanes:
            lanes[u] = lanes[v]
    return lanes


def _wanted(graph: nx.MultiDiGraph, series: str | None) -> set[str] | None:
    """Nodes linked to ``series`` (and to its events), or None for all."""
    if series is None:
        return None
    near = set(nx.all_neighbors(graph, series)) if series in graph else set()
    events = {n for n in near if graph.nodes[n].get("type") == "event"}
    return near | {n for e in events for n in nx.all_neighbors(graph, e)}


def timeline_items(graph: nx.MultiDiGraph, series: str | None = None) -> list[Item]:
    """Events and documents to show (linked to ``series`` when given): by lane, then start, then label."""
    lanes, wanted = _lanes(graph), _wanted(graph, series)
    items = []
    for node, data in graph.nodes(data=True):
        kind = data.get("type")
        if kind not in TYPE_NAMES or (wanted is not None and node not in wanted):
            continue
        interval = node_interval(data)
        span = (date.fromisoformat(interval[0]), date.fromisoformat(interval[1])) if interval else None
        label = xml_text(_flat_value(data.get("label")) or _node_label(node, data))
        items.append(Item(str(node), kind, label, lanes.get(node) or TYPE_NAMES[kind], span, _precision(data)))
    order = {lane: i for i, lane in enumerate(sorted({i.lane for i in items} - set(TYPE_NAMES.values())))}
    order.update({name: len(order) + i for i, name in enumerate(TYPE_NAMES.values())})
    return sorted(items, key=lambda i: (order[i.lane], i.span or (date.max, date.max), i.label, i.node))
