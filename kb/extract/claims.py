"""Claims: attribute every quantity of an article (metric, subject, time, source).

:func:`find_claims` takes the quantities :func:`kb.numbers.find_quantities`
finds in the clean text (it decides what is a quantity: no dates, ordinals,
titles) and reads, from the sentence around each one:

- **metric** — the noun phrase the number measures: the topic before a
  predicate (``数字经济规模达到…`` → ``数字经济规模``), a growth metric
  (``较上年增长…`` → previous metric + ``较上年增长额``), ``占X的…`` →
  ``占X比重``, or for a count the verb and counted noun (``…嘉宾参会`` →
  ``参会嘉宾数``, ``会员数`` in a membership frame, ``连续举办年数``).
- **subject** — a document referred back to (``这份报告``), the quantity a
  parenthesis or ``这些X`` points at, the organisation of a membership frame,
  a named event, organisation or place (``全国`` → ``中国``); a duration's
  subject is an event series (``世界互联网大会乌镇峰会``) when one is named.
- **time** — the nearest date before the quantity in its sentence
  (:func:`kb.dates.find_dates`, resolved against the article date), ``如今``
  → the article's year, ``从2016年起…连续七年`` → ``2016/2022``.
- **source** — an attribution frame (``据X数据显示``) whose X is one of the
  organisations found, or the issuer of a document referred back to. A frame
  covers every figure after it in the same sentence (clauses joined by ``；``
  count as one sentence).

A fact stated several times becomes one claim with several provenance
entries (a duration is the same fact when subject, time and value agree).
All cue words are data in ``rules/claims.yaml``. Not supported: attribution
across sentences without an explicit anaphor, subjects that are not named in
the sentence or the one before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from kb.dates import DateMention, find_dates, year_of
from kb.numbers import Quantity, find_quantities
from kb.records import Claim, Document, Event, Organization, Provenance, normalise_key
from kb.rules import Rule, load_section, rule_path

_QUOTES = "“”\"‘’「」『』"
_CLAUSE_BREAK = re.compile(r"[，,：:（）()。！？!?；;\n]|……")
# Where a sentence ends even if the sentencizer ran on (…… before a paragraph break).
_SENTENCE_BREAK = re.compile(r"[。！？!?]+|\n+|…+(?=\s)")
_PAREN_OPEN = "（("
_SUMMIT_YEAR = re.compile(r"^\d{4}年")


# --- rules ---------------------------------------------------------------------


class PatternRule(Rule):
    pattern: str


class WordsRule(Rule):
    words: list[str]
    growth: bool = False
    keep: bool = True


class PlaceRule(Rule):
    name: str
    words: list[str]


@dataclass(frozen=True)
class ClaimRules:
    sources: tuple[tuple[str, re.Pattern], ...]
    anaphor: re.Pattern
    present: re.Pattern
    places: tuple[tuple[str, str], ...]  # (word, canonical name), longest word first
    ignore: re.Pattern
    predicates: tuple[tuple[str, bool], ...]  # (word, growth), longest first
    comparatives: tuple[str, ...]
    relative: tuple[str, ...]
    heads: tuple[str, ...]
    membership: re.Pattern
    origin_units: tuple[str, ...]
    participation: tuple[str, ...]
    adverbs: tuple[str, ...]
    duration_kept: tuple[str, ...]
    duration_dropped: tuple[str, ...]
    lead_words: tuple[str, ...]
    furniture: re.Pattern


def _words(rules: list[WordsRule]) -> tuple[str, ...]:
    return tuple(sorted({w for r in rules for w in r.words}, key=len, reverse=True))


def _either(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@lru_cache(maxsize=4)
def load_claim_rules(path: str | None = None) -> ClaimRules:
    """The rules of ``rules/claims.yaml`` (or ``path``), validated and compiled once."""
    file = rule_path("claims") if path is None else rule_path("claims").with_name(path)
    section = lambda name, model: load_section(file, name, model)  # noqa: E731
    predicates = section("predicates", WordsRule)
    places = section("places", PlaceRule)
    return ClaimRules(
        sources=tuple((r.id, re.compile(r.pattern)) for r in section("sources", PatternRule)),
        anaphor=_either([r.pattern for r in section("anaphors", PatternRule)]),
        present=re.compile("|".join(_words(section("present", WordsRule)))),
        places=tuple(sorted(((w, p.name) for p in places for w in p.words), key=lambda x: -len(x[0]))),
        ignore=_either([r.pattern for r in section("ignore", PatternRule)]),
        predicates=tuple(sorted(((w, r.growth) for r in predicates for w in r.words), key=lambda x: -len(x[0]))),
        comparatives=_words(section("comparatives", WordsRule)),
        relative=_words(section("relative", WordsRule)),
        heads=_words(section("heads", WordsRule)),
        membership=_either([r.pattern for r in section("membership", PatternRule)]),
        origin_units=_words(section("origin_units", WordsRule)),
        participation=_words(section("participation", WordsRule)),
        adverbs=_words(section("adverbs", WordsRule)),
        duration_kept=_words([r for r in section("duration_adverbs", WordsRule) if r.keep]),
        duration_dropped=_words([r for r in section("duration_adverbs", WordsRule) if not r.keep]),
        lead_words=_words(section("lead_words", WordsRule)),
        furniture=_either([r.pattern for r in section("furniture", PatternRule)]),
    )


# --- mentions of names ------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A name in the text: ``kind`` is org, event, series, place or document."""

    start: int
    end: int
    kind: str
    name: str
    summit: bool = False


