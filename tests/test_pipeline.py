"""kb.batch: cached and parallel extraction give the facts serial extraction gives."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import kb.extract
import kb.nlp.pipeline
from kb.store.knowledge import load_knowledge_base
from kb.cli import main as cli
from kb.store.cache import FactsCache
from kb.ingest.articles import read_articles
from kb.store.build import write_build
from kb.query import KnowledgeBase
from kb.errors import ExtractionError
from kb.batch import extract_all


@pytest.fixture
def loads(monkeypatch, nlp) -> list:
    """Every pipeline load extract_all asks for; the session's pipeline is handed out."""
    calls = []

    def load_pipeline(model=None, segmenter="pkuseg", tagger="lac"):
        calls.append((model, segmenter))
        return nlp

    monkeypatch.setattr(kb.nlp.pipeline, "load_pipeline", load_pipeline)
    return calls


@pytest.fixture
def no_model(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(kb.nlp.pipeline, "load_pipeline", refuse)


@pytest.fixture
def filled_cache(tmp_path, seeds, seed_facts) -> FactsCache:
    cache = FactsCache(tmp_path / "cache")
    for article, facts in zip(seeds, seed_facts):
        cache.put(article, facts)
    return FactsCache(tmp_path / "cache")


def test_pipeline_serial_matches_extract_article(seeds, seed_facts, loads):
    assert extract_all(seeds) == seed_facts
    assert len(loads) == 1


@pytest.mark.parametrize("order", [slice(None), slice(None, None, -1)])
def test_pipeline_parallel_matches_serial_in_input_order(seeds, seed_facts, loads, order):
    assert extract_all(seeds[order], jobs=2) == seed_facts[order]


def test_pipeline_all_cached_loads_no_model(seeds, seed_facts, filled_cache, no_model):
    assert extract_all(seeds, cache=filled_cache, jobs=2) == seed_facts
    assert (filled_cache.hits, filled_cache.misses) == (len(seeds), 0)


def test_pipeline_extracts_and_stores_only_what_is_missing(tmp_path, seeds, seed_facts, loads, monkeypatch):
    cache = FactsCache(tmp_path / "cache")
    for article, facts in zip(seeds[1:], seed_facts[1:]):
        cache.put(article, facts)
    extracted = []
    real = kb.extract.extract_article
    monkeypatch.setattr(kb.extract, "extract_article", lambda nlp, a: extracted.append(a.id) or real(nlp, a))
    assert extract_all(seeds, cache=cache) == seed_facts
    assert extracted == [seeds[0].id]
    assert FactsCache(tmp_path / "cache").get(seeds[0]) == seed_facts[0]


def test_pipeline_progress_advances_once_per_article(seeds, filled_cache, no_model):
    seen = []

    def progress(items):
        for item in items:
            seen.append(item.id)
            yield item

    extract_all(seeds, cache=filled_cache, progress=progress)
    assert seen == [a.id for a in seeds]


def test_pipeline_empty_input_loads_no_model(no_model):
    assert extract_all([], jobs=2) == []


def test_pipeline_serves_knowledge_base_build(seed_paths, seed_facts, filled_cache, no_model):
    built = KnowledgeBase.build(seed_paths, cache=filled_cache)
    assert built.extracted == sorted(seed_facts, key=lambda f: f.doc)


def test_pipeline_one_failing_article_does_not_stop_the_others(seeds, seed_facts, loads, monkeypatch):
    real = kb.extract.extract_article

    def fail_on_first(nlp, article):
        if article.id == seeds[0].id:
            raise ValueError("boom")
        return real(nlp, article)

    monkeypatch.setattr(kb.extract, "extract_article", fail_on_first)
    results = extract_all(seeds)
    assert isinstance(results[0], ExtractionError) and seeds[0].id in str(results[0]) and "boom" in str(results[0])
    assert results[1:] == seed_facts[1:]


# --- article names: one bad name never takes the run down --------------------

# file names in one input folder, and the files the build saves their facts in
NAMED_CASES = [
    (["dup.txt", "dup.md"], ["dup.md.yaml", "dup.txt.yaml"]),
    (["index.md", "sub/index.md"], ["index.md.yaml", "sub__index.md.yaml"]),
    ([b"bad\xff.txt", "good.txt"], ["bad\\xff.yaml", "good.yaml"]),
]


def _folder_of(tmp_path: Path, seed_paths: list[Path], names: list[str | bytes]) -> Path:
    """A folder holding a seed under each name (bytes: a name that is not UTF-8)."""
    folder = tmp_path / "in"
    for name, seed in zip(names, seed_paths):
        path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(seed.read_bytes())
    return folder


@pytest.mark.parametrize("names,saved", NAMED_CASES)
def test_pipeline_build_saves_every_article_whatever_its_name(tmp_path, seed_paths, loads, names, saved):
    built = KnowledgeBase.build(_folder_of(tmp_path, seed_paths, names))  # no cache, as --no-cache
    assert built.errors == [] and len(built.extracted) == len(names)
    write_build(built, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "articles").iterdir()) == saved
    assert [f.doc for f in load_knowledge_base(tmp_path / "out").extracted] == [f.doc for f in built.extracted]
    for graph in ("graph.graphml", "graph.gexf"):
        ET.parse(tmp_path / "out" / graph)  # well-formed: no lone surrogate


@pytest.mark.parametrize("names,saved", NAMED_CASES)
def test_pipeline_cache_keys_any_article_name(tmp_path, seed_paths, seed_facts, names, saved):
    cache = FactsCache(tmp_path / "cache")
    for article, facts in zip(read_articles(_folder_of(tmp_path, seed_paths, names)), seed_facts):
        facts = facts.model_copy(update={"doc": article.id})
        cache.put(article, facts)
        assert cache.get(article) == facts


def test_pipeline_cli_extract_writes_one_file_per_article(tmp_path, seed_paths, loads):
    folder = _folder_of(tmp_path, seed_paths, ["d01.md", "dup.txt", "dup.md"])
    assert cli.main(["extract", str(folder), "--out", str(tmp_path / "pred"), "--no-cache"]) == 0
    assert sorted(p.name for p in (tmp_path / "pred").iterdir()) == ["d01.yaml", "dup.md.yaml", "dup.txt.yaml"]
