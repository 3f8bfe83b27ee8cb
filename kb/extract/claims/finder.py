"""Claims: attribute every quantity of an article (metric, subject, time, source).

:func:`find_claims` takes the quantities :func:`kb.normalise.numbers.find_quantities`
finds in the clean text (it decides what is a quantity: no dates, ordinals,
titles) and reads each sentence left to right; for every figure it asks

- :mod:`kb.extract.claims.metric` what the number measures (``数字经济规模``,
  ``参会嘉宾数``, ``连续举办年数``), and
- :mod:`kb.extract.claims.attribution` whom it is about, when it holds and who
  states it (an attribution frame such as ``据X数据显示`` covers every figure
  after it in the same sentence; clauses joined by ``；`` count as one sentence).

:mod:`kb.extract.claims.context` carries context across sentences (a data report
released in a paragraph gives the following sentences its issuer as source and
its ``截至X`` as time) and folds headline figures into the body's claims;
:mod:`kb.extract.claims.sanity` checks every metric is a noun phrase.
:mod:`kb.extract.claims.text` holds the names, sentences and clauses all read,
:mod:`kb.extract.claims.rules` the cue words of ``rules/claims.yaml``.

A fact stated several times becomes one claim with several provenance
entries (a duration is the same fact when subject, time and value agree).
A headline figure the body restates is no claim of its own: its provenance joins
the body's claim. Not supported: attribution across sentences without an
explicit anaphor or a released report, subjects that are not named in the
sentence or the one before it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from spacy.tokens import Doc

from kb.nlp.text import SENTENCE_ENDS
from kb.extract.claims.attribution import (REFERRING_RULES, SPEAKING_RULES, TITLE_RULE, claim_source, compared_period, claim_subject, claim_time, event_time, generic_subject,
                                          paragraph_sources, sentence_sources)
from kb.extract.claims.context import context_time, cutoff_time, headline_end, merge_headline, release_frames
from kb.extract.claims.metric import claim_metric, read_topics
from kb.extract.claims.rules import ClaimRules, load_claim_rules
from kb.extract.claims.text import QUOTES, Article, Mention, Sentence, article_of, clause_end, sentence_spans
from kb.extract.candidates import rule_matches
from kb.normalise.numbers import Quantity, claim_unit, duration_units
from kb.records.models import Claim, Document, Event, Organization, Provenance

__all__ = ["ClaimRules", "find_claims", "load_claim_rules"]


def _dated_otherwise(art: Article, start: int, end: int, figure_end: int) -> bool:
    """The sentence states dates of its own (从2019年…至2022年…), or an open period before the
    figure (近年来) or right after it (十年来): the figure's time is not simply the present."""
    return (any(start <= d.start < end for d in art.dates)
            or any(w in art.text[start:figure_end] for w in art.rules.open_periods)
            or art.text.startswith(art.rules.open_period_ends, figure_end))


def _claim(doc: Doc, art: Article, sent: Sentence, q: Quantity, events: list[Event]) -> Claim:
    clause = (sent.clause_start(art, q.start), clause_end(art.text, q.end, sent.end))
    read_topics(art, sent, clause[0])
    time = claim_time(art, sent, q) or context_time(sent, q)
    subject = claim_subject(art, sent, q, clause, time, events)
    time = time or event_time(art, subject, q, events)
    metric = claim_metric(art, sent, q, clause, subject)
    time = compared_period(art, q, clause, time)
    if subject is None and q.kind == "duration":
        subject = generic_subject(art, q, clause)
    source, frame = claim_source(art, sent, q)
    # stated in the present of a dated article: its year (settled points); a report's figures hold for its
    # own time, a speaker's (X介绍) and a document's own work (《X》对38个国家进行测评) for the present
    told = source is None or frame in SPEAKING_RULES or frame == TITLE_RULE
    if time is None and told and art.date and not _dated_otherwise(art, sent.start, sent.end, q.end):
        time = art.date[:4]
    sent.metric, sent.subject, sent.read_to = metric or sent.metric, subject or sent.subject, q.end
    from kb.nlp.pipeline import provenance  # the pipeline module, imported late: it loads spaCy's language data
    evidence = _evidence(art, clause, sent.end)
    return Claim(text=q.text, value=q.value, unit=claim_unit(q), qualifier=q.qualifier, metric=metric, subject=subject,
                 time=time, source=source, evidence=evidence or q.text,
                 provenance=[Provenance(**provenance(doc, q.start, q.end, q.rule))])


def _evidence(art: Article, clause: tuple[int, int], sentence_end: int) -> str:
    """The clause of the figure, run on into the next ones while it is too short to say much."""
    start, end = clause
    while end - start < 12 and end < sentence_end and art.text[end] not in SENTENCE_ENDS:
        end = clause_end(art.text, end + 1, sentence_end)
    return art.text[start:end].strip()


def _key(claim: Claim, year_unit: str) -> tuple:
    """Two mentions of one fact: a duration in years is the same fact whatever the verb around it,
    and whether a time was read with it (十年 in the present, 十年来); a count, amount or share is the
    same fact wherever an article restates it with the same value, unit and qualifier (3份报告 in a
    headline, 三份报告 in the body) — an article's periods, unlike those, often repeat a length."""
    if claim.unit not in duration_units():
        return (claim.value, claim.unit, claim.qualifier)
    years = claim.unit == year_unit and claim.qualifier == "exact"
    return (None if years else claim.metric, claim.subject, None if years else claim.time, claim.value, claim.unit,
            claim.qualifier)


