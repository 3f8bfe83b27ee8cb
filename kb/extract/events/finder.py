"""Events: named, dated happenings (GUIDELINES.md, "events").

:func:`find_events` reads three kinds of mention, all matched on characters
(a series name inside a longer segmenter token is still found):

- a known series from ``rules/events.yaml`` (``2024年世界互联网大会乌镇峰会``,
  ``第二届世界互联网大会``, ``今年的乌镇峰会``, ``世界人工智能大会``);
- a quoted name before an event noun (``“算力网络”专题论坛``) or a quoted
  name that ends in one (``“世界互联网大会领先科技奖”``);
- a bare name ending in an event noun (``数字丝路发展论坛``), bounded on the
  left by a stop word token (``举办``, ``在``, ``的``) or punctuation.

Attributes come from the sentence: the date of the clause (or of a leading
date-only clause, ``2023年11月，…``, or a date right after the name,
``…大会16日在乌镇开幕``), a range or ``持续至18日``/``至7月6日结束`` for
start/end, a closing verb for the end date, ``在X举行`` for the location,
``主题为“…”``/``以“…”为主题(的)`` for the theme, and a summit mentioned before
with ``期间``/``上``/``的`` — or a bare ``大会期间``/``与大会同期``, the
article's own event — for ``part_of``. A next sentence that opens with
``本届大会``/``本次峰会`` goes on about the event just named (theme, dates).
An activity in a paragraph that calls the summit ``峰会``/``大会``/``本届峰会`` in
another sentence is held during it. A bare name holding a ceremony word
(``开幕式暨主论坛``) is no event. A series marked ``current_by_default``
(WIC's regional summits) without a year is the article's year's occurrence.
A count (``20场分论坛``) is no name. An opening ceremony's day is not a start
date; its month is (an event that itself ``开幕`` begins then). A series mention
without a year that names an organisation (``世界互联网大会``) is no event.
Mentions of one occurrence are merged into one record; a series mention
without a year joins the dated occurrence of the same name when the article
has one (and is dropped when it has several); an edition without a year
takes it from the series' ``first_year``. A name that organises something else
(``由…论坛举办``) is no event; a press conference (``…峰会新闻发布会``) does not date
the event, the rest of its sentence does (``宣布峰会将于…在福州举办``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Doc

from kb.extract.candidates import rule_matches
from kb.extract.ranges import Sorted
from kb.normalise.dates import DateMention, year_of
from kb.extract.context import (PUNCT, Context, anaphor_at, anaphor_frame, anaphor_host, during_noun, fill_from_anaphor,
                                load_frames, merge_occurrences, paragraph_host, place_in, sub_forum_host)
from kb.extract.events.rules import EventRules, NounRule, SeriesRule, load_event_rules
from kb.records.models import Event, Provenance
from kb.normalise.number_parse import parse_number

_QUOTED_SUFFIX = re.compile(r"“([^“”]{1,30})”([\u4e00-\u9fff]{0,8}?)$")
# Kinds of a yearly gathering, named with the year in front (2024年联合国互联网治理论坛);
# a dialogue or an award keeps the series' name.
_GATHERINGS = ("summit", "meeting", "forum", "expo")  # the first two: an article's main gathering
# Only directly before a series name: elsewhere four digits are no year.
_BARE_YEAR = re.compile(r"(?<![\d.])(?:19|20)\d\d$")
_LEADING_YEAR = re.compile(r"(?:19|20)\d\d(?=\D)")


@dataclass
class _Mention:
    start: int
    end: int
    rule: str
    kind: str
    name: str
    series: SeriesRule | None = None
    alias: str = ""  # the series form matched
    fields: dict = field(default_factory=dict)


def event_mentions(doc: Doc, ctx: Context | None = None) -> list[_Mention]:
    """Every event mention of ``doc``, sentence by sentence, in text order: what the rule
    matcher (``kb_rules``) writes as EVENT spans. ``ctx``: the doc's context, when the
    caller has its titles and dates before ``doc.spans["rules"]`` holds them."""
    rules, ctx = load_event_rules(), ctx or Context.of(doc)
    return [m for start, end in ctx.sentences() for m in _mentions(doc, ctx, rules, start, end)]


def find_events(doc: Doc) -> list[Event]:
    """Every event occurrence of ``doc``, one record each, in order of first mention: the
    EVENT spans of the rule matcher (:func:`event_mentions`), resolved sentence by sentence."""
    rules = load_event_rules()
    ctx = Context.of(doc)
    events: list[Event] = []
    sentences = ctx.sentences()
    found = Sorted(m.value for m in rule_matches(doc, "EVENT"))
    placed: list[tuple[int, Event]] = []  # where each event was found
    for i, (start, end) in enumerate(sentences):
        fill_from_anaphor(ctx, events, start, end, rules.words["regions"], rules.words["cities"])
        summit: Event | None = None
        mentions = found.starting_in(start, end)
        follow = _follow_up(ctx, sentences, i)
        for j, mention in enumerate(mentions):
            spans = [(mention.end, mentions[j + 1].start if j + 1 < len(mentions) else end)]
            if follow and follow[0] in ctx.text[mention.start:mention.end]:
                spans.append(follow[1])
                follow = None
            host = summit or _host(ctx, start, mention.start, events) or (
                None if mention.series else paragraph_host(ctx, sentences, i, events)
                or sub_forum_host(ctx, rules.words["sub_forum"], mention, placed))
            event = _resolve(mention, ctx, rules, host, spans)
            if event is None:
                continue
            if event.kind == "summit" and _is_during(ctx.text, mention.end, rules):
                summit = event
            events.append(event)
            placed.append((mention.start, event))
    return _own_theme(ctx, merge_occurrences(_join_parents(events, rules)), [s for s, _ in placed])


def _own_theme(ctx: Context, events: list[Event], named_at: list[int]) -> list[Event]:
    """A theme stated in a sentence naming no event (…嘉宾齐聚乌镇，围绕“…”主题…) is the theme of
    the article's one summit or meeting, when it has exactly one and that one has none."""
    summits = [e for e in events if e.kind in _GATHERINGS[:2] and not e.part_of]
    if len(summits) != 1 or summits[0].theme:
        return events
    for start, end in ctx.sentences():
        if not any(start <= at < end for at in named_at) and (theme := ctx.theme_in([(start, end)])):
            own = summits[0].model_copy(update={"theme": theme})
            return [own if e is summits[0] else e for e in events]
    return events


