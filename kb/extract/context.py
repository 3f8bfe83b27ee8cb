"""The clean text of an article as extraction sees it: sentences, clauses, dates, titles.

:class:`Context` is shared by the event and document finders: it holds the
doc's clean text with its date mentions (:func:`kb.normalise.dates.find_dates`, day-only
dates and ``当天`` included), editions and ``《…》`` titles, and answers
questions about clause and sentence boundaries and the date and theme frames
around a name (``…16日在乌镇开幕``, ``持续至18日``, ``以“…”为主题的…``).

Anaphora: :func:`anaphor_at` reads a sentence that goes on about the event
just named (``本届大会以…为主题``); :func:`during_noun` and :func:`host_event`
read a bare ``大会期间``/``与大会同期``/``在大会上`` as the article's own event;
:func:`fill_from_anaphor` gives that event what a ``本届大会于11月7日开幕，为期三天`` /
``峰会以“…”为主题`` sentence states, and :func:`sub_forum_host` holds a ``…分论坛`` during the
summit named before it in its paragraph. :func:`place_in` reads ``在浙江乌镇开幕`` (乌镇) and
``在北京国家会议中心举办`` (北京).

The patterns are rules (:func:`load_frames`): section ``frames`` of ``rules/events.yaml``,
whose ``{list}`` placeholders are filled with the words of that file's word lists (event
verbs, summit nouns) and of the shared ``rules/lexicon.yaml`` (time of day, relative days,
demonstratives, particles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from kb.extract.candidates import rule_matches
from kb.normalise.dates import DateMention, add_days, duration_days, find_editions
from kb.errors import RuleError
from kb.nlp.pipeline import provenance as _provenance, text_of
from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS
from kb.records.models import merge_all
from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, load_words, rule_builder, rule_path, valid_regex

PUNCT = frozenset("，,。；;：:、！？!?“”\"「」『』《》〈〉（）()\n…[]【】 |#*")
_ASIDE_END = "”」)）】]…"
# A theme in any quotes the page uses: “…”, or 「…」/『…』 on traditional pages.
_QUOTED = r"[“「『]([^”」』\n]{2,80})[”」』]"
_ASIDE = re.compile(r"^(?:（[^（）]*）|\([^()]*\))")  # …论坛(IGF)在…举行

# ---------------------------------------------------------------- frame rules

# The sections of rules/lexicon.yaml the frames use.
_LEXICON = ("time_of_day", "relative_days", "demonstratives", "time_from", "time_zone", "time_since", "possessive",
            "etcetera")
# The frames code reads (rules/events.yaml, section frames), each by its id.
FRAME_IDS = ("theme", "theme-before", "date-gap", "until", "from-until", "anaphor", "during", "summit-reference",
             "location-after", "settled", "location-before", "place-in", "happen", "count", "quoted-run",
             "held-during", "held-on", "held-at", "organiser-before", "organiser-after", "first-time", "press-after")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class Frame(Rule):
    """A pattern around an event name; ``{list}`` stands for the words of a word list."""

    pattern: Regex


@dataclass(frozen=True)
class Frames:
    """The frame regexes, compiled, and the word lists they are built from (by id or section)."""

    regex: dict[str, re.Pattern[str]]
    words: dict[str, tuple[str, ...]]

    @property
    def year_unit(self) -> str:
        return self.words["year_unit"][0]

    @property
    def possessive(self) -> str:
        """``的``, between a modifier and its noun (``今年的乌镇峰会``)."""
        return self.words["possessive"][0]

    def year_name(self, year: int, name: str = "") -> str:
        """``name`` with ``year`` in front (``2019年世界5G大会``); no name: the prefix alone."""
        return f"{year}{self.year_unit}{name}"


@rule_builder
def load_frames() -> Frames:
    """The frames of rules/events.yaml with their ``{list}`` placeholders filled in."""
    path = rule_path("events")
    words = {section: load_words(rule_path("lexicon"), section) for section in _LEXICON}
    own = {w.id: tuple(w.words) for w in load_section(path, "words", WordList)}
    if own.keys() & words.keys():
        raise RuleError(path, f"word list {sorted(own.keys() & words.keys())[0]!r} is also a lexicon section")
    words |= own
    fragments = {name: f"(?:{alternation(ws)})" for name, ws in words.items()} | {"quoted": _QUOTED}
    frames = {f.id: _fill(path, f, fragments) for f in load_section(path, "frames", Frame)}
    missing = [i for i in FRAME_IDS if i not in frames]
    if missing:
        raise RuleError(path, f"section 'frames' lacks the frame(s) {', '.join(missing)}")
    return Frames(frames, words)


def _fill(path, frame: Frame, fragments: dict[str, str]) -> re.Pattern[str]:
    unknown = sorted({n for n in _PLACEHOLDER.findall(frame.pattern) if n not in fragments})
    if unknown:
        raise RuleError(path, f"no word list named {', '.join(unknown)}", rule_id=frame.id)
    pattern = _PLACEHOLDER.sub(lambda m: fragments[m.group(1)], frame.pattern)
    try:
        return re.compile(valid_regex(pattern))
    except ValueError as err:
        raise RuleError(path, str(err), rule_id=frame.id) from None


@dataclass
class Context:
    """The clean text of a doc with its dates, editions and 《》 titles, and clause helpers."""

    doc: Doc
    text: str
    dates: list[DateMention]
    editions: list
    titles: list[tuple[int, int]]

    @classmethod
    def of(cls, doc: Doc, titles: list[tuple[int, int]] | None = None,
           dates: list[DateMention] | None = None) -> "Context":
        """The context of ``doc``: its 《》 titles and its dates with day-only ones (``date-days``)
        as the rule matcher found them — read from ``doc.spans["rules"]`` unless given (the
        matcher itself gives them while it matches events)."""
        text = text_of(doc)
        if titles is None:
            titles = [(m.start, m.end) for m in rule_matches(doc, "TITLE")]
        if dates is None:
            dates = [m.value for m in rule_matches(doc, "DATE", "date-days")]
        return cls(doc, text, dates, find_editions(text), titles)

    def sentences(self) -> list[tuple[int, int]]:
        out, start = [], 0
        for i, char in enumerate(self.text):
            if char in SENTENCE_ENDS:
                if i + 1 > start:
                    out.append((start, i + 1))
                start = i + 1
        if start < len(self.text):
            out.append((start, len(self.text)))
        return out

    def _back(self, pos: int, stops: str) -> int:
        i = pos - 1
        while i >= 0 and self.text[i] not in stops:
            i -= 1
        return i + 1

    def _forward(self, pos: int, stops: str) -> int:
        i = pos
        while i < len(self.text) and self.text[i] not in stops:
            i += 1
        return i

    def sentence_start(self, pos: int) -> int:
        return self._back(pos, SENTENCE_ENDS)

    def sentence_end(self, pos: int) -> int:
        return self._forward(pos, SENTENCE_ENDS)

    def clause_start(self, pos: int) -> int:
        return self._back(pos, CLAUSE_ENDS)

    def clause_end(self, pos: int) -> int:
        return self._forward(pos, CLAUSE_ENDS)

    def clause_rest(self, pos: int) -> str:
        return self.text[pos:self.clause_end(pos)]

    def inside_title(self, pos: int) -> bool:
        return any(s < pos < e for s, e in self.titles)

    def date_at(self, start: int, end: int) -> DateMention | None:
        return next((d for d in self.dates if d.start < end and start < d.end), None)

    def date_ending_at(self, pos: int) -> DateMention | None:
        return next((d for d in self.dates if d.end == pos and d.value), None)

    def edition_ending_at(self, pos: int) -> int | None:
        return next((e.number for e in self.editions if e.end == pos), None)

    def clause_date(self, pos: int, exclude: DateMention | None = None, reach: int = 99) -> DateMention | None:
        """The last date before ``pos`` in its clause, else a date-only clause of the sentence
        at most ``reach`` clauses before."""
        start = self.clause_start(pos)
        inside = [d for d in self.dates if start <= d.start and d.end <= pos and d is not exclude
                  and d.value and not self.inside_title(d.start)]
        if inside:
            return inside[-1]
        sentence_start, end, steps = self.sentence_start(pos), start - 1, 0
        while end > sentence_start and steps < reach:
            clause_start = self.clause_start(end)
            date = self._date_only(clause_start, end)
            if date:
                return date
            end, steps = clause_start - 1, steps + 1
        return None

    def _date_only(self, start: int, end: int) -> DateMention | None:
        """The date a clause consists of (``2023年11月``, ``从2016年起``), after any quote,
        aside or dateline that ends the previous sentence on the same line."""
        for date in self.dates:
            if start <= date.start and date.end <= end and date.value:
                head = self.text[start:date.start].strip()
                tail = self.text[date.end:end].strip()
                words = load_frames().words
                if not head or head in words["time_from"] or head in words["time_zone"] or head[-1] in _ASIDE_END:
                    if not tail or tail in words["time_since"] or tail in words["time_of_day"]:
                        return date
        return None

    def date_right_after(self, pos: int) -> DateMention | None:
        """A date right after ``pos`` in its clause (``…大会16日在乌镇开幕``, ``…将于17日举行``)."""
        end = self.clause_end(pos)
        return next((d for d in self.dates if pos <= d.start < end and d.value
                     and load_frames().regex["date-gap"].match(self.text[pos:d.start])), None)

    def framed_dates(self, spans: list[tuple[int, int]], year: int | None) -> tuple[str | None, str | None]:
        """Start and end in ``spans`` from ``会期从20日持续至22日``, ``将持续至18日``, ``至7月6日结束``
        (dates of ``year``, at least month-precise; ``截至`` is no end)."""
        start = end = None
        frames = load_frames()
        for s, e in spans:
            for d in self.dates:
                if not (s <= d.start and d.end <= e) or len(d.value or "") < 7 or (year and d.year != year):
                    continue
                before, after = self.text[max(s, d.start - 3):d.start], self.text[d.end:d.end + 3]
                if before.endswith(frames.words["time_from"]) and frames.regex["from-until"].match(after):
                    start = start or d.value
                elif frames.regex["until"].search(before) and not d.end_value:
                    end = end or d.value
        return start, end

    def theme_before(self, pos: int) -> str | None:
        """``以“…”为主题的`` right before ``pos`` (``以“…”为主题的第三届世界互联网大会``)."""
        found = load_frames().regex["theme-before"].search(self.text[max(0, pos - 90):pos])
        return found.group(1) if found else None

    def theme_in(self, spans: list[tuple[int, int]]) -> str | None:
        """``主题为“…”`` / ``以“…”为主题`` in ``spans``, unless another activity is named first."""
        frames = load_frames()
        for start, end in spans:
            found = frames.regex["theme"].search(self.text, start, end)
            # a theme after another activity's noun (论坛, 活动) is that activity's
            if found and not any(n in self.text[start:found.start()] for n in frames.words["theme_owners"]):
                # ── (box drawing) stands for the dash ―― on some traditional pages
                return next(g for g in found.groups() if g).replace("\u2500", "\u2014")
        return None

    def clause_text(self, start: int, end: int) -> str:
        """The clean text of the clauses around ``[start, end)``: the evidence (noise removed)."""
        return self.text[self.clause_start(start):self.clause_end(end)].strip()

    def provenance(self, start: int, end: int, rule: str) -> dict:
        if self.doc._.textmap is None:
            return {"doc": getattr(self.doc._.article, "id", ""), "start": start, "end": end,
                    "quote": self.text[start:end], "rule": rule}
        return _provenance(self.doc, start, end, rule)


def summit_reference(text: str, start: int, end: int) -> str | None:
    """The noun of the first standalone ``峰会``/``大会`` in ``text[start:end]``."""
    found = load_frames().regex["summit-reference"].search(text, start, end)
    return (found.group(1) or found.group(2)) if found else None


def anaphor_at(text: str, pos: int) -> tuple[str, int] | None:
    """The event noun of a demonstrative opening the sentence at ``pos`` (``本届大会`` → 大会),
    and where the demonstrative ends."""
    found = load_frames().regex["anaphor"].match(text, pos)
    return (found.group(1) or found.group(2) or found.group(3) or "", found.end()) if found else None


def during_noun(text: str, start: int, end: int) -> str | None:
    """The noun of the last ``大会期间``-like setting in ``text[start:end]``; "" for a bare ``同期…的``."""
    found = list(load_frames().regex["during"].finditer(text[:end + 1], start))
    if not found:
        return None
    last = found[-1]
    return last.group(1) or ""


def host_event(events: list, noun: str):
    """The event an anaphoric ``大会``/``峰会`` names: the first dated, self-standing event of the
    article whose name contains ``noun``, a summit first."""
    candidates = [e for e in events if e.year and e.part_of is None and noun in e.name]
    return next((e for e in candidates if e.kind == "summit"), candidates[0] if candidates else None)


def paragraph_host(ctx: Context, sentences: list[tuple[int, int]], i: int, events: list):
    """The article's summit, for an activity in a paragraph that refers to it as ``峰会``/``大会``
    (``本届峰会…``, ``峰会期间…``) in another of its sentences."""
    start, end = sentences[i]
    para_start = ctx.text.rfind("\n", 0, start) + 1
    para_end = ctx.text.find("\n", end - 1)
    para_end = len(ctx.text) if para_end < 0 else para_end
    for s, e in sentences:
        if para_start <= s and e <= para_end + 1 and (s, e) != (start, end):
            noun = summit_reference(ctx.text, s, e)
            host = anaphor_host(events, noun) if noun else None
            if host is not None and (host.kind == "summit" or host.name.endswith(_summit_nouns())):
                return host
    return None


# ---------------------------------------------------------------- places and anaphoric frames

def place_in(after: str, before: str, regions: frozenset[str], cities: frozenset[str]) -> str | None:
    """The place of ``在X举行`` after (or before) a name: regions dropped (浙江乌镇 → 乌镇), a venue
    after a city dropped (北京国家会议中心 → 北京), a known town after a city kept (嘉兴乌镇 → 乌镇)."""
    after = _ASIDE.sub("", after)
    regex = load_frames().regex
    for found in (regex["location-after"].match(after), regex["settled"].match(after),
                  regex["location-before"].search(before)):
        if found:
            return city_of(next(g for g in found.groups() if g), regions, cities)
    return None


def city_of(place: str, regions: frozenset[str], cities: frozenset[str]) -> str:
    capital = max((place.rfind(w) + len(w) for w in load_frames().words["capital"] if w in place), default=0)
    place = place[capital:] if len(place) - capital >= 2 else place  # 沙特阿拉伯首都利雅得 → 利雅得
    changed = True
    while changed:
        changed = False
        for region in sorted(regions, key=len, reverse=True):
            if place.startswith(region) and len(place) > len(region) + 1:
                place, changed = place[len(region):], True
    by_length = sorted(cities, key=len, reverse=True)
    city = next((c for c in by_length if place.startswith(c)), None)
    if city is None:
        return place
    # 嘉兴乌镇, 桐乡乌镇: a known town after its city is the place; a venue after it is not (北京国家会议中心)
    return next((c for c in by_length if place.startswith(c, len(city))), city)


def anaphor_host(events: list, noun: str):
    """The event a sentence-opening ``本届大会``/``峰会`` goes on about: the article's event whose name
    holds ``noun``, else its first dated summit or ``…大会``/``…峰会`` meeting (a summit is also 大会)."""
    big = [e for e in events if e.kind in ("summit", "meeting") and e.name.endswith(_summit_nouns())]
    return host_event(events, noun) or (host_event(big, "") if noun in _summit_nouns() else None)


def _summit_nouns() -> tuple[str, ...]:
    """``大会``, ``峰会``: the nouns that name the article's summit alone."""
    return load_frames().words["summit_nouns"]


