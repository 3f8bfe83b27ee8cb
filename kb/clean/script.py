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

from difflib import SequenceMatcher
from functools import lru_cache

from kb.clean.offsets import Mapped, translate

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


def simplified(text: str) -> str:
    """``text`` in simplified characters (OpenCC t2s, phrase level), without a map."""
    return _converter().convert(text)


def to_halfwidth(text: str) -> Mapped:
    """Full-width digits, letters and number symbols as ASCII; odd spaces as ' '."""
    return translate(text, HALFWIDTH_TABLE)


def to_simplified(text: str) -> Mapped:
    """``text`` in simplified characters, mapped (one to one where lengths agree)."""
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return Mapped(converted, *_identity_ranges(0, len(text)), len(text))
    starts: list[int] = []
    ends: list[int] = []
    parts: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        new = _converter().convert(line)
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
