"""People: named persons and their roles, found by context.

A person is proposed only where the context says so (``rules/people.yaml``):

- a role title right before the name (``世界互联网大会秘书长任贤良``); titles
  joined by ``、`` give several roles, each with the organisation written right
  before it (``…研究所国家安全研究室主任、研究员 郎平``: both roles in that
  institute, as a title without its own organisation shares the one before);
- a title after the name (``习近平主席``);
- a reporting verb after the name (``尼·奎诺在…期间表示``);
- a byline (``文 | …``, ``（记者 X）``), the lone author line under a title
  (``金歆 刘军国``) and the dateline author (``doc._.article.author``): roles ``[]``.

A Chinese name is a surname plus one or two characters that the segmenter
keeps together (one token, or a one-character surname token and its given
name); a foreign name joins parts with ``·``. A quoted epithet right before a
found name (``“非洲互联网之父”尼·奎诺``) is a role without organisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import field_validator
from spacy.tokens import Doc

from kb.clean.script import to_simplified
from kb.extract.orgs import Mention, WordList, resolve
from kb.nlp import provenance
from kb.records import Organization, Person, Provenance, Role, merge_all
from kb.rules import Rule, load_section, rule_path

HAN = r"\u4e00-\u9fff"
_FOREIGN = re.compile(rf"[{HAN}]{{1,8}}(?:·[{HAN}]{{1,8}})+")
_FOREIGN_END = re.compile(rf"[{HAN}]{{1,8}}(?:·[{HAN}]{{1,8}})+$")
_HAN_ONLY = re.compile(rf"^[{HAN}]+$")
_NAME_SPLIT = re.compile(r"[\s、,，;；]+")
_GLUED_VERBS = ("说", "称")
_CLAUSE_END = "，。,；;！？!?：:\n"
MAX_TITLE_PREFIX = 10  # characters between an organisation and its title (国家安全研究室)
MAX_VERB_GAP = 20  # characters between a name and its verb in X在…期间表示
HEADER_LINE_MAX = 40  # the first line this long ending a sentence is the first paragraph
_PARAGRAPH_END = ("。", "！", "？", "”", "!", "?")


class PatternRule(Rule):
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


@dataclass(frozen=True)
class PeopleRules:
    titles: re.Pattern[str]
    title_rule: dict[str, str]
    words: dict[str, frozenset[str]]
    bylines: tuple[tuple[str, re.Pattern[str]], ...]
    epithets: tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class Found:
    """A person mention: the name's clean span, its roles and the rule that found it."""

    start: int
    end: int
    roles: tuple[Role, ...]
    rule: str


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@lru_cache(maxsize=None)
def people_rules() -> PeopleRules:
    """``rules/people.yaml``, validated and compiled once."""
    path = rule_path("people")
    titles = load_section(path, "titles", WordList)
    sections = ("post_titles", "surnames", "not_names", "not_name_endings", "reporting_verbs")
    words = {s: frozenset(w for r in load_section(path, s, WordList) for w in r.words) for s in sections}
    compiled = lambda s: tuple((r.id, re.compile(r.pattern)) for r in load_section(path, s, PatternRule))  # noqa: E731
    return PeopleRules(
        titles=re.compile(_alternation(w for r in titles for w in r.words)),
        title_rule={w: r.id for r in titles for w in r.words},
        words=words,
        bylines=compiled("bylines"),
        epithets=compiled("epithets"),
    )


# ---------------------------------------------------------------- names


def is_chinese_name(text: str) -> bool:
    """Surname + one or two characters (two or three after a compound surname)."""
    words = people_rules().words
    if not _HAN_ONLY.match(text) or text in words["not_names"] or text[-1] in words["not_name_endings"]:
        return False
    if text[:2] in words["surnames"]:
        return 3 <= len(text) <= 4
    return text[0] in words["surnames"] and 2 <= len(text) <= 3


def is_name(text: str) -> bool:
    return is_chinese_name(text) or bool(_FOREIGN.fullmatch(text))


class _Tokens:
    def __init__(self, doc: Doc):
        self.by_start = {t.idx: t for t in doc}
        self.by_end = {t.idx + len(t.text): t for t in doc}


