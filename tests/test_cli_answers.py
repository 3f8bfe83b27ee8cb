"""Machine-readable answers of the query commands (--json, --csv), their exit
codes (0 answer, 1 empty, 2 error), tables fitted to the width, kb stats and kb export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import yaml
from rich.cells import cell_len

from kb.cli import main as cli
from kb.cli.output import PIPED_WIDTH, Table, table_text, table_width
from kb.paths import ROOT
from kb.query import KnowledgeBase
from kb.records.models import load_article_facts
from kb.store.knowledge import load_knowledge_base, save_knowledge_base

GOLD = ROOT / "tests" / "gold"
GOLD_FILES = sorted(GOLD.glob("*.yaml"))
SUMMIT_2024 = "event:2024年世界互联网大会乌镇峰会"
LONG_ORG = "org:世界互联网大会领先科技奖评审委员会"

# Another article reporting China's 2023 digital economy with a different figure: a conflict.
OTHER_FIGURE = {"text": "50.2万亿元", "value": 50200000000000, "evidence": "2023年中国数字经济规模为50.2万亿元"}


@pytest.fixture(scope="module")
def gold_kb(tmp_path_factory) -> Path:
    """A build of the four seeds' gold facts (no conflicts)."""
    folder = tmp_path_factory.mktemp("gold_kb")
    save_knowledge_base(KnowledgeBase.from_facts(load_article_facts(p) for p in GOLD_FILES), folder)
    return folder


@pytest.fixture(scope="module")
def conflict_kb(tmp_path_factory) -> Path:
    """The gold facts plus a fifth article that gives another 2023 figure for 中国 数字经济规模."""
    data = yaml.safe_load((GOLD / "001_2a564194b7dcf398.yaml").read_text(encoding="utf-8"))
    claim = next(c for c in data["claims"] if c["metric"] == "数字经济规模" and c["time"] == "2023")
    other = tmp_path_factory.mktemp("facts") / "004_other_figure.yaml"
    other.write_text(yaml.safe_dump({"doc": "004_other_figure.txt", "doc_date": "2024-12-01",
                                     "claims": [{**claim, **OTHER_FIGURE}]}, allow_unicode=True), encoding="utf-8")
    folder = tmp_path_factory.mktemp("conflict_kb")
    save_knowledge_base(KnowledgeBase.from_facts(load_article_facts(p) for p in [*GOLD_FILES, other]), folder)
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ---------------------------------------------------------------- kb find


def test_cli_find_json_holds_the_record_and_its_articles(gold_kb, capsys):
    code, out, _ = run(capsys, "find", "世界互聯網大會國際組織", "--kb", gold_kb, "--json")  # traditional script
    assert code == 0
    [found] = json.loads(out)
    assert found["record"]["id"] == "org:世界互联网大会国际组织" and found["type"] == "organization"
    assert found["record"]["aliases"] == ["世界互联网大会"] and found["label"] == "世界互联网大会国际组织"
    assert found["articles"] == ["002_52204ac7a635acee.txt", "003_2cdfacaa30bd1702.txt"]


def test_cli_find_csv_has_one_row_per_json_record(gold_kb, capsys):
    _, out_json, _ = run(capsys, "find", "互联网", "--kb", gold_kb, "--json")
    code, out_csv, _ = run(capsys, "find", "互联网", "--kb", gold_kb, "--csv")
    assert code == 0 and out_csv.startswith("id,type,name,articles\r\n")
    rows = csv_rows(out_csv)
    records = json.loads(out_json)
    assert len(rows) == len(records) > 5
    assert [r["id"] for r in rows] == [r["record"]["id"] for r in records]
    assert [r["articles"] for r in rows] == ["; ".join(r["articles"]) for r in records]


@pytest.mark.parametrize("fmt,stdout", [(None, ""), ("--json", "[]\n"), ("--csv", "id,type,name,articles\r\n")])
def test_cli_find_nothing_says_so_and_exits_1(gold_kb, capsys, fmt, stdout):
    code, out, err = run(capsys, "find", "不存在的机构", "--kb", gold_kb, *([fmt] if fmt else []))
    assert (code, out, err) == (1, stdout, "kb: no record named '不存在的机构'\n")


