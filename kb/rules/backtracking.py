"""Catastrophic backtracking, found in a rule regex before it ever runs.

Python's regex engine backtracks: when a repeated part can match the same text
in more than one way (``(a+)+$``, ``(a|a)*b``, ``(.*)*x``), a match that fails
tries exponentially many ways to split the text, and one article stalls the
build. :func:`backtracking_risk` reads the parsed pattern (``re._parser``) and
checks every repeat: inside it, each choice the engine makes — go round an
inner repeat once more or stop, take an optional part or skip it, which
alternative — must be settled by the next character alone (the first
characters of the two ways must not overlap; the end of the repeated part is
followed by its start). Then a text can be split one way only. A repeated
part that can match nothing is refused too.

This refuses ``(a+)+``, ``(\\w+\\s?)+``, ``(a|aa)*`` and ``(\\s*\\n)+``, and accepts
``(a|ab)*``, ``(\\d+,)+`` and ``(《[^》]+》)+``. Possessive repeats (``a++``) and atomic groups
(``(?>…)``) never give back what they matched, so they are the way out of a
refusal. Not checked: polynomial backtracking of repeats side by side outside
any repeat (``\\d+\\d+x``), and case-insensitive overlaps (``(?i)``).
"""

from __future__ import annotations

import re
import sys
from array import array
from functools import lru_cache
from re import _constants as C
from re import _parser

Chars = tuple[tuple[int, int], ...]  # sorted, disjoint, inclusive code point ranges

_ALL: Chars = ((0, sys.maxunicode),)
_NONE: Chars = ()
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)  # POSSESSIVE_REPEAT never backtracks
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def backtracking_risk(pattern: str) -> str | None:
    """Why ``pattern`` can backtrack catastrophically, or None. ``pattern`` must compile."""
    return _scan(_parser.parse(pattern))


# --- character sets ------------------------------------------------------------


def _union(*sets: Chars) -> Chars:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(r for s in sets for r in s):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(chars: Chars) -> Chars:
    gaps, start = [], 0
    for lo, hi in chars:
        if lo > start:
            gaps.append((start, lo - 1))
        start = hi + 1
    return tuple(gaps + [(start, sys.maxunicode)] if start <= sys.maxunicode else gaps)


def _common(a: Chars, b: Chars) -> str | None:
    """A character in both sets, or None."""
    i = j = 0
    while i < len(a) and j < len(b):
        (lo, hi), (lo2, hi2) = a[i], b[j]
        if max(lo, lo2) <= min(hi, hi2):
            return chr(max(lo, lo2))
        if hi < hi2:
            i += 1
        else:
            j += 1
    return None


@lru_cache(maxsize=1)
def _every_character() -> str:
    """All of Unicode in one string (built through bytes: far faster than chr())."""
    return array("I", range(sys.maxunicode + 1)).tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=None)
def _category(name: str) -> Chars:
    """``\\d``, ``\\s``, ``\\w`` (Unicode) and their negations as ranges."""
    base = next((r for key, r in (("DIGIT", r"\d"), ("SPACE", r"\s"), ("WORD", r"\w"), ("LINEBREAK", r"\n"))
                 if key in name), None)
    if base is None:
        return _ALL
    chars = tuple((m.start(), m.end() - 1) for m in re.finditer(base + "+", _every_character()))
    return _complement(chars) if "_NOT_" in name else chars


def _char_class(items) -> Chars:
    parts = []
    for op, av in items:
        if op is C.LITERAL:
            parts.append(((av, av),))
        elif op is C.RANGE:
            parts.append((av,))
        elif op is C.CATEGORY:
            parts.append(_category(str(av)))
        elif op is not C.NEGATE:
            parts.append(_ALL)
    chars = _union(*parts)
    return _complement(chars) if items and items[0][0] is C.NEGATE else chars


# --- first characters ------------------------------------------------------------


