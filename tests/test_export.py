"""Exports: GraphML (XSD-valid, Gephi-safe, byte-stable), GEXF with time
intervals, the timeline SVG and atomic writes (the facts dump: test_review_dump;
GEXF 1.3 in depth: test_export_gexf; Neo4j: test_export_neo4j; the timeline
picture: test_export_timeline)."""

from __future__ import annotations

import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kb.store.files import atomic_write
from kb.export.gexf import date_interval, gexf_bytes, write_gexf
from kb.export.graphml import graphml_bytes, graphml_node_id, record_id_of, write_graphml
from kb.export.timeline import timeline_svg, write_timeline
from kb.export.flat import xml_text

xmlschema = pytest.importorskip("xmlschema")

XSD = Path(__file__).parent / "data" / "graphml.xsd"
GEXF_XSD = Path(__file__).parent / "data" / "gexf.xsd"
G = "{http://graphml.graphdrawing.org/xmlns}"
SERIES = "series:世界互联网大会"
EVENT = "event:2024年世界互联网大会乌镇峰会"
DOC = "doc:report:中国互联网发展报告2024"
CLAIM = "claim:0123456789ab"
ORG = "org:World Internet Conference"
PERSON = "person:李强"
OTHER = "event:2019年数字中国建设峰会"

NODE_ID_CASES = [
    ("event:2024年世界互联网大会乌镇峰会", "event:2024年世界互联网大会乌镇峰会"),
    ("org:World Internet Conference", "org:World_x0020_Internet_x0020_Conference"),
    ("org:世界互联网大会爱(AI)公益行动计划", "org:世界互联网大会爱_x0028_AI_x0029_公益行动计划"),
    ("article:a_x.txt", "article:a_x005F_x.txt"),
    ("article:a_b.txt", "article:a_b.txt"),
    ("claim:0123456789ab", "claim:0123456789ab"),
]

INTERVAL_CASES = [
    ("2024", ("2024-01-01", "2024-12-31")),
    ("2024-02", ("2024-02-01", "2024-02-29")),
    ("2023-02", ("2023-02-01", "2023-02-28")),
    ("2024-11-19", ("2024-11-19", "2024-11-19")),
    ("2016/2022", ("2016-01-01", "2022-12-31")),
    ("2016-03/2022-05-04", ("2016-03-01", "2022-05-04")),
    (None, None),
    ("", None),
    ("去年", None),
]

# (node, expected start, expected end) in the GEXF export; None: timeless.
GEXF_TIME_CASES = [
    (EVENT, "2024-11-20", "2024-11-22"),
    (DOC, "2024-11-01", "2024-11-30"),
    (CLAIM, "2016-01-01", "2022-12-31"),
    (OTHER, "2019-01-01", "2019-12-31"),
    (ORG, None, None),
    (SERIES, None, None),
]

# Every character XML 1.0 cannot hold: C0 controls but tab/newline/return,
# a lone surrogate (how Python reads an undecodable file name) and U+FFFE/FFFF.
NOT_XML = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])) + "\udcff\ufffe\uffff"

XML_TEXT_CASES = [
    # (text, as_id, written)
    ("世界\x01互联网\x1f大会", False, "世界互联网大会"),
    ("a\tb\nc\rd", False, "a\tb\nc\rd"),
    ("A & B <峰会>", False, "A & B <峰会>"),
    (NOT_XML, False, ""),
    ("article:a\x01b.txt", True, "article:a_x0001_b.txt"),
    ("article:\udcff.txt", True, "article:_xDCFF_.txt"),
    ("article:a_x.txt", True, "article:a_x.txt"),
]


