"""``kb_rules``: the rules' mentions of a Doc, found once, as Spans in ``doc.spans["rules"]``.

The rule matcher runs after the name tagger and before the record builders
(:mod:`kb.extract`), which read their candidates from its spans instead of
matching the text again:

=========  ==============================================  =========================
label      what                                            found by
=========  ==============================================  =========================
EVENT      an event: a known series (2024年世界互联网大会乌镇峰会),  :func:`kb.extract.events.finder.event_mentions`
           a quoted or bare name ending in an event
           noun, a pattern (党的二十大), sentence by
           sentence; its name and fields so far
ORG        an organisation: gazetteer name or alias,       :func:`kb.extract.orgs.finder.org_mentions`
           marker (``来源：X``), name head (…研究院),
           a country's organ, a short form the article
           introduces, a tagger proposal the rules accept
PERSON     a person: a name with a title or reporting      :func:`kb.extract.people.finder.person_mentions`
           verb, a byline, a tagger proposal the rules
           accept; with the roles written around it
GPE        a country, region or city (``rules/places.yaml``),  :func:`kb.extract.places.place_mentions`
           a tagger proposal ending in 省/市/自治区…;
           none inside an organisation's name or a title
DOCUMENT   a document: a title in 《》 with an issuing      :func:`kb.extract.documents.finder.document_mentions`
           context or a kind word, a known title; its
           kind
DATE       a date expression, day-only dates and 当天 too  :func:`kb.normalise.dates.find_dates`
QUANTITY   a stated quantity (53.9万亿元, 120多个)         :func:`kb.normalise.numbers.find_quantities`
TITLE      a title in 《》 (a document, a periodical)      section ``title`` of ``rules/lexicon.yaml``
=========  ==============================================  =========================

Matching is on characters, so a name inside a longer segmenter token is still
found; each match is aligned to tokens with ``doc.char_span(...,
alignment_mode="expand")``. A span's ``id_`` is the rule that matched,
``kb_id_`` the canonical name where there is one (an organisation's), and
``span._.matches`` the match objects themselves, with exact character offsets
and parsed values (a :class:`~kb.normalise.dates.DateMention`'s ISO value, a
:class:`~kb.normalise.numbers.Quantity`'s number and unit). Two matches that
expand to one token span with one label and rule share that span; read them
back with :func:`rule_matches`, which gives every match once, in text order.

Like spaCy's ``SpanRuler``, the component first matches (:meth:`RuleMatcher.match`,
no side effects), then writes (:meth:`RuleMatcher.set_annotations`).
"""

from __future__ import annotations

import re
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kb.clean.offsets import Mapped
from kb.errors import RuleError
from kb.extract.candidates import MATCHES_KEY, SPANS_KEY, RuleMatch, span_key
from kb.extract.context import Context
from kb.extract.documents.finder import document_mentions
from kb.extract.events.finder import event_mentions
from kb.extract.orgs.finder import org_mentions, org_names
from kb.extract.people.finder import person_mentions
from kb.extract.places import place_mentions
from kb.ingest.articles import Article
from kb.nlp.pipeline import text_of, words_of
from kb.normalise.dates import find_dates
from kb.normalise.numbers import find_quantities
from kb.rules.ruleset import Regex, Rule, RuleSet, load_section, rule_builder, rule_path

LABELS = ("EVENT", "ORG", "PERSON", "GPE", "DOCUMENT", "DATE", "QUANTITY", "TITLE")
TEXT_ID = "<text>"


def ensure_article(doc: Doc) -> None:
    """Give a Doc made by ``nlp(text)`` the article it lacks, in memory: the text alone
    (id ``"<text>"``, no date or title) as its own clean text, so provenance offsets are
    offsets into the text. A Doc made from an article (``kb extract``) keeps its own."""
    if doc._.article is None:
        text = text_of(doc)
        doc._.article = Article(id=TEXT_ID, path=Path(TEXT_ID), text=text, encoding="utf-8", body_start=0,
                                title="", date=None, date_how="unknown")
        doc._.textmap = Mapped.identity(text)


