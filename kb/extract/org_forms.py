"""Organisation mentions that need more than a name shape: a country's organs and
aliases the article introduces itself.

Two rule kinds from ``rules/organizations.yaml``:

- ``country_organs``: a country (section ``countries``) right before an organ word
  (``法国政府``, ``日本外务省``) names an organisation; the country alone never does;
- ``alias_intros``: a regex for a parenthesis right after an organisation
  mention that introduces a short form (``（以下简称“数安智联”）``, ``（简称信通院）``,
  ``（CNNIC）``). Every later (and earlier) occurrence of the short form is a mention
  of that organisation.

Not supported: a short form introduced without parentheses (``…，简称X``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pydantic import field_validator

from kb.rules import Rule, alternation, load_section, rule_path

_ALIAS_GROUP = "(?P<alias>"


class WordSection(Rule):
    words: list[str]


class AliasIntro(Rule):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        if _ALIAS_GROUP not in value:
            raise ValueError("pattern needs a group (?P<alias>...)")
        re.compile(value)
        return value


@dataclass(frozen=True)
class FormRules:
    countries: frozenset[str]
    organs: re.Pattern[str]  # country + organ word
    organ_rule: str
    intros: tuple[tuple[str, re.Pattern[str]], ...]


@lru_cache(maxsize=None)
def form_rules() -> FormRules:
    """The ``countries``, ``country_organs`` and ``alias_intros`` sections, compiled once."""
    path = rule_path("organizations")
    countries = frozenset(w for r in load_section(path, "countries", WordSection) for w in r.words)
    organ_rules = load_section(path, "country_organs", WordSection)
    organs = [w for r in organ_rules for w in r.words]
    return FormRules(
        countries=countries,
        organs=re.compile(f"(?:{alternation(countries)})(?:{alternation(organs)})"),
        organ_rule=organ_rules[0].id if organ_rules else "country-organ",
        intros=tuple((r.id, re.compile(r.pattern)) for r in load_section(path, "alias_intros", AliasIntro)),
    )


def country_before(text: str, pos: int) -> str | None:
    """The longest country name ending at ``pos`` (法国总统 → 法国)."""
    found = [c for c in form_rules().countries if text.endswith(c, 0, pos)]
    return max(found, key=len) if found else None


def country_organ_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, rule)`` of each country organ (法国政府) in ``text``."""
    rules = form_rules()
    return [(m.start(), m.end(), rules.organ_rule) for m in rules.organs.finditer(text)]


def introduced_aliases(text: str, mentions, is_ok: Callable[[str], bool]) -> dict[str, tuple[str, str]]:
    """Short form → (canonical name, rule id), for each alias introduced right after a mention."""
    out: dict[str, tuple[str, str]] = {}
    for mention in mentions:
        for rule_id, pattern in form_rules().intros:
            m = pattern.match(text, mention.end)
            if m and m.group("alias") != mention.name and is_ok(m.group("alias")):
                out.setdefault(m.group("alias"), (mention.name, rule_id))
    return out


def alias_spans(text: str, aliases: dict[str, tuple[str, str]]) -> list[tuple[int, int, str, str, str]]:
    """``(start, end, name, surface, rule)`` of every occurrence of an introduced alias."""
    if not aliases:
        return []
    out = []
    for m in re.finditer(alternation(aliases), text):
        name, rule_id = aliases[m.group()]
        out.append((m.start(), m.end(), name, m.group(), rule_id))
    return out
