"""kb.pipeline: cached and parallel extraction give the facts serial extraction gives."""

from __future__ import annotations

import pytest

import kb.extract
import kb.nlp
from kb.cache import FactsCache
from kb.ingest import read_article
from kb.errors import ExtractionError
from kb.pipeline import extract_all


@pytest.fixture
def seeds(seed_paths):
    return [read_article(path) for path in seed_paths]


@pytest.fixture
def loads(monkeypatch, nlp) -> list:
    """Every pipeline load extract_all asks for; the session's pipeline is handed out."""
    calls = []

    def load_pipeline(model=None, segmenter="pkuseg"):
        calls.append((model, segmenter))
        return nlp

    monkeypatch.setattr(kb.nlp, "load_pipeline", load_pipeline)
    return calls


@pytest.fixture
def no_model(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(kb.nlp, "load_pipeline", refuse)


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
    from kb.query import KnowledgeBase

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
