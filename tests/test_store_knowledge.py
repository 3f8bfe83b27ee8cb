"""The stored knowledge base: saved once, loaded without merging, verdicts edited after the
build honoured, merging once per build and linear in the records, unchanged rebuilds
that touch nothing."""

from __future__ import annotations

import cProfile
import os
import pstats
from pathlib import Path

import pytest

import kb.merge
from kb.merge import merge_facts
from kb.query import KnowledgeBase
from kb.records.models import ArticleFacts, load_article_facts
from kb.review.verdicts import Verdict, reviews_yaml, save_reviews
from kb.store.build import write_build
from kb.store.knowledge import load_knowledge_base, read_verdicts, save_knowledge_base
from kb.store.layout import REVIEWS_FILE

GOLD_FILES = sorted((Path(__file__).parent / "gold").glob("*.yaml"))
REJECTED = "org:中国信息通信研究院"
SLACK = 1.3  # as tests/test_linear.py: fixed costs make small inputs relatively dear


@pytest.fixture(scope="module")
def gold() -> list[ArticleFacts]:
    return [load_article_facts(p) for p in GOLD_FILES]


def _answers(kb: KnowledgeBase) -> list:
    """What every query of the CLI answers on the gold facts."""
    return [
        kb.events(kind="summit"), kb.find("中新網"), kb.find("直通乌镇"), kb.timeline("世界互联网大会"),
        kb.show("person:邬贺铨"), kb.show("org:世界互联网大会国际组织"), kb.conflicts(),
        kb.series("会员数", "世界互聯網大會"), kb.documents(issuer="中国"),
    ]


