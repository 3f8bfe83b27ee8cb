"""The text claim attribution reads: names, sentences, clauses and the state of one article.

:func:`find_mentions` locates the names of the organisations, events,
documents and place cues an article holds; :func:`sentence_spans` and the
clause helpers cut the text; :class:`Article` and :class:`Sentence` hold what
attribution needs while it reads an article left to right.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc

from kb.nlp.pipeline import sentence_spans as nlp_sentences, text_of, words_of
from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS
from kb.extract.candidates import rule_matches
from kb.normalise.dates import DateMention, year_of
from kb.extract.claims.rules import ClaimRules
from kb.extract.ranges import Cover, Sorted, inner_spans
from kb.normalise.numbers import Quantity
from kb.records.models import Claim, Document, Event, normalise_key

QUOTES = "“”\"‘’「」『』"
_QUOTE_MARK = re.compile(f"[{re.escape(QUOTES)}]")
# A clause (kb.nlp.text); for a figure's frame a bracket or …… closes one too.
CLAUSE_BREAK = re.compile(f"[{re.escape(CLAUSE_ENDS)}（）()]|……")
# A sentence (kb.nlp.text), and …… before a paragraph break.
_SENTENCE_BREAK = re.compile(f"[{re.escape(SENTENCE_ENDS.replace(chr(10), ''))}]+|\n+|…+(?=\s)")


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
    """``text`` without quote marks, and the original offset of each kept character (built
    run by run between the quote marks: a loop per character costs more than the finders)."""
    parts, index, previous = [], [], 0
    for m in _QUOTE_MARK.finditer(text):
        parts.append(text[previous:m.start()])
        index.extend(range(previous, m.start()))
        previous = m.end()
    parts.append(text[previous:])
    index.extend(range(previous, len(text)))
    return "".join(parts), index


def undated(name: str, rules: ClaimRules) -> str:
    """``name`` without the year written in front of it (2024年世界互联网大会 → 世界互联网大会)."""
    return rules.name_year.sub("", normalise_key(name))


def series_name(event: Event, rules: ClaimRules) -> str:
    return undated(event.name, rules)


def _name_forms(orgs, events, documents, rules: ClaimRules) -> list[tuple[str, str, str, bool]]:
    """(surface form, kind, canonical name, is-summit) for every name to look for."""
    forms = [(normalise_key(n), "org", o.name, False) for o in orgs for n in [o.name, *o.aliases]]
    for e in events:
        forms.append((normalise_key(e.name), "event", e.name, e.kind == "summit"))
        if e.kind == "summit":
            series = series_name(e, rules)
            forms += [(series, "series", series, True)]
            # A short form of the series (乌镇峰会) names it too.
            forms += [(series[i:], "series", series, True) for i in range(1, len(series) - 3)
                      if series[i:].endswith(rules.summit_nouns)]
    # A dated event written without its year (第八届数字中国建设峰会 for 2025年数字中国建设峰会), when one
    # event alone has that name.
    bare = [(undated(e.name, rules), e) for e in events if e.kind != "summit"]
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
    inner = inner_spans((m.start, m.end) for m in found)  # one pass, not a scan per mention
    # once each, in the order found (not a set's: that order changes with PYTHONHASHSEED)
    kept = dict.fromkeys(m for m in found if (m.start, m.end) not in inner)
    return sorted(kept, key=lambda m: (m.start, m.end, m.kind))


def _current_event(events, head: str, year: int | None, rules: ClaimRules):
    """The event 本届大会 refers to: of the article's year, its name ending in ``head`` (a summit is
    also a 大会: ``summit_aliases``), the first such listed; else the one summit of that year."""
    dated = [e for e in events if year is None or e.year == year]
    alias = head in rules.summit_aliases
    named = [e for e in dated if normalise_key(e.name).endswith(head) or (alias and e.kind == "summit")]
    summits = [e for e in dated if e.kind == "summit"]
    return named[0] if named else summits[0] if len(summits) == 1 else None


def current_event_mentions(text: str, events, year: int | None, rules: ClaimRules) -> list[Mention]:
    """本届大会, 大会期间 …: mentions of the event the article reports on."""
    found = []
    for pattern in rules.current_event:
        for m in pattern.finditer(text):
            event = _current_event(events, m["head"], year, rules)
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
    # Bisection indexes over the lists above (each sorted by start), so a look-up
    # costs the size of its answer, not of the article.
    _word_ends: list[int] = field(init=False, repr=False)
    _mentions: Sorted = field(init=False, repr=False)
    _dates: Sorted = field(init=False, repr=False)
    _ignored: Sorted = field(init=False, repr=False)
    _ignored_cover: Cover = field(init=False, repr=False)
    _topical: Sorted = field(init=False, repr=False)  # the mentions outside every ignore frame
    _quantities: tuple[list, Sorted] | None = field(default=None, init=False, repr=False)  # (list indexed, index)

    def __post_init__(self) -> None:
        self._word_ends = [e for _, e in self.spans]
        self._mentions, self._dates, self._ignored = Sorted(self.mentions), Sorted(self.dates), Sorted(self.ignored)
        self._ignored_cover = Cover(self.ignored)
        self._topical = Sorted(m for m in self.mentions if not self._ignored_cover.covers(m.start, m.end))

    def words(self, start: int, end: int) -> list[str]:
        """The segmenter's words in ``[start, end)`` (cut at the edges), punctuation dropped."""
        cut, i = [], bisect_right(self._word_ends, start)
        while i < len(self.spans) and self.spans[i][0] < end:
            s, e = self.spans[i]
            cut.append(self.text[max(s, start):min(e, end)])
            i += 1
        return [w for w in cut if w.strip() and not CLAUSE_BREAK.fullmatch(w) and w not in QUOTES]

    def mentions_in(self, start: int, end: int, *, topical: bool = True) -> list[Mention]:
        """Names in ``[start, end)``; topical ones exclude names inside an ignore frame."""
        return (self._topical if topical else self._mentions).within(start, end)

    def ignored_covers(self, start: int, end: int) -> bool:
        """``[start, end)`` lies inside an ignore frame."""
        return self._ignored_cover.covers(start, end)

    def ignored_starting_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """The ignore frames that start in ``[start, end)``, in order."""
        return self._ignored.starting_in(start, end)

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        """The dates lying in ``[start, end)``, in order."""
        return self._dates.within(start, end)

    def quantities_starting_in(self, start: int, end: int) -> list[Quantity]:
        """The quantities starting in ``[start, end)``, in order."""
        return self._quantity_index().starting_in(start, end)

    def quantity_from(self, pos: int) -> Quantity | None:
        """The first quantity starting at or after ``pos``."""
        return self._quantity_index().first_from(pos)

    def _quantity_index(self) -> Sorted:
        # ``quantities`` is set after the Article is made: indexed on first use.
        if self._quantities is None or self._quantities[0] is not self.quantities:
            self._quantities = (self.quantities, Sorted(self.quantities))
        return self._quantities[1]

    def claims_back_to(self, start: int):
        """(quantity, claim) pairs stated so far whose quantity starts at or after ``start``,
        last first: claims are stated in text order, so the walk stops at the first before."""
        for pair in reversed(self.claims):
            if pair[0].start < start:
                return
            yield pair

    def date_at(self, pos: int) -> DateMention | None:
        """The first date starting at ``pos``."""
        return self._dates.first_at(pos)

    def mention_at(self, pos: int, end: int) -> Mention | None:
        """The first (shortest) name starting at ``pos`` and ending by ``end``."""
        m = self._mentions.first_at(pos)
        return m if m is not None and m.end <= end else None

