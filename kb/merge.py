"""Merging across articles: one record per real-world thing.

:func:`merge_facts` takes the facts of many articles and returns
:class:`Merged`. Records are grouped by a *folded* key (:func:`fold`:
``normalise_key``, OpenCC ``t2s``, casefold), so ``世界互聯網大會`` and
``世界互联网大会`` are one name:

- events by name and year (the 2023 and 2024 summits stay two records;
  a recurring activity with ``year: null`` is its own record);
- organisations by name *and aliases*: two organisations merge when the name
  of one is the name or an alias of the other (sharing only an alias is not
  enough: ``世界互联网大会`` may be an alias of two bodies);
- documents by title and kind; people by name.

Articles are taken in file-name order. Of the values stated for a field, the
one most articles state is kept; for a date, first the one stated by reports
published on or after it (an article announcing a plan loses to the reports of
the event); a tie keeps the first article's. A value that only makes a date
more precise (``2020`` then ``2020-11``) refines it; every different value is
recorded in :attr:`Merged.disagreements` with the articles stating it, never
dropped. Lists (aliases, roles, provenance) are united.

Claims with a metric and a subject are grouped by metric, subject (through
organisation aliases) and time: the same value from several articles is one
claim mentioned in all of them; different values are all kept and listed in
:attr:`Merged.conflicts`. The same metric and subject at different times form
a :class:`Series` (:func:`claim_series`). Claims lacking a metric or subject
merge only with claims of the same id.

People merge by name alone: a person id is ``person:<name>``, so two people
of one name cannot be told apart here; their roles are united.

Which articles mention a record is kept in :attr:`Merged.mentions` (gold
files have no provenance, so it cannot be read off the provenance alone).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from kb.clean.script import simplified
from kb.records.models import (
    ArticleFacts, Claim, Document, Event, Organization, Person, Record, Role, normalise_key,
)

R = TypeVar("R", bound=Record)
Member = tuple[str, Record]  # (article file name, record as stated there)

# Fields whose value is not compared: text is "as written", evidence a quote.
_NOT_COMPARED = frozenset({"evidence", "text"})
_KEY_FIELDS = frozenset({"name", "title"})  # equal up to script within a group
_DATE_FIELDS = frozenset({"start_date", "end_date", "founded", "date", "time"})
_YEAR = re.compile(r"\d{4}")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The key names are matched by: normalised, simplified, casefolded."""
    return simplified(normalise_key(text)).casefold()


def is_simplified(text: str) -> bool:
    return simplified(text) == text


def year_of(date: str | None) -> int | None:
    """The first year of a partial date or period (``2016/2022`` → 2016)."""
    return int(date[:4]) if date and _YEAR.match(date) else None


# ---------------------------------------------------------------- results


class Variant(BaseModel):
    """One value of a field and the articles that state it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    docs: list[str]


class Disagreement(BaseModel):
    """Articles give different values for one field of one record; the first is kept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    record: str = Field(description="id of the merged record")
    field: str
    values: list[Variant] = Field(description="every value, the kept one first")


class Conflict(BaseModel):
    """Claims on the same metric, subject and time with different values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    subject: str
    time: str | None
    claims: list[Claim] = Field(description="one claim per value, in article order")


class Series(BaseModel):
    """Claims on one metric and subject, in time order (undated last)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    subject: str
    claims: list[Claim]


