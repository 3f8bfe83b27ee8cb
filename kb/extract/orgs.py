"""Organisations: known names, name shapes, source notes and the article's outlet.

Four rule kinds from ``rules/organizations.yaml`` propose *mentions* (clean
character spans with a canonical name and the rule id):

- ``gazetteer``: known organisations and their aliases, matched on characters
  (a name inside a longer segmenter token is still found);
- ``markers``: regexes whose group ``name`` is an organisation (``（来源：光明网）``,
  a dateline agency, a periodical in 《》);
- ``heads``: a head word (…研究院, …委员会) extended left over name-like tokens
  until a stop (verb, function word, punctuation, number) or an anchor (a known
  organisation, a prefix such as 中国/国际, a place such as 浙江省);
- the article's outlet (front matter ``source:`` or the dateline agency);
- a country's organ (法国政府) and short forms the article introduces
  (``（以下简称“X”）``): :mod:`kb.extract.org_forms`.

A one-character organ head (局, 署, 办) followed by its own head's title
(``…局局长``, section ``organ_titles``) names an organ even without a place or
prefix (创新科技及工业局局长孙东); a known company followed by 公司/集团 is that
company (腾讯公司 → 腾讯); a name ending in a venue word (会展中心, 展览馆) or a
…中心 a city is made into or where something is held is a place, no organisation.

Two rule kinds add to the records: ``outlet_forms`` find the outlet's own
name forms in the *original* text, noise lines included (a masthead
``《中国信息安全》杂志`` gives the alias 中国信息安全杂志), and founding frames
(:mod:`kb.extract.founding`) give ``founded``.

Overlapping mentions are resolved longest first (ties: marker, gazetteer,
head), so 中国社会科学院 inside 中国社会科学院世界经济与政治研究所 is not an
organisation of its own. Countries, regions and events are never organisations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import field_validator
from spacy.tokens import Doc

from kb.clean.script import simplified, to_simplified
from kb.extract.founding import Founding, find_foundings, founding_rules
from kb.extract.org_forms import (
    alias_spans, country_organ_spans, form_rules, introduced_aliases, is_venue, organ_title_after,
)
from kb.nlp import TokenIndex, provenance, text_of, token_index
from kb.records import Organization, Provenance, merge_all
from kb.rules import Regex, Rule, WordList, alternation, load_section, load_words, rule_path

OrgType = Literal[
    "international", "government", "research", "university", "association", "committee", "media", "company", "other",
]
HAN = r"\u4e00-\u9fff"
_HAN_RUN = re.compile(rf"^[{HAN}]+$")
_NAME_TOKEN = re.compile(rf"^[{HAN}A-Za-z]+$")
_PLACE = re.compile(rf"^[{HAN}]{{1,5}}(?:省|市|县|自治区|自治州|特别行政区)$")
# A series name (世界互联网大会) preceded by these is the event, not the organisation.
_EDITION_BEFORE = re.compile(r"(?:\d{4}年|首届|第[一二三四五六七八九十百\d]+届|本届|历届|每届|今年的?|去年的?|明年的?)\s*$")
_SOURCE_LINE = re.compile(r"(?m)^source:\s*[\"']?(?P<name>[^\"'\n]+?)[\"']?\s*$")
MAX_TOKENS_UNANCHORED = 3
MAX_TOKENS_ANCHORED = 7


class GazetteerEntry(Rule):
    name: str
    aliases: list[str] = []
    type: OrgType = "other"
    series: bool = False
    marked: bool = False


class Marker(Rule):
    pattern: Regex
    suffix: str | None = None

    @field_validator("pattern")
    @classmethod
    def _has_name_group(cls, value: str) -> str:
        if "(?P<name>" not in value:
            raise ValueError("pattern needs a group (?P<name>...)")
        return value


class OutletForm(Rule):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _has_name_and_suffix(cls, value: str) -> str:
        if "{name}" not in value or "(?P<suffix>" not in value:
            raise ValueError("pattern needs {name} and a group (?P<suffix>...)")
        try:
            re.compile(value.replace("{name}", "名"))
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from None
        return value


class HeadRule(WordList):
    anchored: bool = False


@dataclass(frozen=True)
class Mention:
    """An organisation mention in the clean text: ``[start, end)``, as written and canonical."""

    start: int
    end: int
    name: str
    surface: str
    rule: str
    rank: int = 1  # tie-break among equally long mentions: marker 0, gazetteer 1, head 2


@dataclass(frozen=True)
class OrgRules:
    entries: dict[str, GazetteerEntry]  # every name and alias → its entry
    gazetteer: re.Pattern[str]
    markers: tuple[tuple[Marker, re.Pattern[str]], ...]
    heads: re.Pattern[str]
    head_rules: dict[str, HeadRule]  # head word → rule
    words: dict[str, frozenset[str]]  # section → words (prefixes, stops, ...)
    outlet_forms: tuple[OutletForm, ...]


def _words(path, section: str) -> frozenset[str]:
    return frozenset(load_words(path, section))


@lru_cache(maxsize=None)
def org_rules() -> OrgRules:
    """``rules/organizations.yaml``, validated and compiled once."""
    path = rule_path("organizations")
    entries: dict[str, GazetteerEntry] = {}
    for entry in load_section(path, "gazetteer", GazetteerEntry):
        for name in (entry.name, *entry.aliases):
            entries.setdefault(name, entry)
    heads = load_section(path, "heads", HeadRule)
    head_rules = {w: rule for rule in heads for w in rule.words}
    sections = ("prefixes", "stops", "generic", "conjunctions", "event_words", "not_organizations", "venues",
                "organ_titles", "company_suffixes")
    founding_rules()  # the founding sections are validated with the rest of the file
    not_orgs = _words(path, "not_organizations") | form_rules().countries  # a country is no organisation
    return OrgRules(
        entries=entries,
        gazetteer=re.compile(alternation(entries)),
        markers=tuple((m, re.compile(m.pattern)) for m in load_section(path, "markers", Marker)),
        heads=re.compile(alternation(head_rules)),
        head_rules=head_rules,
        words={**{s: _words(path, s) for s in sections}, "not_organizations": not_orgs},
        outlet_forms=tuple(load_section(path, "outlet_forms", OutletForm)),
    )


def canonical(name: str) -> str:
    """The gazetteer's canonical name for ``name``, else ``name`` itself."""
    entry = org_rules().entries.get(name)
    return entry.name if entry else name


