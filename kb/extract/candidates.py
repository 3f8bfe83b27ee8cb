"""The rule matcher's matches, read back from ``doc.spans["rules"]`` by the record builders.

The ``kb_rules`` component (:mod:`kb.extract.matcher`) writes the spans; this
module holds what its writer and its readers share, so a builder reading
candidates does not import the matcher (which imports the builders' mention
finders).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from kb.errors import KbError

SPANS_KEY = "rules"
MATCHES_KEY = "kb_rule_matches"  # doc.user_data: span_key(span) → its matches


def span_key(span: Span) -> tuple:
    """What tells two rule spans apart: boundaries, label, canonical name and rule."""
    return span.start_char, span.end_char, span.label_, span.kb_id_, span.id_


def _matches(span: Span) -> list:
    # Computed from the span: values set on a Span's extension are stored by its boundaries only,
    # so a DATE and a QUANTITY over the same tokens would share them.
    return span.doc.user_data.get(MATCHES_KEY, {}).get(span_key(span), [])


Span.set_extension("matches", getter=_matches, force=True)


@dataclass(frozen=True)
class RuleMatch:
    """One match: clean characters ``[start, end)``, its label, rule, canonical name and
    the object the rule made (an organisation mention, a date, a quantity, a title match)."""

    start: int
    end: int
    label: str
    rule: str
    name: str
    value: Any


def rule_matches(doc: Doc, label: str, rule: str | None = None) -> list[RuleMatch]:
    """The matches of one label in ``doc.spans["rules"]``, once each, in text order.

    ``rule``: only those of this rule id. The ``kb_rules`` component must have run."""
    if SPANS_KEY not in doc.spans:
        raise KbError(f'doc.spans["{SPANS_KEY}"] is missing: run the kb_rules component (kb.load_nlp) first')
    seen: dict[int, RuleMatch] = {}
    for span in doc.spans[SPANS_KEY]:
        if span.label_ == label and rule in (None, span.id_):
            for m in span._.matches:
                seen[id(m)] = m
    return sorted(seen.values(), key=lambda m: (m.start, m.end))