class Merged(BaseModel):
    """Every record of every article, one per real-world thing, sorted by id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    articles: dict[str, str | None] = Field(description="article file name → its date, by file name")
    events: list[Event] = []
    organizations: list[Organization] = []
    people: list[Person] = []
    documents: list[Document] = []
    claims: list[Claim] = []
    mentions: dict[str, list[str]] = Field({}, description="record id → articles that state it")
    disagreements: list[Disagreement] = []
    conflicts: list[Conflict] = []
    _by_id: dict[str, Record] = PrivateAttr(default_factory=dict)
    _by_name: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        self._by_id = {r.id: r for r in self.records()}
        for record in self.records():
            for name in names_of(record):
                ids = self._by_name.setdefault(fold(name), [])
                if record.id not in ids:
                    ids.append(record.id)

    def records(self) -> list[Record]:
        return [*self.events, *self.organizations, *self.people, *self.documents, *self.claims]

    def get(self, record_id: str) -> Record | None:
        return self._by_id.get(record_id)

    def docs_of(self, record_id: str) -> list[str]:
        return self.mentions.get(record_id, [])

    def named(self, name: str) -> list[Record]:
        """Records whose name, title or alias folds to the same key as ``name``."""
        return [self._by_id[i] for i in self._by_name.get(fold(name), [])]

    def resolve(self, name: str | None, *, types: Iterable[type[Record]] = (), year: int | None = None) -> str | None:
        """The id of the one record ``name`` refers to, or None when none or
        several do (``year`` picks among occurrences of an event)."""
        if not name:
            return None
        types = tuple(types)
        found = [r for r in self.named(name) if not types or isinstance(r, types)]
        if len(found) > 1 and year is not None:
            found = [r for r in found if record_year(r) in (year, None)] or found
            found = [r for r in found if record_year(r) == year] if len(found) > 1 else found
        return found[0].id if len(found) == 1 else None


def names_of(record: Record) -> list[str]:
    """The names a record is found by: name or title, and aliases."""
    if isinstance(record, Organization):
        return [record.name, *record.aliases]
    if isinstance(record, Document):
        return [record.title]
    return [record.name] if isinstance(record, (Event, Person)) else []


def record_year(record: Record) -> int | None:
    """The year a record belongs to, where known."""
    if isinstance(record, Event):
        return record.year if record.year is not None else year_of(record.start_date)
    if isinstance(record, Document):
        return year_of(record.date)
    if isinstance(record, Claim):
        return year_of(record.time)
    return None


# ---------------------------------------------------------------- merging


def merge_facts(facts: Iterable[ArticleFacts]) -> Merged:
    """One record per real-world thing across all articles (see the module docstring)."""
    ordered = sorted(facts, key=lambda f: f.doc)
    members: dict[type[Record], list[Member]] = {t: [] for t in (Event, Organization, Person, Document, Claim)}
    for article in ordered:
        for record in article.records():
            members[type(record)].append((article.doc, record))
    merger = _Merger({a.doc: a.doc_date for a in ordered})
    orgs = merger.organizations(members[Organization])
    events = merger.by_key(members[Event], lambda e: (fold(e.name), e.year))
    people = merger.by_key(members[Person], lambda p: fold(p.name))
    documents = merger.by_key(members[Document], lambda d: (fold(d.title), d.kind))
    claims = merger.claims(members[Claim])
    return Merged(
        articles={a.doc: a.doc_date for a in ordered},
        events=_by_id(events), organizations=_by_id(orgs), people=_by_id(people),
        documents=_by_id(documents), claims=_by_id(claims),
        mentions=dict(sorted(merger.mentions.items())),
        disagreements=sorted(merger.disagreements, key=lambda d: (d.record, d.field)),
        conflicts=merger.conflicts,
    )


def _by_id(records: list[R]) -> list[R]:
    return sorted(records, key=lambda r: r.id)


def _groups(members: list[Member], key: Callable[[Any], Any]) -> list[list[Member]]:
    """Members with the same key, groups in first-seen order."""
    groups: dict[Any, list[Member]] = {}
    for doc, record in members:
        groups.setdefault(key(record), []).append((doc, record))
    return list(groups.values())


class _Merger:
    """Merges groups of records; collects mentions, disagreements and conflicts."""

    def __init__(self, dates: dict[str, str | None] | None = None) -> None:
        self.dates = dates or {}  # article → its publication date
        self.mentions: dict[str, list[str]] = {}
        self.disagreements: list[Disagreement] = []
        self.conflicts: list[Conflict] = []
        self.canonical_org: dict[str, str] = {}  # folded name or alias → folded canonical name

    def same(self, a: Any, b: Any) -> bool:
        """Values are the same up to script and organisation aliases."""
        if isinstance(a, str) and isinstance(b, str):
            fa, fb = fold(a), fold(b)
            return self.canonical_org.get(fa, fa) == self.canonical_org.get(fb, fb)
        return a == b

    def by_key(self, members: list[Member], key: Callable[[Any], Any]) -> list[Record]:
        return [self.combine(group) for group in _groups(members, key)]

    def organizations(self, members: list[Member]) -> list[Organization]:
        merged = [self.combine(group, name=_org_name(group)) for group in _org_groups(members)]
        self.canonical_org = _alias_map(merged)
        return merged

    def claims(self, members: list[Member]) -> list[Claim]:
        out: list[Claim] = []
        for group in _groups(members, self._claim_key):
            by_value = [self.combine(g) for g in _groups(group, lambda c: c.value)]
            out.extend(by_value)
            if len(by_value) > 1:
                first = by_value[0]
                self.conflicts.append(Conflict(metric=first.metric, subject=first.subject, time=first.time, claims=by_value))
        return out

    def _claim_key(self, claim: Claim) -> tuple:
        if claim.metric is None or claim.subject is None:
            return ("id", claim.id)  # too little to compare with other claims
        subject = fold(claim.subject)
        return (fold(claim.metric), self.canonical_org.get(subject, subject), claim.time)

    def combine(self, group: list[Member], *, name: str | None = None) -> Record:
        """One record from the group: the first stated, completed by the others."""
        first = group[0][1]
        update: dict[str, Any] = {}
        for field in type(first).model_fields:
            values = [(doc, getattr(record, field)) for doc, record in group]
            if isinstance(getattr(first, field), list):
                update[field] = self._union(field, [v for _, v in values])
            elif field not in _NOT_COMPARED:
                update[field] = self._pick(field, values)
        update.update(_display_name(first, group, name))
        if isinstance(first, Organization):
            update["aliases"] = _aliases(update["name"], group)
        merged = first.model_copy(update=update)
        self.mentions[merged.id] = sorted({doc for doc, _ in group} | {p.doc for p in merged.provenance})
        for field, variants in self._disagreeing(group):
            self.disagreements.append(Disagreement(record=merged.id, field=field, values=variants))
        return merged

    def _union(self, field: str, lists: list[list[Any]]) -> list[Any]:
        out: list[Any] = []
        for item in (item for items in lists for item in items):
            if not any(self._same_item(item, seen) for seen in out):
                out.append(item)
        return out

    def _same_item(self, a: Any, b: Any) -> bool:
        if isinstance(a, Role) and isinstance(b, Role):
            return self.same(a.title, b.title) and self.same(a.organization, b.organization)
        return self.same(a, b) if isinstance(a, str) else a == b

    def _pick(self, field: str, values: list[tuple[str, Any]]) -> Any:
        """The value most articles state; for a date, first the one stated by reports written
        on or after it (a plan announced in January loses to the reports of December); a tie
        keeps the first article's."""
        variants = self._variants(field, values)
        return max(variants, key=lambda v: self._support(field, v)).value if variants else None

    def _support(self, field: str, variant: Variant) -> tuple[int, int]:
        reports = 0
        if field in _DATE_FIELDS and isinstance(variant.value, str) and "/" not in variant.value:
            reports = sum(1 for doc in variant.docs if (self.dates.get(doc) or "") >= variant.value)
        return reports, len(variant.docs)

    def _variants(self, field: str, values: list[tuple[str, Any]]) -> list[Variant]:
        """Non-null values clustered by sameness; a date cluster holds its most precise form."""
        clusters: list[tuple[Any, list[str]]] = []
        for doc, value in values:
            if value is None:
                continue
            for i, (kept, docs) in enumerate(clusters):
                if field in _DATE_FIELDS and (_refines(kept, value) or _refines(value, kept)):
                    clusters[i] = (max(kept, value, key=len), docs + [doc])
                    break
                if self.same(kept, value):
                    docs.append(doc)
                    break
            else:
                clusters.append((value, [doc]))
        return [Variant(value=value, docs=sorted(set(docs))) for value, docs in clusters]

    def _disagreeing(self, group: list[Member]) -> Iterator[tuple[str, list[Variant]]]:
        first = group[0][1]
        for field in type(first).model_fields:
            if field in _NOT_COMPARED | _KEY_FIELDS or isinstance(getattr(first, field), list):
                continue
            variants = self._variants(field, [(doc, getattr(r, field)) for doc, r in group])
            if len(variants) > 1:
                yield field, variants


