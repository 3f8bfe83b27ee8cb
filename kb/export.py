"""Write the knowledge base to files: GraphML, GEXF and a timeline SVG (the
YAML review dump is kb.review_dump's). Every write is atomic and every output is deterministic:
the same graph or records give the same bytes on every run.

No output holds a character XML 1.0 cannot (C0 controls but tab, newline
and return; lone surrogates, which is how Python reads an undecodable file
name; U+FFFE/FFFF), wherever it came from: :func:`xml_text` drops it from
labels, values, names and titles, and writes it ``_xHHHH_`` in ids.

The input graph follows kb.graph's convention: node key = record id, node
attributes ``type``, ``label`` and the record's fields as plain Python values;
MultiDiGraph edges keyed by edge type, with ``type`` and ``label``.

GraphML (for Gephi and any GraphML reader)
    GraphML cannot hold ``None``, lists or mappings, and Gephi warns about
    empty values and about one attribute declared with two types. So values
    are flattened first: ``None`` and empty values are dropped, lists of
    scalars joined with ``"; "``, mappings and lists of mappings JSON-encoded
    (sorted keys). Each attribute name gets one ``attr.type`` per domain
    (node/edge/graph), only ``string``, ``int``, ``double`` or ``boolean``: an
    int beyond 32 bits is a double, mixed values become strings. Every node
    and edge has ``label`` and ``type``; timed nodes get an int ``year``
    (derived from their ISO dates when not stated) to filter by, and every
    node keeps its record id in ``record_id``. Node ids must be XML NMTOKENs,
    so characters outside the NMTOKEN set (spaces, ASCII punctuation) are
    written ``_xHHHH_`` (see :func:`graphml_node_id`). Nodes, edges and keys are
    written in a stable order; there is no timestamp. Not supported: ports,
    hyperedges, nested graphs, defaults. The tests validate the output against
    ``tests/data/graphml.xsd``, an offline restatement of the official schema
    (which includes other schemas over the network); its header says what it
    simplifies.

GEXF (for Gephi's timeline)
    Events, documents and claims get ``start``/``end`` dates (``timeformat
    ="date"``) from their ISO dates, or from ``year`` (the whole year): a
    partial date covers its month or year, a period ``2016/2022`` covers
    2016-01-01..2022-12-31. Other nodes are timeless (always shown). The edge
    type is written as the attribute ``relation`` since GEXF's own edge
    ``type`` means directed/undirected.
"""

from __future__ import annotations

import calendar
import io
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import networkx as nx

from kb.files import atomic_write

Scalar = str | int | float | bool

# ---------------------------------------------------------------- flattening

# Characters XML 1.0 cannot hold at all: C0 controls but tab, newline and
# return; lone surrogates (how Python reads an undecodable file name); U+FFFE/FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DATE_FIELDS = ("start_date", "date", "time")
TIMED_TYPES = ("event", "document", "claim")


def xml_text(value: object, *, as_id: bool = False) -> str:
    """``str(value)`` as XML 1.0 can hold it: each character it cannot hold is
    dropped or, ``as_id``, written ``_xHHHH_`` (so two record ids that differ
    only there stay two ids). Every text the XML and SVG writers write goes
    through here; an id without such characters is written unchanged."""
    if as_id:
        return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", str(value))
    return _NOT_XML.sub("", str(value))


