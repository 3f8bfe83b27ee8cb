"""The kb command: bad input never stops the others, bad rules stop everything
first, outputs are complete and reproducible."""

from __future__ import annotations

import shutil

import pytest

from kb import cli
from kb.paths import ROOT
from kb.extract import forget_rules

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
    forget_rules()
    try:
        assert cli.main(["extract", str(tmp_path / "no-such-article.txt")]) == 2
    finally:
        monkeypatch.undo()
        forget_rules()
    err = capsys.readouterr().err
    assert "events.yaml:" in err and "idd" in err
    assert "no-such-article" not in err  # nothing was read


def test_cli_extract_is_deterministic(tmp_path):
    for run in ("a", "b"):
        assert cli.main(["extract", str(SEED), "--out", str(tmp_path / run)]) == 0
    name = f"{SEED.stem}.yaml"
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


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
