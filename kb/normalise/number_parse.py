"""Reading numbers as written: ``"53.9万亿"`` → ``53900000000000``.

Pure functions: :func:`parse_number` reads Arabic numbers with separators and
decimals, Chinese numerals (positional, digit strings, 点 decimals), fractions
(``三分之二``, ``3/4``), scale words (from ``rules/quantities.yaml``) and a
trailing ``%``/``‰`` (``"42.8%"`` → 42.8). :func:`parse_decimal` is the same
with exact :class:`~decimal.Decimal` results, for :mod:`kb.normalise.numbers`.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, DecimalException, InvalidOperation

from kb.normalise.number_lexicon import ARABIC, CN_DIGITS, lexicon
from kb.rules.ruleset import alternation

_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
# Longer than any number an article writes; bounds the regex and recursion work.
MAX_CHARS = 400


def parse_number(s: str) -> float | None:
    """The number ``s`` writes, or None: ``"1,800"``, ``"五十"``, ``"三分之二"``,
    ``"3/4"``, ``"53.9万亿"``, ``"1800多"`` (the number part), ``"42.8%"`` (42.8)."""
    value = parse_decimal(s.strip())
    return finite_float(value) if value is not None else None


def finite_float(value: Decimal) -> float | None:
    """``value`` as a float; None when no float holds it (``9`` written 500 times)."""
    number = float(value)
    return number if math.isfinite(number) else None


def parse_decimal(s: str) -> Decimal | None:
    """:func:`parse_number` as an exact Decimal. Absurd input gives None, never an
    error: text longer than :data:`MAX_CHARS`, a value past Decimal's range, or
    nesting (``分之分之…``, ``亿亿…``) deeper than Python's stack."""
    if len(s) > MAX_CHARS:
        return None
    try:
        return _parse(s)
    except (DecimalException, RecursionError):
        return None


def _parse(s: str) -> Decimal | None:
    s = s.rstrip("%‰").strip()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", s):
        return _divide(Decimal(m[1]), Decimal(m[2]))
    if m := re.fullmatch(r"[百千]分之(.+)", s):  # 百分之三十 is 30 (percent), as 30% is
        return _parse(m[1])
    if m := re.fullmatch(r"(.+?)分之(.+)", s):
        den, num = _parse(m[1]), _parse(m[2])
        return _divide(num, den) if den is not None and num is not None else None
    m = re.fullmatch(rf"(?P<n>{ARABIC}|[〇零一二两三四五六七八九十百千万亿点]+)[多余来几]?(?P<s>[千百万亿]*)[多余来几]?", s)
    if not m:
        return None
    base = _arabic(m["n"]) if m["n"][0].isdigit() else _chinese(m["n"])
    if base is None:
        return None
    scales = lexicon().scales
    for word in re.findall(alternation(scales), m["s"]):
        base *= scales[word]
    return base


def _divide(num: Decimal | None, den: Decimal) -> Decimal | None:
    return num / den if num is not None and den else None


def _arabic(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def _chinese(s: str) -> Decimal | None:
    """Chinese numerals: positional (一百二十, 三千五百万), digit strings (二〇二四), 点 decimals."""
    whole, _, frac = s.partition("点")
    if frac and not all(c in CN_DIGITS for c in frac):
        return None
    value = _chinese_int(whole)
    if value is None or (not whole and not frac):
        return None
    if frac:
        value += Decimal("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    return value


def _chinese_int(s: str) -> Decimal | None:
    if not s:
        return Decimal(0)
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        if big in s:
            left, _, right = s.rpartition(big) if big == "亿" else s.partition(big)
            head, tail = _chinese_int(left) if left else Decimal(1), _chinese_int(right)
            return None if head is None or tail is None else head * factor + tail
    if all(c in CN_DIGITS for c in s):  # digit string: 二〇二四
        return Decimal("".join(str(CN_DIGITS[c]) for c in s))
    return _chinese_section(s)


def _chinese_section(s: str) -> Decimal | None:
    """A number below 10,000 written with 十/百/千 (十五, 一百零五, 三千五百)."""
    total, digit = 0, None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            total += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            return None
    return Decimal(total + (digit or 0))
