"""The event rules of ``rules/events.yaml``: series (names, editions, yearly occurrences),
event nouns, activity nouns and patterns, validated and built once (:func:`load_event_rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from kb.records.models import EventKind
from kb.rules.ruleset import Regex, Rule, WordList, load_section, load_words, rule_builder, rule_path


class Naming(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    from_year: int
    to_year: int | None = None
    pattern: str


class Occurrence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    year: int
    edition: int | None = None
    name: str | None = None
    kind: EventKind | None = None
    aliases: list[str] = []  # forms that name this occurrence alone, without a year


class SeriesRule(Rule):
    """A recurring event and the names of its occurrences."""

    name: str
    kind: EventKind
    aliases: list[str] = []
    occurrence_aliases: list[str] = []
    year_needed: bool = False
    place_words: list[str] = []
    home: str | None = None  # where it is always held: the location when the clause names none
    naming: list[Naming] = []
    occurrences: list[Occurrence] = []
    part_of: str | None = None
    first_year: int | None = None
    current_by_default: bool = False

    def occurrence(self, year: int | None) -> Occurrence | None:
        return next((o for o in self.occurrences if o.year == year), None)

    def year_of_edition(self, edition: int) -> int | None:
        stated = next((o.year for o in self.occurrences if o.edition == edition), None)
        return stated or (self.first_year + edition - 1 if self.first_year else None)

    def name_of(self, year: int | None) -> str:
        occurrence = self.occurrence(year)
        if occurrence and occurrence.name:
            return occurrence.name
        for naming in self.naming:
            if year and naming.from_year <= year <= (naming.to_year or 9999):
                return naming.pattern.format(year=year)
        return self.name


class NounRule(Rule):
    """A word that ends an event name, and the kind it gives."""

    noun: str
    kind: EventKind
    bare: bool = True
    not_followed_by: list[str] = []
    not_preceded_by: list[str] = []  # the noun ends a longer word (发展, 开展) or names a part (主论坛)
    named_by_year: bool = False  # a dated, self-standing bare name gets its year in front


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    edition: int
    year: int
    every: int


class PatternRule(Rule):
    """An event name matched by a regex and kept as written; group ``edition`` is its ordinal."""

    pattern: Regex
    kind: EventKind
    name: str | None = None  # the canonical name, ``{group}`` replaced by the matched group
    # editions held at a fixed interval from a known one: {edition: 12, year: 1982, every: 5}
    schedule: Schedule | None = None

    def year_of_edition(self, edition: int | None) -> int | None:
        s = self.schedule
        return s.year + s.every * (edition - s.edition) if s and edition and edition >= s.edition else None


@dataclass(frozen=True)
class EventRules:
    series: tuple[SeriesRule, ...]
    nouns: tuple[NounRule, ...]
    words: dict[str, frozenset[str]]
    patterns: tuple[PatternRule, ...] = ()
    activities: tuple[NounRule, ...] = ()

    def series_by_id(self, series_id: str) -> SeriesRule:
        return next(s for s in self.series if s.id == series_id)


@rule_builder
def load_event_rules() -> EventRules:
    path = rule_path("events")
    nouns = sorted(load_section(path, "nouns", NounRule), key=lambda n: -len(n.noun))
    words = {w.id: frozenset(w.words) for w in load_section(path, "words", WordList)}
    places = rule_path("places")  # a location's prefixes to drop, and where a place ends
    words["regions"] = frozenset(load_words(places, "regions")) | frozenset(load_words(places, "countries"))
    words["cities"] = frozenset(load_words(places, "cities"))
    patterns = tuple(load_section(path, "patterns", PatternRule))
    activities = tuple(sorted(load_section(path, "activities", NounRule), key=lambda n: -len(n.noun)))
    return EventRules(tuple(load_section(path, "series", SeriesRule)), tuple(nouns), words, patterns, activities)
