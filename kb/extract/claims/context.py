"""Context across sentences: a data report released in a paragraph, its cutoff time, the headline.

- :func:`release_frames` — ``X发布第54次《…统计报告》``: a data document (report,
  blue book, white paper, index) released by a named organisation opens an
  attribution frame that the paragraph's *following* sentences carry
  (:func:`kb.extract.claims.attribution.paragraph_sources` drops it at a
  paragraph break; a new attribution frame, coming later, wins).
- :func:`issuer_of` — a document's issuer, else the organisation the text
  says released it (``X发布《…》``).
- :func:`cutoff_time` — ``截至2024年6月(底)``: the time of the figures after it;
  within a carried report frame it holds for the following sentences too
  (:func:`context_time`), until another cutoff, attribution or paragraph.
- :func:`part_of_year` — ``2024年上半年`` → ``2024-01/2024-06``, ``截至一季度末`` →
  the end month (as precise as stated: a part of a year is a span of months).
- :func:`merge_headline` — a figure in the headline that the body states again
  (same value and unit) is one claim: the body's, with the headline's provenance.

Not supported: a report named in one paragraph and referred to in another
without ``报告显示`` (a paragraph break ends every carried frame).
"""

from __future__ import annotations

import re

from kb.nlp.text import SENTENCE_ENDS
from kb.normalise.dates import DateMention
from kb.extract.claims.text import Article, Sentence
from kb.normalise.numbers import Quantity
from kb.records.models import Claim, Document, normalise_key

RELEASE_RULE = "rel-release"  # the release_verbs rule of rules/claims.yaml that makes the frame
_REFERRING_RULES = ("src-document-says", "ana-this-report")  # frames referring back to a named report
_LARGE_COUNT = 10_000  # equal counts this large in headline and body are one figure, not chance


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(c, 0, pos) for c in SENTENCE_ENDS) + 1


def _releasing_org(art: Article, title_start: int, title_end: int, *, announced: bool = False) -> str | None:
    """The organisation named before a release verb that releases the title at ``[title_start, title_end)``:
    ``X发布第54次《…》`` or ``X的《…》近日发布``, in the same sentence. ``announced``: only a release that is
    the sentence's predicate (``X发布《…》``), not one that modifies the title (``X发布的《…》认为``)."""
    start = _sentence_start(art.text, title_start)
    before = art.text[start:title_start]
    after = art.text[title_end:title_end + 6]
    verbs = [(before.rfind(v), v) for v in art.rules.release_verbs]
    verb_before, verb = max(verbs, default=(-1, ""))
    if announced and verb_before >= 0 and before.startswith(art.rules.possessive, verb_before + len(verb)):
        return None
    if verb_before < 0 and not any(after.lstrip("》").startswith(v) for v in art.rules.release_verbs):
        return None
    limit = start + verb_before if verb_before >= 0 else title_start
    orgs = [m for m in art.mentions_in(start, limit, topical=False) if m.kind == "org"]
    return orgs[-1].name if orgs else None


def issuer_of(art: Article, document: Document | None, pos: int) -> str | None:
    """``document``'s issuer, else the organisation that released it in the text before ``pos``."""
    if document is None:
        return None
    if document.issuer:
        return document.issuer
    for m in art.mentions_in(0, pos, topical=False):
        if m.kind == "document" and m.name == document.title and (org := _releasing_org(art, m.start, m.end)):
            return org
    return None


def release_frames(art: Article, start: int, end: int) -> list[tuple[int, int, str | None, str]]:
    """Frames of the data documents released by a named organisation in the sentence ``[start, end)``."""
    frames = []
    for m in art.mentions_in(start, end, topical=False):
        if m.kind != "document":
            continue
        document = next((d for d in art.documents if d.title == m.name), None)
        if document is None or document.kind not in art.rules.data_documents:
            continue
        org = _releasing_org(art, m.start, m.end, announced=True)
        if org:
            frames.append((m.start, end, document.issuer or org, RELEASE_RULE))
    return frames


# --- time ---------------------------------------------------------------------------------


