"""The kb_rules component: the rules' matches as spans, and builders that read them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kb.clean.offsets import Mapped
from kb.errors import KbError
from kb.extract.candidates import SPANS_KEY, rule_matches
from kb.extract.matcher import RuleMatcher
from kb.records.models import Organization

TEXT = "2024年11月20日，中国互联网络信息中心发布《中国互联网发展报告》，网民规模达10.92亿人。"

# text, label, (span text, rule id, kb_id) expected among the spans of that label
SPANS = [
    (TEXT, "DATE", ("2024年11月20日", "date", "2024-11-20")),
    (TEXT, "ORG", ("中国互联网络信息中心", "gaz-cnnic", "中国互联网络信息中心")),
    (TEXT, "TITLE", ("《中国互联网发展报告》", "title-marks", "中国互联网发展报告")),
    (TEXT, "QUANTITY", ("10.92亿人", "count-person", "")),
    # a day-only date is read only with days (the event frames' reading)
    ("大会于20日开幕。", "DATE", ("20日", "date-days", "2024-11-20")),
    # people: a title before the name, a byline, a tagger proposal the rules accept
    ("国际电信联盟秘书长赵厚麟致辞。", "PERSON", ("赵厚麟", "title-leadership", "赵厚麟")),
    ("新华社记者 王思北", "PERSON", ("王思北", "byline-reporter", "王思北")),
    ("马云、马化腾、李彦宏出席了会议。", "PERSON", ("马化腾", "tagger:lac", "马化腾")),
    # places: the lexicon of rules/places.yaml, a tagger proposal ending in a division word
    ("论坛在浙江乌镇举行，美国代表出席。", "GPE", ("乌镇", "cities", "乌镇")),
    ("论坛在浙江乌镇举行，美国代表出席。", "GPE", ("美国", "country-names", "美国")),
    ("成都市发布了报告。", "GPE", ("成都市", "tagger:lac", "成都市")),
    # events and documents, with the rule that found them and their name
    # (the year before a series is read when the builder resolves the mention: 2024年 stays out)
    ("2024年世界互联网大会乌镇峰会在乌镇开幕。", "EVENT",
     ("世界互联网大会乌镇峰会", "events.series:world-internet-conference", "世界互联网大会")),
    (TEXT, "DOCUMENT", ("《中国互联网发展报告》", "documents.title:report", "中国互联网发展报告")),
]

# text, places the matcher must not give: inside an organisation's name, a lone 省
NO_PLACES = [
    ("浙江大学发布报告。", "浙江"),
    ("该省发布报告。", "省"),
]


@pytest.mark.parametrize("text, place", NO_PLACES)
def test_matcher_no_place_inside_a_name(nlp, text, place):
    doc = run_until(nlp, text, "kb_rules")
    assert place not in {s.text for s in doc.spans[SPANS_KEY] if s.label_ == "GPE"}


def run_until(nlp, text: str, last: str, date: str | None = "2024-11-18"):
    """The Doc of ``text`` (an article of ``date``) after the components up to ``last``."""
    doc = nlp.make_doc(text)
    doc._.article = SimpleNamespace(id="t.txt", date=date, text=text, body_start=0, title="", source=None, url=None)
    doc._.textmap = Mapped.identity(text)
    for name, component in nlp.pipeline:
        doc = component(doc)
        if name == last:
            return doc
    raise AssertionError(f"no component {last}")


@pytest.mark.parametrize("text, label, expected", SPANS)
def test_matcher_spans_carry_label_rule_and_name(nlp, text, label, expected):
    doc = run_until(nlp, text, "kb_rules")
    found = {(s.text, s.id_, s.kb_id_) for s in doc.spans[SPANS_KEY] if s.label_ == label}
    assert expected in found


def test_matcher_finds_a_name_inside_a_longer_token(nlp):
    # the segmenter may glue a known name to the next characters; matching is on characters
    text = "国际电信联盟秘书长出席。"
    doc = run_until(nlp, text, "kb_rules")
    (org,) = rule_matches(doc, "ORG")
    assert (text[org.start:org.end], org.name) == ("国际电信联盟", "国际电信联盟")
    span = next(s for s in doc.spans[SPANS_KEY] if s.label_ == "ORG")
    assert span.start_char <= org.start and org.end <= span.end_char  # aligned by expanding


def test_matcher_match_objects_keep_parsed_values(nlp):
    doc = run_until(nlp, TEXT, "kb_rules")
    (quantity,) = rule_matches(doc, "QUANTITY")
    assert (quantity.value.value, quantity.value.unit) == (1_092_000_000, "人")
    assert [d.value.iso for d in rule_matches(doc, "DATE", "date")] == ["2024-11-20"]


def test_matcher_builders_read_the_spans_not_the_text(nlp):
    # drop the ORG spans between kb_rules and kb_facts: the organisation is no record any more
    doc = run_until(nlp, TEXT, "kb_rules")
    kept = doc.spans[SPANS_KEY]
    assert any(isinstance(r, Organization) for r in _facts(nlp, run_until(nlp, TEXT, "kb_rules")))
    doc.spans[SPANS_KEY] = [s for s in kept if s.label_ != "ORG"]
    assert not any(isinstance(r, Organization) for r in _facts(nlp, doc))


def _facts(nlp, doc):
    return nlp.get_pipe("kb_facts")(doc)._.facts.records()


def test_matcher_read_back_needs_the_component(nlp):
    doc = nlp.make_doc(TEXT)
    with pytest.raises(KbError, match="kb_rules"):
        rule_matches(doc, "ORG")


def test_matcher_a_pipeline_without_kb_rules_still_gives_facts(nlp):
    # kb_facts matches itself when the pipeline has no kb_rules (a user's own pipeline)
    doc = run_until(nlp, TEXT, "kb_tagger")
    assert SPANS_KEY not in doc.spans
    names = {r.name for r in _facts(nlp, doc) if isinstance(r, Organization)}
    assert names == {"中国互联网络信息中心"}


def test_matcher_is_match_then_set_annotations(nlp):
    doc = run_until(nlp, TEXT, "kb_tagger")
    matches = RuleMatcher().match(doc)
    assert SPANS_KEY not in doc.spans  # match() writes nothing
    RuleMatcher().set_annotations(doc, matches)
    assert {s.label_ for s in doc.spans[SPANS_KEY]} == {"DATE", "ORG", "TITLE", "QUANTITY", "DOCUMENT"}


def test_matcher_title_section_must_hold_one_rule(tmp_path):
    from kb.errors import RuleError
    from kb.paths import rules_dir
    from kb.rules.ruleset import RuleSet

    for path in rules_dir().glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == "lexicon.yaml":
            text += '  - {id: second-title, pattern: "〈[^〈〉]+〉"}\n'
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleError, match="lexicon.yaml.*exactly one rule"):
        RuleSet.load(tmp_path)


def test_matcher_spans_over_the_same_tokens_keep_their_own_matches(nlp):
    # 0000年 is a DATE (two readings) and a QUANTITY over the same tokens
    doc = run_until(nlp, "0000年", "kb_rules")
    kinds = {(s.label_, s.id_): {type(m.value).__name__ for m in s._.matches} for s in doc.spans[SPANS_KEY]}
    assert kinds == {("DATE", "date"): {"DateMention"}, ("DATE", "date-days"): {"DateMention"},
                     ("QUANTITY", "duration-year"): {"Quantity"}}


# text, the PERSON matches' (name, roles): a role's organisation is one the ORG matches found
ROLES = [
    ("国际电信联盟秘书长赵厚麟致辞。", [("赵厚麟", [("秘书长", "国际电信联盟")])]),
    ("马云、马化腾出席。", [("马云", []), ("马化腾", [])]),
    # a name inside an organisation's name is no person
    ("王选计算机研究所发布报告。", []),
]


@pytest.mark.parametrize("text, expected", ROLES)
def test_matcher_person_matches_carry_their_roles(nlp, text, expected):
    doc = run_until(nlp, text, "kb_rules")
    found = [(text[m.start:m.end], [(r.title, r.organization) for r in m.value.roles]) for m in rule_matches(doc, "PERSON")]
    assert found == expected
