"""Readable terminal tables for the query commands (rich handles CJK widths)."""

from __future__ import annotations

from typing import Iterable

from rich.console import Console
from rich.table import Table

from kb.merge import Conflict, names_of
from kb.query import Shown, TimelineEntry
from kb.records.models import Claim, Record

_EMPTY = "—"


def _render(table: Table) -> str:
    console = Console(width=160, record=True, file=_Null(), color_system=None)
    console.print(table)
    return console.export_text().rstrip()


class _Null:
    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        pass


def _name(record: Record) -> str:
    if isinstance(record, Claim):
        return f"{record.subject or ''} {record.metric or ''} {record.time or ''}: {record.text}".strip()
    return names_of(record)[0]


def _sources(record: Record) -> str:
    return ", ".join(sorted({p.doc for p in record.provenance})) or _EMPTY


def timeline_table(entries: Iterable[TimelineEntry]) -> str:
    table = Table("date", "type", "name", "sources", title="timeline")
    for entry in entries:
        table.add_row(entry.date or _EMPTY, type(entry.record).__name__.lower(), _name(entry.record), _sources(entry.record))
    return _render(table)


def records_table(records: Iterable[Record]) -> str:
    table = Table("id", "name", "sources", title="records")
    for record in records:
        table.add_row(record.id, _name(record), _sources(record))
    return _render(table)


def record_table(shown: Shown) -> str:
    record = shown.record
    table = Table("field", "value", title=record.id)
    for field, value in record.model_dump(mode="json", exclude={"id", "provenance"}).items():
        table.add_row(field, _EMPTY if value in (None, [], "") else str(value))
    table.add_row("articles", ", ".join(shown.docs) or _EMPTY)
    if shown.former_ids:
        table.add_row("id before correction", ", ".join(shown.former_ids))
    for link in shown.links:
        arrow = "→" if link.direction == "out" else "←"
        table.add_row(f"{arrow} {link.type}", f"{link.label} ({link.other})")
    for dis in shown.disagreements:
        table.add_row(f"≠ {dis.field}", "; ".join(f"{v.value} ({', '.join(v.docs)})" for v in dis.values))
    for prov in record.provenance:
        table.add_row(f"source {prov.doc}:{prov.start}-{prov.end}", f"{prov.quote} [{prov.rule}]")
    return _render(table)


def conflicts_table(conflicts: Iterable[Conflict]) -> str:
    table = Table("metric", "subject", "time", "value", "text", "sources", title="conflicting claims")
    for conflict in conflicts:
        for claim in conflict.claims:
            table.add_row(
                conflict.metric, conflict.subject, conflict.time or _EMPTY, str(claim.value), claim.text, _sources(claim)
            )
    return _render(table)
