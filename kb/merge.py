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

Merging is linear in the records stated: records are grouped by key in a dict,
organisations by union-find over their names, and within a group every value,
alias, role and mention is found through an index of keys (dates through an
index of their prefixes), never by comparing it with each one kept before.
``merge_facts(facts, memo=...)`` shares a memo between two merges of the same
articles (as extracted, as reviewed), so a group no verdict touched is combined
once.

``merge_facts(facts, stored=...)`` reuses the groups an earlier merge (another
process: a previous build) combined, found by a digest of what a group is made
from (:class:`StoredGroups`): the kind of record, the chosen name, and each
member's article, the digest of that article's facts and the member's place in
it. The alias look-ups a group made must still give the same answers. So one
changed article costs the grouping of every record but the combining of only
the groups it is in. :attr:`StoredGroups.made` gives each merged record's
digest, for the next merge.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field as dataclass_field
from functools import lru_cache
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from kb.clean.script import simplified
from kb.records.models import (
    ArticleFacts, Claim, Document, Event, Organization, Person, Record, Role, normalise_key,
)

R = TypeVar("R", bound=Record)
Member = tuple[str, Record]  # (article file name, record as stated there)
# A group's members (article, id() of the record object) and the chosen name → the combined
# record, its id, the articles stating it, its disagreements and the alias look-ups it made
# (folded name → canonical name or None), which must give the same answers for it to be reused.
Combined = tuple[Record, str, list[str], list["Disagreement"], tuple[tuple[str, str | None], ...]]
MergeMemo = dict[tuple, Combined]
GroupDigest = tuple[str | None, tuple[tuple[str, str | None], ...]]

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

    @property
    def id(self) -> str:
        """``conflict:<first 12 hex of sha1 of metric|subject|time>``: the graph node grouping its claims."""
        joined = "|".join(normalise_key(part) for part in (self.metric, self.subject, self.time or ""))
        return f"conflict:{hashlib.sha1(joined.encode('utf-8')).hexdigest()[:12]}"


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
    article_info: dict[str, dict[str, str]] = Field(
        {}, description="article file name → its title, outlet and url, those known")
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
    _ids: list[str] = PrivateAttr(default_factory=list)

    def model_post_init(self, context: Any) -> None:
        index = context.get("index") if isinstance(context, dict) else None
        known = iter(context["ids"]) if isinstance(context, dict) and "ids" in context else None
        if index is not None:  # given by kb.store.knowledge as this method made it before
            self._ids = list(index["ids"])
            self._by_id = dict(zip(self._ids, self.records()))
            self._by_name = index["names"]
            return
        for record in self.records():
            record_id = record.id if known is None else next(known)  # computed at every access: once
            self._ids.append(record_id)
            self._by_id[record_id] = record
            for name in names_of(record):
                ids = self._by_name.setdefault(fold(name), [])
                if not ids or ids[-1] != record_id:  # a record's names come together: no scan needed
                    ids.append(record_id)

    def records(self) -> list[Record]:
        return [*self.events, *self.organizations, *self.people, *self.documents, *self.claims]

    def index(self) -> dict[str, Any]:
        """The look-up tables built on validation, as plain data: ``ids`` (of :meth:`records`,
        in order) and ``names`` (folded name → ids). Validating with ``context={"index": …}``
        takes them instead of computing every id and folding every name again."""
        return {"ids": list(self._ids), "names": self._by_name}

    def with_ids(self) -> list[tuple[str, Record]]:
        """(id, record) for every record of :meth:`records`, in order: the ids computed on
        validation (a record computes its id from its fields at every access)."""
        return list(zip(self._ids, self.records()))

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


