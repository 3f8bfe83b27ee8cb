"""The spaCy Chinese pipeline: pkuseg segmentation, a user dictionary from rules/, sentences,
and kb's components after them (:mod:`kb.extract.components`): :func:`load_nlp`.

The pkuseg model takes seconds and about 1 GB to load, so it is loaded once per
process and model path, and shared by every pipeline (:func:`load_pipeline`
makes one per set of arguments). A :class:`~spacy.tokens.Doc` made by
:func:`make_doc` carries its article and offset map, so any span can be turned
into provenance in the original file (:func:`provenance`).
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, NamedTuple

import numpy
import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
from spacy.errors import Errors
from spacy.lang import zh
from spacy.language import Language
from spacy.tokens import Doc

from kb import paths
from kb.nlp.model import require, weights
from kb.clean.offsets import Mapped
from kb.nlp.text import SENTENCE_ENDS, TEXT_KEY, text_of
from kb.rules.ruleset import read_rule_file

Segmenter = Literal["pkuseg", "char"]
Tagger = Literal["lac", "none"]
# Sentence-final punctuation (kb.nlp.text); line breaks are handled as whitespace tokens.
SENTENCE_END = frozenset(SENTENCE_ENDS) - {"\n"}
# Closing quotes and brackets stay with the sentence they end: 他说：“好。”
_CLOSERS = frozenset("”’」』）)》")
_SENTENCES = "kb_sentences"
_TOKENS = "kb_tokens"
_CLEAN_SPANS = "kb_clean_spans"
_NAME_RE = re.compile(r"^[\u4e00-\u9fff·]{3,}$")

Doc.set_extension("article", default=None, force=True)
Doc.set_extension("textmap", default=None, force=True)


def load_pipeline(
    model: str | None = None, segmenter: Segmenter = "pkuseg", tagger: Tagger = "lac", rules: str | None = None
) -> Language:
    """The whole kb pipeline (see :mod:`kb.extract.components`), made once per process and arguments.

    ``model`` defaults to :func:`kb.paths.model_dir` (``KB_PKUSEG_MODEL`` or the cache).
    ``tagger``: the name tagger proposing people and organisations (:mod:`kb.nlp.tagger`), or none.
    ``rules``: the rules folder of the ``kb_facts`` component (None: the configured one).
    The user dictionary holds the names in those rules (:func:`rule_names`).
    """
    return _pipeline(model, segmenter, tagger, rules)


# A few pipelines at most: they share the segmenter model (_pkuseg) and the tagger.
@lru_cache(maxsize=8)
def _pipeline(model: str | None, segmenter: Segmenter, tagger: Tagger, rules: str | None) -> Language:
    import kb.extract.components  # noqa: F401  registers kb_rules, kb_facts, kb_mentions, kb_ents

    nlp = _blank_pipeline(model, segmenter)
    nlp.add_pipe("kb_sentences")
    if tagger != "none":
        import kb.nlp.tagger  # noqa: F401  registers the kb_tagger factory; loads onnxruntime only when used

        nlp.add_pipe("kb_tagger", config={"model": tagger})
    nlp.add_pipe("kb_rules", config={"rules": rules})
    facts = nlp.add_pipe("kb_facts", config={"rules": rules})
    nlp.add_pipe("kb_mentions")
    nlp.add_pipe("kb_ents")
    if segmenter != "char":
        with facts.ruleset().active() as ruleset:
            set_user_words(nlp, rule_names(ruleset.folder))
    return nlp


def load_nlp(
    model: str | None = None, *, segmenter: Segmenter = "pkuseg", tagger: Tagger = "lac", rules: str | Path | None = None
) -> Language:
    """kb as a spaCy pipeline: ``nlp(text)`` and ``nlp.pipe(texts)`` give ``doc._.facts``,
    ``doc.ents`` and ``doc.spans["kb"]`` (:mod:`kb.extract.components`); see :func:`load_pipeline`."""
    return load_pipeline(model, segmenter, tagger, str(rules) if rules is not None else None)


def _blank_pipeline(model: str | None, segmenter: Segmenter) -> Language:
    """A Chinese Language with no components; its pkuseg segmenter shares the model loaded
    once per path (:func:`_pkuseg`), with a user dictionary of its own."""
    if segmenter == "char":
        return spacy.blank("zh")
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "kb.ChineseTokenizer", "segmenter": "pkuseg"}}})
    # A shallow copy: set_user_words replaces its dictionary, not the shared one.
    nlp.tokenizer.pkuseg_seg = copy.copy(_pkuseg(str(require(paths.model_dir(model)))))
    return nlp


class ChineseTokenizer(zh.ChineseTokenizer):
    """spaCy's Chinese tokenizer, with the segmenter's words found in the text in linear time
    (:func:`words_and_spaces`)."""

    def __call__(self, text: str) -> Doc:
        if self.segmenter != "pkuseg" or self.pkuseg_seg is None:
            return super().__call__(text)
        words, spaces = words_and_spaces(self.pkuseg_seg.cut(text), text)
        return Doc(self.vocab, words=words, spaces=spaces)


@spacy.registry.tokenizers("kb.ChineseTokenizer")
def create_tokenizer(segmenter: str = "char"):
    """The ``kb.ChineseTokenizer`` of a pipeline's config: :class:`ChineseTokenizer`."""
    return lambda nlp: ChineseTokenizer(nlp.vocab, segmenter=segmenter)


