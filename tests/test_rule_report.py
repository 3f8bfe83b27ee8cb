"""`kb eval --by-rule`: per rule, how often it fires and how many true and false facts it yields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kb.cli import main as cli
from kb.evaluate.gold import evaluate
from kb.evaluate.rule_report import defined_rules, rule_report

GOLD = {"doc": "a.txt", "organizations": [{"name": "新华通讯社", "aliases": ["新华社"]}],
        "claims": [{"text": "120多个", "value": 120, "unit": "国家", "qualifier": "more_than"}]}


def _record(fields: dict, *rules: str) -> dict:
    return {**fields, "provenance": [{"doc": "a.txt", "start": i, "end": i + 1, "quote": "x", "rule": r}
                                     for i, r in enumerate(rules)]}


PRED = {"doc": "a.txt",
        "organizations": [_record({"name": "新华社"}, "gaz-xinhua", "gaz-xinhua", "marker-dateline"),
                          _record({"name": "新华网"}, "gaz-xinhua", "tagger:ORG")],
        "claims": [_record({"text": "120多个", "value": 120, "unit": "国家"}, "classifier-ge"),
                   _record({"text": "三大板块", "value": 3, "unit": "板块"}, "classifier-ge"),
                   _record({"text": "第二", "value": 2, "unit": "位"}, "tagger:CARDINAL")]}
RULES = {"organizations.yaml": "gazetteer:\n  - {id: gaz-xinhua, name: 新华通讯社}\n  - {id: gaz-cac, name: 中央网信办}\n",
         "events.yaml": "series:\n  - id: world-internet-conference\n    name: 世界互联网大会\n  - id: wic-expo\n    name: 博览会\n",
         "quantities.yaml": "classifiers:\n  - {id: classifier-ge, words: [个]}\n"}
# rule: (types, fires, records, true, false, overlaps)
EXPECTED = {
    "gaz-xinhua": ({"organizations"}, 3, 2, 1, 1, 2),
    "marker-dateline": ({"organizations"}, 1, 1, 1, 0, 1),
    "classifier-ge": ({"claims"}, 2, 2, 1, 1, 0),
    "tagger:ORG": ({"organizations"}, 1, 1, 0, 1, 1),
    "tagger:CARDINAL": ({"claims"}, 1, 1, 0, 1, 0),
    "tagger:*": ({"organizations", "claims"}, 2, 2, 0, 2, 1),
}


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    for name, data in (("gold", GOLD), ("pred", PRED)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, text in RULES.items():
        (rules / name).write_text(text, encoding="utf-8")
    pred = {**PRED, "organizations": PRED["organizations"][:1], "doc": "b.txt"}  # no gold: not counted
    (tmp_path / "pred" / "b.yaml").write_text(yaml.safe_dump(pred, allow_unicode=True), encoding="utf-8")
    return tmp_path / "gold", tmp_path / "pred", rules


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_report_counts(folders, rule):
    gold, pred, rules = folders
    stats = {s.rule: s for s in rule_report(evaluate(gold, pred), rules).rules}
    one = stats[rule]
    assert (one.types, one.fires, one.records, one.true, one.false, one.overlaps) == EXPECTED[rule]


def test_rule_report_lists_rules_that_never_fire_with_file_and_line(folders):
    gold, pred, rules = folders
    never = rule_report(evaluate(gold, pred), rules).never_fired
    assert [(r.file, r.line, r.id) for r in never] == [
        ("events.yaml", 2, "world-internet-conference"), ("events.yaml", 4, "wic-expo"), ("organizations.yaml", 3, "gaz-cac")]


def test_rule_report_prefixed_provenance_fires_its_files_rule(folders):
    gold, pred, rules = folders
    data = yaml.safe_load((pred / "a.yaml").read_text(encoding="utf-8"))
    data["events"] = [_record({"name": "2024年世界互联网大会乌镇峰会", "kind": "summit"}, "events.series:wic-expo"),
                      _record({"name": "某论坛", "kind": "forum"}, "documents.title:world-internet-conference")]
    (pred / "a.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    never = {r.id for r in rule_report(evaluate(gold, pred), rules).never_fired}
    assert "wic-expo" not in never and "world-internet-conference" in never  # another file's prefix is not its rule


def test_rule_report_worst_rules_first(folders):
    gold, pred, rules = folders
    order = [s.rule for s in rule_report(evaluate(gold, pred), rules).rules]
    assert order[0] == "tagger:*" and order.index("gaz-xinhua") < order.index("marker-dateline")


def test_defined_rules_of_the_project_have_ids_and_lines():
    rules = defined_rules()
    assert len(rules) > 100 and all(r.line for r in rules)
    assert any(r.file == "events.yaml" and r.id == "world-internet-conference" for r in rules)


def test_rule_report_cli_table_and_json(folders, capsys, monkeypatch):
    gold, pred, rules = folders
    monkeypatch.setenv("KB_RULES_DIR", str(rules))
    assert cli.main(["eval", "--gold", str(gold), str(pred), "--by-rule"]) == 0
    table = capsys.readouterr().out
    assert "| gaz-xinhua | organizations | 3 | 2 | 1 | 1 | 0.500 | 2 |" in table
    assert "## rules that never fire (3)\n- events.yaml:2 world-internet-conference" in table
    assert cli.main(["eval", "--gold", str(gold), str(pred), "--by-rule", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {r["rule"]: r["false"] for r in data["rules"]}["tagger:*"] == 2
    assert [r["id"] for r in data["never_fired"]] == ["world-internet-conference", "wic-expo", "gaz-cac"]
