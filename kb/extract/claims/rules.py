"""Language data of claim attribution: ``rules/claims.yaml`` validated and compiled.

Each section of the file is a list of rules with a stable id (see the file's
header for what every section means); :func:`load_claim_rules` compiles them
once per RuleSet into a frozen :class:`ClaimRules`. Words other modules use too
come from their one lexicon: particles and numerals from ``rules/lexicon.yaml``,
classifiers, number qualifiers, scales and units from ``rules/quantities.yaml``,
document kinds from ``rules/documents.yaml``, summit nouns and the year written
before an occurrence's name from ``rules/events.yaml``. Word lists are ordered
longest first, then by code point: never in a set's order, which changes with
``PYTHONHASHSEED``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.errors import RuleError
from kb.extract.documents import load_document_rules
from kb.normalise.number_lexicon import lexicon
from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, load_words, rule_builder, rule_path

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


class MetricForm(Rule):
    word: str
    variants: list[str]


class PlaceRule(Rule):
    name: str
    words: list[str]
    # right before a count it scopes what is counted (来自全球83个国家), and is not its subject
    scope: bool = False


class MetricWords(Rule):
    """The words attribution writes into a metric, each by its role (see ``metric_words``)."""

    count: str  # a count of what is named: 参会嘉宾数
    quantity: str  # written `count` in a metric: 国家数量 → 国家数
    total: str  # a total, dropped with `quantity` to find a count's topic: 参展企业总数 → 参展企业
    counted: list[str]  # a metric ending in one names a count already: 新增网民数
    count_ends: list[str]  # the same for a count after its metric: 会员已增至近130家 (…人次, …率)
    years: str  # a duration's metric: 连续举办年数, 推动…的年数
    held_years: str  # the years of an event series
    developed_years: str  # the years of an event that is also an organisation
    session: str  # a session of days, weeks or months: 会期天数
    members: str  # a count in a membership frame
    member_origin: str  # where members come from: 会员来源国家和地区数
    spent: str  # an amount spent or raised: 投入金额
    doubled: str  # in a figure, a doubling (翻了一番) …
    doubling: str  # … whose metric is the topic's growth in times
    growth: dict[str, str]  # a growth metric's last word by kind of figure (other kinds: `count`)
    point_growth: str  # a growth in percentage points: …提升幅度
    share_verb: str  # Y占X的比重: who holds a share
    share: str  # the share noun written when none is (外宾占GDP → 外宾占GDP比重)
    bare_share: str  # a share of nothing named: 外宾约占四成 → 外宾占比
    share_nouns: list[str]  # nouns of a share, written without 的 before them
    origin: str  # where the counted participants come from: 参展企业来源国家和地区数
    origin_verbs: list[str]  # taking part as a body from a place (参展, 参赛): a place count is their origin
    joiner: str  # joins the listed nouns of a metric: 下架应用程序、小程序 → 下架应用程序和小程序数
    proportion: str  # a share of the things after the figure: 覆盖95%的县区 → 覆盖县区比例
    coming_from: str  # where the counted come from (来自X的30个案例): no part of what is measured
    prepositions: list[str]  # open no verb phrase: 对52个国家的发展情况 (52个国家 is a possessor there)


@dataclass(frozen=True)
class ClaimRules:
    sources: tuple[tuple[str, re.Pattern], ...]
    anaphor: re.Pattern
    present: re.Pattern
    places: tuple[tuple[str, str], ...]  # (word, canonical name), longest word first
    scope_places: frozenset[str]  # canonical names of places that scope a count right after them
    ignore: re.Pattern
    predicates: tuple[tuple[str, bool], ...]  # (word, growth), longest first
    comparatives: tuple[str, ...]
    relative: tuple[str, ...]
    open_periods: tuple[str, ...]  # 近年来: a figure over an open period holds for no one year
    open_period_ends: tuple[str, ...]  # 十年来: right after a duration, a period up to now
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
    metric_forms: tuple[tuple[str, str], ...]  # (variant, word) written at a metric's start, longest first
    not_metric_starts: tuple[str, ...]  # function words no metric starts with
    increments: tuple[str, ...]
    event_verbs: tuple[str, ...]
    words: MetricWords
    list_joiners: tuple[str, ...]  # between the items of a list of counts (、, 和, 以及)
    references: tuple[str, ...]  # words that refer back, opening no topic (这些, 该, 其)
    these: re.Pattern  # 这些X: group `noun` names what was counted before
    front_reference: re.Pattern  # what a clause opens with before its topic: 这份报告, 这些X的, …等
    listed: re.Pattern  # …等 right after a name: it is an example of what is counted
    scopes: tuple[str, ...]  # an ignore frame opening with one scopes the sentence (在…中)
    not_metric_ends: tuple[str, ...]  # function words no metric ends with
    count_inside: re.Pattern  # a count inside a metric (多场, 20个): no noun phrase
    number_part: re.Pattern  # a figure's number and classifier, before its counted noun
    dated_comparison: re.Pattern  # 较2023年12月 at the end of a metric
    leading_time: re.Pattern  # 2022年前三季度 opening a metric
    share_of: re.Pattern  # 占X(的): group 1 is what the share is of
    share_with_de: re.Pattern  # 占X的比重: groups 1 and 2 are written without 的
    name_year: re.Pattern  # 2024年 in front of an occurrence's name
    summit_nouns: tuple[str, ...]  # 乌镇峰会: a short form of a summit series ends with one
    summit_aliases: tuple[str, ...]  # 本届大会 may name the summit whatever its name ends with
    document_kinds: dict[str, str]  # 蓝皮书 → blue_book: the kind a document noun names
    possessive: str  # 的
    perfective: str  # 了
    front_words: tuple[str, ...]  # particles and prepositions skipped before a clause's topic (从, 的, 了, 等)
    year_unit: str  # the unit of a duration in years (rules/quantities.yaml, duration-year)
    point_unit: str  # the unit of a change in percentage points (rules/quantities.yaml, share-point)


def _words(rules: list[WordsRule]) -> tuple[str, ...]:
    return tuple(sorted({w for r in rules for w in r.words}, key=lambda w: (-len(w), w)))


def _either(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _word_lists(path: Path, section: str, *ids: str) -> dict[str, tuple[str, ...]]:
    """The word lists of ``section`` by id; every id in ``ids`` (those code reads) must be there."""
    lists = {r.id: tuple(r.words) for r in load_section(path, section, WordList)}
    missing = [i for i in ids if i not in lists]
    if missing:
        raise RuleError(path, f"section {section!r} lacks the word list(s) {', '.join(missing)}")
    return lists


def _one_word(path: Path, section: str, rule_id: str) -> str:
    """The one word of rule ``rule_id`` in ``section``."""
    words = _word_lists(path, section, rule_id)[rule_id]
    if len(words) != 1:
        raise RuleError(path, f"word list {rule_id!r} of {section!r} must hold exactly one word")
    return words[0]


def _unit(rule_id: str) -> str:
    """The unit of a rule of ``units`` in rules/quantities.yaml."""
    unit = next((r.unit for r in lexicon().units.values() if r.id == rule_id), None)
    if unit is None:
        raise RuleError(rule_path("quantities"), f"section 'units' lacks the rule {rule_id!r}")
    return unit


def _chars(words) -> str:
    """A character class body holding every character of ``words``."""
    return "".join(re.escape(c) for c in sorted(set("".join(words))))


def _number_patterns(vague: tuple[str, ...]) -> tuple[re.Pattern, re.Pattern]:
    """(the number and classifier of a figure, a count inside a metric), from the numerals of
    rules/lexicon.yaml and the scales, number qualifiers and classifiers of rules/quantities.yaml."""
    lex = lexicon()
    numerals = _chars([*load_words(rule_path("lexicon"), "numerals"), *lex.scales])
    qualifiers = alternation([w for w, r in lex.qualifiers.items() if r.position == "number"])
    classifier = alternation(lex.classifiers, not_before={w: r.not_before for w, r in lex.classifiers.items()
                                                          if r.not_before})
    number_part = rf"^[^\d{numerals}]*(?:[\d.,/{numerals}]|{qualifiers})+(?:{classifier})?"
    return re.compile(number_part), re.compile(rf"(?:{alternation(vague)}|\d+)(?:{classifier})")


@rule_builder
def load_claim_rules(path: str | None = None) -> ClaimRules:
    """The rules of ``rules/claims.yaml`` (or ``path``), validated and compiled once."""
    file = rule_path("claims") if path is None else rule_path("claims").with_name(path)
    section = lambda name, model: load_section(file, name, model)  # noqa: E731
    predicates = section("predicates", WordsRule)
    places = section("places", PlaceRule)
    anaphor = _either([r.pattern for r in section("anaphors", PatternRule)])
    return ClaimRules(
        sources=tuple((r.id, re.compile(r.pattern)) for r in section("sources", PatternRule)),
        anaphor=anaphor,
        present=re.compile("|".join(_words(section("present", WordsRule)))),
        places=tuple(sorted(((w, p.name) for p in places for w in p.words), key=lambda x: -len(x[0]))),
        scope_places=frozenset(p.name for p in places if p.scope),
        ignore=_either([r.pattern for r in section("ignore", PatternRule)]),
        predicates=tuple(sorted(((w, r.growth) for r in predicates for w in r.words), key=lambda x: -len(x[0]))),
        comparatives=_words(section("comparatives", WordsRule)),
        relative=_words(section("relative", WordsRule)),
        open_periods=_words(section("open_periods", WordsRule)),
        open_period_ends=_words(section("open_period_ends", WordsRule)),
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
        metric_forms=tuple(sorted(((v, f.word) for f in section("metric_forms", MetricForm) for v in f.variants),
                                  key=lambda x: -len(x[0]))),
        not_metric_starts=_words(section("not_metric_starts", WordsRule)),
        metric_openers=re.compile(alternation([w for r in section("metric_openers", OpenerRule) for w in r.words],
                                              not_before={w: r.not_before for r in section("metric_openers", OpenerRule)
                                                          for w in r.words if r.not_before})),
        increments=_words(section("increments", WordsRule)),
        event_verbs=_words(section("event_verbs", WordsRule)),
        **_text_words(file, anaphor),
    )


def _text_words(file: Path, anaphor: re.Pattern) -> dict:
    """The fields of :class:`ClaimRules` built from particles, metric words and other lexicons."""
    section = lambda name, model: load_section(file, name, model)  # noqa: E731
    lexicon_file, events_file = rule_path("lexicon"), rule_path("events")
    words = section("metric_words", MetricWords)
    if len(words) != 1:
        raise RuleError(file, "section 'metric_words' must hold exactly one rule")
    de, le = _one_word(lexicon_file, "possessive", "de"), _one_word(lexicon_file, "perfective", "le")
    etc = _one_word(lexicon_file, "etcetera", "deng")
    these = _either([r.pattern for r in section("these", PatternRule)])
    share, share_nouns = re.escape(words[0].share_verb), alternation(words[0].share_nouns)
    number_part, count_inside = _number_patterns(_words(section("vague_counts", WordsRule)))
    event_words = _word_lists(events_file, "words", "summit_nouns", "year_unit")
    return dict(
        words=words[0],
        list_joiners=_words(section("list_joiners", WordsRule)),
        references=_words(section("references", WordsRule)),
        these=these,
        front_reference=re.compile(rf"{anaphor.pattern}|{these.pattern}{re.escape(de)}"
                                   rf"|[^，,。]{{0,30}}{re.escape(etc)}(?=\d)"),
        listed=re.compile(rf"[^，,。；;]*{re.escape(etc)}"),
        scopes=_words(section("scopes", WordsRule)),
        not_metric_ends=_words(section("not_metric_ends", WordsRule)),
        count_inside=count_inside,
        number_part=number_part,
        dated_comparison=_either([r.pattern for r in section("dated_comparison", PatternRule)]),
        leading_time=_either([r.pattern for r in section("leading_time", PatternRule)]),
        share_of=re.compile(rf"{share}(.+?){re.escape(de)}?$"),
        share_with_de=re.compile(rf"(.*{share}.+?){re.escape(de)}({share_nouns})"),
        name_year=re.compile(rf"^\d{{4}}(?:{alternation(event_words['year_unit'])})"),
        summit_nouns=tuple(sorted(event_words["summit_nouns"], key=lambda w: (-len(w), w))),
        summit_aliases=_words(section("summit_aliases", WordsRule)),
        document_kinds={h.head: h.kind for h in load_document_rules().heads},
        possessive=de,
        perfective=le,
        front_words=(*load_words(lexicon_file, "time_from"), de, le, etc),
        year_unit=_unit("duration-year"),
        point_unit=_unit("share-point"),
    )