# ---------------------------------------------------------------- mentions


def gazetteer_mentions(text: str) -> list[Mention]:
    rules = org_rules()
    out = []
    for m in rules.gazetteer.finditer(text):
        entry = rules.entries[m.group()]
        if entry.marked and not _in_title_marks(text, m.start(), m.end()):
            continue
        if entry.series and _is_event_mention(text, m.start(), m.end()):
            continue
        end = m.end() + _company_suffix(text, m.end()) if entry.type == "company" else m.end()
        out.append(Mention(m.start(), end, entry.name, text[m.start():end], entry.id, rank=1))
    return out


def _company_suffix(text: str, end: int) -> int:
    """Length of a company suffix right after a company's name (腾讯|公司, 京东|集团): the
    same company, written as a longer alias."""
    found = [w for w in org_rules().words["company_suffixes"] if text.startswith(w, end)]
    return max(map(len, found), default=0)


def _in_title_marks(text: str, start: int, end: int) -> bool:
    return text[start - 1:start] == "《" and text[end:end + 1] == "》"


def _is_event_mention(text: str, start: int, end: int) -> bool:
    """2014年世界互联网大会, 世界互联网大会乌镇峰会, 世界互联网大会领先科技奖: the event, not the body."""
    if _EDITION_BEFORE.search(text[max(0, start - 6):start]):
        return True
    after = re.match(rf"[{HAN}“”\"]{{0,10}}", text[end:]).group()
    return any(word in after[: 8 + len(word)] for word in org_rules().words["event_words"])


def marker_mentions(text: str) -> list[Mention]:
    out = []
    for marker, pattern in org_rules().markers:
        for m in pattern.finditer(text):
            name = m.group("name")
            if name in org_rules().words["not_organizations"]:
                continue
            if marker.suffix:  # 《中国信息安全》杂志: the alias is 中国信息安全杂志
                surface = name + m.group(marker.suffix)
                start, end = m.span()
            else:
                surface, (start, end) = name, m.span("name")
            official = canonical(surface) if surface in org_rules().entries else canonical(name)
            out.append(Mention(start, end, official, surface, marker.id, rank=0))
    return out


