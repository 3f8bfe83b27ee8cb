from __future__ import annotations

import copy
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
    ("据统计，规模达到53.9万亿元；增速较快。", 1),  # ；joins two clauses of one sentence
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


def test_nlp_segmenter_built_as_spacy_pkuseg_builds_it(nlp, seed_paths):
    """kb builds the segmenter itself, to map the weights into memory: the same
    attributes, weights and words as ``spacy_pkuseg.pkuseg(model)``."""
    import numpy as np
    import spacy_pkuseg

    from kb.nlp.pipeline import _pkuseg
    from kb.paths import model_dir

    ours = _pkuseg(str(model_dir()))
    theirs = spacy_pkuseg.pkuseg(str(model_dir()), user_dict="default")
    assert vars(ours).keys() - {"shards"} == vars(theirs).keys()
    assert vars(ours.model).keys() == vars(theirs.model).keys()
    assert np.array_equal(ours.model.w, theirs.model.w)
    assert (ours.n_feature, ours.n_tag) == (theirs.n_feature, theirs.n_tag)
    text = "\n".join(path.read_text(encoding="utf-8") for path in seed_paths)
    assert ours.cut(text) == theirs.cut(text)


def test_nlp_segmenter_reads_the_feature_shards_that_fetch_wrote(seed_paths):
    """``kb model fetch`` (run by the set-up) cut the feature table into shards: the
    segmenter builds only the part the texts it saw need, and segments as the whole
    table does (the test above), also text in traditional script and with Latin and digits."""
    import spacy_pkuseg

    from kb.nlp.features import FeatureShards, ShardedPkuseg
    from kb.nlp.pipeline import _pkuseg
    from kb.paths import model_dir

    shared = _pkuseg(str(model_dir()))
    assert isinstance(shared, ShardedPkuseg)
    # a table of its own: the shared one may be whole already (load_whole_model, below)
    ours = copy.copy(shared)
    ours.shards = FeatureShards(model_dir())
    ours.feature_extractor = ours.shards.extractor
    whole = spacy_pkuseg.pkuseg(str(model_dir()), user_dict="default")
    text = "\n".join(path.read_text(encoding="utf-8") for path in seed_paths)
    extra = "第十屆世界互聯網大會於2023年11月8日在烏鎮開幕，ChatGPT與AI成為焦點（Wuzhen Summit）。"
    assert [ours.cut(t) for t in (text, extra)] == [whole.cut(t) for t in (text, extra)]
    assert 0 < len(ours.shards.feature_to_idx) < ours.n_feature and not ours.shards.complete
    # a piece segmented on its own (_cut, not through cut) adds its shards too
    piece = copy.copy(shared)
    piece.shards = FeatureShards(model_dir())
    piece.feature_extractor = piece.shards.extractor
    assert piece._cut("鲲鹏展翅九万里") == whole._cut("鲲鹏展翅九万里")
    # not only the same words: the same features at every character
    for piece in (*text.split(), *extra.split()):
        nodes = list(whole.feature_extractor.normalize_text(piece))
        for i in range(len(nodes)):
            assert ours.feature_extractor.get_node_features_idx(i, nodes) == whole.feature_extractor.get_node_features_idx(i, nodes)


def test_nlp_whole_model_loaded_before_workers_fork(nlp):
    from kb.nlp.pipeline import load_whole_model

    load_whole_model(nlp)
    assert nlp.tokenizer.pkuseg_seg.shards.complete


def _model_dir(folder, w):
    import numpy as np

    folder.mkdir()
    (folder / "features.pkl").write_bytes(b"")
    np.savez(folder / "weights.npz", w=w, sizes=np.array([1, len(w)]))
    return folder


def test_nlp_weights_mapped_when_written_by_fetch(tmp_path):
    import numpy as np

    from kb.nlp import model

    folder = _model_dir(tmp_path / "m", np.arange(6.0))
    assert type(model.weights(folder, 6)) is np.ndarray  # no weights.npy yet: read from weights.npz
    assert model.fetch(folder) == folder and (folder / model.MAPPED_WEIGHTS).is_file()
    mapped = model.weights(folder, 6)
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    assert mapped.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


@pytest.mark.parametrize("problem", ["stale", "size"])
def test_nlp_weights_ignore_a_stale_or_wrong_npy(tmp_path, problem):
    import os

    import numpy as np

    from kb.nlp import model

    folder = _model_dir(tmp_path / "m", np.arange(6.0))
    model.write_mapped_weights(folder)
    if problem == "stale":  # weights.npz replaced after weights.npy was written
        np.savez(folder / "weights.npz", w=np.ones(6), sizes=np.array([1, 6]))
        later = (folder / model.MAPPED_WEIGHTS).stat().st_mtime + 10
        os.utime(folder / "weights.npz", (later, later))
        expected, size = [1.0] * 6, 6
    else:
        expected, size = list(np.arange(6.0)), 6
        np.save(folder / model.MAPPED_WEIGHTS, np.arange(5.0))
    weights = model.weights(folder, size)
    assert not isinstance(weights, np.memmap) and weights.tolist() == expected


@pytest.mark.parametrize(
    "words, text",
    [
        (["世界", "互联网", "大会"], "世界互联网大会"),
        (["世界", "互联网", "大会"], "世界 互联网  大会 "),
        (["乌镇", " ", "峰会"], "乌镇 峰会"),
        (["A", "I"], "\u3000A\nI"),
        (["大会", "，", "大会"], "大会，大会"),  # the same word twice: each found after the last
        ([], ""),
    ],
)
def test_nlp_words_and_spaces_as_spacy_finds_them(words, text):
    from spacy.util import get_words_and_spaces

    from kb.nlp.pipeline import words_and_spaces

    assert words_and_spaces(words, text) == get_words_and_spaces(words, text)


def test_nlp_words_and_spaces_refuses_words_not_in_the_text():
    from kb.nlp.pipeline import words_and_spaces

    for words, text in ((["世界", "大会"], "世界互联网大会"), (["大会", "大会"], "大会，大会")):
        with pytest.raises(ValueError, match="E194"):
            words_and_spaces(words, text)


def test_nlp_tokenizer_makes_the_docs_spacy_makes(nlp, seed_paths):
    from spacy.util import get_words_and_spaces

    text = "\n".join(path.read_text(encoding="utf-8") for path in seed_paths)
    doc = nlp.make_doc(text)
    words, spaces = get_words_and_spaces(nlp.tokenizer.pkuseg_seg.cut(text), text)
    assert [t.text for t in doc] == words and [bool(t.whitespace_) for t in doc] == spaces
    assert type(nlp.tokenizer).__module__ == "kb.nlp.pipeline"