def _follow_up(ctx: Context, sentences: list[tuple[int, int]], i: int) -> tuple[str, tuple[int, int]] | None:
    """The next sentence when it goes on about an event of this one (``本届大会以…为主题``)."""
    if i + 1 >= len(sentences):
        return None
    start, end = sentences[i + 1]
    found = anaphor_at(ctx.text, start)
    return (found[0], (found[1], end)) if found else None


def _host(ctx: Context, start: int, pos: int, events: list[Event]) -> Event | None:
    """The article's event an activity is held during (``大会期间``, ``与大会同期举办的``)."""
    noun = during_noun(ctx.text, start, pos)
    return None if noun is None else anaphor_host(events, noun)


# ---------------------------------------------------------------- mentions


def _mentions(doc: Doc, ctx: Context, rules: EventRules, start: int, end: int) -> list[_Mention]:
    series = [*_series_mentions(ctx, rules, start, end), *_pattern_mentions(ctx, rules, start, end),
              *_listed_activities(ctx, rules, start, end)]
    # "依托世界互联网大会" is the series with a verb before it: the series decides.
    ends = {m.end for m in series}
    found = [*series, *(m for m in _noun_mentions(doc, ctx, rules, start, end) if m.end not in ends)]
    kept: list[_Mention] = []
    for m in sorted(found, key=lambda m: (-(m.end - m.start), m.series is None, m.start)):
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    # 联合国互联网治理论坛(IGF): an alias in parentheses after the name is no second mention
    ends = {k.end for k in kept}
    return sorted((k for k in kept if not (ctx.text[k.start - 1:k.start] in "(（" and k.start - 1 in ends
                                           and ctx.text[k.end:k.end + 1] in ")）") and not _organiser(ctx, k)),
                  key=lambda m: m.start)