def _unquoted(text: str) -> tuple[str, list[int]]:
    """``text`` without quote marks, and the original offset of each kept character."""
    kept = [(i, c) for i, c in enumerate(text) if c not in _QUOTES]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _series(event: Event) -> str:
    return _SUMMIT_YEAR.sub("", normalise_key(event.name))


def _name_forms(orgs, events, documents, rules: ClaimRules) -> list[tuple[str, str, str, bool]]:
    """(surface form, kind, canonical name, is-summit) for every name to look for."""
    forms = [(normalise_key(n), "org", o.name, False) for o in orgs for n in [o.name, *o.aliases]]
    for e in events:
        forms.append((normalise_key(e.name), "event", e.name, e.kind == "summit"))
        if e.kind == "summit":
            series = _series(e)
            forms += [(series, "series", series, True)]
            # A short form of the series (乌镇峰会) names it too.
            forms += [(series[i:], "series", series, True) for i in range(1, len(series) - 3)
                      if series[i:].endswith(("峰会", "大会"))]
    forms += [(normalise_key(d.title), "document", d.title, False) for d in documents]
    forms += [(w, "place", name, False) for w, name in rules.places]
    return [f for f in forms if len(f[0]) >= 2]


def find_mentions(text: str, orgs, events, documents, rules: ClaimRules) -> list[Mention]:
    """Every name of ``orgs``, ``events``, ``documents`` and place cue in ``text``;
    a name inside a longer one is dropped (same-span alternatives are kept)."""
    plain, index = _unquoted(text)
    found: list[Mention] = []
    for form, kind, name, summit in _name_forms(orgs, events, documents, rules):
        for m in re.finditer(re.escape(form), plain):
            found.append(Mention(index[m.start()], index[m.end() - 1] + 1, kind, name, summit))
    spans = {(m.start, m.end) for m in found}
    inner = lambda m: any(s <= m.start and m.end <= e and (s, e) != (m.start, m.end) for s, e in spans)  # noqa: E731
    return sorted({m for m in found if not inner(m)}, key=lambda m: (m.start, m.end, m.kind))


