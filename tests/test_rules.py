from __future__ import annotations

import os
import shutil
import tracemalloc

import pytest

from kb.cli import main as cli
from kb import paths
from kb.errors import RuleError
from kb.extract import check_rules
from kb.nlp.pipeline import rule_names
from kb.rules.ruleset import MAX_RULE_BYTES, Regex, Rule, RuleSet, check_rule_folder, load_section


class Phrase(Rule):
    pattern: str


class Pattern(Rule):
    pattern: Regex


def _alias_bomb(levels: int = 9, width: int = 10) -> str:
    """A rule file whose rule expands to width**levels strings through aliases ("billion laughs")."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join([*lines, f"items:\n  - id: a\n    pattern: *l{levels - 1}\n"])


BAD_FILES = [
    # (file text, message must match)
    ("items:\n  - id: a\n    pattern: x\n  - id: b\n    patern: y\n", r":4 \[rule b\]: .*patern.*Extra inputs"),
    ("items:\n  - id: a\n  - id: b\n    pattern: y\n", r":2 \[rule a\]: \[pattern\] Field required"),
    ("items:\n  - id: a\n    pattern: x\n  - id: a\n    pattern: y\n", r":4 \[rule a\]: duplicate rule id \(first on line 2\)"),
    ("items:\n  - id: a\n    pattern: [x\n", r":\d+: not valid YAML"),
    ("items: {id: a}\n", r"section 'items' must be a list"),
    ("# a comment\nother: []\nitems: x\n", r":3: section 'items' must be a list"),
    ("", r":1: a rule file must be a mapping"),
    ("- just a list\n", r":1: a rule file must be a mapping"),
    ("items:\n  - plain string\n", r"must be a mapping"),
    (_alias_bomb(), r":2: not valid YAML: YAML aliases \(\*l0\) are not accepted"),
    ("items:\n  - id: a\n    pattern: " + "[" * 100_000 + "\n", r":3: not valid YAML: nested more than 100 levels deep"),
    ("items:\n  - id: a\n    pattern: x\n    when: 2023-13-45\n", r":4: not valid YAML: bad value: month must be"),
    ("items:\n  - id: a\n    pattern: \x07\n", r":3: not valid YAML: unacceptable character U\+0007"),
]

BAD_BYTES = [
    # (file bytes, message must match)
    ("items:\n  - id: a\n    pattern: 扫码订阅\n".encode("gb18030"), r":3: not UTF-8 \(byte 0x[89a-f][0-9a-f]\): save rule files as UTF-8"),
    (b"items: []\n" + b"#" * MAX_RULE_BYTES, r"bad.yaml: rule file larger than 5 MB"),
]


def _load(path):
    return load_section(path, "items", Pattern)


@pytest.mark.parametrize("text,message", BAD_FILES)
def test_rules_errors_name_file_line_and_rule(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match=message) as err:
        _load(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("data,message", BAD_BYTES, ids=["gb18030", "too-large"])
def test_rules_unreadable_bytes_are_one_line(tmp_path, data, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(RuleError, match=message) as err:
        _load(path)
    assert "\n" not in str(err.value)


def test_rules_alias_bomb_is_refused_without_expanding(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(), encoding="utf-8")
    tracemalloc.start()
    with pytest.raises(RuleError, match="aliases"):
        _load(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2**20  # expanded, the billion strings would need gigabytes


NOT_FILES = [
    # (how to make `bad.yaml`, message)
    (lambda p: p.mkdir(), r"bad.yaml: a rule file must be a file, not a folder"),
    (lambda p: os.mkfifo(p), r"bad.yaml: a rule file must be a file$"),  # reading it would wait forever
    (lambda p: p.symlink_to(p), r"bad.yaml: cannot read rule file: Too many levels of symbolic links"),
    (lambda p: None, r"bad.yaml: rule file not found"),
]


@pytest.mark.parametrize("make,message", NOT_FILES, ids=["folder", "fifo", "symlink-loop", "missing"])
def test_rules_not_a_readable_file_is_one_line(tmp_path, make, message):
    make(tmp_path / "bad.yaml")
    with pytest.raises(RuleError, match=message):
        _load(tmp_path / "bad.yaml")


def test_rules_valid_section_loads_in_order(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text("items:\n  - id: a\n    pattern: 扫码订阅\n  - id: b\n    pattern: 在看\n", encoding="utf-8")
    assert [r.pattern for r in load_section(path, "items", Phrase)] == ["扫码订阅", "在看"]


# --- regexes that backtrack catastrophically ------------------------------------------

REFUSED_REGEXES = [
    # (pattern, why): each takes exponential time on some text
    (r"(a+)+$", r"a repeat inside a repeat can go on or stop at the same character \('a'\)"),
    (r"(a|a)*b", r"two alternatives inside a repeat can both start with 'a'"),
    (r"(.*)*x", r"a repeated part can match nothing"),
    (r"(a|aa)*b", r"two alternatives"),
    (r"(\w+\s?)+$", r"a repeat inside a repeat"),
    (r"(?:\s*\n)+x", r"a repeat inside a repeat can go on or stop at the same character \('\\n'\)"),
    (r"(?:a?a)+b", r"an optional part can go on or stop"),
    (r"(?:x+x+)+y", r"a repeat inside a repeat"),
    (r"(?:[\u4e00-\u9fff]{2,6}[、和与及]){1,8}国", r"a repeat inside a repeat .* \('与'\)"),
    (r"(?:[^》]+》?)+$", r"a repeat inside a repeat"),
    (r"(?:\d|[0-9]a)+x", r"two alternatives .* '0'"),
    (r"x(?=(a+)+$)", r"a repeat inside a repeat"),  # inside a lookahead too
    (r"(?:(?:a?)+b)+", r"a repeat inside a repeat has a repeated part that can match nothing"),
]
ACCEPTED_REGEXES = [
    r"\d+", r"(a|ab)*c", r"(\d+,)+", r"(《[^》]+》)+", r"(a*b)*", r"(?:a++)+", r"(?>a+)+", r"(?:,\d{3})+",
    r"(?:[\u4e00-\u4e0d\u4e0f-\u53c9\u53cb-\u548b\u548d-\u9fff]{2,6}[、和与及]){1,8}国",
    r"(?:ab|cd)+", r"[扫掃][码碼](?:《[^》\n]{1,40}》)?", r"\d+\d+x",  # polynomial only: not checked
    r"(?m)^[ \t]*#{1,6}[ \t]+", r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    r"(?:第[\d〇零一二两三四五六七八九十百千]+|[上下]一)个$", r"(?:\s+\S)+", r"(?:(a)|b\1)+",
]


def _rule_file(tmp_path, pattern: str):
    path = tmp_path / "rules.yaml"
    path.write_text(f"items:\n  - id: first\n    pattern: x\n  - id: risky\n    pattern: '{pattern}'\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern,why", REFUSED_REGEXES)
def test_rules_regex_that_backtracks_is_refused_with_file_line_and_rule(tmp_path, pattern, why):
    with pytest.raises(RuleError, match=rf":4 \[rule risky\]: .*regex can backtrack exponentially: (?:{why})") as err:
        _load(_rule_file(tmp_path, pattern))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("pattern", ACCEPTED_REGEXES)
def test_rules_regex_that_cannot_backtrack_is_accepted(tmp_path, pattern):
    assert _load(_rule_file(tmp_path, pattern))[1].pattern == pattern


def test_rules_noise_regex_that_backtracks_is_refused(tmp_path):
    from kb.clean.noise import load_noise_rules

    path = tmp_path / "noise.yaml"
    path.write_text("noise:\n  - id: slow\n    kind: regex\n    pattern: '(?:\\s*\\n)+'\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"noise.yaml:2 \[rule slow\]: .*backtrack exponentially"):
        load_noise_rules(path)


# --- the rules folder -----------------------------------------------------------------


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A copy of rules/ that KB_RULES_DIR points at; every rule file read afresh."""
    folder = tmp_path / "rules"
    shutil.copytree(paths.ROOT / "rules", folder)
    monkeypatch.setenv("KB_RULES_DIR", str(folder))
    yield folder
    monkeypatch.delenv("KB_RULES_DIR")