def resolve(mentions: list[Mention]) -> list[Mention]:
    """Non-overlapping mentions, longest first; in text order."""
    taken: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start - m.end, m.rank, m.start)):
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def org_mentions(doc: Doc) -> list[Mention]:
    """Every organisation mention in ``doc``, resolved (no overlaps), in text order;
    short forms the article introduces (``（以下简称“X”）``) count wherever they occur."""
    text = text_of(doc)
    organs = [Mention(s, e, text[s:e], text[s:e], rule, rank=0) for s, e, rule in country_organ_spans(text)]
    known = gazetteer_mentions(text) + marker_mentions(text) + organs
    not_orgs = org_rules().words["not_organizations"]
    found = [m for m in known + head_mentions(doc, known) if m.surface not in not_orgs]
    aliases = introduced_aliases(text, resolve(found), lambda a: a not in not_orgs and a not in org_rules().entries)
    found += [Mention(s, e, name, surface, rule, rank=1) for s, e, name, surface, rule in alias_spans(text, aliases)]
    return resolve(found)


# ---------------------------------------------------------------- name shapes


def head_mentions(doc: Doc, known: list[Mention]) -> list[Mention]:
    """Names ending in a head word (…研究所, …委员会), extended left (:func:`extend_left`)."""
    rules, tokens, text = org_rules(), token_index(doc), text_of(doc)
    known_by_end = {m.end: m for m in sorted(known, key=lambda m: m.start - m.end, reverse=True)}
    out = []
    for m in rules.heads.finditer(text):
        head_token = tokens.by_char.get(m.end() - 1)
        if head_token is None or head_token.idx + len(head_token.text) != m.end():
            continue  # the head must end a token: 公司法 is not …公司
        if head_token.text != m.group() and head_token.text in rules.words["not_organizations"]:
            continue  # 签署 is not …署
        titled = organ_title_after(text, m.group(), m.end(), rules.words["organ_titles"])
        if len(m.group()) == 1 and len(head_token.text) < 3 and not titled:
            continue  # 签署, 内部: a one-character head needs a word of three characters (外交部)
        if any(k.start <= m.start() and k.end >= m.end() for k in known):
            continue  # a known name (国际电信联盟) already covers this head
        rule = rules.head_rules[m.group()]
        used = 1 if head_token.idx < m.start() else 0
        start = extend_left(tokens, known_by_end, head_token.idx, used, rule.anchored and not titled, titled)
        if start is None or not _is_name(text[start:m.start()], tokens, start, m.start()):
            continue
        surface = text[start:m.end()]
        if is_venue(text, start, m.end(), rules.words["venues"]):
            continue
        out.append(Mention(start, m.end(), canonical(surface), surface, rule.id, rank=2))
    return out


def extend_left(tokens: TokenIndex, known_by_end: dict[int, Mention], pos: int, used: int, needs_anchor: bool,
                titled: bool = False) -> int | None:
    """Start of the name whose last token starts at ``pos``, or None when no sound start is found.

    Extends over name-like tokens; a known organisation, a prefix (中国, 国际)
    or a place (浙江省) anchors the name, after which only further anchors are
    taken. A conjunction (与, 和) stays inside only if an anchor follows, or
    when the organ's own head title follows (``titled``: 创新科技及工业局局长),
    which also allows a longer name without an anchor.
    """
    words = org_rules().words
    anchored, cut = False, None
    while True:
        if pos in known_by_end:
            return known_by_end[pos].start
        token = tokens.by_end.get(pos)
        word = token.text if token is not None else ""
        is_anchor = word in words["prefixes"] or bool(_PLACE.match(word))
        if anchored and not is_anchor:
            break
        if word in words["conjunctions"] and used:
            cut = cut if cut is not None else pos
        elif not _NAME_TOKEN.match(word) or word in words["stops"] or used >= MAX_TOKENS_ANCHORED:
            break
        anchored = anchored or is_anchor
        pos, used = token.idx, used + 1
    if not anchored and (needs_anchor or used > (MAX_TOKENS_ANCHORED if titled else MAX_TOKENS_UNANCHORED)):
        return None
    return pos if anchored or titled or cut is None else cut


