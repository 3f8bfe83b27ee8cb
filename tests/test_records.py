"""Records: ids, key normalisation, YAML round trips, gold files, schema.yaml."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from kb import paths
from kb.errors import InputError
from kb.records.models import (
    ArticleFacts,
    Claim,
    Document,
    Event,
    Organization,
    Person,
    Provenance,
    Role,
    add_provenance,
    dump_article_facts,
    load_article_facts,
    merge,
    merge_all,
    normalise_key,
)
from kb.records.schema import schema, schema_text

GOLD_DIRS = [Path(os.environ.get("KB_GOLD_DIR", "")), paths.ROOT / "tests" / "gold"]
GOLD_DIR = next((d for d in GOLD_DIRS if str(d) != "." and d.is_dir() and list(d.glob("*.yaml"))), None)
GOLD_FILES = sorted(GOLD_DIR.glob("*.yaml")) if GOLD_DIR else []
needs_gold = pytest.mark.skipif(not GOLD_FILES, reason="gold files not found (set KB_GOLD_DIR)")

KEY_CASES = [
    ("中国信息通信研究院", "中国信息通信研究院"),
    ("  中国信息通信研究院\n", "中国信息通信研究院"),
    ("中国 信息通信\t研究院", "中国信息通信研究院"),
    ("《2024年数字经济报告》", "2024年数字经济报告"),
    ("“直通乌镇”全球互联网大赛", "直通乌镇全球互联网大赛"),
    ("「寻境敦煌」", "寻境敦煌"),
    ("世界互联网大会爱（AI）公益行动计划", "世界互联网大会爱(AI)公益行动计划"),  # NFKC: full-width brackets
    ("ＡＰＥＣ　数字减贫", "APEC数字减贫"),  # NFKC: full-width letters and space
    ("World  Internet Conference", "World Internet Conference"),
    ("AI 治理", "AI治理"),
]

SAME_ID_CASES = [
    (Organization, {"name": "中国信息通信研究院"}, {"name": " 中国信息通信研究院 "}),
    (Person, {"name": "郎平"}, {"name": "郎 平", "roles": [{"title": "研究员"}]}),
    (Document, {"title": "2024年数字经济报告", "kind": "report"}, {"title": "《2024年数字经济报告》", "kind": "report"}),
    (Event, {"name": "“直通乌镇”全球互联网大赛", "kind": "contest"}, {"name": "直通乌镇全球互联网大赛", "kind": "contest"}),
    (Claim, {"text": "42.8%", "value": 42.8, "unit": "%", "metric": "占比"},
     {"text": "42.8%", "value": 42.8, "unit": "%", "metric": "占比", "source": "中国信息通信研究院"}),
    (Claim, {"text": "13项", "value": 13, "unit": "项"}, {"text": "13项", "value": 13.0, "unit": "项"}),
]

DIFFERENT_ID_CASES = [
    (Document, {"title": "携手构建网络空间命运共同体", "kind": "concept_paper"},
     {"title": "携手构建网络空间命运共同体", "kind": "white_paper"}),
    (Event, {"name": "“互联网之光”博览会", "kind": "expo", "year": 2022},
     {"name": "“互联网之光”博览会", "kind": "expo", "year": 2023}),
    (Claim, {"text": "10年", "value": 10, "unit": "年", "subject": "中国"},
     {"text": "10年", "value": 10, "unit": "年", "subject": "世界互联网大会"}),
    (Claim, {"text": "107个", "value": 107, "unit": "国家", "time": "2020"},
     {"text": "107个", "value": 107, "unit": "国家", "time": "2024"}),
]

ID_CASES = [
    (Event, {"name": "2024年世界互联网大会乌镇峰会", "kind": "summit", "year": 2024}, "event:2024年世界互联网大会乌镇峰会"),
    (Event, {"name": "“互联网之光”博览会", "kind": "expo", "year": 2023}, "event:互联网之光博览会:2023"),
    (Organization, {"name": "中国信息通信研究院"}, "org:中国信息通信研究院"),
    (Document, {"title": "《2024年数字经济报告》", "kind": "report"}, "doc:report:2024年数字经济报告"),
    (Person, {"name": "郎平"}, "person:郎平"),
]

INVALID_CASES = [
    (Event, {"name": "x", "kind": "party"}, "kind"),
    (Document, {"title": "x", "kind": "book"}, "kind"),
    (Claim, {"text": "1", "value": 1, "unit": "个", "qualifier": "roughly"}, "qualifier"),
    (Claim, {"text": "1", "value": 1, "unit": "个", "time": "2024/11"}, "time"),
    (Event, {"name": "x", "kind": "forum", "start_date": "2024-13"}, "start_date"),
    (Event, {"name": "x", "kind": "forum", "start_date": "2023-02-30"}, "start_date"),
    (Event, {"name": "x", "kind": "forum", "start_date": "2022/2016"}, "start_date"),
    (Organization, {"name": "x", "founded_in": "2022"}, "founded_in"),
    (Organization, {"name": "x", "id": "org:y"}, "does not match"),
    (Event, {"name": "x", "kind": "forum", "edition": 0}, "edition"),
]

DATE_CASES = ["2014", "2014-11", "2014-11-19", "2016/2022", "2016-05/2022-11-01"]


def prov(start: int, quote: str, rule: str = "test-rule", doc: str = "a.txt") -> Provenance:
    return Provenance(doc=doc, start=start, end=start + len(quote), quote=quote, rule=rule)


def org(name: str, *mentions: Provenance, **fields) -> Organization:
    return Organization(name=name, provenance=list(mentions), **fields)


@pytest.fixture
def facts() -> ArticleFacts:
    records = [
        org("中国信息通信研究院", prov(40, "中国信息通信研究院")),
        Person(name="郎平", roles=[Role(title="研究员", organization="中国社会科学院")], provenance=[prov(5, "郎平")]),
        Event(name="2024年世界互联网大会乌镇峰会", kind="summit", year=2024, start_date="2024-11-19",
              provenance=[prov(10, "2024年世界互联网大会乌镇峰会", rule="event-summit")]),
        Document(title="2024年数字经济报告", kind="report", date="2024-07", evidence="发布了《2024年数字经济报告》",
                 provenance=[prov(70, "《2024年数字经济报告》")]),
        Claim(text="53.9万亿元", value=53.9e12, unit="元", metric="数字经济规模", subject="中国", time="2023",
              provenance=[prov(90, "53.9万亿元", rule="claim-money")]),
        Claim(text="超过70万亿元", value=7e13, unit="元", qualifier="expected_more_than", time="2024", evidence="有望超过70万亿元"),
    ]
    return ArticleFacts.from_records("001_x.txt", "2024-11-26", records)


@pytest.mark.parametrize("text_in, text_out", KEY_CASES)
def test_normalise_key(text_in, text_out):
    assert normalise_key(text_in) == text_out


@pytest.mark.parametrize("text_in, text_out", KEY_CASES)
def test_normalise_key_is_idempotent(text_in, text_out):
    assert normalise_key(normalise_key(text_in)) == text_out


@pytest.mark.parametrize("model, fields, expected", ID_CASES)
def test_records_id_form(model, fields, expected):
    assert model(evidence="e", **fields).id == expected


@pytest.mark.parametrize("model, first, second", SAME_ID_CASES)
def test_records_id_same_for_same_fact(model, first, second):
    assert model(evidence="e", **first).id == model(evidence="f", **second).id


@pytest.mark.parametrize("model, first, second", DIFFERENT_ID_CASES)
def test_records_id_differs_for_different_facts(model, first, second):
    assert model(evidence="e", **first).id != model(evidence="e", **second).id


def test_records_claim_id_is_pinned_hash():
    # Pinned: a changed hash would orphan every review verdict that names a claim.
    claim = Claim(text="53.9万亿元", value=53.9e12, unit="元", metric="数字经济规模", subject="中国", time="2023", evidence="e")
    assert claim.id == "claim:8a3c0101473b"


@pytest.mark.parametrize("model, fields, location", INVALID_CASES)
def test_records_invalid_values_rejected(model, fields, location):
    with pytest.raises(ValidationError, match=location):
        model(evidence="e", **fields)


@pytest.mark.parametrize("value", DATE_CASES)
def test_records_partial_dates_accepted(value):
    assert Claim(text="1", value=1, unit="个", time=value, evidence="e").time == value


def test_records_integral_value_is_int():
    assert type(Claim(text="13项", value=13.0, unit="项", evidence="e").value) is int


def test_records_evidence_defaults_to_first_provenance_quote():
    assert org("光明网", prov(3, "光明网"), prov(9, "光明网 ")).evidence == "光明网"


def test_records_provenance_quote_must_fit_span():
    with pytest.raises(ValidationError, match="not 3 characters"):
        Provenance(doc="a.txt", start=0, end=3, quote="光明", rule="r")


def test_merge_five_mentions_one_record():
    mentions = [org("国际电信联盟", prov(i * 10, "国际电信联盟")) for i in range(5)]
    (merged,) = merge_all(mentions)
    assert [p.start for p in merged.provenance] == [0, 10, 20, 30, 40]


def test_merge_thousands_of_mentions_is_fast():
    # Uniting provenance compared every pair: 1,000 mentions of 新华社 took minutes.
    mentions = [org("新华社", prov(i * 3, "新华社")) for i in range(1000)] * 2
    start = time.perf_counter()
    (merged,) = merge_all(mentions)
    assert time.perf_counter() - start < 5.0
    assert [p.start for p in merged.provenance] == [i * 3 for i in range(1000)]


def test_merge_unites_aliases_keeps_first_non_null():
    first = org("中国新闻网", prov(0, "中国新闻网"), aliases=["中新网"])
    second = org("中国新闻网", prov(9, "中国新闻网"), aliases=["中新社", "中新网"], founded="1952")
    merged = merge(first, second)
    assert merged.aliases == ["中新网", "中新社"] and merged.founded == "1952" and merged.evidence == "中国新闻网"


def test_merge_unites_roles():
    first = Person(name="邬贺铨", roles=[Role(title="院士", organization="中国工程院")], evidence="e")
    second = Person(name="邬贺铨", roles=[Role(title="主席"), Role(title="院士", organization="中国工程院")], evidence="f")
    assert merge(first, second).roles == [Role(title="院士", organization="中国工程院"), Role(title="主席")]


def test_merge_different_ids_rejected():
    with pytest.raises(ValueError, match="cannot merge"):
        merge(org("光明网", prov(0, "光明网")), org("人民日报", prov(5, "人民日报")))


def test_add_provenance_drops_duplicates():
    record = add_provenance(org("光明网", prov(0, "光明网")), prov(0, "光明网"), prov(8, "光明网"))
    assert [p.start for p in record.provenance] == [0, 8]


def test_article_facts_duplicate_ids_rejected():
    with pytest.raises(ValidationError, match="merge them first"):
        ArticleFacts(doc="a.txt", organizations=[org("光明网", prov(0, "光明网")), org("光明网", prov(5, "光明网"))])


def test_article_facts_ordered_by_first_mention(facts):
    assert [c.text for c in facts.claims] == ["53.9万亿元", "超过70万亿元"]


def test_dump_article_facts_is_byte_identical(facts):
    assert dump_article_facts(facts) == dump_article_facts(load_article_facts(dump_article_facts(facts)))


def test_dump_article_facts_round_trip(facts):
    assert load_article_facts(dump_article_facts(facts)) == facts


def test_dump_article_facts_round_trip_through_file(facts, tmp_path):
    path = tmp_path / "facts.yaml"
    path.write_text(dump_article_facts(facts), encoding="utf-8")
    assert load_article_facts(path) == facts and load_article_facts(str(path)) == facts


def test_dump_article_facts_gold_shape(facts):
    data = yaml.safe_load(dump_article_facts(facts))
    assert list(data) == ["doc", "doc_date", "events", "organizations", "people", "documents", "claims"]
    assert list(data["events"][0]) == ["name", "kind", "year", "edition", "start_date", "end_date", "location",
                                       "theme", "part_of", "id", "evidence", "provenance"]
    assert data["doc_date"] == "2024-11-26" and data["claims"][0]["time"] == "2023"


def test_dump_article_facts_dates_quoted(facts):
    text = dump_article_facts(facts)
    assert 'doc_date: "2024-11-26"' in text and 'start_date: "2024-11-19"' in text and "kind: summit" in text


def test_load_article_facts_reads_unquoted_dates():
    facts = load_article_facts("doc: a.txt\ndoc_date: 2024-11-21\nclaims:\n"
                               "  - {text: 七年, value: 7, unit: 年, time: 2016, evidence: 连续七年}\n")
    assert facts.doc_date == "2024-11-21" and facts.claims[0].time == "2016"


def test_load_article_facts_error_names_location():
    with pytest.raises(InputError, match=r"\[events\.0\.kind\]"):
        load_article_facts("doc: a.txt\nevents:\n  - {name: x, kind: party, evidence: e}\n")


def test_load_article_facts_bad_yaml_names_line():
    with pytest.raises(InputError, match=":2: not valid YAML"):
        load_article_facts("doc: a.txt\n  bad: indent\n")


@needs_gold
@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_file_validates(path):
    facts = load_article_facts(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert facts.doc == raw["doc"] and len(facts.records()) == sum(len(raw[name] or []) for name in
                                                                   ("events", "organizations", "people", "documents", "claims"))


@needs_gold
@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.name)
def test_gold_file_round_trip(path):
    facts = load_article_facts(path)
    text = dump_article_facts(facts)
    assert load_article_facts(text) == facts and dump_article_facts(load_article_facts(text)) == text


def test_schema_file_matches_models():
    assert paths.schema_path().read_text(encoding="utf-8") == schema_text(), (
        "schema.yaml is out of date: run `python -m kb.records.schema --write`")


@pytest.mark.parametrize("model", [Event, Organization, Person, Document, Claim, Role, Provenance, ArticleFacts])
def test_schema_lists_every_field(model):
    fields = schema()["types"][model.__name__]["fields"]
    assert set(fields) == set(model.model_fields) | set(model.model_computed_fields)


@pytest.mark.parametrize("model, field, enum", [
    (Event, "kind", ["summit", "forum", "expo", "contest", "dialogue", "award", "release", "meeting", "other"]),
    (Document, "kind", ["report", "white_paper", "blue_book", "initiative", "concept_paper", "action_plan",
                        "index", "compact", "other"]),
])
def test_schema_enums_as_in_guidelines(model, field, enum):
    assert schema()["types"][model.__name__]["fields"][field]["enum"] == enum


def test_schema_qualifiers_include_expected_forms():
    qualifiers = schema()["types"]["Claim"]["fields"]["qualifier"]["enum"]
    assert {"exact", "approx", "more_than", "less_than", "at_least", "expected", "expected_more_than"} <= set(qualifiers)
