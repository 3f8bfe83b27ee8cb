"""Neo4j bulk-import CSV (kb.export.neo4j) on the graph of the gold facts: files read
back with csv, relationship ends among the node ids, every typed column parses as its type."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from kb.export.neo4j import COMMAND_FILE, column_type, neo4j_label, neo4j_type, write_neo4j_csv

LABELS = {"Article", "Claim", "Document", "Event", "Organization", "Person", "Series"}

COLUMN_TYPE_CASES = [
    # (values of one column, Neo4j type)
    ([2024, 2023], "int"),
    ([2024, 53900000000000], "long"),
    ([43, 0.428], "double"),
    ([True, False], "boolean"),
    (["乌镇"], "string"),
    ([["WIC", "世界互联网大会国际组织"], ["X"]], "string[]"),
    ([["a"], "b"], "string[]"),  # a single value in an array column is an array of one
    ([[1, 2]], "long[]"),
    ([True, 1], "string"),
    ([2024, "2024年"], "string"),
]

NAME_CASES = [
    # (kb type, node label, relationship type)
    ("organization", "Organization", "ORGANIZATION"),
    ("issued_by", "IssuedBy", "ISSUED_BY"),
    ("in_conflict", "InConflict", "IN_CONFLICT"),
    ("conflict", "Conflict", "CONFLICT"),
    ("part-of series", "PartOfSeries", "PART_OF_SERIES"),
]

PARSERS = {
    "int": lambda s: int(s) in range(-(2**31), 2**31),
    "long": lambda s: isinstance(int(s), int),
    "double": lambda s: isinstance(float(s), float),
    "boolean": lambda s: s in ("true", "false"),
    "string": lambda s: isinstance(s, str),
}


@pytest.fixture(scope="module")
def exported(gold_graph, tmp_path_factory) -> list[Path]:
    return write_neo4j_csv(gold_graph, tmp_path_factory.mktemp("neo4j"))


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _files(exported: list[Path], prefix: str) -> list[Path]:
    return [p for p in exported if p.name.startswith(prefix)]


def _node_ids(exported: list[Path]) -> list[str]:
    ids = []
    for path in _files(exported, "nodes_"):
        header, rows = _read(path)
        ids += [row[header.index("id:ID")] for row in rows]
    return ids


def test_export_neo4j_one_file_per_label_and_type(exported, gold_graph):
    labels = {p.name.removeprefix("nodes_").removesuffix(".csv") for p in _files(exported, "nodes_")}
    types = {p.name.removeprefix("relationships_").removesuffix(".csv") for p in _files(exported, "relationships_")}
    assert labels == LABELS
    assert types == {k.upper() for _, _, k in gold_graph.edges(keys=True)}
    assert exported[-1].name == COMMAND_FILE


def test_export_neo4j_every_node_and_relationship_once(exported, gold_graph):
    ids = _node_ids(exported)
    assert sorted(ids) == sorted(gold_graph.nodes) and len(ids) == len(set(ids))
    relationships = set()
    for path in _files(exported, "relationships_"):
        header, rows = _read(path)
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
        relationships |= {(r[0], r[1], r[2]) for r in rows}
    assert relationships == {(u, v, k.upper()) for u, v, k in gold_graph.edges(keys=True)}


def test_export_neo4j_relationship_ends_are_node_ids(exported):
    ids = set(_node_ids(exported))
    ends = [(row[0], row[1]) for p in _files(exported, "relationships_") for row in _read(p)[1]]
    assert ends and all(start in ids and end in ids for start, end in ends)


def test_export_neo4j_labels_match_file_and_type(exported, gold_graph):
    for path in _files(exported, "nodes_"):
        header, rows = _read(path)
        label = path.stem.removeprefix("nodes_")
        assert header[:2] == ["id:ID", ":LABEL"]
        for row in rows:
            assert row[1] == label == neo4j_label(gold_graph.nodes[row[0]]["type"])


def test_export_neo4j_typed_columns_parse(exported):
    checked = 0
    for path in exported[:-1]:
        header, rows = _read(path)
        for column, cell in ((c, row[i]) for row in rows for i, c in enumerate(header)):
            if ":" in column.strip(":") and not column.endswith(":ID") and cell:
                kind = column.rsplit(":", 1)[1]
                items = cell.split(";") if kind.endswith("[]") else [cell]
                assert all(item and PARSERS[kind.removesuffix("[]")](item) for item in items), (path.name, column, cell)
                checked += 1
    assert checked > 500


def test_export_neo4j_columns_typed_as_expected(exported):
    headers = {p.stem: _read(p)[0] for p in exported[:-1]}
    assert {"year:int", "edition:int", "docs:string[]", "name:string"} <= set(headers["nodes_Event"])
    assert {"aliases:string[]", "founded:string"} <= set(headers["nodes_Organization"])
    assert "value:double" in headers["nodes_Claim"]
    assert "title:string" in headers["relationships_HOLDS_ROLE_IN"]


def test_export_neo4j_arrays_split_back(exported, gold_graph):
    header, rows = _read(next(p for p in exported if p.name == "nodes_Organization.csv"))
    aliases = {row[0]: row[header.index("aliases:string[]")] for row in rows}
    for node, cell in aliases.items():
        assert (cell.split(";") if cell else []) == gold_graph.nodes[node]["aliases"]


@pytest.mark.parametrize("values,expected", COLUMN_TYPE_CASES)
def test_export_neo4j_column_type(values, expected):
    assert column_type(values) == expected


@pytest.mark.parametrize("kb_type,label,rel_type", NAME_CASES)
def test_export_neo4j_names(kb_type, label, rel_type):
    assert (neo4j_label(kb_type), neo4j_type(kb_type)) == (label, rel_type)


def test_export_neo4j_values_that_need_care(tmp_path):
    graph = nx.MultiDiGraph()
    graph.add_node("org:甲", type="organization", label="甲", aliases=["A;B", "", "C"], extra={"k": "v"},
                   note='say "hi",\nthen go', empty=None)
    graph.add_node("org:乙", type="organization", label="乙")
    graph.add_edge("org:甲", "org:乙", key="part_of", type="part_of", label="属于")
    write_neo4j_csv(graph, tmp_path)
    header, rows = _read(tmp_path / "nodes_Organization.csv")
    first, second = (dict(zip(header, row)) for row in sorted(rows, key=lambda r: r[0] != "org:甲"))
    assert first["aliases:string[]"] == "A；B;C"  # the delimiter cannot be escaped: a full-width ；
    assert first["extra:string"] == '{"k": "v"}'
    assert first["note:string"] == 'say "hi",\nthen go'  # quoted; the import runs with --multiline-fields
    assert "empty:string" not in header
    assert second["aliases:string[]"] == ""


def test_export_neo4j_is_byte_identical_and_drops_stale_files(tmp_path, gold_graph):
    first = {p.name: p.read_bytes() for p in write_neo4j_csv(gold_graph, tmp_path / "a")}
    reordered = nx.MultiDiGraph()
    reordered.add_nodes_from(reversed(list(gold_graph.nodes(data=True))))
    reordered.add_edges_from(reversed(list(gold_graph.edges(keys=True, data=True))))
    (tmp_path / "a" / "nodes_Gone.csv").write_text("id:ID\n")
    second = {p.name: p.read_bytes() for p in write_neo4j_csv(reordered, tmp_path / "a")}
    assert first == second
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(first)


def test_export_neo4j_import_command_names_every_file(exported):
    script = exported[-1].read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in script
    assert "--array-delimiter=';'" in script and "--multiline-fields=true" in script
    for path in exported[:-1]:
        option = "--nodes" if path.name.startswith("nodes_") else "--relationships"
        assert f"{option}={path.name} " in script
    assert subprocess.run(["sh", "-n", str(exported[-1])]).returncode == 0  # valid shell
