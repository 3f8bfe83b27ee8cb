"""The Python query API: a built knowledge base and questions about it.

>>> kb = KnowledgeBase.from_facts([load_article_facts(p) for p in gold_files])
>>> [e.name for e in kb.events(kind="summit", year=2024)]
['2024年世界互联网大会乌镇峰会']
>>> [c.value for c in kb.series("会员数", "世界互联网大会国际组织").claims]
[130, 170]

A :class:`KnowledgeBase` lives in memory: it reads and writes no file. A build
is stored and loaded by :mod:`kb.store.knowledge` (``load_knowledge_base(out)``),
which gives back the merged records without merging again
(:meth:`KnowledgeBase.restore`).

Reviewer verdicts are applied per article before merging: rejected facts stay
out of the merged records, the graph and the exports; corrections override
extracted values. ``extracted`` keeps the records as extracted, and
:attr:`KnowledgeBase.merged_extracted` their merge (for the review dump, where
rejected facts stay visible to the reviewer); the two merges share their work
(kb.merge's ``memo``), so only the groups a verdict touches are merged twice.
Facts are merged when first needed, not when the knowledge base is made.
Given the groups a previous build combined (:meth:`KnowledgeBase.use_stored_groups`,
by :mod:`kb.store.build`), merging combines again only the groups of the articles
that changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

import networkx as nx
from pydantic import BaseModel, ConfigDict

from kb.batch import extract_all
from kb.errors import InputError, KbError, UnknownRecord
from kb.graph import Edge, article_id, build_graph, link_edges, node_labels, rule_series_of, series_name
from kb.merge import (
    Combined, Conflict, Disagreement, GroupDigest, MergeMemo, Merged, Series, StoredGroups, claim_series, fold,
    merge_facts, names_of, year_of,
)
from kb.review.verdicts import ReviewReport, Verdict, apply_reviews_to_articles
from kb.ingest.articles import read_articles
from kb.records.models import ArticleFacts, Claim, Document, Event, Organization, Provenance, Record


R = TypeVar("R", bound=Record)
Extractor = Callable[[Any], ArticleFacts]  # kb.ingest.articles.Article → its facts


class ProvenanceSource(Protocol):
    """The provenance of stored records, kept apart so loading is fast (kb.store.knowledge)."""

    def of(self, record_ids: Iterable[str]) -> dict[str, list[Provenance]]: ...

    def all(self) -> dict[str, list[Provenance]]: ...


class TimelineEntry(BaseModel):
    """One dated step of a timeline: an event or a document."""

    model_config = ConfigDict(frozen=True)

    date: str | None
    record: Event | Document


class Link(BaseModel):
    """An edge of the graph seen from one record."""

    model_config = ConfigDict(frozen=True)

    type: str
    direction: str  # "out" or "in"
    other: str      # id of the node at the other end
    label: str      # its display name


class Shown(BaseModel):
    """Everything known about one record."""

    model_config = ConfigDict(frozen=True)

    record: Record
    docs: list[str]
    disagreements: list[Disagreement]
    links: list[Link]
    former_ids: list[str] = []  # ids before a reviewer's correction changed it


class KnowledgeBase:
    """Merged facts of many articles, their graph, and queries over them."""

    def __init__(
        self, facts: Iterable[ArticleFacts], errors: Iterable[KbError] = (), verdicts: Mapping[str, Verdict] | None = None
    ):
        self._extracted: list[ArticleFacts] | None = sorted(facts, key=lambda f: f.doc)
        self._read_extracted: Callable[[], list[ArticleFacts]] | None = None
        self.errors: list[KbError] = list(errors)  # articles that could not be read
        self.verdicts: dict[str, Verdict] = dict(verdicts or {})
        self._facts: list[ArticleFacts] | None = None
        self._review: ReviewReport | None = None
        self._merged: Merged | None = None
        self._bare: Merged | None = None  # restored: the merged records without their provenance
        self._provenance: ProvenanceSource | None = None
        self._completed: dict[str, Record] = {}
        self._links: list[Edge] | None = None
        self._rule_series: dict[str, str] | None = None  # event id → its series in the rules
        self._memo: MergeMemo = {}
        self._stored_groups: StoredGroups | None = None
        self.reused_groups = 0  # groups the last merge took from the stored ones
        self._group_digests: list[GroupDigest] = []

    # ------------------------------------------------------------ making

    @classmethod
    def from_facts(cls, facts: Iterable[ArticleFacts]) -> KnowledgeBase:
        return cls(facts)

    @classmethod
    def restore(
        cls, merged: Merged, review: ReviewReport, verdicts: Mapping[str, Verdict],
        extracted: Callable[[], list[ArticleFacts]], links: list[Edge] | None = None,
        provenance: ProvenanceSource | None = None, rule_series: dict[str, str] | None = None,
    ) -> KnowledgeBase:
        """A knowledge base merged before: ``merged`` and ``review`` as made from the
        facts ``extracted()`` returns (read only if asked for) under ``verdicts``;
        ``links`` are :func:`kb.graph.link_edges` of ``merged`` and ``rule_series``
        :func:`kb.graph.rule_series_of` it, if known (so no rule file is read). Given
        ``provenance``, ``merged`` is *bare* (records without provenance): queries
        answer from it and complete each record they return from ``provenance``;
        :attr:`merged` is completed as a whole only when asked for."""
        kb = cls((), verdicts=verdicts)
        kb._extracted, kb._read_extracted = None, extracted
        kb._review, kb._links, kb._rule_series = review, links, rule_series
        if provenance is None:
            kb._merged = merged
        else:
            kb._bare, kb._provenance = merged, provenance
        return kb

    def reuse(self, stored: KnowledgeBase) -> None:
        """Take the merged records, review report and links of ``stored``, a knowledge base
        of the same facts and verdicts (the store checks this by their key), instead of merging."""
        self._merged, self._bare, self._provenance = stored._merged, stored._bare, stored._provenance
        self._review, self._links, self._rule_series = stored.review, stored._links, stored._rule_series

    def use_stored_groups(self, digests: Mapping[str, str], salt: str, found: Mapping[str, Combined]) -> None:
        """Let merging reuse the groups an earlier merge combined (:class:`kb.merge.StoredGroups`):
        ``digests``: each article's facts as extracted, by doc; ``salt``: kb's code; ``found``:
        group digest → what combining it gave. Also makes :meth:`group_digests` known."""
        self._stored_groups = StoredGroups(digests=dict(digests), salt=salt, found=found)

    def _stored_for(self, facts: list[ArticleFacts]) -> StoredGroups | None:
        """The stored groups, with digests only for the articles of ``facts`` as extracted."""
        if self._stored_groups is None:
            return None
        extracted = {f.doc: f for f in self.extracted}
        digests = self._stored_groups.digests
        # An article a verdict changed is another object: its groups are combined again.
        kept = {f.doc: digests[f.doc] for f in facts if f.doc in digests and extracted.get(f.doc) is f}
        return StoredGroups(digests=kept, salt=self._stored_groups.salt, found=self._stored_groups.found)

    def _merge(self, facts: list[ArticleFacts], memo: MergeMemo | None) -> Merged:
        stored = self._stored_for(facts)
        merged = merge_facts(facts, memo=memo, stored=stored)
        self.reused_groups = stored.reused if stored is not None else 0
        if facts is self._facts and stored is not None:
            self._group_digests = stored.made
        return merged

    def group_digests(self) -> list[GroupDigest]:
        """:attr:`kb.merge.StoredGroups.made` of the merge that made :attr:`merged` (empty
        unless :meth:`use_stored_groups` was called first): what the next build finds them by."""
        self.merged  # noqa: B018 - merged first
        return self._group_digests

    @classmethod
    def build(
        cls,
        paths: Iterable[str | Path] | str | Path,
        *,
        verdicts: Mapping[str, Verdict] | None = None,
        extractor: Extractor | None = None,
        progress: Callable[[list], Iterable] = iter,
        **options: Any,
    ) -> KnowledgeBase:
        """Read the articles at ``paths`` (files or folders) and extract their
        facts; unreadable articles are kept in :attr:`errors`. ``options`` go to
        :func:`kb.batch.extract_all` (``model``, ``segmenter``, ``jobs``,
        ``cache``); ``extractor`` replaces it with an article → facts callable.
        ``progress`` wraps the list of articles (a progress bar, say)."""
        items = list(read_articles(paths))
        articles = [item for item in items if not isinstance(item, InputError)]
        if extractor is not None:
            results = [extractor(article) for article in progress(articles)]
        else:
            results = extract_all(articles, progress=progress, **options)
        errors = [item for item in (*items, *results) if isinstance(item, InputError)]
        return cls([r for r in results if isinstance(r, ArticleFacts)], errors, verdicts)

    # ------------------------------------------------------------ contents

    @property
    def extracted(self) -> list[ArticleFacts]:
        """Each article's facts as extracted, by file name."""
        if self._extracted is None:
            self._extracted = sorted(self._read_extracted() if self._read_extracted else [], key=lambda f: f.doc)
        return self._extracted

    @property
    def facts(self) -> list[ArticleFacts]:
        """Each article's facts with the verdicts applied."""
        if self._facts is None:
            self._facts, review = apply_reviews_to_articles(self.extracted, self.verdicts)
            self._review = self._review or review  # a restored report stays as stored
        return self._facts

    @property
    def review(self) -> ReviewReport:
        """What applying the verdicts did."""
        if self._review is None:
            self._facts, self._review = apply_reviews_to_articles(self.extracted, self.verdicts)
        return self._review

    @property
    def merged(self) -> Merged:
        """One record per real-world thing, the verdicts applied (merged when first asked for)."""
        if self._merged is None and self._bare is not None and self._provenance is not None:
            self._merged = _completed(self._bare, self._provenance.all())
        if self._merged is None:
            # Remember the groups only when the review dump will need a second merge.
            reviewed = self.review.rejected or self.review.corrected
            self._merged = self._merge(self.facts, self._memo if reviewed else None)
        return self._merged

    @property
    def _index(self) -> Merged:
        """What queries search: :attr:`merged`, or the bare records of a restored knowledge base."""
        return self._merged if self._merged is not None else self._bare if self._bare is not None else self.merged

    def _full(self, record: R) -> R:
        """``record`` with its provenance (a query's answer)."""
        return self._all_full([record])[0]

    def _all_full(self, records: list[R]) -> list[R]:
        """``records`` with their provenance, read in one go."""
        if self._merged is not None or self._provenance is None:
            return records
        missing = {r.id: r for r in records if r.id not in self._completed}
        for record_id, provenance in self._provenance.of(list(missing)).items():
            self._completed[record_id] = missing[record_id].model_copy(update={"provenance": provenance})
        return [self._completed[r.id] for r in records]  # type: ignore[misc]

    @cached_property
    def merged_extracted(self) -> Merged:
        """The merge of the facts as extracted, rejected ones too (the review dump shows
        them). The same as :attr:`merged` when no verdict rejects or corrects a record;
        otherwise it reuses every group of :attr:`merged` no verdict touched."""
        if not self.review.rejected and not self.review.corrected:
            return self.merged
        self.merged  # noqa: B018 - merge the reviewed facts first, so the memo holds their groups
        merged = self._merge(self.extracted, self._memo)
        self._memo.clear()  # both merges are done
        return merged

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        return build_graph(self._index)

    def rule_series(self) -> dict[str, str]:
        """Event id → its series in ``rules/events.yaml`` (:func:`kb.graph.rule_series_of`)."""
        if self._rule_series is None:
            self._rule_series = rule_series_of(self._index)
        return self._rule_series

    def links(self) -> list[Edge]:
        """The graph's edges other than ``mentioned_in`` (what :meth:`show` lists), sorted."""
        if self._links is None and "graph" in self.__dict__:  # built already: read them off it
            self._links = [(u, v, k, tuple((n, x) for n, x in data.items() if n not in ("type", "label")))
                           for u, v, k, data in self.graph.edges(keys=True, data=True) if k != "mentioned_in"]
        if self._links is None:
            self._links = link_edges(self._index)
        return self._links

    # ------------------------------------------------------------ queries

    def events(self, kind: str | None = None, year: int | None = None) -> list[Event]:
        """Events, optionally of one kind and year, in date order."""
        found = [e for e in self._index.events if kind in (None, e.kind) and year in (None, e.year)]
        return self._all_full(sorted(found, key=lambda e: _date_order(_event_date(e), e.id)))

    def documents(self, issuer: str | None = None) -> list[Document]:
        """Documents, optionally those of one issuer (any alias, either script), in date order."""
        found = [d for d in self._index.documents if issuer is None or self._same_name(d.issuer, issuer)]
        return self._all_full(sorted(found, key=lambda d: _date_order(d.date, d.id)))

    def claims(self, metric: str | None = None, subject: str | None = None) -> list[Claim]:
        """Claims, optionally on one metric and subject, in time order."""
        found = [
            c for c in self._index.claims
            if (metric is None or _folds_equal(c.metric, metric)) and (subject is None or self._same_name(c.subject, subject))
        ]
        return self._all_full(sorted(found, key=lambda c: _date_order(c.time, c.id)))

    def series(self, metric: str, subject: str) -> Series:
        """The claims on ``metric`` about ``subject`` as one series, in time order."""
        claims = self.claims(metric, subject)
        found = claim_series(claims)
        return found[0] if len(found) == 1 else Series(metric=metric, subject=subject, claims=claims)

    def conflicts(self) -> list[Conflict]:
        conflicts = self._index.conflicts
        self._all_full([claim for c in conflicts for claim in c.claims])  # one read for all
        return [c.model_copy(update={"claims": self._all_full(c.claims)}) for c in conflicts]

    def disagreements(self) -> list[Disagreement]:
        return list(self._index.disagreements)

    def find(self, text: str) -> list[Record]:
        """Records named ``text`` (name, title or alias, either script); if
        none, records whose name contains it."""
        exact = self._index.named(text)
        if exact:
            return self._all_full(sorted(exact, key=lambda r: r.id))
        key = fold(text)
        return self._all_full([r for r in self._index.records() if any(key in fold(n) for n in names_of(r))])

    def show(self, record_id: str) -> Shown:
        """The record, the articles stating it, its disagreements and its links.
        A record a correction gave a new id is also found by its old id (the
        one its verdict is keyed by). Raises :class:`UnknownRecord` (a KeyError)
        naming close ids."""
        record_id = self.record_id(record_id)
        record = self._full(self._index.get(record_id))
        return Shown(
            record=record, docs=self._index.docs_of(record_id), links=self._links_of(record_id),
            disagreements=[d for d in self._index.disagreements if d.record == record_id],
            former_ids=sorted(old for old, new in self.review.renamed.items() if new == record_id),
        )

    def record_id(self, record_id: str) -> str:
        """The id the record asked for has in this knowledge base: itself, or the
        id a reviewer's correction gave it. Raises :class:`UnknownRecord`."""
        if self._index.get(record_id) is not None:
            return record_id
        renamed = self.review.renamed.get(record_id)
        if renamed is not None and self._index.get(renamed) is not None:
            return renamed
        if record_id in self.review.rejected:
            raise UnknownRecord(f"record {record_id!r} was rejected by the reviewer (reviews.yaml or the review dump)")
        close = _close_ids(record_id, [r.id for r in self._index.records()])
        hint = f"did you mean {', '.join(close)}?" if close else "try `kb find NAME`"
        raise UnknownRecord(f"no record with id {record_id!r}; {hint}")

    def timeline(self, name: str) -> list[TimelineEntry]:
        """Events and documents of a series (``世界互联网大会``, ``“互联网之光”博览会``)
        or of an organisation (documents it issued, events named after it), by date."""
        events = self._series_events(name) | self._org_events(name)
        events |= {e.id for e in self._index.events if self._index.resolve(e.part_of, types=[Event], year=e.year) in events}
        documents = {d.id for d in self._index.documents
                     if self._index.resolve(d.event, types=[Event], year=year_of(d.date)) in events}
        documents |= {d.id for d in self.documents(issuer=name)} if self._org(name) else set()
        records = self._all_full([self._index.get(i) for i in sorted(events | documents)])
        entries = [TimelineEntry(date=_event_date(r) if isinstance(r, Event) else r.date, record=r) for r in records]
        return sorted(entries, key=lambda t: _date_order(t.date, t.record.id))

    # ------------------------------------------------------------ helpers

    def _links_of(self, record_id: str) -> list[Link]:
        """The record's edges in the order the graph lists them (out by target, then in by
        source), found in :meth:`links` and the mentions: no graph is built for one record."""
        index = self._link_index
        outs = sorted([*index[0].get(record_id, []),
                       *((article_id(doc), "mentioned_in") for doc in self._index.docs_of(record_id))])
        ins = sorted(index[1].get(record_id, []))
        labels = node_labels(self._index, {other for other, _ in (*outs, *ins)})
        return ([Link(type=k, direction="out", other=v, label=labels[v]) for v, k in outs]
                + [Link(type=k, direction="in", other=u, label=labels[u]) for u, k in ins])

    @cached_property
    def _link_index(self) -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]]]:
        outs: dict[str, list[tuple[str, str]]] = {}
        ins: dict[str, list[tuple[str, str]]] = {}
        for source, target, kind, _ in self.links():
            outs.setdefault(source, []).append((target, kind))
            ins.setdefault(target, []).append((source, kind))
        return outs, ins

    def _org(self, name: str) -> str | None:
        return self._index.resolve(name, types=[Organization])

    def _same_name(self, stated: str | None, asked: str) -> bool:
        """``stated`` names what ``asked`` names: same record, or same folded text."""
        if stated is None:
            return False
        target = self._index.resolve(asked)
        return _folds_equal(stated, asked) or (target is not None and self._index.resolve(stated) == target)

    def _series_events(self, name: str) -> set[str]:
        """Occurrences of the series ``name`` (a recurring activity's undated record too)."""
        key = fold(name)
        return {e.id for e in self._index.events if fold(series_name(e, self.rule_series()) or e.name) == key}

    def _org_events(self, name: str) -> set[str]:
        org = self._index.get(self._org(name) or "")
        if not isinstance(org, Organization):
            return set()
        keys = [fold(n) for n in (org.name, *org.aliases)]
        return {e.id for e in self._index.events if any(k in fold(e.name) for k in keys)}