# --- sentences and clauses --------------------------------------------------------


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Sentences of ``doc`` as character spans; one ending in ``；`` runs on into the next."""
    pieces: list[tuple[int, int]] = []
    for sent in doc.sents:
        start = sent.start_char
        for m in _SENTENCE_BREAK.finditer(doc.text, sent.start_char, sent.end_char):
            pieces.append((start, m.end()))
            start = m.end()
        if start < sent.end_char:
            pieces.append((start, sent.end_char))
    spans: list[tuple[int, int]] = []
    for start, end in pieces:
        if not doc.text[start:end].strip():
            continue
        if spans and doc.text[spans[-1][0]:spans[-1][1]].rstrip().endswith(("；", ";")):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _clause_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause holding ``pos``: just after the last break before it."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, floor, pos)]
    return breaks[-1] if breaks else floor


def _clause_end(text: str, pos: int, ceiling: int) -> int:
    m = _CLAUSE_BREAK.search(text, pos, ceiling)
    return m.start() if m else ceiling


def _strip_words(text: str, words: tuple[str, ...], *, front: bool) -> str:
    """``text`` without any of ``words`` repeatedly at its front (or end)."""
    changed = True
    while changed and text:
        changed = False
        for w in words:
            if (text.startswith(w) if front else text.endswith(w)) and len(text) > len(w) - 0:
                text = text[len(w):] if front else text[: -len(w)]
                changed = True
                break
    return text


# --- the state of one article -------------------------------------------------------


@dataclass
class Article:
    """What attribution needs to know about one document, computed once."""

    text: str
    date: str | None
    rules: ClaimRules
    mentions: list[Mention]
    dates: list[DateMention]
    ignored: list[tuple[int, int]]
    documents: list[Document]
    spans: list[tuple[int, int]]  # the segmenter's tokens as character spans
    quantities: list[Quantity] = field(default_factory=list)
    claims: list[tuple[Quantity, Claim]] = field(default_factory=list)

    def words(self, start: int, end: int) -> list[str]:
        """The segmenter's words in ``[start, end)`` (cut at the edges), punctuation dropped."""
        cut = [self.text[max(s, start):min(e, end)] for s, e in self.spans if s < end and e > start]
        return [w for w in cut if w.strip() and not _CLAUSE_BREAK.fullmatch(w) and w not in _QUOTES]

    def mentions_in(self, start: int, end: int, *, topical: bool = True) -> list[Mention]:
        """Names in ``[start, end)``; topical ones exclude names inside an ignore frame."""
        out = [m for m in self.mentions if start <= m.start and m.end <= end]
        if topical:
            out = [m for m in out if not any(s <= m.start and m.end <= e for s, e in self.ignored)]
        return out


def _present_dates(text: str, article_date: str | None, rules: ClaimRules) -> list[DateMention]:
    year = year_of(article_date)
    if year is None:
        return []
    return [DateMention(m.start(), m.end(), m.group(), f"{year:04d}", relative=True)
            for m in rules.present.finditer(text)]


def _article(doc: Doc, orgs, events, documents, rules: ClaimRules) -> Article:
    text = doc.text
    date = getattr(doc._.article, "date", None)
    titles = [m.span() for m in re.finditer(r"《[^》\n]*》", text)]
    outside = lambda d: not any(s <= d.start < e for s, e in titles)  # noqa: E731
    dates = sorted(filter(outside, [*find_dates(text, date), *_present_dates(text, date, rules)]),
                   key=lambda d: d.start)
    ignored = [m.span() for m in rules.ignore.finditer(text)]
    spans = [(t.idx, t.idx + len(t.text)) for t in doc]
    return Article(text, date, rules, find_mentions(text, orgs, events, documents, rules), dates, ignored,
                   list(documents), spans)


# --- one sentence -------------------------------------------------------------------

_NUMBER_PART = re.compile(r"^[^\d〇零一二两三四五六七八九十百千万亿]*[\d.,/〇零一二两三四五六七八九十百千万亿多余几]+"
                          r"[个家名项位所座款件次条篇份种类批支只]?")


