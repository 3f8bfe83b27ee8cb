"""The README's Python examples run, and print what the README says they print."""

from __future__ import annotations

import contextlib
import io
import re

import pytest

from kb.paths import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
# A comment line right under a print(...) line is the output the README promises.
PROMISED = re.compile(r"^print\(.*\n# (.+)$", re.M)


@pytest.mark.parametrize("block", BLOCKS)
def test_readme_example_runs_as_documented(nlp, block, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})
    printed = out.getvalue().splitlines()
    for promised in PROMISED.findall(block):
        assert promised in printed


def test_readme_has_python_examples():
    assert BLOCKS and PROMISED.findall(BLOCKS[0])
