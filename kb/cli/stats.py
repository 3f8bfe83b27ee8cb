"""``kb stats``: what a built knowledge base holds, in numbers.

:func:`kb_stats` counts, through the KnowledgeBase's public API:

- ``articles``: articles the build was made from;
- ``records``: merged records per section (events, organizations, people,
  documents, claims), after the reviewer's verdicts;
- ``conflicts`` (claims on one metric, subject and time with different
  values) and ``disagreements`` (articles giving one field different values);
- ``top_organizations``: the 10 organisations the most articles mention, most
  first (ties by name), each ``{"id", "name", "articles"}``;
- ``series``: event series with their editions (a summit series of
  ``rules/events.yaml``, or events of one name in several years), each
  ``{"name", "editions", "years", "events"}``, most editions first.

``kb stats --json`` prints :class:`Stats` as JSON with exactly these keys.
"""

from __future__ import annotations

from pydantic import BaseModel

from kb.cli.output import Table
from kb.graph import event_series, series_name
from kb.query import KnowledgeBase
from kb.records.models import SECTIONS

TOP = 10


class OrganizationCount(BaseModel):
    id: str
    name: str
    articles: int


class SeriesCount(BaseModel):
    name: str
    editions: int
    years: list[int]
    events: list[str]  # ids, by year


class Stats(BaseModel):
    articles: int
    records: dict[str, int]
    conflicts: int
    disagreements: int
    top_organizations: list[OrganizationCount]
    series: list[SeriesCount]


def kb_stats(kb: KnowledgeBase, top: int = TOP) -> Stats:
    merged = kb.merged
    orgs = [OrganizationCount(id=o.id, name=o.name, articles=len(merged.docs_of(o.id))) for o in merged.organizations]
    orgs.sort(key=lambda o: (-o.articles, o.name, o.id))
    series = [
        SeriesCount(name=series_name(events[0]) or events[0].name, editions=len(events),
                    years=[e.year for e in events if e.year is not None], events=[e.id for e in events])
        for events in event_series(merged.events).values()
    ]
    series.sort(key=lambda s: (-s.editions, s.name))
    return Stats(
        articles=len(merged.articles),
        records={name: len(getattr(merged, name)) for name in SECTIONS},
        conflicts=len(kb.conflicts()),
        disagreements=len(kb.disagreements()),
        top_organizations=orgs[:top],
        series=series,
    )


def stats_tables(stats: Stats) -> list[Table]:
    """Three tables: the counts, the top organisations, the series."""
    counts = Table("knowledge base", ["what", "count"])
    counts.add("articles", stats.articles)
    for name, number in stats.records.items():
        counts.add(name, number)
    counts.add("conflicts", stats.conflicts)
    counts.add("disagreements", stats.disagreements)
    orgs = Table(f"top {len(stats.top_organizations)} organisations by articles", ["organisation", "articles", "id"])
    for org in stats.top_organizations:
        orgs.add(org.name, org.articles, org.id)
    series = Table("event series", ["series", "editions", "years"])
    for one in stats.series:
        series.add(one.name, one.editions, ", ".join(map(str, one.years)))
    return [counts, orgs, series]
