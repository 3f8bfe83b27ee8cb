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
once per rules file (:mod:`kb.normalise.number_lexicon`); numbers are read by
:mod:`kb.normalise.number_parse`. Attribution (metric, subject, time, source) is not done
here. Set phrases without a numeral (``翻了一番``, ``近半数``) are read from
the ``forms`` of the rules file; Latin units after a number (``230EFLOPS``,
``32ZB``) are units as written. Not supported: ranges of values
(``10-20个``), spelled-out Chinese decimals inside running text
(``三点五亿``; :func:`parse_number` reads them), vague multiples (``数十个``:
no value, no claim).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal, DecimalException

from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS
from kb.normalise.number_lexicon import CN_DIGITS, Kind, Lexicon, lexicon
from kb.normalise.number_parse import finite_float, parse_decimal, parse_number

__all__ = ["Period", "Quantity", "counted_before", "duration_units", "find_periods", "find_quantities", "load_quantity_rules", "parse_number"]

_RANGE = re.compile(r"([一二三四五六七八])([二三四五六七八九])([十百千万亿]*)")
_FILLER = "\u25a1"  # stands in for masked characters, keeps offsets
_CLAUSE_END = CLAUSE_ENDS + "()（）"  # a bracket closes the phrase a count's noun is looked for in
_SENTENCE_END = SENTENCE_ENDS
_MAX_MODIFIER = 4  # characters between a classifier and its noun: 9个非洲国家
_MAX_PHRASE_WORDS, _MAX_WORD, _MAX_PHRASE = 4, 8, 10  # a counted noun phrase: words, characters of a word, of all
_PERIOD = re.compile(r"(?<!\d)(?P<a>[12]\d{3})\s*年?\s*(?:[—–~～至到]|-{1,2}|—{1,2})\s*(?P<b>[12]\d{3})\s*年")


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


# --- find_quantities ---------------------------------------------------------------


def _mask(text: str, *, skip: frozenset[str] = frozenset()) -> str:
    """``text`` with every span that cannot hold a claim (dates, titles, codes) blanked; same length."""
    chars = list(text)
    for rule_id, pattern in lexicon().masks:
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


def find_quantities(text: str, *, word_ends: Collection[int] | None = None) -> list[Quantity]:
    """Every quantity stated in ``text``, in order of position. ``word_ends`` (the end offsets of the
    segmenter's words) makes a count noun or count unit a whole word: no 人 in 人形机器人, 人工智能."""
    lex, masked = lexicon(), _mask(text)
    ends = frozenset(word_ends) if word_ends is not None else None
    matches = [m for m in lex.quantity.finditer(masked) if m.end() > m.start()]
    found = []
    for i, m in enumerate(matches):
        limit = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        quantity = _quantity(text, masked, m, limit, lex, ends)
        if quantity is not None:
            found.append(quantity)
    forms = [f for f in _forms(text, masked, lex) if not any(q.start < f.end and f.start < q.end for q in found)]
    return sorted([*found, *forms], key=lambda q: q.start)


def _forms(text: str, masked: str, lex: Lexicon) -> list[Quantity]:
    """Set phrases that state a quantity without a numeral: 翻了一番 (2 倍), 近半数 (about 0.5)."""
    found = []
    for rule, pattern in lex.forms:
        for m in pattern.finditer(masked):
            start, pre = _prefix(text, m, lex)
            suffix = lex.suffix.match(masked, m.end())
            end = suffix.end() if suffix else m.end()
            labels = [pre and lex.qualifiers[pre].qualifier, rule.qualifier,
                      suffix and lex.qualifiers[suffix.group()].qualifier]
            qualifier = _qualifier(masked, start, [q for q in labels if q], lex)
            found.append(Quantity(start, end, text[start:end], rule.value, rule.unit, qualifier, rule.kind, rule.id))
    return found


def _quantity(text: str, masked: str, m: re.Match, limit: int, lex: Lexicon,
              ends: frozenset[int] | None) -> Quantity | None:
    read = _read_number(m, lex, masked)
    if read is None or read[0] is None:  # None: a number past MAX_CHARS
        return None
    value, num_qualifier = read
    unit, kind, factor, rule_id, end = _unit(masked, m, limit, lex, ends)
    if not kind:
        return None
    half = _half_after(m, lex, masked)
    if half:  # 一天半: one and a half days
        value, end = value + Decimal("0.5"), end + len(half)
    start, pre = _prefix(text, m, lex)
    suffix = lex.suffix.match(masked, end)
    end = suffix.end() if suffix else end
    # the context right after the classifier too: 六个|维度 is a rhetorical count whatever noun follows
    if _excluded_by_context(text, start, end, kind, lex) or _excluded_by_context(text, start, m.end(), kind, lex):
        return None
    labels = [pre and lex.qualifiers[pre].qualifier, num_qualifier,
              suffix and lex.qualifiers[suffix.group()].qualifier]
    qualifier = _qualifier(masked, start, [q for q in labels if q], lex)
    base = _base_value(value, factor)
    if base is None:
        return None
    return Quantity(start, end, text[start:end], base, unit, qualifier, kind, rule_id)


