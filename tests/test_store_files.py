"""kb's YAML reader: libyaml's C parser where it is safe, the same answers and errors as
the Python one everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.store.files import MAX_DEPTH, NoAliasLoader, _plain, load_yaml

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.yaml"))

# (text, whether the C parser may read it)
PLAIN_CASES = [
    ("a: 1\nb: [1, 2]\n", True),
    ("a: &x 1\nb: *x\n", False),                 # an anchor and its alias
    ("note: R&D\n", False),                      # '&' in a value: the Python parser, to be safe
    ("[" * MAX_DEPTH, False),                    # flow nesting
    ("- " * MAX_DEPTH + "x\n", False),           # compact block nesting on one line
    (" " * MAX_DEPTH + "x: 1\n", False),         # indentation
]


@pytest.mark.parametrize("path", GOLDEN, ids=[p.name for p in GOLDEN])
def test_store_files_yaml_same_answer_as_the_python_parser(path):
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.load(text, Loader=NoAliasLoader)


def test_store_files_golden_outputs_take_the_c_parser():
    # most of kb's own files hold no '&' or '*' (a title may): the fast path is the common one
    assert sum(_plain(path.read_text(encoding="utf-8")) for path in GOLDEN) >= len(GOLDEN) // 2


@pytest.mark.parametrize("text, plain", PLAIN_CASES)
def test_store_files_yaml_c_parser_only_for_plain_text(text, plain):
    assert _plain(text) is plain


@pytest.mark.parametrize("text, message", [
    ("a: &x 1\nb: *x\n", "YAML aliases"),
    ("[" * (MAX_DEPTH + 1), "nested more than"),
    ("a: b: c\n", "mapping values are not allowed here"),
])
def test_store_files_yaml_errors_are_the_python_parsers(text, message):
    with pytest.raises(yaml.YAMLError, match=message):
        load_yaml(text)
