"""Attribution of a figure: its subject, time and source.

- **subject** — a document referred back to (``这份报告``), the quantity a
  parenthesis or ``这些X`` points at, the organisation of a membership frame,
  a named event, organisation or place (``全国`` → ``中国``); a duration's
  subject is an event series (``世界互联网大会乌镇峰会``) when one is named.
- **time** — the nearest date before the quantity in its sentence, ``如今``
  → the article's year, ``从2016年起…连续七年`` → ``2016/2022``; the day an
  event opens (``12日开幕，3000余名代表参会``) → its year; a change from a dated
  base (``较2022年12月增长``) → the period ``2022-12/2023-12``.
- **source** — an attribution frame (``据X数据显示``, ``从X获悉``, ``据X发布的…报告，``)
  whose X is one of the organisations found, or the issuer of a document referred
  back to or acting in its sentence (``《X报告》对38个国家进行测评``: also its subject);
  a person speaking (``Y介绍``) states figures for the organisation the article named
  them with (``工业和信息化部部长Y``), and a speaker's frame opening a paragraph covers it.
"""

from __future__ import annotations

from bisect import bisect_left

from kb.nlp.text import SENTENCE_ENDS
from kb.extract.claims.context import group_subject, is_comparison_base, issuer_of, part_of_year
from kb.extract.orgs.rules import org_rules
from kb.extract.claims.rules import ClaimRules
from kb.extract.claims.text import (Article, Mention, Sentence, clause_end, series_name, skip_front, strip_end, strip_words,
                                   undated)
from kb.normalise.numbers import Quantity
from kb.records.models import Document, Event, normalise_key

_PAREN_OPEN = "（("
_PICKED = ("org", "event", "series", "place")  # the kinds of mention a figure can be about, in order
ANAPHOR_RULE = "ana-this-report"
TITLE_RULE = "src-title-opens"  # a data document opening its sentence: the subject of its figures
# Frames that refer back to a document named before (报告显示, 《报告》指出, 该报告显示)
REFERRING_RULES = ("src-document-says", ANAPHOR_RULE)
# X介绍，… opening a paragraph: the paragraph goes on with what X said
SPEAKING_RULES = ("src-says",)


def sentence_sources(art: Article, start: int, end: int) -> list[tuple[int, int, str | None, str]]:
    """Attribution frames of the sentence, each with the organisation it names (or None)."""
    found = []
    for rule_id, regex in art.rules.sources:
        for m in regex.finditer(art.text, start, end):
            if "title" in regex.groupindex:  # a data document opening the sentence
                document = _acting_document(art, m["title"], m.end())
                if document is not None:
                    found.append((m.start(), m.end(), issuer_of(art, document, m.start()), rule_id))
                continue
            if "document" in regex.groupindex:
                document = named_document(art, m["document"], m.start())
                found.append((m.start(), m.end(), issuer_of(art, document, m.start()), rule_id))
                continue
            orgs = [x for x in art.mentions_in(*m.span("source"), topical=False) if x.kind == "org"]
            org = orgs[-1].name if orgs else _speaker_org(art, m.start("source"), m.end("source"))
            found.append((m.start(), m.end(), org, rule_id))
    for m in art.rules.anaphor.finditer(art.text, start, end):  # 该报告显示: its issuer, as a frame
        anaphor = anaphor_document(art, m.start(), m.end())
        if anaphor:
            found.append((m.start(), m.end(), issuer_of(art, anaphor[1], m.start()), ANAPHOR_RULE))
    return sorted(found, key=lambda f: (f[0], f[1], f[3]))


_TITLE_GAP = 8  # the most characters of a title between an organisation and a person's name (部长, 副主任)


