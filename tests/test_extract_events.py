"""kb.extract.events: event occurrences and their attributes, on sentences written for the tests."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kb.paths import ROOT

GOLD_DIR = Path("/work/shared/gold/seeds")
SEEDS = ROOT / "seeds"
ATTRIBUTES = ("kind", "year", "edition", "start_date", "end_date", "location", "theme", "part_of")


def _find_events():
    from kb.extract.events import find_events
    return find_events


def make_test_doc(nlp, text, date="2025-11-12"):
    doc = nlp(text)
    doc._.article = SimpleNamespace(id="test.txt", date=date, text=text)
    return doc


# text, {name: {attribute: value}} (only the attributes listed are checked); every event found is listed
EVENTS = [
    ("2019年10月20日至22日，第六届世界互联网大会在浙江乌镇举行。",
     {"2019年世界互联网大会": {"kind": "summit", "year": 2019, "edition": 6, "start_date": "2019-10-20",
                               "end_date": "2019-10-22", "location": "乌镇"}}),
    ("第十一届世界互联网大会吸引了大批嘉宾。",
     {"2024年世界互联网大会乌镇峰会": {"year": 2024, "edition": 11}}),
    ("首届世界互联网大会举行时，嘉宾云集。", {"2014年世界互联网大会": {"edition": 1, "location": None}}),
    ("今年乌镇峰会期间，“数字未来”专题论坛在乌镇举行。",
     {"2025年世界互联网大会乌镇峰会": {"year": 2025, "location": "乌镇"},
      "“数字未来”专题论坛": {"kind": "forum", "year": 2025, "location": "乌镇",
                           "part_of": "2025年世界互联网大会乌镇峰会"}}),
    ("11月8日，2025年世界互联网大会乌镇峰会开幕式在乌镇举行。",
     {"2025年世界互联网大会乌镇峰会": {"start_date": None, "location": "乌镇"}}),
    ("2025年11月，专家在2025年世界互联网大会乌镇峰会开幕式上发言。",
     {"2025年世界互联网大会乌镇峰会": {"start_date": "2025-11"}}),
    ("11月9日，2025年世界互联网大会乌镇峰会圆满闭幕。",
     {"2025年世界互联网大会乌镇峰会": {"end_date": "2025-11-09", "start_date": None}}),
    ("2025年世界互联网大会乌镇峰会将于11月举行，主题为“共建数字未来”。",
     {"2025年世界互联网大会乌镇峰会": {"theme": "共建数字未来", "location": "乌镇"}}),
    ("5月，在广东深圳举办全球数字治理创新论坛。",
     {"全球数字治理创新论坛": {"kind": "forum", "year": 2025, "start_date": "2025-05", "location": "深圳"}}),
    ("中国网络文明大会、联合国互联网治理论坛等活动越办越好。",
     {"中国网络文明大会": {"kind": "meeting", "year": None}, "联合国互联网治理论坛": {"kind": "forum", "year": None}}),
    ("2024年世界人工智能大会在上海召开。",
     {"2024年世界人工智能大会": {"kind": "meeting", "year": 2024, "location": "上海"}}),
    ("去年的“互联网之光”博览会上，展品众多。",
     {"“互联网之光”博览会": {"kind": "expo", "year": 2024, "part_of": "2024年世界互联网大会乌镇峰会"}}),
    ("从2018年起，主办方每年举办“网络安全创新大赛”。",
     {"网络安全创新大赛": {"kind": "contest", "year": None, "start_date": "2018"}}),
    ("2020年世界互联网大会在线上举行。",
     {"2020年世界互联网大会·互联网发展论坛": {"kind": "forum", "year": 2020}}),
    ("2022年，乌镇峰会开幕前夕，专家齐聚。", {"2022年世界互联网大会乌镇峰会": {"start_date": None}}),
    # not events
    ("世界互联网大会秘书长表示，将继续搭建平台。", {}),
    ("以世界互联网大会为契机，中国深化合作。", {}),
    ("本次峰会吸引了众多嘉宾。", {}),
    ("2021年起，乌镇峰会每年发布实践案例。", {}),
    ("2022年，世界互联网大会发展为常设国际组织，乌镇峰会也由此升级为年会。", {}),
    ("世界互联网大会国际组织成立后，会员不断增加。", {}),
    ("世界互联网大会领先科技奖评审委员会主席发言。", {}),
    ("欢迎关注《中国信息安全》杂志，了解峰会动态。", {}),
    ("如何在网络空间搭建增进文明对话的新平台，成为课题。", {}),
    ("从每年一次的国际会议升级为国际组织。", {}),
    ("“‘海外中国旅游文化周’全球联动活动”入选案例。", {}),
]


@pytest.fixture(scope="module")
def find_events():
    return _find_events()


@pytest.mark.parametrize("text, expected", EVENTS)
def test_events_case_table(nlp, find_events, text, expected):
    found = {e.name: e for e in find_events(make_test_doc(nlp, text))}
    assert set(found) == set(expected)
    for name, attributes in expected.items():
        assert {a: getattr(found[name], a) for a in attributes} == attributes


def test_events_one_record_per_occurrence(nlp, find_events):
    text = "2023年世界互联网大会乌镇峰会举行。2024年世界互联网大会乌镇峰会举行。今年的乌镇峰会上，嘉宾众多。"
    names = [e.name for e in find_events(make_test_doc(nlp, text, "2024-11-21"))]
    assert names == ["2023年世界互联网大会乌镇峰会", "2024年世界互联网大会乌镇峰会"]


def test_events_yearless_mention_joins_dated_occurrence(nlp, find_events):
    text = "“互联网之光”博览会成为风向标。2023年世界互联网大会“互联网之光”博览会展出新品。"
    events = [e for e in find_events(make_test_doc(nlp, text)) if e.kind == "expo"]
    assert [(e.name, e.year, len(e.provenance)) for e in events] == [("“互联网之光”博览会", 2023, 2)]


def test_events_provenance_quotes_the_mention(nlp, find_events):
    text = "据悉，2025年世界互联网大会乌镇峰会开幕。"
    (event,) = find_events(make_test_doc(nlp, text))
    p = event.provenance[0]
    assert (p.quote, text[p.start:p.end]) == ("2025年世界互联网大会乌镇峰会", "2025年世界互联网大会乌镇峰会")
    assert p.rule == "events.series:world-internet-conference"


def test_events_rules_load():
    from kb.extract.events import load_event_rules

    rules = load_event_rules()
    wic = rules.series_by_id("world-internet-conference")
    assert wic.name_of(2016) == "2016年世界互联网大会"
    assert wic.name_of(2021) == "2021年世界互联网大会乌镇峰会"
    assert wic.year_of_edition(1) == 2014


# ---------------------------------------------------------------- seeds vs gold


def _seed_docs(nlp):
    from kb.clean import clean_article
    from kb.ingest import read_article
    from kb.nlp import make_doc

    for path in sorted(SEEDS.glob("*.txt")):
        gold = GOLD_DIR / f"{path.stem}.yaml"
        if gold.exists():
            article = read_article(path)
            yield make_doc(nlp, article, clean_article(article)), yaml.safe_load(gold.read_text(encoding="utf-8"))


def _score(gold: list[dict], predicted: dict, attributes) -> tuple[float, float, float]:
    from kb.evaluate import normalize_text, values_equal

    found = {normalize_text(k): v for k, v in predicted.items()}
    hits = [(g, found[normalize_text(g["_key"])]) for g in gold if normalize_text(g["_key"]) in found]
    precision = len(hits) / len(found) if found else float(not gold)
    recall = len(hits) / len(gold) if gold else float(not found)
    checks = [values_equal(g.get(a), getattr(p, a)) for g, p in hits for a in attributes]
    return precision, recall, (sum(checks) / len(checks) if checks else 1.0)


@pytest.mark.skipif(not GOLD_DIR.exists(), reason="gold files not available")
def test_events_seeds_match_gold(nlp, find_events):
    for doc, gold in _seed_docs(nlp):
        predicted = {f"{e.name}|{e.year}": e for e in find_events(doc)}
        for g in gold["events"]:
            g["_key"] = f"{g['name']}|{g['year']}"
        p, r, a = _score(gold["events"], predicted, ATTRIBUTES)
        assert (p, r, a) >= (0.95, 0.95, 0.95) and min(p, r, a) >= 0.95, (doc._.article.id, p, r, a)