def words_and_spaces(words: list[str], text: str) -> tuple[list[str], list[bool]]:
    """``spacy.util.get_words_and_spaces``, which finds each word in the rest of the text by
    slicing it (a copy of the rest per word: quadratic in the text's length), finding it in
    place instead: the same words and spaces (a test compares them)."""
    if "".join("".join(words).split()) != "".join(text.split()):
        raise ValueError(Errors.E194.format(text=text, words=words))
    out_words: list[str] = []
    out_spaces: list[bool] = []
    at = 0
    for word in words:
        if word.isspace():
            continue
        try:
            start = text.index(word, at)
        except ValueError:
            raise ValueError(Errors.E194.format(text=text, words=words)) from None
        if start > at:
            out_words.append(text[at:start])
            out_spaces.append(False)
        out_words.append(word)
        out_spaces.append(False)
        at = start + len(word)
        if at < len(text) and text[at] == " ":
            out_spaces[-1] = True
            at += 1
    if at < len(text):
        out_words.append(text[at:])
        out_spaces.append(False)
    return out_words, out_spaces


@lru_cache(maxsize=2)
def _pkuseg(model_path: str):
    """The pkuseg segmenter of ``model_path``: seconds and about 1 GB to load.

    Built as ``spacy_pkuseg.pkuseg(model_path, user_dict="default")`` builds it
    (what spaCy's ``initialize`` does), except for what ``kb model fetch`` wrote
    beside the model: the weights come from :func:`kb.nlp.model.weights`,
    mapped into memory from ``weights.npy`` instead of read and copied from
    ``weights.npz``; and the feature table from ``features.shards``, a
    character's shard at a time as texts need them (:mod:`kb.nlp.features`),
    instead of built whole."""
    import spacy_pkuseg

    from kb.nlp import features as sharded

    path = Path(model_path)
    if sharded.is_current(path):
        shards = sharded.FeatureShards(path)
        seg = sharded.ShardedPkuseg.__new__(sharded.ShardedPkuseg)
        seg.shards, features, n_feature = shards, shards.extractor, shards.n_feature
    else:
        # spacy-pkuseg prints a notice when it falls back to features.pkl: keep the terminal clean.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            features = spacy_pkuseg.FeatureExtractor.load(model_path)
        seg, n_feature = spacy_pkuseg.pkuseg.__new__(spacy_pkuseg.pkuseg), len(features.feature_to_idx)
    seg.postag = False
    seg.preprocesser = spacy_pkuseg.Preprocesser(None)
    seg.postprocesser = spacy_pkuseg.Postprocesser(None, [str(Path(spacy_pkuseg.__file__).parent / "dicts" / "default.pkl")])
    seg.feature_extractor = features
    seg.idx_to_tag = {idx: tag for tag, idx in features.tag_to_idx.items()}
    seg.n_feature, seg.n_tag = n_feature, len(features.tag_to_idx)
    seg.model = spacy_pkuseg.Model.__new__(spacy_pkuseg.Model)
    seg.model.n_tag, seg.model.n_feature = seg.n_tag, seg.n_feature
    seg.model.n_transition_feature = seg.n_tag * (seg.n_feature + seg.n_tag)
    seg.model.w = weights(path, seg.model.n_transition_feature)
    return seg


def load_whole_model(nlp: Language) -> None:
    """Fill the segmenter's feature table whole (it is filled as texts need it otherwise):
    before forking workers, so they share one table instead of building one each."""
    shards = getattr(getattr(nlp.tokenizer, "pkuseg_seg", None), "shards", None)
    if shards is not None:
        shards.need_all()


def set_sentence_starts(doc: Doc) -> Doc:
    """Sentences end after 。！？； (with the quotes and marks closing them) and at
    line breaks, whatever tokens the segmenter made of them. Their character
    spans are kept too (:func:`sentence_spans`): spaCy's ``doc.sents`` rebuilds
    every token on each call."""
    text = text_of(doc)
    spans = doc.to_array([IDX, LENGTH, IS_SPACE]).tolist()  # no Token objects: see words_of
    flags = sentence_start_flags([text[i : i + n] for i, n, _ in spans], [bool(space) for _, _, space in spans])
    # One pass through from_array: the Token.is_sent_start setter scans the whole Doc on each call.
    doc.from_array([SENT_START], numpy.array([1 if f else -1 for f in flags], dtype=numpy.int64).astype(numpy.uint64))
    starts = [i for (i, _, _), flag in zip(spans, flags) if flag]
    doc.user_data[_SENTENCES] = list(zip(starts, [*starts[1:], len(text)]))
    return doc


