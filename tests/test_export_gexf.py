"""GEXF 1.3 (kb.export.gexf) on the graph of the gold facts: valid against the offline
GEXF 1.3 schema, read back by networkx, the same node ids and attribute names as the
GraphML read by igraph, parallel relations kept apart; article metadata carried through."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kb.export.gexf import gexf_bytes
from kb.export.graphml import graphml_bytes, graphml_node_id
from kb.graph import build_graph
from kb.merge import merge_facts
from kb.records.models import ArticleFacts, dump_article_facts, load_article_facts

xmlschema = pytest.importorskip("xmlschema")
igraph = pytest.importorskip("igraph")

DATA = Path(__file__).parent / "data"
GOLD = Path(__file__).parent / "gold"
NS = "{http://gexf.net/1.3}"
SUMMIT = "event:2024年世界互联网大会乌镇峰会"
ARTICLE = "article:002_52204ac7a635acee.txt"
META = {"title": "世界互联网大会十年", "outlet": "人民日报", "url": "https://example.org/a?x=1&y=2"}

# A GEXF 1.3 document using what kb does not write (viz, spells, hierarchy, parents,
# a mutual edge, options), which the offline schema must accept.
RICH_GEXF = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <meta lastmodifieddate="2024-11-20"><creator>hand</creator><description>d</description></meta>
  <graph defaultedgetype="undirected" mode="dynamic" timeformat="double" idtype="string">
    <attributes class="node" mode="dynamic">
      <attribute id="0" title="kind" type="liststring"><default>[a]</default><options>[a|b]</options></attribute>
    </attributes>
    <nodes count="2">
      <node id="a" label="A" start="1.0" end="3.5">
        <attvalues><attvalue for="0" value="[a]" start="1.0"/></attvalues>
        <spells><spell start="1.0" end="2.0"/><spell timestamp="3.0"/></spells>
        <nodes><node id="a1" pid="a"/></nodes>
        <parents><parent for="b"/></parents>
        <viz:color r="1" g="2" b="3" a="0.5"/><viz:position x="1" y="2" z="0"/>
      </node>
      <node id="b"/>
    </nodes>
    <edges count="1">
      <edge id="0" source="a" target="b" type="mutual" weight="2.5" kind="k" label="e"/>
    </edges>
  </graph>
</gexf>"""

def _duplicate_edge_id(text: str) -> str:
    first, second = re.findall(r'<edge id="([^"]+)"', text)[:2]
    return text.replace(f'<edge id="{second}"', f'<edge id="{first}"', 1)


BROKEN_CASES = [
    ("dangling edge", lambda t: t.replace(f'target="{SUMMIT}"', 'target="event:nope"', 1)),
    ("two edges, one id", _duplicate_edge_id),
    ("version 1.2", lambda t: t.replace('version="1.3"', 'version="1.2"', 1)),
    ("unknown attribute type", lambda t: t.replace('type="integer"', 'type="int"', 1)),
    ("unknown edge direction", lambda t: t.replace('defaultedgetype="directed"', 'defaultedgetype="both"', 1)),
    ("no nodes", lambda t: t[: t.index("<nodes")] + t[t.index("</nodes>") + len("</nodes>"):]),
]


@pytest.fixture(scope="module")
def gexf_text(gold_graph) -> str:
    return gexf_bytes(gold_graph).decode("utf-8")


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(DATA / "gexf.xsd")


def _titles(root: ET.Element, domain: str) -> set[str]:
    block = next(b for b in root.iter(f"{NS}attributes") if b.get("class") == domain)
    return {a.get("title") for a in block.iter(f"{NS}attribute")}


# ---------------------------------------------------------------- schema


def test_export_gexf_validates_against_gexf_13_xsd(gexf_text, schema):
    schema.validate(gexf_text)


def test_export_gexf_xsd_accepts_other_gexf_13(schema):
    schema.validate(RICH_GEXF)


@pytest.mark.parametrize("case,breaker", BROKEN_CASES, ids=[c for c, _ in BROKEN_CASES])
def test_export_gexf_xsd_rejects_broken_documents(gexf_text, schema, case, breaker):
    broken = breaker(gexf_text)
    assert broken != gexf_text
    assert not schema.is_valid(broken), case


# ---------------------------------------------------------------- structure


def test_export_gexf_root_and_graph(gexf_text):
    root = ET.fromstring(gexf_text)
    assert (root.tag, root.get("version")) == (f"{NS}gexf", "1.3")
    graph = root.find(f"{NS}graph")
    assert (graph.get("defaultedgetype"), graph.get("mode"), graph.get("timeformat")) == ("directed", "dynamic", "date")
    assert "networkx_key" not in gexf_text and "lastmodifieddate" not in gexf_text
    declared = [(b.get("class"), a.get("id")) for b in root.iter(f"{NS}attributes") for a in b]
    assert len(declared) == len(set(declared))


def test_export_gexf_edge_kind_and_id_per_relation(gold_graph, gexf_text):
    edges = list(ET.fromstring(gexf_text).iter(f"{NS}edge"))
    assert len(edges) == gold_graph.number_of_edges()
    assert len({e.get("id") for e in edges}) == len(edges)
    kinds = {(e.get("source"), e.get("target"), e.get("kind")) for e in edges}
    assert kinds == {(graphml_node_id(u), graphml_node_id(v), k) for u, v, k in gold_graph.edges(keys=True)}