def anaphor_frame(ctx: Context, start: int, end: int, year: int | None, regions, cities) -> dict:
    """Dates, place and theme a sentence ``text[start:end]`` (after its ``本届大会``) states:
    ``于11月7日开幕，为期三天``, ``15日至16日在香港举行``, ``主题为“…”``; dates of ``year``."""
    out: dict = {}
    frames = load_frames()
    for d in ctx.dates:
        if not (start <= d.start and d.end <= end) or len(d.value or "") < 7 or (year and d.year != year):
            continue
        verb = frames.regex["happen"].match(ctx.text, d.end, end)
        if verb is None or ctx.inside_title(d.start):
            continue
        if d.end_value:
            out.update(start_date=d.value, end_date=d.end_value)
        elif verb.group(1) in frames.words["end_verbs"]:
            out.setdefault("end_date", d.value)
        else:
            out.setdefault("start_date", d.value)
            days = duration_days(ctx.text[d.end:end])
            if days and "end_date" not in out and add_days(d.value, days - 1):
                out["end_date"] = add_days(d.value, days - 1)
        break
    place = frames.regex["place-in"].search(ctx.text, start, end)
    if place:
        out["location"] = city_of(place.group(1), regions, cities)
    theme = ctx.theme_in([(start, end)])
    if theme:
        out["theme"] = theme
    return out


