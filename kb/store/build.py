"""Writing a build: every output into a staging folder, then moved into place.

``kb build --out OUT`` leaves in OUT:

- ``articles/<stem>.yaml``: each article's facts as extracted (what
  :meth:`kb.query.KnowledgeBase.load` reads back);
- ``facts/{events,organizations,people,documents,claims}.yaml``: the review
  dump, merged across articles, every record with a ``review`` block;
- ``graph.graphml`` (Gephi), ``graph.gexf`` (Gephi's timeline), ``timeline.svg``;
- ``reviews.yaml``: the reviewer's verdicts, created empty when missing and
  never written by a build otherwise.

One build at a time: a build holds an exclusive lock on ``OUT/.lock``
(``fcntl.flock``, released by the system when the process ends, however it
ends) while it writes. A second build into the same folder waits for it,
saying once which process holds the lock, and gives up after
:data:`LOCK_WAIT` seconds with a one-line error.

An interrupted build leaves the previous outputs as they were: everything is
written under ``OUT/.staging-<pid>/`` first. The finished staging folder is
renamed ``OUT/.commit-<pid>/`` (from here on the move can be undone), each
previous output is moved into its ``.old/`` and the new one into place, and
the folder is renamed ``.done-<pid>`` (the build is then complete) and
removed. A build that fails or is interrupted (Ctrl-C, a full disk) undoes
its moves itself. Folders left by a *killed* build are found by the next
build or query (:func:`recover`, under the lock, so never those of a build
still running): ``.staging-*`` and ``.done-*`` are removed, and a
``.commit-*`` is settled into a complete build: rolled back when every
previous output can be put back, else finished when every new output is
there (a killed first build), else (a folder made or edited by hand) only the
outputs missing from OUT are taken from it. Until then, a build killed during
its few final renames may show a mix of old and new outputs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kb.errors import KbError
from kb.export.gexf import write_gexf
from kb.export.graphml import write_graphml
from kb.export.timeline import write_timeline
from kb.merge import merge_facts
from kb.store.layout import DUMP_DIR, REVIEWS_FILE, GEXF, GRAPHML, TIMELINE
from kb.query import KnowledgeBase
from kb.review.verdicts import init_reviews
from kb.review.dump import write_facts
from kb.store.commit import _commit, locked, _recover, STAGING


def write_build(kb: KnowledgeBase, out_dir: str | os.PathLike[str], *, wait: float | None = None) -> Path:
    """Write every output of ``kb`` into ``out_dir``; returns ``out_dir``.
    Holds the folder's lock meanwhile, waiting ``wait`` seconds at most for
    another build (default :data:`LOCK_WAIT`). An OSError (a full disk, say)
    becomes a one-line :class:`KbError`."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with locked(out, wait=wait):
            _recover(out)
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