@dataclass
class Sentence:
    """A sentence being read left to right: what earlier clauses established."""

    start: int
    end: int
    sources: list[tuple[int, int, str | None, str]]  # frame start, end, organisation, rule id
    metric: str | None = None  # the metric of the last figure or topic clause
    subject: str | None = None
    periods: dict[int, str] = field(default_factory=dict)  # since-date start → ISO period
    read_to: int = 0  # clauses before this offset have been read for a topic


def _sources(art: Article, start: int, end: int) -> list[tuple[int, int, str | None, str]]:
    """Attribution frames of the sentence, each with the organisation it names (or None)."""
    found = []
    for rule_id, regex in art.rules.sources:
        for m in regex.finditer(art.text, start, end):
            orgs = [x for x in art.mentions_in(*m.span("source"), topical=False) if x.kind == "org"]
            found.append((m.start(), m.end(), orgs[-1].name if orgs else None, rule_id))
    return sorted(found)


def _anaphor_document(art: Article, start: int, end: int) -> tuple[int, Document] | None:
    """``这份报告`` in ``[start, end)`` and the last document named before it."""
    m = art.rules.anaphor.search(art.text, start, end)
    if not m:
        return None
    named = [x for x in art.mentions_in(0, m.start(), topical=False) if x.kind == "document"]
    docs = [d for d in art.documents if named and d.title == named[-1].name]
    return (m.end(), docs[0]) if docs else None


def _source(art: Article, sent: Sentence, q: Quantity) -> tuple[str | None, str | None]:
    """(organisation, frame rule id) the figure is attributed to."""
    frames = [f for f in sent.sources if f[1] <= q.start and f[2]]
    anaphor = _anaphor_document(art, sent.start, q.start)
    if anaphor and anaphor[1].issuer and (not frames or frames[-1][1] < anaphor[0]):
        return anaphor[1].issuer, "ana-this-report"
    return (frames[-1][2], frames[-1][3]) if frames else (None, None)


# --- time -----------------------------------------------------------------------------


def _time(art: Article, sent: Sentence, q: Quantity) -> str | None:
    """The nearest date before ``q`` in its sentence; a since-date and a duration make a period."""
    bound = {p.start for p in art.quantities if p is not q}
    before = [d for d in art.dates if sent.start <= d.start and d.end <= q.start
              and not (art.text.startswith("的", d.end) and d.end + 1 in bound)]
    if not before:
        return None
    date = before[-1]
    if date.since and date.year and q.kind == "duration" and q.unit == "年" and q.value >= 1:
        sent.periods[date.start] = f"{date.year:04d}/{date.year + int(q.value) - 1:04d}"
    return sent.periods.get(date.start, date.iso)


# --- subject --------------------------------------------------------------------------


def _event_of_year(art: Article, series: str, time: str | None, events: list[Event]) -> str:
    """The occurrence of a summit series in the year of ``time``, else the series."""
    year = time[:4] if time else None
    named = [e.name for e in events if e.kind == "summit" and _series(e) == series and str(e.year) == year]
    return named[0] if named else series


def _resolve(art: Article, m: Mention, q: Quantity, time: str | None, events: list[Event]) -> str:
    if q.kind == "duration" and m.kind == "event" and m.summit:
        return _SUMMIT_YEAR.sub("", normalise_key(m.name))
    if q.kind != "duration" and m.kind == "series":
        return _event_of_year(art, m.name, time, events)
    return m.name


def _pick(mentions: list[Mention], q: Quantity, *, last: bool = True) -> Mention | None:
    """The mention a figure is about: series first for a duration, else organisations and events, then places."""
    order = ("series", "event", "org", "place") if q.kind == "duration" else ("org", "event", "series", "place")
    for kind in order:
        chosen = [m for m in mentions if m.kind == kind]
        if chosen:
            return chosen[-1] if last else chosen[0]
    return None


