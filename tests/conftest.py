"""Shared fixtures: the seeds, the gold files, and one pipeline per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.paths import ROOT

SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def nlp():
    """The pkuseg pipeline, loaded once: it takes seconds and about 1 GB."""
    from kb.nlp.pipeline import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_facts(nlp, seed_paths):
    """Every seed's facts, extracted once per test session."""
    from kb.extract import extract_article
    from kb.ingest.articles import read_article

    return [extract_article(nlp, read_article(path)) for path in seed_paths]


@pytest.fixture
def seeds(seed_paths):
    """The seeds as articles."""
    from kb.ingest.articles import read_article

    return [read_article(path) for path in seed_paths]


@pytest.fixture(scope="module")
def gold_graph():
    """The graph of the seeds' gold facts, merged (read-only: tests must not change it)."""
    from kb.graph import build_graph
    from kb.merge import merge_facts
    from kb.records.models import load_article_facts

    return build_graph(merge_facts([load_article_facts(p) for p in sorted(GOLD.glob("*.yaml"))]))


def seed_docs(nlp):
    """(Doc, gold dict) for every seed."""
    from kb.clean import clean_article
    from kb.ingest.articles import read_article
    from kb.nlp.pipeline import make_doc

    for path in sorted(SEEDS.glob("*.txt")):
        gold = GOLD / f"{path.stem}.yaml"
        if gold.exists():
            article = read_article(path)
            yield make_doc(nlp, article, clean_article(article)), yaml.safe_load(gold.read_text(encoding="utf-8"))


def score_records(gold: list[dict], predicted: dict, attributes) -> tuple[float, float, float]:
    from kb.evaluate.matching import normalize_text, values_equal

    found = {normalize_text(k): v for k, v in predicted.items()}
    hits = [(g, found[normalize_text(g["_key"])]) for g in gold if normalize_text(g["_key"]) in found]
    precision = len(hits) / len(found) if found else float(not gold)
    recall = len(hits) / len(gold) if gold else float(not found)
    checks = [values_equal(g.get(a), getattr(p, a)) for g, p in hits for a in attributes]
    return precision, recall, (sum(checks) / len(checks) if checks else 1.0)
