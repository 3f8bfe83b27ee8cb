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

from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, load_words, rule_builder, rule_path

_ALIAS_GROUP = "(?P<alias>"
VENUE_CONTEXT = 6  # characters before a name searched for a venue cue


class AliasIntro(Rule):
    pattern: Regex

    @field_validator("pattern")
    @classmethod
    def _has_alias_group(cls, value: str) -> str:
        if _ALIAS_GROUP not in value:
            raise ValueError("pattern needs a group (?P<alias>...)")
        return value


class VenueCue(Rule):
    """Words around a name ending in ``head`` that make it a place (section ``venue_cues``)."""

    head: str
    made_into: list[str]
    made_into_fillers: list[str] = []
    held_at: list[str]
    held_adverbs: list[str] = []
    held: list[str]


@dataclass(frozen=True)
class Venue:
    head: str
    made_into: re.Pattern[str]  # ends right before the name: 建设成为, 参观了
    held_at: tuple[str, ...]  # right before the name: 在
    held: re.Pattern[str]  # right after the name: 举行


@dataclass(frozen=True)
class FormRules:
    countries: frozenset[str]
    organs: re.Pattern[str]  # country + organ word
    organ_rule: str
    intros: tuple[tuple[str, re.Pattern[str]], ...]
    venues: tuple[Venue, ...]


@rule_builder
def form_rules() -> FormRules:
    """The ``countries``, ``country_organs`` and ``alias_intros`` sections, compiled once."""
    path = rule_path("organizations")
    countries = frozenset(load_words(rule_path("places"), "countries"))
    organ_rules = load_section(path, "country_organs", WordList)
    organs = [w for r in organ_rules for w in r.words]
    return FormRules(
        countries=countries,
        organs=re.compile(f"(?:{alternation(countries)})(?:{alternation(organs)})"),
        organ_rule=organ_rules[0].id if organ_rules else "country-organ",
        intros=tuple((r.id, re.compile(r.pattern)) for r in load_section(path, "alias_intros", AliasIntro)),
        venues=tuple(_venue(cue) for cue in load_section(path, "venue_cues", VenueCue)),
    )


def _venue(cue: VenueCue) -> Venue:
    return Venue(
        head=cue.head,
        made_into=re.compile(f"(?:{alternation(cue.made_into)})(?:{alternation(cue.made_into_fillers)})?$"),
        held_at=tuple(cue.held_at),
        held=re.compile(f"(?:{alternation(cue.held_adverbs)})?(?:{alternation(cue.held)})"),
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


def is_venue(text: str, start: int, end: int, venues: frozenset[str], rooms: frozenset[str] = frozenset()) -> bool:
    """A place, not a body: a venue word ends the name (会展中心, 展览馆), a room word ends it
    after a venue word (会展中心乌镇厅), or a …中心 that a city is made into (建设成为国际创科中心)
    or where something is held (在…中心举行)."""
    name = text[start:end]
    if name.endswith(tuple(venues)):
        return True
    if name.endswith(tuple(rooms)) and any(v in name[:-1] for v in venues):
        return True
    before = text[max(0, start - VENUE_CONTEXT):start]
    for cue in form_rules().venues:
        held = cue.held.match(text, end) and before.endswith(cue.held_at)
        if name.endswith(cue.head) and (cue.made_into.search(before) or held):
            return True
    return False
