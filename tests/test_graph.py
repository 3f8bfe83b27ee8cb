"""The graph: one node per record and article, typed edges, deterministic order."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.graph import build_graph, series_id
from kb.merge import merge_facts
from kb.records.models import ArticleFacts, load_article_facts

GOLD_FILES = sorted((Path(__file__).parent / "gold").glob("*.yaml"))
SUMMIT = "2023年世界互联网大会乌镇峰会"
WIC = "org:世界互联网大会国际组织"


def facts(doc: str, **sections: list[dict]) -> ArticleFacts:
    filled = {k: [{"evidence": "…", **r} for r in v] for k, v in sections.items()}
    return ArticleFacts.model_validate({"doc": doc, "doc_date": "2023-11-11", **filled})


SMALL = [
    facts(
        "a.txt",
        events=[
            {"name": "2022年世界互联网大会乌镇峰会", "kind": "summit", "year": 2022},
            {"name": SUMMIT, "kind": "summit", "year": 2023, "start_date": "2023-11-08"},
            {"name": "前沿数字技术创新与安全论坛", "kind": "forum", "year": 2023, "part_of": SUMMIT},
        ],
        organizations=[{"name": "世界互联网大会国际组织", "aliases": ["世界互联网大会"]}],
        people=[{"name": "任贤良", "roles": [{"title": "秘书长", "organization": "世界互联网大会"}]}],
        documents=[{"title": "世界互联网发展报告2023", "kind": "blue_book", "issuer": "世界互联网大会",
                    "date": "2023-11", "event": SUMMIT}],
        claims=[{"text": "近130家", "value": 130, "unit": "会员", "metric": "会员数",
                 "subject": "世界互联网大会国际组织", "time": "2023", "source": "世界互联网大会"}],
    ),
    facts("b.txt", claims=[{"text": "120家", "value": 120, "unit": "会员", "metric": "会员数",
                            "subject": "世界互聯網大會國際組織", "time": "2023"}]),
]
CLAIM_130 = next(c.id for c in SMALL[0].claims)
CLAIM_120 = next(c.id for c in SMALL[1].claims)
CONFLICT = next(iter(merge_facts(SMALL).conflicts)).id

EDGE_CASES = [
    ("doc:blue_book:世界互联网发展报告2023", WIC, "issued_by"),
    ("doc:blue_book:世界互联网发展报告2023", f"event:{SUMMIT}", "released_at"),
    ("event:前沿数字技术创新与安全论坛:2023", f"event:{SUMMIT}", "part_of"),
    (f"event:{SUMMIT}", series_id("世界互联网大会"), "edition_of"),
    ("person:任贤良", WIC, "holds_role_in"),
    (CLAIM_130, WIC, "about"),
    (CLAIM_130, WIC, "reported_by"),
    (f"event:{SUMMIT}", "article:a.txt", "mentioned_in"),
    ("event:2022年世界互联网大会乌镇峰会", f"event:{SUMMIT}", "next"),
    (CLAIM_130, CONFLICT, "in_conflict"),
    (CLAIM_120, CONFLICT, "in_conflict"),
]


@pytest.fixture(scope="module")
def small():
    return build_graph(merge_facts(SMALL))


@pytest.mark.parametrize("source, target, kind", EDGE_CASES)
def test_graph_edge(small, source, target, kind):
    assert small.has_edge(source, target, key=kind)
    assert small.edges[source, target, kind]["type"] == kind
    assert small.edges[source, target, kind]["label"]


def test_graph_holds_role_in_has_title(small):
    assert small.edges["person:任贤良", WIC, "holds_role_in"]["title"] == "秘书长"


@pytest.mark.parametrize("node, kind, label", [
    (f"event:{SUMMIT}", "event", SUMMIT),
    (WIC, "organization", "世界互联网大会国际组织"),
    ("doc:blue_book:世界互联网发展报告2023", "document", "《世界互联网发展报告2023》"),
    (CLAIM_130, "claim", "世界互联网大会国际组织 会员数 2023: 近130家"),
    ("article:a.txt", "article", "a.txt"),
    (series_id("世界互联网大会"), "series", "世界互联网大会"),
])
def test_graph_node_type_and_label(small, node, kind, label):
    assert (small.nodes[node]["type"], small.nodes[node]["label"]) == (kind, label)


def test_graph_node_attributes_are_plain_values(small):
    plain = (str, int, float, bool, type(None))
    for _, attrs in small.nodes(data=True):
        for value in attrs.values():
            assert isinstance(value, plain) or (isinstance(value, list) and all(isinstance(v, plain) for v in value))


def test_graph_node_year_and_dates(small):
    assert small.nodes[f"event:{SUMMIT}"]["start_date"] == "2023-11-08"
    assert small.nodes["doc:blue_book:世界互联网发展报告2023"]["year"] == 2023
    assert small.nodes[WIC]["year"] is None


def test_graph_unresolved_name_gives_no_edge():
    graph = build_graph(merge_facts([facts("a.txt", documents=[{"title": "全球数据安全倡议", "kind": "initiative",
                                                                 "issuer": "中国"}])]))
    assert list(graph.out_edges("doc:initiative:全球数据安全倡议", keys=True)) == [
        ("doc:initiative:全球数据安全倡议", "article:a.txt", "mentioned_in")]
    assert graph.nodes["doc:initiative:全球数据安全倡议"]["issuer"] == "中国"


def test_graph_is_deterministic():
    articles = [load_article_facts(p) for p in GOLD_FILES]
    first, second = build_graph(merge_facts(articles)), build_graph(merge_facts(reversed(articles)))
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))
    assert list(first.nodes) == sorted(first.nodes)


def test_graph_summits_are_editions_of_their_own_series_from_the_rules():
    events = [{"name": "2024年世界互联网大会亚太峰会", "kind": "summit", "year": 2024, "evidence": "…"},
              {"name": "2024年世界互联网大会乌镇峰会", "kind": "summit", "year": 2024, "evidence": "…"}]
    graph = build_graph(merge_facts([ArticleFacts.model_validate({"doc": "a.txt", "doc_date": "2024-11-21",
                                                                  "events": events})]))
    assert graph.has_edge("event:2024年世界互联网大会亚太峰会", series_id("世界互联网大会亚太峰会"), key="edition_of")
    assert graph.has_edge("event:2024年世界互联网大会乌镇峰会", series_id("世界互联网大会"), key="edition_of")
    assert not graph.has_edge("event:2024年世界互联网大会亚太峰会", series_id("世界互联网大会"), key="edition_of")


def _member_claims(values: list[int]) -> list[ArticleFacts]:
    """One article per value, each stating the member count of 2023 differently."""
    return [facts(f"{i:03d}.txt", claims=[{"text": f"{v}家", "value": v, "unit": "会员", "metric": "会员数",
                                           "subject": "世界互联网大会国际组织", "time": "2023"}])
            for i, v in enumerate(values)]


def test_graph_conflict_is_one_node_with_its_claims(small):
    assert small.nodes[CONFLICT]["type"] == "conflict"
    assert small.nodes[CONFLICT]["values"] == ["130", "120"]
    assert small.nodes[CONFLICT]["label"] == "世界互联网大会国际组织 会员数 2023: 近130家 / 120家"
    assert sorted(u for u, _, k in small.in_edges(CONFLICT, keys=True)) == sorted([CLAIM_130, CLAIM_120])


def test_graph_conflicting_claims_have_one_edge_each_not_one_per_pair():
    graph = build_graph(merge_facts(_member_claims(list(range(100, 150)))))
    [conflict] = [n for n, d in graph.nodes(data=True) if d["type"] == "conflict"]
    kinds = [k for _, _, k in graph.edges(keys=True)]
    assert kinds.count("in_conflict") == 50 == graph.in_degree(conflict)
    assert "conflicts_with" not in kinds


def test_graph_claims_at_other_times_are_no_conflict():
    articles = _member_claims([120, 130])
    later = facts("later.txt", claims=[{"text": "170家", "value": 170, "unit": "会员", "metric": "会员数",
                                        "subject": "世界互联网大会国际组织", "time": "2024"}])
    graph = build_graph(merge_facts([*articles, later]))
    later_id = later.claims[0].id
    assert [k for _, _, k in graph.out_edges(later_id, keys=True)] == ["mentioned_in"]
