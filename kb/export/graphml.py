"""GraphML (Gephi, networkx, yEd): :func:`write_graphml`, :func:`graphml_bytes`."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import _edge_rows, _flat_value, _node_rows, Scalar, _text, _typed, _unify_types, xml_text


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