def _referenced_subject(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int]) -> str | None:
    """Subjects given by reference: a document (这份报告), a parenthesis, 这些X."""
    text, (c_start, _) = art.text, clause
    anaphor = _anaphor_document(art, c_start, q.start)
    if anaphor:
        return anaphor[1].title
    earlier = [p for p, _ in art.claims if p.end <= q.start]
    if c_start > 0 and text[c_start - 1] in _PAREN_OPEN and earlier and earlier[-1].end == c_start - 1:
        return earlier[-1].text
    these = re.search(r"这些([^，,。的]{1,8})", text[c_start:q.start])
    if these:
        named = [p for p in earlier if p.text.endswith(these.group(1))]
        return named[-1].text if named else None
    return None


def _membership_subject(art: Article, sent: Sentence, q: Quantity) -> str | None:
    if not any(m.end() > q.start for m in art.rules.membership.finditer(art.text, sent.start, sent.end)):
        return None
    orgs = [m for m in art.mentions_in(sent.start, q.start) if m.kind == "org"]
    orgs = orgs or [m for m in art.mentions_in(0, sent.start) if m.kind == "org"]
    return orgs[-1].name if orgs else None


def _subject(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int], time: str | None,
             events: list[Event]) -> str | None:
    """Who or what the figure is about (see the module docstring for the order of cues)."""
    found = _referenced_subject(art, sent, q, clause) or _membership_subject(art, sent, q)
    if found:
        return found
    inside = [m for m in art.mentions_in(q.start, q.end) if m.kind == "place"]
    if inside:
        return inside[0].name
    framed = [(s, e) for s, e, *_ in sent.sources]
    topical = [m for m in art.mentions_in(sent.start, sent.end)
               if not any(s <= m.start and m.end <= e for s, e in framed)]
    activity = [m for m in topical if m.kind == "event" and not m.summit
                and (q.kind != "duration" or clause[0] <= m.start < clause[1])]
    if activity:
        return activity[-1].name
    if q.kind != "duration" and any(w in art.text[q.end:sent.end] for w in art.rules.participation):
        summits = [m for m in art.mentions_in(0, q.start) if m.summit]
        if summits:
            return _resolve(art, summits[-1], q, time, events)
        of_year = [e.name for e in events if e.kind == "summit" and time and str(e.year) == time[:4]]
        if len(of_year) == 1:  # the one summit of that year
            return of_year[0]
    before = [m for m in topical if m.end <= q.start]
    in_clause = [m for m in before if m.start >= clause[0]]
    after = [m for m in topical if m.start >= q.end and m.start < _clause_end(art.text, q.end, sent.end) + 40]
    lead = _skip_front(art, clause[0], q.start)
    duration_lead = q.kind == "duration" and not in_clause and (
        lead == q.start or art.text[lead:q.start] in art.rules.duration_dropped)
    m = _pick(in_clause, q) or (_pick(after, q, last=False) if duration_lead else None) or _pick(before, q)
    if m:
        return _resolve(art, m, q, time, events)
    if sent.subject:
        return sent.subject
    previous = [m for m in art.mentions_in(max(0, sent.start - 200), sent.start)
                if "\n\n" not in art.text[m.end:sent.start] and not _in_source_frame(art, m)]
    m = _pick(previous, q)
    return _resolve(art, m, q, time, events) if m else None


def _in_source_frame(art: Article, m: Mention) -> bool:
    return any(f.start() <= m.start and m.end <= f.end() for _, rx in art.rules.sources
               for f in rx.finditer(art.text, max(0, m.start - 40), m.end + 40))


# --- metric ---------------------------------------------------------------------------