def _bad_chars_in(graph: nx.MultiDiGraph, place: str) -> None:
    """Put every character XML cannot hold into one ``place`` of ``graph``."""
    if place == "node id":
        graph.add_edge(f"article:a{NOT_XML}.txt", EVENT, key="mentions", type="mentions")
        graph.add_node(f"event:峰会{NOT_XML}", type="event", year=2024)  # no label: the id is its label
    elif place == "label":
        graph.nodes[EVENT]["label"] = f"乌镇{NOT_XML}峰会"
    elif place == "attribute name":
        graph.nodes[EVENT][f"no{NOT_XML}te"] = "x"
        graph.nodes[EVENT][NOT_XML] = "only bad characters in the name"
    elif place == "attribute value":
        graph.nodes[EVENT]["theme"] = ["数字", f"未来{NOT_XML}", {"k": NOT_XML}]
    elif place == "edge type":
        graph.add_edge(PERSON, EVENT, key=f"attends{NOT_XML}", type=f"attends{NOT_XML}")
    elif place == "graph attribute":
        graph.graph[f"name{NOT_XML}"] = f"kb{NOT_XML}"
    elif place == "date":
        graph.nodes[DOC]["date"] = f"2024-11{NOT_XML}"


BAD_CHAR_PLACES = ["node id", "label", "attribute name", "attribute value", "edge type", "graph attribute", "date"]
XML_WRITERS = {"graphml": graphml_bytes, "gexf": gexf_bytes, "svg": lambda g: timeline_svg(g).encode("utf-8")}

BROKEN_GRAPHML_CASES = [
    ("dangling edge", lambda t: t.replace(f'target="{SERIES}"', 'target="series:nope"', 1)),
    ("duplicate key id", lambda t: t.replace('id="d1"', 'id="d0"', 1)),
    ("undeclared data key", lambda t: t.replace('<data key="d1">', '<data key="d999">', 1)),
    ("id with a space", lambda t: t.replace(f'node id="{PERSON}"', 'node id="person 李强"', 1)),
    ("no edgedefault", lambda t: t.replace(' edgedefault="directed"', "", 1)),
    ("unknown attr.type", lambda t: t.replace('attr.type="string"', 'attr.type="text"', 1)),
]


def _add_nodes(graph: nx.MultiDiGraph, reverse: bool = False) -> None:
    nodes = [
        (SERIES, {"type": "series", "label": "世界互联网大会"}),
        (EVENT, {"type": "event", "label": "2024年世界互联网大会乌镇峰会", "name": "2024年世界互联网大会乌镇峰会",
                 "kind": "summit", "year": 2024, "edition": 11, "start_date": "2024-11-20", "end_date": "2024-11-22",
                 "location": None, "theme": "", "part_of": None}),
        (OTHER, {"type": "event", "label": "2019年数字中国建设峰会", "kind": "summit", "year": 2019}),
        (DOC, {"type": "document", "label": "中国互联网发展报告2024", "kind": "report", "date": "2024-11",
               "issuer": "中国网络空间研究院", "event": "2024年世界互联网大会乌镇峰会"}),
        (ORG, {"type": "organization", "label": "World Internet Conference", "aliases": ["WIC", "世界互联网大会国际组织"],
               "founded": "2022-07", "extra": {}}),
        (PERSON, {"type": "person", "label": "李强", "roles": [{"title": "总理", "organization": None}]}),
        (CLAIM, {"type": "claim", "label": "约53.9万亿元", "value": 53900000000000, "unit": "元", "time": "2016/2022",
                 "qualifier": "approx", "certain": True, "share": 0.428, "note": "bad\x01char"}),
        ("article:a b.txt", {"type": "article", "label": "a b.txt", "tags": []}),
    ]
    for node, data in reversed(nodes) if reverse else nodes:
        graph.add_node(node, **data)


def _add_edges(graph: nx.MultiDiGraph, reverse: bool = False) -> None:
    edges = [
        (EVENT, SERIES, "part_of_series", {"label": "属于"}),
        (OTHER, SERIES, "part_of_series", {"label": "属于"}),
        (DOC, EVENT, "released_at", {"label": "发布于"}),
        (DOC, EVENT, "mentions", {"label": "提及", "weight": None}),
        (PERSON, ORG, "holds_role_in", {"label": "任职", "title": "总理"}),
        (EVENT, "article:a b.txt", "mentioned_in", {}),
    ]
    for u, v, key, data in reversed(edges) if reverse else edges:
        graph.add_edge(u, v, key=key, type=key, **data)