def closed_titles(text: str) -> list[tuple[int, int]]:
    """The spans of ``re.finditer(r"《[^》\\n]*》", text)``, in one pass: that regex retries
    from every 《 of a line that never closes, quadratic on a run of them."""
    spans, pos = [], 0
    while (start := text.find("《", pos)) != -1:
        close, newline = text.find("》", start), text.find("\n", start)
        if close != -1 and (newline == -1 or close < newline):
            spans.append((start, close + 1))
            pos = close + 1
        elif newline == -1:
            break
        else:  # no 》 before the line ends: no later 《 of this line closes either
            pos = newline + 1
    return spans


def _present_dates(text: str, article_date: str | None, rules: ClaimRules) -> list[DateMention]:
    year = year_of(article_date)
    if year is None:
        return []
    return [DateMention(m.start(), m.end(), m.group(), f"{year:04d}", relative=True)
            for m in rules.present.finditer(text)]


def article_of(doc: Doc, orgs, events, documents, rules: ClaimRules) -> Article:
    text = text_of(doc)
    date = getattr(doc._.article, "date", None)
    titles = Cover(closed_titles(text))
    outside = lambda d: not titles.holds(d.start)  # noqa: E731
    stated = [m.value for m in rule_matches(doc, "DATE", "date")]
    dates = sorted(filter(outside, [*stated, *_present_dates(text, date, rules)]),
                   key=lambda d: d.start)
    ignored = [m.span() for m in rules.ignore.finditer(text)]
    spans = [(w.idx, w.idx + len(w.text)) for w in words_of(doc)]
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
    # What every figure of the sentence asks about the whole sentence, read once (a scan per
    # figure is quadratic in a long sentence): clause-break ends, membership-frame reach, and
    # where the participation words start.
    _scans: dict = field(default_factory=dict, repr=False)

    def clause_start(self, art: Article, pos: int) -> int:
        """:func:`clause_start` of ``pos`` with the sentence start as floor."""
        if "breaks" not in self._scans:
            self._scans["breaks"] = [m.end() for m in CLAUSE_BREAK.finditer(art.text, self.start, self.end)]
        breaks = self._scans["breaks"]
        i = bisect_right(breaks, pos)
        return breaks[i - 1] if i else self.start

    def in_membership_frame(self, art: Article, pos: int) -> bool:
        """A membership frame of the sentence ends after ``pos``."""
        if "membership" not in self._scans:
            ends = [m.end() for m in art.rules.membership.finditer(art.text, self.start, self.end)]
            self._scans["membership"] = max(ends, default=-1)
        return self._scans["membership"] > pos

    def participation_after(self, art: Article, pos: int) -> str | None:
        """The participation word nearest after ``pos`` in the sentence (参展 in …企业参展，…嘉宾与会)."""
        if "participation" not in self._scans:  # (start, word) of every participation word, in text order
            found = []
            for word in art.rules.participation:
                at = art.text.find(word, self.start, self.end)
                while at != -1:
                    found.append((at, word))
                    at = art.text.find(word, at + 1, self.end)
            self._scans["participation"] = sorted(found)
        found = self._scans["participation"]
        i = bisect_right(found, (pos, ""))
        return found[i][1] if i < len(found) else None


def skip_front(art: Article, a: int, b: int) -> int:
    """Past what opens a clause before its topic: dates, lead words, adverbs, names, 这些X的."""
    text, rules = art.text, art.rules
    skippable = (*rules.lead_words, *rules.adverbs, *rules.front_words)
    while a < b:
        date = art.date_at(a)
        name = art.mention_at(a, b)
        ref = rules.front_reference.match(text, a, b)
        word = next((w for w in skippable if text.startswith(w, a) and a + len(w) <= b), None)
        step = date.end if date else name.end if name else ref.end() if ref and ref.end() > a else (
            a + len(word) if word else a)
        if step == a:
            return a
        a = step
    return a
