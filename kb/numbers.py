"""Numeric claims: parse numbers and find the quantities a sentence states.

Pure functions over clean text (simplified script, half-width characters):

- :func:`parse_number` — ``"53.9万亿"`` → ``53900000000000.0``; Arabic with
  separators and decimals, Chinese numerals, fractions, scale words, ``%``/``‰``.
- :func:`find_quantities` — every :class:`Quantity` in a text, with offsets
  into that text, the text as written (qualifier words included), the value in
  base units (scale folded in), its unit, qualifier and kind.
- :func:`find_periods` — year ranges (``2016年—2022年``) as :class:`Period`;
  they are time expressions, never quantities.

The words (units, classifiers, count nouns, qualifiers) and the spans that
never hold a claim (dates, titles in 《》, phone and postal codes, URLs, 5G,
editions) are data in ``rules/quantities.yaml``; the regexes are built from it
once per rules file. Attribution (metric, subject, time, source) is not done
here. Not supported: ranges of values (``10-20个``), spelled-out Chinese
decimals inside running text (``三点五亿``; :func:`parse_number` reads them),
Latin-script units (``100GB``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator

from kb.rules import Rule, load_section, rule_path

Kind = Literal["amount", "share", "count", "duration", "period"]
Position = Literal["prefix", "number", "suffix", "clause", "sentence"]

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE = r"[一二两三四五六七八九十][〇零一二两三四五六七八九十百千万亿]*"
_NUMBER = rf"(?:(?<![\d.])(?:{_ARABIC})|{_CHINESE})"
_RANGE = re.compile(r"([一二三四五六七八])([二三四五六七八九])([十百千万亿]*)")
_FILLER = "\u25a1"  # stands in for masked characters, keeps offsets
_CLAUSE_END = ",，。;；:：!！?？()（）\n"
_SENTENCE_END = "。;；!！?？\n"
_PERIOD = re.compile(r"(?<!\d)(?P<a>[12]\d{3})\s*年?\s*(?:[—–~～至到]|-{1,2}|—{1,2})\s*(?P<b>[12]\d{3})\s*年")


# --- rule models -----------------------------------------------------------


class ScaleRule(Rule):
    word: str
    factor: int


class QualifierRule(Rule):
    position: Position
    qualifier: Literal["approx", "more_than", "less_than", "at_least", "expected"]
    words: list[str]
    not_after: list[str] = []


class UnitRule(Rule):
    kind: Literal["amount", "share", "count", "duration"]
    unit: str
    words: list[str]
    factor: float = 1
    not_before: list[str] = []


class ClassifierRule(Rule):
    words: list[str]
    not_before: list[str] = []


class NounRule(Rule):
    words: list[str]


def _valid_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from None
    return value


Regex = Annotated[str, AfterValidator(_valid_regex)]


class MaskRule(Rule):
    pattern: Regex
    reason: str


class ContextRule(Rule):
    reason: str
    before: Regex | None = None
    after: Regex | None = None
    kinds: list[Kind] = []


# --- results -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quantity:
    """One stated quantity; ``start``/``end`` index the text it was found in."""

    start: int
    end: int
    text: str
    value: float
    unit: str
    qualifier: str
    kind: Kind
    rule: str  # id of the unit or classifier rule that matched


@dataclass(frozen=True, slots=True)
class Period:
    """A year range such as ``2016年—2022年``; ``iso`` is ``"2016/2022"``."""

    start: int
    end: int
    text: str
    first: str
    last: str
    kind: Kind = "period"

    @property
    def iso(self) -> str:
        return f"{self.first}/{self.last}"


# --- parse_number --------------------------------------------------------------


def parse_number(s: str) -> float | None:
    """The number ``s`` writes, or None: ``"1,800"``, ``"五十"``, ``"三分之二"``,
    ``"3/4"``, ``"53.9万亿"``, ``"1800多"`` (the number part), ``"42.8%"`` (42.8)."""
    value = _parse_decimal(s.strip())
    return float(value) if value is not None else None


def _parse_decimal(s: str) -> Decimal | None:
    s = s.rstrip("%‰").strip()
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)", s):
        return _divide(Decimal(m[1]), Decimal(m[2]))
    if m := re.fullmatch(r"[百千]分之(.+)", s):  # 百分之三十 is 30 (percent), as 30% is
        return _parse_decimal(m[1])
    if m := re.fullmatch(r"(.+?)分之(.+)", s):
        den, num = _parse_decimal(m[1]), _parse_decimal(m[2])
        return _divide(num, den) if den is not None and num is not None else None
    m = re.fullmatch(rf"(?P<n>{_ARABIC}|[〇零一二两三四五六七八九十百千万亿点]+)[多余来几]?(?P<s>[千百万亿]*)[多余来几]?", s)
    if not m:
        return None
    base = _arabic(m["n"]) if m["n"][0].isdigit() else _chinese(m["n"])
    if base is None:
        return None
    scales = _lex().scales
    for word in re.findall(_alternation(scales), m["s"]):
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
    if frac and not all(c in _CN_DIGITS for c in frac):
        return None
    value = _chinese_int(whole)
    if value is None or (not whole and not frac):
        return None
    if frac:
        value += Decimal("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    return value


def _chinese_int(s: str) -> Decimal | None:
    if not s:
        return Decimal(0)
    for big, factor in (("亿", 10**8), ("万", 10**4)):
        if big in s:
            left, _, right = s.rpartition(big) if big == "亿" else s.partition(big)
            head, tail = _chinese_int(left) if left else Decimal(1), _chinese_int(right)
            return None if head is None or tail is None else head * factor + tail
    if all(c in _CN_DIGITS for c in s):  # digit string: 二〇二四
        return Decimal("".join(str(_CN_DIGITS[c]) for c in s))
    return _chinese_section(s)


def _chinese_section(s: str) -> Decimal | None:
    """A number below 10,000 written with 十/百/千 (十五, 一百零五, 三千五百)."""
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            total += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            return None
    return Decimal(total + (digit or 0))


# --- the lexicon built from rules/quantities.yaml --------------------------------


@dataclass(frozen=True)
class _Lexicon:
    quantity: re.Pattern
    immediate_noun: re.Pattern
    nouns: re.Pattern
    suffix: re.Pattern
    masks: tuple[tuple[str, re.Pattern], ...]
    contexts: tuple[tuple[ContextRule, re.Pattern | None, re.Pattern | None], ...]
    scales: dict[str, int]
    units: dict[str, UnitRule]
    classifiers: dict[str, ClassifierRule]
    qualifiers: dict[str, QualifierRule]
    clause_words: re.Pattern
    sentence_words: re.Pattern


def _alternation(words, not_before=None) -> str:
    """Longest word first, so 国家和地区 wins over 国家; ``not_before`` adds a lookahead."""
    parts = []
    for w in sorted(set(words), key=lambda w: (-len(w), w)):
        guard = (not_before or {}).get(w)
        parts.append(re.escape(w) + (f"(?![{''.join(map(re.escape, guard))}])" if guard else ""))
    return "|".join(parts) or "(?!)"


def _word_index(rules) -> dict:
    return {w: r for r in rules for w in r.words}


@lru_cache(maxsize=None)
def _lexicon(path: Path) -> _Lexicon:
    load = lambda section, model: load_section(path, section, model)  # noqa: E731
    units, cls = _word_index(load("units", UnitRule)), _word_index(load("classifiers", ClassifierRule))
    quals = _word_index(load("qualifiers", QualifierRule))
    nouns = [w for r in load("count_nouns", NounRule) for w in r.words]
    by_pos = lambda p: [w for w, r in quals.items() if r.position == p]  # noqa: E731
    guards = {w: r.not_before for w, r in {**units, **cls}.items() if r.not_before}
    scales = {r.word: r.factor for r in load("scales", ScaleRule)}
    pattern = (
        rf"(?P<pre>{_alternation(by_pos('prefix'))})?(?:"
        rf"(?P<pden>百|千)分之(?P<pnum>{_NUMBER})"
        rf"|(?P<fden>{_NUMBER})分之(?P<fnum>{_NUMBER})"
        rf"|(?<![\d/])(?P<fa>\d+)/(?P<fb>\d+)(?![\d/])"
        rf"|(?P<num>{_NUMBER})(?P<nq>{_alternation(by_pos('number'))})?(?P<scale>(?:{_alternation(scales)})+)?"
        rf"(?P<nq2>{_alternation(by_pos('number'))})?"
        rf"(?:(?P<unit>{_alternation(units, guards)})|(?P<cls>{_alternation(cls, guards)}))?)"
    )
    return _Lexicon(
        quantity=re.compile(pattern),
        immediate_noun=re.compile(rf"(?:(?![的之])[\u4e00-\u9fff]){{0,4}}?(?P<noun>(?>{_alternation(nouns)}))(?!、)"),
        nouns=re.compile(_alternation(nouns)),
        suffix=re.compile(_alternation(by_pos("suffix"))),
        masks=tuple((r.id, re.compile(r.pattern)) for r in load("masks", MaskRule)),
        contexts=tuple((r, r.before and re.compile(r.before), r.after and re.compile(r.after))
                       for r in load("contexts", ContextRule)),
        scales=scales,
        units=units, classifiers=cls, qualifiers=quals,
        clause_words=re.compile(_alternation(by_pos("clause"))),
        sentence_words=re.compile(_alternation(by_pos("sentence"))),
    )


def _lex() -> _Lexicon:
    return _lexicon(rule_path("quantities"))


# --- find_quantities ---------------------------------------------------------------


def _mask(text: str, *, skip: frozenset[str] = frozenset()) -> str:
    """``text`` with every span that cannot hold a claim (dates, titles, codes) blanked; same length."""
    chars = list(text)
    for rule_id, pattern in _lex().masks:
        if rule_id in skip:
            continue
        for m in pattern.finditer(text):
            chars[m.start():m.end()] = _FILLER * (m.end() - m.start())
    return "".join(chars)


def find_periods(text: str) -> list[Period]:
    """Year ranges (``2016年—2022年``, ``2023—2025年``) outside titles and URLs."""
    masked = _mask(text, skip=frozenset({"year", "dashed-code"}))
    return [Period(m.start(), m.end(), text[m.start():m.end()], m["a"], m["b"])
            for m in _PERIOD.finditer(masked) if m["a"] < m["b"]]


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity stated in ``text``, in order of position."""
    lex, masked = _lex(), _mask(text)
    matches = [m for m in lex.quantity.finditer(masked) if m.end() > m.start()]
    found = []
    for i, m in enumerate(matches):
        limit = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        quantity = _quantity(text, masked, m, limit, lex)
        if quantity is not None:
            found.append(quantity)
    return found


