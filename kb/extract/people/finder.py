"""People: named persons and their roles, found by context.

A person is proposed only where the context says so (``rules/people.yaml``):

- a role title right before the name (``世界互联网大会秘书长任贤良``); titles
  joined by ``、`` or ``兼`` give several roles, each with the organisation
  written right before it (``…研究所国家安全研究室主任、研究员 郎平``: both roles
  in that institute, as a title without its own organisation shares the one
  before; ``董事长兼首席执行官``: two roles); a country right before a title is
  its organisation (``法国总统`` → 法国);
- after a title with an organisation, a foreign name written without ``·``
  (``联合国秘书长古特雷斯``, :func:`kb.extract.people.names.transliteration_at`);
- a title after the name (``习近平主席``);
- a reporting verb after the name (``尼·奎诺在…期间表示``);
- a byline (:mod:`kb.extract.people.bylines`).
- the name tagger's PERSON proposals (:mod:`kb.nlp.tagger`, rule ``tagger:lac``) that
  the people rules accept (:func:`kb.extract.people.names.tagger_names`): names
  written without a title or verb (马云、马化腾), with the roles around them.

A role's organisation is written as the article writes it, except that an
abbreviation (中宣部, 中新社, a short form the article introduces) is given as
the organisation's full name; a leading part of the full name (世界互联网大会 of
世界互联网大会国际组织) is a name of its own and stays as written. A quoted epithet
right before a found name (``“非洲互联网之父”尼·奎诺``) is a role without
organisation. The surname alone of a foreign name given in full in the article
(``高锐`` after ``弗朗西斯·高锐``) is the same person.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from kb.extract.candidates import rule_matches
from kb.extract.people.bylines import byline_mentions
from kb.extract.orgs.forms import country_before
from kb.extract.orgs.finder import Mention, not_people, resolve
from kb.extract.people.names import (
    Found, is_chinese_name, is_foreign, name_at, people_rules, tagger_names, transliteration_at,
)
from kb.nlp.pipeline import TokenIndex, provenance, text_of, token_index, words_of
from kb.nlp.text import CLAUSE_ENDS
from kb.records.models import Person, Provenance, Role, merge_all
from kb.rules.ruleset import alternation, rule_builder
from kb.nlp.tagger import proposals

__all__ = ["find_people", "is_chinese_name", "people_rules", "person_mentions"]

HAN = r"\u4e00-\u9fff"
_HAN_ONLY = re.compile(rf"^[{HAN}]+$")
_CLAUSE_END = re.escape(CLAUSE_ENDS)  # inside a character class
MAX_TITLE_PREFIX = 10  # characters between an organisation and its title (国家安全研究室)
MAX_VERB_GAP = 20  # characters between a name and its verb in X在…期间表示


# ---------------------------------------------------------------- context frames


def title_before(text: str, pos: int) -> tuple[str, str] | None:
    """The longest title word ending at ``pos``, else a title pattern's match (图灵奖得主); with its rule id."""
    rules = people_rules()
    found = [w for w in rules.title_rule if text.endswith(w, 0, pos)]
    if found:
        word = max(found, key=len)
        return word, rules.title_rule[word]
    for rule_id, pattern in rules.title_patterns:
        m = pattern.search(text, max(0, pos - 20), pos)
        if m is not None and m.end() == pos:
            return m.group("title"), rule_id
    return None


def roles_before(text: str, pos: int, orgs_by_end: dict[int, Mention]) -> tuple[list[Role], str | None]:
    """Roles written right before a name at ``pos``: ``[ORG]TITLE([、兼][ORG]TITLE)*``, and the rule id."""
    while pos > 0 and text[pos - 1] in " \t":
        pos -= 1
    segments: list[tuple[str, str | None]] = []
    rule = None
    while (title := title_before(text, pos)) is not None:
        word, rule = title[0], rule or title[1]
        org = _org_before(text, pos - len(word), orgs_by_end)
        start = org.end if org else _prefix_start(text, pos - len(word))
        segments.append((_LATIN_ALIAS_LEAD.sub("", text[start:pos]), org.name if org else None))
        pos = org.start if org else start
        if text[pos - 1:pos] not in people_rules().title_joiners or pos == 0:
            break
        pos -= 1
    roles, current = [], None
    for title, org in reversed(segments):  # a title without its own organisation shares the one before
        current = org or current
        roles.append(Role(title=title, organization=current))
    return roles, rule


