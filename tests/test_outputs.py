"""A whole build on the seeds: outputs, reviews applied across rebuilds,
an interrupted build that leaves the previous outputs intact."""

from __future__ import annotations

import networkx as nx
import pytest
import yaml

from kb.store import build as outputs
from kb.store.layout import GEXF, GRAPHML, OUTPUTS, REVIEWS_FILE
from kb.store.build import write_build
from kb.query import KnowledgeBase
from kb.review.dump import collect_verdicts
from kb.store.knowledge import load_knowledge_base

REJECTED = "org:光明网"
ORPHAN = "org:不存在的机构"


def _build(seed_facts, out):
    kb = KnowledgeBase(seed_facts, verdicts=collect_verdicts(out))
    write_build(kb, out)
    return kb


def test_outputs_build_writes_every_output(seed_facts, tmp_path):
    _build(seed_facts, tmp_path)
    for name in (*OUTPUTS, REVIEWS_FILE):
        assert (tmp_path / name).exists(), name
    assert not list(tmp_path.glob(".staging-*"))
    graph = nx.read_graphml(tmp_path / GRAPHML)
    assert any(d.get("label") == "2024年世界互联网大会乌镇峰会" for _, d in graph.nodes(data=True))


def test_outputs_build_is_byte_identical(seed_facts, tmp_path):
    _build(seed_facts, tmp_path / "a")
    _build(seed_facts, tmp_path / "b")
    for name in (GRAPHML, GEXF, "facts/claims.yaml", "articles/001_2a564194b7dcf398.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_outputs_load_gives_the_built_knowledge_base(seed_facts, tmp_path):
    built = _build(seed_facts, tmp_path)
    loaded = load_knowledge_base(tmp_path)
    assert [r.id for r in loaded.merged.records()] == [r.id for r in built.merged.records()]


def test_outputs_reviews_survive_rebuilds(seed_facts, tmp_path):
    _build(seed_facts, tmp_path)
    verdicts = f"{REJECTED}:\n  status: rejected\n  note: a source note\n{ORPHAN}:\n  status: accepted\n"
    (tmp_path / REVIEWS_FILE).write_text(verdicts, encoding="utf-8")
    kb = _build(seed_facts, tmp_path)
    assert (tmp_path / REVIEWS_FILE).read_text(encoding="utf-8") == verdicts  # never overwritten
    assert REJECTED not in kb.graph and kb.merged.get(REJECTED) is None
    assert kb.review.orphans == [ORPHAN]
    dump = yaml.safe_load((tmp_path / "facts" / "organizations.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in dump["organizations"] if e["id"] == REJECTED)
    assert entry["review"]["status"] == "rejected"  # still shown to the reviewer
    assert REJECTED not in load_knowledge_base(tmp_path).graph


def test_outputs_verdict_edited_in_the_dump_is_applied(seed_facts, tmp_path):
    _build(seed_facts, tmp_path)
    path = tmp_path / "facts" / "people.yaml"
    dump = yaml.safe_load(path.read_text(encoding="utf-8"))
    person = dump["people"][0]
    person["review"] = {"status": "corrected", "note": "", "corrected": {"roles": []}}
    path.write_text(yaml.safe_dump(dump, allow_unicode=True), encoding="utf-8")
    kb = _build(seed_facts, tmp_path)
    assert kb.merged.get(person["id"]).roles == []
    assert person["id"] in kb.review.corrected


def test_outputs_interrupted_build_keeps_previous_outputs(seed_facts, tmp_path, monkeypatch):
    _build(seed_facts, tmp_path)
    before = {name: (tmp_path / name).read_bytes() for name in (GRAPHML, GEXF, "facts/events.yaml")}

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "write_gexf", crash)
    with pytest.raises(KeyboardInterrupt):
        _build(seed_facts[:1], tmp_path)
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert not list(tmp_path.glob(".staging-*"))