def _flat_value(value: Any) -> Scalar | None:
    """A scalar for one attribute value, or None when there is nothing to write."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    nested = isinstance(value, list | tuple) and any(isinstance(v, Mapping | list | tuple) for v in value)
    if isinstance(value, Mapping) or nested:
        value = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str) if value else ""
    elif isinstance(value, list | tuple | set | frozenset):
        items = [_flat_value(v) for v in value]
        ordered = items if isinstance(value, list | tuple) else sorted(map(str, items))
        value = "; ".join(_text(v) for v in ordered if v is not None and _text(v))
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    text = _NOT_XML.sub("", str(value))
    return text if text.strip() else None


def _text(value: Scalar) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def year_of(data: Mapping[str, Any]) -> int | None:
    """The int year of a node: its ``year``, else the year of its first ISO date field."""
    year = data.get("year")
    if isinstance(year, int) and not isinstance(year, bool):
        return year
    for name in _DATE_FIELDS:
        match = re.match(r"(\d{4})", str(data.get(name) or ""))
        if match:
            return int(match.group(1))
    return None


def _flat_attributes(data: Mapping[str, Any], default_type: str, default_label: str, timed: bool) -> dict[str, Scalar]:
    """``label`` and ``type`` first, then the other attributes by name, flattened."""
    out: dict[str, Scalar] = {
        "label": _flat_value(data.get("label")) or xml_text(default_label),
        "type": _flat_value(data.get("type")) or xml_text(default_type),
    }
    for key in sorted(data, key=str):
        name, value = xml_text(key), _flat_value(data[key])
        if name and name not in out and name != "id" and value is not None:
            out[name] = value
    year = year_of(data)
    if timed and year is not None:
        out["year"] = year
    return out


def _node_label(node: Any, data: Mapping[str, Any]) -> str:
    for name in ("name", "title", "text"):
        if isinstance(data.get(name), str) and data[name].strip():
            return data[name]
    return str(node)


def _node_rows(graph: nx.MultiDiGraph) -> list[tuple[str, dict[str, Scalar]]]:
    """(record id, flat attributes) for every node, by id."""
    rows = []
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        node_type = str(node).split(":", 1)[0]
        attrs = _flat_attributes(data, node_type, _node_label(node, data), timed=True)
        attrs["record_id"] = xml_text(node, as_id=True)
        rows.append((str(node), attrs))
    return rows


def _edge_rows(graph: nx.MultiGraph | nx.Graph) -> list[tuple[str, str, dict[str, Scalar]]]:
    """(source id, target id, flat attributes) for every edge, by source, target, key."""
    if graph.is_multigraph():
        edges = graph.edges(keys=True, data=True)
    else:
        edges = ((u, v, d.get("type"), d) for u, v, d in graph.edges(data=True))
    rows = []
    for u, v, key, data in sorted(edges, key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        kind = _flat_value(data.get("type")) or _flat_value(key) or "related_to"
        rows.append((str(u), str(v), _flat_attributes(data, str(kind), str(kind), timed=False)))
    return rows


def _unify_types(rows: Iterable[dict[str, Scalar]]) -> dict[str, str]:
    """One GraphML attr.type per attribute name: boolean, int, double or string."""
    seen: dict[str, set[str]] = {}
    for attrs in rows:
        for name, value in attrs.items():
            if isinstance(value, bool):
                kind = "boolean"
            elif isinstance(value, int):
                kind = "int" if -(2**31) <= value < 2**31 else "double"
            else:
                kind = "double" if isinstance(value, float) else "string"
            seen.setdefault(name, set()).add(kind)
    types = {}
    for name, kinds in seen.items():
        types[name] = kinds.pop() if len(kinds) == 1 else "double" if kinds <= {"int", "double"} else "string"
    return types


def _typed(value: Scalar, attr_type: str) -> Scalar:
    if attr_type == "string":
        return _text(value)
    return float(value) if attr_type == "double" else value


# ---------------------------------------------------------------- GraphML

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# XML 1.0 (5th ed.) NameChar: what a GraphML id (xs:NMTOKEN) may contain.
_NAME_CHAR = re.compile(
    "[-.0-9:A-Z_a-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d"
    "\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]"
)
_ESCAPED = re.compile(r"_x([0-9A-F]+)_")


def graphml_node_id(record_id: str) -> str:
    """The NMTOKEN a record id is written as: a character that is not an XML
    name character, and ``_`` before ``x``, becomes ``_xHHHH_`` (hex code point)."""
    out = []
    for i, char in enumerate(record_id):
        escape_it = not _NAME_CHAR.fullmatch(char) or (char == "_" and record_id[i + 1 : i + 2] == "x")
        out.append(f"_x{ord(char):04X}_" if escape_it else char)
    return "".join(out)


def record_id_of(graphml_id: str) -> str:
    """Inverse of :func:`graphml_node_id`."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), graphml_id)


def _graphml_keys(root: ET.Element, domain: str, types: dict[str, str], start: int) -> dict[str, str]:
    """Declare one <key> per attribute (label, type, then by name); name -> key id."""
    order = sorted(types, key=lambda name: (name not in ("label", "type"), name != "label", name))
    ids = {}
    for offset, name in enumerate(order):
        ids[name] = f"d{start + offset}"
        ET.SubElement(root, "key", {"id": ids[name], "for": domain, "attr.name": name, "attr.type": types[name]})
    return ids