def _foreign(text: str) -> bool:
    return bool(_FOREIGN.fullmatch(text))


def name_at(text: str, tokens: _Tokens, pos: int) -> tuple[int, int] | None:
    """A name starting at ``pos`` (after spaces), made of whole segmenter tokens."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    token = tokens.by_start.get(pos)
    if token is None:
        return None
    end = pos + len(token.text)
    nxt = tokens.by_start.get(end)
    if token.text[-1:] in _GLUED_VERBS and is_chinese_name(token.text[:-1]):
        return pos, end - 1  # the segmenter glues 说 to a name: 王强说
    if is_chinese_name(token.text) or _foreign(token.text):
        return pos, end
    if nxt is not None and nxt.text == "·" and (last := tokens.by_start.get(end + 1)) is not None:
        joined = end + 1 + len(last.text)
        return (pos, joined) if _foreign(text[pos:joined]) else None  # 弗朗西斯 | · | 高锐
    if len(token.text) == 1 and nxt is not None:
        joined = token.text + nxt.text  # 刘 | 军国
        if joined[-1] in _GLUED_VERBS and is_chinese_name(joined[:-1]):
            return pos, end + len(nxt.text) - 1
        if is_chinese_name(joined):
            return pos, end + len(nxt.text)
    return None


def name_before(text: str, tokens: _Tokens, pos: int) -> tuple[int, int] | None:
    """A name ending at ``pos``, made of whole segmenter tokens."""
    token = tokens.by_end.get(pos)
    if token is None:
        return None
    prev = tokens.by_end.get(token.idx)
    for start in (token.idx, prev.idx if prev is not None else None, _foreign_start(tokens, token)):
        if start is not None and name_at(text, tokens, start) == (start, pos):
            return start, pos
    return None


def _foreign_start(tokens: _Tokens, token) -> int | None:
    dot = tokens.by_end.get(token.idx)
    if dot is None or dot.text != "·":
        return None
    first = tokens.by_end.get(dot.idx)
    return first.idx if first is not None else None


# ---------------------------------------------------------------- context frames


def title_before(text: str, pos: int) -> str | None:
    """The longest title word ending at ``pos``."""
    found = [w for w in people_rules().title_rule if text.endswith(w, 0, pos)]
    return max(found, key=len) if found else None


def roles_before(text: str, pos: int, orgs_by_end: dict[int, Mention]) -> tuple[list[Role], str | None]:
    """Roles written right before a name at ``pos``: ``[ORG]TITLE(、[ORG]TITLE)*``, and the rule id."""
    while pos > 0 and text[pos - 1] in " \t":
        pos -= 1
    segments: list[tuple[str, str | None]] = []
    rule = None
    while (word := title_before(text, pos)) is not None:
        rule = rule or people_rules().title_rule[word]
        org = _org_before(text, pos - len(word), orgs_by_end)
        start = org.end if org else pos - len(word)
        segments.append((text[start:pos], org.surface if org else None))
        pos = org.start if org else start
        if text[pos - 1:pos] != "、":
            break
        pos -= 1
    roles, current = [], None
    for title, org in reversed(segments):  # a title without its own organisation shares the one before
        current = org or current
        roles.append(Role(title=title, organization=current))
    return roles, rule


def _org_before(text: str, pos: int, orgs_by_end: dict[int, Mention]) -> Mention | None:
    """An organisation ending at ``pos`` or a few title words before it (…研究所|国家安全研究室|主任)."""
    for end in range(pos, max(-1, pos - MAX_TITLE_PREFIX - 1), -1):
        if end in orgs_by_end:
            return orgs_by_end[end]
        if not _HAN_ONLY.match(text[end - 1:end] or "x"):
            return None
    return None


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
    gap = re.match(rf"在[^{_CLAUSE_END}]{{1,{MAX_VERB_GAP}}}?(?:{_alternation(verbs)})", text[end:])
    return gap is not None


def epithet_before(text: str, start: int) -> tuple[str, str] | None:
    for rule_id, pattern in people_rules().epithets:
        m = pattern.search(text[max(0, start - 20):start])
        if m:
            return m.group("title"), rule_id
    return None


# ---------------------------------------------------------------- finding


def org_spans(text: str, orgs: list[Organization]) -> dict[int, Mention]:
    """Where the given organisations are written (any name or alias), by end offset."""
    surfaces = {s for org in orgs for s in (org.name, *org.aliases) if s}
    if not surfaces:
        return {}
    found = [Mention(m.start(), m.end(), m.group(), m.group(), "org") for m in re.finditer(_alternation(surfaces), text)]
    return {m.end: m for m in resolve(found)}


def context_mentions(doc: Doc, orgs_by_end: dict[int, Mention]) -> list[Found]:
    """Names with a title before or after, or a reporting verb after."""
    text, tokens = doc.text, _Tokens(doc)
    inside_org = {i for m in orgs_by_end.values() for i in range(m.start, m.end)}
    spans = {name_at(text, tokens, t.idx) for t in doc} - {None}
    out = []
    for start, end in sorted(spans):
        if start in inside_org:
            continue
        roles, rule = roles_before(text, start, orgs_by_end)
        if (after := post_title(text, end)) is not None:
            roles.append(Role(title=after, organization=None))
            rule = rule or "post-title"
        if rule is None and reports(text, start, end):
            rule = "report-verb"
        if rule is None:
            continue
        if (epithet := epithet_before(text, start)) is not None:
            roles.insert(0, Role(title=epithet[0], organization=None))
        out.append(Found(start, end, tuple(roles), rule))
    return out


def byline_mentions(doc: Doc) -> list[Found]:
    """Authors in bylines (``文 | X``, ``（记者 X）``), roles ``[]``."""
    text, tokens, out = doc.text, _Tokens(doc), []
    for rule_id, pattern in people_rules().bylines:
        for m in pattern.finditer(text):
            last = name_before(text, tokens, m.end("names"))
            if last is not None:  # 文 | …研究员 郎平: the author is the last name
                out.append(Found(*last, (), rule_id))
            out.extend(_names_in(text, tokens, m.start("names"), m.end("names"), rule_id))
    return out + author_lines(doc) + dateline_author(doc)


def _names_in(text: str, tokens: _Tokens, start: int, end: int, rule_id: str) -> list[Found]:
    """Found for each piece of ``text[start:end]`` (split at spaces and 、) when every piece is a name."""
    pieces = [(m.start(), m.end()) for m in re.finditer(r"[^\s、,，;；]+", text[start:end])]
    found = [name_at(text, tokens, start + a) for a, _ in pieces]
    if not pieces or any(f != (start + a, start + b) for f, (a, b) in zip(found, pieces)):
        return []
    return [Found(a, b, (), rule_id) for a, b in found]


def author_lines(doc: Doc) -> list[Found]:
    """Lines made only of names above the first paragraph (``金歆 刘军国`` under a WeChat title)."""
    text, tokens, out, pos = doc.text, _Tokens(doc), [], 0
    for line in text.splitlines(keepends=True):
        body = line.strip()
        if len(body) >= HEADER_LINE_MAX and body.endswith(_PARAGRAPH_END):
            break
        if body and len(body) <= 24:
            lead = pos + line.index(body)
            out.extend(_names_in(text, tokens, lead, lead + len(body), "byline-author-line"))
        pos += len(line)
    return out


def dateline_author(doc: Doc) -> list[Found]:
    """The dateline author the ingest found (``中新网乌镇11月11日电(张煜欢)``)."""
    author = getattr(doc._.article, "author", None)
    if not author:
        return []
    name = to_simplified(author).text
    at = doc.text.find(name)
    if at < 0 or not is_name(name):
        return []
    return [Found(at, at + len(name), (), "byline-dateline")]


def find_people(doc: Doc, orgs: list[Organization]) -> list[Person]:
    """One :class:`Person` per named person, roles merged over every mention."""
    found = context_mentions(doc, org_spans(doc.text, orgs)) + byline_mentions(doc)
    records = [
        Person(
            name=doc.text[f.start:f.end],
            roles=list(f.roles),
            provenance=[Provenance(**provenance(doc, f.start, f.end, f.rule))],
        )
        for f in sorted(found, key=lambda f: f.start)
    ]
    return merge_all(records)