@dataclass
class StoredGroups:
    """What an earlier merge combined, for :func:`merge_facts` to reuse.

    ``digests``: article → digest of its facts, given only for articles whose records are
    those the digest was made from (not one a verdict changed); ``salt``: what else the
    result depends on (kb's code); ``found``: group digest → what combining it gave
    (record with its provenance, record id, articles, disagreements, alias look-ups)."""

    digests: Mapping[str, str]
    salt: str = ""
    found: Mapping[str, Combined] = dataclass_field(default_factory=dict)
    # Set by the merge: for each merged record, in ``Merged.records()`` order, the digest of its
    # group (None when it cannot be found again: a member from an article without a digest, or
    # a record id two records share) and the alias look-ups combining it made; and how many
    # groups were taken from ``found``.
    made: list[GroupDigest] = dataclass_field(default_factory=list)
    reused: int = 0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic collector off meanwhile. Merging (or loading) makes hundreds of
    thousands of objects, none of them garbage, and each few hundred made start a
    collection that walks the young ones again: a third of the time, for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def merge_facts(
    facts: Iterable[ArticleFacts], *, memo: MergeMemo | None = None, stored: StoredGroups | None = None,
) -> Merged:
    """One record per real-world thing across all articles (see the module docstring).

    ``memo`` (a dict, empty at first) shares work between merges of two versions of the
    same articles, the facts as extracted and as reviewed: a group of records that is the
    same in both (the same record objects, whose organisation aliases resolve the same) is
    combined once: only the groups a verdict touches are combined twice. ``stored``: the
    groups an earlier merge combined, and the digests to find them by (:class:`StoredGroups`)."""
    with paused_gc():
        return _merge(sorted(facts, key=lambda f: f.doc), memo, stored)


def _merge(ordered: list[ArticleFacts], memo: MergeMemo | None, stored: StoredGroups | None = None) -> Merged:
    members: dict[type[Record], list[Member]] = {t: [] for t in (Event, Organization, Person, Document, Claim)}
    places: dict[tuple[str, int], int] = {}  # (article, id() of a record) → its place in the article
    for article in ordered:
        for place, record in enumerate(article.records()):
            members[type(record)].append((article.doc, record))
            places.setdefault((article.doc, id(record)), place)
    merger = _Merger({a.doc: a.doc_date for a in ordered}, memo, stored, places)
    orgs = merger.organizations(members[Organization])
    events = merger.by_key(members[Event], lambda e: (fold(e.name), e.year))
    people = merger.by_key(members[Person], lambda p: fold(p.name))
    documents = merger.by_key(members[Document], lambda d: (fold(d.title), d.kind))
    claims = merger.claims(members[Claim])
    sections = [merger.by_id(records) for records in (events, orgs, people, documents, claims)]
    merged = Merged.model_validate(dict(
        articles={a.doc: a.doc_date for a in ordered},
        article_info={a.doc: a.metadata() for a in ordered if a.metadata()},
        events=sections[0], organizations=sections[1], people=sections[2], documents=sections[3], claims=sections[4],
        mentions=dict(sorted(merger.mentions.items())),
        disagreements=sorted(merger.disagreements, key=lambda d: (d.record, d.field)),
        conflicts=merger.conflicts,
    ), context={"ids": [merger.ids[id(r)] for records in sections for r in records]})
    if stored is not None:
        ids = Counter(merged._ids)
        stored.made = [(merger.groups.get(id(r)) if ids[i] == 1 else None, merger.lookups.get(id(r), ()))
                       for i, r in zip(merged._ids, merged.records())]
    return merged


def _groups(members: list[Member], key: Callable[[Any], Any]) -> list[list[Member]]:
    """Members with the same key, groups in first-seen order."""
    groups: dict[Any, list[Member]] = {}
    for doc, record in members:
        groups.setdefault(key(record), []).append((doc, record))
    return list(groups.values())


