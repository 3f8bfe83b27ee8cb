"""Neo4j bulk-import CSV files: :func:`write_neo4j_csv`.

The files are for ``neo4j-admin database import full`` (Neo4j 5), which loads
them into a new, stopped database in one pass; ``import.sh`` in the same folder
runs it with every file and the options the files need::

    neo4j-admin database import full --array-delimiter=';' --multiline-fields=true \\
        --nodes=nodes_Article.csv ... --relationships=relationships_ABOUT.csv ... neo4j

Format (UTF-8, comma-separated, ``"`` quotes doubled, ``\\n`` line ends):

- one ``nodes_<Label>.csv`` per node ``type``: the label is the type in
  CamelCase (``organization`` → ``Organization``). Columns ``id:ID`` (the
  record id: one id space for all files), ``:LABEL``, ``label`` (the display
  name), then the node's other attributes by name, each with its Neo4j type:
  ``year:int``, ``value:long``, ``share:double``, ``certain:boolean``,
  ``aliases:string[]``, else ``string``;
- one ``relationships_<TYPE>.csv`` per edge ``type``, the type in upper case
  (``issued_by`` → ``ISSUED_BY``): ``:START_ID``, ``:END_ID``, ``:TYPE``, then
  the edge's attributes (``label``, ``title``…) typed the same way.

Values: ``None`` and empty values are left empty (no property); a list of
scalars is an array joined with ``;`` (a ``;`` inside an item is written
``；``, since the import cannot escape the delimiter); mappings and lists of
mappings are JSON strings; a column of 32-bit ints is ``int``, wider ints
``long``, ints mixed with floats ``double``, anything else mixed ``string``.
Characters XML cannot hold are dropped here too, so every export holds the
same text. Rows are sorted by id (relationships by start, end), columns by
name: the same graph gives the same bytes. Files of an earlier export that
this one does not write (a type that is gone) are removed.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from kb.store.files import atomic_write
from kb.export.flat import Scalar, _flat_value, _text, xml_text


ARRAY_DELIMITER = ";"
COMMAND_FILE = "import.sh"
_NODE_PREFIX, _REL_PREFIX = "nodes_", "relationships_"
_INT32 = range(-(2**31), 2**31)

Value = Scalar | list[Scalar]
Row = dict[str, Value]


def write_neo4j_csv(graph: nx.MultiDiGraph, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``graph`` as Neo4j bulk-import files into ``folder`` (see the module
    docstring); the paths written, node files first, then relationship files, then ``import.sh``."""
    folder = Path(folder)
    node_tables, rel_tables = _node_tables(graph), _relationship_tables(graph)
    written = [atomic_write(folder / f"{_NODE_PREFIX}{label}.csv", _csv_text(rows, ["id:ID", ":LABEL"]))
               for label, rows in node_tables.items()]
    written += [atomic_write(folder / f"{_REL_PREFIX}{kind}.csv", _csv_text(rows, [":START_ID", ":END_ID", ":TYPE"]))
                for kind, rows in rel_tables.items()]
    written.append(atomic_write(folder / COMMAND_FILE, import_command([p.name for p in written])))
    for stale in sorted([*folder.glob(f"{_NODE_PREFIX}*.csv"), *folder.glob(f"{_REL_PREFIX}*.csv")]):
        if stale not in written:
            stale.unlink()
    return written


