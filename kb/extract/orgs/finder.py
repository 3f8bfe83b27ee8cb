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
  (``（以下简称“X”）``): :mod:`kb.extract.orgs.forms`.
- the name tagger's ORG proposals (:mod:`kb.nlp.tagger`, rule ``tagger:lac``) where
  rules accept them: a known name, or a name ending in a head word (or a
  ``proposal_heads`` word: …司) that makes a name, anchored for a weak head; the
  proposal gives the left edge a head alone cannot find. It never overrides a
  rule's mention, except one at its start (工业和信息化部|信息技术发展司).

A one-character organ head (局, 署, 办) followed by its own head's title
(``…局局长``, section ``organ_titles``) names an organ even without a place or
prefix (创新科技及工业局局长孙东); a known company followed by 公司/集团 is that
company (腾讯公司 → 腾讯); a name ending in a venue word (会展中心, 展览馆) or a
…中心 a city is made into or where something is held is a place, no organisation.

Two rule kinds add to the records: ``outlet_forms`` find the outlet's own
name forms in the *original* text, noise lines included (a masthead
``《中国信息安全》杂志`` gives the alias 中国信息安全杂志), and founding frames
(:mod:`kb.extract.orgs.founding`) give ``founded``.

Overlapping mentions are resolved longest first (ties: marker, gazetteer,
head), so 中国社会科学院 inside 中国社会科学院世界经济与政治研究所 is not an
organisation of its own. Countries, regions and events are never organisations.
A head name that runs left over a person the tagger proposes (and the people
rules accept) is none either; ``X`` and ``中共X`` in one article are one
organisation (section ``alias_prefixes``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from spacy.tokens import Doc

from kb.clean.script import simplified, to_simplified
from kb.extract.candidates import rule_matches
from kb.extract.events.rules import load_event_rules
from kb.extract.orgs.founding import Founding, find_foundings, founding_rules
from kb.extract.orgs.forms import (
    alias_spans, country_before, country_organ_spans, introduced_aliases, is_venue, organ_title_after,
)
from kb.extract.orgs.rules import Mention, canonical, org_rules
from kb.extract.people.names import tagger_names
from kb.nlp.pipeline import TokenIndex, provenance, text_of, token_index
from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS
from kb.records.models import Organization, Provenance, merge_all
from kb.rules.ruleset import alternation, rule_builder
from kb.nlp.tagger import proposals

HAN = r"\u4e00-\u9fff"
_NAME_TOKEN = re.compile(rf"^[{HAN}A-Za-z]+$")
_BRACKETED_PLACE = re.compile(r"[（(](?P<place>[\u4e00-\u9fff]{2,4})[）)]$")
_CLAUSE = re.compile(f"[^{re.escape(CLAUSE_ENDS)}]*")
_SENTENCE = re.compile(f"[^{re.escape(SENTENCE_ENDS)}]*")
_SOURCE_LINE = re.compile(r"(?m)^source:\s*[\"']?(?P<name>[^\"'\n]+?)[\"']?\s*$")
MAX_TOKENS_UNANCHORED = 3
MAX_TOKENS_ANCHORED = 7


# ---------------------------------------------------------------- mentions


def gazetteer_mentions(text: str, date: str | None = None) -> list[Mention]:
    """Gazetteer names and aliases in ``text``; ``date``, the article's, rules out an alias of a
    body that did not exist yet (``exists_from``)."""
    rules = org_rules()
    out = []
    for m in rules.gazetteer.finditer(text):
        entry = rules.entries[m.group()]
        if entry.marked and not _in_title_marks(text, m.start(), m.end()):
            continue
        if entry.exists_from and date and m.group() != entry.name and date < entry.exists_from:
            continue
        if entry.series and m.group() != entry.name and not _names_body(text, m.start(), m.end()):
            continue  # the series' name alone is the event
        if any(text.startswith(t[1:], m.end()) and m.group().endswith(t[0]) for t in rules.words["fused_titles"]):
            continue  # 外交部长: a title sharing the organ's last character
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


def _names_body(text: str, start: int, end: int) -> bool:
    """A series name followed by a word of its body (世界互联网大会秘书长, …会员), the subject
    of a founding frame in its clause (…已发展为常设国际组织) or of a body's verb in its sentence
    (…发布《…》) names the body; anywhere else it names the event (举办世界互联网大会,
    2014年的世界互联网大会)."""
    words = org_rules().words
    if any(text.startswith(w, end) for w in words["series_body_words"]):
        return True
    if _is_event_mention(text, start, end) or any(text.startswith(w, end) for w in words["series_event_after"]):
        return False
    clause, sentence = _CLAUSE.match(text, end).group(), _SENTENCE.match(text, end).group()
    return (any(pattern.search(clause) for _, pattern in founding_rules().frames)
            or any(verb in sentence for verb in words["series_body_verbs"]))


def _is_event_mention(text: str, start: int, end: int) -> bool:
    """2014年世界互联网大会, 世界互联网大会乌镇峰会, 世界互联网大会领先科技奖: the event, not the body."""
    if org_rules().edition_before.search(text[max(0, start - 6):start]):
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
    short forms the article introduces (``（以下简称“X”）``) count wherever they occur;
    the name tagger's proposals that rules accept where no rule found anything."""
    text = text_of(doc)
    organs = [Mention(s, e, text[s:e], text[s:e], rule, rank=0) for s, e, rule in country_organ_spans(text)]
    known = gazetteer_mentions(text, getattr(doc._.article, "date", None)) + marker_mentions(text) + organs
    not_orgs = org_rules().words["not_organizations"]
    not_names = not_orgs | org_rules().words["bare_departments"]  # a bare department is no mention
    people = tagger_names(text, proposals(doc, "PERSON"), not_people())
    heads = [m for m in head_mentions(doc, known) if not _has_person_inside(m, people)]
    found = [m for m in known + heads if m.surface not in not_names]
    found += posted_offices(text, resolve(found))
    aliases = introduced_aliases(text, resolve(found), lambda a: a not in not_orgs and a not in org_rules().entries)
    found += [Mention(s, e, name, surface, rule, rank=1) for s, e, name, surface, rule in alias_spans(text, aliases)]
    found = resolve(found)
    return fold_prefixed(resolve(found + tagger_org_mentions(doc, found)))


def posted_offices(text: str, mentions: list[Mention]) -> list[Mention]:
    """An office a body or a country keeps elsewhere (香港特区政府驻福建联络处, 中国驻美国大使馆):
    one organisation from the owner's start, named as written; it outranks the owner's
    mention by length (section ``posted_offices``)."""
    by_end = {m.end: m.start for m in mentions}
    out = []
    for rule, pattern in org_rules().posted_offices:
        for m in pattern.finditer(text):
            start = by_end.get(m.start())
            if start is None and (country := country_before(text, m.start())):
                start = m.start() - len(country)
            if start is not None:
                name = text[start:m.end()]
                out.append(Mention(start, m.end(), name, name, rule, rank=0))
    return out


def fold_prefixed(mentions: list[Mention]) -> list[Mention]:
    """``X`` and ``中共X`` in one article are one organisation, named the longer way
    (section ``alias_prefixes``): 成都市委 is an alias of 中共成都市委."""
    prefixes = org_rules().words["alias_prefixes"]
    names = {m.name for m in mentions}
    out = []
    for m in mentions:
        longer = sorted(p + m.name for p in prefixes if p + m.name in names)
        out.append(replace(m, name=longer[0]) if longer else m)
    return out


@rule_builder
def not_people() -> frozenset[str]:
    """Words a person proposed by the tagger may not be: countries, places, organisations."""
    rules = org_rules()
    return rules.words["not_organizations"] | frozenset(rules.entries)


def _has_person_inside(m: Mention, people: list[tuple[int, int]]) -> bool:
    """A name extended left over a person's name (局长|某某|博士署任…局) is no organisation's:
    a person the tagger proposes and rules accept lies inside it, after its start."""
    return any(m.start < start and end <= m.end for start, end in people)


# ---------------------------------------------------------------- tagger proposals


def tagger_org_mentions(doc: Doc, found: list[Mention]) -> list[Mention]:
    """The name tagger's ORG proposals that rules accept: a known name (gazetteer), or
    a name ending in a head word whose words before make a name, with an anchor (a
    prefix, a place, a known name) when the head is also an ordinary word
    (:func:`_proposed_head_ok`); never a country, event or venue. The proposal gives
    the name's left edge, which a head alone cannot find. Rule ``tagger:lac``.

    Where rules found a mention, the proposal may only contain it as its leading part
    (a parent organ: 工业和信息化部|信息技术发展司), and then replaces it."""
    rules, text = org_rules(), text_of(doc)
    out = []
    for start, end in proposals(doc, "ORG"):
        name = text[start:end]
        overlaps = [m for m in found if m.start < end and start < m.end]
        if (any(m.start != start or m.end >= end for m in overlaps) or name in rules.words["not_organizations"]
                or name in rules.words["bare_departments"]):
            continue
        if name in rules.entries or _proposed_head_ok(doc, start, end):
            out.append(Mention(start, end, canonical(name), name, rules.tagger_rule, rank=3))
    return out


def _proposed_head_ok(doc: Doc, start: int, end: int) -> bool:
    rules, text = org_rules(), text_of(doc)
    name = text[start:end]
    heads = {**rules.head_rules, **rules.proposal_heads}
    head = max((w for w in heads if name.endswith(w) and len(w) < len(name)), key=len, default=None)
    if head is None or not _NAME_TOKEN.match(name) or is_venue(text, start, end, rules.words["venues"], rules.words["venue_rooms"]):
        return False
    body_end = end - len(head)
    head_token = token_index(doc).by_char.get(end - 1)
    if head_token is not None and head_token.text != head and head_token.text in rules.words["not_organizations"]:
        return False  # 总部 is not …部
    if not _is_name(text[start:body_end], token_index(doc), start, body_end) or _is_event_mention(text, start, end):
        return False
    return not heads[head].anchored or _has_anchor(text[start:body_end])


def _has_anchor(body: str) -> bool:
    """A prefix (中国, 国际), a place (四川省, 成都市) or a known organisation inside ``body``."""
    rules = org_rules()
    return (any(w in body for w in rules.words["prefixes"]) or bool(rules.place_in.search(body))
            or rules.gazetteer.search(body) is not None)


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
        if head_token.idx < m.start() and head_token.text in rules.words["not_organizations"]:
            continue  # 签署 is not …署 (a head in several tokens, 有限|公司, is whole)
        titled = organ_title_after(text, m.group(), m.end(), rules.words["organ_titles"])
        if len(m.group()) == 1 and len(head_token.text) < 3 and not titled:
            continue  # 签署, 内部: a one-character head needs a word of three characters (外交部)
        if any(k.start <= m.start() and k.end >= m.end() for k in known):
            continue  # a known name (国际电信联盟) already covers this head
        rule = rules.head_rules[m.group()]
        used = 1 if head_token.idx < m.start() else 0
        start = extend_left(tokens, known_by_end, head_token.idx, used, rule.anchored and not titled, titled,
                            text=text)
        if start is None or not _is_name(text[start:m.start()], tokens, start, m.start()):
            continue
        surface = text[start:m.end()]
        if is_venue(text, start, m.end(), rules.words["venues"], rules.words["venue_rooms"]):
            continue
        out.append(Mention(start, m.end(), canonical(surface), surface, rule.id, rank=2))
    return out


def extend_left(tokens: TokenIndex, known_by_end: dict[int, Mention], pos: int, used: int, needs_anchor: bool,
                titled: bool = False, text: str = "") -> int | None:
    """Start of the name whose last token starts at ``pos``, or None when no sound start is found.

    Extends over name-like tokens; a known organisation, a prefix (中国, 国际)
    or a place (浙江省) anchors the name, after which only further anchors are
    taken. A conjunction (与, 和) stays inside only if an anchor follows, or
    when the organ's own head title follows (``titled``: 创新科技及工业局局长),
    which also allows a longer name without an anchor. A place in brackets
    (``某某(北京)文化传播有限公司``, read in ``text``) anchors the name, and one word
    before it, the brand, is its start.
    """
    words, place = org_rules().words, org_rules().place
    anchored, cut = False, None
    while True:
        bracket = _BRACKETED_PLACE.search(text, 0, pos) if text and not anchored else None
        if bracket is not None and bracket.end() == pos and _is_place(bracket.group("place")):
            brand = tokens.by_end.get(bracket.start())
            if brand is None or len(brand.text) < 2 or not _NAME_TOKEN.match(brand.text) or brand.text in words["stops"]:
                return None
            return brand.idx
        if pos in known_by_end:
            return known_by_end[pos].start
        token = tokens.by_end.get(pos)
        word = token.text if token is not None else ""
        is_anchor = word in words["prefixes"] or bool(place.match(word))
        if anchored and not is_anchor:
            break
        if (word in words["conjunctions"] and used) or word in words["name_verbs"]:
            cut = cut if cut is not None else pos
        elif not _NAME_TOKEN.match(word) or word in words["stops"] or used >= MAX_TOKENS_ANCHORED:
            break
        anchored = anchored or is_anchor
        pos, used = token.idx, used + 1
    if not anchored and (needs_anchor or used > (MAX_TOKENS_ANCHORED if titled else MAX_TOKENS_UNANCHORED)):
        return None
    return pos if anchored or titled or cut is None else cut


def _is_place(word: str) -> bool:
    """A division (浙江省, 成都市) or a known city or region (北京, 香港; rules/events.yaml)."""
    words = load_event_rules().words
    return bool(org_rules().place.match(word)) or word in words["cities"] or word in words["regions"]


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
    mentions = [m.value for m in rule_matches(doc, "ORG")]  # org_mentions, by the kb_rules component
    return with_founding(_records(doc, mentions), find_foundings(doc, mentions))


def _records(doc: Doc, mentions: list[Mention]) -> list[Organization]:
    """The mentions' records, with the article's outlet and its masthead forms (a Doc
    without an article, made by the tokenizer alone, has neither)."""
    records = [_record(doc, m) for m in mentions]
    if doc._.article is None:
        return merge_all(records)
    outlet = outlet_record(doc)
    if outlet is not None:
        records.append(outlet)
    records = merge_all(records)
    return merge_all([*records, *masthead_records(doc, records)])


def org_names(doc: Doc, mentions: list[Mention]) -> dict[str, str]:
    """Every name and alias the article's organisations go by → the canonical name: what
    the rule matcher looks for when a person's role names an organisation (the outlet's
    masthead forms included, which no mention carries)."""
    return {s: org.name for org in _records(doc, mentions) for s in (org.name, *org.aliases) if s}


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
        rule = org_rules().outlet_rules["front_matter"]
        where = Provenance(doc=article.id, start=s, end=e, quote=article.text[s:e], rule=rule)
    elif (at := text_of(doc).find(source)) >= 0:
        where = Provenance(**provenance(doc, at, at + len(source), org_rules().outlet_rules["text"]))
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