class _Merger:
    """Merges groups of records; collects mentions, disagreements and conflicts.

    Every step indexes values by a key (:meth:`key_of`) instead of comparing
    them pair by pair, so merging is linear in the records stated: an outlet
    named in 10,000 articles has 10,000 provenance entries, and comparing each
    with every one kept before would take 50 million comparisons."""

    def __init__(self, dates: dict[str, str | None] | None = None, memo: MergeMemo | None = None,
                 stored: StoredGroups | None = None, places: dict[tuple[str, int], int] | None = None) -> None:
        self.dates = dates or {}  # article → its publication date
        self.memo = memo  # None: no second merge of these articles will ask
        self.stored, self.places = stored, places or {}
        if stored is not None:
            stored.reused = 0
        self.groups: dict[int, str | None] = {}  # id() of a combined record → its group's digest
        self.lookups: dict[int, tuple[tuple[str, str | None], ...]] = {}  # … → the alias look-ups it made
        self.mentions: dict[str, list[str]] = {}
        self.disagreements: list[Disagreement] = []
        self.conflicts: list[Conflict] = []
        self.canonical_org: dict[str, str] = {}  # folded name or alias → folded canonical name
        self.looked_up: dict[str, str | None] = {}  # alias look-ups of the group being combined
        self.ids: dict[int, str] = {}  # id() of a combined record (kept alive by the merge) → its record id

    def by_id(self, records: list[R]) -> list[R]:
        """``records`` (combined by this merger) sorted by record id, no id computed again."""
        return sorted(records, key=lambda r: self.ids[id(r)])

    def key_of(self, value: Any) -> Any:
        """Values are the same (up to script and organisation aliases) when their keys are equal."""
        if isinstance(value, str):
            folded = fold(value)
            canonical = self.looked_up[folded] = self.canonical_org.get(folded)
            return ("name", canonical or folded)
        if isinstance(value, Role):
            return ("role", self.key_of(value.title), self.key_of(value.organization))
        return ("value", type(value) if isinstance(value, BaseModel) else None, value)

    def same(self, a: Any, b: Any) -> bool:
        """Values are the same up to script and organisation aliases."""
        return self.key_of(a) == self.key_of(b) if isinstance(a, str) and isinstance(b, str) else a == b

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
        """One record from the group: the first stated, completed by the others
        (looked up in the memo when this very group was combined before)."""
        memo_key = (tuple((doc, id(record)) for doc, record in group), name) if self.memo is not None else None
        found = self.memo.get(memo_key) if self.memo is not None else None
        digest = self._digest(group, name) if self.stored is not None else None
        if found is None and digest is not None and (found := self.stored.found.get(digest)) is not None:
            self.stored.reused += 1
        if found is None or any(self.canonical_org.get(k) != v for k, v in found[4]):
            self.looked_up = {}
            found = (*self._combine(group, name), tuple(self.looked_up.items()))
            if self.memo is not None:
                self.memo[memo_key] = found
        merged, record_id, docs, disagreements, looked_up = found
        self.ids[id(merged)] = record_id
        if self.stored is not None:
            self.groups[id(merged)], self.lookups[id(merged)] = digest, looked_up
        self.mentions[record_id] = docs
        self.disagreements.extend(disagreements)
        return merged

    def _digest(self, group: list[Member], name: str | None) -> str | None:
        """What the group is made from, as a digest (see :class:`StoredGroups`); None when a
        member's article has no digest."""
        assert self.stored is not None
        digests = self.stored.digests
        parts = [self.stored.salt, type(group[0][1]).__name__, name or ""]
        for doc, record in group:
            article = digests.get(doc)
            if article is None:
                return None
            parts.append(f"{doc}\0{article}\0{self.places[(doc, id(record))]}")
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _combine(self, group: list[Member], name: str | None) -> tuple[Record, str, list[str], list[Disagreement]]:
        first = group[0][1]
        update: dict[str, Any] = {}
        disagreeing: list[tuple[str, list[tuple[Any, list[str]]]]] = []
        for field in type(first).model_fields:
            values = [(doc, getattr(record, field)) for doc, record in group]
            if isinstance(getattr(first, field), list):
                update[field] = self._union([v for _, v in values])
            elif field not in _NOT_COMPARED:
                variants = self._variants(field, values)
                update[field] = max(variants, key=lambda v: self._support(field, *v))[0] if variants else None
                if field not in _KEY_FIELDS and len(variants) > 1:
                    disagreeing.append((field, variants))
        update.update(_display_name(first, group, name))
        if isinstance(first, Organization):
            update["aliases"] = _aliases(update["name"], group)
        merged = first.model_copy(update=update)
        docs = sorted({doc for doc, _ in group} | {p.doc for p in merged.provenance})
        record_id = merged.id
        return merged, record_id, docs, [
            Disagreement(record=record_id, field=f, values=[Variant(value=v, docs=d) for v, d in variants])
            for f, variants in disagreeing
        ]

    def _union(self, lists: list[list[Any]]) -> list[Any]:
        """Items of every list once, by :meth:`key_of`, in first-seen order."""
        out: list[Any] = []
        seen: set[Any] = set()
        for item in (item for items in lists for item in items):
            key = self.key_of(item)
            try:
                if key in seen:
                    continue
                seen.add(key)
            except TypeError:  # unhashable: compared one by one (kb's records hold none)
                if any(self.same(item, kept) for kept in out):
                    continue
            out.append(item)
        return out

    def _support(self, field: str, value: Any, docs: list[str]) -> tuple[int, int]:
        """How strongly a value is stated: for a date, first by how many reports written on
        or after it state it (a plan announced in January loses to the reports of December);
        then by how many articles state it."""
        reports = 0
        if field in _DATE_FIELDS and isinstance(value, str) and "/" not in value:
            reports = sum(1 for doc in docs if (self.dates.get(doc) or "") >= value)
        return reports, len(docs)

    def _variants(self, field: str, values: list[tuple[str, Any]]) -> list[tuple[Any, list[str]]]:
        """Non-null values clustered by sameness, each with the articles stating it (sorted);
        a date cluster holds its most precise form."""
        clusters = _DateClusters(self.key_of) if field in _DATE_FIELDS else _Clusters(self.key_of)
        for doc, value in values:
            if value is not None:
                clusters.add(value, doc)
        return [(value, sorted(set(docs))) for value, docs in clusters.items()]


