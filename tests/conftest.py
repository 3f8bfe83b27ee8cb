"""Shared fixtures: the seeds, the gold files, and one pipeline per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.paths import ROOT

SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def nlp():
    """The pkuseg pipeline, loaded once: it takes seconds and about 1 GB."""
    from kb.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def seed_facts(nlp, seed_paths):
    """Every seed's facts, extracted once per test session."""
    from kb.extract import extract_article
    from kb.ingest import read_article

    return [extract_article(nlp, read_article(path)) for path in seed_paths]
