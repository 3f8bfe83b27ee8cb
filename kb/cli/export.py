"""``kb export FORMAT OUT``: a build's graph written by one of the kb.export writers.

=============  ================================================================
``csv``        Neo4j import CSV files into the folder OUT (kb.export.neo4j)
``graphml``    GraphML into the file OUT, or OUT/graph.graphml when OUT is a folder
``gexf``       GEXF into the file OUT, or OUT/graph.gexf
``timeline``   the timeline SVG into the file OUT, or OUT/timeline.svg; ``series``
               keeps the events and documents of one series
=============  ================================================================
"""

from __future__ import annotations

from pathlib import Path

from kb.errors import KbError
from kb.query import KnowledgeBase
from kb.store.layout import GEXF, GRAPHML, TIMELINE

FORMATS = ("csv", "graphml", "gexf", "timeline")


def export(kb: KnowledgeBase, fmt: str, out: Path, *, series: str | None = None) -> list[Path]:
    """Write the graph of ``kb`` as ``fmt`` to ``out``; the files written."""
    if fmt == "csv":
        from kb.export.neo4j import write_neo4j_csv

        return list(write_neo4j_csv(kb.graph, out))
    if fmt == "graphml":
        from kb.export.graphml import write_graphml

        return [write_graphml(kb.graph, _file(out, GRAPHML))]
    if fmt == "gexf":
        from kb.export.gexf import write_gexf

        return [write_gexf(kb.graph, _file(out, GEXF))]
    if fmt == "timeline":
        from kb.export.timeline import write_timeline

        return [write_timeline(kb.graph, _file(out, TIMELINE), series=_series_node(kb, series))]
    raise KbError(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")


def _file(out: Path, name: str) -> Path:
    """OUT itself, or OUT/name when OUT is a folder."""
    return out / name if out.is_dir() else out


def _series_node(kb: KnowledgeBase, name: str | None) -> str | None:
    """The graph node id of the series ``name`` (None: every event)."""
    from kb.graph import series_id

    if name is None:
        return None
    if series_id(name) not in kb.graph:
        known = sorted(data["label"] for _, data in kb.graph.nodes(data=True) if data.get("type") == "series")
        raise KbError(f"--series: no series {name!r} in this build; its series: {', '.join(known) or 'none'}")
    return series_id(name)
