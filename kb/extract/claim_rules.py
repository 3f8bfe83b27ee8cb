"""Language data of claim attribution: ``rules/claims.yaml`` validated and compiled.

Each section of the file is a list of rules with a stable id (see the file's
header for what every section means); :func:`load_claim_rules` compiles them
once into a frozen :class:`ClaimRules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from kb.rules import Regex, Rule, alternation, load_section, rule_builder, rule_path

class PatternRule(Rule):
    pattern: Regex


class WordsRule(Rule):
    words: list[str]
    growth: bool = False
    keep: bool = True


class OpenerRule(Rule):
    words: list[str]
    not_before: list[str] = []


class PartRule(Rule):
    words: list[str]
    first: int
    last: int


class PlaceRule(Rule):
    name: str
    words: list[str]


@dataclass(frozen=True)
class ClaimRules:
    sources: tuple[tuple[str, re.Pattern], ...]
    anaphor: re.Pattern
    present: re.Pattern
    places: tuple[tuple[str, str], ...]  # (word, canonical name), longest word first
    ignore: re.Pattern
    predicates: tuple[tuple[str, bool], ...]  # (word, growth), longest first
    comparatives: tuple[str, ...]
    relative: tuple[str, ...]
    heads: tuple[str, ...]
    membership: re.Pattern
    origin_units: tuple[str, ...]
    participation: tuple[str, ...]
    adverbs: tuple[str, ...]
    duration_kept: tuple[str, ...]
    duration_dropped: tuple[str, ...]
    lead_words: tuple[str, ...]
    furniture: re.Pattern
    report_verbs: tuple[str, ...]
    event_heads: tuple[str, ...]
    current_event: tuple[re.Pattern, ...]  # group `head`: the head noun of the event referred to
    fillers: tuple[str, ...]
    duration_nouns: tuple[str, ...]
    spending_verbs: tuple[str, ...]
    release_verbs: tuple[str, ...]
    data_documents: frozenset[str]
    cutoff_words: tuple[str, ...]
    comparison_words: tuple[str, ...]
    year_parts: tuple[tuple[str, int, int], ...]  # (word, first month, last month), longest first
    groups: tuple[re.Pattern, ...]  # group `group`: several countries named as one subject
    metric_openers: re.Pattern
    increments: tuple[str, ...]
    event_verbs: tuple[str, ...]


def _words(rules: list[WordsRule]) -> tuple[str, ...]:
    return tuple(sorted({w for r in rules for w in r.words}, key=len, reverse=True))


def _either(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@rule_builder
def load_claim_rules(path: str | None = None) -> ClaimRules:
    """The rules of ``rules/claims.yaml`` (or ``path``), validated and compiled once."""
    file = rule_path("claims") if path is None else rule_path("claims").with_name(path)
    section = lambda name, model: load_section(file, name, model)  # noqa: E731
    predicates = section("predicates", WordsRule)
    places = section("places", PlaceRule)
    return ClaimRules(
        sources=tuple((r.id, re.compile(r.pattern)) for r in section("sources", PatternRule)),
        anaphor=_either([r.pattern for r in section("anaphors", PatternRule)]),
        present=re.compile("|".join(_words(section("present", WordsRule)))),
        places=tuple(sorted(((w, p.name) for p in places for w in p.words), key=lambda x: -len(x[0]))),
        ignore=_either([r.pattern for r in section("ignore", PatternRule)]),
        predicates=tuple(sorted(((w, r.growth) for r in predicates for w in r.words), key=lambda x: -len(x[0]))),
        comparatives=_words(section("comparatives", WordsRule)),
        relative=_words(section("relative", WordsRule)),
        heads=_words(section("heads", WordsRule)),
        membership=_either([r.pattern for r in section("membership", PatternRule)]),
        origin_units=_words(section("origin_units", WordsRule)),
        participation=_words(section("participation", WordsRule)),
        adverbs=_words(section("adverbs", WordsRule)),
        duration_kept=_words([r for r in section("duration_adverbs", WordsRule) if r.keep]),
        duration_dropped=_words([r for r in section("duration_adverbs", WordsRule) if not r.keep]),
        lead_words=_words(section("lead_words", WordsRule)),
        furniture=_either([r.pattern for r in section("furniture", PatternRule)]),
        report_verbs=_words(section("report_verbs", WordsRule)),
        event_heads=_words(section("event_heads", WordsRule)),
        current_event=tuple(re.compile(r.pattern) for r in section("current_event", PatternRule)),
        fillers=_words(section("fillers", WordsRule)),
        duration_nouns=_words(section("duration_nouns", WordsRule)),
        spending_verbs=_words(section("spending_verbs", WordsRule)),
        release_verbs=_words(section("release_verbs", WordsRule)),
        data_documents=frozenset(_words(section("data_documents", WordsRule))),
        cutoff_words=_words(section("cutoff_words", WordsRule)),
        comparison_words=_words(section("comparison_words", WordsRule)),
        year_parts=tuple(sorted(((w, r.first, r.last) for r in section("year_parts", PartRule) for w in r.words),
                                key=lambda x: -len(x[0]))),
        groups=tuple(re.compile(r.pattern) for r in section("groups", PatternRule)),
        metric_openers=re.compile(alternation([w for r in section("metric_openers", OpenerRule) for w in r.words],
                                              not_before={w: r.not_before for r in section("metric_openers", OpenerRule)
                                                          for w in r.words if r.not_before})),
        increments=_words(section("increments", WordsRule)),
        event_verbs=_words(section("event_verbs", WordsRule)),
    )
