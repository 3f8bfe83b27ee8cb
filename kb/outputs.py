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
written under ``OUT/.staging-<pid>/`` first and moved into place at the end.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from kb.export import write_facts, write_gexf, write_graphml, write_timeline
from kb.merge import merge_facts
from kb.query import ARTICLES_DIR, KnowledgeBase
from kb.review import DUMP_DIR, REVIEWS_FILE, init_reviews

GRAPHML, GEXF, TIMELINE = "graph.graphml", "graph.gexf", "timeline.svg"
OUTPUTS = (ARTICLES_DIR, DUMP_DIR, GRAPHML, GEXF, TIMELINE)


def write_build(kb: KnowledgeBase, out_dir: str | os.PathLike[str]) -> Path:
    """Write every output of ``kb`` into ``out_dir``; returns ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _write_all(kb, staging)
        for name in OUTPUTS:
            _move_into_place(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    init_reviews(out / REVIEWS_FILE)
    return out


def _write_all(kb: KnowledgeBase, staging: Path) -> None:
    kb.save(staging)
    # The dump shows facts as extracted, so rejected ones stay visible to the reviewer.
    write_facts(merge_facts(kb.extracted).records(), staging / DUMP_DIR, kb.verdicts)
    write_graphml(kb.graph, staging / GRAPHML)
    write_gexf(kb.graph, staging / GEXF)
    write_timeline(kb.graph, staging / TIMELINE)


def _move_into_place(new: Path, target: Path) -> None:
    """Replace ``target`` with ``new``; a folder is swapped through a side name."""
    if new.is_dir():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        if target.exists():
            os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)