def _kb_graph(reverse: bool = False) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    _add_nodes(graph, reverse)
    _add_edges(graph, reverse)
    return graph


@pytest.fixture
def kb_graph() -> nx.MultiDiGraph:
    return _kb_graph()


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(XSD)


@pytest.fixture(scope="module")
def gexf_schema():
    return xmlschema.XMLSchema(GEXF_XSD)


def _graphml_tree(graph: nx.MultiDiGraph) -> ET.Element:
    return ET.fromstring(graphml_bytes(graph))


def _data_by_name(root: ET.Element, element: ET.Element) -> dict[str, str]:
    names = {k.get("id"): k.get("attr.name") for k in root.iter(f"{G}key")}
    return {names[d.get("key")]: d.text for d in element.findall(f"{G}data")}


# ---------------------------------------------------------------- GraphML


def test_export_graphml_validates_against_xsd(kb_graph, schema, tmp_path):
    path = write_graphml(kb_graph, tmp_path / "kb.graphml")
    schema.validate(str(path))


def test_export_graphml_xsd_accepts_networkx_output(schema, tmp_path):
    # The offline XSD must accept what networkx itself writes.
    graph = nx.MultiDiGraph()
    graph.add_edge("a", "b", key="k", weight=1.5, flag=True, name="边")
    nx.write_graphml(graph, tmp_path / "nx.graphml")
    schema.validate(str(tmp_path / "nx.graphml"))


@pytest.mark.parametrize("case,breaker", BROKEN_GRAPHML_CASES)
def test_export_graphml_xsd_rejects_broken_documents(kb_graph, schema, case, breaker):
    broken = breaker(graphml_bytes(kb_graph).decode("utf-8"))
    assert not schema.is_valid(broken), case


def test_export_graphml_round_trips_through_networkx(kb_graph, tmp_path):
    path = write_graphml(kb_graph, tmp_path / "kb.graphml")
    back = nx.read_graphml(path, force_multigraph=True)
    assert {data["record_id"] for _, data in back.nodes(data=True)} == set(kb_graph)
    assert {record_id_of(node) for node in back} == set(kb_graph)
    for node, data in back.nodes(data=True):
        assert data["label"] == kb_graph.nodes[record_id_of(node)]["label"]
    edges = {(record_id_of(u), record_id_of(v), d["type"]) for u, v, d in back.edges(data=True)}
    assert edges == {(u, v, k) for u, v, k in kb_graph.edges(keys=True)}


def test_export_graphml_keeps_values_and_types(kb_graph, tmp_path):
    back = nx.read_graphml(write_graphml(kb_graph, tmp_path / "kb.graphml"), force_multigraph=True)
    event, claim = back.nodes[EVENT], back.nodes[CLAIM]
    assert (event["year"], event["edition"], event["start_date"]) == (2024, 11, "2024-11-20")
    assert claim["value"] == 53900000000000.0 and claim["certain"] is True and claim["share"] == 0.428
    assert claim["note"] == "badchar"  # a character XML cannot hold is dropped
    assert back.nodes[graphml_node_id(ORG)]["aliases"] == "WIC; 世界互联网大会国际组织"
    assert back.nodes[PERSON]["roles"] == '[{"organization": null, "title": "总理"}]'


def test_export_graphml_is_byte_identical(tmp_path):
    first = write_graphml(_kb_graph(), tmp_path / "one.graphml").read_bytes()
    second = write_graphml(_kb_graph(), tmp_path / "two.graphml").read_bytes()
    shuffled = write_graphml(_kb_graph(reverse=True), tmp_path / "three.graphml").read_bytes()
    assert first == second == shuffled