def _skip_front(art: Article, a: int, b: int) -> int:
    """Past what opens a clause before its topic: dates, lead words, adverbs, names, 这些X的."""
    text, rules = art.text, art.rules
    skippable = (*rules.lead_words, *rules.adverbs, "从", "的", "了", "等")
    while a < b:
        date = next((d for d in art.dates if d.start == a), None)
        name = next((m for m in art.mentions if m.start == a and m.end <= b), None)
        ref = re.compile(rf"{rules.anaphor.pattern}|这些[^，,。的]{{1,8}}的|[^，,。]{{0,30}}等(?=\d)").match(text, a, b)
        word = next((w for w in skippable if text.startswith(w, a) and a + len(w) <= b), None)
        step = date.end if date else name.end if name else ref.end() if ref and ref.end() > a else (
            a + len(word) if word else a)
        if step == a:
            return a
        a = step
    return a


def _strip_end(text: str, words: tuple[str, ...]) -> tuple[str, str]:
    """(text without one of ``words`` at its end, the word removed or "")."""
    word = next((w for w in words if text.endswith(w) and len(text) >= len(w)), "")
    return (text[: len(text) - len(word)] if word else text), word


def _noun_of(q: Quantity) -> str:
    """What a count counts as written in it (9个非洲国家 → 非洲国家), else its unit."""
    rest = _NUMBER_PART.sub("", q.text)
    return rest if rest.endswith(q.unit) else q.unit


def _verb_phrase(art: Article, start: int, end: int) -> str:
    """The verb phrase in ``[start, end)`` without adverbs, ignore frames and 了."""
    text = art.text[start:end]
    for s, e in art.ignored:
        if start <= s < end:
            text = text.replace(art.text[s:min(e, end)], "")
    text = _strip_words(text, art.rules.adverbs, front=True).replace("了", "")
    return text.strip("“”\"")


def _count_metric(art: Article, sent: Sentence, q: Quantity, np: str, vp: str) -> str | None:
    if np and len(np) <= 3:  # a verb before the figure: 已发布超110个…项目, 联合15家单位…
        counted = q.unit if q.text.endswith(q.unit) else art.text[q.end:q.end + 30].split("，")[0]
        counted = counted[: counted.find(q.unit) + len(q.unit)] if q.unit in counted else q.unit
        return f"{np.rstrip('了')}{vp if q.text.endswith(q.unit) else ''}{counted.rsplit('的', 1)[-1]}数"
    if vp and (q.text.endswith(q.unit) or not sent.metric):
        noun = _noun_of(q)
        return f"{vp}{noun}数" if len(vp) <= 2 else f"{vp}的{noun}数"
    return sent.metric


def _modifier_free(art: Article, start: int, vp: str) -> str:
    """推动构建和平、安全、有序的网络空间 → 推动构建网络空间: a verb phrase without the
    modifiers of its object (from the word before the first 、 or 的 up to 的)."""
    if "的" not in vp:
        return vp
    cut = min(i for i in (vp.find("、"), vp.find("的")) if i >= 0)
    words = art.words(start, start + cut)
    keep = "".join(words[:-1]) if len(words) > 1 else ""
    return keep + vp.rsplit("的", 1)[-1] if keep else vp


def _duration_metric(art: Article, q: Quantity, np_start: int, subject: str | None, clause_end: int,
                     sentence_end: int) -> str | None:
    """连续七年举办 → 连续举办年数; 世界互联网诞生已有五十余载 → 诞生年数; an event's → 举办年数;
    十年间,中国持续推动构建…的网络空间 → 推动构建网络空间的年数."""
    text, rules = art.text, art.rules
    raw = text[np_start:q.start]
    kept = next((w for w in rules.duration_kept if raw.endswith(w)), None)
    if kept:
        after = art.words(q.end, clause_end)
        return f"{kept}{after[0]}年数" if after else None
    core, _ = _strip_end(raw, rules.adverbs)
    predicate = next((p for p, _ in rules.predicates if core.endswith(p)), None)
    if predicate and len(core) > len(predicate):
        words = art.words(np_start, np_start + len(core) - len(predicate))
        return f"{words[-1]}年数" if len(words) > 1 else None
    if subject and subject.endswith(("峰会", "大会", "活动", "论坛")):
        return "举办年数"
    if _strip_words(raw, rules.duration_dropped, front=True):
        return None
    return _next_clause_metric(art, q, sentence_end)