def test_cli_json_and_csv_together_is_a_usage_error(gold_kb, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["find", "乌镇", "--kb", str(gold_kb), "--json", "--csv"])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


# ---------------------------------------------------------------- kb timeline


def test_cli_timeline_json_is_by_date_with_records(gold_kb, capsys):
    code, out, _ = run(capsys, "timeline", "世界互联网大会", "--kb", gold_kb, "--json")
    assert code == 0
    entries = json.loads(out)
    dated = [e["date"] for e in entries if e["date"]]
    assert dated == sorted(dated) and dated[0] == "2014-11"
    summit = next(e for e in entries if e["record"]["id"] == SUMMIT_2024)
    assert summit["date"] == "2024-11-19" and summit["type"] == "event"
    assert summit["record"]["end_date"] == "2024-11-22" and summit["record"]["location"] == "乌镇"
    assert summit["articles"] == ["001_2a564194b7dcf398.txt", "002_52204ac7a635acee.txt"]


def test_cli_timeline_csv_rows_match_json(gold_kb, capsys):
    _, out_json, _ = run(capsys, "timeline", "世界互联网大会", "--kb", gold_kb, "--json")
    code, out_csv, _ = run(capsys, "timeline", "世界互联网大会", "--kb", gold_kb, "--csv")
    entries, rows = json.loads(out_json), csv_rows(out_csv)
    assert code == 0 and list(rows[0]) == ["date", "type", "id", "name", "articles"]
    assert [(r["date"] or None, r["id"]) for r in rows] == [(e["date"], e["record"]["id"]) for e in entries]


def test_cli_timeline_of_unknown_name_exits_1(gold_kb, capsys):
    code, out, err = run(capsys, "timeline", "不存在的大会", "--kb", gold_kb)
    assert code == 1 and out == "" and err.startswith("kb: no events or documents for '不存在的大会'")


# ---------------------------------------------------------------- kb show


