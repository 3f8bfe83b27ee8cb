"""Writing a build: every output into a staging folder, then moved into place.

``kb build --out OUT`` leaves in OUT:

- ``articles/<stem>.yaml``: each article's facts as extracted, and
  ``knowledge/``: the merged knowledge base a query loads (both written by
  :mod:`kb.store.knowledge`);
- ``facts/{events,organizations,people,documents,claims}.yaml``: the review
  dump, merged across articles, every record with a ``review`` block;
- ``graph.graphml`` (Gephi), ``graph.gexf`` (Gephi's timeline), ``timeline.svg``;
- ``reviews.yaml``: the reviewer's verdicts, created empty when missing and
  never written by a build otherwise.

A build that has nothing new to write writes nothing: when the key of the
facts and verdicts (:func:`kb.store.knowledge.knowledge_key`) is the one the
stored knowledge base was made from and every output is as that build left it
(size and mtime), merging, the graph and the exports are skipped and the
stored knowledge base is reused. Otherwise every output is staged, but an
article file whose facts did not change, and an export or dump file whose
bytes did not, is a hard link to the previous one: its mtime stays. The
timeline pictures (matplotlib: seconds) and each review dump file (YAML:
seconds) are not even made again when what they are made from is what the
previous build made them from (a digest in the state's ``inputs``, see
:class:`_Made`). Merging takes from the previous build every group of records no
changed article is in (``knowledge/groups.json``, :class:`kb.merge.StoredGroups`):
one changed article costs combining its groups, the graph, GraphML and GEXF
(written as text, :mod:`kb.export.graphml`) and ``knowledge/``, about a tenth of a
cold build, and gives the very bytes a cold build of the same facts gives.

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

import filecmp
import hashlib
import json
import os
import shutil
from pathlib import Path
from collections.abc import Callable
from typing import Any

from kb.errors import InputError, KbError
from kb.export.flat import graph_rows
from kb.export.gexf import write_gexf
from kb.export.graphml import write_graphml
from kb.export.timeline_items import timeline_items
from kb.store.layout import DUMP_DIR, REVIEWS_FILE, GEXF, GRAPHML, TIMELINE, TIMELINE_PNG
from kb.merge import paused_gc
from kb.query import KnowledgeBase
from kb.review.verdicts import init_reviews
from kb.records.models import SECTIONS
from kb.review.dump import facts_digest, facts_yaml
from kb.store.commit import _commit, locked, _recover, STAGING
from kb.store.files import atomic_write
from kb.store.knowledge import (
    KNOWLEDGE_DIR, STATE, _same_stat, facts_digests, key_of, outputs_intact, read_merged, read_state,
    save_knowledge_base, stored_groups, verdict_files_digest,
)


def write_build(kb: KnowledgeBase, out_dir: str | os.PathLike[str], *, wait: float | None = None) -> Path:
    """Write every output of ``kb`` into ``out_dir``; returns ``out_dir``.
    Holds the folder's lock meanwhile, waiting ``wait`` seconds at most for
    another build (default :data:`LOCK_WAIT`). An OSError (a full disk, say)
    becomes a one-line :class:`KbError`."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        # Merging, the graph and the exports make many objects, none garbage: a collection
        # would walk them all (and everything the caller holds) again and again.
        with locked(out, wait=wait), paused_gc():
            _recover(out)
            if not _reuse_stored(kb, out):
                staging = out / f"{STAGING}{os.getpid()}"
                shutil.rmtree(staging, ignore_errors=True)
                try:
                    _write_all(kb, staging, out)
                    _commit(staging, out)
                finally:
                    shutil.rmtree(staging, ignore_errors=True)
            init_reviews(out / REVIEWS_FILE)
    except OSError as err:
        where = err.filename or out
        raise KbError(f"{where}: cannot write the build: {err.strerror or err}; "
                      "the previous outputs are left as they were") from None
    return out


def write_timeline(graph: Any, path: Path) -> Path:
    """:func:`kb.export.timeline.write_timeline`, imported when first used: it imports
    matplotlib (about a second), which a build with nothing to write never needs."""
    from kb.export.timeline import write_timeline as write

    return write(graph, path)


def write_timeline_png(graph: Any, path: Path) -> Path:
    """:func:`kb.export.timeline.write_timeline_png`, imported when first used (see above)."""
    from kb.export.timeline import write_timeline_png as write

    return write(graph, path)


