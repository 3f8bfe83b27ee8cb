"""Writing a build: every output into a staging folder, then moved into place.

``kb build --out OUT`` leaves in OUT:

- ``articles/<stem>.yaml``: each article's facts as extracted (what
  :meth:`kb.query.KnowledgeBase.load` reads back);
- ``facts/{events,organizations,people,documents,claims}.yaml``: the review
  dump, merged across articles, every record with a ``review`` block;
- ``graph.graphml`` (Gephi), ``graph.gexf`` (Gephi's timeline), ``timeline.svg``;
- ``reviews.yaml``: the reviewer's verdicts, created empty when missing and
  never written by a build otherwise.

An interrupted build leaves the previous outputs as they were: everything is
written under ``OUT/.staging-<pid>/`` first. The finished staging folder is
renamed ``OUT/.commit-<pid>/`` (from here on the move can be undone), each
previous output is moved into its ``.old/`` and the new one into place, and
the folder is renamed ``.done-<pid>`` (the build is then complete) and
removed. A build that fails or is interrupted (Ctrl-C, a full disk) undoes
its moves itself; the folders of a *killed* build are found by the next
build (:func:`recover`): a ``.commit-*`` is rolled back to the previous
outputs, ``.staging-*`` and ``.done-*`` are removed. Folders of a build still
running (its pid alive) are left alone. Until the next build, a build killed
during its few final renames may show a mix of old and new outputs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kb.errors import KbError
from kb.export import write_facts, write_gexf, write_graphml, write_timeline
from kb.merge import merge_facts
from kb.query import ARTICLES_DIR, KnowledgeBase
from kb.review import DUMP_DIR, REVIEWS_FILE, init_reviews

GRAPHML, GEXF, TIMELINE = "graph.graphml", "graph.gexf", "timeline.svg"
OUTPUTS = (ARTICLES_DIR, DUMP_DIR, GRAPHML, GEXF, TIMELINE)


def write_build(kb: KnowledgeBase, out_dir: str | os.PathLike[str]) -> Path:
    """Write every output of ``kb`` into ``out_dir``; returns ``out_dir``.
    An OSError (a full disk, say) becomes a one-line :class:`KbError`."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        recover(out)
        staging = out / f"{STAGING}{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _write_all(kb, staging)
            _commit(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        init_reviews(out / REVIEWS_FILE)
    except OSError as err:
        where = err.filename or out
        raise KbError(f"{where}: cannot write the build: {err.strerror or err}; "
                      "the previous outputs are left as they were") from None
    return out


def _write_all(kb: KnowledgeBase, staging: Path) -> None:
    kb.save(staging)
    # The dump shows facts as extracted, so rejected ones stay visible to the reviewer.
    write_facts(merge_facts(kb.extracted).records(), staging / DUMP_DIR, kb.verdicts)
    write_graphml(kb.graph, staging / GRAPHML)
    write_gexf(kb.graph, staging / GEXF)
    write_timeline(kb.graph, staging / TIMELINE)


# ---------------------------------------------------------------- commit and recovery

STAGING, COMMIT, DONE, OLD = ".staging-", ".commit-", ".done-", ".old"


def _commit(staging: Path, out: Path) -> None:
    """Swap the staged outputs into ``out``; on any failure, put the previous ones back."""
    missing = [name for name in OUTPUTS if not (staging / name).exists()]
    if missing:  # the roll back takes a missing output for one already moved in
        raise KbError(f"{staging}: build incomplete, {', '.join(missing)} not written")
    commit = out / f"{COMMIT}{os.getpid()}"
    shutil.rmtree(commit, ignore_errors=True)
    os.replace(staging, commit)
    try:
        (commit / OLD).mkdir()
        for name in OUTPUTS:
            if (out / name).exists():
                os.replace(out / name, commit / OLD / name)
            os.replace(commit / name, out / name)
        done = out / f"{DONE}{os.getpid()}"
        os.replace(commit, done)  # the build is complete once this rename is done
    except BaseException:
        _roll_back(commit, out)
        raise
    shutil.rmtree(done, ignore_errors=True)


def _roll_back(commit: Path, out: Path) -> None:
    """Undo a partly done :func:`_commit`: every output as it was before it. Each
    step is a rename that leaves a state this function handles, so a roll back
    that is itself interrupted can be run again."""
    for name in OUTPUTS:
        new, old, target = commit / name, commit / OLD / name, out / name
        if not new.exists() and target.exists():  # the new output was moved into place
            os.replace(target, new)
        if old.exists():
            os.replace(old, target)
    shutil.rmtree(commit, ignore_errors=True)


def recover(out_dir: str | os.PathLike[str]) -> None:
    """Clean up after builds into ``out_dir`` that were killed: roll back a half
    done commit, remove staging and finished commit folders. Folders of a build
    whose process is still running are left alone."""
    out = Path(out_dir)
    for folder in sorted(out.glob(".*-*")):
        prefix, _, pid = folder.name.rpartition("-")
        if f"{prefix}-" not in (STAGING, COMMIT, DONE) or not pid.isdigit() or _alive(int(pid)):
            continue
        if f"{prefix}-" == COMMIT:
            _roll_back(folder, out)
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether another process with this pid runs (our own pid: a build of ours that died)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return False
    return True