class _Clusters:
    """Values grouped by key, in first-seen order: one dict look-up per value."""

    def __init__(self, key: Callable[[Any], Any]) -> None:
        self.key = key
        self.kept: list[Any] = []
        self.docs: list[list[str]] = []
        self.index: dict[Any, int] = {}

    def add(self, value: Any, doc: str) -> None:
        i = self.find(value)
        if i is None:
            self.kept.append(value)
            self.docs.append([doc])
            self.note(len(self.kept) - 1)
        else:
            self.docs[i].append(doc)
            self.grow(i, value)

    def find(self, value: Any) -> int | None:
        return self.index.get(self.key(value))

    def note(self, i: int) -> None:
        self.index.setdefault(self.key(self.kept[i]), i)

    def grow(self, i: int, value: Any) -> None:
        pass

    def items(self) -> list[tuple[Any, list[str]]]:
        return list(zip(self.kept, self.docs))


class _DateClusters(_Clusters):
    """Dates joined with the first cluster they are the same as, or refine or are refined by
    (``2020`` and ``2020-11``): a cluster keeps its most precise form. Found through an index
    of each kept date and of its prefixes, not by comparing with every cluster."""

    def __init__(self, key: Callable[[Any], Any]) -> None:
        super().__init__(key)
        self.exact: dict[str, list[int]] = {}  # kept date → clusters keeping it
        self.prefixes: dict[str, int] = {}  # prefix of a kept date → first cluster with it

    def find(self, value: Any) -> int | None:
        found = [i for i in (super().find(value),) if i is not None]
        if isinstance(value, str) and "/" not in value:
            found += [min(self.exact[value[:n]]) for n in range(1, len(value) + 1) if self.exact.get(value[:n])]
            if value in self.prefixes:
                found.append(self.prefixes[value])
        return min(found, default=None)

    def note(self, i: int) -> None:
        super().note(i)
        kept = self.kept[i]
        if isinstance(kept, str) and "/" not in kept:
            self.exact.setdefault(kept, []).append(i)
            for n in range(1, len(kept) + 1):
                self.prefixes[kept[:n]] = min(self.prefixes.get(kept[:n], i), i)

    def grow(self, i: int, value: Any) -> None:
        kept = self.kept[i]
        if _refines(kept, value) or _refines(value, kept):
            longer = max(kept, value, key=len)
            if longer != kept:
                if i in self.exact.get(kept, []):
                    self.exact[kept].remove(i)
                self.kept[i] = longer
                self.note(i)


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