@Language.factory("kb_sentences", default_config={})
def make_sentences(nlp: Language, name: str):
    """``kb_sentences``: :func:`set_sentence_starts`."""
    return set_sentence_starts


def sentence_start_flags(words: list[str], spaces: list[bool]) -> list[bool]:
    """Whether each token starts a sentence (the kb_sentences rule, on token texts)."""
    ended = False
    flags = []
    for i, (word, is_space) in enumerate(zip(words, spaces)):
        trailing = is_space or all(c in SENTENCE_END or c in _CLOSERS for c in word)
        flags.append(i == 0 or (ended and not trailing))
        if ended and trailing:
            continue
        ended = "\n" in word or word[-1] in SENTENCE_END
    return flags


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """``(start_char, end_char)`` of each sentence that the kb_sentences component set."""
    return doc.user_data[_SENTENCES]


def set_user_words(nlp: Language, words: Iterable[str]) -> None:
    """Replace the segmenter's user dictionary, so each word segments as one unit."""
    if getattr(nlp.tokenizer, "segmenter", None) != "pkuseg":
        return
    nlp.tokenizer.pkuseg_update_user_dict(sorted(set(words)), reset=True)


def rule_names(rules_dir: Path | None = None) -> list[str]:
    """Every Chinese ``name`` and alias that a rule in rules/*.yaml declares.

    Files are read as the rule loaders read them (:func:`kb.rules.ruleset.read_rule_file`),
    so a bad one is a one-line RuleError, not a traceback after the model load."""
    names: set[str] = set()
    for path in sorted((rules_dir or paths.rules_dir()).glob("*.yaml")):
        data = read_rule_file(path)
        for section in data.values():
            for rule in section if isinstance(section, list) else ():
                if isinstance(rule, dict):
                    names.update(_names_of(rule))
    return sorted(names)


def _names_of(rule: dict) -> Iterable[str]:
    candidates = [rule.get("name"), *(rule.get("aliases") or [])]
    return (n for n in candidates if isinstance(n, str) and _NAME_RE.match(n))


class Word(NamedTuple):
    """A segmenter token as the finders read it: where it starts and its text."""

    idx: int
    text: str


def words_of(doc: Doc) -> list[Word]:
    """The Doc's tokens as :class:`Word` s, read from its arrays: spaCy would make a
    :class:`~spacy.tokens.Token` object for each, which costs more than the finders' work."""
    text = text_of(doc)
    return [Word(i, text[i : i + n]) for i, n in doc.to_array([IDX, LENGTH]).tolist()]


class TokenIndex:
    """A Doc's tokens (as :class:`Word` s) by the character offset where they start, end, or cover."""

    def __init__(self, doc: Doc):
        words = words_of(doc)
        self.by_start = {w.idx: w for w in words}
        self.by_end = {w.idx + len(w.text): w for w in words}
        self.by_char = {i: w for w in words for i in range(w.idx, w.idx + len(w.text))}


def token_index(doc: Doc) -> TokenIndex:
    """The :class:`TokenIndex` of ``doc``, built once and kept with it."""
    if _TOKENS not in doc.user_data:
        doc.user_data[_TOKENS] = TokenIndex(doc)
    return doc.user_data[_TOKENS]


def make_doc(nlp: Language, article, textmap: Mapped) -> Doc:
    """Run ``nlp`` on the clean text; the Doc keeps its article and map to the original."""
    doc = nlp.make_doc(textmap.text)
    doc.user_data[TEXT_KEY] = textmap.text  # what doc.text gives, without joining every token again
    doc._.article = article
    doc._.textmap = textmap
    for _, component in nlp.pipeline:  # components may read the article and the map
        doc = component(doc)
    return doc


def provenance(doc: Doc, start_char: int, end_char: int, rule: str) -> dict:
    """``{doc, start, end, quote, rule}`` for clean characters ``[start_char, end_char)``,
    pointing into the article as it is on disk. The Doc remembers the clean span of every
    provenance it gave (:func:`clean_span`)."""
    article = doc._.article
    start, end = doc._.textmap.span(start_char, end_char)
    doc.user_data.setdefault(_CLEAN_SPANS, {}).setdefault((start, end), (start_char, end_char))
    return {"doc": article.id, "start": start, "end": end, "quote": article.text[start:end], "rule": rule}


def clean_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The clean characters of the provenance ``[start, end)`` in the original file that
    :func:`provenance` gave for ``doc`` (the first, if several clean spans map there), else None."""
    return doc.user_data.get(_CLEAN_SPANS, {}).get((start, end))