def _next_clause_metric(art: Article, q: Quantity, sentence_end: int) -> str | None:
    """N年来/N年间, <subject> <verb phrase>: the verb phrase of the next clause that is not a frame."""
    text = art.text
    start = _clause_end(text, q.end, sentence_end) + 1
    while start < sentence_end:
        end = _clause_end(text, start, sentence_end)
        framed = any(s <= start and end <= e for s, e in art.ignored)
        for m in art.mentions_in(start, end, topical=False):
            start = m.end if m.start == start else start
        vp = _strip_words(_verb_phrase(art, start, end), art.rules.adverbs, front=True)
        if vp and not framed:
            vp = _modifier_free(art, end - len(vp), vp)
            return f"{vp}的年数"
        start = end + 1
    return None



def _metric(art: Article, sent: Sentence, q: Quantity, clause: tuple[int, int], subject: str | None) -> str | None:
    """What the figure measures (see the module docstring)."""
    text, rules = art.text, art.rules
    if any(m.end() > q.start for m in rules.membership.finditer(text, sent.start, sent.end)):
        if q.unit in rules.origin_units:
            return f"会员来源{q.unit}数"
        if q.kind == "count":
            return "会员数"
    verb = next((w for w in rules.participation if w in text[q.end:sent.end]), None)
    if verb and q.kind == "count":
        return f"{verb}{q.unit}数"
    floor = max([p.end for p, _ in art.claims if clause[0] <= p.end <= q.start], default=clause[0])
    np_start = _skip_front(art, floor, q.start)
    if q.kind == "duration":
        return _duration_metric(art, q, np_start, subject, clause[1], sent.end)
    core, _ = _strip_end(text[np_start:q.start], rules.adverbs)
    predicate = next((p for p in rules.predicates if core.endswith(p[0])), None)
    if predicate:
        core, _ = _strip_end(core[: -len(predicate[0])], rules.adverbs)
    core, comparative = _strip_end(core, rules.comparatives)
    np = core.strip("的")
    next_q = min([p.start for p in _quantities_after(art, q)] + [clause[1]])
    vp = _verb_phrase(art, q.end, min(next_q, clause[1]))
    if predicate and predicate[1]:
        suffix = {"share": "率", "amount": "额"}.get(q.kind, "数")
        return f"{np or sent.metric or ''}{comparative}{predicate[0].rstrip('了')}{suffix}"
    if not predicate and (share := re.search(r"占(.+?)的?$", np)):
        owner = _strip_end(np[:share.start()], rules.adverbs)[0]
        owner = "" if owner.startswith(("这些", "该", "其", "这")) else owner  # a reference, not a topic
        return f"{owner}占{share.group(1)}比重"
    if q.kind == "count" and not predicate:
        return _count_metric(art, sent, q, np, vp)
    if np in rules.relative and sent.metric:
        return _strip_end(sent.metric, rules.heads)[0] + np
    return np.replace("数量", "数") if np else sent.metric


def _quantities_after(art: Article, q: Quantity) -> list[Quantity]:
    return [p for p in art.quantities if p.start >= q.end][:1]


def _topic(art: Article, start: int, end: int) -> str | None:
    """The metric a clause without a figure sets up: 制定…的国家数量持续增加 → 制定…的国家数."""
    core, _ = _strip_end(art.text[_skip_front(art, start, end):end].rstrip(), art.rules.adverbs)
    predicate = next((p for p, _ in art.rules.predicates if core.endswith(p)), None)
    if not predicate:
        return None
    core, _ = _strip_end(core[: -len(predicate)], art.rules.adverbs)
    return core.replace("数量", "数") or None