def _speaker_org(art: Article, start: int, end: int) -> str | None:
    """肖某在开幕式上介绍 with 工业和信息化部部长肖某 written before: a person speaking states figures for the
    organisation the article named them with (an organisation, a title, the name); the name is the first two
    to four characters of the frame, found after an organisation and a title earlier in the article."""
    for size in (3, 2, 4):
        name = art.text[start:start + size]
        if len(name) < size or not name.isalpha():
            continue
        pos = art.text.rfind(name, 0, start)
        while pos > 0:
            orgs = [m for m in art.mentions_in(max(0, pos - 40), pos, topical=False)
                    if m.kind == "org" and 0 < pos - m.end <= _TITLE_GAP and art.text[m.end:pos].isalpha()]
            if orgs:
                return orgs[-1].name
            pos = art.text.rfind(name, 0, pos)
    return None


def _acting_document(art: Article, title: str, end: int) -> Document | None:
    """The data document titled ``title`` when it acts in its sentence (测评, 展示), not when it shows
    (《X》显示: a frame of its own kind) or is released (《X》发布)."""
    document = next((d for d in art.documents if normalise_key(d.title) == normalise_key(title)), None)
    if document is None or document.kind not in art.rules.data_documents:
        return None
    after = strip_words(art.text[end:end + 12], art.rules.adverbs, front=True)
    if after.startswith(art.rules.report_verbs) or after.startswith(art.rules.release_verbs):
        return None
    return document


def paragraph_sources(art: Article, sent: Sentence, previous: list[tuple]) -> list[tuple]:
    """Frames of earlier sentences that still hold: a document frame opening a paragraph
    (蓝皮书显示，…, 《报告》显示，…, 该报告显示，…) or a speaker's (X介绍，…) covers the paragraph; a
    paragraph break ends it."""
    held = [f for f in previous if "\n" not in art.text[f[1]:sent.start]]
    opening = [f for f in sent.sources if (f[3] in REFERRING_RULES or f[3] in SPEAKING_RULES and f[2])
               and art.text[art.text.rfind("\n", 0, f[0]) + 1:f[0]].strip() in ("", "《")]
    return held + opening


def named_document(art: Article, noun: str, pos: int) -> Document | None:
    """The document a bare 蓝皮书/报告 before ``pos`` refers to: the last one named, of that kind if any."""
    named = [m.name for m in art.mentions_in(0, pos, topical=False) if m.kind == "document"]
    documents = [d for title in reversed(named) for d in art.documents if d.title == title]
    fitting = [d for d in documents if d.kind == art.rules.document_kinds.get(noun) or d.title.endswith(noun)]
    return (fitting or documents or [None])[0]


def anaphor_document(art: Article, start: int, end: int) -> tuple[int, Document] | None:
    """``这份报告`` in ``[start, end)`` and the last document named before it."""
    m = art.rules.anaphor.search(art.text, start, end)
    if not m:
        return None
    named = [x for x in art.mentions_in(0, m.start(), topical=False) if x.kind == "document"]
    docs = [d for d in art.documents if named and d.title == named[-1].name]
    return (m.end(), docs[0]) if docs else None


def claim_source(art: Article, sent: Sentence, q: Quantity) -> tuple[str | None, str | None]:
    """(organisation, frame rule id) the figure is attributed to."""
    frames = [f for f in sent.sources if f[1] <= q.start and f[2]]
    anaphor = anaphor_document(art, sent.start, q.start)
    issuer = issuer_of(art, anaphor[1], anaphor[0]) if anaphor else None
    if anaphor and issuer and (not frames or frames[-1][1] < anaphor[0]):
        return issuer, ANAPHOR_RULE
    return (frames[-1][2], frames[-1][3]) if frames else (None, None)


# --- time -----------------------------------------------------------------------------


