"""GraphML (Gephi, networkx, yEd): :func:`write_graphml`, :func:`graphml_bytes`."""

from __future__ import annotations

import os
import re
from pathlib import Path

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import (
    XML_DECLARATION, GraphRows, Scalar, _flat_value, _unify_types, escape_attr, escape_text, graph_rows, tag, typed_text,
    xml_text,
)


# ---------------------------------------------------------------- GraphML

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# XML 1.0 (5th ed.) NameChar: what a GraphML id (xs:NMTOKEN) may contain.
_NAME_CHAR = re.compile(
    "[-.0-9:A-Z_a-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d"
    "\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff]"
)
_ESCAPED = re.compile(r"_x([0-9A-F]+)_")


_NAME_RUN = re.compile(f"{_NAME_CHAR.pattern}*")


def graphml_node_id(record_id: str) -> str:
    """The NMTOKEN a record id is written as: a character that is not an XML
    name character, and ``_`` before ``x``, becomes ``_xHHHH_`` (hex code point)."""
    if "_x" not in record_id and _NAME_RUN.fullmatch(record_id):  # nearly every id: as it is
        return record_id
    out = []
    for i, char in enumerate(record_id):
        escape_it = not _NAME_CHAR.fullmatch(char) or (char == "_" and record_id[i + 1 : i + 2] == "x")
        out.append(f"_x{ord(char):04X}_" if escape_it else char)
    return "".join(out)


def record_id_of(graphml_id: str) -> str:
    """Inverse of :func:`graphml_node_id`."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), graphml_id)


def _graphml_keys(lines: list[str], domain: str, types: dict[str, str], start: int) -> dict[str, str]:
    """Declare one <key> per attribute (label, type, then by name); name -> key id."""
    order = sorted(types, key=lambda name: (name not in ("label", "type"), name != "label", name))
    ids = {}
    for offset, name in enumerate(order):
        ids[name] = f"d{start + offset}"
        attrs = (("id", ids[name]), ("for", domain), ("attr.name", name), ("attr.type", types[name]))
        lines.append("  " + tag("key", attrs) + " />")
    return ids


def _data_lines(indent: str, attrs: dict[str, Scalar], types: dict[str, str], ids: dict[str, str]) -> list[str]:
    """A <data> line per attribute, in key order."""
    return [f'{indent}<data key="{key}">{escape_text(typed_text(attrs[n], types[n]))}</data>'
            for n, key in ids.items() if n in attrs]


def _graphml_element(lines: list[str], indent: str, start: str, name: str, attrs: dict[str, Scalar],
                     types: dict[str, str], ids: dict[str, str]) -> None:
    """``start`` (an open tag) closed, with a <data> line per attribute, in key order."""
    data = _data_lines(indent + "  ", attrs, types, ids)
    if data:
        lines.append(f"{indent}{start}>")
        lines.extend(data)
        lines.append(f"{indent}</{name}>")
    else:
        lines.append(f"{indent}{start} />")


def graphml_bytes(graph: nx.MultiDiGraph, rows: GraphRows | None = None) -> bytes:
    """The GraphML document for ``graph``, as written by :func:`write_graphml`; ``rows``:
    :func:`kb.export.flat.graph_rows` of it, when made already."""
    nodes, edges = rows if rows is not None else graph_rows(graph)
    flat = {xml_text(name): _flat_value(value) for name, value in graph.graph.items()}
    graph_attrs = {name: flat[name] for name in sorted(flat) if name and flat[name] is not None}
    location = f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd"
    lines = [XML_DECLARATION, tag("graphml", (("xmlns", GRAPHML_NS), ("xmlns:xsi", _XSI_NS),
                                              ("xsi:schemaLocation", location))) + ">"]
    tables = [("graph", [graph_attrs]), ("node", [a for _, a in nodes]), ("edge", [a for _, _, a in edges])]
    declared: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for domain, table in tables:
        types = _unify_types(table)
        declared[domain] = (types, _graphml_keys(lines, domain, types, sum(len(t) for t, _ in declared.values())))
    direction = "directed" if graph.is_directed() else "undirected"
    open_graph = len(lines)
    lines.append("")  # the <graph> tag, once it is known whether it has children
    lines.extend(_data_lines("    ", graph_attrs, *declared["graph"]))
    node_ids: dict[str, str] = {}
    for record_id, attrs in nodes:
        node_id = node_ids[record_id] = graphml_node_id(record_id)
        _graphml_element(lines, "    ", f'<node id="{escape_attr(node_id)}"', "node", attrs, *declared["node"])
    # Most edges carry only their type and label: their <data> lines made once per kind.
    escaped = {record_id: escape_attr(node_id) for record_id, node_id in node_ids.items()}
    bodies: dict[tuple, list[str]] = {}
    for number, (u, v, attrs) in enumerate(edges):
        source = escaped.get(u) or escape_attr(graphml_node_id(u))
        target = escaped.get(v) or escape_attr(graphml_node_id(v))
        start = f'<edge id="e{number}" source="{source}" target="{target}"'
        body = bodies.get(key := tuple(attrs.items()))
        if body is None:
            body = bodies[key] = _data_lines("      ", attrs, *declared["edge"])
        if body:
            lines.append(f"    {start}>")
            lines.extend(body)
            lines.append("    </edge>")
        else:
            lines.append(f"    {start} />")
    start = tag("graph", (("id", "G"), ("edgedefault", direction)))
    if len(lines) > open_graph + 1:
        lines[open_graph] = f"  {start}>"
        lines.append("  </graph>")
    else:
        lines[open_graph] = f"  {start} />"
    lines.append("</graphml>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_graphml(graph: nx.MultiDiGraph, path: str | os.PathLike[str], rows: GraphRows | None = None) -> Path:
    """Write ``graph`` as GraphML that Gephi opens without warnings (see the module docstring)."""
    return atomic_write(path, graphml_bytes(graph, rows))
