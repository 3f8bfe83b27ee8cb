"""Faults lose nothing: a build killed, interrupted or out of disk space at any
point leaves the previous outputs byte for byte, and never the reviewer's
``reviews.yaml``; the next build cleans up after it.

The previous outputs come from three seeds, the interrupted build reads all
four, so a half-moved build would show.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb import outputs
from kb.cli import main
from kb.outputs import recover, write_build
from kb.paths import ROOT
from kb.query import KnowledgeBase
from kb.review import REVIEWS_FILE, collect_verdicts

VERDICTS = "org:光明网:\n  status: rejected\n  note: a source note, not an organisation\n"
KILLED = 77  # exit status of a forked build killed on purpose

# A `kb build` whose every atomic write takes a while, so staging lasts long enough to be caught.
SLOW_BUILD = """
import sys, time
import kb.export
write = kb.export.atomic_write
def slow(*args, **kwargs):
    time.sleep(0.15)
    return write(*args, **kwargs)
kb.export.atomic_write = slow
from kb.cli import main
sys.exit(main(sys.argv[1:]))
"""


def snapshot(out: Path) -> dict[str, bytes]:
    """Every visible file under ``out`` (hidden staging and commit folders excluded)."""
    return {
        str(path.relative_to(out)): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(out).parts)
    }


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


@pytest.fixture
def previous(seed_facts, tmp_path) -> Path:
    """An output folder built from three seeds, with a reviewer's verdict."""
    out = tmp_path / "out"
    write_build(KnowledgeBase(seed_facts[:3]), out)
    (out / REVIEWS_FILE).write_text(VERDICTS, encoding="utf-8")
    return out


@pytest.fixture
def expected_new(seed_facts, previous, tmp_path) -> dict[str, bytes]:
    """What a complete build of all four seeds over ``previous`` gives."""
    reference = tmp_path / "reference"
    shutil.copytree(previous, reference)
    write_build(KnowledgeBase(seed_facts, verdicts=collect_verdicts(reference)), reference)
    return snapshot(reference)


@pytest.fixture
def cli_nlp(nlp, monkeypatch):
    """The CLI in-process, with the session's pipeline instead of loading another."""
    monkeypatch.setattr("kb.nlp.load_pipeline", lambda *args, **kwargs: nlp)


