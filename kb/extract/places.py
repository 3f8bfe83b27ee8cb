"""Places: countries, regions and cities as GPE mentions of the rule matcher.

Two sources, both from ``rules/places.yaml`` (the one lexicon of places):

- the lexicon's names, matched on characters (a name inside a longer segmenter
  token is still found), rule ids ``country-names``, ``regions``, ``cities``;
- the name tagger's LOC proposals (:mod:`kb.nlp.tagger`) that end in an
  administrative division word (``place_suffixes`` of ``rules/lexicon.yaml``:
  四川省, 成都市, 西藏自治区), rule ``tagger:lac``.

A place inside an organisation's name (浙江 of 浙江大学) or a title in 《》, or inside a token the
segmenter made of a longer name (an event's), is part of that name, no place of
its own; of overlapping places the longest wins (四川省 over 四川).
Nothing here decides what a record's place is: the event and claim builders
read places in their own frames; these spans show a reader (displaCy) and later
stages where the text names one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from kb.extract.ranges import Cover
from kb.nlp.tagger import RULE_ID as TAGGER_RULE, proposals
from kb.nlp.text import text_of
from kb.rules.ruleset import WordList, alternation, load_section, load_words, rule_builder, rule_path

SECTIONS = ("countries", "regions", "cities")


@dataclass(frozen=True)
class Place:
    """A place mention: clean characters ``[start, end)``, the name as written, the rule."""

    start: int
    end: int
    name: str
    rule: str


@dataclass(frozen=True)
class PlaceRules:
    names: re.Pattern[str]  # every lexicon name of two characters or more
    rule_of: dict[str, str]  # name → the id of its section's rule
    division: re.Pattern[str]  # a tagger proposal ending in a division word


@rule_builder
def place_rules() -> PlaceRules:
    """``rules/places.yaml`` (and the division words of ``rules/lexicon.yaml``), compiled once."""
    path = rule_path("places")
    rule_of = {w: rule.id for section in SECTIONS for rule in load_section(path, section, WordList)
               for w in rule.words if len(w) >= 2}  # 省 alone is "the province", no name
    suffixes = alternation(load_words(rule_path("lexicon"), "place_suffixes"))
    return PlaceRules(re.compile(alternation(rule_of)), rule_of, re.compile(rf"^[\u4e00-\u9fff]{{1,6}}(?:{suffixes})$"))


def place_mentions(doc: Doc, names: list = ()) -> list[Place]:
    """Places of ``doc`` in text order, none inside one of ``names`` (items with
    ``start``/``end``: organisations, 《》 titles)."""
    rules, text = place_rules(), text_of(doc)
    found = [Place(m.start(), m.end(), m.group(), rules.rule_of[m.group()]) for m in rules.names.finditer(text)]
    found += [Place(s, e, text[s:e], TAGGER_RULE) for s, e in proposals(doc, "LOC") if rules.division.match(text[s:e])]
    inside = Cover([(n.start, n.end) for n in names])
    kept: list[Place] = []
    taken: set[int] = set()  # characters of the places kept (each a few characters: linear)
    for p in sorted(found, key=lambda p: (p.start - p.end, p.start)):  # longest first
        if inside.covers(p.start, p.end) or not taken.isdisjoint(range(p.start, p.end)):
            continue
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is not None and len(span.text) > len(p.name) + 1:
            continue  # a token holding more (the segmenter's one word for 世界互联网大会乌镇峰会): part of a name
        kept.append(p)
        taken.update(range(p.start, p.end))
    return sorted(kept, key=lambda p: p.start)