def _is_name(body: str, tokens: TokenIndex, start: int, end: int) -> bool:
    """The part before the head makes a name: not empty, not only generic modifiers (科技公司)."""
    if not body or body.endswith(tuple(org_rules().words["conjunctions"])):
        return False
    words, parts, pos = org_rules().words, [], start
    while pos < end and (token := tokens.by_char.get(pos)) is not None:
        parts.append(token.text)
        pos = token.idx + len(token.text)
    return not all(p in words["generic"] or p in words["stops"] for p in parts)


# ---------------------------------------------------------------- records


def find_organizations(doc: Doc) -> list[Organization]:
    """One :class:`Organization` per organisation of the article, every mention's provenance."""
    mentions = org_mentions(doc)
    records = [_record(doc, m) for m in mentions]
    outlet = outlet_record(doc)
    if outlet is not None:
        records.append(outlet)
    records = merge_all(records)
    records = merge_all([*records, *masthead_records(doc, records)])
    return with_founding(records, find_foundings(doc, mentions))


def with_founding(records: list[Organization], foundings: list[Founding]) -> list[Organization]:
    """``founded`` from the first founding statement (a later, more precise one that agrees wins)."""
    best: dict[str, Founding] = {}
    for f in foundings:
        known = best.get(f.name)
        if known is None or (f.date.startswith(known.date) and len(f.date) > len(known.date)):
            best[f.name] = f
    out = []
    for record in records:
        f = best.get(record.name)
        if f is not None and record.founded is None:
            record = record.model_copy(update={"founded": f.date, "provenance": [*record.provenance, f.provenance]})
        out.append(record)
    return out


def _record(doc: Doc, m: Mention) -> Organization:
    aliases = [m.surface] if m.surface != m.name else []
    return Organization(name=m.name, aliases=aliases, provenance=[Provenance(**provenance(doc, m.start, m.end, m.rule))])


def outlet_record(doc: Doc) -> Organization | None:
    """The publishing outlet (``doc._.article.source``), quoted from the front matter or the text."""
    article = doc._.article
    source = (getattr(article, "source", None) or "").strip()
    if not source or source in org_rules().words["not_organizations"]:
        return None
    name = canonical(source)
    aliases = [source] if source != name else []
    front = _SOURCE_LINE.search(article.text, 0, article.body_start)
    if front and front.group("name").strip() == source:
        s, e = front.span("name")
        where = Provenance(doc=article.id, start=s, end=e, quote=article.text[s:e], rule="outlet-front-matter")
    elif (at := text_of(doc).find(source)) >= 0:
        where = Provenance(**provenance(doc, at, at + len(source), "outlet-source"))
    else:
        return Organization(name=name, aliases=aliases, evidence=source)
    return Organization(name=name, aliases=aliases, provenance=[where])


def masthead_records(doc: Doc, records: list[Organization]) -> list[Organization]:
    """Aliases of the outlet (the ``source:`` outlet, a known media organisation) from
    its name forms in the original text (``outlet_forms``), masthead lines included."""
    article = doc._.article
    rules = org_rules()
    original = to_simplified(article.text)
    out = []
    for record in records:
        names = _outlet_names(record, (getattr(article, "source", None) or "").strip())
        known = {(p.start, p.end) for p in record.provenance}
        for form in rules.outlet_forms if names else ():
            for m in re.finditer(form.pattern.replace("{name}", f"(?P<name>{alternation(names)})"), original.text):
                alias = m.group("name") + m.group("suffix")
                start, end = original.span(*m.span())
                if (start, end) in known or not _is_alias_of(alias, record.name):
                    continue
                where = Provenance(doc=article.id, start=start, end=end, quote=article.text[start:end], rule=form.id)
                out.append(Organization(name=record.name, aliases=[alias], provenance=[where]))
    return out


def _is_alias_of(alias: str, name: str) -> bool:
    """Not the name itself, not an event or place, not another known organisation."""
    rules = org_rules()
    if alias == name or alias in rules.words["not_organizations"]:
        return False
    return alias not in rules.entries or canonical(alias) == name


def _outlet_names(record: Organization, source: str) -> list[str]:
    """The names to look for when ``record`` is an outlet: its names, else none."""
    entry = org_rules().entries.get(record.name)
    is_source = bool(source) and canonical(simplified(source)) == record.name
    if not is_source and (entry is None or entry.type != "media"):
        return []
    return [n for n in (record.name, *record.aliases, *(entry.aliases if entry else ())) if not n.isascii()]
