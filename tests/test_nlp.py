from __future__ import annotations

import shutil

import pytest

from kb.errors import ModelError
from kb.nlp.pipeline import load_pipeline, make_doc, provenance, rule_names, sentence_spans, set_sentence_starts, set_user_words
from kb.clean.offsets import Mapped
from kb.paths import ROOT

SEGMENTATION_CASES = [
    # (text, user words, a token that must appear)
    ("中国信息通信研究院数据显示", [], "研究院"),
    ("中国信息通信研究院数据显示", ["中国信息通信研究院"], "中国信息通信研究院"),
    ("2024年世界互联网大会乌镇峰会如期举行", ["世界互联网大会乌镇峰会"], "世界互联网大会乌镇峰会"),
    ("2024年世界互联网大会乌镇峰会如期举行", [], "峰会"),
]

SENTENCE_CASES = [
    ("峰会开幕。论坛举行！会议结束？", 3),
    ("第一段\n第二段", 2),
    ("据统计，规模达到53.9万亿元；增速较快。", 2),
]


# (text, sentences): closing quotes and repeated marks stay with the sentence they end
SENTENCE_SPLIT_CASES = [
    ("他说：“好。”她笑了。", ["他说：“好。”", "她笑了。"]),
    ("。。。开始", ["。。。", "开始"]),
    ("第一段\n\n第二段", ["第一段\n\n", "第二段"]),
    ("", []),
]


@pytest.fixture
def restore_user_words(nlp):
    yield
    set_user_words(nlp, rule_names())


@pytest.mark.parametrize("text,words,token", SEGMENTATION_CASES)
def test_nlp_user_dictionary_joins_names(nlp, restore_user_words, text, words, token):
    set_user_words(nlp, words)
    assert token in [t.text for t in nlp(text)]


@pytest.mark.parametrize("text,count", SENTENCE_CASES)
def test_nlp_sentences_end_on_chinese_punctuation(nlp, text, count):
    assert len(list(nlp(text).sents)) == count


def test_nlp_pipeline_is_loaded_once(nlp):
    assert load_pipeline() is nlp


def test_nlp_char_segmenter_needs_no_model():
    doc = load_pipeline(segmenter="char")("乌镇峰会")
    assert [t.text for t in doc] == ["乌", "镇", "峰", "会"]


def test_nlp_missing_model_names_the_path(tmp_path):
    with pytest.raises(ModelError, match=str(tmp_path)):
        load_pipeline(str(tmp_path))


def test_nlp_provenance_points_into_the_original(nlp):
    from kb.ingest.articles import parse_article

    article = parse_article("标题\n\n![](x.png)中國信息通信研究院\n", "a.txt")
    start = article.text.index("中")
    clean = "中国信息通信研究院"
    textmap = Mapped(clean, tuple(range(start, start + 9)), tuple(range(start + 1, start + 10)), len(article.text))
    doc = make_doc(nlp, article, textmap)
    prov = provenance(doc, 0, 2, rule="test")
    assert prov == {"doc": "a.txt", "start": start, "end": start + 2, "quote": "中國", "rule": "test"}


@pytest.mark.parametrize("text,sentences", SENTENCE_SPLIT_CASES)
def test_nlp_sentence_spans_match_spacy_sentences(nlp, text, sentences):
    doc = nlp(text)
    assert [text[s:e] for s, e in sentence_spans(doc)] == sentences
    assert [s.text for s in doc.sents] == sentences


@pytest.mark.parametrize("sentences", [10, 1000])
def test_nlp_sentence_starts_never_scan_the_doc_per_token(nlp, sentences):
    """spaCy's Token.is_sent_start setter checks the whole Doc (``has_annotation``) on
    each call: set per token, an 80k-character article took a minute."""
    import cProfile
    import pstats

    doc = nlp.make_doc("峰会开幕，嘉宾致辞。" * sentences)
    profiler = cProfile.Profile()
    profiler.runcall(set_sentence_starts, doc)
    scans = sum(v[1] for k, v in pstats.Stats(profiler).stats.items() if k[2] == "has_annotation")
    assert scans <= 1
    assert sum(t.is_sent_start for t in doc) == sentences


def test_nlp_pipelines_share_the_segmenter_model_not_the_user_words(nlp, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    other = load_pipeline(rules=str(rules))
    mine, theirs = other.tokenizer.pkuseg_seg, nlp.tokenizer.pkuseg_seg
    assert other is not nlp and other is load_pipeline(rules=str(rules))
    assert mine.model is theirs.model and mine.preprocesser is not theirs.preprocesser
    set_user_words(other, ["青溪湖会"])
    assert "青溪湖会" in [t.text for t in other("青溪湖会开幕")]
    assert "青溪湖会" not in [t.text for t in nlp("青溪湖会开幕")]
