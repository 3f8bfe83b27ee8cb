import copy
import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kb.errors import InputError
from kb.evaluate.gold import RECORD_TYPES, Counts, evaluate, format_report, markdown_table
from kb.evaluate.matching import attribute_equal, match_records, normalize_text, units_compatible, values_equal
from kb.records.models import dump_article_facts
from kb.paths import ROOT

NORMALIZE_CASES = [
    ("2024年世界互联网大会乌镇峰会", "2024年世界互联网大会乌镇峰会"),
    ("2024年世界互聯網大會烏鎮峰會", "2024年世界互联网大会乌镇峰会"),
    ("「直通烏鎮」全球互聯網大賽", "直通乌镇全球互联网大赛"),
    ("“直通乌镇”全球互联网大赛", "直通乌镇全球互联网大赛"),
    ('"算力网络"专题论坛', "算力网络专题论坛"),
    ("《全球数字契约》", "全球数字契约"),
    (" 金歆 ", "金歆"),
    ("数字经济占GDP比重", "数字经济占gdp比重"),
    ("ＡＩ公益", "ai公益"),
    ("爱（AI）公益行动计划", "爱ai公益行动计划"),
    ("世界互联网大会·互联网发展论坛", "世界互联网大会互联网发展论坛"),
    ("2016/2022", "20162022"),
    ("", ""),
    (None, ""),
]

VALUE_CASES = [
    (None, None, True),
    (None, "乌镇", False),
    (53900000000000, 5.39e13, True),
    (53900000000000, 53900000000001, True),  # within 1e-9 relative
    (53900000000000, 54000000000000, False),
    (42.8, 42.8000000000001, True),
    (2024, "2024", True),
    ("2024-11", "2024-11-19", False),
    ("2022-07-12", dt.date(2022, 7, 12), True),
    ("烏鎮", "乌镇", True),
    (["乌镇峰会", "世界互联网大会"], ["世界互聯網大會", "乌镇峰会"], True),
]

GOLD = {
    "doc": "100_test.txt",
    "doc_date": "2024-11-26",
    "events": [
        {"name": "2024年世界互联网大会乌镇峰会", "kind": "summit", "year": 2024, "edition": None,
         "start_date": "2024-11-19", "end_date": "2024-11-22", "location": "乌镇",
         "theme": "拥抱以人为本、智能向善的数字未来", "part_of": None, "evidence": "2024年世界互联网大会乌镇峰会如期举行"},
        {"name": "“直通乌镇”全球互联网大赛", "kind": "contest", "year": None, "edition": None,
         "start_date": None, "end_date": None, "location": None, "theme": None, "part_of": None,
         "evidence": "“直通乌镇”全球互联网大赛等重要活动"},
        {"name": "世界互联网大会数字文明尼山对话", "kind": "dialogue", "year": 2023, "edition": None,
         "start_date": "2023-06", "end_date": None, "location": "曲阜", "theme": None, "part_of": None,
         "evidence": "去年6月，世界互联网大会数字文明尼山对话在山东曲阜举行"},
    ],
    "organizations": [
        {"name": "世界互联网大会国际组织", "aliases": ["世界互联网大会"], "founded": "2022-07-12",
         "evidence": "2022年7月12日，世界互联网大会国际组织成立"},
        {"name": "中国信息通信研究院", "aliases": [], "founded": None, "evidence": "据中国信息通信研究院数据显示"},
    ],
    "people": [
        {"name": "郎平", "roles": [{"title": "研究员", "organization": "中国社会科学院世界经济与政治研究所"}],
         "evidence": "研究员 郎平"},
    ],
    "documents": [
        {"title": "携手构建网络空间命运共同体", "kind": "concept_paper", "issuer": "世界互联网大会组委会",
         "date": "2019", "event": None, "evidence": "发布《携手构建网络空间命运共同体》概念文件"},
        {"title": "携手构建网络空间命运共同体", "kind": "white_paper", "issuer": None,
         "date": "2022", "event": None, "evidence": "《携手构建网络空间命运共同体》白皮书发布"},
    ],
    "claims": [
        {"text": "53.9万亿元", "value": 53900000000000, "unit": "元", "qualifier": "exact", "metric": "数字经济规模",
         "subject": "中国", "time": "2023", "source": "中国信息通信研究院", "evidence": "中国数字经济规模达到53.9万亿元"},
        {"text": "170余个", "value": 170, "unit": "会员", "qualifier": "more_than", "metric": "会员数",
         "subject": "世界互联网大会国际组织", "time": "2024", "source": None, "evidence": "170余个机构、组织、企业和个人成为其会员"},
        {"text": "10年", "value": 10, "unit": "年", "qualifier": "exact", "metric": "发展年数",
         "subject": "世界互联网大会", "time": None, "source": None, "evidence": "10年来，世界互联网大会搭建平台"},
        {"text": "10年", "value": 10, "unit": "年", "qualifier": "exact", "metric": "致力于缩小全球数字鸿沟的年数",
         "subject": "中国", "time": None, "source": None, "evidence": "10年来，中国积极致力于推动缩小全球数字鸿沟"},
    ],
}