def _no_merging(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("merged again")

    monkeypatch.setattr(kb.merge, "merge_facts", fail)
    monkeypatch.setattr("kb.query.merge_facts", fail)


def _copies(gold: list[ArticleFacts], n: int) -> list[ArticleFacts]:
    """``n`` articles: the gold files again and again under other names, each record with a
    mention in its article (so provenance grows with ``n``, as an outlet's does)."""
    out = []
    for i in range(n):
        data = gold[i % len(gold)].model_dump(mode="json", exclude={"events": {"__all__": {"id"}}})
        data["doc"] = doc = f"{i:04d}_{data['doc']}"
        for section in ("events", "organizations", "people", "documents", "claims"):
            for offset, record in enumerate(data[section]):
                record.pop("id", None)
                quote = record["evidence"]
                record["provenance"] = [{"doc": doc, "start": offset * 100, "end": offset * 100 + len(quote),
                                         "quote": quote, "rule": "test"}]
        out.append(ArticleFacts.model_validate(data))
    return out


def _calls(function, *args) -> int:
    profiler = cProfile.Profile()
    profiler.runcall(function, *args)
    return pstats.Stats(profiler).total_calls


# ---------------------------------------------------------------- save and load


def test_store_round_trip_gives_the_same_answers_without_merging(gold, tmp_path, monkeypatch):
    built = KnowledgeBase(gold)
    save_knowledge_base(built, tmp_path)
    _no_merging(monkeypatch)
    loaded = load_knowledge_base(tmp_path)
    assert loaded.merged == built.merged
    assert _answers(loaded) == _answers(built)
    assert loaded.extracted == built.extracted  # read when asked for


def test_store_show_lists_the_links_of_the_graph(gold):
    built = KnowledgeBase(gold)
    for record in built.merged.records():
        graph = built.graph
        expected = [(k, "out", v, graph.nodes[v]["label"]) for _, v, k in graph.out_edges(record.id, keys=True)]
        expected += [(k, "in", u, graph.nodes[u]["label"]) for u, _, k in graph.in_edges(record.id, keys=True)]
        links = [(link.type, link.direction, link.other, link.label) for link in built.show(record.id).links]
        assert links == expected, record.id


def test_store_load_of_nothing_names_the_folder(tmp_path):
    with pytest.raises(Exception, match="no articles folder"):
        load_knowledge_base(tmp_path)


def test_store_verdict_edited_after_the_build_is_honoured(gold, tmp_path):
    write_build(KnowledgeBase(gold), tmp_path)
    assert load_knowledge_base(tmp_path).merged.get(REJECTED) is not None
    save_reviews(tmp_path / REVIEWS_FILE, {REJECTED: Verdict(status="rejected")})
    loaded = load_knowledge_base(tmp_path)
    assert loaded.merged.get(REJECTED) is None
    assert loaded.review.rejected == [REJECTED]
    assert read_verdicts(tmp_path) == {REJECTED: Verdict(status="rejected")}


def test_store_reviewer_file_rewritten_with_the_same_verdicts_needs_no_merge(gold, tmp_path, monkeypatch):
    verdicts = {REJECTED: Verdict(status="rejected")}
    write_build(KnowledgeBase(gold, verdicts=verdicts), tmp_path)
    (tmp_path / REVIEWS_FILE).write_text(reviews_yaml(verdicts) + "# checked\n", encoding="utf-8")
    _no_merging(monkeypatch)
    loaded = load_knowledge_base(tmp_path)
    assert loaded.merged.get(REJECTED) is None


# ---------------------------------------------------------------- merging


def test_store_merge_work_grows_linearly_with_the_articles(gold):
    counts = [_calls(merge_facts, _copies(gold, n)) for n in (40, 160)]
    assert counts[1] <= SLACK * 4 * counts[0], f"4× the articles took {counts[1] / counts[0]:.1f}× the work"


def test_store_build_merges_once_without_verdicts(gold, tmp_path, monkeypatch):
    calls = []
    real = kb.merge.merge_facts
    monkeypatch.setattr("kb.query.merge_facts", lambda *a, **k: calls.append(1) or real(*a, **k))
    built = KnowledgeBase(gold)
    write_build(built, tmp_path)
    assert len(calls) == 1 and built.merged_extracted is built.merged


def test_store_review_dump_merge_reuses_the_groups_no_verdict_touched(gold):
    built = KnowledgeBase(gold, verdicts={REJECTED: Verdict(status="rejected")})
    groups = len(built.merged.records())
    real, combined = kb.merge._Merger._combine, []
    kb.merge._Merger._combine = lambda self, *args: combined.append(1) or real(self, *args)
    try:
        assert built.merged_extracted.get(REJECTED) is not None and built.merged.get(REJECTED) is None
    finally:
        kb.merge._Merger._combine = real
    # the rejected organisation's group, and the few whose alias look-ups it changes
    assert groups > 50 and len(combined) <= groups // 10


# ---------------------------------------------------------------- rebuilds


def _stats(out: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != ".lock"}


def test_store_unchanged_rebuild_touches_no_output(gold, tmp_path, monkeypatch):
    write_build(KnowledgeBase(gold), tmp_path)
    before = _stats(tmp_path)
    _no_merging(monkeypatch)
    again = KnowledgeBase(gold, verdicts=read_verdicts(tmp_path))
    write_build(again, tmp_path)
    assert _stats(tmp_path) == before
    assert again.merged.get(REJECTED) is not None  # the stored merge, reused


def test_store_rebuild_with_one_changed_article_rewrites_only_it(gold, tmp_path):
    write_build(KnowledgeBase(gold), tmp_path)
    before = _stats(tmp_path)
    changed = gold[1].model_copy(update={"doc_date": "2024-11-27"})
    write_build(KnowledgeBase([gold[0], changed, *gold[2:]]), tmp_path)
    after = _stats(tmp_path)
    articles = sorted(name for name in before if name.startswith("articles/"))
    assert [name for name in articles if after[name] != before[name]] == ["articles/001_2a564194b7dcf398.yaml"]


def _renamed_event(gold: list[ArticleFacts]) -> list[ArticleFacts]:
    """The first dated event of the gold articles renamed: a new record on the timeline."""
    n = next(n for n, facts in enumerate(gold) if any(e.start_date or e.year for e in facts.events))
    events = list(gold[n].events)
    i = next(i for i, e in enumerate(events) if e.start_date or e.year)
    events[i] = events[i].model_copy(update={"name": events[i].name + "分论坛"})
    return [*gold[:n], gold[n].model_copy(update={"events": events}), *gold[n + 1:]]


SECTION_FILES = [f"facts/{name}.yaml" for name in ("events", "organizations", "people", "documents", "claims")]


# (what changes in the gold articles, outputs made again, outputs kept as they were)
REMADE_CASES = [
    ("an article's date", lambda gold: [gold[0].model_copy(update={"doc_date": "2000-01-01"}), *gold[1:]],
     ["graph.graphml", "graph.gexf"], ["timeline.svg", "timeline.png", *SECTION_FILES]),
    ("an event's name", _renamed_event,
     ["graph.graphml", "graph.gexf", "timeline.svg", "timeline.png", "facts/events.yaml"], SECTION_FILES[1:]),
]


@pytest.mark.parametrize("change, remade, kept", [c[1:] for c in REMADE_CASES], ids=[c[0] for c in REMADE_CASES])
def test_store_rebuild_makes_again_only_the_outputs_whose_inputs_changed(gold, tmp_path, monkeypatch, change, remade, kept):
    from kb.store import build

    write_build(KnowledgeBase(gold), tmp_path)
    before = _stats(tmp_path)
    old = {name: (tmp_path / name).read_bytes() for name in remade}
    drawn: list[str] = []
    for name in ("write_timeline", "write_timeline_png", "facts_yaml"):  # count what is made again
        made = getattr(build, name)
        monkeypatch.setattr(build, name, lambda *a, _made=made, _name=name, **k: drawn.append(_name) or _made(*a, **k))
    write_build(KnowledgeBase(change(gold)), tmp_path)
    after = _stats(tmp_path)
    assert [name for name in kept if after[name] != before[name]] == []  # same file, same mtime
    assert [name for name in remade if (tmp_path / name).read_bytes() == old[name]] == []
    assert ("write_timeline" in drawn) == ("timeline.svg" in remade)
    assert drawn.count("facts_yaml") == len([name for name in remade if name.startswith("facts/")])


def test_store_output_edited_by_hand_is_made_again(gold, tmp_path):
    write_build(KnowledgeBase(gold), tmp_path)
    svg = tmp_path / "timeline.svg"
    made = svg.read_bytes()
    svg.write_bytes(made.replace(b"</svg>", b"<!-- edited --></svg>"))
    write_build(KnowledgeBase([gold[0].model_copy(update={"doc_date": "2000-01-01"}), *gold[1:]]), tmp_path)
    assert svg.read_bytes() == made  # not taken for the one the previous build drew


def test_store_links_read_off_the_graph_are_those_computed(gold):
    from kb.graph import link_edges

    built = KnowledgeBase(gold)
    built.graph  # noqa: B018
    assert built.links() == link_edges(built.merged)


def test_store_answers_carry_the_provenance_stored_apart(gold, tmp_path):
    built = KnowledgeBase(_copies(gold, 8))
    save_knowledge_base(built, tmp_path)
    loaded = load_knowledge_base(tmp_path)
    [shown] = [loaded.show("org:世界互联网大会国际组织")]
    assert len(shown.record.provenance) == 4  # one mention in each copy of the article naming it
    assert _answers(loaded) == _answers(built)
    assert loaded.merged == built.merged  # completed as a whole when asked for


def test_store_unreadable_stored_knowledge_is_built_again(gold, tmp_path):
    write_build(KnowledgeBase(gold), tmp_path)
    merged = tmp_path / "knowledge" / "merged.json"
    stat = merged.stat()
    merged.write_bytes(merged.read_bytes()[:-1] + b" ")  # its closing brace gone: same size, not JSON
    os.utime(merged, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and mtime: it looks intact
    write_build(KnowledgeBase(gold, verdicts=read_verdicts(tmp_path)), tmp_path)
    assert load_knowledge_base(tmp_path).merged == KnowledgeBase(gold).merged


# ---------------------------------------------------------------- incremental builds


def _with_org(facts: ArticleFacts, name: str, alias: str) -> ArticleFacts:
    """``facts`` with ``alias`` added to its organisation ``name``."""
    orgs = [o.model_copy(update={"aliases": [*o.aliases, alias]}) if o.name == name else o for o in facts.organizations]
    assert orgs != facts.organizations
    return facts.model_copy(update={"organizations": orgs})


def _with_value(facts: ArticleFacts, metric: str, add: int) -> ArticleFacts:
    claims = [c.model_copy(update={"value": c.value + add}) if c.metric == metric else c for c in facts.claims]
    assert claims != facts.claims
    return facts.model_copy(update={"claims": claims})


# (what changes in 8 copies of the gold articles: facts → (facts, verdicts))
INCREMENTAL_CASES = [
    ("an article's date", lambda f: ([f[0], f[1].model_copy(update={"doc_date": "2000-01-01"}), *f[2:]], {})),
    ("a claim's value", lambda f: ([*f[:2], _with_value(f[2], "会员数", 7), *f[3:]], {})),
    # 世界互联网大会 becomes an alias of two bodies: it no longer names one, in every article
    ("an alias shared by two bodies",
     lambda f: ([f[0], _with_org(f[1], "国际电信联盟", "世界互联网大会"), *f[2:]], {})),
    ("two bodies made one", lambda f: ([f[0], _with_org(f[1], "光明网", "人民日报"), *f[2:]], {})),
    ("an article removed", lambda f: ([*f[:5], *f[6:]], {})),
    ("articles added", lambda f: (_copies(GOLD, 10), {})),  # the 9th has no record, the 10th has
    ("a body rejected", lambda f: (f, {REJECTED: Verdict(status="rejected")})),
    ("a changed article with a verdict", lambda f: ([*f[:2], _with_value(f[2], "会员数", 7), *f[3:]],
                                                    {REJECTED: Verdict(status="rejected")})),
]
GOLD = [load_article_facts(p) for p in GOLD_FILES]


def _outputs(out: Path) -> dict[str, bytes]:
    """Every output's bytes but the lock and the state (it holds mtimes)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in (".lock", ".state.json")}


@pytest.mark.parametrize("change", [c[1] for c in INCREMENTAL_CASES], ids=[c[0] for c in INCREMENTAL_CASES])
def test_store_incremental_build_is_byte_for_byte_the_cold_build(tmp_path, change):
    base = _copies(GOLD, 8)
    incremental, cold = tmp_path / "incremental", tmp_path / "cold"
    first = KnowledgeBase(base)
    write_build(first, incremental)
    facts, verdicts = change(base)
    for out in (incremental, cold):
        out.mkdir(exist_ok=True)
        save_reviews(out / REVIEWS_FILE, verdicts)
    again = KnowledgeBase(facts, verdicts=read_verdicts(incremental))
    write_build(again, incremental)
    write_build(KnowledgeBase(facts, verdicts=verdicts), cold)
    assert _outputs(incremental) == _outputs(cold)
    assert 0 < again.reused_groups < len(first.merged.records())  # some groups combined again, not all


def test_store_incremental_build_reuses_nothing_from_stored_files_edited(tmp_path):
    base = _copies(GOLD, 8)
    write_build(KnowledgeBase(base), tmp_path)
    groups = tmp_path / "knowledge" / ".groups.json"
    groups.write_bytes(groups.read_bytes() + b" ")  # its size no longer the one the build recorded
    again = KnowledgeBase([base[0], base[1].model_copy(update={"doc_date": "2000-01-01"}), *base[2:]])
    write_build(again, tmp_path)
    assert again.reused_groups == 0
    assert again.merged == KnowledgeBase(again.extracted).merged