def import_command(files: Iterable[str], database: str = "neo4j") -> str:
    """``import.sh``: ``neo4j-admin database import full`` of ``files`` (names in the script's folder)."""
    options = [f"--nodes={f}" if f.startswith(_NODE_PREFIX) else f"--relationships={f}" for f in files]
    lines = [
        "#!/bin/sh",
        "# Load the CSV files next to this script into a stopped Neo4j 5 database (written by kb).",
        f"# Usage: sh {COMMAND_FILE} [DATABASE (default {database})] [more neo4j-admin options,",
        "#        e.g. --overwrite-destination to replace an existing database]",
        'cd "$(dirname "$0")" || exit 1',
        f'database="${{1:-{database}}}"',
        '[ $# -gt 0 ] && shift',
        "exec neo4j-admin database import full \\",
        f"  --array-delimiter='{ARRAY_DELIMITER}' --multiline-fields=true \\",
        *(f"  {option} \\" for option in options),
        '  "$@" "$database"',
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- names


def neo4j_label(node_type: str) -> str:
    """The node label of a kb node type: ``organization`` → ``Organization``."""
    words = [w for w in re.split(r"[^0-9A-Za-z\u00c0-\U0010ffff]+", xml_text(node_type)) if w]
    return "".join(w[:1].upper() + w[1:] for w in words) or "Node"


def neo4j_type(edge_type: str) -> str:
    """The relationship type of a kb edge type: ``issued_by`` → ``ISSUED_BY``."""
    words = [w for w in re.split(r"[^0-9A-Za-z\u00c0-\U0010ffff]+", xml_text(edge_type)) if w]
    return "_".join(words).upper() or "RELATED_TO"


def _property_name(name: Any) -> str:
    # A ':' in a header cell would start the column's type.
    return xml_text(name).replace(":", "_").strip()


# ---------------------------------------------------------------- rows


def _value(value: Any) -> Value | None:
    """A scalar, a list of scalars (an array), or None when there is nothing to write."""
    if not isinstance(value, list | tuple | set | frozenset):
        return _flat_value(value)
    if any(isinstance(v, Mapping | list | tuple) for v in value):
        return _flat_value(value)  # a list of mappings or lists: JSON text
    items = [_flat_value(v) for v in (value if isinstance(value, list | tuple) else sorted(value, key=str))]
    array = [i for i in items if i is not None and _text(i).strip()]
    return array or None


def _properties(data: Mapping[str, Any], skip: Iterable[str]) -> Row:
    row: Row = {}
    for key in sorted(data, key=str):
        name, value = _property_name(key), _value(data[key])
        if name and name not in skip and name not in row and value is not None:
            row[name] = value
    return row


def _node_tables(graph: nx.MultiDiGraph) -> dict[str, list[Row]]:
    """Label → rows (``id:ID``, ``:LABEL``, properties), each table by id, tables by label."""
    tables: dict[str, list[Row]] = {}
    for node, data in sorted(graph.nodes(data=True), key=lambda item: str(item[0])):
        label = neo4j_label(str(data.get("type") or str(node).split(":", 1)[0]))
        row: Row = {"id:ID": xml_text(node, as_id=True), ":LABEL": label}
        row["label"] = _flat_value(data.get("label")) or xml_text(node)
        row.update(_properties(data, skip=("id", "type", "label")))
        tables.setdefault(label, []).append(row)
    return dict(sorted(tables.items()))


def _relationship_tables(graph: nx.MultiDiGraph) -> dict[str, list[Row]]:
    """Type → rows (``:START_ID``, ``:END_ID``, ``:TYPE``, properties), by start, end; tables by type."""
    tables: dict[str, list[Row]] = {}
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for u, v, key, data in edges:
        kind = neo4j_type(str(data.get("type") or key))
        row: Row = {":START_ID": xml_text(u, as_id=True), ":END_ID": xml_text(v, as_id=True), ":TYPE": kind}
        row.update(_properties(data, skip=("type",)))
        tables.setdefault(kind, []).append(row)
    return dict(sorted(tables.items()))


# ---------------------------------------------------------------- typed columns


def column_type(values: Iterable[Value]) -> str:
    """The Neo4j type of a column: ``int``, ``long``, ``double``, ``boolean``, ``string`` or an array of one."""
    kinds, is_array = set(), False
    for value in values:
        is_array |= isinstance(value, list)
        kinds.update(_scalar_kind(v) for v in (value if isinstance(value, list) else [value]))
    if len(kinds) == 1:
        kind = kinds.pop()
    elif kinds and kinds <= {"int", "long", "double"}:
        kind = "double" if "double" in kinds else "long"
    else:
        kind = "string"
    if is_array and kind == "int":
        kind = "long"
    return f"{kind}[]" if is_array else kind


def _scalar_kind(value: Scalar) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "int" if value in _INT32 else "long"
    return "double" if isinstance(value, float) else "string"


def _cell(value: Value, kind: str) -> str:
    items = value if isinstance(value, list) else [value]
    scalar = kind.removesuffix("[]")
    texts = [_scalar_text(v, scalar) for v in items]
    if kind.endswith("[]"):
        return ARRAY_DELIMITER.join(t.replace(ARRAY_DELIMITER, "；") for t in texts)
    return texts[0]


def _scalar_text(value: Scalar, kind: str) -> str:
    if kind == "double":
        return repr(float(value))
    return _text(value)


def _csv_text(rows: list[Row], fixed: list[str]) -> str:
    """The CSV text of one file: ``fixed`` columns, then every property by name with its type."""
    names = sorted({n for row in rows for n in row if n not in fixed})
    types = {n: column_type(row[n] for row in rows if n in row) for n in names}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*fixed, *(f"{n}:{types[n]}" for n in names)])
    for row in rows:
        writer.writerow([*(str(row[f]) for f in fixed), *(_cell(row[n], types[n]) if n in row else "" for n in names)])
    return buffer.getvalue()
