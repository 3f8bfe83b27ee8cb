"""Byline authors: ``文 | X``, ``（记者 X Y）``, ``（责编：X、Y）``, a parenthesised list of
names closing the article (``（X　Y）``), the lone author line under a title and
the dateline author.

A byline whose marker is a job title (section ``byline_titles``: 记者, 责编,
责任编辑 …) gives that title as the role: the guidelines give ``roles: []`` only to
a byline author *with no title*, and ``记者``/``责编`` are stated titles. The
role's organisation is the outlet whose dateline or masthead the byline closes
(``新华社北京11月20日电（记者 X）``, ``某报讯（记者 X）``) or that a bracket byline
names (``【环球时报报道 记者 X】``), else null. Markers that are
no title (``文``, ``作者``) and bare name lists give ``roles: []``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from spacy.tokens import Doc

from kb.clean.script import simplified
from kb.nlp.pipeline import TokenIndex, text_of, token_index
from kb.extract.orgs.rules import canonical, org_rules
from kb.extract.people.names import Found, is_chinese_name, is_name, name_at, name_before, people_rules
from kb.records.models import Role

_NAME_PIECE = re.compile(r"[^\s、,，;；\u3000]+")


def byline_mentions(doc: Doc, outlets: Mapping[int, str]) -> list[Found]:
    """Authors in bylines; ``outlets`` maps the start of an organisation mention to
    the name a role uses for it (a dateline's agency)."""
    text, tokens, out = text_of(doc), token_index(doc), []
    house = getattr(doc._.article, "source", None)  # the outlet publishing the article (本报)
    for rule_id, pattern in people_rules().bylines:
        for m in pattern.finditer(text):
            roles = _byline_roles(text, m, outlets, house)
            last = name_before(text, tokens, m.end("names"))
            if last is not None:  # 文 | …研究员 郎平: the author is the last name
                out.append(Found(*last, roles, rule_id))
            out.extend(_names_in(text, tokens, m.start("names"), m.end("names"), rule_id, roles))
    return out + author_lines(doc) + dateline_author(doc)


def _byline_roles(text: str, m: re.Match[str], outlets: Mapping[int, str], house: str | None) -> tuple[Role, ...]:
    """The byline's title (记者 in 新华社记者, 责编), with the outlet of the dateline it
    closes; a dateline of the house itself (本报讯, 本报北京…电) names the article's outlet."""
    marker = m.groupdict().get("marker") or ""
    titles = [w for w in people_rules().words["byline_titles"] if marker.endswith(w)]
    if not titles:
        return ()
    title = max(titles, key=len)
    if m.groupdict().get("outlet"):  # 【环球时报报道 记者 X】: the bracket names the outlet
        return (Role(title=title, organization=outlets.get(m.start("outlet"))),)
    if len(marker) > len(title) and m.start("marker") in outlets:  # 新华社记者 X
        return (Role(title=title, organization=outlets[m.start("marker")]),)
    line_start = text.rfind("\n", 0, m.start()) + 1
    lead = text[line_start:m.start()]
    at = line_start + len(lead) - len(lead.lstrip())
    outlet = None
    if people_rules().dateline_end.search(lead):
        own = lead.lstrip().startswith(tuple(org_rules().words["house_outlets"]))
        outlet = outlets.get(at) or (house if own else None)
    return (Role(title=title, organization=outlet),)


def _names_in(text: str, tokens: TokenIndex, start: int, end: int, rule_id: str, roles=()) -> list[Found]:
    """Found for each piece of ``text[start:end]`` (split at spaces and 、) when every piece is a name."""
    pieces = [(start + a, start + b) for a, b in (m.span() for m in _NAME_PIECE.finditer(text[start:end]))]
    # a piece the segmenter cut across (左|妍|冰|2017…) is still a name when it has a name's shape
    if not pieces or any(name_at(text, tokens, a) != (a, b) and not is_chinese_name(text[a:b]) for a, b in pieces):
        return []
    return [Found(a, b, tuple(roles), rule_id) for a, b in pieces]


def author_lines(doc: Doc) -> list[Found]:
    """Lines made only of names above the first paragraph (``金歆 刘军国`` under a WeChat title)."""
    text, tokens, out, pos = text_of(doc), token_index(doc), [], 0
    rule = people_rules().author_lines
    for line in text.splitlines(keepends=True):
        body = line.strip()
        if len(body) >= rule.paragraph_min and body.endswith(tuple(rule.paragraph_ends)):
            break
        if body and len(body) <= rule.max_chars:
            lead = pos + line.index(body)
            out.extend(_names_in(text, tokens, lead, lead + len(body), rule.id))
        pos += len(line)
    return out


def dateline_author(doc: Doc) -> list[Found]:
    """The dateline author(s) the ingest found (``中新网乌镇11月11日电(张煜欢)``,
    ``…电（孙竞　王连香）``): each name of the author field. A byline title right before
    the names (``电(记者方莉、杨舒)``) is their role, with the outlet opening the dateline (a
    known one: 新华社北京…电) or, for the house's own (本报…电), the article's outlet."""
    article, text = doc._.article, text_of(doc)
    author = getattr(article, "author", None)
    if not author:
        return []
    pieces = _NAME_PIECE.findall(simplified(author))
    spans = [(text.find(piece), piece) for piece in pieces]
    if not pieces or not all(at >= 0 and is_name(piece) for at, piece in spans):
        return []
    roles = _dateline_roles(text, spans[0][0], getattr(article, "source", None))
    return [Found(at, at + len(piece), roles, people_rules().dateline_author) for at, piece in spans]


def _dateline_roles(text: str, first: int, source: str | None) -> tuple[Role, ...]:
    before = text[max(0, first - 6):first].lstrip("(（ \t\u3000")
    titles = [w for w in people_rules().words["byline_titles"] if before.endswith(w)]
    if not titles:
        return ()
    line = text[text.rfind("\n", 0, first) + 1:first].lstrip()
    if any(line.startswith(w) for w in org_rules().words["house_outlets"]):
        outlet = source
    else:
        known = org_rules().gazetteer.match(line)
        outlet = canonical(known.group()) if known else None
    return (Role(title=max(titles, key=len), organization=outlet),)