def _quantity(text: str, masked: str, m: re.Match, limit: int, lex: _Lexicon) -> Quantity | None:
    read = _read_number(m, lex)
    if read is None:
        return None
    value, num_qualifier = read
    unit, kind, factor, rule_id, end = _unit(masked, m, limit, lex)
    if not kind:
        return None
    start, pre = _prefix(text, m, lex)
    suffix = lex.suffix.match(masked, end)
    end = suffix.end() if suffix else end
    if _excluded_by_context(text, start, end, kind, lex):
        return None
    labels = [pre and lex.qualifiers[pre].qualifier, num_qualifier,
              suffix and lex.qualifiers[suffix.group()].qualifier]
    qualifier = _qualifier(masked, start, [q for q in labels if q], lex)
    return Quantity(start, end, text[start:end], float(value * Decimal(str(factor))),
                    unit, qualifier, kind, rule_id)


def _read_number(m: re.Match, lex: _Lexicon) -> tuple[Decimal, str | None] | None:
    """The value before any unit factor, and the qualifier the number itself carries (多, 来, 五六)."""
    if m["pnum"]:
        return _parse_decimal(m["pnum"]), None
    if m["fnum"] or m["fa"]:
        return _parse_decimal(m["fden"] + "分之" + m["fnum"] if m["fnum"] else f"{m['fa']}/{m['fb']}"), None
    num = m["num"]
    if num == "一" or (not m["unit"] and not m["cls"] and not m["scale"]):
        return None  # 一个 is an article; a bare number is no claim
    if rough := _RANGE.fullmatch(num):  # 五六个, 三四十个: five or six, thirty or forty
        if _CN_DIGITS[rough[2]] == _CN_DIGITS[rough[1]] + 1:
            return _parse_decimal(rough[1] + rough[3] + (m["scale"] or "")), "approx"
    value, word = _parse_decimal(num + (m["scale"] or "")), m["nq"] or m["nq2"]
    return (value, word and lex.qualifiers[word].qualifier) if value is not None else None


