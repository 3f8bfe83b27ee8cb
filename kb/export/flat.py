"""What every export shares: records flattened to XML-safe scalars, nodes and edges in a
stable order, one type per attribute."""

from __future__ import annotations

import calendar
import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx


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
    if type(value) is str:  # most values: no other test applies
        text = _NOT_XML.sub("", value)
        return text if text.strip() else None
    if type(value) is list and all(type(v) is str for v in value):  # names, docs: no nesting to look for
        value = "; ".join(text for text in (_NOT_XML.sub("", v) for v in value) if text.strip())
        return value if value.strip() else None
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


def _flat_attributes(data: Mapping[str, Any], default_type: str, default_label: str, timed: bool) -> dict[str, Scalar]:
    """``label`` and ``type`` first, then the other attributes by name, flattened."""
    out: dict[str, Scalar] = {
        "label": _flat_value(data.get("label")) or xml_text(default_label),
        "type": _flat_value(data.get("type")) or xml_text(default_type),
    }
    for key in sorted(data, key=str):
        name = _NAMES.get(key) if type(key) is str else None
        if name is None:
            name = xml_text(key)
            if type(key) is str and len(_NAMES) < 4096:
                _NAMES[key] = name
        if name and name not in out and name != "id":
            value = _flat_value(data[key])
            if value is not None:
                out[name] = value
    if timed:
        year = year_of(data)
        if year is not None:
            out["year"] = year
    return out


_NAMES: dict[str, str] = {}  # attribute name → xml_text of it: a few dozen names, met again on every node


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
    # Most edges carry only their type and label: flattened once per kind (a few dozen).
    plain: dict[tuple[str, str, str], dict[str, Scalar]] = {}
    for u, v, key, data in sorted(edges, key=lambda e: (str(e[0]), str(e[1]), str(e[2]))):
        kind = data.get("type")
        simple = len(data) == 2 and type(kind) is str and type(data.get("label")) is str
        known = plain.get((kind, data["label"], str(key))) if simple else None
        if known is None:
            kind = _flat_value(kind) or _flat_value(key) or "related_to"
            known = _flat_attributes(data, str(kind), str(kind), timed=False)
            if simple:
                plain[(data["type"], data["label"], str(key))] = known
        rows.append((str(u), str(v), dict(known)))
    return rows


GraphRows = tuple[list[tuple[str, dict[str, Scalar]]], list[tuple[str, str, dict[str, Scalar]]]]


def graph_rows(graph: nx.MultiDiGraph) -> GraphRows:
    """:func:`_node_rows` and :func:`_edge_rows` of ``graph``: made once, given to both XML
    writers by a build (flattening is most of their work)."""
    return _node_rows(graph), _edge_rows(graph)


# ---------------------------------------------------------------- XML as text

# The XML writers write text directly, byte for byte what xml.etree writes for the same
# tree indented by ET.indent (tests compare them), at a fraction of the cost of building
# and walking a tree of a few hundred thousand elements.
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>"


def escape_text(text: str) -> str:
    """Element text escaped as xml.etree escapes it: ``&``, ``<``, ``>``."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"})
_ATTR_SPECIAL = re.compile('[&<>"\r\n\t]')


def escape_attr(text: str) -> str:
    """An attribute value escaped as xml.etree escapes it (quotes, and newlines and tabs as
    character references)."""
    return text.translate(_ATTR_ESCAPES) if _ATTR_SPECIAL.search(text) else text


def tag(name: str, attrs: Iterable[tuple[str, str]]) -> str:
    """``<name a="v" …`` (not closed), values escaped."""
    return "<" + name + "".join(f' {key}="{escape_attr(value)}"' for key, value in attrs)


def _unify_types(rows: Iterable[dict[str, Scalar]]) -> dict[str, str]:
    """One GraphML attr.type per attribute name: boolean, int, double or string (an int
    beyond 32 bits: double)."""
    # (name, type) pairs gathered a row at a time in C, values looked at only for the range
    # of ints (a few names): a Python step per value was a tenth of an export.
    rows = list(rows)
    pairs: set[tuple[str, type]] = set()
    for attrs in rows:
        pairs.update(zip(attrs, map(type, attrs.values())))
    seen: dict[str, set[str]] = {}
    for name, kind in pairs:
        seen.setdefault(name, set()).add(_kind(kind))
    for name, kinds in seen.items():
        if "int" in kinds:  # int or double by the range of each int value
            kinds.discard("int")
            kinds.update("int" if -(2**31) <= v < 2**31 else "double"
                         for attrs in rows if isinstance(v := attrs.get(name), int) and not isinstance(v, bool))
    return {name: kinds.pop() if len(kinds) == 1 else "double" if kinds <= {"int", "double"} else "string"
            for name, kinds in seen.items()}


def _kind(kind: type) -> str:
    if issubclass(kind, bool):
        return "boolean"
    if issubclass(kind, int):
        return "int"
    return "double" if issubclass(kind, float) else "string"


def typed_text(value: Scalar, attr_type: str) -> str:
    """``value`` as the text written for an attribute of ``attr_type``."""
    if type(value) is str:  # only ever of type string: as it is
        return value
    return _text(_typed(value, attr_type))


def _typed(value: Scalar, attr_type: str) -> Scalar:
    if attr_type == "string":
        return _text(value)
    return float(value) if attr_type == "double" else value
