"""kb.nlp.features: pkuseg's feature table cut into one shard per character."""

from __future__ import annotations

import os

import pytest
import spacy_pkuseg

from kb.nlp import features


def _model(folder, table):
    """A model folder whose features file holds ``table`` (only its stamp is read here)."""
    folder.mkdir()
    (folder / "features.pkl").write_bytes(b"stand-in")
    extractor = spacy_pkuseg.FeatureExtractor.__new__(spacy_pkuseg.FeatureExtractor)
    extractor.feature_to_idx = dict(table)
    extractor.tag_to_idx = {"B": 0, "I": 1}
    extractor.unigram = {"互联网", "大会"}
    extractor.bigram = {"互联网*大会"}
    return folder, extractor


TABLE = {"$$": 0, "c.**Num": 1, "c.网": 2, "c.会": 3, "cc1.网.会": 4, "w1.互联网": 5, "c-1.乌": 6, "c.乌": 7,
         "ww.l.互联*网": 8, "ww.r.**noWord*大会": 9, "c-1c.**Num.年": 10, "w-1.**Letter**Letter": 11,
         "c-1c.互.联": 12}


@pytest.mark.parametrize(
    ("feature", "run"),
    [
        ("$$", ""),
        ("c.网", "网"),
        ("c-2.**Num", "\ue000"),
        ("c-1c.网.络", "网络"),
        ("cc1.**Num.年", "\ue000年"),
        ("c-2c-1.乌.镇", "乌镇"),
        ("w1.互联网", "互联网"),
        ("w-1.**Num**Num年", "\ue000\ue000年"),
        ("ww.l.互联*网", "互联网"),  # a word ending before the character, one starting at it: adjacent
        ("ww.r.**noWord*网络", "网络"),
        ("ww.l.**noWord***noWord", ""),
        ("cc1.网", ""),  # not of the form the kind has: in the shard every text needs
        ("zz.网", ""),  # a kind kb does not know: likewise
    ],
)
def test_features_trigger(feature, run):
    assert features.trigger(feature) == run


BASE = {"$$"}  # no text in it: every text needs it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", BASE),
        ("2023", BASE | {"c.**Num"}),
        ("１２", BASE | {"c.**Num"}),  # full-width digits are **Num to pkuseg too
        ("网", BASE | {"c.网"}),
        ("会网", BASE | {"c.网", "c.会"}),
        ("网会", BASE | {"c.网", "c.会", "cc1.网.会"}),
        ("乌镇", BASE | {"c-1.乌", "c.乌"}),
        # 互联网's pairs: 互联 (in three triggers) and 联网 (in two): its features go with 联网
        ("互联", BASE | {"c-1c.互.联"}),
        ("联网", BASE | {"c.网", "w1.互联网", "ww.l.互联*网"}),  # more than the text can look up: harmless
        ("互联网", BASE | {"c.网", "w1.互联网", "ww.l.互联*网", "c-1c.互.联"}),
        ("大会", BASE | {"c.会", "ww.r.**noWord*大会"}),
        ("2023年", BASE | {"c.**Num", "c-1c.**Num.年"}),
        ("ＡＢ", BASE | {"w-1.**Letter**Letter"}),
        ("AB", BASE),  # half-width letters stay themselves
    ],
)
def test_features_need_adds_the_shards_of_the_text(tmp_path, text, expected):
    folder, extractor = _model(tmp_path / "m", TABLE)
    features.write_shards(folder, extractor)
    shards = features.FeatureShards(folder)
    shards.need(text)
    assert shards.feature_to_idx == {k: TABLE[k] for k in expected}  # each with its index in the whole table


def test_features_need_all_gives_the_whole_table_and_the_extractor_reads_it(tmp_path):
    folder, extractor = _model(tmp_path / "m", TABLE)
    features.write_shards(folder, extractor)
    shards = features.FeatureShards(folder)
    assert not shards.complete
    shards.need_all()
    assert shards.complete and shards.feature_to_idx == TABLE
    assert shards.extractor.feature_to_idx is shards.feature_to_idx
    assert shards.extractor.unigram == {"互联网", "大会"} and shards.extractor.tag_to_idx == {"B": 0, "I": 1}
    assert shards.n_feature == len(TABLE)


def test_features_shards_are_stale_when_the_features_file_changes(tmp_path):
    folder, extractor = _model(tmp_path / "m", TABLE)
    assert not features.is_current(folder)  # not written yet
    features.write_shards(folder, extractor)
    assert features.is_current(folder)
    (folder / "features.pkl").write_bytes(b"another model")
    assert not features.is_current(folder)
    features.write_shards(folder, extractor)
    stamp = (folder / "features.pkl").stat()
    os.utime(folder / "features.pkl", ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
    assert not features.is_current(folder)
    (folder / features.FEATURE_SHARDS).write_bytes(b"not a pickle")
    assert not features.is_current(folder)


def test_features_a_missing_features_file_means_no_current_shards(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    assert not features.is_current(folder)
