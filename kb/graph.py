"""The knowledge graph: merged records and articles as a networkx MultiDiGraph.

Nodes are keyed by record id (``event:2024年世界互联网大会乌镇峰会``,
``org:…``, ``person:…``, ``doc:<kind>:<title>``, ``claim:<hash>``), by
``article:<file name>`` for articles, ``series:<name>`` for each summit
series of ``rules/events.yaml`` (``series:世界互联网大会``) and
``conflict:<hash>`` for each group of claims that disagree
(:attr:`kb.merge.Conflict.id`). Every node has

- ``type``: ``event``, ``organization``, ``person``, ``document``, ``claim``,
  ``article``, ``series`` or ``conflict``;
- ``label``: the display name (a claim: ``subject metric time: text``);
- the record's fields as plain values (str, int, float, bool, None, list of
  str): dates stay ISO strings, roles become ``title（organization）``
  strings, provenance is left out; ``year`` (int or None) where it can be
  known, and ``docs``, the articles stating the record. A conflict node has
  ``metric``, ``subject``, ``time``, ``year``, ``values`` (the values stated,
  as text, in article order) and ``docs``.

Edges are keyed by their type and have attributes ``type`` and ``label``:

=================  ==========================================================
``issued_by``      document → organisation
``released_at``    document → event
``part_of``        event → event (a forum held during a summit)
``edition_of``     summit → its series (from the rules)
``holds_role_in``  person → organisation; ``title`` (several joined by 、)
``about``          claim → the record its subject names, when exactly one
``reported_by``    claim → organisation the figure is attributed to
``mentioned_in``   record → article
``next``           event → next event of its series by year
``in_conflict``    claim → the conflict node of its metric, subject and time
=================  ==========================================================

Claims that disagree share one ``conflict`` node rather than an edge per pair:
n claims on one figure give n edges, not n².

Names are resolved through :meth:`kb.merge.Merged.resolve` (aliases, either
script); a name that resolves to nothing (``中国`` as an issuer) or to several
records gives no edge, and stays a node attribute. Nodes and edges are added
in sorted order, so the same facts give the same graph, order included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import networkx as nx

from kb.merge import Conflict, Merged, fold, record_year, year_of
from kb.records.models import Claim, Document, Event, Organization, Person, Record

EDGE_LABELS: dict[str, str] = {
    "issued_by": "发布方",
    "released_at": "发布于",
    "part_of": "属于",
    "edition_of": "届次",
    "holds_role_in": "任职",
    "about": "关于",
    "reported_by": "来源",
    "mentioned_in": "见于",
    "next": "下一届",
    "in_conflict": "冲突",
}
NODE_TYPES: dict[type[Record], str] = {
    Event: "event", Organization: "organization", Person: "person", Document: "document", Claim: "claim",
}
_LEADING_YEAR = re.compile(r"^\d{4}年")

Edge = tuple[str, str, str, dict[str, Any]]  # (source, target, type, extra attributes)


def article_id(doc: str) -> str:
    return f"article:{doc}"


def build_graph(merged: Merged) -> nx.MultiDiGraph:
    """The graph of ``merged`` (see the module docstring for its conventions)."""
    graph = nx.MultiDiGraph()
    nodes = dict(_record_nodes(merged))
    nodes.update(_article_nodes(merged))
    for name in sorted({s for e in merged.events if (s := rule_series(e))}):
        nodes[series_id(name)] = {"type": "series", "label": name, "year": None}
    nodes.update(_conflict_nodes(merged))
    for key in sorted(nodes):
        graph.add_node(key, **nodes[key])
    for source, target, kind, extra in sorted(set(_edges(merged)), key=lambda e: e[:3]):
        graph.add_edge(source, target, key=kind, type=kind, label=EDGE_LABELS[kind], **dict(extra))
    return graph


def link_edges(merged: Merged) -> list[Edge]:
    """Every edge of the graph but ``mentioned_in`` (those are :attr:`Merged.mentions`), sorted:
    what a query needs to list one record's links without building the graph."""
    return sorted({e for e in _edges(merged) if e[2] != "mentioned_in"}, key=lambda e: e[:3])


def node_labels(merged: Merged, ids: set[str]) -> dict[str, str]:
    """The ``label`` the graph gives each node of ``ids``."""
    out: dict[str, str] = {}
    conflicts = {c.id: c for c in merged.conflicts} if any(i.startswith("conflict:") for i in ids) else {}
    for node in ids:
        if (record := merged.get(node)) is not None:
            out[node] = node_label(record)
        elif node in conflicts:
            out[node] = conflict_label(conflicts[node])
        elif node.startswith("series:"):
            out[node] = node.removeprefix("series:")
    if set(ids) - set(out):  # articles: as _article_nodes labels them
        out.update({node: attrs["label"] for node, attrs in _article_nodes(merged) if node in ids})
    return out


# ---------------------------------------------------------------- nodes


def _record_nodes(merged: Merged) -> Iterator[tuple[str, dict[str, Any]]]:
    for record_id, record in merged.with_ids():
        attrs = record.model_dump(mode="json", exclude={"provenance", "id"})
        attrs["id"] = record_id  # where the dump puts it (computed fields last), not computed again
        if isinstance(record, Person):
            attrs["roles"] = [_role_text(r.title, r.organization) for r in record.roles]
        attrs.update(type=NODE_TYPES[type(record)], label=node_label(record), year=record_year(record))
        attrs["docs"] = merged.docs_of(record_id)
        yield record_id, attrs