def _graphml_data(element: ET.Element, attrs: dict[str, Scalar], types: dict[str, str], ids: dict[str, str]) -> None:
    for name in ids:  # in key order
        if name in attrs:
            ET.SubElement(element, "data", {"key": ids[name]}).text = _text(_typed(attrs[name], types[name]))


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    """The GraphML document for ``graph``, as written by :func:`write_graphml`."""
    nodes, edges = _node_rows(graph), _edge_rows(graph)
    flat = {xml_text(name): _flat_value(value) for name, value in graph.graph.items()}
    graph_attrs = {name: flat[name] for name in sorted(flat) if name and flat[name] is not None}
    location = f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"
    root = ET.Element("graphml", {"xmlns": GRAPHML_NS, "xmlns:xsi": _XSI_NS, "xsi:schemaLocation": location})
    tables = [("graph", [graph_attrs]), ("node", [a for _, a in nodes]), ("edge", [a for _, _, a in edges])]
    declared: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for domain, rows in tables:
        types = _unify_types(rows)
        declared[domain] = (types, _graphml_keys(root, domain, types, sum(len(t) for t, _ in declared.values())))
    element = ET.SubElement(root, "graph", {"id": "G", "edgedefault": "directed" if graph.is_directed() else "undirected"})
    _graphml_data(element, graph_attrs, *declared["graph"])
    for record_id, attrs in nodes:
        _graphml_data(ET.SubElement(element, "node", {"id": graphml_node_id(record_id)}), attrs, *declared["node"])
    for number, (u, v, attrs) in enumerate(edges):
        ends = {"source": graphml_node_id(u), "target": graphml_node_id(v)}
        edge = ET.SubElement(element, "edge", {"id": f"e{number}", **ends})
        _graphml_data(edge, attrs, *declared["edge"])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_graphml(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as GraphML that Gephi opens without warnings (see the module docstring)."""
    return atomic_write(path, graphml_bytes(graph))


# ---------------------------------------------------------------- GEXF

# Data names networkx's GEXF writer reads as GEXF structure, not as attributes.
_GEXF_NODE_RESERVED = frozenset({"id", "label", "pid", "start", "end", "spells", "slices", "viz", "parents"})
_GEXF_EDGE_RESERVED = _GEXF_NODE_RESERVED | {"weight", "type", "key", "relation"}


def date_interval(value: str | None) -> tuple[str, str] | None:
    """First and last day an ISO partial date or period covers: 2024-11 -> (2024-11-01, 2024-11-30)."""
    parts = str(value or "").split("/")
    if not all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", p) for p in parts) or len(parts) > 2:
        return None
    first, last = parts[0], parts[-1]
    start = first + "-01" * (3 - len(first.split("-")))
    year, month = int(last[:4]), int(last[5:7]) if len(last) >= 7 else 12
    end = last if len(last) == 10 else f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    return start, end


def node_interval(data: Mapping[str, Any]) -> tuple[str, str] | None:
    """When a timed node (event, document, claim) holds: its dates, else its whole year."""
    if data.get("type") not in TIMED_TYPES:
        return None
    for name in _DATE_FIELDS:
        span = date_interval(data.get(name))
        if span:
            end = date_interval(data.get("end_date")) if name == "start_date" else None
            return span[0], max(end[1], span[1]) if end else span[1]
    year = year_of(data)
    return (f"{year:04d}-01-01", f"{year:04d}-12-31") if year is not None else None


def _gexf_safe(attrs: dict[str, Scalar], types: dict[str, str], reserved: frozenset[str]) -> dict[str, Scalar]:
    """Attributes other than label and type, renamed ``name_`` where GEXF reserves the name."""
    return {(f"{n}_" if n in reserved else n): _typed(v, types[n]) for n, v in attrs.items() if n not in ("label", "type")}


def gexf_bytes(graph: nx.MultiDiGraph) -> bytes:
    """The GEXF 1.2 document for ``graph``, as written by :func:`write_gexf`."""
    nodes, edges = _node_rows(graph), _edge_rows(graph)
    node_types, edge_types = _unify_types(a for _, a in nodes), _unify_types(a for _, _, a in edges)
    out = nx.MultiDiGraph(mode="dynamic")
    for record_id, attrs in nodes:
        span = node_interval(attrs)
        timing = {"start": span[0], "end": span[1]} if span else {}
        fields = _gexf_safe(attrs, node_types, _GEXF_NODE_RESERVED)
        out.add_node(xml_text(record_id, as_id=True), label=attrs["label"], type=attrs["type"], **fields, **timing)
    for number, (u, v, attrs) in enumerate(edges):
        fields = _gexf_safe(attrs, edge_types, _GEXF_EDGE_RESERVED)
        ends = xml_text(u, as_id=True), xml_text(v, as_id=True)
        out.add_edge(*ends, key=attrs["type"], id=f"e{number}", label=attrs["label"], relation=attrs["type"], **fields)
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    meta.attrib.pop("lastmodifieddate", None)  # a date would make every run differ
    meta.find("creator").text = "kb"
    writer.add_graph(out)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def write_gexf(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as dynamic GEXF for Gephi's timeline (see the module docstring)."""
    return atomic_write(path, gexf_bytes(graph))


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
