"""kb's spaCy components: facts, their mentions as spans, and the entities kb saw.

:func:`kb.load_nlp` builds a Chinese pipeline of these, in this order::

    kb_sentences  sentence starts (kb.nlp.pipeline)
    kb_tagger     the name tagger's proposals → doc.spans["tagger"] (kb.nlp.tagger)
    kb_rules      the rules' matches, tagger proposals accepted → doc.spans["rules"] (kb.extract.matcher)
    kb_facts      records built from those spans → doc._.facts (kb.extract)
    kb_mentions   every provenance mention of a record → doc.spans["kb"]
    kb_ents       the mentions, overlaps resolved → doc.ents

Each is registered with :meth:`spacy.language.Language.factory` and a default
config. ``kb_facts`` takes ``rules``: a rules folder, read and checked once
when the component is made (:meth:`kb.rules.ruleset.RuleSet.load`) and made active
while it runs, so pipelines with different folders work side by side; or
``None``, the RuleSet active when it runs, else the configured folder's
(``KB_RULES_DIR`` or ``rules/``, read again when a file in it changes).

A Doc made by ``nlp(text)`` has no article: ``kb_facts`` gives it one in
memory (:func:`kb.extract.matcher.ensure_article`, id ``"<text>"``, no date), the text being its own
clean text, so provenance offsets are offsets into the text.

A mention span is labelled by its record's type (:data:`LABELS`); ``span.id_``
is the rule that found it and ``span.kb_id_`` the record's id. A tagger
proposal the rules did not accept is no record's mention: it stays in
``doc.spans["tagger"]`` only.
"""

from __future__ import annotations


from spacy.language import Language
from spacy.tokens import Doc, Span

from kb.extract import extract
from kb.extract.candidates import SPANS_KEY as RULE_SPANS
from kb.extract.matcher import RuleMatcher, ensure_article
from kb.nlp.pipeline import clean_span
from kb.records.models import Claim, Document, Event, Organization, Person, Record
from kb.rules.ruleset import RuleSet
from kb.nlp.tagger import RULE_ID as TAGGER_RULE

SPANS_KEY = "kb"
# The span label of each record type; the order breaks ties between equal spans.
LABELS: dict[type[Record], str] = {
    Event: "EVENT", Organization: "ORG", Person: "PERSON", Document: "DOCUMENT", Claim: "QUANTITY",
}
_LABEL_ORDER = {label: i for i, label in enumerate(LABELS.values())}

Doc.set_extension("facts", default=None, force=True)


class FactsComponent:
    """``kb_facts``: the records of the Doc's article in ``doc._.facts``, found with
    this component's rules active."""

    def __init__(self, rules: RuleSet | None = None):
        self.rules = rules

    def ruleset(self) -> RuleSet:
        """The rules this component runs with (see the module's docstring)."""
        return self.rules or RuleSet.current()

    def __call__(self, doc: Doc) -> Doc:
        with self.ruleset().active():
            ensure_article(doc)
            if RULE_SPANS not in doc.spans:  # a pipeline without kb_rules: match here
                RuleMatcher()(doc)
            doc._.facts = extract(doc)
        return doc


@Language.factory("kb_facts", default_config={"rules": None})
def make_facts(nlp: Language, name: str, rules: str | None) -> FactsComponent:
    return FactsComponent(RuleSet.load(rules) if rules else None)


class MentionSpans:
    """``kb_mentions``: every provenance mention of every record of ``doc._.facts``
    as a Span in ``doc.spans[spans_key]``, in text order."""

    def __init__(self, spans_key: str = SPANS_KEY):
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[tuple[int, int, str, str, str]]:
        """``(start_char, end_char, label, rule, record id)`` of each mention in the clean
        text, once each; a mention outside it (front matter, a dropped line) has none."""
        facts = doc._.facts
        if facts is None:
            return []
        found = set()
        for record in facts.records():
            for p in record.provenance:
                span = clean_span(doc, p.start, p.end) if p.doc == facts.doc else None
                if span is not None:
                    found.add((*span, LABELS[type(record)], p.rule, record.id))
        return sorted(found)

    def set_annotations(self, doc: Doc, mentions: list[tuple[int, int, str, str, str]]) -> Doc:
        spans = []
        for start, end, label, rule, record_id in mentions:
            span = doc.char_span(start, end, label=label, kb_id=record_id, alignment_mode="expand")
            if span is not None:
                span.id_ = rule
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory("kb_mentions", default_config={"spans_key": SPANS_KEY})
def make_mentions(nlp: Language, name: str, spans_key: str) -> MentionSpans:
    return MentionSpans(spans_key)


class EntityResolver:
    """``kb_ents``: the mentions of ``doc.spans[spans_key]``, with the rule matcher's spans
    of ``rule_labels`` (places: GPE), that do not overlap, as ``doc.ents``; every mention
    stays in its group of ``doc.spans``.

    The policy: spans are taken one by one, each kept unless it shares a token with
    one kept before, in this order —

    1. the longer span first (in characters): 2024年世界互联网大会乌镇峰会 (EVENT) over
       乌镇 inside it;
    2. then a rule's span before one the name tagger proposed (rule ``tagger:lac``)
       and a rule accepted;
    3. then the earlier start;
    4. then by label (EVENT, ORG, PERSON, DOCUMENT, QUANTITY, GPE) and rule id, so the
       result does not depend on the order of the candidates.
    """

    def __init__(self, spans_key: str = SPANS_KEY, rule_labels: tuple[str, ...] = ("GPE",)):
        self.spans_key = spans_key
        self.rule_labels = frozenset(rule_labels)

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.match(doc))

    def match(self, doc: Doc) -> list[Span]:
        """The spans that become ``doc.ents``, in text order; nothing written."""
        candidates = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        if RULE_SPANS in doc.spans:
            candidates += [s for s in doc.spans[RULE_SPANS] if s.label_ in self.rule_labels]
        return resolve_overlaps(candidates)

    def set_annotations(self, doc: Doc, ents: list[Span]) -> Doc:
        doc.set_ents(ents, default="outside")
        return doc


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """The spans :class:`EntityResolver`'s policy keeps, in text order."""
    taken: set[int] = set()
    kept = []
    for span in sorted(spans, key=_priority):
        tokens = range(span.start, span.end)
        if not taken.intersection(tokens):
            taken.update(tokens)
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def _priority(span: Span) -> tuple:
    return (
        -(span.end_char - span.start_char), span.id_ == TAGGER_RULE, span.start_char,
        _LABEL_ORDER.get(span.label_, len(_LABEL_ORDER)), span.label_, span.id_,
    )


@Language.factory("kb_ents", default_config={"spans_key": SPANS_KEY, "rule_labels": ["GPE"]})
def make_ents(nlp: Language, name: str, spans_key: str, rule_labels: list[str]) -> EntityResolver:
    return EntityResolver(spans_key, tuple(rule_labels))
