"""pkuseg's feature table, loaded as the texts need it.

pkuseg scores each character of a text with features such as ``c.网``,
``cc1.网.络``, ``w1.互联网`` or ``ww.l.互联*网``: strings looked up in a dict
of 2.6 million entries (``feature_to_idx``) that takes most of the model's
load time to build. Each feature is made of a run of the text's characters
(after pkuseg's normalisation: digits become ``**Num``, full-width letters
``**Letter``, ``-._,|/*:`` become ``&``): its *trigger*. ``cc1.网.络`` is
looked up only where ``网络`` occurs, ``w1.互联网`` only where ``互联网`` does.

So ``kb model fetch`` writes ``features.shards`` beside the model: the table
cut into shards by a pair of adjacent characters of each feature's trigger,
the pair fewest triggers hold (a trigger of one character is its own shard;
features of no character, such as ``$$``, are always there). Before pkuseg segments a text,
:meth:`FeatureShards.need` adds the shards of the text's characters and
pairs of adjacent characters not seen yet to the dict pkuseg reads: every
feature the text can look up is then there, with the index it has in the
whole table, so the segmentation is the model's own (tests compare the two
on real text). 34 real articles need about 3% of the table.

Also left out: the ``bigram`` set, which pkuseg only reads when training.

The file is derived data, like ``weights.npy``: it records the size and
modification time of the features file it was cut from, and is ignored when
they differ (kb then loads the table whole, as spacy-pkuseg does).

Layout: a pickled stamp (format, source: all :func:`is_current` reads), a
pickled header (tags, unigram words; per shard, in order of its code, the
code and where its rows start in the file), then
the rows: every feature string joined by NUL in UTF-8, then their indexes
in the whole table as little-endian int32.
"""

from __future__ import annotations

import mmap
import pickle
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import spacy_pkuseg

FEATURE_SHARDS = "features.shards"
FORMAT = 4
_FE = spacy_pkuseg.FeatureExtractor
# pkuseg's multi-character nodes, each written as one private-use character in a trigger
_NUM, _LETTER, _NO_WORD = "\ue000", "\ue001", "\ue002"
_NODES = {"**Num": _NUM, "**Letter": _LETTER, "**noWord": _NO_WORD}
# pkuseg's normalisation (FeatureExtractor.normalize_text) as one table, nodes as above
_NORMALISE = str.maketrans({**dict.fromkeys(_FE.num, _NUM), **dict.fromkeys(_FE.letter, _LETTER),
                            **dict.fromkeys(_FE.keywords, "&")})
# feature name → how its trigger is written after it: one run, two nodes "X.Y", two words "A*B"
_KINDS = {**dict.fromkeys(("c.", "c-1.", "c1.", "c-2.", "c2.", "w-1.", "w1."), ""),
          **dict.fromkeys(("c-1c.", "cc1.", "c-2c-1."), "."), **dict.fromkeys(("ww.l.", "ww.r."), "*")}
_ALWAYS = -1  # the code of the shard every text needs
_INDEX = np.dtype("<i4")


def trigger(feature: str) -> str:
    """The run of (normalised) text a feature is made of, multi-character nodes written as
    one character each; ``""`` for a feature of no text, or of a kind kb does not know."""
    for name, separator in _KINDS.items():
        if feature.startswith(name):
            rest = feature[len(name):]
            for node, char in _NODES.items():
                rest = rest.replace(node, char)
            if separator and rest.count(separator) == 1:
                rest = rest.replace(separator, "")
            elif separator:
                return ""
            return rest.replace(_NO_WORD, "")
    return ""


def code(gram: str) -> int:
    """A character or a pair of characters as one number: the key of a shard."""
    if not gram:
        return _ALWAYS
    return ord(gram[0]) << 22 | (ord(gram[1]) + 1 if len(gram) > 1 else 0)


def pairs(run: str) -> set[str]:
    """The pairs of adjacent characters of ``run``."""
    return {run[i : i + 2] for i in range(len(run) - 1)}


def shard_keys(runs: list[str]) -> list[str]:
    """The shard of each trigger in ``runs``: a trigger of one character (or none) is its
    own; a longer one occurs only where each of its pairs of characters does, so it goes
    with the pair that fewest triggers hold (the shard a text needs least often)."""
    counts = Counter(pair for run in runs if len(run) > 1 for pair in pairs(run))
    return [run if len(run) < 2 else min(pairs(run), key=lambda p: (counts[p], p)) for run in runs]


def text_codes(text: str) -> np.ndarray:
    """The codes of every character and pair of adjacent characters of ``text``, normalised
    as pkuseg normalises it, once each."""
    chars = np.frombuffer(text.translate(_NORMALISE).encode("utf-32-le"), dtype="<u4").astype(np.int64)
    return np.unique(np.concatenate([chars << 22, chars[:-1] << 22 | (chars[1:] + 1), [_ALWAYS]]))


