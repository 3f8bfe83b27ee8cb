"""Organisation mentions that need more than a name shape: a country's organs and
aliases the article introduces itself.

Two rule kinds from ``rules/organizations.yaml``:

- ``country_organs``: a country (section ``countries``) right before an organ word
  (``法国政府``, ``日本外务省``) names an organisation; the country alone never does;
- ``alias_intros``: a regex for a parenthesis right after an organisation
  mention that introduces a short form (``（以下简称“数安智联”）``, ``（简称信通院）``,
  ``（CNNIC）``). Every later (and earlier) occurrence of the short form is a mention
  of that organisation.

Two helpers read the words around a head-word name: :func:`organ_title_after`
(``…局局长``: an organ's own title follows) and :func:`is_venue` (a place's name).

Not supported: a short form introduced without parentheses (``…，简称X``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pydantic import field_validator

from kb.rules import Regex, Rule, WordList, alternation, load_section, rule_builder, rule_path

_ALIAS_GROUP = "(?P<alias>"
# …中心 as a place: what a city becomes or a visitor goes to (建设成为国际创科中心, 参观了…中心) …
_PLACE_VERB_BEFORE = re.compile(r"(?:成为|建成|建设|打造|发展为|巩固|定位为|迈向|参观了?|走进|来到|抵达|前往|位于)"
                                r"(?:一个|全球|世界)?$")
# … or where something is held (在…中心举行).
_HELD_AFTER = re.compile(r"(?:隆重|盛大|正式|如期)?(?:举行|举办|召开|开幕|落幕|闭幕)")


class AliasIntro(Rule):
    pattern: Regex

    @field_validator("pattern")
    @classmethod
    def _has_alias_group(cls, value: str) -> str:
        if _ALIAS_GROUP not in value:
            raise ValueError("pattern needs a group (?P<alias>...)")
        return value


@dataclass(frozen=True)
class FormRules:
    countries: frozenset[str]
    organs: re.Pattern[str]  # country + organ word
    organ_rule: str
    intros: tuple[tuple[str, re.Pattern[str]], ...]


@rule_builder
def form_rules() -> FormRules:
    """The ``countries``, ``country_organs`` and ``alias_intros`` sections, compiled once."""
    path = rule_path("organizations")
    countries = frozenset(w for r in load_section(path, "countries", WordList) for w in r.words)
    organ_rules = load_section(path, "country_organs", WordList)
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


def organ_title_after(text: str, head: str, end: int, words: frozenset[str]) -> bool:
    """An organ head followed by its own head's title (…局局长, …署副署长, …办主任): the
    words before are the organ's name, even without a place or prefix."""
    rest = text[end:end + 6]
    return any(rest.startswith(w.replace("{head}", head)) for w in words)


def is_venue(text: str, start: int, end: int, venues: frozenset[str]) -> bool:
    """A place, not a body: a venue word ends the name (会展中心, 展览馆), or a …中心 that a
    city is made into (建设成为国际创科中心) or where something is held (在…中心举行)."""
    name = text[start:end]
    if name.endswith(tuple(venues)):
        return True
    if not name.endswith("中心"):
        return False
    before = text[max(0, start - 6):start]
    held = _HELD_AFTER.match(text, end) and before.endswith(("在", "于"))
    return bool(_PLACE_VERB_BEFORE.search(before) or held)