def _organiser(ctx: Context, m: _Mention) -> bool:
    """``由中国互联网治理论坛举办``: the name is the organiser of something else, no event."""
    regex = load_frames().regex
    return bool(regex["organiser-before"].search(ctx.text[ctx.clause_start(m.start):m.start])
                and regex["organiser-after"].match(ctx.clause_rest(m.end)))


def _series_mentions(ctx: Context, rules: EventRules, start: int, end: int) -> list[_Mention]:
    out = []
    for series in rules.series:
        for occurrence in series.occurrences:
            for form in occurrence.aliases:
                out.extend(_Mention(m.start(), m.end(), f"events.series:{series.id}", series.kind, series.name,
                                    series, form, {"year": occurrence.year})
                           for m in _form_regex(form).finditer(ctx.text, start, end))
        for form in sorted({series.name, *series.aliases}, key=len, reverse=True):
            for m in _form_regex(form).finditer(ctx.text, start, end):
                if ctx.inside_title(m.start()) or _followed_by(ctx.text, m.end(), rules.words["not_after"]):
                    continue
                out.append(_Mention(m.start(), m.end(), f"events.series:{series.id}", series.kind,
                                    series.name, series, form))
    return out


def _pattern_mentions(ctx: Context, rules: EventRules, start: int, end: int) -> list[_Mention]:
    out = []
    for rule in rules.patterns:
        for m in re.compile(rule.pattern).finditer(ctx.text, start, end):
            edition = m.groupdict().get("edition")
            number = parse_number(edition) if edition else None
            fields = {"edition": int(number) if number else None, "standalone": True}
            fields["year"] = rule.year_of_edition(fields["edition"])  # 党的十九大: 2017
            name = rule.name.format(**m.groupdict()) if rule.name else m.group()
            out.append(_Mention(m.start(), m.end(), f"events.pattern:{rule.id}", rule.kind, name, fields=fields))
    return out


_QUOTED_NAME = re.compile(r"“[^“”\n]{2,20}”")


def _listed_activities(ctx: Context, rules: EventRules, start: int, end: int) -> list[_Mention]:
    """``“A”“B”等交流活动``: quoted names listed before an activity noun name activities of its kind."""
    out = []
    for run in load_frames().regex["quoted-run"].finditer(ctx.text, start, end):
        noun = next((a for a in rules.activities if ctx.text.startswith(a.noun, run.end())), None)
        if noun is None:
            continue
        out.extend(_Mention(m.start(), m.end(), f"events.activity:{noun.id}", noun.kind, m.group())
                   for m in _QUOTED_NAME.finditer(ctx.text, run.start(), run.end(1)))
    return out


@lru_cache(maxsize=None)
def _form_regex(form: str) -> re.Pattern[str]:
    """``form`` with its quotes optional: “互联网之光”博览会 matches 互联网之光博览会."""
    bare = form.replace("“", "").replace("”", "")
    body = "[“”\"]?".join(re.escape(c) for c in bare)
    return re.compile(rf"[“\"]?{body}[”\"]?" if form.startswith("“") else rf"(?<![“\"]){body}|(?<=“){body}(?=”)")


def _followed_by(text: str, pos: int, words: frozenset[str]) -> bool:
    return text.startswith(tuple(words), pos)


def _noun_mentions(doc: Doc, ctx: Context, rules: EventRules, start: int, end: int) -> list[_Mention]:
    out = []
    taken: set[int] = set()
    for noun in rules.nouns:
        for m in re.finditer(re.escape(noun.noun), ctx.text[start:end]):
            n_start, n_end = start + m.start(), start + m.end()
            if n_end in taken or _followed_by(ctx.text, n_end, rules.words["not_after"] | set(noun.not_followed_by)):
                continue
            if noun.not_preceded_by and ctx.text.endswith(tuple(noun.not_preceded_by), 0, n_start):
                continue
            mention = _quoted_name(ctx, noun, n_start, n_end) or (
                _bare_name(doc, ctx, rules, noun, n_start, n_end) if noun.bare else None)
            if mention and not ctx.inside_title(mention.start):
                taken.add(n_end)
                out.append(mention)
    return out