def _merge(first: Claim, again: Claim) -> Claim:
    """One claim for a restated fact: every provenance entry, and for a duration the most specific (longest)
    metric with its evidence, since its restatements may describe the period with different verbs; any other
    fact keeps its first metric (the first statement names what is counted, a restatement refers back)."""
    time = first.time or again.time
    if first.unit not in duration_units() and len(again.time or "") > len(time or ""):
        time = again.time  # one statement gives the month (截至2023年12月), another only the article's year
    update: dict = {"provenance": first.provenance + again.provenance, "time": time,
                    "subject": first.subject or again.subject, "source": first.source or again.source}
    if not first.metric or (first.unit in duration_units() and len(again.metric or "") > len(first.metric)):
        update |= {"metric": again.metric, "evidence": again.evidence}
    return first.model_copy(update=update)


def _quantities_by_sentence(quantities: list[Quantity], spans: list[tuple[int, int]]) -> list[list[Quantity]]:
    """The quantities lying wholly inside each sentence, in order. Sentences do not
    overlap, so a quantity can only lie in the last one starting at or before it."""
    starts = [s for s, _ in spans]
    out: list[list[Quantity]] = [[] for _ in spans]
    for q in quantities:
        i = bisect_right(starts, q.start) - 1
        if i >= 0 and q.end <= spans[i][1]:
            out[i].append(q)
    return out


def _with_event_spans(doc: Doc, art: Article, events: list[Event]) -> Article:
    """``art`` with a mention at every place an event record was read from (IGF年会 for 2023年联合国互联网
    治理论坛): the text names the event there though not by its name; spans already named are kept, and an
    item of a list (论坛、X和博览会三大功能) names no event the sentence is about."""
    from kb.nlp.pipeline import clean_span  # imported late, as provenance is: it loads spaCy's language data
    named = [(m.start, m.end) for m in art.mentions]
    extra = []
    for event in events:
        for p in event.provenance:
            span = clean_span(doc, p.start, p.end)
            if not span or span[1] <= span[0] or any(s < span[1] and span[0] < e for s, e in named):
                continue
            before, after = art.text[max(0, span[0] - 3):span[0]].rstrip(QUOTES), art.text[span[1]:span[1] + 3].lstrip(QUOTES)
            if not (before.endswith(art.rules.list_joiners) or after.startswith(art.rules.list_joiners)):
                extra.append(Mention(span[0], span[1], "event", event.name, event.kind == "summit"))
                named.append(span)
    if not extra:
        return art
    return replace(art, mentions=sorted([*art.mentions, *extra], key=lambda m: (m.start, m.end, m.kind)))


def find_claims(doc: Doc, orgs: list[Organization], events: list[Event],
                documents: list[Document]) -> list[Claim]:
    """One claim per stated quantity of ``doc``, attributed; restatements merged."""
    rules = load_claim_rules()
    art = _with_event_spans(doc, article_of(doc, orgs, events, documents, rules), events)
    art.quantities = [m.value for m in rule_matches(doc, "QUANTITY")]
    carried: list[tuple] = []
    held_time = held_subject = None
    reports: dict[str, tuple] = {}  # issuer → (time, subject) its figures were stated with so far
    spans = sentence_spans(doc)
    by_sentence = _quantities_by_sentence(art.quantities, spans)
    for index, (start, end) in enumerate(spans):
        if rules.furniture.search(art.text, start, end) and end - start < 60:
            continue
        sent = Sentence(start, end, sentence_sources(art, start, end))
        carried = paragraph_sources(art, sent, carried)
        if not carried or any(f[2] for f in sent.sources):  # a new paragraph or a new attribution
            held_time = held_subject = None
        back = [f[2] for f in sent.sources if f[3] in REFERRING_RULES and f[2] in reports]
        if back:  # 《报告》显示 in a later paragraph: the time and topic of that report's figures
            held_time, held_subject = reports[back[-1]]
        if carried or back:
            sent.context_time, sent.context_subject = held_time, held_subject
        frames = dict.fromkeys([*carried, *sent.sources])  # once each, in a stable order (not a set's)
        sent.sources = sorted(frames, key=lambda f: (f[0], f[1], f[3]))
        stated = len(art.claims)
        for q in by_sentence[index]:
            claim = _claim(doc, art, sent, q, list(events))
            art.claims.append((q, claim))
            held_subject = claim.subject or held_subject
        carried += release_frames(art, start, end)
        held_time = cutoff_time(art, start, end) or held_time
        framed = [f[2] for f in [*sent.sources, *carried] if f[2]]
        if framed and (held_time or held_subject):
            last = art.claims[-1][1].time if len(art.claims) > stated else held_time  # this sentence's last
            # a report whose last figure has a time of its own (2023年，…) has no one time to carry
            ends = (last or "").rsplit("/", 1)[-1]  # a change up to the cutoff (2022-12/2023-12) holds at it
            reports[framed[-1]] = (held_time if ends == held_time else None, held_subject)
    merged: dict[tuple, Claim] = {}
    title = getattr(doc._.article, "title", None)
    for claim in merge_headline(art.claims, headline_end(art, title)):
        key = _key(claim, rules.year_unit)
        merged[key] = _merge(merged[key], claim) if key in merged else claim
    return list(merged.values())