def _unit(masked: str, m: re.Match, limit: int, lex: _Lexicon):
    """``(unit, kind, factor, rule id, end)``; ``kind`` is empty when no unit fits."""
    if m["pden"]:
        return ("%" if m["pden"] == "百" else "‰"), "share", 1, "fraction-percent", m.end()
    if m["fnum"] or m["fa"]:
        return "比例", "share", 1, "fraction", m.end()
    if m["unit"]:
        rule = lex.units[m["unit"]]
        return rule.unit, rule.kind, rule.factor, rule.id, m.end()
    noun, noun_end = _count_noun(masked, m, limit, lex)
    if m["cls"]:
        return noun or m["cls"], "count", 1, lex.classifiers[m["cls"]].id, noun_end or m.end()
    return noun, "count", 1, "scale-only", m.end()


def _count_noun(masked: str, m: re.Match, limit: int, lex: _Lexicon) -> tuple[str, int | None]:
    """What a count counts: the noun right after the classifier (its end is returned, it
    belongs to the text), else the last count noun later in the clause (170余个机构、组织、
    企业和个人成为其会员 → 会员), else the nearest one earlier in the sentence (国家数量…107个)."""
    if m["cls"] and (near := lex.immediate_noun.match(masked, m.end())):
        return near["noun"], near.end()
    clause_end = min([limit] + [i for i in (masked.find(c, m.end()) for c in _CLAUSE_END) if i >= 0])
    later = [n.group() for n in lex.nouns.finditer(masked, m.end(), clause_end)]
    if later:
        return later[-1], None
    earlier = [n.group() for n in lex.nouns.finditer(masked, _sentence_start(masked, m.start()), m.start())]
    return (earlier[-1] if earlier else ""), None