def _base_value(value: Decimal, factor: float) -> float | None:
    """``value`` times its unit's factor as a float; None past the float range (absurd numbers)."""
    try:
        return finite_float(value * Decimal(str(factor)))
    except DecimalException:
        return None


def _read_number(m: re.Match, lex: Lexicon, masked: str = "") -> tuple[Decimal, str | None] | None:
    """The value before any unit factor, and the qualifier the number itself carries (多, 来, 五六)."""
    if m["pnum"]:
        return parse_decimal(m["pnum"]), None
    if m["fnum"] or m["fa"]:
        return parse_decimal(m["fden"] + "分之" + m["fnum"] if m["fnum"] else f"{m['fa']}/{m['fb']}"), None
    num = m["num"]
    if num == "一" and not _half_after(m, lex, masked):
        return None  # 一个 is an article (一天半 is a quantity)
    if not m["unit"] and not m["cls"] and not m["scale"]:
        return None  # a bare number is no claim
    if rough := _RANGE.fullmatch(num):  # 五六个, 三四十个: five or six, thirty or forty
        if CN_DIGITS[rough[2]] == CN_DIGITS[rough[1]] + 1:
            return parse_decimal(rough[1] + rough[3] + (m["scale"] or "")), "approx"
    value, word = parse_decimal(num + (m["scale"] or "")), m["nq"] or m["nq2"]
    return (value, word and lex.qualifiers[word].qualifier) if value is not None else None


def _half_after(m: re.Match, lex: Lexicon, masked: str) -> str | None:
    """The word right after the unit that adds half a unit (一天|半), if any."""
    return next((w for w in lex.units[m["unit"]].half if masked.startswith(w, m.end())), None) if m["unit"] else None


def _unit(masked: str, m: re.Match, limit: int, lex: Lexicon, ends: frozenset[int] | None):
    """``(unit, kind, factor, rule id, end)``; ``kind`` is empty when no unit fits."""
    if m["pden"]:
        return ("%" if m["pden"] == "百" else "‰"), "share", 1, "fraction-percent", m.end()
    if m["fnum"] or m["fa"]:
        return "比例", "share", 1, "fraction", m.end()
    if m["unit"]:
        rule = lex.units[m["unit"]]
        if rule.kind == "count" and not _word_end(m.end(), ends):
            return "", "", 1, "", m.end()  # 20人形机器人: 人 is part of a longer word
        return rule.unit, rule.kind, rule.factor, rule.id, m.end()
    if m["cls"] and not _immediate_noun(masked, m.end(), lex, ends) and not _is_name_char(masked[m.end():m.end() + 1] or "。"):
        # nothing is counted after the classifier: a measure word of items is its own unit (2160余款), a
        # count noun right before the figure is what it counts (处置账号13.4亿个, 封禁主播7200余名)
        if lex.classifiers[m["cls"]].alone:
            return m["cls"], "count", 1, lex.classifiers[m["cls"]].id, m.end()
        if before := _noun_before(masked, m.start(), lex, ends):
            return before, "count", 1, "noun-before", m.end()
    noun, noun_end = _count_noun(masked, m, limit, lex, ends)
    if m["cls"]:
        return noun or m["cls"], "count", 1, lex.classifiers[m["cls"]].id, noun_end or m.end()
    return noun, "count", 1, "scale-only", m.end()


def _word_end(pos: int, ends: frozenset[int] | None) -> bool:
    return ends is None or pos in ends


def _immediate_noun(masked: str, pos: int, lex: Lexicon, ends: frozenset[int] | None) -> tuple[str, int] | None:
    """The count noun a few characters after a classifier (9个非洲国家), the longest that ends a word."""
    for shift in range(_MAX_MODIFIER + 1):
        at = pos + shift
        if shift and (at > len(masked) or not "\u4e00" <= masked[at - 1] <= "\u9fff" or masked[at - 1] in "的之"):
            return None
        for noun in lex.noun_words:
            end = at + len(noun)
            if masked.startswith(noun, at) and _word_end(end, ends) and not masked.startswith("、", end):
                return _compound_head(masked, noun, end, lex, ends)
    return None


def _compound_head(masked: str, noun: str, end: int, lex: Lexicon, ends: frozenset[int] | None) -> tuple[str, int]:
    """A count noun followed at once by another is its modifier (志愿服务岗位 counts 岗位): the last one."""
    while head := next((n for n in lex.noun_words if masked.startswith(n, end) and _word_end(end + len(n), ends)
                        and not masked.startswith("、", end + len(n))), None):
        noun, end = head, end + len(head)
    return noun, end


def _noun_before(masked: str, start: int, lex: Lexicon, ends: frozenset[int] | None) -> str | None:
    """The longest count noun ending right at ``start`` (the figure's first character), starting a word."""
    if ends is not None and start not in ends:
        return None
    for noun in lex.noun_words:
        if masked.endswith(noun, 0, start) and (ends is None or start - len(noun) in ends or start - len(noun) == 0
                                                 or not _is_name_char(masked[start - len(noun) - 1])):
            return noun
    return None