def _kb_build(out: Path, script: str | None = None) -> subprocess.Popen:
    command = ["-c", script, "build"] if script else ["-m", "kb.cli", "build"]
    # --no-cache: a warm cache would let the build finish before the kill
    return subprocess.Popen([sys.executable, *command, str(ROOT / "seeds"), "--out", str(out), "--no-cache"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _fail_in_write_build(monkeypatch, n: int, error: BaseException) -> None:
    """Make ``os.replace`` raise ``error`` at its ``n``-th call (0-based) inside
    ``kb.outputs.write_build``, which the CLI imports when it runs."""
    real_replace, real_write_build, calls = os.replace, outputs.write_build, []

    def replace(*args, **kwargs):
        calls.append(args)
        if len(calls) == n + 1:
            raise error
        return real_replace(*args, **kwargs)

    def write_build_failing(*args, **kwargs):
        os.replace = replace
        try:
            return real_write_build(*args, **kwargs)
        finally:
            os.replace = real_replace

    monkeypatch.setattr(outputs, "write_build", write_build_failing)


# os.replace calls of a build over an existing folder: 12 atomic writes into staging,
# staging → commit, 5 × (old out, new in), commit → done.
RENAMES = {"first-staged-file": 0, "last-staged-file": 11, "staging-to-commit": 12,
           "first-old-moved-out": 13, "first-new-moved-in": 14, "mid-swap": 18, "last-new-moved-in": 22,
           "commit-to-done": 23}


# --- SIGKILL of a real `kb build` --------------------------------------------------


@pytest.mark.parametrize("delay", [0.3, 2.0], ids=["starting", "extracting"])
def test_faults_build_killed_early_keeps_previous_outputs(previous, delay):
    before = snapshot(previous)
    process = _kb_build(previous)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert snapshot(previous) == before


def test_faults_build_killed_while_staging_keeps_previous_outputs(previous, expected_new):
    before = snapshot(previous)
    process = _kb_build(previous, SLOW_BUILD)
    deadline = time.monotonic() + 120
    while not list(previous.glob(".staging-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.5)  # a few outputs staged
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    assert leftovers(previous) == [f".staging-{process.pid}"]
    assert snapshot(previous) == before

    # The next build is not disturbed by the dead build's staging folder, and removes it.
    rebuild = _kb_build(previous)
    _, stderr = rebuild.communicate(timeout=300)
    assert rebuild.returncode == 0, stderr.decode()
    assert leftovers(previous) == []
    assert snapshot(previous) == expected_new
    assert (previous / REVIEWS_FILE).read_text(encoding="utf-8") == VERDICTS


# --- a build killed at every rename --------------------------------------------------


def _killed_at(n: int, kb: KnowledgeBase, out: Path) -> bool:
    """Run ``write_build`` in a forked child that dies (no clean-up, as under SIGKILL)
    just before its ``n``-th ``os.replace``; whether it died before finishing."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            real, calls = os.replace, []

            def replace(*args, **kwargs):
                calls.append(args)
                if len(calls) == n + 1:
                    os._exit(KILLED)
                return real(*args, **kwargs)

            os.replace = replace
            write_build(kb, out)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == KILLED


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("n", range(26))
def test_faults_build_killed_at_any_rename_is_recovered(seed_facts, previous, expected_new, n):
    before = snapshot(previous)
    kb = KnowledgeBase(seed_facts, verdicts=collect_verdicts(previous))
    killed = _killed_at(n, kb, previous)
    assert killed == (n <= RENAMES["commit-to-done"])  # 24 renames in all
    if RENAMES["staging-to-commit"] < n <= RENAMES["commit-to-done"]:
        assert list(previous.glob(".commit-*"))  # killed mid-swap: the roll back is exercised
    if killed and not list(previous.glob(".commit-*")) + list(previous.glob(".done-*")):
        assert snapshot(previous) == before  # killed while staging: nothing moved yet
    committed = bool(list(previous.glob(".done-*"))) or not killed
    recover(previous)
    assert leftovers(previous) == []
    assert snapshot(previous) == (expected_new if committed else before)
    assert (previous / REVIEWS_FILE).read_text(encoding="utf-8") == VERDICTS


def test_faults_recover_leaves_a_running_build_alone(previous):
    parent = os.getppid()  # alive for as long as this test runs
    staging = previous / f".staging-{parent}"
    staging.mkdir()
    recover(previous)
    assert staging.is_dir()


# --- full disk and Ctrl-C, through the CLI -------------------------------------------

@pytest.mark.parametrize("n", RENAMES.values(), ids=RENAMES.keys())
def test_faults_full_disk_is_one_line_error_and_keeps_previous(cli_nlp, previous, monkeypatch, capsys, n):
    before = snapshot(previous)
    _fail_in_write_build(monkeypatch, n, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    status = main(["build", str(ROOT / "seeds"), "--out", str(previous)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status != 0
    assert err[-1].startswith("kb: error: ") and "No space left on device" in err[-1]
    assert "Traceback" not in "\n".join(err)
    assert snapshot(previous) == before
    assert leftovers(previous) == []


def test_faults_full_disk_writing_a_file_keeps_previous(cli_nlp, previous, monkeypatch, capsys):
    before = snapshot(previous)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(previous / "timeline.svg"))

    monkeypatch.setattr(outputs, "write_timeline", full)
    assert main(["build", str(ROOT / "seeds"), "--out", str(previous)]) == 2
    assert "timeline.svg: cannot write the build: No space left on device" in capsys.readouterr().err
    assert snapshot(previous) == before
    assert leftovers(previous) == []


@pytest.mark.parametrize("n", [RENAMES["last-staged-file"], RENAMES["mid-swap"]], ids=["staging", "swapping"])
def test_faults_ctrl_c_keeps_previous(cli_nlp, previous, monkeypatch, capsys, n):
    before = snapshot(previous)
    _fail_in_write_build(monkeypatch, n, KeyboardInterrupt())
    status = main(["build", str(ROOT / "seeds"), "--out", str(previous)])
    assert status == 130
    assert "interrupted" in capsys.readouterr().err
    assert snapshot(previous) == before
    assert leftovers(previous) == []