def _completed(bare: Merged, provenance: dict[str, list[Provenance]]) -> Merged:
    """``bare`` with every record's provenance put back."""
    def full(records: list[R]) -> list[R]:
        return [r.model_copy(update={"provenance": provenance.get(r.id, [])}) for r in records]

    return Merged(
        articles=bare.articles, article_info=bare.article_info, events=full(bare.events), organizations=full(bare.organizations),
        people=full(bare.people), documents=full(bare.documents), claims=full(bare.claims),
        mentions=bare.mentions, disagreements=bare.disagreements,
        conflicts=[c.model_copy(update={"claims": full(c.claims)}) for c in bare.conflicts],
    )


def _close_ids(record_id: str, ids: list[str]) -> list[str]:
    """Up to three ids like ``record_id``: same type, similar key in either script
    (the shared ``org:`` prefix alone would make every id look close)."""
    prefix, colon, key = record_id.partition(":")
    if not colon:
        prefix, key = "", record_id
    same_type = [i for i in ids if i.startswith(f"{prefix}:")] or ids
    keys = {fold(i.partition(":")[2]): i for i in sorted(same_type, reverse=True)}
    return [keys[k] for k in difflib.get_close_matches(fold(key), list(keys), n=3, cutoff=0.6)]


def _folds_equal(a: str | None, b: str) -> bool:
    return a is not None and fold(a) == fold(b)


def _event_date(event: Event) -> str | None:
    return event.start_date or event.end_date or (str(event.year) if event.year is not None else None)


def _date_order(date: str | None, tie: str) -> tuple[bool, str, str]:
    """Dated first, by ISO text (``2023`` before ``2023-11``), then by id."""
    return (date is None, date or "", tie)
