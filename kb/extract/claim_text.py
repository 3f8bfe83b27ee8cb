"""The text claim attribution reads: names, sentences, clauses and the state of one article.

:func:`find_mentions` locates the names of the organisations, events,
documents and place cues an article holds; :func:`sentence_spans` and the
clause helpers cut the text; :class:`Article` and :class:`Sentence` hold what
attribution needs while it reads an article left to right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kb.nlp import sentence_spans as nlp_sentences, text_of
from kb.dates import DateMention, find_dates, year_of
from kb.extract.claim_rules import ClaimRules
from kb.numbers import Quantity
from kb.records import Claim, Document, Event, normalise_key

QUOTES = "“”\"‘’「」『』"
CLAUSE_BREAK = re.compile(r"[，,：:（）()。！？!?；;\n]|……")
# Where a sentence ends even if the sentencizer ran on (…… before a paragraph break).
_SENTENCE_BREAK = re.compile(r"[。！？!?]+|\n+|…+(?=\s)")
SUMMIT_YEAR = re.compile(r"^\d{4}年")


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
    kept = [(i, c) for i, c in enumerate(text) if c not in QUOTES]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def series_name(event: Event) -> str:
    return SUMMIT_YEAR.sub("", normalise_key(event.name))


def _name_forms(orgs, events, documents, rules: ClaimRules) -> list[tuple[str, str, str, bool]]:
    """(surface form, kind, canonical name, is-summit) for every name to look for."""
    forms = [(normalise_key(n), "org", o.name, False) for o in orgs for n in [o.name, *o.aliases]]
    for e in events:
        forms.append((normalise_key(e.name), "event", e.name, e.kind == "summit"))
        if e.kind == "summit":
            series = series_name(e)
            forms += [(series, "series", series, True)]
            # A short form of the series (乌镇峰会) names it too.
            forms += [(series[i:], "series", series, True) for i in range(1, len(series) - 3)
                      if series[i:].endswith(("峰会", "大会"))]
    # A dated event written without its year (第八届数字中国建设峰会 for 2025年数字中国建设峰会), when one
    # event alone has that name.
    bare = [(SUMMIT_YEAR.sub("", normalise_key(e.name)), e) for e in events if e.kind != "summit"]
    forms += [(b, "event", e.name, False) for b, e in bare
              if b != normalise_key(e.name) and [x for x, _ in bare].count(b) == 1]
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

def _current_event(events, head: str, year: int | None):
    """The event 本届大会 refers to: of the article's year, its name ending in ``head`` (a summit is
    also a 大会), the first such listed; else the one summit of that year."""
    dated = [e for e in events if year is None or e.year == year]
    named = [e for e in dated if normalise_key(e.name).endswith(head) or (head == "大会" and e.kind == "summit")]
    summits = [e for e in dated if e.kind == "summit"]
    return named[0] if named else summits[0] if len(summits) == 1 else None


def current_event_mentions(text: str, events, year: int | None, rules: ClaimRules) -> list[Mention]:
    """本届大会, 大会期间 …: mentions of the event the article reports on."""
    found = []
    for pattern in rules.current_event:
        for m in pattern.finditer(text):
            event = _current_event(events, m["head"], year)
            if event is not None:
                found.append(Mention(m.start(), m.end(), "event", event.name, event.kind == "summit"))
    return found


# --- sentences and clauses --------------------------------------------------------


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Sentences of ``doc`` as character spans; one ending in ``；`` runs on into the next."""
    text = text_of(doc)  # spaCy rebuilds it from the tokens on every access
    pieces: list[tuple[int, int]] = []
    for sent_start, sent_end in nlp_sentences(doc):
        start = sent_start
        for m in _SENTENCE_BREAK.finditer(text, sent_start, sent_end):
            pieces.append((start, m.end()))
            start = m.end()
        if start < sent_end:
            pieces.append((start, sent_end))
    spans: list[tuple[int, int]] = []
    for start, end in pieces:
        if not text[start:end].strip():
            continue
        if spans and text[spans[-1][0]:spans[-1][1]].rstrip().endswith(("；", ";")):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def clause_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause holding ``pos``: just after the last break before it."""
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text, floor, pos)]
    return breaks[-1] if breaks else floor


def clause_end(text: str, pos: int, ceiling: int) -> int:
    m = CLAUSE_BREAK.search(text, pos, ceiling)
    return m.start() if m else ceiling


def strip_words(text: str, words: tuple[str, ...], *, front: bool) -> str:
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


def strip_end(text: str, words: tuple[str, ...]) -> tuple[str, str]:
    """(text without one of ``words`` at its end, the word removed or "")."""
    word = next((w for w in words if text.endswith(w) and len(text) >= len(w)), "")
    return (text[: len(text) - len(word)] if word else text), word


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
    org_names: frozenset[str] = frozenset()  # every name and alias of an organisation
    quantities: list[Quantity] = field(default_factory=list)
    claims: list[tuple[Quantity, Claim]] = field(default_factory=list)

    def words(self, start: int, end: int) -> list[str]:
        """The segmenter's words in ``[start, end)`` (cut at the edges), punctuation dropped."""
        cut = [self.text[max(s, start):min(e, end)] for s, e in self.spans if s < end and e > start]
        return [w for w in cut if w.strip() and not CLAUSE_BREAK.fullmatch(w) and w not in QUOTES]

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


def article_of(doc: Doc, orgs, events, documents, rules: ClaimRules) -> Article:
    text = text_of(doc)
    date = getattr(doc._.article, "date", None)
    titles = [m.span() for m in re.finditer(r"《[^》\n]*》", text)]
    outside = lambda d: not any(s <= d.start < e for s, e in titles)  # noqa: E731
    dates = sorted(filter(outside, [*find_dates(text, date), *_present_dates(text, date, rules)]),
                   key=lambda d: d.start)
    ignored = [m.span() for m in rules.ignore.finditer(text)]
    spans = [(t.idx, t.idx + len(t.text)) for t in doc]
    org_names = frozenset(normalise_key(n) for o in orgs for n in [o.name, *o.aliases])
    mentions = find_mentions(text, orgs, events, documents, rules)
    mentions = sorted([*mentions, *current_event_mentions(text, events, year_of(date), rules)],
                      key=lambda m: (m.start, m.end, m.kind))
    return Article(text, date, rules, mentions, dates, ignored,
                   list(documents), spans, org_names)


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
    context_time: str | None = None  # a cutoff (截至X) carried from an earlier sentence of a report's paragraph
    context_subject: str | None = None  # the subject of the last figure of that paragraph


def skip_front(art: Article, a: int, b: int) -> int:
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