def part_of_year(art: Article, date: DateMention) -> str | None:
    """The date's ISO form, or the span of months a part of its year names (上半年, 前三季度)."""
    if date.value is None or len(date.value) != 4:
        return date.iso
    rest = art.text[date.end:date.end + 6]
    part = next((p for p in art.rules.year_parts if rest.startswith(p[0])), None)
    if part is None:
        return date.iso
    _, first, last = part
    if _after_cutoff(art, date):  # 截至一季度末: a point in time, the end of that part
        return f"{date.value}-{last:02d}"
    return f"{date.value}-{first:02d}/{date.value}-{last:02d}"


def _after_cutoff(art: Article, date: DateMention) -> bool:
    return art.text[max(0, date.start - 3):date.start].endswith(art.rules.cutoff_words)


def cutoff_time(art: Article, start: int, end: int) -> str | None:
    """The last ``截至X`` date of ``[start, end)``, ISO."""
    cutoffs = [d for d in art.dates_in(start, end) if _after_cutoff(art, d)]
    return part_of_year(art, cutoffs[-1]) if cutoffs else None


def is_comparison_base(art: Article, date: DateMention) -> bool:
    """较2023年12月增长…: the date a figure is compared with, not the time it holds for."""
    return art.text[max(0, date.start - 2):date.start].endswith(art.rules.comparison_words)


def context_time(sent: Sentence, q: Quantity) -> str | None:
    """The cutoff carried into this sentence, when the figure's source frame is a carried one or refers
    back to a report (报告还显示，… in a later paragraph: the report's 截至 time)."""
    frames = [f for f in sent.sources if f[1] <= q.start and f[2]]
    carried = frames and (frames[-1][0] < sent.start or frames[-1][3] in _REFERRING_RULES)
    return sent.context_time if carried else None


# --- groups -------------------------------------------------------------------------------


def group_at(art: Article, start: int, end: int) -> re.Match | None:
    """A group of countries (中美欧日韩五国, 中国、美国等三国) written at ``start``."""
    return next((m for p in art.rules.groups if (m := p.match(art.text, start, end))), None)


def group_subject(art: Article, clause_start: int, q_start: int) -> re.Match | None:
    """The group a figure is about when its clause opens with one (after dates or lead words);
    group ``group`` is its name as written."""
    text = art.text
    starts = {clause_start, *(d.end for d in art.dates_in(clause_start, q_start))}
    starts |= {clause_start + len(w) for w in art.rules.lead_words if text.startswith(w, clause_start)}
    for pos in sorted(starts):
        if m := group_at(art, pos, q_start):
            return m
    return None


# --- headline -----------------------------------------------------------------------------


def headline_end(art: Article, title: str | None) -> int:
    """End of the headline: the first non-empty line when it is the article's title; else 0."""
    match = re.search(r"\S[^\n]*", art.text)
    if not match or not title:
        return 0
    line = match.group().lstrip("#").strip()
    return match.end() if normalise_key(line) == normalise_key(title) else 0


def _same_figure(body: tuple[Quantity, Claim], headline: tuple[Quantity, Claim]) -> bool:
    """Same value and unit; a large count is the same figure whatever noun it is counted in
    (headline 10.9亿网民, body 10.9亿人)."""
    (bq, bc), (hq, hc) = body, headline
    if bc.value != hc.value:
        return False
    return bc.unit == hc.unit or (bq.kind == hq.kind == "count" and bc.value >= _LARGE_COUNT)


def merge_headline(pairs: list[tuple[Quantity, Claim]], end: int) -> list[Claim]:
    """Claims in reading order; a headline figure the body restates (see :func:`_same_figure`) is folded
    into the body's claim (its provenance added), so the headline gives no separate claim."""
    body = [p for p in pairs if p[0].start >= end]
    folded: dict[int, Claim] = {id(c): c for _, c in body}
    kept: list[Claim] = []
    for q, claim in pairs:
        if q.start >= end:
            continue
        match = next((c for p, c in body if _same_figure((p, c), (q, claim))), None)
        if match is None:
            kept.append(claim)
            continue
        current = folded[id(match)]
        folded[id(match)] = current.model_copy(update={"provenance": current.provenance + claim.provenance})
    return kept + [folded[id(c)] for _, c in body]