def _quoted_name(ctx: Context, noun: NounRule, n_start: int, n_end: int) -> _Mention | None:
    """``“Q”modifier+noun`` (quotes kept) or ``“…noun”`` (quotes dropped)."""
    text, rules = ctx.text, load_event_rules()
    if text.startswith("”", n_end):
        if _followed_by(text, n_end + 1, rules.words["not_after"]):
            return None  # “云上峰会”平台: the name of something else
        open_at = text.rfind("“", max(0, n_start - 40), n_start)
        if open_at >= 0 and "”" not in text[open_at:n_start] and n_end - open_at - 1 > len(noun.noun) + 1:
            return _Mention(open_at + 1, n_end, f"events.quoted:{noun.id}", noun.kind, text[open_at + 1:n_end])
    m = _QUOTED_SUFFIX.search(text, max(0, n_start - 50), n_start)
    # “穿越乌镇”以创新创业大赛: a modifier that opens with a stop word (以, 在) is no part of the name
    if m and not any(c in PUNCT for c in m.group(2)) and not m.group(2).startswith(tuple(rules.words["stop"])):
        return _Mention(m.start(), n_end, f"events.quoted-suffix:{noun.id}", noun.kind, text[m.start():n_end])
    return None


def _joins_places(text: str, token: str, pos: int, rules: EventRules) -> bool:
    """``token`` is the 、 between two places (香港、澳门)."""
    places = (*rules.words["regions"], *rules.words["cities"])
    return token == "、" and text.endswith(places, 0, pos) and text.startswith(places, pos + 1)


def _bare_name(doc: Doc, ctx: Context, rules: EventRules, noun: NounRule, n_start: int, n_end: int) -> _Mention | None:
    """Walk left over tokens from the noun to a stop word, punctuation or a date."""
    span = doc.char_span(n_start, n_end, alignment_mode="expand")
    if span is None or ctx.text.endswith(tuple(rules.words["joiners"]), 0, n_start):
        return None  # …成果发布和博览会: the noun shares the name before 和, no name of its own
    left = n_start
    for token in reversed(doc[: span.start + 1]):
        t_start = token.idx
        if t_start >= n_start:
            continue
        if _joins_places(ctx.text, token.text, t_start, rules):
            continue  # 海峡两岸暨香港、澳门…论坛: a list of places inside the name
        if token.text in rules.words["stop"] or any(c in PUNCT for c in token.text) or ctx.date_at(t_start, t_start + len(token.text)):
            break
        left = t_start
    left = next((e.end for e in ctx.editions if left <= e.start and e.end < n_start), left)  # 首届巴黎和平论坛
    modifier = ctx.text[left:n_start]
    count = load_frames().regex["count"]  # 20场分论坛: a count is no name
    if len(modifier) < 4 or any(modifier.startswith(g) for g in rules.words["generic"]) or count.match(modifier):
        return None
    if any(w in modifier for w in rules.words["ceremony"]):
        return None  # 开幕式暨主论坛: a part of the event named before, no event of its own
    year = _LEADING_YEAR.match(modifier) if noun.named_by_year else None
    return _Mention(left, n_end, f"events.bare:{noun.id}", noun.kind, ctx.text[left:n_end],
                    fields={"named_by_year": noun.named_by_year, "year": int(year.group()) if year else None})


# ---------------------------------------------------------------- attributes