def _reuse_stored(kb: KnowledgeBase, out: Path) -> bool:
    """Whether ``out`` holds the build of ``kb`` already, intact; if so ``kb`` takes its merge."""
    state = read_state(out)
    if state is None or not outputs_intact(out, state):
        return False
    if state["key"] != key_of(kb):
        return False
    try:
        kb.reuse(read_merged(out, state))
    except InputError:  # a stored file that cannot be read: build it again
        return False
    files = verdict_files_digest(out)
    if state.get("verdict_files") != files:  # reviewer's files edited without changing a verdict
        atomic_write(out / KNOWLEDGE_DIR / STATE, json.dumps({**state, "verdict_files": files}, ensure_ascii=False, indent=0))
    return True


def _keep_unchanged(staging: Path, out: Path, names: list[str]) -> None:
    """Put a hard link to the previous build's file in place of each staged file with the same
    bytes, so an output that did not change keeps its mtime."""
    for name in names:
        new, old = staging / name, out / name
        try:
            if old.is_file() and new.stat().st_size == old.stat().st_size and filecmp.cmp(new, old, shallow=False):
                kept = new.with_name(f".{new.name}.kept")
                os.link(old, kept)
                os.rename(kept, new)
        except OSError:  # no hard links here: the new copy stays
            continue


class _Made:
    """The outputs a build makes from a digest of their inputs (recorded in the state as
    ``inputs``): one whose digest is the previous build's, and whose file is as that build left
    it (size and mtime), is a hard link to that file instead of being made again. A digest
    covers kb's code too (:func:`kb.store.cache.code_identity`), so new code makes it again."""

    def __init__(self, staging: Path, out: Path) -> None:
        self.staging, self.out = staging, out
        self.state = read_state(out)  # the previous build's, or None
        before = self.state or {}
        self.before, self.outputs = before.get("inputs") or {}, before.get("outputs") or {}
        self.inputs: dict[str, str] = {}
        self.linked: set[str] = set()

    def make(self, name: str, inputs: str, write: Callable[[Path], Any]) -> Path:
        """``staging/name``: linked from the previous build when ``inputs`` (text saying what it
        is made from) are the same, else written by ``write(path)``."""
        from kb.store.cache import code_identity

        digest = self.inputs[name] = hashlib.sha256(f"{code_identity()}\0{inputs}".encode("utf-8", "surrogatepass")).hexdigest()
        path = self.staging / name
        if self.before.get(name) == digest and _same_stat(self.out / name, self.outputs.get(name)):
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.out / name, path)
                self.linked.add(name)
                return path
            except OSError:  # no hard links here (or the file just went): make it
                pass
        write(path)
        return path


def _write_all(kb: KnowledgeBase, staging: Path, out: Path) -> None:
    from kb.store.cache import code_identity

    made = _Made(staging, out)
    # Merging combines again only the groups of changed articles (kb.merge.StoredGroups).
    kb.use_stored_groups(facts_digests(kb), code_identity(), stored_groups(out, made.state) if made.state else {})
    # The dump shows facts as extracted, so rejected ones stay visible to the reviewer.
    records = kb.merged_extracted.records()
    dump = [made.make(f"{DUMP_DIR}/{section}.yaml", facts_digest(records, section, kb.verdicts),
                      lambda path, s=section: atomic_write(path, facts_yaml(records, s, kb.verdicts)))
            for section in SECTIONS]
    rows = graph_rows(kb.graph)  # flattened once for both
    write_graphml(kb.graph, staging / GRAPHML, rows)
    write_gexf(kb.graph, staging / GEXF, rows)
    # The picture is drawn from its items alone (matplotlib: seconds), so they say when to draw it again.
    items = f"{_matplotlib_version()}\0{timeline_items(kb.graph)!r}"
    made.make(TIMELINE, items, lambda path: write_timeline(kb.graph, path))
    made.make(TIMELINE_PNG, items, lambda path: write_timeline_png(kb.graph, path))
    names = [GRAPHML, GEXF, TIMELINE, TIMELINE_PNG, *(p.relative_to(staging).as_posix() for p in dump)]
    _keep_unchanged(staging, out, [name for name in names if name not in made.linked])
    save_knowledge_base(kb, staging, previous=out, inputs=made.inputs)  # last: it records every output's size and mtime


def _matplotlib_version() -> str:
    from importlib import metadata

    return metadata.version("matplotlib")