def test_export_gexf_parallel_relations_stay_apart():
    graph = nx.MultiDiGraph()
    graph.add_node("claim:1", type="claim", label="53.9万亿元", time="2022")
    graph.add_node("org:信通院", type="organization", label="中国信息通信研究院")
    for kind, label in (("about", "关于"), ("reported_by", "来源")):
        graph.add_edge("claim:1", "org:信通院", key=kind, type=kind, label=label)
    back = nx.read_gexf(io.BytesIO(gexf_bytes(graph)))
    assert back.is_multigraph()
    assert sorted(d["type"] for _, _, d in back.edges(data=True)) == ["about", "reported_by"]
    ids = sorted(k for _, _, k in back.edges(keys=True))
    assert ids == ["claim:1|about|org:信通院", "claim:1|reported_by|org:信通院"]


def test_export_gexf_nodes_typed_and_timed(gexf_text):
    nodes = {n.get("id"): n for n in ET.fromstring(gexf_text).iter(f"{NS}node")}
    values = {i: {v.get("for"): v.get("value") for v in n.iter(f"{NS}attvalue")} for i, n in nodes.items()}
    assert values["org:世界互联网大会国际组织"]["type"] == "organization"
    assert values[graphml_node_id("series:世界互联网大会")]["type"] == "series"
    summit = nodes[SUMMIT]
    assert (summit.get("start"), summit.get("end")) == ("2024-11-19", "2024-11-22")
    assert nodes["org:世界互联网大会国际组织"].get("start") is None


# ---------------------------------------------------------------- readers agree


def test_export_gexf_reads_back_like_the_graphml(gold_graph):
    gexf = nx.read_gexf(io.BytesIO(gexf_bytes(gold_graph)))
    graphml = nx.parse_graphml(graphml_bytes(gold_graph).decode("utf-8"))
    assert set(gexf) == set(graphml)
    for node, data in graphml.nodes(data=True):
        timing = {k: gexf.nodes[node][k] for k in ("start", "end") if k in gexf.nodes[node]}
        assert {**data, **timing} == gexf.nodes[node], node


def test_export_gexf_ids_and_attribute_names_agree_with_igraph_graphml(gold_graph, gexf_text, tmp_path):
    (tmp_path / "kb.graphml").write_bytes(graphml_bytes(gold_graph))
    read = igraph.Graph.Read_GraphML(str(tmp_path / "kb.graphml"))
    root = ET.fromstring(gexf_text)
    assert set(read.vs["id"]) == {n.get("id") for n in root.iter(f"{NS}node")}
    assert set(read.vs.attributes()) - {"id"} == _titles(root, "node") | {"label"}
    assert set(read.es.attributes()) - {"id"} == _titles(root, "edge") | {"label"}
    ends = {(read.vs[e.source]["id"], read.vs[e.target]["id"], e["type"]) for e in read.es}
    assert ends == {(e.get("source"), e.get("target"), e.get("kind")) for e in root.iter(f"{NS}edge")}


def test_export_gexf_is_byte_identical(gold_graph):
    reordered = nx.MultiDiGraph()
    reordered.add_nodes_from(reversed(list(gold_graph.nodes(data=True))))
    reordered.add_edges_from(reversed(list(gold_graph.edges(keys=True, data=True))))
    assert gexf_bytes(gold_graph) == gexf_bytes(reordered)


# ---------------------------------------------------------------- article metadata


def test_export_article_metadata_dumped_only_when_known():
    bare = ArticleFacts.from_records("a.txt", "2024-11-20", [])
    full = ArticleFacts.from_records("a.txt", "2024-11-20", [], **META)
    assert "title" not in dump_article_facts(bare) and "url" not in dump_article_facts(bare)
    assert full.metadata() == META
    assert load_article_facts(dump_article_facts(full)) == full


def test_export_gold_dump_unchanged_by_article_metadata():
    facts = load_article_facts(GOLD / "000_32fc2a06f9675989.yaml")
    assert facts.metadata() == {}
    assert dump_article_facts(facts).startswith(f'doc: "{facts.doc}"\ndoc_date: "{facts.doc_date}"\n\n')


def test_export_gexf_article_node_has_title_outlet_url():
    merged = merge_facts([load_article_facts(p) for p in sorted(GOLD.glob("*.yaml"))])
    # Where kb.merge keeps each article's ArticleFacts.metadata() (see kb.graph._article_nodes).
    object.__setattr__(merged, "article_info", {"002_52204ac7a635acee.txt": META})
    root = ET.fromstring(gexf_bytes(build_graph(merged)))
    article = next(n for n in root.iter(f"{NS}node") if n.get("id") == ARTICLE)
    values = {v.get("for"): v.get("value") for v in article.iter(f"{NS}attvalue")}
    assert {k: values[k] for k in META} == META
    assert (values["doc_date"], values["type"]) == ("2024-11-21", "article")
    assert article.get("label") == "002_52204ac7a635acee.txt"
