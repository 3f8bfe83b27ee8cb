"""The whole pipeline on the four seeds: scores against the gold files, golden
outputs, determinism.

Golden outputs (tests/golden/<stem>.yaml) are refreshed only on purpose:
``KB_UPDATE_GOLDEN=1 pytest tests/test_end_to_end.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.evaluate.gold import evaluate
from kb.records.models import SECTIONS, dump_article_facts

from conftest import GOLD

GOLDEN = Path(__file__).parent / "golden"
MIN_F1 = 0.95
MIN_TYPE_ACCURACY = 0.9        # all attributes of a record type together
MIN_ATTRIBUTE_ACCURACY = 0.85  # each attribute on its own (claims' metric is the hardest)


@pytest.fixture(scope="module")
def report(seed_facts, tmp_path_factory):
    pred = tmp_path_factory.mktemp("pred")
    for facts in seed_facts:
        (pred / f"{Path(facts.doc).stem}.yaml").write_text(dump_article_facts(facts), encoding="utf-8")
    return evaluate(GOLD, pred)


@pytest.mark.parametrize("record_type", SECTIONS)
def test_end_to_end_f1_per_record_type(report, record_type):
    counts = report.types[record_type].counts
    assert counts.f1 >= MIN_F1, f"{record_type}: F1 {counts.f1:.3f}"


@pytest.mark.parametrize("record_type", SECTIONS)
def test_end_to_end_attribute_accuracy(report, record_type):
    scores = report.types[record_type]
    total = scores.attribute_total.accuracy
    assert total is None or total >= MIN_TYPE_ACCURACY, f"{record_type}: {total:.3f}"
    for name, score in scores.attributes.items():
        assert score.accuracy is None or score.accuracy >= MIN_ATTRIBUTE_ACCURACY, f"{record_type}.{name}: {score.accuracy:.3f}"


def test_end_to_end_matches_golden_outputs(seed_facts):
    update = os.environ.get("KB_UPDATE_GOLDEN") == "1"
    GOLDEN.mkdir(exist_ok=True)
    for facts in seed_facts:
        path = GOLDEN / f"{Path(facts.doc).stem}.yaml"
        text = dump_article_facts(facts)
        if update:
            path.write_text(text, encoding="utf-8")
        assert path.read_text(encoding="utf-8") == text, f"{path} differs: rerun with KB_UPDATE_GOLDEN=1 if intended"


def test_end_to_end_two_runs_give_the_same_bytes(nlp, seed_paths, seed_facts):
    from kb.extract import extract_article
    from kb.ingest.articles import read_article

    again = [dump_article_facts(extract_article(nlp, read_article(p))) for p in seed_paths]
    assert again == [dump_article_facts(f) for f in seed_facts]


def test_end_to_end_provenance_quotes_the_original(seed_facts, seed_paths):
    texts = {p.name: p.read_text(encoding="utf-8") for p in seed_paths}
    for facts in seed_facts:
        for record in facts.records():
            for prov in record.provenance:
                assert texts[prov.doc][prov.start : prov.end] == prov.quote
