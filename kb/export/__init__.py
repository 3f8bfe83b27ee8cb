"""Write the knowledge base to files: GraphML, GEXF 1.3, Neo4j bulk-import CSV and a
timeline picture, SVG and PNG (the YAML review dump is kb.review.dump's). Every write is
atomic and every output is deterministic:
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

GEXF 1.3 (for Gephi and its timeline; :mod:`kb.export.gexf`)
    Written by kb, not networkx: the same node ids and attribute names as the
    GraphML, the relation as the edge's ``kind`` (so Gephi keeps parallel
    relations apart) and as the attribute ``type``, one edge id per source,
    kind and target. Events, documents and claims get ``start``/``end`` dates
    (``timeformat="date"``) from their ISO dates, or from ``year`` (the whole
    year): a partial date covers its month or year, a period ``2016/2022``
    covers 2016-01-01..2022-12-31. Other nodes are timeless (always shown). The
    tests validate it against ``tests/data/gexf.xsd``, an offline restatement
    of GEXF 1.3 (the published XSD does not compile; its header says why).

Neo4j (for ``neo4j-admin database import full``; :mod:`kb.export.neo4j`)
    One typed CSV file per node label and per relationship type, and
    ``import.sh`` with the import command.

Timeline (:mod:`kb.export.timeline`)
    matplotlib on a time axis: a lane per summit series and per record type,
    year-only and month-only dates as bars over their year or month, undated
    records listed below; SVG (text kept as text) and PNG.
"""
