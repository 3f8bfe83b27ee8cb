"""GEXF 1.3 with dynamic intervals (Gephi's timeline): :func:`write_gexf`, :func:`gexf_bytes`."""

from __future__ import annotations

import calendar
import io
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import (
    _DATE_FIELDS, _edge_rows, _node_rows, Scalar, TIMED_TYPES, _typed, _unify_types, xml_text, year_of)


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