def _refines(coarse: Any, fine: Any) -> bool:
    """``fine`` is ``coarse`` stated more precisely (``2020`` → ``2020-11``)."""
    return isinstance(coarse, str) and isinstance(fine, str) and "/" not in coarse + fine and fine.startswith(coarse)


def _display_name(first: Record, group: list[Member], chosen: str | None) -> dict[str, str]:
    """The name to show: ``chosen``, else the first one written in simplified script."""
    field = "title" if isinstance(first, Document) else "name" if hasattr(first, "name") else None
    if field is None:
        return {}
    names = [getattr(r, field) for _, r in group]
    return {field: chosen or next((n for n in names if is_simplified(n)), names[0])}


def _aliases(name: str, group: list[Member]) -> list[str]:
    """Every other name the group uses, once per folded form."""
    seen = {fold(name)}
    out: list[str] = []
    for _, org in group:
        for alias in [org.name, *org.aliases]:
            if fold(alias) not in seen:
                seen.add(fold(alias))
                out.append(alias)
    return out


def _org_groups(members: list[Member]) -> list[list[Member]]:
    """Organisations linked when the name of one is the name or alias of another."""
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_named: dict[str, int] = {}
    for i, (_, org) in enumerate(members):
        first_named.setdefault(fold(org.name), i)
    for i, (_, org) in enumerate(members):
        for name in [org.name, *org.aliases]:
            j = first_named.get(fold(name))
            if j is not None:
                parent[max(root(i), root(j))] = min(root(i), root(j))
    groups: dict[int, list[Member]] = {}
    for i, member in enumerate(members):
        groups.setdefault(root(i), []).append(member)
    return list(groups.values())