def _prefix_start(text: str, pos: int) -> int:
    """The start of a title word starting at ``pos``, with a prefix that belongs to it (前|总理, 常务|副主任)."""
    prefix = max((w for w in people_rules().words["title_prefixes"] if text.endswith(w, 0, pos)), key=len, default="")
    return pos - len(prefix)


_LATIN_ALIAS_BODY = r"[（(][A-Za-z0-9&.\- ]{2,12}[）)]"  # (GSMA): an organisation's Latin short form
_LATIN_ALIAS, _LATIN_ALIAS_LEAD = re.compile(_LATIN_ALIAS_BODY + "$"), re.compile("^" + _LATIN_ALIAS_BODY)


def _org_before(text: str, pos: int, orgs_by_end: dict[int, Mention]) -> Mention | None:
    """An organisation ending at ``pos`` or a few title words before it (…研究所|国家安全研究室|主任),
    its Latin short form in brackets between (…协会(GSMA)|CEO); else a country right before
    the title (法国|总统)."""
    if alias := _LATIN_ALIAS.search(text, max(0, pos - 14), pos):
        if alias.start() in orgs_by_end:
            return orgs_by_end[alias.start()]
    for end in range(pos, max(-1, pos - MAX_TITLE_PREFIX - 1), -1):
        if end in orgs_by_end:
            return orgs_by_end[end]
        if not _HAN_ONLY.match(text[end - 1:end] or "x") or text[end - 1] in people_rules().title_joiners:
            break
    country = country_before(text, pos)
    return Mention(pos - len(country), pos, country, country, "country") if country else None


def post_title(text: str, end: int) -> str | None:
    words = people_rules().words["post_titles"]
    found = [w for w in words if text.startswith(w, end)]
    return max(found, key=len) if found else None


def reports(text: str, start: int, end: int) -> bool:
    """``X表示`` or ``X在…期间表示``, with X starting a clause (not inside a longer word)."""
    if start > 0 and _HAN_ONLY.match(text[start - 1]) and not title_before(text, start):
        return False
    verbs = people_rules().words["reporting_verbs"]
    if any(text.startswith(v, end) for v in verbs):
        return True
    return report_gap().match(text, end) is not None


@rule_builder
def report_gap() -> re.Pattern[str]:
    """A ``report_gaps`` word, then at most :data:`MAX_VERB_GAP` characters of one clause, then a
    reporting verb (在…期间表示)."""
    words = people_rules().words
    gap = rf"[^{_CLAUSE_END}]{{1,{MAX_VERB_GAP}}}?"
    return re.compile(rf"(?:{alternation(words['report_gaps'])}){gap}(?:{alternation(words['reporting_verbs'])})")


def epithet_before(text: str, start: int) -> tuple[str, str] | None:
    for rule_id, pattern in people_rules().epithets:
        m = pattern.search(text[max(0, start - 20):start])
        if m:
            return m.group("title"), rule_id
    return None


# ---------------------------------------------------------------- finding


def org_spans(text: str, names: dict[str, str]) -> dict[int, Mention]:
    """Where the article's organisations are written (``names``: any name or alias → the
    canonical name, :func:`kb.extract.orgs.finder.org_names`), by end offset; each
    mention's ``name`` is what a role calls the organisation (:func:`role_org_name`)."""
    if not names:
        return {}
    found = [
        Mention(m.start(), m.end(), role_org_name(m.group(), names[m.group()]), m.group(), "org")
        for m in re.finditer(alternation(names), text)
    ]
    return {m.end: m for m in resolve(found)}


def role_org_name(surface: str, name: str) -> str:
    """An abbreviation (中宣部) is given as the full name; a leading part of it
    (世界互联网大会 of 世界互联网大会国际组织) stays as written."""
    return surface if name.startswith(surface) else name


def _candidate_spans(doc: Doc, tokens: TokenIndex, orgs_by_end: dict[int, Mention]) -> set[tuple[int, int]]:
    """Name-shaped spans, and foreign names without ``·`` after a title with an organisation."""
    text = text_of(doc)
    spans = {name_at(text, tokens, w.idx) for w in words_of(doc)} - {None}
    for m in people_rules().titles.finditer(text):
        if m.end() in tokens.by_start and any(r.organization for r in roles_before(text, m.end(), orgs_by_end)[0]):
            spans.add(transliteration_at(text, m.end()))
    return spans - {None}