def _first(seq) -> tuple[Chars, bool]:
    """The characters a match of ``seq`` can start with, and whether it can match nothing."""
    found = []
    for op, av in seq:
        chars, empty = _first_of(op, av)
        found.append(chars)
        if not empty:
            return _union(*found), False
    return _union(*found), True


def _first_of(op, av) -> tuple[Chars, bool]:
    if op is C.LITERAL:
        return ((av, av),), False
    if op is C.NOT_LITERAL:
        return _complement(((av, av),)), False
    if op is C.ANY:
        return _ALL, False
    if op is C.IN:
        return _char_class(av), False
    if op is C.SUBPATTERN:
        return _first(av[3])
    if op is C.ATOMIC_GROUP:
        return _first(av)
    if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
        chars, empty = _first(av[2])
        return chars, empty or av[0] == 0
    if op in (C.BRANCH, C.GROUPREF_EXISTS):
        alternatives = [_first(alt) if alt is not None else (_NONE, True) for alt in _alternatives(op, av)]
        return _union(*(c for c, _ in alternatives)), any(e for _, e in alternatives)
    if op in _ZERO_WIDTH:
        return _NONE, True
    return _ALL, True  # a back reference: anything, or nothing


def _alternatives(op, av) -> list:
    return list(av[1]) if op is C.BRANCH else [av[1], av[2]]


# --- the check ------------------------------------------------------------------


def _scan(seq) -> str | None:
    """The risk of the first repeat in ``seq``, at any depth, that has one."""
    for op, av in seq:
        if op in _REPEATS and av[1] > 1:
            risk = _repeat_risk(av[2])
            if risk:
                return risk
        for child in _children(op, av):
            risk = _scan(child)
            if risk:
                return risk
    return None


def _children(op, av) -> list:
    if op is C.SUBPATTERN:
        return [av[3]]
    if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
        return [av[2]]
    if op is C.ATOMIC_GROUP:
        return [av]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [av[1]]
    if op in (C.BRANCH, C.GROUPREF_EXISTS):
        return [alt for alt in _alternatives(op, av) if alt is not None]
    return []


def _repeat_risk(body) -> str | None:
    chars, empty = _first(body)
    if empty:
        return "a repeated part can match nothing"
    return _walk(body, chars)  # each round is followed by the next one


def _walk(seq, follow: Chars) -> str | None:
    """The first choice in ``seq`` that the next character cannot settle; ``follow``:
    the characters that can come after ``seq`` inside the repeat."""
    items = list(seq)
    for i, (op, av) in enumerate(items):
        rest, rest_empty = _first(items[i + 1:])
        risk = _choice_risk(op, av, _union(rest, follow) if rest_empty else rest)
        if risk:
            return risk
    return None


def _choice_risk(op, av, after: Chars) -> str | None:
    if op in _REPEATS:
        low, high, body = av
        chars, empty = _first(body)
        if low != high:
            clash = _common(chars, after)
            what = "an optional part" if high == 1 else "a repeat inside a repeat"
            if clash is not None:
                return f"{what} can go on or stop at the same character ({clash!r})"
            if empty and high > 1:
                return "a repeat inside a repeat has a repeated part that can match nothing"
        return _walk(body, _union(chars, after) if high > 1 else after)
    if op in (C.BRANCH, C.GROUPREF_EXISTS):
        return _branch_risk([alt or [] for alt in _alternatives(op, av)], after)
    if op is C.SUBPATTERN:
        return _walk(av[3], after)
    return None  # a character, an anchor; or atomic, possessive, lookaround: never backtracked into


def _branch_risk(alternatives: list, after: Chars) -> str | None:
    seen: Chars = _NONE
    for alt in alternatives:
        chars, empty = _first(alt)
        chars = _union(chars, after) if empty else chars
        clash = _common(seen, chars)
        if clash is not None:
            return f"two alternatives inside a repeat can both start with {clash!r}"
        seen = _union(seen, chars)
    return next((risk for alt in alternatives if (risk := _walk(alt, after))), None)
