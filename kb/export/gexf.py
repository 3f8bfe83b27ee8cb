"""GEXF 1.3 for Gephi, with dynamic intervals for its timeline: :func:`write_gexf`, :func:`gexf_bytes`.

Written by kb itself (xml.etree), not by networkx's writer, as Gephi reads it:

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
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import (
    Scalar, _edge_rows, _node_rows, _text, _typed, _unify_types, date_interval, node_interval)
from kb.export.graphml import graphml_node_id


__all__ = ["date_interval", "gexf_bytes", "node_interval", "write_gexf"]  # the first two from kb.export.flat

GEXF_NS = "http://gexf.net/1.3"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# GraphML attr.type -> GEXF attribute type.
_GEXF_TYPES = {"string": "string", "int": "integer", "double": "double", "boolean": "boolean"}
# Written as the element's own attributes, not as <attvalue>s.
_OWN = frozenset({"label"})


def _declare(graph: ET.Element, domain: str, types: dict[str, str]) -> list[str]:
    """One <attributes class=domain> block: ``type`` first, then by name; the declared names."""
    names = sorted((n for n in types if n not in _OWN), key=lambda n: (n != "type", n))
    block = ET.SubElement(graph, "attributes", {"class": domain, "mode": "static"})
    for name in names:
        ET.SubElement(block, "attribute", {"id": name, "title": name, "type": _GEXF_TYPES[types[name]]})
    return names


def _attvalues(element: ET.Element, attrs: dict[str, Scalar], types: dict[str, str], names: list[str]) -> None:
    present = [name for name in names if name in attrs]
    if present:
        values = ET.SubElement(element, "attvalues")
        for name in present:
            ET.SubElement(values, "attvalue", {"for": name, "value": _text(_typed(attrs[name], types[name]))})


def _edge_ids(edges: Iterable[tuple[str, str, dict[str, Scalar]]]) -> list[str]:
    """``source|kind|target`` (GEXF node ids) per edge, numbered ``#2``… should two coincide."""
    ids, seen = [], set()
    for u, v, attrs in edges:
        base = f"{graphml_node_id(u)}|{attrs['type']}|{graphml_node_id(v)}"
        edge_id, number = base, 1
        while edge_id in seen:
            number += 1
            edge_id = f"{base}#{number}"
        seen.add(edge_id)
        ids.append(edge_id)
    return ids


def gexf_bytes(graph: nx.MultiDiGraph) -> bytes:
    """The GEXF 1.3 document for ``graph``, as written by :func:`write_gexf`."""
    nodes, edges = _node_rows(graph), _edge_rows(graph)
    node_types, edge_types = _unify_types(a for _, a in nodes), _unify_types(a for _, _, a in edges)
    location = f"{GEXF_NS} {GEXF_NS}/gexf.xsd"
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "xmlns:xsi": _XSI_NS, "xsi:schemaLocation": location,
                               "version": "1.3"})
    ET.SubElement(ET.SubElement(root, "meta"), "creator").text = "kb"
    direction = "directed" if graph.is_directed() else "undirected"
    element = ET.SubElement(root, "graph", {"defaultedgetype": direction, "mode": "dynamic", "timeformat": "date"})
    node_names = _declare(element, "node", node_types)
    edge_names = _declare(element, "edge", edge_types)
    node_list = ET.SubElement(element, "nodes", {"count": str(len(nodes))})
    for record_id, attrs in nodes:
        span = node_interval(attrs)
        timing = {"start": span[0], "end": span[1]} if span else {}
        own = {"id": graphml_node_id(record_id), "label": str(attrs["label"]), **timing}
        node = ET.SubElement(node_list, "node", own)
        _attvalues(node, attrs, node_types, node_names)
    edge_list = ET.SubElement(element, "edges", {"count": str(len(edges))})
    for edge_id, (u, v, attrs) in zip(_edge_ids(edges), edges):
        ends = {"source": graphml_node_id(u), "target": graphml_node_id(v)}
        edge = ET.SubElement(edge_list, "edge", {"id": edge_id, **ends, "label": str(attrs["label"]),
                                                 "kind": str(attrs["type"])})
        _attvalues(edge, attrs, edge_types, edge_names)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_gexf(graph: nx.MultiDiGraph, path: str | os.PathLike[str]) -> Path:
    """Write ``graph`` as dynamic GEXF 1.3 for Gephi's timeline (see the module docstring)."""
    return atomic_write(path, gexf_bytes(graph))