def claim_time(art: Article, sent: Sentence, q: Quantity) -> str | None:
    """The nearest date before ``q`` in its sentence; a since-date and a duration make a period."""
    bound = lambda pos: any(p is not q for p in art.quantities_starting_in(pos, pos + 1))  # noqa: E731
    de = art.rules.possessive
    before = [d for d in art.dates_in(sent.start, q.start)
              if not (art.text.startswith(de, d.end) and bound(d.end + len(de))) and not is_comparison_base(art, d)]
    if not before:
        return None
    date = before[-1]
    if date.since and date.year and q.kind == "duration" and q.unit == art.rules.year_unit and q.value >= 1:
        sent.periods[date.start] = f"{date.year:04d}/{date.year + int(q.value) - 1:04d}"
    if _event_day(art, date, q):
        return f"{date.year:04d}"
    return sent.periods.get(date.start, part_of_year(art, date))


def _event_day(art: Article, date, q: Quantity) -> bool:
    """论坛12日开幕，3000余名代表参会: the day an event opens, said in a clause before the figure's, dates
    the event, not the figure (attendance, forums, session length hold for the event's year); a figure
    stated for the day (12日当天，500人参加) keeps it."""
    if not date.year or date.iso is None or len(date.iso) != 10:
        return False
    end = clause_end(art.text, date.end, q.start)
    return end < q.start and any(v in art.text[date.end:end] for v in art.rules.event_verbs)


def compared_period(art: Article, q: Quantity, clause: tuple[int, int], time: str | None) -> str | None:
    """较2022年12月增长2480万人 at ``time`` 2023-12 → ``2022-12/2023-12``: a change is over the period from
    its base of comparison, when both are dated as precisely."""
    bases = [d for d in art.dates_in(clause[0], q.start) if is_comparison_base(art, d)]
    base = part_of_year(art, bases[-1]) if bases else None
    if not (time and base) or "/" in time or "/" in base or len(base) != len(time) or base >= time:
        return time
    return f"{base}/{time}"


def event_time(art: Article, subject: str | None, q: Quantity, events: list[Event]) -> str | None:
    """A figure about one occurrence of an event (参会嘉宾数 of 2016年世界互联网大会) holds for its
    year; a duration is the length of a period, not a figure of that year."""
    if subject is None or _series_duration(q, art.rules):
        return None
    years = {e.year for e in events if e.name == subject and e.year}
    return f"{years.pop():04d}" if len(years) == 1 else None


# --- subject --------------------------------------------------------------------------


def _event_of_year(art: Article, series: str, time: str | None, events: list[Event]) -> str:
    """The occurrence of a summit series in the year of ``time``, else the series."""
    year = time[:4] if time else None
    held = [e for e in events if e.kind == "summit" and series_name(e, art.rules) == series]
    named = [e.name for e in held if str(e.year) == year]
    if not named and year is None and len(held) == 1:  # the one occurrence the article reports
        named = [held[0].name]
    return named[0] if named else series


def _series_duration(q: Quantity, rules: ClaimRules) -> bool:
    """Years (连续举办8年) are about a series; a session of days or months (会期3天) about one occurrence."""
    return q.kind == "duration" and q.unit == rules.year_unit


def _resolve(art: Article, m: Mention, q: Quantity, time: str | None, events: list[Event]) -> str:
    if _series_duration(q, art.rules) and m.kind == "event" and m.summit:
        return undated(m.name, art.rules)
    if not _series_duration(q, art.rules) and m.kind == "series":
        return _event_of_year(art, m.name, time, events)
    return m.name


def _pick(art: Article, mentions: list[Mention], q: Quantity, *, last: bool = True) -> Mention | None:
    """The mention a figure is about: series first for a duration of years, the event for a session (会期三天,
    not its host), else organisations and events, then places."""
    order = _PICKED
    if q.kind == "duration":
        years = _series_duration(q, art.rules)
        order = ("series", "event", "org", "place") if years else ("event", "series", "org", "place")
    for kind in order:
        chosen = [m for m in mentions if m.kind == kind]
        if chosen:
            return chosen[-1] if last else chosen[0]
    return None