def _sentence_start(text: str, pos: int, ends: str = _SENTENCE_END) -> int:
    return max(text.rfind(c, 0, pos) for c in ends) + 1


def _prefix(text: str, m: re.Match, lex: _Lexicon) -> tuple[int, str | None]:
    """Start of the quantity and its prefix word, unless the word belongs to another (最近)."""
    pre = m["pre"]
    if pre and m.start() > 0 and text[m.start() - 1] in lex.qualifiers[pre].not_after:
        return m.start("pre") + len(pre), None
    return m.start(), pre


def _excluded_by_context(text: str, start: int, end: int, kind: str, lex: _Lexicon) -> bool:
    before, after = text[max(0, start - 8):start], text[end:end + 4]
    for rule, before_re, after_re in lex.contexts:
        if rule.kinds and kind not in rule.kinds:
            continue
        if (before_re and before_re.search(before)) or (after_re and after_re.search(after)):
            return True
    return False


def _qualifier(masked: str, start: int, named: list[str], lex: _Lexicon) -> str:
    """The first qualifier found next to the number, else one from earlier in the clause;
    an expectation earlier in the sentence (有望, 预计) is combined: ``expected_more_than``."""
    clause = lex.clause_words.search(masked, _sentence_start(masked, start, _CLAUSE_END), start)
    if clause:
        named.append(lex.qualifiers[clause.group()].qualifier)
    base = named[0] if named else "exact"
    if lex.sentence_words.search(masked, _sentence_start(masked, start), start):
        return "expected" if base == "exact" else f"expected_{base}"
    return base


def load_quantity_rules() -> None:
    """Validate ``rules/quantities.yaml`` (raises RuleError naming file, line and rule)."""
    _lex()
