"""The query API on the gold facts; these examples double as README examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import InputError, UnknownRecord
from kb.query import KnowledgeBase
from kb.records.models import ArticleFacts, load_article_facts
from kb.review.verdicts import Verdict
from kb.store.knowledge import load_knowledge_base, save_knowledge_base

GOLD_FILES = sorted((Path(__file__).parent / "gold").glob("*.yaml"))
ARTICLE = "---\ntitle: 乌镇峰会\ndate: 2024-11-21\n---\n2024年世界互联网大会乌镇峰会在乌镇开幕。\n"

# (id asked for by `kb show`, the one-line error): close ids of the same type, either script
UNKNOWN_ID_CASES = [
    ("org:中国信息通信研究所", "no record with id 'org:中国信息通信研究所'; did you mean org:中国信息通信研究院?"),
    ("org:中國信息通信研究院", "no record with id 'org:中國信息通信研究院'; did you mean org:中国信息通信研究院?"),
    ("person:邬贺", "no record with id 'person:邬贺'; did you mean person:邬贺铨?"),
    ("org:没有", "no record with id 'org:没有'; try `kb find NAME`"),
    ("邬贺铨", "no record with id '邬贺铨'; did you mean person:邬贺铨?"),
]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.from_facts(load_article_facts(p) for p in GOLD_FILES)


def test_query_events(kb):
    assert [e.name for e in kb.events(kind="summit", year=2024)] == ["2024年世界互联网大会乌镇峰会"]
    assert [e.year for e in kb.events(kind="summit")] == [2014, 2015, 2022, 2023, 2024]


def test_query_timeline_of_series(kb):
    steps = [(t.date, t.record.id) for t in kb.timeline("“互联网之光”博览会")]
    assert steps == [("2022", "event:互联网之光博览会:2022"), ("2023", "event:互联网之光博览会:2023")]


def test_query_timeline_of_summits_includes_side_events_and_documents(kb):
    ids = [t.record.id for t in kb.timeline("世界互联网大会")]
    assert ids.index("event:2014年世界互联网大会") < ids.index("event:2024年世界互联网大会乌镇峰会")
    assert "event:前沿数字技术创新与安全论坛:2023" in ids
    assert "doc:blue_book:世界互联网发展报告2023" in ids


def test_query_timeline_of_organization_in_either_script(kb):
    assert [(t.date, t.record.title) for t in kb.timeline("世界互聯網大會組委會")] == [
        ("2019", "携手构建网络空间命运共同体"), ("2020-11", "携手构建网络空间命运共同体行动倡议")]


def test_query_documents_by_issuer(kb):
    assert [d.title for d in kb.documents(issuer="国际电信联盟")] == ["全球网络安全指数2024年版"]
    assert len(kb.documents(issuer="中国")) == 4


def test_query_claims(kb):
    assert [c.text for c in kb.claims(metric="数字经济规模", subject="中国")] == ["53.9万亿元"]


def test_query_series(kb):
    series = kb.series("会员数", "世界互聯網大會")  # alias, traditional script
    assert [(c.time, c.value) for c in series.claims] == [("2023", 130), ("2024", 170)]


def test_query_find_by_alias_either_script(kb):
    assert [r.id for r in kb.find("中新網")] == ["org:中国新闻网"]
    assert [r.id for r in kb.find("携手构建网络空间命运共同体")] == [
        "doc:concept_paper:携手构建网络空间命运共同体", "doc:white_paper:携手构建网络空间命运共同体"]


def test_query_find_falls_back_to_part_of_a_name(kb):
    assert "event:直通乌镇全球互联网大赛" in [r.id for r in kb.find("直通乌镇")]


def test_query_conflicts():
    def claim(doc: str, value: int) -> ArticleFacts:
        return ArticleFacts.model_validate({"doc": doc, "claims": [{
            "text": f"{value}个", "value": value, "unit": "会员", "metric": "会员数",
            "subject": "世界互联网大会国际组织", "time": "2024", "evidence": "…"}]})

    kb = KnowledgeBase.from_facts([claim("a.txt", 170), claim("b.txt", 160)])
    [conflict] = kb.conflicts()
    assert [c.value for c in conflict.claims] == [170, 160]


def test_query_show(kb):
    shown = kb.show("person:邬贺铨")
    assert shown.docs == ["003_2cdfacaa30bd1702.txt"]
    assert ("holds_role_in", "org:中国工程院") in [(link.type, link.other) for link in shown.links]


def test_query_show_unknown_id(kb):
    with pytest.raises(KeyError, match="no record with id"):
        kb.show("org:没有")


def test_query_graph(kb):
    assert kb.graph.nodes["event:2024年世界互联网大会乌镇峰会"]["type"] == "event"


def test_query_save_and_load_round_trip(kb, tmp_path):
    save_knowledge_base(kb, tmp_path)
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == [p.name for p in GOLD_FILES]
    loaded = load_knowledge_base(tmp_path)
    assert loaded.merged == kb.merged
    assert list(loaded.graph.edges(keys=True)) == list(kb.graph.edges(keys=True))


def test_query_load_without_facts(tmp_path):
    with pytest.raises(InputError, match="no articles folder"):
        load_knowledge_base(tmp_path)


def test_query_build_with_injected_extractor(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    summit = {"name": "2024年世界互联网大会乌镇峰会", "kind": "summit", "year": 2024, "evidence": "…"}
    kb = KnowledgeBase.build([tmp_path], extractor=lambda a: ArticleFacts(doc=a.id, doc_date=a.date, events=[summit]))
    assert kb.errors == []
    assert kb.merged.docs_of("event:2024年世界互联网大会乌镇峰会") == ["a.txt"]


def test_query_build_keeps_unreadable_articles_as_errors(tmp_path):
    kb = KnowledgeBase.build([tmp_path / "missing.txt"], extractor=lambda a: pytest.fail("nothing to extract"))
    assert [type(e) for e in kb.errors] == [InputError]


@pytest.mark.parametrize("asked,message", UNKNOWN_ID_CASES)
def test_query_show_unknown_id_names_close_ids(kb, asked, message):
    with pytest.raises(UnknownRecord) as err:
        kb.show(asked)
    assert str(err.value) == message


def test_query_show_rejected_id_says_so():
    facts = [load_article_facts(p) for p in GOLD_FILES]
    kb = KnowledgeBase(facts, verdicts={"org:中国信息通信研究院": Verdict(status="rejected")})
    with pytest.raises(UnknownRecord, match="'org:中国信息通信研究院' was rejected by the reviewer"):
        kb.show("org:中国信息通信研究院")


def test_query_show_finds_corrected_record_by_its_verdict_id(kb):
    [claim] = kb.claims(metric="数字经济规模", subject="中国")
    verdicts = {claim.id: Verdict(status="corrected", corrected={"metric": "数字经济总量"})}
    corrected = KnowledgeBase([load_article_facts(p) for p in GOLD_FILES], verdicts=verdicts)
    shown = corrected.show(claim.id)  # the id the verdict is keyed by
    assert shown.record.metric == "数字经济总量" and shown.record.id != claim.id
    assert shown.former_ids == [claim.id] and corrected.show(shown.record.id) == shown