def _resolve(m: _Mention, ctx: Context, rules: EventRules, summit: Event | None,
             spans: list[tuple[int, int]]) -> Event | None:
    own_year, edition, own_date = _own_time(m, ctx)
    edition = edition or m.fields.get("edition") or _first_time(ctx, m)
    own_year = own_year or m.fields.get("year")
    series = m.series
    if series and edition and own_year is None:
        own_year = series.year_of_edition(edition)
    reach = 1 if series and series.year_needed else 99
    press = bool(load_frames().regex["press-after"].match(ctx.clause_rest(m.end)))
    clause_date = None if press else (
        ctx.date_right_after(m.end) or ctx.clause_date(m.start, exclude=own_date, reach=reach))
    if clause_date and own_year and clause_date.year != own_year:
        clause_date = None
    dated_clause = clause_date is not None and not clause_date.since
    if series and series.year_needed and own_year is None:
        if m.alias not in series.occurrence_aliases or not dated_clause:
            return None
    year = own_year or (clause_date.year if dated_clause else None)
    if year is None and series and series.current_by_default:
        year = _article_year(ctx)
    part_of = None
    if (series is None or series.part_of) and not m.fields.get("standalone"):
        if summit is not None and (year is None or year == summit.year) and series is None:
            part_of, year = summit.name, summit.year
        elif series and series.part_of and (year or summit):
            year = year or summit.year
            part_of = rules.series_by_id(series.part_of).name_of(year)
    name, kind = _name_and_kind(m, series, year, own_year, own_date, edition)
    if m.fields.get("named_by_year") and year and part_of is None:
        # 世界5G大会 in a 2019 clause, or 2019世界5G大会: 2019年世界5G大会
        frames = load_frames()
        name = frames.year_name(year, name.removeprefix(str(year)).removeprefix(frames.year_unit))
    quote_start = _prefix_start(m, ctx, own_date)
    start_date, end_date = _timing(m, ctx, rules, clause_date)
    framed_start, framed_end = ctx.framed_dates(spans, year)
    theme = ctx.theme_before(quote_start) or ctx.theme_in(spans)
    location = None if press else _location(m, ctx, rules)
    if press:  # …峰会新闻发布会召开，宣布峰会将于4月25日至26日在福州举办
        stated = _announced(ctx, rules, m.end, year)
        start_date, end_date = stated.get("start_date"), stated.get("end_date")
        home = m.series.home if m.series else None
        location = stated.get("location") or (home if home and home in ctx.text else None)
    return Event(
        name=name, kind=kind, year=year, edition=edition, start_date=start_date or framed_start,
        end_date=end_date or framed_end, location=location, theme=theme, part_of=part_of,
        evidence=ctx.clause_text(m.start, m.end),
        provenance=[Provenance(**ctx.provenance(quote_start, m.end, m.rule))],
    )


def _first_time(ctx: Context, m: _Mention) -> int | None:
    """1 for an award or programme given for the first time (``首次颁发…``, ``全新设立“…”``)."""
    before = ctx.text[max(0, m.start - 8):m.start].removesuffix("“")
    return 1 if load_frames().regex["first-time"].search(before) else None


def _announced(ctx: Context, rules: EventRules, pos: int, year: int | None) -> dict:
    """What the rest of the sentence after a press conference states about the event it
    announces (``宣布峰会将于4月25日至26日在福州举办``): dates and place."""
    end = ctx.sentence_end(pos)
    found = load_frames().regex["anaphor"].search(ctx.text, pos, end)
    if found is None:
        return {}
    return anaphor_frame(ctx, found.end(), end, year, rules.words["regions"], rules.words["cities"])


def _article_year(ctx: Context) -> int | None:
    return year_of(getattr(ctx.doc._.article, "date", None))


def _prefix_start(m: _Mention, ctx: Context, own_date: DateMention | None) -> int:
    """Where the mention starts with its year and edition (``2025年``, ``首届``)."""
    start = own_date.start if own_date else m.start
    return next((e.start for e in ctx.editions if e.end == start), start)


def _own_time(m: _Mention, ctx: Context) -> tuple[int | None, int | None, DateMention | None]:
    """Year and edition written right before the mention (``2024年``, ``今年的``, ``首届``)."""
    pos = m.start - 1 if ctx.text[m.start - 1:m.start] == load_frames().possessive else m.start
    date = ctx.date_ending_at(pos) or (_bare_year(ctx.text, m.start) if m.series else None)
    if date and date.end_value is None and not date.since and len(date.value or "") == 4:
        return date.year, ctx.edition_ending_at(date.start), date
    return None, ctx.edition_ending_at(m.start), None


