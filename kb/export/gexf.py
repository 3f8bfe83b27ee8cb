"""GEXF 1.3 for Gephi, with dynamic intervals for its timeline: :func:`write_gexf`, :func:`gexf_bytes`.

Written by kb itself (as text, as xml.etree would write it), not by networkx's writer, as Gephi reads it:

- ``<gexf xmlns="http://gexf.net/1.3" version="1.3">``, one
  ``<graph defaultedgetype="directed" mode="dynamic" timeformat="date">``;
- node ids, node and edge attribute names are the GraphML export's (see
  :func:`kb.export.graphml.graphml_node_id`): a GEXF reader and a GraphML reader see
  the same graph. Each attribute is declared once per class with its type
  (``string``, ``integer``, ``double``, ``boolean``) and its name as both id
  and title; ``label`` is the element's own ``label`` attribute;
- an edge's relation (``issued_by``, ``about``…) is its GEXF 1.3 ``kind``, and
  also the attribute ``type`` as in the GraphML. Its id is made of
  ``source|kind|target``, so parallel relations between two nodes stay separate
  edges (Gephi merges parallel edges of the same kind);
- events, documents and claims get ``start``/``end`` dates from their ISO
  dates, or from their ``year`` (see :func:`kb.export.flat.node_interval`);
  other nodes are timeless, always shown.

No ``lastmodifieddate``, nodes and edges in a stable order: the same graph gives
the same bytes. Not written: viz (colours, positions), hierarchy, spells.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import (
    XML_DECLARATION, GraphRows, Scalar, _unify_types, date_interval, escape_attr, graph_rows, node_interval, tag,
    typed_text)
from kb.export.graphml import graphml_node_id


__all__ = ["date_interval", "gexf_bytes", "node_interval", "write_gexf"]  # the first two from kb.export.flat

GEXF_NS = "http://gexf.net/1.3"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# GraphML attr.type -> GEXF attribute type.
_GEXF_TYPES = {"string": "string", "int": "integer", "double": "double", "boolean": "boolean"}
# Written as the element's own attributes, not as <attvalue>s.
_OWN = frozenset({"label"})


def _declare(lines: list[str], domain: str, types: dict[str, str]) -> list[str]:
    """One <attributes class=domain> block: ``type`` first, then by name; the declared names."""
    names = sorted((n for n in types if n not in _OWN), key=lambda n: (n != "type", n))
    start = tag("attributes", (("class", domain), ("mode", "static")))
    if not names:
        lines.append(f"    {start} />")
        return names
    lines.append(f"    {start}>")
    for name in names:
        lines.append("      " + tag("attribute", (("id", name), ("title", name), ("type", _GEXF_TYPES[types[name]]))) + " />")
    lines.append("    </attributes>")
    return names


def _element(lines: list[str], start: str, name: str, attrs: dict[str, Scalar], types: dict[str, str],
             names: list[str]) -> None:
    """``start`` (an open tag at depth 3) closed, with an <attvalues> block of the attributes present."""
    present = [n for n in names if n in attrs]
    if not present:
        lines.append(f"      {start} />")
        return
    lines.append(f"      {start}>")
    lines.append("        <attvalues>")
    for n in present:
        lines.append(f'          <attvalue for="{escape_attr(n)}" value="{escape_attr(typed_text(attrs[n], types[n]))}" />')
    lines.append("        </attvalues>")
    lines.append(f"      </{name}>")


def _edge_ids(edges: Iterable[tuple[str, str, dict[str, Scalar]]], node_ids: dict[str, str] | None = None) -> list[str]:
    """``source|kind|target`` (GEXF node ids) per edge, numbered ``#2``… should two coincide."""
    ids, seen, known = [], set(), node_ids or {}
    for u, v, attrs in edges:
        base = f"{known.get(u) or graphml_node_id(u)}|{attrs['type']}|{known.get(v) or graphml_node_id(v)}"
        edge_id, number = base, 1
        while edge_id in seen:
            number += 1
            edge_id = f"{base}#{number}"
        seen.add(edge_id)
        ids.append(edge_id)
    return ids


def gexf_bytes(graph: nx.MultiDiGraph, rows: GraphRows | None = None) -> bytes:
    """The GEXF 1.3 document for ``graph``, as written by :func:`write_gexf`; ``rows``:
    :func:`kb.export.flat.graph_rows` of it, when made already."""
    nodes, edges = rows if rows is not None else graph_rows(graph)
    node_types, edge_types = _unify_types(a for _, a in nodes), _unify_types(a for _, _, a in edges)
    location = f"{GEXF_NS} {GEXF_NS}/gexf.xsd"
    root = (("xmlns", GEXF_NS), ("xmlns:xsi", _XSI_NS), ("xsi:schemaLocation", location), ("version", "1.3"))
    direction = "directed" if graph.is_directed() else "undirected"
    lines = [XML_DECLARATION, tag("gexf", root) + ">", "  <meta>", "    <creator>kb</creator>", "  </meta>",
             "  " + tag("graph", (("defaultedgetype", direction), ("mode", "dynamic"), ("timeformat", "date"))) + ">"]
    node_names = _declare(lines, "node", node_types)
    edge_names = _declare(lines, "edge", edge_types)
    node_ids: dict[str, str] = {}
    _open_list(lines, "nodes", len(nodes))
    for record_id, attrs in nodes:
        span = node_interval(attrs)
        timing = (("start", span[0]), ("end", span[1])) if span else ()
        node_id = node_ids[record_id] = graphml_node_id(record_id)
        start = tag("node", (("id", node_id), ("label", str(attrs["label"])), *timing))
        _element(lines, start, "node", attrs, node_types, node_names)
    _close_list(lines, "nodes", len(nodes))
    _open_list(lines, "edges", len(edges))
    # Most edges carry only their type and label: the rest of their element made once per kind.
    escaped = {record_id: escape_attr(node_id) for record_id, node_id in node_ids.items()}
    bodies: dict[tuple, tuple[str, list[str]]] = {}
    for edge_id, (u, v, attrs) in zip(_edge_ids(edges, node_ids), edges):
        source = escaped.get(u) or escape_attr(graphml_node_id(u))
        target = escaped.get(v) or escape_attr(graphml_node_id(v))
        known = bodies.get(key := tuple(attrs.items()))
        if known is None:
            body: list[str] = []
            _element(body, "", "edge", attrs, edge_types, edge_names)
            label_kind = f'label="{escape_attr(str(attrs["label"]))}" kind="{escape_attr(str(attrs["type"]))}"'
            known = bodies[key] = (label_kind, body)
        start = f'      <edge id="{escape_attr(edge_id)}" source="{source}" target="{target}" {known[0]}'
        # known[1][0] is the open tag of an empty start at depth 3, as _element closed it: its end
        lines.append(start + known[1][0].removeprefix("      "))
        lines.extend(known[1][1:])
    _close_list(lines, "edges", len(edges))
    lines.extend(("  </graph>", "</gexf>"))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _open_list(lines: list[str], name: str, count: int) -> None:
    lines.append(f'    <{name} count="{count}"' + (">" if count else " />"))


def _close_list(lines: list[str], name: str, count: int) -> None:
    if count:
        lines.append(f"    </{name}>")


def write_gexf(graph: nx.MultiDiGraph, path: str | os.PathLike[str], rows: GraphRows | None = None) -> Path:
    """Write ``graph`` as dynamic GEXF 1.3 for Gephi's timeline (see the module docstring)."""
    return atomic_write(path, gexf_bytes(graph, rows))