def _referenced_subject(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int]) -> str | None:
    """Subjects given by reference: a document (这份报告), a parenthesis, 这些X."""
    text, (c_start, _) = art.text, clause
    anaphor = anaphor_document(art, c_start, q.start)
    if anaphor:
        return anaphor[1].title
    acting = [f for f in sent.sources if f[3] == TITLE_RULE and sent.start <= f[0] and f[1] <= q.start]
    if acting:  # 《X报告》从…对38个国家进行测评: the document the sentence opens with
        return art.text[acting[0][0] + 1:acting[0][1] - 1]
    last = next((p for p, _ in reversed(art.claims) if p.end <= q.start), None)
    if c_start > 0 and text[c_start - 1] in _PAREN_OPEN and last and last.end == c_start - 1:
        return last.text
    these = art.rules.these.search(text, c_start, q.start)
    if these:
        named = [p for p, _ in art.claims if p.end <= q.start and p.text.endswith(these["noun"])]
        return named[-1].text if named else None
    return None


def _membership_subject(art: Article, sent: Sentence, q: Quantity) -> str | None:
    if not sent.in_membership_frame(art, q.start):
        return None
    orgs = [m for m in art.mentions_in(sent.start, q.start) if m.kind == "org"]
    orgs = orgs or [m for m in art.mentions_in(0, sent.start) if m.kind == "org"]
    return orgs[-1].name if orgs else None


def claim_subject(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int], time: str | None,
                  events: list[Event]) -> str | None:
    """Who or what the figure is about (see the module docstring for the order of cues)."""
    found = _referenced_subject(art, sent, q, clause) or _membership_subject(art, sent, q)
    if found:
        return found
    group = group_subject(art, clause[0], q.start)  # 中美欧日韩五国…: the group, not one of its members
    if group:
        return group["group"]
    inside = [m for m in art.mentions_in(q.start, q.end) if m.kind == "place"]
    if inside:
        return inside[0].name
    framed = [(s, e) for s, e, *_ in sent.sources]
    framed += [m.span() for p in art.rules.groups for m in p.finditer(art.text, sent.start, q.start)]  # members
    topical = [m for m in art.mentions_in(sent.start, sent.end)
               if not any(s <= m.start and m.end <= e for s, e in framed) and not _scopes_any_count(art, m)
               and not _is_media(m)]
    # an activity named in a later clause (…参展；全球互联网大赛吸引…) is the topic of that clause, not the figure's
    activity = [m for m in topical if m.kind == "event" and not m.summit and not _listed_before(art, m, q)
                and (m.start < q.start or clause[0] <= m.start < clause[1])
                and (q.kind != "duration" or clause[0] <= m.start < clause[1])]
    if activity:
        return activity[-1].name
    found = _participation_subject(art, sent, q, time, events)
    if found:
        return found
    before = [m for m in topical if m.end <= q.start]
    in_clause = [m for m in before if m.start >= clause[0]]
    after = [m for m in topical if m.start >= q.end and m.start < clause_end(art.text, q.end, sent.end) + 40]
    lead = skip_front(art, clause[0], q.start)
    duration_lead = q.kind == "duration" and not in_clause and (
        lead == q.start or art.text[lead:q.start] in art.rules.duration_dropped)
    m = (_pick(art, in_clause, q) or (_lead_pick(art, sent, q, after) if duration_lead else None)
         or _pick(art, before, q))
    if m:
        return _resolve(art, m, q, time, events)
    if sent.subject:
        return sent.subject
    # 在抽样调查的企业中，近五成…: the sentence scopes the figure to a topic of its own
    scoped = any(art.text.startswith(art.rules.scopes, s) for s, _ in art.ignored_starting_in(sent.start, q.start))
    if sent.context_subject and not scoped:  # a report's paragraph: the subject of its figures so far
        return sent.context_subject
    previous = [m for m in art.mentions_in(max(0, sent.start - 200), sent.start)
                if "\n\n" not in art.text[m.end:sent.start] and not _in_source_frame(art, m) and not _is_media(m)
                and m.kind in _PICKED]
    if previous:  # the nearest sentence naming something: an organisation further back is no longer the topic
        opened = max(art.text.rfind(c, 0, previous[-1].start) for c in SENTENCE_ENDS) + 1
        previous = [m for m in previous if m.start >= opened]
    m = _pick(art, previous, q)
    return _resolve(art, m, q, time, events) if m else None