def _count_noun(masked: str, m: re.Match, limit: int, lex: Lexicon,
                ends: frozenset[int] | None) -> tuple[str, int | None]:
    """What a count counts: the noun right after the classifier (its end is returned, it
    belongs to the text), else the classifier's own unit (名, 位: 人), else the noun phrase
    right after the classifier (:func:`_noun_phrase`), else the last count noun later in the clause (170余个机构、组织、企业和个人成为其会员 → 会员), else the
    nearest one earlier in the sentence (国家数量…107个)."""
    if m["cls"] and (near := _immediate_noun(masked, m.end(), lex, ends)):
        return near
    if m["cls"] and (own := lex.classifiers[m["cls"]].unit):
        return own, None  # 18名: people, never a noun from elsewhere in the sentence
    if m["cls"] and (phrase := _noun_phrase(masked, m.end(), lex, ends)):
        return phrase  # 45个国民经济大类: the noun phrase after the classifier, even if no count noun is known
    clause_end = min([limit] + [i for i in (masked.find(c, m.end()) for c in _CLAUSE_END) if i >= 0])
    later = [n.group() for n in lex.nouns.finditer(masked, m.end(), clause_end) if _word_end(n.end(), ends)]
    if later:
        return later[-1], None
    earlier = [n.group() for n in lex.nouns.finditer(masked, _sentence_start(masked, m.start()), m.start())
               if _word_end(n.end(), ends)]
    return (earlier[-1] if earlier else ""), None


def _noun_phrase(masked: str, pos: int, lex: Lexicon, ends: frozenset[int] | None) -> tuple[str, int] | None:
    """The counted noun phrase right after a classifier when no count noun is known
    (45个国民经济大类, 6个工业互联网示范区): up to four of the segmenter's words, each of
    Han or Latin letters and digits, ending at punctuation or a word of ``phrase_ends``
    (和, 等 …); its last word has two characters or more. None when the words run on into
    a verb or a clause (the phrase would not end), when a ``phrase_modifiers`` word follows
    (的, 、: it modifies a noun further on), or without word ends."""
    if ends is None:
        return None
    words, at = [], pos
    while len(words) < _MAX_PHRASE_WORDS:
        end = next((e for e in range(at + 1, min(len(masked), at + _MAX_WORD) + 1) if e in ends), None)
        if end is None:
            return None
        word = masked[at:end]
        if word.startswith(lex.phrase_ends + lex.phrase_modifiers) or not all(_is_name_char(c) for c in word):
            break
        words.append(word)
        at = end
    ended = at >= len(masked) or not _is_name_char(masked[at]) or masked.startswith(lex.phrase_ends, at)
    phrase = "".join(words)
    if not words or not ended or masked.startswith(lex.phrase_modifiers, at) or len(phrase) > _MAX_PHRASE or len(words[-1]) < 2:
        return None
    return phrase, at


def _is_name_char(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or (char.isascii() and char.isalnum())


def claim_unit(q: Quantity) -> str:
    """The unit a claim states for ``q``: its classifier's own unit when it has one (名, 位
    count people: 1800多名嘉宾 is 1800 人, the settled points' one person unit), else ``q.unit``
    (the counted noun, or the unit written)."""
    own = {r.id: r.unit for r in lexicon().classifiers.values() if r.unit}
    return own.get(q.rule, q.unit)


def duration_units() -> frozenset[str]:
    """The units of durations (年, 天, 个月 …), as claims write them."""
    return frozenset(r.unit for r in lexicon().units.values() if r.kind == "duration")


def counted_before(q: Quantity) -> bool:
    """What ``q`` counts is written before it, none after its classifier: a count noun
    (处置账号13.4亿个) or a list the measure word of items stands for (下架应用程序、小程序2160余款)."""
    item = lexicon().classifiers.get(q.unit)
    return q.rule == "noun-before" or (item is not None and item.alone and q.text.endswith(q.unit))


def _sentence_start(text: str, pos: int, ends: str = _SENTENCE_END) -> int:
    return max(text.rfind(c, 0, pos) for c in ends) + 1


def _prefix(text: str, m: re.Match, lex: Lexicon) -> tuple[int, str | None]:
    """Start of the quantity and its prefix word, unless the word belongs to another (最近)."""
    pre = m["pre"]
    if pre and m.start() > 0 and text[m.start() - 1] in lex.qualifiers[pre].not_after:
        return m.start("pre") + len(pre), None
    return m.start(), pre


def _excluded_by_context(text: str, start: int, end: int, kind: str, lex: Lexicon) -> bool:
    before, after = text[max(0, start - 8):start], text[end:end + 10]
    for rule, before_re, after_re in lex.contexts:
        if rule.kinds and kind not in rule.kinds:
            continue
        # a rule with both sides needs both (a quote open before the figure and closed after it)
        hits = [r.search(side) is not None for r, side in ((before_re, before), (after_re, after)) if r]
        if hits and all(hits):
            return True
    return False


def _qualifier(masked: str, start: int, named: list[str], lex: Lexicon) -> str:
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
    lexicon()
