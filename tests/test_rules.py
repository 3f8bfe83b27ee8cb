from __future__ import annotations

import pytest

from kb.errors import RuleError
from kb.rules import Rule, load_section, read_rule_file


class Phrase(Rule):
    pattern: str


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
]


@pytest.mark.parametrize("text,message", BAD_FILES)
def test_rules_errors_name_file_line_and_rule(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    read_rule_file.cache_clear()
    with pytest.raises(RuleError, match=message) as err:
        load_section(path, "items", Phrase)
    assert str(path) in str(err.value)


def test_rules_valid_section_loads_in_order(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text("items:\n  - id: a\n    pattern: 扫码订阅\n  - id: b\n    pattern: 在看\n", encoding="utf-8")
    read_rule_file.cache_clear()
    assert [r.pattern for r in load_section(path, "items", Phrase)] == ["扫码订阅", "在看"]


def test_rules_missing_file_is_a_rule_error(tmp_path):
    with pytest.raises(RuleError, match="rule file not found"):
        load_section(tmp_path / "none.yaml", "items", Phrase)