def _bare_year(text: str, pos: int) -> DateMention | None:
    """A year written without its unit right before a series name (``2019世界人工智能大会``)."""
    found = _BARE_YEAR.search(text, max(0, pos - 5), pos)
    return DateMention(found.start(), pos, found.group(), found.group()) if found else None


def _name_and_kind(m: _Mention, series, year, own_year, own_date, edition) -> tuple[str, str]:
    if series is None:
        return m.name, m.kind
    occurrence = series.occurrence(year)
    kind = occurrence.kind if occurrence and occurrence.kind else series.kind
    if series.naming or (occurrence and occurrence.name):
        return series.name_of(year), kind
    year_name = load_frames().year_name
    if own_year and own_date and not own_date.relative and own_date.end == m.start:
        return year_name(own_year, series.name), kind
    if own_year and edition and series.first_year:  # 第十三届… → its year from the series data
        return year_name(own_year, series.name), kind
    if year and not own_year and not series.part_of and kind in _GATHERINGS:  # dated by its clause
        return year_name(year, series.name), kind
    return series.name, kind


def _timing(m: _Mention, ctx: Context, rules: EventRules, date: DateMention | None) -> tuple[str | None, str | None]:
    if date is None or date.value is None:
        return None, None
    if date.since or date.end_value:  # 2016年起 (no end: a since-date has none) or a range
        return date.value, date.end_value
    after = ctx.clause_rest(m.end)
    of = load_frames().possessive
    before = ctx.text[ctx.clause_start(m.start):m.start].removesuffix(of)
    if any(w in after for w in rules.words["closing"]):
        return None, date.value if len(date.value) >= 7 else None
    if len(date.value) < 7:
        return None, None
    if any(after.startswith(w) or after.startswith(of + w) for w in rules.words["opening"]):
        return (date.value, None) if len(date.value) == 7 else (None, None)
    happen = tuple(rules.words["happen"])  # 26日，举行…论坛: a clause opening with the verb, ending with the name
    happens = any(w in after for w in happen) or before.endswith(happen) or (
        not after.strip() and before.lstrip().startswith(happen))
    # 10日，在…论坛上: a one-day activity took place (a series' occurrence lasts days: its month only)
    regex = load_frames().regex
    held = bool(regex["held-during"].match(after)) or (
        (m.series is None or len(date.value) == 7) and bool(regex["held-on"].match(after))
        and bool(regex["held-at"].search(before)))
    return (date.value, None) if happens or held else (None, None)


def _location(m: _Mention, ctx: Context, rules: EventRules) -> str | None:
    date = ctx.date_right_after(m.end)  # …大会7月12日在北京举行
    after = ctx.text[date.end if date else m.end:ctx.clause_end(m.end)]
    found = place_in(after, ctx.text[ctx.clause_start(m.start):m.start], rules.words["regions"], rules.words["cities"])
    if found is None and m.series:
        found = next((w for w in m.series.place_words if w in ctx.text[m.start:m.end]), None)
    if found is None and m.series and m.series.home and m.series.home in ctx.text:
        found = m.series.home  # held at its permanent seat, which the article names
    return found


def _is_during(text: str, pos: int, rules: EventRules) -> bool:
    """A summit mention followed by 期间/上/的 or directly by another name."""
    return any(text.startswith(w, pos) for w in rules.words["during"]) or text[pos:pos + 1] in ("“", "")


# ---------------------------------------------------------------- merging


def _join_parents(events: list[Event], rules: EventRules) -> list[Event]:
    """A year-less activity held during a series (the expo of the summit) is the one of the
    article's only dated occurrence of that series."""
    out = []
    for event in events:
        series = next((s for s in rules.series if s.name == event.name and s.part_of), None)
        if series and event.year is None and event.start_date is None:
            parent = rules.series_by_id(series.part_of)
            years = {e.year for e in events if e.year and e.name == parent.name_of(e.year)}
            if len(years) == 1:
                year = years.pop()
                event = event.model_copy(update={"year": year, "part_of": parent.name_of(year)})
        out.append(event)
    return out