def test_rules_todays_rule_files_all_load(rules_copy):
    check_rules()
    check_rule_folder()  # every file and section is read by a rule model, every regex is safe


STRAY_FILES = [
    # (file name, bytes, message)
    ("extra.yaml", b"items:\n  - id: a\n    pattern: [x\n", r"extra.yaml:\d+: not valid YAML"),
    ("extra.yaml", b"items:\n  - {id: a, name: \xd6\xd0\xb9\xfa}\n", r"extra.yaml:2: not UTF-8"),
    ("extra.yaml", "people:\n  - {id: a, name: 张三丰}\n".encode(), r"extra.yaml:1: no rule model reads this file"),
    ("events.yaml", None, r"events.yaml:\d+: section 'seris' is read by no rule model \(misspelt\?\)"),
]


@pytest.mark.parametrize("name,data,message", STRAY_FILES, ids=["syntax", "gb18030", "unknown-file", "unknown-section"])
def test_rules_stray_file_or_section_is_an_error(rules_copy, name, data, message):
    path = rules_copy / name
    path.write_bytes(data if data is not None else path.read_bytes() + b"\nseris:\n  - {id: x}\n")
    with pytest.raises(RuleError, match=message):
        check_rules()
        check_rule_folder()


def test_rules_user_dictionary_reads_rule_files_as_rules(tmp_path):
    (tmp_path / "names.yaml").write_bytes("people:\n  - {id: a, name: 张三丰}\n".encode("gb18030"))
    with pytest.raises(RuleError, match=r"names.yaml:2: not UTF-8"):
        rule_names(tmp_path)


