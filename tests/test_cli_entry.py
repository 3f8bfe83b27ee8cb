"""How kb is started: `kb --version`, `python -m kb`, and tab completion through
argcomplete's protocol (the shell hook sets _ARGCOMPLETE, COMP_LINE and COMP_POINT
and reads the completions, separated by IFS, from file descriptor 8)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from importlib.metadata import entry_points, version
from pathlib import Path

import argcomplete
import argcomplete.io
import pytest

from kb.cli import main as cli
from kb.paths import ROOT
from kb.query import KnowledgeBase
from kb.records.models import load_article_facts
from kb.store.knowledge import save_knowledge_base

KB_SCRIPT = Path(sys.executable).with_name("kb")
IFS = "\013"  # argcomplete's default separator
MARKER = b"# PYTHON_ARGCOMPLETE_OK"


class _Finder(argcomplete.CompletionFinder):
    def _init_debug_stream(self) -> None:
        """argcomplete writes debug output to fd 9, which in pytest is one of its own (closed afterwards)."""
        argcomplete.io.debug_stream = io.StringIO()


def _completions(monkeypatch, line: str) -> list[str]:
    """What tab completion offers at the end of ``line``, asked in this process."""
    monkeypatch.setenv("_ARGCOMPLETE", "1")
    monkeypatch.setenv("COMP_LINE", line)
    monkeypatch.setenv("COMP_POINT", str(len(line)))
    monkeypatch.setenv("_ARGCOMPLETE_IFS", IFS)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        _Finder()(cli._parser(), output_stream=out, exit_method=sys.exit)
    assert exit_.value.code == 0
    return [word.strip() for word in out.getvalue().split(IFS) if word]


def test_cli_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"kb {version('kb')}\n"


def test_python_m_kb_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "kb", "--help"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: kb ")
    for command in ("build", "find", "stats", "export"):
        assert command in done.stdout


def test_python_m_kb_version_and_error_exit_codes():
    done = subprocess.run([sys.executable, "-m", "kb", "--version"], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"kb {version('kb')}\n")
    done = subprocess.run([sys.executable, "-m", "kb", "stats", "--kb", "no-such-build"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("kb: error: ") and "no-such-build" in done.stderr


@pytest.mark.parametrize("line,offered", [
    ("kb bu", ["build"]),
    ("kb ex", ["extract", "export"]),
    ("kb export ", ["-h", "--help", "csv", "graphml", "gexf", "timeline"]),
    ("kb find x --j", ["--json"]),
    ("kb stats --c", []),  # stats has --json only
])
def test_completion_offers_commands_and_options(monkeypatch, line, offered):
    assert sorted(_completions(monkeypatch, line)) == sorted(offered)


def test_completion_of_show_offers_record_ids_of_the_build(monkeypatch, tmp_path):
    gold = sorted((ROOT / "tests" / "gold").glob("*.yaml"))
    save_knowledge_base(KnowledgeBase.from_facts(load_article_facts(p) for p in gold), tmp_path)
    assert _completions(monkeypatch, f"kb show --kb {tmp_path} org:世界互联网大会组") == ["org:世界互联网大会组委会"]


@pytest.mark.skipif(not KB_SCRIPT.exists(), reason="the kb console script is not installed next to this Python")
def test_completion_through_the_installed_script_and_fd_8(tmp_path):
    """As the shell hook of `eval "$(register-python-argcomplete kb)"` runs it."""
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": "kb bu", "COMP_POINT": "5", "_ARGCOMPLETE_IFS": IFS}
    done = subprocess.run(["bash", "-c", '"$0" 8>&1 1>/dev/null 9>/dev/null', str(KB_SCRIPT)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.split(IFS) == ["build "]


def test_entry_modules_carry_the_argcomplete_marker():
    """argcomplete's global completion only completes scripts whose entry module has the marker near its top."""
    [script] = [e for e in entry_points(group="console_scripts") if e.name == "kb"]
    module = sys.modules[script.module] if script.module in sys.modules else __import__(script.module, fromlist=["_"])
    for path in (Path(module.__file__), ROOT / "kb" / "__main__.py"):
        assert MARKER in path.read_bytes()[:1024], path
