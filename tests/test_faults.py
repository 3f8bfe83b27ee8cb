"""Faults lose nothing: a build killed, interrupted or out of disk space at any
point leaves the previous outputs byte for byte, and never the reviewer's
``reviews.yaml``; the next build or query cleans up after it, whatever it
left (or whatever was made by hand in its place). Builds into one folder take
turns; long file names and a cache that cannot be written stop nothing.

The previous outputs come from three seeds, the interrupted build reads all
four, so a half-moved build would show.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.store.knowledge import load_knowledge_base
from kb.store import build as outputs
from kb.store.cache import FactsCache
from kb.cli.main import main
from kb.errors import KbError
from kb.extract import extract_article
from kb.store.files import atomic_write
from kb.ingest.articles import read_article
from kb.store.layout import GRAPHML, REVIEWS_FILE
from kb.store.commit import LOCK, locked, recover
from kb.store.build import write_build
from kb.paths import ROOT, model_dir
from kb.query import KnowledgeBase
from kb.review.dump import collect_verdicts

VERDICTS = "org:光明网:\n  status: rejected\n  note: a source note, not an organisation\n"
KILLED = 77  # exit status of a forked build killed on purpose

# A `kb build` whose every atomic write takes a while, so staging lasts long enough to be caught.
SLOW_BUILD = """
import sys, time
import kb.export.gexf, kb.export.graphml, kb.export.timeline
write = kb.export.gexf.atomic_write
def slow(*args, **kwargs):
    time.sleep(0.15)
    return write(*args, **kwargs)
kb.export.gexf.atomic_write = kb.export.graphml.atomic_write = kb.export.timeline.atomic_write = slow
from kb.cli.main import main
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
    """Hidden entries of ``out`` but the lock file, which stays."""
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name != LOCK)


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
    monkeypatch.setattr("kb.nlp.pipeline.load_pipeline", lambda *args, **kwargs: nlp)


