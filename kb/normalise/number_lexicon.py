"""The lexicon of numeric claims: ``rules/quantities.yaml`` validated and compiled.

The rule models of every section (scales, qualifiers, units, classifiers,
count nouns, masks, contexts) and :func:`lexicon`, which builds the regexes of
:mod:`kb.normalise.numbers` from them once per rules file (longest words first, so
``国家和地区`` wins over ``国家``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, rule_builder, rule_path

Kind = Literal["amount", "share", "count", "duration", "period"]
Position = Literal["prefix", "scale", "number", "suffix", "clause", "sentence"]

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_CHINESE = r"[一二两三四五六七八九十][〇零一二两三四五六七八九十百千万亿]*"
NUMBER = rf"(?:(?<![\d.])(?:{ARABIC})|{_CHINESE})"
# A bare scale word is a number only after a qualifier: 逾百个, 近千家, 超万人 (not 千年古镇, 最近百年).
BARE_SCALE_AFTER, BARE_SCALE_WORD = r"(?<=[逾超约])|(?<=(?<![最附邻])近)", "[百千万]"
BARE_SCALE = rf"(?:{BARE_SCALE_AFTER}){BARE_SCALE_WORD}"

# --- rule models -----------------------------------------------------------


class ScaleRule(Rule):
    word: str
    factor: int
    not_before: list[str] = []


class FormRule(Rule):
    """A set phrase stating a quantity without a numeral (翻了一番, 半数)."""

    pattern: Regex
    value: float
    unit: str
    kind: Literal["share", "count", "amount"] = "share"
    qualifier: Literal["approx", "more_than", "less_than", "at_least"] | None = None


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
    half: list[str] = []  # a word right after the unit that adds half a unit (一天半, 两年半)


class ClassifierRule(Rule):
    words: list[str]
    not_before: list[str] = []
    # The unit of every claim it counts, whatever noun follows, and the counted noun when
    # none follows (名, 位 count people: 人).
    unit: str | None = None
    # With no noun right after it, the measure word itself is the unit (下架应用程序2160余款 → 款):
    # what it measures is named elsewhere, often as a list.
    alone: bool = False


class GrammarRule(Rule):
    """A quantity the number grammar (kb.normalise.numbers) finds with no unit word: its id goes into provenance."""

    reason: str


class MaskRule(Rule):
    pattern: Regex
    reason: str


class ContextRule(Rule):
    reason: str
    before: Regex | None = None
    after: Regex | None = None
    kinds: list[Kind] = []


# --- the lexicon built from rules/quantities.yaml --------------------------------


@dataclass(frozen=True)
class Lexicon:
    quantity: re.Pattern
    noun_words: tuple[str, ...]  # count nouns, longest first
    nouns: re.Pattern
    suffix: re.Pattern
    masks: tuple[tuple[str, re.Pattern], ...]
    forms: tuple[tuple[FormRule, re.Pattern], ...]
    contexts: tuple[tuple[ContextRule, re.Pattern | None, re.Pattern | None], ...]
    scales: dict[str, int]
    units: dict[str, UnitRule]
    classifiers: dict[str, ClassifierRule]
    qualifiers: dict[str, QualifierRule]
    clause_words: re.Pattern
    sentence_words: re.Pattern
    phrase_ends: tuple[str, ...] = ()  # words that end the noun phrase after a classifier
    phrase_modifiers: tuple[str, ...] = ()  # words after which that phrase modifies a later noun


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def _word_index(rules) -> dict:
    return {w: r for r in rules for w in r.words}


def _compiled(path: Path) -> Lexicon:
    load = lambda section, model: load_section(path, section, model)  # noqa: E731
    units, cls = _word_index(load("units", UnitRule)), _word_index(load("classifiers", ClassifierRule))
    quals = _word_index(load("qualifiers", QualifierRule))
    nouns = [w for r in load("count_nouns", WordList) for w in r.words]
    by_pos = lambda p: [w for w, r in quals.items() if r.position == p]  # noqa: E731
    guards = {w: r.not_before for w, r in {**units, **cls}.items() if r.not_before}
    load("grammar", GrammarRule)  # validated: the ids kb.normalise.numbers writes for them exist
    scale_rules = load("scales", ScaleRule)
    scales = {r.word: r.factor for r in scale_rules}
    scale_re = alternation(scales, not_before={r.word: r.not_before for r in scale_rules if r.not_before})
    prefixes = alternation(by_pos("prefix"))
    # words that are a qualifier only before a bare scale word (上万人): a number after them too
    before_scale = by_pos("scale")
    after_word = lambda w: (f"(?<![{re.escape(''.join(quals[w].not_after))}])" if quals[w].not_after else "") + re.escape(w)  # noqa: E731
    bare_scale = rf"(?:{BARE_SCALE_AFTER}{''.join(f'|(?<={after_word(w)})' for w in before_scale)}){BARE_SCALE_WORD}"
    pre = alternation(by_pos("prefix")) + (f"|(?:{alternation(before_scale)})(?={BARE_SCALE_WORD})" if before_scale else "")
    pattern = (
        rf"(?P<pre>{pre})?(?:"
        rf"(?P<pden>百|千)分之(?P<pnum>{NUMBER})"
        rf"|(?P<fden>{NUMBER})分之(?P<fnum>{NUMBER})"
        rf"|(?<![\d/])(?P<fa>\d+)/(?P<fb>\d+)(?![\d/])"
        rf"|(?P<num>{NUMBER}|{bare_scale})(?P<nq>{alternation(by_pos('number'))})?(?P<scale>(?:{scale_re})+)?"
        rf"(?P<nq2>{alternation(by_pos('number'))})?"
        rf"(?:(?P<unit>{alternation(units, not_before=guards)})|(?P<cls>{alternation(cls, not_before=guards)}))?)"
    )
    return Lexicon(
        quantity=re.compile(pattern),
        noun_words=tuple(sorted(set(nouns), key=lambda w: (-len(w), w))),
        nouns=re.compile(alternation(nouns)),
        suffix=re.compile(alternation(by_pos("suffix"))),
        masks=tuple((r.id, re.compile(r.pattern)) for r in load("masks", MaskRule)),
        forms=tuple((r, re.compile(rf"(?P<pre>{prefixes})?(?:{r.pattern})")) for r in load("forms", FormRule)),
        contexts=tuple((r, r.before and re.compile(r.before), r.after and re.compile(r.after))
                       for r in load("contexts", ContextRule)),
        scales=scales,
        units=units, classifiers=cls, qualifiers=quals,
        clause_words=re.compile(alternation(by_pos("clause"))),
        sentence_words=re.compile(alternation(by_pos("sentence"))),
        phrase_ends=_longest_first(w for r in load("phrase_ends", WordList) for w in r.words),
        phrase_modifiers=_longest_first(w for r in load("phrase_modifiers", WordList) for w in r.words),
    )


@rule_builder
def lexicon() -> Lexicon:
    return _compiled(rule_path("quantities"))