def _is_media(m: Mention) -> bool:
    """A news outlet or agency (光明日报, 新华社) reports figures; it is no figure's subject."""
    entry = org_rules().entries.get(m.name) if m.kind == "org" else None
    return entry is not None and entry.type == "media"


def _scopes_any_count(art: Article, m: Mention) -> bool:
    """来自全球83个国家: a scope place right before a count is part of what it counts, no subject."""
    if m.kind != "place" or m.name not in art.rules.scope_places:
        return False
    gap, after = art.rules.possessive + " ", bisect_left(art.quantities, m.end, key=lambda q: q.start)
    near = (q for q in art.quantities[after:after + 3] if q.start < m.end + 3)
    return any(not art.text[m.end:q.start].strip(gap) for q in near)


def _listed_before(art: Article, m: Mention, q: Quantity) -> bool:
    """“数字丝路”论坛等20场分论坛: a name listed as an example of what is counted is not its subject."""
    return m.end <= q.start and art.rules.listed.fullmatch(art.text, m.end, q.start) is not None


def _participation_subject(art: Article, sent: Sentence, q: Quantity, time: str | None,
                           events: list[Event]) -> str | None:
    """…嘉宾参会: the summit named last before the figure, else the one summit of its year, else the
    event named last in the paragraph (people take part in an event, not in its organiser)."""
    if q.kind == "duration" or not sent.participation_after(art, q.end):
        return None
    summits = [m for m in art.mentions_in(0, q.start) if m.summit]
    if summits:
        return _resolve(art, summits[-1], q, time, events)
    of_year = [e.name for e in events if e.kind == "summit" and time and str(e.year) == time[:4]]
    if len(of_year) == 1:
        return of_year[0]
    paragraph = art.text.rfind("\n", 0, q.start) + 1
    named = [m for m in art.mentions_in(paragraph, q.start) if m.kind == "event"]
    return named[-1].name if named else None


def _lead_pick(art: Article, sent: Sentence, q: Quantity, after: list[Mention]) -> Mention | None:
    """十年间，中国推动…，乌镇峰会亦… → 中国: a duration opening its sentence is about the name that opens the
    next clause (whose verb phrase is its metric), else about the first name after it."""
    return _pick(art, _opening_mentions(art, q, sent.end), q) or _pick(art, after, q, last=False)


def _opening_mentions(art: Article, q: Quantity, sentence_end: int) -> list[Mention]:
    """The names at the start of the first clause after ``q`` that is not a frame (以乌镇峰会为媒)."""
    start = clause_end(art.text, q.end, sentence_end) + 1
    while start < sentence_end:
        end = clause_end(art.text, start, sentence_end)
        if not art.ignored_covers(start, end):
            return [m for m in art.mentions_in(start, end) if m.start == start]
        start = end + 1
    return []


def _in_source_frame(art: Article, m: Mention) -> bool:
    return any(f.start() <= m.start and m.end <= f.end() for _, rx in art.rules.sources
               for f in rx.finditer(art.text, max(0, m.start - 40), m.end + 40))


def generic_subject(art: Article, q: Quantity, clause: tuple[int, int]) -> str | None:
    """世界互联网诞生已有五十余载 → 世界互联网: the words before the verb before the figure."""
    core = art.text[skip_front(art, clause[0], q.start):q.start]
    predicate = next((p for p, _ in art.rules.predicates if core.endswith(p)), None)
    if not predicate:
        return None
    core = strip_end(core[: -len(predicate)], art.rules.adverbs)[0]
    words = art.words(q.start - len(predicate) - len(core) - 0, q.start - len(predicate))
    return "".join(words[:-1]) or None
