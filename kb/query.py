"""The Python query API: a built knowledge base and questions about it.

>>> kb = KnowledgeBase.from_facts([load_article_facts(p) for p in gold_files])
>>> [e.name for e in kb.events(kind="summit", year=2024)]
['2024年世界互联网大会乌镇峰会']
>>> [c.value for c in kb.series("会员数", "世界互联网大会国际组织").claims]
[130, 170]

A build is persisted as the per-article facts it was made from, one
gold-shaped YAML file per article (:func:`kb.records.models.dump_article_facts`):
``<out_dir>/articles/<article file stem>.yaml`` (the whole id where stems
collide, see :func:`kb.ingest.articles.output_names`). :meth:`KnowledgeBase.load`
reads them back, applies the reviewer's verdicts (``reviews.yaml`` and the
edited review dump ``facts/``, see kb.review.verdicts) and merges them again, so the
merged records, the graph and every query come out the same as after the
build.

Reviewer verdicts are applied per article before merging: rejected facts stay
out of the merged records, the graph and the exports; corrections override
extracted values. ``extracted`` keeps the records as extracted (for the
review dump, where rejected facts stay visible to the reviewer).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict

from kb.errors import InputError, KbError, UnknownRecord
from kb.store.files import atomic_write
from kb.graph import build_graph, series_name
from kb.merge import Conflict, Disagreement, Merged, Series, claim_series, fold, merge_facts, names_of, year_of
from kb.review.verdicts import Verdict, apply_reviews_to_articles
from kb.review.dump import collect_verdicts
from kb.records.models import ArticleFacts, Claim, Document, Event, Organization, Record, dump_article_facts, load_article_facts
from kb.store.layout import ARTICLES_DIR
from kb.store.commit import recover


Extractor = Callable[[Any], ArticleFacts]  # kb.ingest.articles.Article → its facts


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
        self.extracted: list[ArticleFacts] = sorted(facts, key=lambda f: f.doc)
        self.errors: list[KbError] = list(errors)  # articles that could not be read
        self.verdicts: dict[str, Verdict] = dict(verdicts or {})
        self.facts, self.review = apply_reviews_to_articles(self.extracted, self.verdicts)
        self.merged: Merged = merge_facts(self.facts)

    # ------------------------------------------------------------ making

    @classmethod
    def from_facts(cls, facts: Iterable[ArticleFacts]) -> KnowledgeBase:
        return cls(facts)

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
        from kb.ingest.articles import read_articles
        from kb.batch import extract_all

        items = list(read_articles(paths))
        articles = [item for item in items if not isinstance(item, InputError)]
        if extractor is not None:
            results = [extractor(article) for article in progress(articles)]
        else:
            results = extract_all(articles, progress=progress, **options)
        errors = [item for item in (*items, *results) if isinstance(item, InputError)]
        return cls([r for r in results if isinstance(r, ArticleFacts)], errors, verdicts)

    @classmethod
    def load(cls, out_dir: str | Path) -> KnowledgeBase:
        """The knowledge base :meth:`save` wrote to ``out_dir``, with its reviews applied."""
        recover(out_dir)  # a build killed mid-swap is rolled back before reading
        folder = Path(out_dir) / ARTICLES_DIR
        if not folder.is_dir():
            raise InputError(folder, "no articles folder: build the knowledge base into this folder first")
        facts = [load_article_facts(path) for path in sorted(folder.glob("*.yaml"))]
        return cls(facts, verdicts=collect_verdicts(out_dir))

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write each article's facts, as extracted, to ``out_dir/articles/<stem>.yaml``
        (named by :func:`kb.ingest.articles.output_names`)."""
        from kb.ingest.articles import output_names

        folder = Path(out_dir) / ARTICLES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        names = output_names(facts.doc for facts in self.extracted)
        written: dict[Path, str] = {}
        for facts in self.extracted:
            path = folder / names[facts.doc]
            if path in written:  # two facts of one doc: only from_facts can be given them
                raise KbError(f"{facts.doc} and {written[path]} would both be saved as {path}")
            written[path] = facts.doc
            atomic_write(path, dump_article_facts(facts))
        return list(written)

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        return build_graph(self.merged)

    # ------------------------------------------------------------ queries

    def events(self, kind: str | None = None, year: int | None = None) -> list[Event]:
        """Events, optionally of one kind and year, in date order."""
        found = [e for e in self.merged.events if kind in (None, e.kind) and year in (None, e.year)]
        return sorted(found, key=lambda e: _date_order(_event_date(e), e.id))

    def documents(self, issuer: str | None = None) -> list[Document]:
        """Documents, optionally those of one issuer (any alias, either script), in date order."""
        found = [d for d in self.merged.documents if issuer is None or self._same_name(d.issuer, issuer)]
        return sorted(found, key=lambda d: _date_order(d.date, d.id))

    def claims(self, metric: str | None = None, subject: str | None = None) -> list[Claim]:
        """Claims, optionally on one metric and subject, in time order."""
        found = [
            c for c in self.merged.claims
            if (metric is None or _folds_equal(c.metric, metric)) and (subject is None or self._same_name(c.subject, subject))
        ]
        return sorted(found, key=lambda c: _date_order(c.time, c.id))

    def series(self, metric: str, subject: str) -> Series:
        """The claims on ``metric`` about ``subject`` as one series, in time order."""
        claims = self.claims(metric, subject)
        found = claim_series(claims)
        return found[0] if len(found) == 1 else Series(metric=metric, subject=subject, claims=claims)

    def conflicts(self) -> list[Conflict]:
        return list(self.merged.conflicts)

    def disagreements(self) -> list[Disagreement]:
        return list(self.merged.disagreements)

    def find(self, text: str) -> list[Record]:
        """Records named ``text`` (name, title or alias, either script); if
        none, records whose name contains it."""
        exact = self.merged.named(text)
        if exact:
            return sorted(exact, key=lambda r: r.id)
        key = fold(text)
        return [r for r in self.merged.records() if any(key in fold(n) for n in names_of(r))]

    def show(self, record_id: str) -> Shown:
        """The record, the articles stating it, its disagreements and its links.
        A record a correction gave a new id is also found by its old id (the
        one its verdict is keyed by). Raises :class:`UnknownRecord` (a KeyError)
        naming close ids."""
        record_id = self.record_id(record_id)
        record = self.merged.get(record_id)
        links = [Link(type=k, direction="out", other=v, label=self.graph.nodes[v]["label"])
                 for _, v, k in self.graph.out_edges(record_id, keys=True)]
        links += [Link(type=k, direction="in", other=u, label=self.graph.nodes[u]["label"])
                  for u, _, k in self.graph.in_edges(record_id, keys=True)]
        return Shown(
            record=record, docs=self.merged.docs_of(record_id), links=links,
            disagreements=[d for d in self.merged.disagreements if d.record == record_id],
            former_ids=sorted(old for old, new in self.review.renamed.items() if new == record_id),
        )

    def record_id(self, record_id: str) -> str:
        """The id the record asked for has in this knowledge base: itself, or the
        id a reviewer's correction gave it. Raises :class:`UnknownRecord`."""
        if self.merged.get(record_id) is not None:
            return record_id
        renamed = self.review.renamed.get(record_id)
        if renamed is not None and self.merged.get(renamed) is not None:
            return renamed
        if record_id in self.review.rejected:
            raise UnknownRecord(f"record {record_id!r} was rejected by the reviewer (reviews.yaml or the review dump)")
        close = _close_ids(record_id, [r.id for r in self.merged.records()])
        hint = f"did you mean {', '.join(close)}?" if close else "try `kb find NAME`"
        raise UnknownRecord(f"no record with id {record_id!r}; {hint}")

    def timeline(self, name: str) -> list[TimelineEntry]:
        """Events and documents of a series (``世界互联网大会``, ``“互联网之光”博览会``)
        or of an organisation (documents it issued, events named after it), by date."""
        events = self._series_events(name) | self._org_events(name)
        events |= {e.id for e in self.merged.events if self.merged.resolve(e.part_of, types=[Event], year=e.year) in events}
        documents = {d.id for d in self.merged.documents
                     if self.merged.resolve(d.event, types=[Event], year=year_of(d.date)) in events}
        documents |= {d.id for d in self.documents(issuer=name)} if self._org(name) else set()
        records = [self.merged.get(i) for i in sorted(events | documents)]
        entries = [TimelineEntry(date=_event_date(r) if isinstance(r, Event) else r.date, record=r) for r in records]
        return sorted(entries, key=lambda t: _date_order(t.date, t.record.id))

    # ------------------------------------------------------------ helpers

    def _org(self, name: str) -> str | None:
        return self.merged.resolve(name, types=[Organization])

    def _same_name(self, stated: str | None, asked: str) -> bool:
        """``stated`` names what ``asked`` names: same record, or same folded text."""
        if stated is None:
            return False
        target = self.merged.resolve(asked)
        return _folds_equal(stated, asked) or (target is not None and self.merged.resolve(stated) == target)

    def _series_events(self, name: str) -> set[str]:
        """Occurrences of the series ``name`` (a recurring activity's undated record too)."""
        key = fold(name)
        return {e.id for e in self.merged.events if fold(series_name(e) or e.name) == key}

    def _org_events(self, name: str) -> set[str]:
        org = self.merged.get(self._org(name) or "")
        if not isinstance(org, Organization):
            return set()
        keys = [fold(n) for n in (org.name, *org.aliases)]
        return {e.id for e in self.merged.events if any(k in fold(e.name) for k in keys)}


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
