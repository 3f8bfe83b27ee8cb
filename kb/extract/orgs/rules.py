"""The organisation rules of ``rules/organizations.yaml``: their models, validated and
compiled once (:func:`org_rules`), and the :class:`Mention` every organisation finder
proposes (:mod:`kb.extract.orgs.finder`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import field_validator

from kb.extract.orgs.founding import founding_rules
from kb.extract.orgs.forms import form_rules
from kb.extract.people.names import TaggerRule, one_rule
from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, load_words, rule_builder, rule_path

HAN = r"\u4e00-\u9fff"

OrgType = Literal[
    "international", "government", "research", "university", "association", "committee", "media", "company", "other",
]

class GazetteerEntry(Rule):
    name: str
    aliases: list[str] = []
    type: OrgType = "other"
    series: bool = False
    marked: bool = False
    # An alias names this body only in articles published from this date on; before it
    # existed the same words named something else (世界互联网大会: the conference).
    exists_from: str | None = None


class Marker(Rule):
    pattern: Regex
    suffix: str | None = None

    @field_validator("pattern")
    @classmethod
    def _has_name_group(cls, value: str) -> str:
        if "(?P<name>" not in value:
            raise ValueError("pattern needs a group (?P<name>...)")
        return value


class PatternRule(Rule):
    pattern: Regex


class OutletForm(Rule):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _has_name_and_suffix(cls, value: str) -> str:
        if "{name}" not in value or "(?P<suffix>" not in value:
            raise ValueError("pattern needs {name} and a group (?P<suffix>...)")
        try:
            re.compile(value.replace("{name}", "name"))
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from None
        return value


class HeadRule(WordList):
    anchored: bool = False


class EditionRule(Rule):
    pattern: Regex


OutletQuote = Literal["front_matter", "text"]
OUTLET_QUOTES: tuple[OutletQuote, ...] = ("front_matter", "text")


class OutletRule(Rule):
    quote: OutletQuote


@dataclass(frozen=True)
class Mention:
    """An organisation mention in the clean text: ``[start, end)``, as written and canonical."""

    start: int
    end: int
    name: str
    surface: str
    rule: str
    rank: int = 1  # tie-break among equally long mentions: marker 0, gazetteer 1, head 2


@dataclass(frozen=True)
class OrgRules:
    entries: dict[str, GazetteerEntry]  # every name and alias → its entry
    gazetteer: re.Pattern[str]
    markers: tuple[tuple[Marker, re.Pattern[str]], ...]
    heads: re.Pattern[str]
    head_rules: dict[str, HeadRule]  # head word → rule
    words: dict[str, frozenset[str]]  # section → words (prefixes, stops, ...)
    proposal_heads: dict[str, HeadRule]  # head word → rule, for tagger proposals only
    outlet_forms: tuple[OutletForm, ...]
    edition_before: re.Pattern[str]  # ends right before a series name that is the event: 首届, 2014年
    place: re.Pattern[str]  # a whole token that is a place: 浙江省
    place_in: re.Pattern[str]  # a place inside a name: 四川省…
    outlet_rules: dict[str, str]  # where the outlet's quote is from → rule id
    tagger_rule: str  # rule id of a tagger proposal the rules accept
    posted_offices: tuple[tuple[str, re.Pattern[str]], ...]  # 驻…联络处 right after a name


def _words(path, section: str) -> frozenset[str]:
    return frozenset(load_words(path, section))


@rule_builder
def org_rules() -> OrgRules:
    """``rules/organizations.yaml``, validated and compiled once."""
    path = rule_path("organizations")
    entries: dict[str, GazetteerEntry] = {}
    for entry in load_section(path, "gazetteer", GazetteerEntry):
        for name in (entry.name, *entry.aliases):
            entries.setdefault(name, entry)
    heads = load_section(path, "heads", HeadRule)
    head_rules = {w: rule for rule in heads for w in rule.words}
    sections = ("prefixes", "stops", "generic", "conjunctions", "event_words", "series_body_words", "series_body_verbs", "series_event_after", "name_verbs",
                "not_organizations",
                "venues", "venue_rooms", "bare_departments", "fused_titles",
                "organ_titles", "company_suffixes", "alias_prefixes", "house_outlets")
    founding_rules()  # the founding sections are validated with the rest of the file
    # a country or an outlet naming itself (本报) is no organisation
    not_orgs = _words(path, "not_organizations") | _words(path, "house_outlets") | form_rules().countries
    editions = "|".join(f"(?:{r.pattern})" for r in load_section(path, "series_editions", EditionRule))
    suffixes = alternation(load_words(rule_path("lexicon"), "place_suffixes"))
    return OrgRules(
        entries=entries,
        gazetteer=re.compile(alternation(entries)),
        markers=tuple((m, re.compile(m.pattern)) for m in load_section(path, "markers", Marker)),
        heads=re.compile(alternation(head_rules)),
        head_rules=head_rules,
        words={**{s: _words(path, s) for s in sections}, "not_organizations": not_orgs},
        outlet_forms=tuple(load_section(path, "outlet_forms", OutletForm)),
        posted_offices=tuple((r.id, re.compile(r.pattern)) for r in load_section(path, "posted_offices", PatternRule)),
        proposal_heads={w: rule for rule in load_section(path, "proposal_heads", HeadRule) for w in rule.words},
        edition_before=re.compile(rf"(?:{editions or '(?!)'})\s*$"),
        place=re.compile(rf"^[{HAN}]{{1,5}}(?:{suffixes})$"),
        place_in=re.compile(rf"[{HAN}]{{2,5}}?(?:{suffixes})"),
        outlet_rules={q: one_rule(path, "outlets", OutletRule, lambda r, q=q: r.quote == q).id for q in OUTLET_QUOTES},
        tagger_rule=one_rule(path, "tagger_proposals", TaggerRule, lambda r: r.label == "ORG").id,
    )


def canonical(name: str) -> str:
    """The gazetteer's canonical name for ``name``, else ``name`` itself."""
    entry = org_rules().entries.get(name)
    return entry.name if entry else name
