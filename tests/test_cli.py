"""The kb command: bad input never stops the others, bad rules stop everything
first, outputs are complete and reproducible."""

from __future__ import annotations

import shutil

import pytest
import yaml

from kb.cli import main as cli
from kb.paths import ROOT

SEED = ROOT / "seeds" / "001_2a564194b7dcf398.txt"

BAD_ARTICLES = [
    # (file name, bytes, message that must name the problem)
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02\xff" * 50, "binary"),
    ("broken.md", "---\ntitle: [x\n---\n正文。\n".encode(), "front matter"),
]


@pytest.fixture(autouse=True)
def _pipeline_loaded_once(nlp):
    """The CLI reuses the session's pipeline: it is loaded once per process."""


@pytest.mark.parametrize("name,data,message", BAD_ARTICLES)
def test_cli_bad_article_is_skipped_and_named(tmp_path, capsys, name, data, message):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder)
    (folder / name).write_bytes(data)
    assert cli.main(["extract", str(folder), "--out", str(tmp_path / "pred")]) == 0
    err = capsys.readouterr().err
    assert name in err and message in err.lower()
    assert (tmp_path / "pred" / f"{SEED.stem}.yaml").exists()


def test_cli_nothing_readable_exits_non_zero(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert cli.main(["extract", str(tmp_path)]) == 1
    assert "empty.txt" in capsys.readouterr().err


def test_cli_bad_rule_file_stops_before_any_article(tmp_path, monkeypatch, capsys):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "events.yaml").read_text(encoding="utf-8")
    (rules / "events.yaml").write_text(text.replace("  - id: ", "  - idd: ", 1), encoding="utf-8")
    monkeypatch.setenv("KB_RULES_DIR", str(rules))
    try:
        assert cli.main(["extract", str(tmp_path / "no-such-article.txt")]) == 2
    finally:
        monkeypatch.undo()
    err = capsys.readouterr().err
    assert "events.yaml:" in err and "idd" in err
    assert "no-such-article" not in err  # nothing was read


def test_cli_extract_is_deterministic(tmp_path):
    for run in ("a", "b"):
        assert cli.main(["extract", str(SEED), "--out", str(tmp_path / run)]) == 0
    name = f"{SEED.stem}.yaml"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_cli_extract_to_stdout_is_a_yaml_stream_of_every_article(tmp_path, capsys):
    seeds = sorted((ROOT / "seeds").glob("*.txt"))[:3]
    assert cli.main(["extract", *map(str, seeds), "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert cli.main(["extract", *map(str, seeds)]) == 0
    documents = list(yaml.safe_load_all(capsys.readouterr().out))
    assert documents == [yaml.safe_load((tmp_path / f"{s.stem}.yaml").read_text(encoding="utf-8")) for s in seeds]


def test_cli_clean_prints_clean_text(capsys):
    assert cli.main(["clean", str(ROOT / "seeds" / "003_2cdfacaa30bd1702.txt")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("心向“网”之:为何是乌镇?") and "(wǎng)" not in out


def test_cli_clean_diff_shows_removed_noise(capsys):
    assert cli.main(["clean", "--diff", str(SEED)]) == 0
    assert "removed" in capsys.readouterr().out


def test_cli_eval_prints_table(tmp_path, capsys):
    gold = ROOT / "tests" / "gold"
    assert cli.main(["eval", "--gold", str(gold), str(gold)]) == 0
    assert "| events | 1.000 | 1.000 | 1.000 |" in capsys.readouterr().out


# ---------------------------------------------------------------- kb show

CLAIM_ID = "claim:8a3c0101473b"  # 中国 数字经济规模 2023: 53.9万亿元, in tests/gold

# (reviews.yaml bytes or None, id asked for, the one line kb show prints on stderr)
SHOW_ERROR_CASES = {
    "unknown id": (None, "org:中国信息通信研究所",
                   "kb: error: no record with id 'org:中国信息通信研究所'; did you mean org:中国信息通信研究院?"),
    "reviews.yaml in GBK": ("org:光明网:\n  status: rejected\n  note: 来源\n".encode("gbk"), "org:光明网",
                            "reviews.yaml:1: not UTF-8 text (byte 0xb9): save it as UTF-8"),
    "rejected id": ("org:光明网:\n  status: rejected\n".encode(), "org:光明网",
                    "kb: error: record 'org:光明网' was rejected by the reviewer"),
}


def _gold_kb(folder, reviews: bytes | None = None):
    from kb.query import KnowledgeBase
    from kb.records.models import load_article_facts
    from kb.store.knowledge import save_knowledge_base

    gold = sorted((ROOT / "tests" / "gold").glob("*.yaml"))
    save_knowledge_base(KnowledgeBase.from_facts(load_article_facts(p) for p in gold), folder)
    if reviews is not None:
        (folder / "reviews.yaml").write_bytes(reviews)
    return folder


@pytest.mark.parametrize("reviews,asked,message", SHOW_ERROR_CASES.values(), ids=SHOW_ERROR_CASES.keys())
def test_cli_show_error_is_one_line(tmp_path, capsys, reviews, asked, message):
    assert cli.main(["show", asked, "--kb", str(_gold_kb(tmp_path, reviews))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_cli_show_corrected_record_by_its_verdict_id(tmp_path, capsys):
    verdict = f"{CLAIM_ID}:\n  status: corrected\n  corrected:\n    metric: 数字经济总量\n".encode()
    assert cli.main(["show", CLAIM_ID, "--kb", str(_gold_kb(tmp_path, verdict))]) == 0
    out = capsys.readouterr().out
    assert "数字经济总量" in out and "id before correction" in out and CLAIM_ID in out


def test_cli_rules_option_selects_the_rules_folder(tmp_path, monkeypatch, capsys):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "events.yaml").read_text(encoding="utf-8")
    (rules / "events.yaml").write_text(text.replace("  - id: ", "  - idd: ", 1), encoding="utf-8")
    monkeypatch.setenv("KB_RULES_DIR", str(ROOT / "rules"))  # restored after the test: --rules sets it
    assert cli.main(["extract", "--rules", str(rules), str(tmp_path / "no-such-article.txt")]) == 2
    err = capsys.readouterr().err
    assert str(rules / "events.yaml") in err and "idd" in err