def fill_from_anaphor(ctx: Context, events: list, start: int, end: int, regions, cities) -> None:
    """``本届大会于11月7日开幕，为期三天``/``峰会以“…”为主题``: what the sentence states about the
    article's event fills what its record lacks."""
    found = anaphor_at(ctx.text, start)
    host = anaphor_host(events, found[0]) if found else None
    if host is None:
        return
    frame = anaphor_frame(ctx, found[1], end, host.year, regions, cities)
    if host.start_date and frame.get("start_date") not in (None, host.start_date):
        frame.pop("end_date", None)  # another day's dates
    update = {k: v for k, v in frame.items() if getattr(host, k) is None}
    if update:
        events[events.index(host)] = host.model_copy(update=update)


_SHORT_NAME = 6  # a year-less name at least this long that ends a dated one's is that series


def merge_occurrences(events: list) -> list:
    """One record per occurrence; a year-less mention joins the one dated occurrence of its name
    (``联合国互联网治理论坛`` joins ``2018年联合国互联网治理论坛``), or of the one name it ends
    (``信息社会世界峰会`` joins ``2003年联合国信息社会世界峰会``)."""
    dated: dict[str, set[tuple[int, str]]] = {}
    for event in events:
        if event.year is not None:
            for name in {event.name, event.name.removeprefix(load_frames().year_name(event.year))}:
                dated.setdefault(name, set()).add((event.year, event.name))
    out = []
    for event in events:
        occurrences = sorted(dated.get(event.name, set()))
        if not occurrences and event.year is None and len(event.name) >= _SHORT_NAME:
            # 信息社会世界峰会 after 2003年联合国信息社会世界峰会: the same series, named shorter
            occurrences = sorted({o for name, found in dated.items() if name.endswith(event.name) for o in found})
        if event.year is None and occurrences and event.start_date is None:
            if len(occurrences) > 1:
                continue  # a generic mention of a series whose occurrences are recorded
            year, name = occurrences[0]
            event = event.model_copy(update={"year": year, "name": name})
        out.append(event)
    return merge_all(out)


def sub_forum_host(ctx: Context, nouns: frozenset[str], m, placed: list[tuple[int, object]]):
    """A ``…分论坛``/``…高峰论坛`` is held during the last dated ``…大会``/``…峰会`` named before it
    in its paragraph."""
    if m.series or not m.name.endswith(tuple(nouns)):
        return None
    para = ctx.text.rfind("\n", 0, m.start) + 1
    return next((e for p, e in reversed(placed) if para <= p and e.year and e.part_of is None
                 and e.kind in ("summit", "meeting") and e.name.endswith(_summit_nouns())), None)
