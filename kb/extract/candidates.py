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

Span.set_extension("matches", default=None, force=True)


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
            for m in span._.matches or ():
                seen[id(m)] = m
    return sorted(seen.values(), key=lambda m: (m.start, m.end))