@pytest.mark.parametrize("name,data,message", STRAY_FILES[:3], ids=["syntax", "gb18030", "unknown-file"])
def test_rules_cli_stops_on_a_stray_file_before_the_model_and_articles(rules_copy, capsys, name, data, message):
    (rules_copy / name).write_bytes(data)
    # The model and the article do not exist: either read first would be another error.
    assert cli.main(["extract", "no-such-article.txt", "--model", str(rules_copy / "no-model")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"kb: error: {rules_copy / name}:"), err


# ---------------------------------------------------------------- RuleSet


def test_ruleset_load_names_file_line_and_rule_of_a_broken_file(rules_copy):
    path = rules_copy / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: ", "  - idd: ", 1), encoding="utf-8")
    with pytest.raises(RuleError, match=r"events.yaml:\d+.*idd"):
        RuleSet.load(rules_copy)


def test_ruleset_two_folders_in_one_process(rules_copy, nlp):
    from kb.extract.events import find_events

    path = rules_copy / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "series:\n", "series:\n  - {id: test-series, name: 数字丝路测试周, kind: meeting}\n", 1), encoding="utf-8")
    ours, theirs = RuleSet.load(paths.ROOT / "rules"), RuleSet.load(rules_copy)
    from kb.extract.matcher import RuleMatcher

    doc = nlp("2025年数字丝路测试周在杭州举行。")

    def events(rules: RuleSet) -> list[str]:
        with rules.active():
            RuleMatcher()(doc)  # the mentions the builder reads, matched with these rules
            return [e.name for e in find_events(doc)]

    assert events(theirs) == ["2025年数字丝路测试周"]
    assert events(ours) == []
    assert events(theirs) == ["2025年数字丝路测试周"]  # built once per RuleSet, still there


def test_ruleset_edited_file_is_read_again(rules_copy):
    from kb.extract.events import load_event_rules

    before = {s.id for s in load_event_rules().series}
    path = rules_copy / "events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "series:\n", "series:\n  - {id: test-series, name: 数字丝路测试周, kind: meeting}\n", 1), encoding="utf-8")
    assert {s.id for s in load_event_rules().series} == before | {"test-series"}


def test_rules_files_read_the_same_by_libyaml_and_by_python():
    """kb reads rule files with libyaml's parser (composing in Python): the same rules and
    the same ``__line__`` of every mapping as PyYAML's pure-Python loader gives."""
    import yaml

    from kb.rules import ruleset

    assert ruleset._FastLineLoader is not None  # the wheels of PyYAML ship libyaml
    for path in sorted((paths.ROOT / "rules").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=ruleset._FastLineLoader) == yaml.load(text, Loader=ruleset._LineLoader), path.name