def context_mentions(doc: Doc, orgs_by_end: dict[int, Mention]) -> list[Found]:
    """Names with a title before or after, or a reporting verb after."""
    text, tokens = text_of(doc), token_index(doc)
    inside_org = _inside(orgs_by_end)
    out = []
    for start, end in sorted(_candidate_spans(doc, tokens, orgs_by_end)):
        if start in inside_org:
            continue
        roles, rule = roles_around(text, start, end, orgs_by_end)
        if rule is None and reports(text, start, end):
            rule = "report-verb"
        if rule is not None:
            out.append(Found(start, end, roles, rule))
    return out


def roles_around(text: str, start: int, end: int, orgs_by_end: dict[int, Mention]) -> tuple[tuple[Role, ...], str | None]:
    """The roles written around a name: titles before it, a title after it, a
    quoted epithet before it; with the rule id of the title that gives them."""
    roles, rule = roles_before(text, start, orgs_by_end)
    if (after := post_title(text, end)) is not None:
        roles.append(Role(title=after, organization=None))
        rule = rule or "post-title"
    if (epithet := epithet_before(text, start)) is not None:
        roles.insert(0, Role(title=epithet[0], organization=None))
    return tuple(roles), rule


def _inside(orgs_by_end: dict[int, Mention]) -> set[int]:
    return {i for m in orgs_by_end.values() for i in range(m.start, m.end)}


def tagger_mentions(doc: Doc, orgs_by_end: dict[int, Mention], found: list[Found]) -> list[Found]:
    """The name tagger's PERSON proposals that rules accept (:func:`tagger_names`), with
    the roles written around them; rule ``tagger:lac``.

    A rule's mention wins where they overlap, except that a longer proposal
    containing it extends it (tokens cut 斯瓦米·西瓦苏|布拉曼尼): the rule's mention
    is then dropped from ``found`` in place."""
    text = text_of(doc)
    inside_org = _inside(orgs_by_end)
    out = []
    for start, end in tagger_names(text, proposals(doc, "PERSON"), not_people()):
        if start in inside_org:
            continue
        overlaps = [f for f in found if f.start < end and start < f.end]
        if any(not (start <= f.start and f.end <= end) or (f.start, f.end) == (start, end) for f in overlaps):
            continue
        roles, _ = roles_around(text, start, end, orgs_by_end)
        roles = overlaps[0].roles if overlaps and not roles else roles
        for f in overlaps:
            found.remove(f)
        out.append(Found(start, end, roles, people_rules().tagger_rule))
    return out


def fold_short_names(names: list[str]) -> dict[str, str]:
    """A foreign surname alone (高锐) → the full name given in the article (弗朗西斯·高锐),
    when exactly one full name ends in it."""
    full = [n for n in names if is_foreign(n)]
    out = {}
    for name in names:
        longer = [f for f in full if f != name and f.endswith("·" + name)]
        if len(longer) == 1:
            out[name] = longer[0]
    return out


def person_mentions(doc: Doc, names: dict[str, str]) -> list[Found]:
    """Every person mention the rules accept, with the roles written around it, in text
    order: names in context, bylines and the tagger's proposals. ``names``: the article's
    organisation names (:func:`kb.extract.orgs.finder.org_names`), which give roles their
    organisation. What the rule matcher (``kb_rules``) writes as PERSON spans."""
    spans = org_spans(text_of(doc), names)
    outlets = {m.start: m.name for m in spans.values()}
    found = context_mentions(doc, spans) + byline_mentions(doc, outlets)
    return sorted(found + tagger_mentions(doc, spans, found), key=lambda f: f.start)


def find_people(doc: Doc) -> list[Person]:
    """One :class:`Person` per named person, roles merged over every mention: the PERSON
    spans of the rule matcher (:func:`person_mentions`)."""
    text = text_of(doc)
    found = [m.value for m in rule_matches(doc, "PERSON")]
    folded = fold_short_names([text[f.start:f.end] for f in found])
    records = [
        Person(
            name=folded.get(text[f.start:f.end], text[f.start:f.end]),
            roles=list(f.roles),
            provenance=[Provenance(**provenance(doc, f.start, f.end, f.rule))],
        )
        for f in found
    ]
    return merge_all(records)
