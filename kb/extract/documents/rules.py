"""Language data of documents: ``rules/documents.yaml`` validated and compiled.

Each section of the file is a list of rules with a stable id (see the file's
header for what every section means); :func:`load_document_rules` builds them
once per RuleSet into a frozen :class:`DocumentRules`, with the regexes that
find a title by its context assembled from the word lists. Words other modules
use too come from their one lexicon: the demonstratives (本届) and the
particles 了 and 等 from ``rules/lexicon.yaml``, the summit nouns (大会, 峰会)
from ``rules/events.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kb.errors import RuleError
from kb.records.models import DocumentKind
from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, load_words, rule_builder, rule_path

# The word lists each section of rules/documents.yaml must hold, by id.
_WORD_LISTS = {
    "words": ("partners", "title_joiners", "verb_tails", "list_joiners", "not_in_unquoted", "not_in_item",
              "count_classifiers"),
    "at_event": ("at", "during", "alone", "opening", "noun", "as", "outcome", "future", "eve"),
    "issuing_event": ("openers", "parts", "adverbs"),
    "back_reference": ("at", "refer"),
}
# Words shared with other modules: (rule file, section, id) of each list.
_SHARED = {
    "this": ("lexicon", "demonstratives", "this-occurrence"),  # 本届, 本次, 此次
    "perfective": ("lexicon", "perfective", "le"),  # 了
    "etc": ("lexicon", "etcetera", "deng"),  # 等
    "digits": ("lexicon", "numerals", "digits"),  # 一, 二, 三 …
    "summit": ("events", "words", "summit_nouns"),  # 大会, 峰会
}


class HeadRule(Rule):
    """A word a title ends with, and the kind it gives."""

    head: str
    kind: DocumentKind
    specific: bool = False
    bare: bool = False
    context_needed: bool = False  # 《…办法》 is a document only when issued in the text


class KnownRule(Rule):
    title: str
    kind: DocumentKind
    context_needed: bool = False  # a document only where its clause issues it (提出的全球发展倡议)
    event: str | None = None  # the event it belongs to, when the article names that event (党的二十大)


class CountrySide(Rule):
    """Words naming a country as a party (中方): the issuer is the country."""

    country: str
    words: list[str]


class IssuedRule(Rule):
    """The kind of a title with no head word that an issuing verb makes a document."""

    kind: DocumentKind


class BetweenRule(Rule):
    """Words right before 《 and right after 》 that make a title no document (在《…》上发表)."""

    before: list[str]
    after: list[str]


class TrailerRule(Rule):
    """What may follow a title's head (a parenthesis, a year, an edition)."""

    pattern: Regex


@dataclass(frozen=True)
class _Patterns:
    """The regexes built from the word lists (see :func:`_build_patterns`)."""

    after_verb: re.Pattern[str]
    list_item: re.Pattern[str]
    at_event: re.Pattern[str]
    event_issues: re.Pattern[str]
    back_reference: re.Pattern[str]
    outcome: re.Pattern[str]
    released_after: re.Pattern[str]
    eve: re.Pattern[str]


@dataclass(frozen=True)
class DocumentRules:
    heads: tuple[HeadRule, ...]
    verbs_before: tuple[str, ...]
    verbs_after: tuple[str, ...]
    not_after: tuple[str, ...]
    not_before: tuple[str, ...]
    known: tuple[KnownRule, ...]
    countries: tuple[str, ...]
    issued: IssuedRule
    not_between: tuple[BetweenRule, ...]
    words: dict[str, tuple[str, ...]]  # section ``words`` by id, in file order
    shared: dict[str, tuple[str, ...]]  # the words of :data:`_SHARED`, by name
    at_event: dict[str, tuple[str, ...]]  # section ``at_event`` by id
    trailer: re.Pattern[str]
    patterns: _Patterns
    sides: dict[str, str]  # 中方 → 中国

    @property
    def own_event(self) -> str:
        """The noun a setting without one (会上, 开幕式上) stands for: the article's 大会."""
        return self.at_event["noun"][0]

    def head_of(self, text: str, *, at_start: bool = False) -> HeadRule | None:
        """The head ``text`` ends with (or, ``at_start``, begins with)."""
        test = text.startswith if at_start else text.endswith
        return next((h for h in self.heads if test(h.head)), None)


