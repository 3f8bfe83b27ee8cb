"""pkuseg's feature table, loaded a character at a time.

pkuseg scores each character of a text with features such as ``c.网``,
``cc1.网.络`` or ``w1.互联网``: strings looked up in a dict of 2.6 million
entries (``feature_to_idx``) that takes most of the model's load time to
build. A feature is looked up only when every character in it occurs in the
text, or in the ASCII of pkuseg's own prefixes and tokens (``cc1.``,
``**Num``). So ``kb model fetch`` writes ``features.shards`` beside the model:
the table cut into one shard per character, each feature in the shard of its
rarest character (the one fewest features contain; ASCII only when it has
nothing else). Before pkuseg segments a
text, :meth:`FeatureShards.need` adds the shards of the text's characters not
seen yet to the dict pkuseg reads: every feature the text can look up is
then there, with the index it has in the full table, so the segmentation is
the model's own (a test compares the two on real text). An article's
characters need about a tenth of the table, 34 articles about three fifths.

Also left out: the ``bigram`` set, which pkuseg only reads when training.

The file is derived data, like ``weights.npy``: it records the size and
modification time of the features file it was cut from, and is ignored when
they differ (kb then loads the table whole, as spacy-pkuseg does).

Layout: a pickled header (format, source, tags, unigram words, and for each
character the offset, byte length and count of its shard), then the shards:
each its feature strings joined by NUL in UTF-8, then their indexes as
little-endian int32.
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
FORMAT = 1
# The characters of pkuseg's feature prefixes and special tokens: always needed.
ASCII = frozenset(map(chr, range(128)))
_INDEX = np.dtype("<i4")


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
    counts = Counter(c for key in table for c in set(key))
    shards: dict[str, list[str]] = {}
    for key in table:
        # An ASCII character's shard is always added: only features of nothing else go there.
        shards.setdefault(min(set(key) or {""}, key=lambda c: (c in ASCII, counts[c], c)), []).append(key)
    index, blobs, offset = {}, [], 0
    for char, keys in shards.items():
        if any("\0" in k for k in keys):
            raise ValueError("a pkuseg feature holds NUL: not cut into shards")
        text = "\0".join(keys).encode("utf-8")
        ids = np.array([table[k] for k in keys], dtype=_INDEX).tobytes()
        index[char] = (offset, len(text), len(keys))
        blobs += [text, ids]
        offset += len(text) + len(ids)
    header = {"format": FORMAT, "source": _stamp(source_file(model)), "n_feature": len(table),
              "tag_to_idx": dict(features.tag_to_idx), "unigram": sorted(features.unigram), "index": index}
    with tempfile.NamedTemporaryFile(dir=model, prefix=".features-", suffix=".shards", delete=False) as out:
        pickle.dump(header, out, protocol=pickle.HIGHEST_PROTOCOL)
        for blob in blobs:
            out.write(blob)
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
            header = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError):
        return False
    return header.get("format") == FORMAT and tuple(header.get("source", ())) == _stamp(source)


class FeatureShards:
    """The feature table of one model, filled shard by shard (:meth:`need`).

    :attr:`extractor` is the pkuseg ``FeatureExtractor`` that reads it: its
    ``feature_to_idx`` is the dict that grows as texts need it."""

    def __init__(self, model: Path):
        handle = (model / FEATURE_SHARDS).open("rb")
        with handle:
            header = pickle.load(handle)
            base = handle.tell()
            if header.get("format") != FORMAT:
                raise ValueError(f"{model / FEATURE_SHARDS}: format {header.get('format')!r}, not {FORMAT}")
            self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._base = base
        self._index: dict[str, tuple[int, int, int]] = header["index"]
        self.n_feature: int = header["n_feature"]
        self.feature_to_idx: dict[str, int] = {}
        self.extractor = spacy_pkuseg.FeatureExtractor.__new__(spacy_pkuseg.FeatureExtractor)
        self.extractor.feature_to_idx = self.feature_to_idx
        self.extractor.tag_to_idx = header["tag_to_idx"]
        self.extractor.unigram = set(header["unigram"])
        self.extractor.bigram = set()  # read by pkuseg's training only
        self._seen: set[str] = set()
        self.need(ASCII)

    def need(self, chars) -> None:
        """Add the shards of ``chars`` (any iterable of characters, e.g. a text) not added yet."""
        for char in set(chars) - self._seen:
            self._seen.add(char)
            found = self._index.get(char)
            if found is None:
                continue
            offset, size, count = found
            start = self._base + offset
            keys = self._data[start : start + size].decode("utf-8").split("\0")
            ids = np.frombuffer(self._data, dtype=_INDEX, count=count, offset=start + size).tolist()
            self.feature_to_idx.update(zip(keys, ids))

    def need_all(self) -> None:
        """Add every shard: the whole table (before forking workers that share it)."""
        self.need(self._index)

    @property
    def complete(self) -> bool:
        return len(self.feature_to_idx) == self.n_feature


class ShardedPkuseg(spacy_pkuseg.pkuseg):
    """A pkuseg segmenter whose feature table is :class:`FeatureShards`, filled before
    each piece of text is segmented (``_cut`` is where every path of ``cut`` ends)."""

    shards: FeatureShards

    def _cut(self, text):
        self.shards.need(text)
        return super()._cut(text)
