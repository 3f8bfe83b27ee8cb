"""kb.extract.components: kb as a spaCy pipeline — facts, mention spans, doc.ents, displaCy."""

from __future__ import annotations

import shutil

import pytest
import spacy
from spacy import displacy

import kb
from kb.extract.components import resolve_overlaps
from kb.extract.matcher import TEXT_ID
from kb.nlp.pipeline import load_nlp
from kb.paths import ROOT

PANEL = "马云、马化腾、李彦宏出席了论坛。"
TEXTS = [
    PANEL,
    "阿里巴巴创始人马云、腾讯公司董事会主席马化腾出席了2024年世界互联网大会乌镇峰会开幕式。",
    "中国互联网络信息中心发布的报告显示，我国网民规模达10.92亿人。",
    "会议于昨日闭幕。",
]

# (spans as (start_char, end_char, label, rule id), the ents kept) on 世界互联网大会乌镇峰会
OVERLAP_CASES = [
    ("longer span first", [(5, 7, "LOC", "r-place"), (0, 11, "EVENT", "r-event")], [(0, 11, "EVENT")]),
    ("rule span before tagger span of one length",
     [(0, 2, "PERSON", "tagger:lac"), (1, 3, "ORG", "r-org")], [(1, 3, "ORG")]),
    ("then the earlier start", [(1, 3, "ORG", "r-b"), (0, 2, "PERSON", "r-a")], [(0, 2, "PERSON")]),
    ("a longer tagger span beats a shorter rule span",
     [(0, 2, "ORG", "r-org"), (0, 3, "PERSON", "tagger:lac")], [(0, 3, "PERSON")]),
    ("one span, two labels: by label order", [(0, 2, "PERSON", "r-p"), (0, 2, "ORG", "r-o")], [(0, 2, "ORG")]),
    ("spans that do not overlap are all kept, in text order",
     [(7, 11, "EVENT", "r-e"), (0, 7, "ORG", "r-o")], [(0, 7, "ORG"), (7, 11, "EVENT")]),
    ("nothing to resolve", [], []),
]


def _facts(doc) -> dict:
    return doc._.facts.model_dump()


def _ents(doc) -> list[tuple[str, str, str, str]]:
    return [(e.text, e.label_, e.id_, e.kb_id_) for e in doc.ents]


@pytest.fixture(scope="module")
def full_nlp(nlp):
    """kb.load_nlp(): the session's pipeline (one pkuseg load)."""
    return load_nlp()


@pytest.fixture(scope="module")
def rule_folders(tmp_path_factory):
    """Two copies of rules/: the second knows one more event series."""
    root = tmp_path_factory.mktemp("rules")
    plain, extra = root / "plain", root / "extra"
    shutil.copytree(ROOT / "rules", plain)
    shutil.copytree(ROOT / "rules", extra)
    events = extra / "events.yaml"
    series = "series:\n  - id: test-lake-meeting\n    name: 青溪湖数字文明大会\n    kind: summit\n    aliases: [青溪湖会]\n"
    events.write_text(events.read_text(encoding="utf-8").replace("series:\n", series, 1), encoding="utf-8")
    return plain, extra


@pytest.mark.parametrize("name,spans,kept", OVERLAP_CASES, ids=[c[0] for c in OVERLAP_CASES])
def test_components_overlap_policy(name, spans, kept):
    doc = spacy.blank("zh")("世界互联网大会乌镇峰会")
    candidates = []
    for start, end, label, rule in spans:
        span = doc.char_span(start, end, label=label)
        span.id_ = rule
        candidates.append(span)
    assert [(s.start_char, s.end_char, s.label_) for s in resolve_overlaps(candidates)] == kept


def test_components_load_nlp_is_the_whole_pipeline(full_nlp, nlp):
    assert full_nlp is nlp and kb.load_nlp is load_nlp
    assert full_nlp.pipe_names == ["kb_sentences", "kb_tagger", "kb_rules", "kb_facts", "kb_mentions", "kb_ents"]


def test_components_panel_of_three_are_person_ents(full_nlp):
    doc = full_nlp(PANEL)
    people = [(e.text, e.id_) for e in doc.ents if e.label_ == "PERSON"]
    assert [name for name, _ in people] == ["马云", "马化腾", "李彦宏"]
    assert all(rule for _, rule in people)
    assert [p.name for p in doc._.facts.people] == ["马云", "马化腾", "李彦宏"]