def _org_name(group: list[Member]) -> str:
    """A name no member calls an alias, the most used one, the first on ties."""
    aliased = {fold(a) for _, org in group for a in org.aliases}
    names = [org.name for _, org in group]
    candidates = [n for n in names if fold(n) not in aliased] or names
    counts = Counter(fold(n) for n in candidates)
    best = max(counts.values())
    key = next(fold(n) for n in candidates if counts[fold(n)] == best)
    same = [n for n in candidates if fold(n) == key]
    return next((n for n in same if is_simplified(n)), same[0])


def _alias_map(orgs: list[Organization]) -> dict[str, str]:
    """Folded name or alias → folded canonical name; an alias of two bodies maps to neither."""
    owners: dict[str, set[str]] = {}
    for org in orgs:
        for name in [org.name, *org.aliases]:
            owners.setdefault(fold(name), set()).add(fold(org.name))
    out = {key: next(iter(names)) for key, names in owners.items() if len(names) == 1}
    out.update({fold(org.name): fold(org.name) for org in orgs})  # a body's own name is never ambiguous
    return out


# ---------------------------------------------------------------- series


def _time_order(claim: Claim) -> tuple[bool, str]:
    return (claim.time is None, claim.time or "")


def claim_series(claims: Iterable[Claim]) -> list[Series]:
    """Claims on one metric and subject at two or more times, by metric and subject."""
    groups: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        if claim.metric is not None and claim.subject is not None:
            groups.setdefault((fold(claim.metric), fold(claim.subject)), []).append(claim)
    out = []
    for members in groups.values():
        if len({c.time for c in members}) > 1:
            ordered = sorted(members, key=lambda c: (*_time_order(c), c.id))
            out.append(Series(metric=ordered[0].metric, subject=ordered[0].subject, claims=ordered))
    return sorted(out, key=lambda s: (fold(s.metric), fold(s.subject)))