def _article_nodes(merged: Merged) -> Iterator[tuple[str, dict[str, Any]]]:
    """An article: labelled by its file name (``doc``), its date (``doc_date``, ``year``) and,
    where known, ``title``, ``outlet`` and ``url`` (:meth:`ArticleFacts.metadata`)."""
    known = merged.article_info  # file name → ArticleFacts.metadata()
    for doc, date in merged.articles.items():
        attrs = {"type": "article", "label": doc, "doc": doc, "doc_date": date, "year": year_of(date)}
        yield article_id(doc), {**attrs, **{k: v for k, v in known.get(doc, {}).items() if k not in attrs}}


def _conflict_nodes(merged: Merged) -> Iterator[tuple[str, dict[str, Any]]]:
    for conflict in merged.conflicts:
        docs = sorted({doc for claim in conflict.claims for doc in merged.docs_of(claim.id)})
        yield conflict.id, {
            "type": "conflict", "label": conflict_label(conflict), "metric": conflict.metric,
            "subject": conflict.subject, "time": conflict.time, "year": year_of(conflict.time),
            "values": [str(claim.value) for claim in conflict.claims], "docs": docs,
        }


def conflict_label(conflict: Conflict) -> str:
    """``subject metric time: value text / value text …``."""
    when = f" {conflict.time}" if conflict.time else ""
    return f"{conflict.subject} {conflict.metric}{when}: {' / '.join(c.text for c in conflict.claims)}"


def _role_text(title: str, organization: str | None) -> str:
    return f"{title}（{organization}）" if organization else title


def node_label(record: Record) -> str:
    """The display name of a record."""
    if isinstance(record, Document):
        return f"《{record.title}》"
    if isinstance(record, Claim):
        when = f" {record.time}" if record.time else ""
        return f"{record.subject or ''} {record.metric or ''}{when}: {record.text}".strip()
    return record.name  # type: ignore[attr-defined]


# ---------------------------------------------------------------- edges


def _edges(merged: Merged) -> Iterator[Edge]:
    yield from _mention_edges(merged)
    yield from _document_edges(merged)
    yield from _event_edges(merged)
    yield from _person_edges(merged)
    yield from _claim_edges(merged)


def _mention_edges(merged: Merged) -> Iterator[Edge]:
    for record_id, _ in merged.with_ids():
        for doc in merged.docs_of(record_id):
            yield record_id, article_id(doc), "mentioned_in", ()


def _document_edges(merged: Merged) -> Iterator[Edge]:
    for doc in merged.documents:
        if issuer := merged.resolve(doc.issuer, types=[Organization]):
            yield doc.id, issuer, "issued_by", ()
        if event := merged.resolve(doc.event, types=[Event], year=year_of(doc.date)):
            yield doc.id, event, "released_at", ()


def _event_edges(merged: Merged) -> Iterator[Edge]:
    for event in merged.events:
        if whole := merged.resolve(event.part_of, types=[Event], year=event.year):
            yield event.id, whole, "part_of", ()
        if series := rule_series(event):
            yield event.id, series_id(series), "edition_of", ()
    for events in event_series(merged.events).values():
        for earlier, later in zip(events, events[1:]):
            yield earlier.id, later.id, "next", ()


def _person_edges(merged: Merged) -> Iterator[Edge]:
    for person in merged.people:
        titles: dict[str, list[str]] = {}
        for role in person.roles:
            if org := merged.resolve(role.organization, types=[Organization]):
                titles.setdefault(org, []).append(role.title)
        for org, names in titles.items():
            yield person.id, org, "holds_role_in", (("title", "、".join(names)),)


def _claim_edges(merged: Merged) -> Iterator[Edge]:
    for claim in merged.claims:
        if subject := merged.resolve(claim.subject, year=year_of(claim.time)):
            yield claim.id, subject, "about", ()
        if source := merged.resolve(claim.source, types=[Organization]):
            yield claim.id, source, "reported_by", ()
    for conflict in merged.conflicts:
        for claim in conflict.claims:
            yield claim.id, conflict.id, "in_conflict", ()


# ---------------------------------------------------------------- series


def series_id(name: str) -> str:
    return f"series:{name}"


def rule_series(event: Event) -> str | None:
    """The name of the series in ``rules/events.yaml`` a summit is an occurrence of (its name is
    the series' name for its year: 2024年世界互联网大会乌镇峰会 → 世界互联网大会), else None."""
    if event.kind != "summit" or event.year is None:
        return None
    # Imported here: kb.extract imports spaCy (over a second), which a query never needs.
    from kb.extract.events import load_event_rules

    return next((s.name for s in load_event_rules().series
                 if event.name in (s.name_of(event.year), f"{event.year}年{s.name}")), None)


def series_name(event: Event, rules: Mapping[str, str] | None = None) -> str | None:
    """The series an event occurrence belongs to: a summit's from the rules, else its name
    without a leading year; None without a year. ``rules`` (:func:`rule_series_of`), where
    given, says which series of the rules each event belongs to, without reading them."""
    rule = rules.get(event.id) if rules is not None else rule_series(event)
    return rule or (_LEADING_YEAR.sub("", event.name) if event.year is not None else None)


def rule_series_of(merged: Merged) -> dict[str, str]:
    """Event id → its series in ``rules/events.yaml``, for every summit that is an occurrence of one."""
    return {event.id: name for event in merged.events if (name := rule_series(event))}


def event_series(events: list[Event]) -> dict[str, list[Event]]:
    """Folded series name → its dated occurrences by year (series of one left out)."""
    groups: dict[str, list[Event]] = {}
    for event in events:
        name = series_name(event)
        if name is not None and event.year is not None:
            groups.setdefault(fold(name), []).append(event)
    return {k: sorted(v, key=lambda e: (e.year, e.id)) for k, v in sorted(groups.items()) if len(v) > 1}