class TitleRule(Rule):
    pattern: Regex


@rule_builder
def title_rule() -> tuple[str, re.Pattern[str]]:
    """The one 《》 title pattern (``rules/lexicon.yaml``, section ``title``): its id and regex."""
    rules = load_section(rule_path("lexicon"), "title", TitleRule)
    if len(rules) != 1:
        raise RuleError(rule_path("lexicon"), "section 'title' must hold exactly one rule")
    return rules[0].id, re.compile(rules[0].pattern)


class RuleMatcher:
    """``kb_rules``: every rule match of the doc in ``doc.spans[spans_key]``, found with
    ``rules`` active (None: the RuleSet active when it runs, else the configured one,
    as for ``kb_facts``)."""

    def __init__(self, rules: RuleSet | None = None, spans_key: str = SPANS_KEY):
        self.rules = rules
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        ensure_article(doc)
        with (self.rules or RuleSet.current()).active():
            return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[RuleMatch]:
        """Every match, in text order; nothing written. Reads ``doc._.article`` for its date
        (dates are resolved against it) and the tagger's proposals (``doc.spans["tagger"]``)."""
        text = text_of(doc)
        date = getattr(doc._.article, "date", None)
        orgs = org_mentions(doc)
        found = [RuleMatch(m.start, m.end, "ORG", m.rule, m.name, m) for m in orgs]
        # People after organisations: a name inside an organisation's is none, and a role
        # takes its organisation from the names the article's organisations go by.
        found += [RuleMatch(f.start, f.end, "PERSON", f.rule, text[f.start:f.end], f)
                  for f in person_mentions(doc, org_names(doc, orgs))]
        rule, titles = title_rule()
        title_matches = [RuleMatch(m.start(), m.end(), "TITLE", rule, m.group()[1:-1], m) for m in titles.finditer(text)]
        found += [RuleMatch(p.start, p.end, "GPE", p.rule, p.name, p) for p in place_mentions(doc, [*orgs, *title_matches])]
        # Two readings of the dates: without day-only dates (``date``, what claims and
        # founding frames use) and with them (``date-days``, what event frames use).
        dates = {days: find_dates(text, date, days=days) for days in (False, True)}
        for rule, days in (("date", False), ("date-days", True)):
            found += [RuleMatch(d.start, d.end, "DATE", rule, d.iso or "", d) for d in dates[days]]
        ends = [w.idx + len(w.text) for w in words_of(doc)]
        found += [RuleMatch(q.start, q.end, "QUANTITY", q.rule, "", q) for q in find_quantities(text, word_ends=ends)]
        found += title_matches
        ctx = Context.of(doc, [(t.start, t.end) for t in title_matches], dates[True])
        found += [RuleMatch(m.start, m.end, "EVENT", m.rule, m.name, m) for m in event_mentions(doc, ctx)]
        found += [RuleMatch(t.start, t.end, "DOCUMENT", t.rule, t.title, t) for t in document_mentions(doc, ctx)]
        return sorted(found, key=lambda m: (m.start, m.end, LABELS.index(m.label)))

    def set_annotations(self, doc: Doc, matches: list[RuleMatch]) -> Doc:
        spans: dict[tuple, Span] = {}
        found: dict[tuple, list[RuleMatch]] = {}
        for m in matches:
            span = doc.char_span(m.start, m.end, label=m.label, kb_id=m.name, alignment_mode="expand")
            if span is None:  # whitespace only: nothing to align to
                continue
            span.id_ = m.rule
            key = span_key(span)
            spans.setdefault(key, span)
            found.setdefault(key, []).append(m)
        doc.user_data[MATCHES_KEY] = found
        doc.spans[self.spans_key] = list(spans.values())
        return doc


@Language.factory("kb_rules", default_config={"rules": None, "spans_key": SPANS_KEY})
def make_rule_matcher(nlp: Language, name: str, rules: str | None, spans_key: str) -> RuleMatcher:
    return RuleMatcher(RuleSet.load(rules) if rules else None, spans_key)