@pytest.mark.parametrize("text", TEXTS)
def test_components_every_ent_has_a_rule_id_and_a_record(full_nlp, text):
    doc = full_nlp(text)
    ids = {r.id for r in doc._.facts.records()}
    assert all(e.id_ for e in doc.ents)
    # a place is the rule matcher's span (its name as kb_id_); every other ent is a record's mention
    assert all(e.kb_id_ in ids for e in doc.ents if e.label_ != "GPE")


def test_components_bare_text_gets_facts_with_offsets_into_it(full_nlp):
    text = TEXTS[1]
    facts = full_nlp(text)._.facts
    assert facts.doc == TEXT_ID and facts.doc_date is None
    assert {r.name for r in facts.events} == {"2024年世界互联网大会乌镇峰会"}
    quotes = [(p.quote, text[p.start:p.end]) for r in facts.records() for p in r.provenance]
    assert quotes and all(quote == there for quote, there in quotes)


def test_components_mentions_label_by_record_type(full_nlp):
    doc = full_nlp(TEXTS[1] + TEXTS[2])
    labels = {s.label_ for s in doc.spans["kb"]}
    assert {"EVENT", "ORG", "PERSON", "QUANTITY"} <= labels
    assert all(s.id_ and s.kb_id_ for s in doc.spans["kb"])


def test_components_ents_do_not_overlap_and_come_from_mentions(full_nlp):
    doc = full_nlp(TEXTS[1])
    mentions = {(s.start, s.end, s.label_, s.id_) for s in doc.spans["kb"]}
    places = {(s.start, s.end, s.label_, s.id_) for s in doc.spans["rules"] if s.label_ == "GPE"}
    ents = {(e.start, e.end, e.label_, e.id_) for e in doc.ents}
    assert ents <= mentions | places
    spans = sorted((e.start, e.end) for e in doc.ents)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))
    # the tagger's 2024年 (DATE) is no record's mention: in doc.spans["tagger"] only
    assert "DATE" not in {e.label_ for e in doc.ents}


def test_components_pipe_gives_the_facts_of_one_by_one(full_nlp):
    one_by_one = [full_nlp(text) for text in TEXTS]
    piped = list(full_nlp.pipe(TEXTS, batch_size=3))
    assert [_facts(d) for d in piped] == [_facts(d) for d in one_by_one]
    assert [_ents(d) for d in piped] == [_ents(d) for d in one_by_one]


def test_components_places_are_ents_unless_inside_a_name(full_nlp):
    doc = full_nlp("论坛在浙江乌镇举行，浙江大学和美国代表出席。")
    assert [e.text for e in doc.ents if e.label_ == "GPE"] == ["浙江", "乌镇", "美国"]


def test_components_displacy_renders_kb_ents_and_spans(full_nlp):
    doc = full_nlp(PANEL)
    html = displacy.render(doc, style="ent")
    assert all(name in html for name in ("马云", "马化腾", "李彦宏")) and "PERSON" in html
    spans = displacy.render(doc, style="span", options={"spans_key": "kb"})
    assert "李彦宏" in spans and "PERSON" in spans


def test_components_two_rule_folders_in_one_process(rule_folders):
    plain, extra = rule_folders
    text = "2025年青溪湖会在杭州开幕。"
    with_series, without = load_nlp(rules=extra)(text), load_nlp(rules=plain)(text)
    assert [e.name for e in with_series._.facts.events] == ["2025年青溪湖数字文明大会"]
    assert [(e.text, e.id_) for e in with_series.ents if e.label_ != "GPE"] == [("2025年青溪湖会", "events.series:test-lake-meeting")]
    assert without._.facts.events == [] and [e for e in without.ents if e.label_ != "GPE"] == []


def test_components_rules_folder_is_read_once(rule_folders):
    nlp = load_nlp(rules=rule_folders[1])
    assert nlp.get_pipe("kb_facts").ruleset() is nlp.get_pipe("kb_facts").ruleset()
    assert nlp.get_pipe("kb_facts").ruleset().folder == rule_folders[1]


def test_components_pipeline_without_tagger():
    nlp = load_nlp(segmenter="char", tagger="none")
    assert "kb_tagger" not in nlp.pipe_names
    doc = nlp("国际电信联盟秘书长出席了会议。")
    assert "tagger" not in doc.spans
    assert [(e.text, e.label_) for e in doc.ents] == [("国际电信联盟", "ORG")]
