"""Script and width: traditional → simplified (OpenCC), full-width → half-width.

:func:`to_simplified` converts phrase by phrase with OpenCC ``t2s``. Almost
every conversion keeps the length, and then characters map one to one. When a
phrase changes length the line is aligned with :mod:`difflib`: unchanged
characters keep their one-character ranges, a replaced run maps each new
character to the whole old run, and an inserted character borrows the range
of its neighbour so every character maps somewhere inside the source.

:func:`to_halfwidth` folds full-width digits, Latin letters and the symbols
that belong to numbers, units and addresses (``％ ． ＋ － ／ ＝ ＠ …``) to
ASCII, and ideographic space / NBSP to a plain space. Chinese punctuation
(``，。：；！？（）“”《》、～``) stays: sentence splitting and quotation
detection read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from kb.clean.offsets import Mapped, translate
from kb.rules.ruleset import Rule, alternation, load_section, load_words, rule_builder, rule_path

# Full-width forms folded to ASCII; everything else in U+FF01–U+FF5E stays.
HALFWIDTH_SYMBOLS = "％．＋－／＝＜＞＠＃＆＊＿＾＄＼｜"
SPACES = "\u3000\u00a0\u202f"
HALFWIDTH_TABLE: dict[str, str] = {
    **{chr(c): chr(c - 0xFEE0) for c in range(ord("０"), ord("９") + 1)},
    **{chr(c): chr(c - 0xFEE0) for c in range(ord("Ａ"), ord("Ｚ") + 1)},
    **{chr(c): chr(c - 0xFEE0) for c in range(ord("ａ"), ord("ｚ") + 1)},
    **{c: chr(ord(c) - 0xFEE0) for c in HALFWIDTH_SYMBOLS},
    **{c: " " for c in SPACES},
}


@lru_cache(maxsize=1)
def _converter():
    import opencc  # imported lazily: loading the dictionaries takes a moment

    return opencc.OpenCC("t2s")


class TaiwanTerm(Rule):
    """A Taiwan word (as ``t2s`` writes it) and the mainland word for the same thing."""

    taiwan: str
    mainland: str


@dataclass(frozen=True)
class TaiwanVocabulary:
    markers: tuple[str, ...]
    terms: dict[str, str]  # taiwan → mainland
    pattern: re.Pattern[str]  # the taiwan words, longest first


@rule_builder
def taiwan_vocabulary() -> TaiwanVocabulary:
    """``rules/lexicon.yaml``: section ``taiwan_markers`` (words that survive ``t2s`` only on
    pages in Taiwan's vocabulary: 网际网路, 软体; Hong Kong writes 互联网, 软件) and section
    ``taiwan_terms`` (what such a page's words are on the mainland: 网际网路 → 互联网)."""
    path = rule_path("lexicon")
    terms = {t.taiwan: t.mainland for t in load_section(path, "taiwan_terms", TaiwanTerm)}
    return TaiwanVocabulary(tuple(load_words(path, "taiwan_markers")), terms, re.compile(alternation(terms)))


def is_taiwan_variant(simplified_text: str) -> bool:
    """The page (already through ``t2s``) is written in Taiwan's vocabulary."""
    return any(marker in simplified_text for marker in taiwan_vocabulary().markers)


def _mainland_words(text: str) -> str:
    vocabulary = taiwan_vocabulary()
    return vocabulary.pattern.sub(lambda m: vocabulary.terms[m.group()], text)


def simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s, phrase level), without a map."""
    return _converter().convert(text)


def to_halfwidth(text: str) -> Mapped:
    """Full-width digits, letters and number symbols as ASCII; odd spaces as ' '."""
    return translate(text, HALFWIDTH_TABLE)


def to_simplified(text: str) -> Mapped:
    """``text`` in simplified characters, mapped (one to one where lengths agree). A page in
    Taiwan's vocabulary (:func:`is_taiwan_variant`: 網際網路, 軟體) goes through OpenCC
    gets its words in mainland form too (``taiwan_terms``: 网际网路 → 互联网, 人工智慧 → 人工智能);
    mainland and Hong Kong text keeps its words (智慧 stays 智慧)."""
    converted = _converter().convert(text)
    taiwan = is_taiwan_variant(converted)
    convert = (lambda line: _mainland_words(_converter().convert(line))) if taiwan else _converter().convert
    if taiwan:
        converted = convert(text)
    if len(converted) == len(text):
        return Mapped(converted, *_identity_ranges(0, len(text)), len(text))
    starts: list[int] = []
    ends: list[int] = []
    parts: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        new = convert(line)
        line_starts, line_ends = _align(line, new)
        parts.append(new)
        starts.extend(s + offset for s in line_starts)
        ends.extend(e + offset for e in line_ends)
        offset += len(line)
    return Mapped("".join(parts), tuple(starts), tuple(ends), len(text))


def _identity_ranges(start: int, end: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return tuple(range(start, end)), tuple(range(start + 1, end + 1))


def _align(old: str, new: str) -> tuple[list[int], list[int]]:
    """Per character of ``new``, its range in ``old`` (a converted copy of it)."""
    if len(old) == len(new):
        return list(range(len(old))), list(range(1, len(old) + 1))
    starts: list[int] = []
    ends: list[int] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            starts.extend(range(i1, i2))
            ends.extend(range(i1 + 1, i2 + 1))
        elif tag == "replace":
            starts.extend([i1] * (j2 - j1))
            ends.extend([i2] * (j2 - j1))
        elif tag == "insert":  # borrow the neighbouring source character
            anchor = i1 - 1 if i1 > 0 else min(i1, len(old) - 1)
            starts.extend([max(anchor, 0)] * (j2 - j1))
            ends.extend([max(anchor, 0) + 1 if old else 0] * (j2 - j1))
    return starts, ends