def source_file(model: Path) -> Path | None:
    """The features file spacy-pkuseg would read in ``model`` (msgpack before pickle)."""
    for name in ("features.msgpack", "features.pkl"):
        if (model / name).is_file():
            return model / name
    return None


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def write_shards(model: Path, features) -> Path:
    """Write ``features.shards`` in ``model`` from spacy-pkuseg's ``FeatureExtractor``
    ``features`` (whole, or not at all)."""
    table: dict[str, int] = features.feature_to_idx
    if any("\0" in key for key in table):
        raise ValueError("a pkuseg feature holds NUL: not cut into shards")
    keys = list(table)
    shard_of = dict(zip(keys, map(code, shard_keys([trigger(key) for key in keys]))))
    rows = sorted(keys, key=lambda key: (shard_of[key], table[key]))
    codes = np.array([shard_of[key] for key in rows], dtype=np.int64)
    data = [key.encode("utf-8") + b"\0" for key in rows]
    ends = np.cumsum([len(d) for d in data])
    firsts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    stamp = {"format": FORMAT, "source": _stamp(source_file(model))}
    header = {"n_feature": len(table),
              "tag_to_idx": dict(features.tag_to_idx), "unigram": sorted(features.unigram),
              "codes": codes[firsts], "rows": np.r_[firsts, len(rows)],
              "bytes": np.r_[0, ends][np.r_[firsts, len(rows)]]}
    with tempfile.NamedTemporaryFile(dir=model, prefix=".features-", suffix=".shards", delete=False) as out:
        pickle.dump(stamp, out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(header, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(b"".join(data))
        out.write(np.array([table[key] for key in rows], dtype=_INDEX).tobytes())
    shutil.copymode(source_file(model), out.name)  # readable as the model is
    target = model / FEATURE_SHARDS
    Path(out.name).replace(target)
    return target


def is_current(model: Path) -> bool:
    """``features.shards`` is there and was cut from the model's features file as it is now."""
    path, source = model / FEATURE_SHARDS, source_file(model)
    if not path.is_file() or source is None:
        return False
    try:
        with path.open("rb") as handle:
            stamp = pickle.load(handle)  # the small first object only: the header follows
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, AttributeError, ImportError):
        return False
    return isinstance(stamp, dict) and stamp.get("format") == FORMAT and tuple(stamp.get("source", ())) == _stamp(source)


class FeatureShards:
    """The feature table of one model, filled shard by shard (:meth:`need`).

    :attr:`extractor` is the pkuseg ``FeatureExtractor`` that reads it: its
    ``feature_to_idx`` is the dict that grows as texts need it."""

    def __init__(self, model: Path):
        with (model / FEATURE_SHARDS).open("rb") as handle:
            stamp = pickle.load(handle)
            if stamp.get("format") != FORMAT:
                raise ValueError(f"{model / FEATURE_SHARDS}: format {stamp.get('format')!r}, not {FORMAT}")
            header = pickle.load(handle)
            base = handle.tell()
            self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._codes: np.ndarray = header["codes"]
        self._rows: np.ndarray = header["rows"]
        self._bytes: np.ndarray = header["bytes"] + base
        # each row's index in the whole table, after the rows' strings
        self._ids = np.frombuffer(self._data, dtype=_INDEX, count=int(header["rows"][-1]),
                                  offset=base + int(header["bytes"][-1]))
        self._loaded = np.zeros(len(self._codes), dtype=bool)
        self.n_feature: int = header["n_feature"]
        self.feature_to_idx: dict[str, int] = {}
        self.extractor = _FE.__new__(_FE)
        self.extractor.feature_to_idx = self.feature_to_idx
        self.extractor.tag_to_idx = header["tag_to_idx"]
        self.extractor.unigram = set(header["unigram"])
        self.extractor.bigram = set()  # read by pkuseg's training only

    def need(self, text: str) -> None:
        """Add the shards ``text`` needs that were not added yet."""
        wanted = text_codes(text)
        at = np.searchsorted(self._codes, wanted)
        inside = at < len(self._codes)
        at, wanted = at[inside], wanted[inside]
        self._add(at[self._codes[at] == wanted])

    def need_all(self) -> None:
        """Add every shard: the whole table (before forking workers that share it)."""
        self._add(np.arange(len(self._codes)))

    def _add(self, shards: np.ndarray) -> None:
        shards = shards[~self._loaded[shards]]
        if not len(shards):
            return
        self._loaded[shards] = True
        # all the shards' strings decoded at once (each ends in NUL), their indexes gathered at once
        data = self._data
        text = b"".join([data[a:b] for a, b in zip(self._bytes[shards].tolist(), self._bytes[shards + 1].tolist())])
        first, sizes = self._rows[shards], self._rows[shards + 1] - self._rows[shards]
        rows = np.arange(sizes.sum()) + np.repeat(first - np.cumsum(sizes) + sizes, sizes)
        self.feature_to_idx.update(zip(text[:-1].decode("utf-8").split("\0"), self._ids[rows].tolist()))

    @property
    def complete(self) -> bool:
        return len(self.feature_to_idx) == self.n_feature


class ShardedPkuseg(spacy_pkuseg.pkuseg):
    """A pkuseg segmenter whose feature table is :class:`FeatureShards`, filled before a
    text is segmented: once for the whole text in ``cut`` (which segments it piece by
    piece), else for the piece in ``_cut``, where every path ends."""

    shards: FeatureShards
    _filled = False  # inside cut: the whole text's shards are there

    def cut(self, txt):
        self.shards.need(txt)
        self._filled = True
        try:
            return super().cut(txt)
        finally:
            self._filled = False

    def _cut(self, text):
        if not self._filled:
            self.shards.need(text)
        return super()._cut(text)
