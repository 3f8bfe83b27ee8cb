"""The answers of the query commands, as tables (terminal and ``--csv``) and as JSON (``--json``);
the tables of ``kb eval --csv``.

Every record in a JSON answer is an *item*: the record as
``model_dump(mode="json")`` (its ``id`` included) with what the tables show::

    {"type": "event", "label": "2024年世界互联网大会乌镇峰会",
     "articles": ["001_2a564194b7dcf398.txt"], "record": {"id": "event:…", "name": …}}

``type`` is the graph's node type (event, organization, person, document,
claim), ``label`` the name shown (a claim: ``subject metric time: text``),
``articles`` the articles stating the record. The answers:

=================  ============================================================
``kb find``        ``[item, …]``
``kb timeline``    ``[{"date": "2023-11" or null, …item}, …]``, by date
``kb show``        ``{…item, "links": [{"type", "direction", "other", "label"}],
                   "disagreements": [{"record", "field", "values": [{"value",
                   "docs"}]}], "former_ids": [id before a correction, …]}``
``kb conflicts``   ``[{"metric", "subject", "time", "claims": [item, …]}, …]``
=================  ============================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from kb.cli.output import Table
from kb.graph import NODE_TYPES
from kb.merge import Conflict, names_of
from kb.query import Shown, TimelineEntry
from kb.records.models import Claim, Record

DocsOf = Callable[[str], list[str]]  # record id → the articles stating it (Merged.docs_of)


def label(record: Record) -> str:
    if isinstance(record, Claim):
        return f"{record.subject or ''} {record.metric or ''} {record.time or ''}: {record.text}".strip()
    return names_of(record)[0]


def record_type(record: Record) -> str:
    return NODE_TYPES[type(record)]


def item(record: Record, docs_of: DocsOf) -> dict[str, Any]:
    """A record as JSON with its type, label and articles (the module docstring's *item*)."""
    return {"type": record_type(record), "label": label(record), "articles": docs_of(record.id),
            "record": record.model_dump(mode="json")}


# ---------------------------------------------------------------- kb find


def records_table(records: Iterable[Record], docs_of: DocsOf) -> Table:
    table = Table("records", ["id", "type", "name", "articles"])
    for record in records:
        table.add(record.id, record_type(record), label(record), docs_of(record.id))
    return table


def records_json(records: Iterable[Record], docs_of: DocsOf) -> list[dict[str, Any]]:
    return [item(record, docs_of) for record in records]


# ---------------------------------------------------------------- kb timeline


def timeline_table(entries: Iterable[TimelineEntry], docs_of: DocsOf) -> Table:
    table = Table("timeline", ["date", "type", "id", "name", "articles"])
    for entry in entries:
        record = entry.record
        table.add(entry.date, record_type(record), record.id, label(record), docs_of(record.id))
    return table


def timeline_json(entries: Iterable[TimelineEntry], docs_of: DocsOf) -> list[dict[str, Any]]:
    return [{"date": entry.date, **item(entry.record, docs_of)} for entry in entries]


# ---------------------------------------------------------------- kb show


def record_table(shown: Shown) -> Table:
    """One row per field, then the articles, links, disagreements and sources."""
    record = shown.record
    table = Table(record.id, ["field", "value"])
    for name, value in record.model_dump(mode="json", exclude={"id", "provenance"}).items():
        table.add(name, _field_text(value))
    table.add("articles", shown.docs)
    if shown.former_ids:
        table.add("id before correction", shown.former_ids)
    for link in shown.links:
        arrow = "→" if link.direction == "out" else "←"
        table.add(f"{arrow} {link.type}", f"{link.label} ({link.other})")
    for dis in shown.disagreements:
        table.add(f"≠ {dis.field}", "; ".join(f"{v.value} ({', '.join(v.docs)})" for v in dis.values))
    for prov in record.provenance:
        table.add(f"source {prov.doc}:{prov.start}-{prov.end}", f"{prov.quote} [{prov.rule}]")
    return table


def _field_text(value: Any) -> str | list[str] | None:
    """A field's value as the table shows it: scalars as they are, a list of
    names joined (by Table), a role as ``title（organization）``."""
    if isinstance(value, list):
        return [_field_text(v) or "" for v in value]
    if isinstance(value, dict):
        parts = {k: v for k, v in value.items() if v not in (None, "", [])}
        if set(parts) <= {"title", "organization"} and "title" in parts:
            return f"{parts['title']}（{parts['organization']}）" if "organization" in parts else parts["title"]
        return json.dumps(parts, ensure_ascii=False, sort_keys=True)
    return None if value in (None, "") else str(value)


def record_json(shown: Shown) -> dict[str, Any]:
    rest = shown.model_dump(mode="json", exclude={"record", "docs"})
    return {**item(shown.record, lambda _: list(shown.docs)), **rest}


# ---------------------------------------------------------------- kb conflicts


def conflicts_table(conflicts: Iterable[Conflict], docs_of: DocsOf) -> Table:
    """One row per claim: the claims of one conflict are consecutive rows."""
    table = Table("conflicting claims", ["metric", "subject", "time", "claim", "value", "unit", "text", "articles"])
    for conflict in conflicts:
        for claim in conflict.claims:
            table.add(conflict.metric, conflict.subject, conflict.time, claim.id, claim.value, claim.unit,
                      claim.text, docs_of(claim.id))
    return table


def conflicts_json(conflicts: Iterable[Conflict], docs_of: DocsOf) -> list[dict[str, Any]]:
    return [{**conflict.model_dump(mode="json", exclude={"claims"}),
             "claims": [item(claim, docs_of) for claim in conflict.claims]} for conflict in conflicts]



# ---------------------------------------------------------------- kb eval --csv


def score_table(report: dict[str, Any]) -> Table:
    """The per-type scores of :func:`kb.evaluate.gold.report_json`, one row per type, then ``all``."""
    table = Table("scores", ["type", "precision", "recall", "f1", "tp", "fp", "fn",
                             "attributes_correct", "attributes_total"])
    for name, scores in [*report["types"].items(), ("all", report["all"])]:
        table.add(name, *(round(scores[k], 6) for k in ("precision", "recall", "f1")),
                  *(scores[k] for k in ("tp", "fp", "fn")), *scores["attributes"])
    return table


def rule_report_table(report: dict[str, Any]) -> Table:
    """The rules of :func:`kb.evaluate.rule_report.rule_report_json`, worst first, as ``kb eval --by-rule`` shows them."""
    columns = ["rule", "types", "fires", "records", "true", "false", "precision", "overlaps"]
    table = Table("rules", columns)
    for rule in report["rules"]:
        table.add(*(",".join(rule[c]) if c == "types" else rule[c] for c in columns))
    return table