# --- claims ---------------------------------------------------------------------------


def _read_topics(art: Article, sent: Sentence, upto: int) -> None:
    """Clauses between the last figure and ``upto`` may set up the metric (a topic clause)."""
    pos = max(sent.read_to, sent.start)
    for m in _CLAUSE_BREAK.finditer(art.text, pos, upto):
        topic = _topic(art, pos, m.start())
        if topic and not any(pos <= p.start < m.start() for p in art.quantities):
            sent.metric = topic
        pos = m.end()
    sent.read_to = max(sent.read_to, upto)


def _claim(doc: Doc, art: Article, sent: Sentence, q: Quantity, events: list[Event]) -> Claim:
    clause = (_clause_start(art.text, q.start, sent.start), _clause_end(art.text, q.end, sent.end))
    _read_topics(art, sent, clause[0])
    time = _time(art, sent, q)
    subject = _subject(art, sent, q, clause, time, events)
    metric = _metric(art, sent, q, clause, subject)
    if subject is None and q.kind == "duration":
        subject = _generic_subject(art, q, clause)
    source, frame = _source(art, sent, q)
    sent.metric, sent.subject, sent.read_to = metric or sent.metric, subject or sent.subject, q.end
    from kb.nlp import provenance  # the pipeline module, imported late: it loads spaCy's language data
    evidence = _evidence(art, clause, sent.end)
    return Claim(text=q.text, value=q.value, unit=q.unit, qualifier=q.qualifier, metric=metric, subject=subject,
                 time=time, source=source, evidence=evidence or q.text,
                 provenance=[Provenance(**provenance(doc, q.start, q.end, q.rule))])


def _evidence(art: Article, clause: tuple[int, int], sentence_end: int) -> str:
    """The clause of the figure, run on into the next ones while it is too short to say much."""
    start, end = clause
    while end - start < 12 and end < sentence_end and art.text[end] not in "。！？!?\n":
        end = _clause_end(art.text, end + 1, sentence_end)
    return art.text[start:end].strip()


def _generic_subject(art: Article, q: Quantity, clause: tuple[int, int]) -> str | None:
    """世界互联网诞生已有五十余载 → 世界互联网: the words before the verb before the figure."""
    core = art.text[_skip_front(art, clause[0], q.start):q.start]
    predicate = next((p for p, _ in art.rules.predicates if core.endswith(p)), None)
    if not predicate:
        return None
    core = _strip_end(core[: -len(predicate)], art.rules.adverbs)[0]
    words = art.words(q.start - len(predicate) - len(core) - 0, q.start - len(predicate))
    return "".join(words[:-1]) or None


def _key(claim: Claim) -> tuple:
    """Two mentions of one fact: a duration is the same fact whatever the verb around it."""
    metric = None if claim.unit == "年" and claim.qualifier == "exact" else claim.metric
    return (metric, claim.subject, claim.time, claim.value, claim.unit, claim.qualifier)


def find_claims(doc: Doc, orgs: list[Organization], events: list[Event],
                documents: list[Document]) -> list[Claim]:
    """One claim per stated quantity of ``doc``, attributed; restatements merged."""
    rules = load_claim_rules()
    art = _article(doc, orgs, events, documents, rules)
    art.quantities = find_quantities(art.text)
    merged: dict[tuple, Claim] = {}
    for start, end in sentence_spans(doc):
        if rules.furniture.search(art.text, start, end) and end - start < 60:
            continue
        sent = Sentence(start, end, _sources(art, start, end))
        for q in (q for q in art.quantities if start <= q.start and q.end <= end):
            claim = _claim(doc, art, sent, q, list(events))
            art.claims.append((q, claim))
            key = _key(claim)
            merged[key] = merged[key].model_copy(
                update={"provenance": merged[key].provenance + claim.provenance}) if key in merged else claim
    return list(merged.values())