def test_export_graphml_has_no_empty_values(kb_graph):
    root = _graphml_tree(kb_graph)
    texts = [d.text for d in root.iter(f"{G}data")]
    assert texts and all(t and t.strip() and t != "None" for t in texts)
    names = {k.get("attr.name") for k in root.iter(f"{G}key")}
    assert not names & {"location", "theme", "part_of", "extra", "tags", "weight"}


def test_export_graphml_labels_and_types_every_node_and_edge(kb_graph):
    root = _graphml_tree(kb_graph)
    elements = [*root.iter(f"{G}node"), *root.iter(f"{G}edge")]
    assert len(elements) == kb_graph.number_of_nodes() + kb_graph.number_of_edges()
    for element in elements:
        data = _data_by_name(root, element)
        assert data.get("label") and data.get("type"), element.attrib


def test_export_graphml_label_and_type_defaults(kb_graph):
    root = _graphml_tree(kb_graph)
    edge = next(e for e in root.iter(f"{G}edge") if e.get("target") == graphml_node_id("article:a b.txt"))
    assert _data_by_name(root, edge)["label"] == "mentioned_in"


def test_export_graphml_uses_gephi_types_once_per_name(kb_graph):
    keys = list(_graphml_tree(kb_graph).iter(f"{G}key"))
    assert {k.get("attr.type") for k in keys} <= {"string", "int", "double", "boolean"}
    declared = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(declared) == len(set(declared))


def test_export_graphml_year_from_date():
    graph = nx.MultiDiGraph()
    graph.add_node(DOC, type="document", label="报告", date="2024-11")
    back = nx.parse_graphml(graphml_bytes(graph).decode("utf-8"))
    assert back.nodes[DOC]["year"] == 2024


@pytest.mark.parametrize("record_id,node_id", NODE_ID_CASES)
def test_export_graphml_node_id(record_id, node_id):
    assert graphml_node_id(record_id) == node_id
    assert record_id_of(node_id) == record_id


# ---------------------------------------------------------------- GEXF


@pytest.mark.parametrize("value,expected", INTERVAL_CASES)
def test_export_date_interval(value, expected):
    assert date_interval(value) == expected


@pytest.mark.parametrize("node,start,end", GEXF_TIME_CASES)
def test_export_gexf_reads_back_with_intervals(kb_graph, tmp_path, node, start, end):
    back = nx.read_gexf(write_gexf(kb_graph, tmp_path / "kb.gexf"))
    data = back.nodes[graphml_node_id(node)]  # the GraphML's node ids
    assert (data.get("start"), data.get("end")) == (start, end)
    assert data["label"] == kb_graph.nodes[node]["label"]