@rule_builder
def load_document_rules() -> DocumentRules:
    """The rules of ``rules/documents.yaml`` (and the shared words they use), built once."""
    path = rule_path("documents")
    heads = tuple(sorted(load_section(path, "heads", HeadRule), key=lambda h: -len(h.head)))
    verbs = {r.id: tuple(sorted(r.words, key=len, reverse=True)) for r in load_section(path, "verbs", WordList)}
    lists = {section: _word_lists(path, section, _WORD_LISTS[section]) for section in _WORD_LISTS}
    shared = _shared_words()
    issued = load_section(path, "issued", IssuedRule)
    if len(issued) != 1:
        raise RuleError(path, "section 'issued' must hold one rule")
    if len(lists["at_event"]["noun"]) != 1:
        raise RuleError(path, "word list 'noun' of section 'at_event' must hold one word", rule_id="noun")
    trailer = "|".join(f"(?:{r.pattern})" for r in load_section(path, "trailer", TrailerRule)) or "(?!)"
    return DocumentRules(
        heads, verbs["before"], verbs["after"], load_words(path, "not_after"), load_words(path, "not_before"),
        tuple(load_section(path, "known", KnownRule)), load_words(rule_path("places"), "countries"), issued[0],
        tuple(load_section(path, "not_between", BetweenRule)), lists["words"], shared, lists["at_event"],
        re.compile(trailer), _build_patterns(heads, verbs["before"], lists, shared, verbs["after"]),
        {w: side.country for side in load_section(path, "country_sides", CountrySide) for w in side.words},
    )


def _word_lists(path: Path, section: str, ids: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The word lists of ``section`` by id, each in file order; the ``ids`` code reads must be there."""
    lists = {r.id: tuple(r.words) for r in load_section(path, section, WordList)}
    missing = [i for i in ids if i not in lists]
    if missing:
        raise RuleError(path, f"section {section!r} lacks the word list(s) {', '.join(missing)}")
    return lists


def _shared_words() -> dict[str, tuple[str, ...]]:
    """The word lists documents share with other modules (:data:`_SHARED`), by name."""
    return {name: _word_lists(rule_path(file), section, (rule_id,))[rule_id]
            for name, (file, section, rule_id) in _SHARED.items()}


def _build_patterns(heads, verbs_before, lists, shared, verbs_after=()) -> _Patterns:
    """Compile the regexes of titles found by their context from the word lists."""
    words, at, issuing, back = lists["words"], lists["at_event"], lists["issuing_event"], lists["back_reference"]
    this, summit, parts = alternation(shared["this"]), alternation(shared["summit"]), alternation(issuing["parts"])
    verbs = "|".join(map(re.escape, verbs_before))  # longest first, as the file lists them
    verbs_after = "|".join(map(re.escape, verbs_after)) or "(?!)"
    bare_heads = "|".join(re.escape(h.head) for h in heads if h.bare)
    settings = alternation(at["during"] + at["alone"] + at["opening"])
    return _Patterns(
        # 提出全球发展倡议: an issuing verb, then an unquoted name ending in a bare head
        after_verb=re.compile(rf"({verbs})(?:{alternation(shared['perfective'])})?"
                              rf"(?P<title>[\u4e00-\u9fff]{{4,16}}?(?:{bare_heads}))"),
        # an item of a list of titles: up to its separator; quoted parts (“互联网+扶贫”) stay in
        list_item=re.compile(rf"(?:{alternation(words['list_joiners'])})"
                             rf"(?P<item>[^、，,。；;！？!?\n《》()（）]{{4,30}})"),
        # 峰会期间/本届大会上/会上/开幕式上, at the start of a clause
        at_event=re.compile(rf"(?:^|(?<=[，,。；;！？!?\n]))(?P<lead>\s*)(?:{alternation(at['at'])})?"
                            rf"(?P<this>{this})?(?P<noun>{summit})?(?P<setting>{settings})(?P<trail>\s*)[，,]?"),
        # 峰会还发布《…》, 此外，大会主论坛通过了《…》: the clause's subject, up to the verb
        event_issues=re.compile(rf"(?:^|(?<=[，,。；;\n]))\s*(?:{alternation(issuing['openers'])})?[，,]?"
                                rf"(?:{this})?(?:(?P<noun>{summit})(?:{parts})?|{parts})"
                                rf"(?:{alternation(at['during'])})?(?:{alternation(issuing['adverbs'])})?$"),
        # 会上/当天/同日 发布《…》
        back_reference=re.compile(rf"(?:^|[，,])\s*(?:{alternation(back['at'])})?(?:{alternation(back['refer'])})"),
        # 作为大会重要理论成果, 作为本次大会的重要成果: the article's event puts the title out
        outcome=re.compile(rf"(?:{alternation(at['at'])})?(?:{alternation(at['as'])})(?:{this})?(?P<noun>{summit})"
                           rf"[^，,。；;！？!?\n]{{0,8}}?(?:{alternation(at['outcome'])})"),
        # 》…将在大会期间发布: released at the article's event, named after the title without its name
        released_after=re.compile(rf"(?P<future>{alternation(at['future'])})?(?:{alternation(at['at'])})"
                                  rf"(?:{this})?(?P<noun>{summit})(?:{alternation(at['during'])})"
                                  rf"(?:{alternation(issuing['adverbs'])})?(?:{verbs_after})"),
        # 大会前夕: on the eve of the article's event, in its year
        eve=re.compile(rf"(?:{this})?(?P<noun>{summit})(?:{alternation(at['eve'])})"),
    )