def _kb_build(out: Path, script: str | None = None) -> subprocess.Popen:
    command = ["-c", script, "build"] if script else ["-m", "kb.cli.main", "build"]
    # --no-cache: a warm cache would let the build finish before the kill
    return subprocess.Popen([sys.executable, *command, str(ROOT / "seeds"), "--out", str(out), "--no-cache"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _fail_in_write_build(monkeypatch, n: int, error: BaseException) -> None:
    """Make ``os.replace`` raise ``error`` at its ``n``-th call (0-based) inside
    ``kb.store.build.write_build``, which the CLI imports when it runs."""
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
RENAMES = {"first-staged-file": 0, "last-staged-file": 9, "staging-to-commit": 10,
           "first-old-moved-out": 11, "first-new-moved-in": 12, "mid-swap": 18, "last-new-moved-in": 24,
           "commit-to-done": 25}


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
@pytest.mark.parametrize("n", range(RENAMES["commit-to-done"] + 3))
def test_faults_build_killed_at_any_rename_is_recovered(seed_facts, previous, expected_new, n):
    before = snapshot(previous)
    kb = KnowledgeBase(seed_facts, verdicts=collect_verdicts(previous))
    killed = _killed_at(n, kb, previous)
    assert killed == (n <= RENAMES["commit-to-done"])  # 26 renames in all
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
    staging = previous / ".staging-1"
    staging.mkdir()
    with locked(previous):  # as a running build holds it
        with pytest.raises(KbError, match=rf"kb process \(pid {os.getpid()}\) is still writing") as error:
            recover(previous, wait=0)
    assert staging.is_dir()
    assert "\n" not in str(error.value)


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


# --- long file names -------------------------------------------------------------------

LONG_NAMES = {"250 bytes of UTF-8": "世" * 82 + ".txt", "255 bytes": "a" * 251 + ".txt"}


@pytest.mark.parametrize("name", LONG_NAMES.values(), ids=LONG_NAMES.keys())
def test_faults_atomic_write_to_the_longest_names(tmp_path, name):
    atomic_write(tmp_path / name, "内容")
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert (tmp_path / name).read_text(encoding="utf-8") == "内容"


def test_faults_build_of_an_article_with_a_244_byte_name(nlp, seed_paths, tmp_path):
    path = tmp_path / ("乌" * 80 + ".txt")  # its facts are saved as articles/<240 bytes>.yaml
    shutil.copyfile(seed_paths[0], path)
    facts = extract_article(nlp, read_article(path))
    write_build(KnowledgeBase([facts]), tmp_path / "out")
    assert load_knowledge_base(tmp_path / "out").extracted == [facts]


# --- a killed first build, and commit folders kb did not leave ------------------------

# a first build: 13 staged files, staging → commit, 7 moves in, commit → done, then reviews.yaml made
FIRST_STAGING_TO_COMMIT = 13


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("n", range(FIRST_STAGING_TO_COMMIT + 10))
def test_faults_first_build_killed_at_any_rename_ends_whole_or_absent(seed_facts, tmp_path, n):
    reference, out = tmp_path / "reference", tmp_path / "out"
    write_build(KnowledgeBase(seed_facts), reference)
    complete = {k: v for k, v in snapshot(reference).items() if k != REVIEWS_FILE}
    out.mkdir()
    assert _killed_at(n, KnowledgeBase(seed_facts), out)
    recover(out)
    assert leftovers(out) == []
    assert snapshot(out) == (complete if n > FIRST_STAGING_TO_COMMIT else {})  # finished once staged whole


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _copy(source: Path, *targets: Path) -> None:
    for target in targets:
        shutil.copytree(source, target)


# Ways to leave OUT/.commit-1 by hand (pid 1 is always alive: no pid check may spare it).
CRAFTED = {
    "empty": lambda out, commit: commit.mkdir(),
    "a stray file": lambda out, commit: _copy(out / "facts", commit / "notes"),
    "an output moved into it": lambda out, commit: _move(out / "articles", commit / "articles"),
    "an output moved into its .old": lambda out, commit: _move(out / GRAPHML, commit / ".old" / GRAPHML),
    "copies in it and its .old": lambda out, commit: _copy(out / "facts", commit / "facts", commit / ".old" / "facts"),
}


@pytest.mark.parametrize("craft", CRAFTED.values(), ids=CRAFTED.keys())
def test_faults_crafted_commit_folder_is_recovered_by_a_query(previous, tmp_path, craft):
    before = snapshot(previous)
    craft(previous, previous / ".commit-1")
    loaded = load_knowledge_base(previous)
    assert leftovers(previous) == []
    assert snapshot(previous) == before
    assert len(loaded.extracted) == 3


@pytest.mark.parametrize("craft", CRAFTED.values(), ids=CRAFTED.keys())
def test_faults_crafted_commit_folder_is_recovered_by_the_next_build(seed_facts, previous, expected_new, craft):
    craft(previous, previous / ".commit-1")
    write_build(KnowledgeBase(seed_facts, verdicts=collect_verdicts(previous)), previous)
    assert leftovers(previous) == []
    assert snapshot(previous) == expected_new


# --- one build at a time ----------------------------------------------------------------

def _waiting(out: Path, pid: int) -> str:
    return f"kb: {out}: another kb process (pid {pid}) is writing this folder; waiting for it to finish"


def test_faults_build_waits_for_the_lock_naming_its_holder_once(seed_facts, previous, expected_new, caplog):
    holder = contextlib.ExitStack()
    holder.enter_context(locked(previous))

    class ReleaseWhenTold(logging.Handler):  # the holder finishes once the build has said it waits
        def emit(self, record):
            holder.close()

    handler = ReleaseWhenTold()
    logging.getLogger("kb").addHandler(handler)
    try:
        with caplog.at_level(logging.WARNING, logger="kb"):
            write_build(KnowledgeBase(seed_facts, verdicts=collect_verdicts(previous)), previous)
    finally:
        logging.getLogger("kb").removeHandler(handler)
        holder.close()
    assert [r.getMessage() for r in caplog.records] == [_waiting(previous, os.getpid())]
    assert snapshot(previous) == expected_new


def test_faults_build_gives_up_waiting_with_one_line(seed_facts, previous):
    before = snapshot(previous)
    with locked(previous), pytest.raises(KbError, match=rf"\(pid {os.getpid()}\) is still writing") as error:
        write_build(KnowledgeBase(seed_facts), previous, wait=0)
    assert "\n" not in str(error.value)
    assert snapshot(previous) == before
    assert leftovers(previous) == []


# Two `kb build`s into one folder: the second starts while the first is paused
# in its final renames, just before it moves graph.graphml into place.
CONCURRENT_BUILD = """
import os, sys, time
from pathlib import Path
import kb.store.build
role, sync, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[-1])

def wait_for(name, seconds=60.0):
    deadline = time.monotonic() + seconds
    while not (sync / name).exists() and time.monotonic() < deadline:
        time.sleep(0.01)

if role == "first":
    replace = os.replace
    def pausing_replace(source, target, *args, **kwargs):
        if Path(target) == out / "graph.graphml":
            (sync / "first-paused").touch()
            wait_for("second-started")
            wait_for("second-done", 3.0)  # a second build waiting for the lock never is
        return replace(source, target, *args, **kwargs)
    os.replace = pausing_replace
else:
    write_build = kb.store.build.write_build
    def write_build_when_paused(*args, **kwargs):
        wait_for("first-paused")
        (sync / "second-started").touch()
        try:
            return write_build(*args, **kwargs)
        finally:
            (sync / "second-done").touch()
    kb.store.build.write_build = write_build_when_paused
from kb.cli.main import main
sys.exit(main(sys.argv[3:]))
"""


def test_faults_concurrent_builds_end_with_one_whole_build(seed_facts, seed_paths, tmp_path):
    cache, sync, out, reference = (tmp_path / name for name in ("cache", "sync", "out", "reference"))
    sync.mkdir()
    for path, facts in zip(seed_paths, seed_facts):  # every article cached: no model to load (kb unchanged)
        FactsCache(cache / "facts").put(read_article(path), facts)
    env = {**os.environ, "KB_CACHE_DIR": str(cache), "KB_PKUSEG_MODEL": str(model_dir())}
    builds = [subprocess.Popen([sys.executable, "-c", CONCURRENT_BUILD, role, str(sync), "build", *map(str, paths),
                                "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for role, paths in (("first", seed_paths[:3]), ("second", seed_paths))]
    errors = [build.communicate(timeout=300)[1].decode() for build in builds]
    assert [build.returncode for build in builds] == [0, 0], errors
    # All of the second build, none of the first: built again from the articles
    # it holds, the folder gives every other file byte for byte.
    built = load_knowledge_base(out)
    assert sorted(facts.doc for facts in built.extracted) == [path.name for path in seed_paths]
    write_build(built, reference)
    assert snapshot(out) == snapshot(reference)
    assert leftovers(out) == []
    assert [line for line in errors[1].splitlines() if "waiting" in line] == [_waiting(out, builds[0].pid)]


# --- a cache that cannot be written -------------------------------------------------------

def test_faults_unwritable_cache_is_one_warning_line(seed_paths, tmp_path):
    blocker = tmp_path / "a-file"  # the cache folder would be under a file: ENOTDIR, even for root
    blocker.write_text("", encoding="utf-8")
    env = {**os.environ, "KB_CACHE_DIR": str(blocker), "KB_PKUSEG_MODEL": str(model_dir())}
    command = ["-m", "kb.cli.main", "build", str(seed_paths[0]), "--out", str(tmp_path / "out")]
    build = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    assert "Traceback" not in build.stderr
    assert [line for line in build.stderr.splitlines() if "cache" in line] == [
        f"kb: warning: cannot write to the cache {blocker / 'facts'} (Not a directory); building without caching"]
    assert load_knowledge_base(tmp_path / "out").extracted