def test_export_gexf_is_dynamic_and_byte_identical(tmp_path):
    text = gexf_bytes(_kb_graph())
    assert text == gexf_bytes(_kb_graph(reverse=True))
    root = ET.fromstring(text)
    graph = root.find("{http://gexf.net/1.3}graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    assert b"lastmodifieddate" not in text


def test_export_gexf_keeps_edge_relation(kb_graph, tmp_path):
    back = nx.read_gexf(write_gexf(kb_graph, tmp_path / "kb.gexf"))
    relations = {(record_id_of(u), record_id_of(v), d["type"]) for u, v, d in back.edges(data=True)}
    assert relations == {(u, v, k) for u, v, k in kb_graph.edges(keys=True)}
    assert all(d["label"] for _, _, d in back.edges(data=True))


# ---------------------------------------------------------------- timeline


def test_export_timeline_written_with_labels(kb_graph, tmp_path):
    text = write_timeline(kb_graph, tmp_path / "timeline.svg").read_text(encoding="utf-8")
    for label in ("2024年世界互联网大会乌镇峰会", "中国互联网发展报告2024", "2019年数字中国建设峰会", ">2019<", ">2024<"):
        assert label in text
    assert "Noto Sans CJK SC" in text and "sans-serif" in text
    assert text.index("2019年数字中国建设峰会") < text.index("2024年世界互联网大会乌镇峰会")
    ET.fromstring(text.encode("utf-8"))  # well-formed


def test_export_timeline_series_only(kb_graph):
    kb_graph.add_node("event:2023年其他会议", type="event", label="2023年其他会议", year=2023)
    text = timeline_svg(kb_graph, series=SERIES)
    assert "2023年其他会议" not in text
    assert "中国互联网发展报告2024" in text and "2019年数字中国建设峰会" in text


def test_export_timeline_escapes_and_is_deterministic():
    graph = _kb_graph()
    graph.nodes[EVENT]["label"] = "A & B <峰会>"
    assert "A &amp; B &lt;峰会&gt;" in timeline_svg(graph)
    assert timeline_svg(graph) == timeline_svg(graph)


# ---------------------------------------------------------------- characters XML cannot hold


@pytest.mark.parametrize("text,as_id,written", XML_TEXT_CASES)
def test_export_xml_text(text, as_id, written):
    assert xml_text(text, as_id=as_id) == written


@pytest.mark.parametrize("writer", XML_WRITERS)
@pytest.mark.parametrize("place", BAD_CHAR_PLACES)
def test_export_xml_writers_well_formed_with_characters_xml_cannot_hold(kb_graph, schema, gexf_schema, place, writer):
    _bad_chars_in(kb_graph, place)
    document = XML_WRITERS[writer](kb_graph)
    root = ET.fromstring(document)  # raises on a character XML cannot hold
    texts = [t for e in root.iter() for t in (e.text or "", *e.attrib.values())]
    assert not any(c in t for t in texts for c in NOT_XML)
    if writer == "graphml":
        schema.validate(document.decode("utf-8"))
    if writer == "gexf":
        gexf_schema.validate(document.decode("utf-8"))


def test_export_xml_writers_bad_characters_in_title():
    root = ET.fromstring(timeline_svg(_kb_graph(), title=f"时间{NOT_XML}线").encode("utf-8"))
    assert "时间线" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_export_xml_ids_differing_only_in_bad_characters_stay_apart(kb_graph):
    kb_graph.add_node("article:a\x01.txt", type="article", label="a")
    kb_graph.add_node("article:a\x02.txt", type="article", label="a")
    graphml = nx.parse_graphml(graphml_bytes(kb_graph).decode("utf-8"))
    gexf = nx.read_gexf(io.BytesIO(gexf_bytes(kb_graph)))
    assert graphml.number_of_nodes() == gexf.number_of_nodes() == kb_graph.number_of_nodes()
    assert {d["record_id"] for _, d in graphml.nodes(data=True)} >= {"article:a_x0001_.txt", "article:a_x0002_.txt"}


# ---------------------------------------------------------------- atomic writes


def test_export_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    atomic_write(target, "旧")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["out.txt"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_export_atomic_write_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    atomic_write(target, "old")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, "new")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.txt"]


# Text the XML writers must escape (they write text directly, not through xml.etree).
AWKWARD = [
    ("ampersand", "A & B"),
    ("angle brackets", "<b>粗体</b>"),
    ("quotes", "say \"hi\" and 'bye'"),
    ("newline and tab", "line one\nline\ttwo"),
    ("entity-like", "&amp; &#10; &lt;"),
]


@pytest.mark.parametrize("text", [t for _, t in AWKWARD], ids=[n for n, _ in AWKWARD])
def test_export_xml_text_reads_back_as_written(text):
    graph = nx.MultiDiGraph()
    graph.add_node("org:x", type="organization", label=text, note=text)
    graph.add_node("org:y", type="organization", label="y")
    graph.add_edge("org:x", "org:y", key="about", type="about", label=text)
    graphml = nx.parse_graphml(graphml_bytes(graph).decode("utf-8"))
    gexf = nx.read_gexf(io.BytesIO(gexf_bytes(graph)))
    for back in (graphml, gexf):
        node = back.nodes[graphml_node_id("org:x")]
        assert (node["label"], node["note"]) == (text, text)
        assert [d["label"] for _, _, d in back.edges(data=True)] == [text]