SEED_GOLD = ROOT / "tests" / "gold"


def _write(directory: Path, name: str, data: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _prediction() -> dict:
    """GOLD with one missing event, one extra org, one wrong date, traditional script, one wrong unit."""
    pred = copy.deepcopy(GOLD)
    del pred["doc"]  # paired by file stem instead
    summit, contest, _nishan = pred["events"]
    summit["start_date"] = "2024-11-20"
    summit["name"] = "2024年世界互聯網大會烏鎮峰會"
    contest["name"] = "「直通烏鎮」全球互聯網大賽"
    pred["events"] = [summit, contest]
    pred["organizations"].append({"name": "阿里巴巴", "aliases": [], "founded": None, "evidence": "阿里巴巴数字乡村"})
    pred["organizations"][1]["name"] = "中國信息通信研究院"
    pred["claims"][1]["unit"] = "个"
    for i, record in enumerate(pred["claims"]):
        record["id"] = f"claim-{i}"
        record["provenance"] = {"rule": "claims.number.v1", "start": i}
    return pred


@pytest.fixture
def gold_dir(tmp_path: Path) -> Path:
    _write(tmp_path / "gold", "100_test.yaml", GOLD)
    return tmp_path / "gold"


@pytest.fixture
def hand_made_report(gold_dir: Path, tmp_path: Path):
    _write(tmp_path / "pred", "100_test.yaml", _prediction())
    return evaluate(gold_dir, tmp_path / "pred")


@pytest.mark.parametrize("text_in, text_out", NORMALIZE_CASES)
def test_normalize_text(text_in, text_out):
    assert normalize_text(text_in) == text_out


@pytest.mark.parametrize("gold, predicted, equal", VALUE_CASES)
def test_values_equal(gold, predicted, equal):
    assert values_equal(gold, predicted) is equal


def test_evaluate_gold_against_itself_scores_one(gold_dir: Path):
    report = evaluate(gold_dir, gold_dir)
    for type_report in report.types.values():
        assert (type_report.counts.precision, type_report.counts.recall, type_report.counts.f1) == (1.0, 1.0, 1.0)
        assert all(s.accuracy in (1.0, None) for s in type_report.attributes.values())
    assert not report.misses and not report.false_facts and not report.wrong_attributes


def test_evaluate_seed_gold_against_itself_scores_one():
    report = evaluate(SEED_GOLD, SEED_GOLD)
    assert all(t.counts.f1 == 1.0 for t in report.types.values())
    assert not report.misses and not report.false_facts and not report.wrong_attributes


def test_evaluate_hand_made_prediction_counts(hand_made_report):
    counts = {name: (t.counts.tp, t.counts.fp, t.counts.fn) for name, t in hand_made_report.types.items()}
    assert counts == {"events": (2, 0, 1), "organizations": (2, 1, 0), "people": (1, 0, 0),
                      "documents": (2, 0, 0), "claims": (3, 1, 1)}  # 会员 counted as 个 is another claim
    assert hand_made_report.types["events"].counts.recall == pytest.approx(2 / 3)
    assert hand_made_report.types["organizations"].counts.precision == pytest.approx(2 / 3)


def test_evaluate_hand_made_prediction_attribute_accuracy(hand_made_report):
    scores = {(t, a): (s.correct, s.total) for t, tr in hand_made_report.types.items() for a, s in tr.attributes.items()}
    assert scores[("events", "start_date")] == (0, 1)  # only attributes the gold states are scored
    assert scores[("events", "location")] == (1, 1)
    assert scores[("events", "kind")] == (2, 2)
    assert scores[("claims", "metric")] == (3, 3)
    assert scores[("organizations", "founded")] == (1, 1)
    wrong = [(w.type, w.record, w.attribute, w.gold, w.predicted) for w in hand_made_report.wrong_attributes]
    assert wrong == [("events", "2024年世界互联网大会乌镇峰会", "start_date", "2024-11-19", "2024-11-20")]


def test_evaluate_lists_misses_and_false_facts(hand_made_report):
    assert [(f.type, f.name) for f in hand_made_report.misses] == [
        ("events", "世界互联网大会数字文明尼山对话"), ("claims", "170余个 [会员数]")]
    assert [(f.type, f.name, f.evidence) for f in hand_made_report.false_facts] == [
        ("organizations", "阿里巴巴", "阿里巴巴数字乡村"), ("claims", "170余个 [会员数]", GOLD["claims"][1]["evidence"])]
    assert hand_made_report.misses[0].doc == "100_test.txt"


def test_evaluate_missing_prediction_file_counts_all_misses(gold_dir: Path, tmp_path: Path):
    _write(gold_dir, "101_other.yaml", {**GOLD, "doc": "101_other.txt"})
    _write(tmp_path / "pred", "100_test.yaml", GOLD)
    _write(tmp_path / "pred", "999_nogold.yaml", {"doc": "999_nogold.txt", "events": []})
    report = evaluate(gold_dir, tmp_path / "pred")
    assert report.types["events"].counts.fn == 3
    assert len(report.misses) == sum(len(GOLD[t]) for t in RECORD_TYPES)
    assert {m.doc for m in report.misses} == {"101_other.txt"}
    assert any("101_other" in n and "no prediction" in n for n in report.notes)
    assert any("999_nogold" in n and "ignored" in n for n in report.notes)


def test_match_records_event_by_series_and_year():
    gold = [{"name": "2016年世界互联网大会", "kind": "summit", "year": 2016}]
    pred = [{"name": "第三届世界互联网大会", "kind": "summit", "year": 2016},
            {"name": "第三届世界互联网大会", "kind": "summit", "year": 2017}]
    assert match_records("events", gold, pred) == [(0, 0)]


def test_match_records_event_by_containment_needs_the_year():
    gold = [{"name": "“寻境敦煌”数字敦煌沉浸展", "kind": "expo", "year": 2023}]
    assert match_records("events", gold, [{"name": "数字敦煌沉浸展", "kind": "forum", "year": 2023}]) == [(0, 0)]
    assert match_records("events", gold, [{"name": "数字敦煌沉浸展", "kind": "expo", "year": 2022}]) == []


def test_match_records_organization_by_alias():
    gold = [{"name": "中国信息安全", "aliases": ["中国信息安全杂志"]}]
    assert match_records("organizations", gold, [{"name": "中国信息安全杂志", "aliases": []}]) == [(0, 0)]
    assert match_records("organizations", [{"name": "世界互联网大会", "aliases": []}], gold) == []


def test_match_records_gold_in_order_same_kind_first():
    gold = [{"title": "携手构建网络空间命运共同体", "kind": "concept_paper"},
            {"title": "携手构建网络空间命运共同体", "kind": "white_paper"}]
    pred = [{"title": "《携手构建网络空间命运共同体》", "kind": "white_paper"}]
    assert match_records("documents", gold, pred) == [(0, 0)]  # the first gold record takes it, as the scorer does
    assert match_records("documents", gold, [*pred, {"title": "携手构建网络空间命运共同体", "kind": "concept_paper"}]) == [
        (0, 1), (1, 0)]


def test_match_records_claims_one_to_one_by_attributes():
    gold, pred = GOLD["claims"][2:], [copy.deepcopy(GOLD["claims"][3]), copy.deepcopy(GOLD["claims"][2])]
    assert match_records("claims", gold, pred) == [(0, 1), (1, 0)]
    assert match_records("claims", gold, [{"text": "11年", "value": 11, "unit": "年"}]) == []


def test_format_report_shows_why(hand_made_report):
    text = format_report(hand_made_report)
    assert text.startswith(markdown_table(hand_made_report))
    assert "世界互联网大会数字文明尼山对话 — “去年6月" in text
    assert 'start_date: gold "2024-11-19" ≠ predicted "2024-11-20"' in text
    assert "| events | 1.000 | 0.667 | 0.800 | 2 | 0 | 1 |" in text


def test_markdown_table_has_one_row_per_type_and_all(hand_made_report):
    rows = markdown_table(hand_made_report).splitlines()
    assert [r.split(" | ")[0].lstrip("| ") for r in rows[2:]] == [*RECORD_TYPES, "all"]


def test_evaluate_invalid_yaml_names_file_and_line(gold_dir: Path, tmp_path: Path):
    bad = tmp_path / "pred" / "100_test.yaml"
    bad.parent.mkdir()
    bad.write_text("doc: x\nevents: [\n  - name: a\n  b: c\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"100_test\.yaml:\d+: not valid YAML"):
        evaluate(gold_dir, tmp_path / "pred")


UNIT_CASES = [
    ("元", "元", True),
    ("国家和地区", "国家", True),  # one contains the other
    ("嘉宾", "人", True),  # a noun for people against 人
    ("参会嘉宾", "人", True),
    ("嘉宾", "代表", False),  # both people, neither 人
    ("会员", "个", False),
    ("", None, True),
    ("台", "机器人", False),
]

ATTRIBUTE_CASES = [
    ("time", "2024", "2024-11", True),  # more precise than the gold
    ("time", "2024-11", "2024", False),  # never coarser
    ("metric", "会员数", "国际组织会员数", True),
    ("subject", "中国", None, False),
    ("qualifier", "exact", "approx", False),
    ("roles", [{"title": "记者", "organization": "新华社"}], [{"title": "记者", "organization": None}, {"title": "编辑"}], True),
    ("roles", [{"title": "秘书长"}], [], False),
    ("start_date", "2024-11-19", "2024-11", False),
    ("year", 2024, "2024", True),
]


@pytest.mark.parametrize("gold, predicted, compatible", UNIT_CASES)
def test_units_compatible(gold, predicted, compatible):
    assert units_compatible(gold, predicted) is compatible


@pytest.mark.parametrize("attribute, gold, predicted, equal", ATTRIBUTE_CASES)
def test_attribute_equal(attribute, gold, predicted, equal):
    assert attribute_equal(attribute, gold, predicted) is equal


# --- kb eval gives the official scorer's numbers ---------------------------------------------------
# Synthetic (gold, prediction) records, written for these tests: each exercises one of the scorer's rules.
_SUMMIT = {"name": "2023年世界互联网大会乌镇峰会", "kind": "summit", "year": 2023, "start_date": "2023-11-08",
           "location": "乌镇", "theme": "建设包容、普惠、有韧性的数字世界"}
SYNTHETIC = {
    "events": (
        [_SUMMIT, {"name": "第三届世界互联网大会", "kind": "summit", "year": None, "edition": 3},
         {"name": "“直通乌镇”全球互联网大赛", "kind": "contest", "year": None}],
        [{**_SUMMIT, "name": "世界互联网大会乌镇峰会", "location": "浙江乌镇", "start_date": "2023-11"},
         {"name": "2016年世界互联网大会", "kind": "summit", "year": 2016, "edition": 3},
         {"name": "「直通烏鎮」全球互聯網大賽", "kind": "forum", "year": 2024}]),
    "organizations": (
        [{"name": "新华通讯社", "aliases": ["新华社"], "founded": None},
         {"name": "世界互联网大会国际组织", "aliases": [], "founded": "2022-07-12"}],
        [{"name": "新华社", "aliases": []}, {"name": "世界互联网大会国际组织", "founded": "2022-07"},
         {"name": "世界互联网大会", "aliases": ["世界互联网大会国际组织"]}]),
    "people": (
        [{"name": "任贤良", "roles": [{"title": "秘书长", "organization": "世界互联网大会"}]}, {"name": "李强", "roles": []}],
        [{"name": "任賢良", "roles": [{"title": "秘书长", "organization": None}]}, {"name": "李 强", "roles": [{"title": "总理"}]}]),
    "documents": (
        [{"title": "携手构建网络空间命运共同体", "kind": "concept_paper", "issuer": "世界互联网大会组委会", "date": "2019"},
         {"title": "携手构建网络空间命运共同体", "kind": "white_paper", "issuer": None, "date": "2022"}],
        [{"title": "《携手构建网络空间命运共同体》", "kind": "white_paper", "date": "2022-11"},
         {"title": "携手构建网络空间命运共同体", "kind": "concept_paper", "issuer": "组委会", "date": "2019"}]),
    "claims": (
        [{"text": "1600余位", "value": 1600, "unit": "嘉宾", "qualifier": "more_than", "metric": "参会嘉宾数", "time": "2023"},
         {"text": "1600名", "value": 1600, "unit": "嘉宾", "qualifier": "exact", "metric": "参会嘉宾数", "time": "2023"},
         {"text": "三成", "value": 30, "unit": "%", "qualifier": "exact", "metric": "占比", "subject": "中国"},
         {"text": "5000多台", "value": 5000, "unit": "机器人", "qualifier": "more_than", "metric": "机器人数"}],
        [{"text": "1600名", "value": "1600", "unit": "人", "qualifier": "exact", "metric": "嘉宾数", "time": "2023-11"},
         {"text": "1600余位", "value": 1600.0000001, "unit": "嘉宾", "qualifier": "more_than", "metric": "参会嘉宾数"},
         {"text": "30%", "value": 30, "unit": "%", "qualifier": "approx", "metric": "中国占比", "subject": "中国"},
         {"text": "5000多台", "value": 5000, "unit": "台", "qualifier": "more_than"}]),
}
SCORER = ROOT.parent / "shared" / "score.py"


def _scorer_numbers(gold_dir: Path, pred_dir: Path) -> tuple[dict, dict]:
    """tp/fp/fn per type and correct/total per attribute, as printed by the official scorer."""
    out = subprocess.run([sys.executable, str(SCORER), str(gold_dir), str(pred_dir)],
                         capture_output=True, text=True, check=True).stdout
    counts = {m[1]: tuple(map(int, m.groups()[1:])) for m in re.finditer(r"^(\w+) .* (\d+)/(\d+)/(\d+)$", out, re.M)}
    attributes = {m[1]: tuple(map(int, m.groups()[1:])) for m in re.finditer(r"^  (\w+\.\w+) +(\d+)/(\d+)$", out, re.M)}
    return counts, attributes


def _kb_numbers(gold_dir: Path, pred_dir: Path) -> tuple[dict, dict]:
    report = evaluate(gold_dir, pred_dir)
    counts = {n: (t.counts.tp, t.counts.fp, t.counts.fn) for n, t in report.types.items()}
    total = sum((t.counts for t in report.types.values()), start=Counts())
    counts["micro"] = (total.tp, total.fp, total.fn)
    attributes = {f"{n}.{a}": (s.correct, s.total) for n, t in report.types.items()
                  for a, s in t.attributes.items() if s.total}
    return counts, attributes


needs_scorer = pytest.mark.skipif(not SCORER.exists(), reason="the official scorer (../shared/score.py) is not here")


@needs_scorer
@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_evaluate_equals_scorer_on_synthetic_records(tmp_path: Path, record_type):
    gold, pred = SYNTHETIC[record_type]
    _write(tmp_path / "gold", "a.yaml", {"doc": "a.txt", record_type: gold})
    _write(tmp_path / "gold", "b.yaml", {"doc": "b.txt", record_type: gold[:1]})  # no prediction: all misses
    _write(tmp_path / "pred", "a.yaml", {"doc": "a.txt", record_type: pred})
    assert _kb_numbers(tmp_path / "gold", tmp_path / "pred") == _scorer_numbers(tmp_path / "gold", tmp_path / "pred")


@needs_scorer
def test_evaluate_equals_scorer_on_seed_predictions(seed_facts, tmp_path: Path):
    for facts in seed_facts:
        (tmp_path / f"{Path(facts.doc).stem}.yaml").write_text(dump_article_facts(facts), encoding="utf-8")
    assert _kb_numbers(SEED_GOLD, tmp_path) == _scorer_numbers(SEED_GOLD, tmp_path)


@needs_scorer
def test_evaluate_equals_scorer_on_hand_made_prediction(gold_dir: Path, tmp_path: Path):
    _write(tmp_path / "pred", "100_test.yaml", {**_prediction(), "doc": "100_test.txt"})
    assert _kb_numbers(gold_dir, tmp_path / "pred") == _scorer_numbers(gold_dir, tmp_path / "pred")