def test_cli_show_json_has_links_and_articles(gold_kb, capsys):
    code, out, _ = run(capsys, "show", "person:任贤良", "--kb", gold_kb, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["record"]["roles"] == [{"title": "秘书长", "organization": "世界互联网大会"}]
    assert {"type": "holds_role_in", "direction": "out", "other": "org:世界互联网大会国际组织",
            "label": "世界互联网大会国际组织"} in shown["links"]
    assert shown["articles"] == ["003_2cdfacaa30bd1702.txt"] and shown["former_ids"] == []


def test_cli_show_csv_is_field_value_rows(gold_kb, capsys):
    code, out, _ = run(capsys, "show", "person:任贤良", "--kb", gold_kb, "--csv")
    rows = {r["field"]: r["value"] for r in csv_rows(out)}
    assert code == 0 and rows["name"] == "任贤良" and rows["roles"] == "秘书长（世界互联网大会）"
    assert rows["→ holds_role_in"] == "世界互联网大会国际组织 (org:世界互联网大会国际组织)"


def test_cli_show_unknown_id_is_an_error_not_an_empty_answer(gold_kb, capsys):
    code, out, err = run(capsys, "show", "person:无名氏", "--kb", gold_kb, "--json")
    assert code == 2 and out == "" and err.startswith("kb: error: no record with id 'person:无名氏'")


# ---------------------------------------------------------------- kb conflicts


def test_cli_conflicts_json_lists_both_figures(conflict_kb, capsys):
    code, out, _ = run(capsys, "conflicts", "--kb", conflict_kb, "--json")
    [conflict] = json.loads(out)
    assert code == 0 and (conflict["metric"], conflict["subject"], conflict["time"]) == ("数字经济规模", "中国", "2023")
    assert {c["record"]["value"]: c["articles"] for c in conflict["claims"]} == {
        53900000000000: ["001_2a564194b7dcf398.txt"], 50200000000000: ["004_other_figure.txt"]}


def test_cli_conflicts_csv_has_a_row_per_claim(conflict_kb, capsys):
    code, out, _ = run(capsys, "conflicts", "--kb", conflict_kb, "--csv")
    rows = csv_rows(out)
    assert code == 0 and sorted(r["text"] for r in rows) == ["50.2万亿元", "53.9万亿元"]
    assert {r["value"] for r in rows} == {"53900000000000", "50200000000000"} and {r["unit"] for r in rows} == {"元"}


@pytest.mark.parametrize("fmt,stdout", [(None, ""), ("--json", "[]\n")])
def test_cli_no_conflicts_says_so_and_exits_1(gold_kb, capsys, fmt, stdout):
    assert run(capsys, "conflicts", "--kb", gold_kb, *([fmt] if fmt else [])) == (1, stdout, "kb: no conflicts\n")


# ---------------------------------------------------------------- kb stats


def test_cli_stats_json_counts_the_build(conflict_kb, capsys):
    code, out, _ = run(capsys, "stats", "--kb", conflict_kb, "--json")
    stats = json.loads(out)
    merged = load_knowledge_base(conflict_kb).merged
    assert code == 0 and stats["articles"] == 5 and stats["conflicts"] == 1
    assert stats["records"] == {name: len(getattr(merged, name))
                                for name in ("events", "organizations", "people", "documents", "claims")}
    assert len(stats["top_organizations"]) == 10
    assert stats["top_organizations"][0] == {"id": "org:国际电信联盟", "name": "国际电信联盟", "articles": 3}
    counts = [o["articles"] for o in stats["top_organizations"]]
    assert counts == sorted(counts, reverse=True)
    wic = next(s for s in stats["series"] if s["name"] == "世界互联网大会")
    assert (wic["editions"], wic["years"]) == (5, [2014, 2015, 2022, 2023, 2024])
    assert wic["events"][-1] == SUMMIT_2024


def test_cli_stats_table_shows_counts_and_series(gold_kb, capsys):
    code, out, _ = run(capsys, "stats", "--kb", gold_kb)
    assert code == 0
    assert "│ organizations │ 16    │" in out and "│ 国际电信联盟 " in out
    assert "│ 世界互联网大会     │ 5        │ 2014, 2015, 2022, 2023, 2024 │" in out


# ---------------------------------------------------------------- kb eval --csv


def test_cli_eval_csv_is_the_per_type_table(capsys):
    code, out, _ = run(capsys, "eval", "--gold", GOLD, GOLD, "--csv")
    rows = csv_rows(out)
    _, out_json, _ = run(capsys, "eval", "--gold", GOLD, GOLD, "--json")
    report = json.loads(out_json)
    assert code == 0 and [r["type"] for r in rows] == [*report["types"], "all"]
    events = rows[0]
    assert (int(events["tp"]), int(events["fp"]), int(events["fn"])) == tuple(report["types"]["events"][k] for k in ("tp", "fp", "fn"))
    assert float(rows[-1]["f1"]) == pytest.approx(report["all"]["f1"])


def test_cli_eval_by_rule_csv_rows_match_json(tmp_path, capsys):
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir(), pred.mkdir()
    data = yaml.safe_load((GOLD / "003_2cdfacaa30bd1702.yaml").read_text(encoding="utf-8"))
    (gold / "003.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    def provenance() -> list[dict]:  # a new list each time: PyYAML would write a shared one as an alias
        return [{"doc": data["doc"], "start": 0, "end": 2, "quote": "x", "rule": "gaz-wic"}]

    data["organizations"] = [{**org, "provenance": provenance()} for org in data["organizations"]]
    data["organizations"].append({"name": "不存在的机构", "provenance": provenance()})  # a false fact
    (pred / "003.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, _ = run(capsys, "eval", "--gold", gold, pred, "--by-rule", "--csv")
    _, out_json, _ = run(capsys, "eval", "--gold", gold, pred, "--by-rule", "--json")
    rows = {r["rule"]: r for r in csv_rows(out)}
    assert code == 0 and rows["gaz-wic"]["false"] == "1" and rows["gaz-wic"]["types"] == "organizations"
    assert {r["rule"]: int(r["true"]) for r in json.loads(out_json)["rules"]} == {k: int(r["true"]) for k, r in rows.items()}


def test_cli_eval_timeline_csv_is_refused(capsys):
    code, out, err = run(capsys, "eval", "--timeline", GOLD / "x.yaml", GOLD, "--csv")
    assert code == 2 and out == "" and "--csv" in err and err.count("\n") == 1


# ---------------------------------------------------------------- width


def test_table_width_is_the_terminal_width_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("shutil.get_terminal_size", lambda *a, **k: __import__("os").terminal_size((57, 20)))
    assert table_width(Terminal()) == 57


@pytest.mark.parametrize("columns,width", [(None, PIPED_WIDTH), ("90", 90), ("wide", PIPED_WIDTH), ("0", PIPED_WIDTH)])
def test_table_width_piped_is_columns_or_120(monkeypatch, columns, width):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert table_width(io.StringIO()) == width


def _column_cells(text: str, column: int) -> dict[str, str]:
    """First column → the text of ``column``, joined over the lines a folded row takes."""
    rows: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.split("│")[1:-1]]
        key = cells[0] or key
        rows[key] = rows.get(key, "") + cells[column]
    return rows


@pytest.mark.parametrize("width", [40, 60, 100])
def test_cli_table_fits_the_width_and_folds_chinese_names(gold_kb, capsys, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, _ = run(capsys, "show", LONG_ORG, "--kb", gold_kb)
    assert code == 0 and max(cell_len(line) for line in out.splitlines()) <= width
    assert "…" not in out
    assert _column_cells(out, 1)["name"] == "世界互联网大会领先科技奖评审委员会"


def test_table_text_keeps_brackets_in_cells():
    table = Table("t", ["field", "value"])
    table.add("source", "世界互联网大会 [gaz-wic]")
    assert "世界互联网大会 [gaz-wic]" in table_text(table, 80)


# ---------------------------------------------------------------- kb export


def test_cli_export_csv_writes_neo4j_files(gold_kb, tmp_path, capsys):
    code, out, _ = run(capsys, "export", "csv", tmp_path / "neo4j", "--kb", gold_kb)
    printed = [Path(line) for line in out.splitlines()]
    assert code == 0 and sorted(printed) == sorted((tmp_path / "neo4j").iterdir())
    orgs = csv_rows((tmp_path / "neo4j" / "nodes_Organization.csv").read_text(encoding="utf-8"))
    assert len(orgs) == len(load_knowledge_base(gold_kb).merged.organizations)


def test_cli_export_graphml_into_a_folder_reads_back(gold_kb, tmp_path, capsys):
    code, out, _ = run(capsys, "export", "graphml", tmp_path, "--kb", gold_kb)
    assert code == 0 and out == f"{tmp_path / 'graph.graphml'}\n"
    graph = nx.read_graphml(tmp_path / "graph.graphml")
    assert graph.number_of_nodes() == load_knowledge_base(gold_kb).graph.number_of_nodes()


@pytest.mark.parametrize("fmt,name,start", [("gexf", "g.gexf", "<?xml"), ("timeline", "t.svg", "<?xml")])
def test_cli_export_gexf_and_timeline_write_the_file_named(gold_kb, tmp_path, capsys, fmt, name, start):
    code, out, _ = run(capsys, "export", fmt, tmp_path / name, "--kb", gold_kb)
    assert code == 0 and out == f"{tmp_path / name}\n"
    assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)


def test_cli_export_timeline_of_unknown_series_names_the_known_ones(gold_kb, tmp_path, capsys):
    code, _, err = run(capsys, "export", "timeline", tmp_path / "t.svg", "--series", "不存在", "--kb", gold_kb)
    assert code == 2 and "no series '不存在'" in err and "世界互联网大会" in err and err.count("\n") == 1
    assert not (tmp_path / "t.svg").exists()
