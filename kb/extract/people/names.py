"""Personal names and the people rules (``rules/people.yaml``), shared by
:mod:`kb.extract.people.finder` and :mod:`kb.extract.people.bylines`.

A Chinese name is a surname plus one or two characters that the segmenter
keeps together (one token, or a one-character surname token and its given
name); a foreign name joins parts with ``·``. A foreign name written without
``·`` (``古特雷斯``) is accepted only by :func:`transliteration_at`, after a title,
when every character is one typical of transliteration (section
``transliteration``) and a word that may follow a name comes next.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from kb.errors import RuleError
from kb.records.models import Role
from kb.nlp.pipeline import TokenIndex
from kb.rules.ruleset import Regex, Rule, WordList, alternation, load_section, rule_builder, rule_path

R = TypeVar("R", bound=Rule)

HAN = r"\u4e00-\u9fff"
# 弗朗西斯·高锐, 多琳·博格丹-马丁 (a double-barrelled part keeps its hyphen)
_FOREIGN = re.compile(rf"[{HAN}]{{1,8}}(?:·[{HAN}]{{1,8}}(?:-[{HAN}]{{1,8}})?)+")
_HAN_ONLY = re.compile(rf"^[{HAN}]+$")
_NAME_CHARS = re.compile(rf"[{HAN}·]+")
TRANSLITERATION_LENGTH = (2, 5)


class PatternRule(Rule):
    pattern: Regex


class CharSet(Rule):
    chars: str


class AuthorLines(Rule):
    """Name-only lines above the first paragraph: see ``author_lines`` in ``rules/people.yaml``."""

    max_chars: int
    paragraph_min: int
    paragraph_ends: list[str]


class TaggerRule(Rule):
    """The rule accepting the name tagger's proposals of ``label`` (its id goes into provenance)."""

    label: Literal["PERSON", "ORG"]


def one_rule(path: Path, section: str, model: type[R], where: Callable[[R], bool] = lambda rule: True) -> R:
    """The first rule of ``section`` that ``where`` accepts; a :class:`RuleError` if none does."""
    found = next((rule for rule in load_section(path, section, model) if where(rule)), None)
    if found is None:
        raise RuleError(path, f"section {section!r} needs a rule here")
    return found


@dataclass(frozen=True)
class PeopleRules:
    titles: re.Pattern[str]
    title_rule: dict[str, str]
    words: dict[str, frozenset[str]]
    bylines: tuple[tuple[str, re.Pattern[str]], ...]
    epithets: tuple[tuple[str, re.Pattern[str]], ...]
    title_patterns: tuple[tuple[str, re.Pattern[str]], ...]  # group `title`, anchored at the name
    transliteration: frozenset[str]
    title_joiners: frozenset[str]  # characters: 主任、研究员
    glued_verbs: frozenset[str]  # characters the segmenter glues to a name: 王某说
    dateline_end: re.Pattern[str]  # a byline closing a dateline: …电（记者 X）
    author_lines: AuthorLines
    dateline_author: str  # rule id of the dateline's author
    tagger_rule: str  # rule id of a tagger proposal the rules accept


@dataclass(frozen=True)
class Found:
    """A person mention: the name's clean span, its roles and the rule that found it."""

    start: int
    end: int
    roles: tuple[Role, ...]
    rule: str


_SECTIONS = (
    "post_titles", "surnames", "not_names", "not_name_endings", "reporting_verbs", "byline_titles", "name_followers",
    "tagger_not_people", "place_before", "report_gaps", "byline_datelines", "title_prefixes",
)


@rule_builder
def people_rules() -> PeopleRules:
    """``rules/people.yaml``, validated and compiled once."""
    path = rule_path("people")
    titles = load_section(path, "titles", WordList)
    words = {s: frozenset(w for r in load_section(path, s, WordList) for w in r.words) for s in _SECTIONS}
    compiled = lambda s: tuple((r.id, re.compile(r.pattern)) for r in load_section(path, s, PatternRule))  # noqa: E731
    chars = lambda s: frozenset(c for r in load_section(path, s, CharSet) for c in r.chars)  # noqa: E731
    return PeopleRules(
        titles=re.compile(alternation(w for r in titles for w in r.words)),
        title_rule={w: r.id for r in titles for w in r.words},
        words=words,
        bylines=compiled("bylines"),
        epithets=compiled("epithets"),
        title_patterns=compiled("title_patterns"),
        transliteration=chars("transliteration"),
        title_joiners=chars("title_joiners"),
        glued_verbs=chars("glued_verbs"),
        dateline_end=re.compile(rf"(?:{alternation(words['byline_datelines'])})[ \t\u3000]*$"),
        author_lines=one_rule(path, "author_lines", AuthorLines),
        dateline_author=one_rule(path, "dateline_authors", Rule).id,
        tagger_rule=one_rule(path, "tagger_proposals", TaggerRule, lambda r: r.label == "PERSON").id,
    )


def is_chinese_name(text: str) -> bool:
    """Surname + one or two characters (two or three after a compound surname)."""
    words = people_rules().words
    if not _HAN_ONLY.match(text) or text in words["not_names"] or text[-1] in words["not_name_endings"]:
        return False
    if text[:2] in words["surnames"]:
        return 3 <= len(text) <= 4
    return text[0] in words["surnames"] and 2 <= len(text) <= 3


def is_foreign(text: str) -> bool:
    return bool(_FOREIGN.fullmatch(text))


def is_name(text: str) -> bool:
    return is_chinese_name(text) or is_foreign(text)


def name_at(text: str, tokens: TokenIndex, pos: int) -> tuple[int, int] | None:
    """A name starting at ``pos`` (after spaces), made of whole segmenter tokens."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    token = tokens.by_start.get(pos)
    if token is None:
        return None
    end = pos + len(token.text)
    nxt = tokens.by_start.get(end)
    glued = people_rules().glued_verbs
    if token.text[-1:] in glued and is_chinese_name(token.text[:-1]):
        return pos, end - 1  # the segmenter glues 说 to a name: 王强说
    if is_chinese_name(token.text) or is_foreign(token.text):
        return pos, end
    if nxt is not None and nxt.text == "·" and (last := tokens.by_start.get(end + 1)) is not None:
        joined = end + 1 + len(last.text)
        return (pos, joined) if is_foreign(text[pos:joined]) else None  # 弗朗西斯 | · | 高锐
    if len(token.text) == 1 and nxt is not None:
        joined = token.text + nxt.text  # 刘 | 军国
        if joined[-1] in glued and is_chinese_name(joined[:-1]):
            return pos, end + len(nxt.text) - 1
        if is_chinese_name(joined):
            return pos, end + len(nxt.text)
    return None


def name_before(text: str, tokens: TokenIndex, pos: int) -> tuple[int, int] | None:
    """A name ending at ``pos``, made of whole segmenter tokens."""
    token = tokens.by_end.get(pos)
    if token is None:
        return None
    prev = tokens.by_end.get(token.idx)
    for start in (token.idx, prev.idx if prev is not None else None, _foreign_start(tokens, token)):
        if start is not None and name_at(text, tokens, start) == (start, pos):
            return start, pos
    return None


def _foreign_start(tokens: TokenIndex, token) -> int | None:
    dot = tokens.by_end.get(token.idx)
    if dot is None or dot.text != "·":
        return None
    first = tokens.by_end.get(dot.idx)
    return first.idx if first is not None else None


def transliteration_at(text: str, pos: int, excluded: frozenset[str] = frozenset()) -> tuple[int, int] | None:
    """A foreign name without ``·`` at ``pos`` (``古特雷斯``): 2–5 transliteration
    characters, followed by a word that may follow a name (表示, 在, ，)."""
    rules = people_rules()
    low, high = TRANSLITERATION_LENGTH
    run = pos
    while run < len(text) and run - pos < high and text[run] in rules.transliteration:
        run += 1
    followers = rules.words["name_followers"] | rules.words["reporting_verbs"]
    for end in range(run, pos + low - 1, -1):  # the longest name a follower comes after
        name = text[pos:end]
        if name in rules.words["not_names"] or name in excluded or is_chinese_name(name):
            continue
        if any(text.startswith(w, end) for w in followers):
            return pos, end
    return None


# ---------------------------------------------------------------- tagger proposals


def tagger_names(text: str, proposed: list[tuple[int, int]], not_names: frozenset[str]) -> list[tuple[int, int]]:
    """The name tagger's PERSON proposals that rules accept, cut to the name.

    ``not_names``: words that are no person here (countries, organisations).
    A proposal is kept when :func:`judge_proposal` accepts it, or when it is a
    member of a list ``X、Y、Z`` another member of which is kept and looks like
    a name itself (Han characters and ``·`` only, :data:`LIST_MEMBER_LENGTH`)."""
    judged = [judge_proposal(text, s, e, not_names) for s, e in proposed]
    kept = {i for i, span in enumerate(judged) if span is not None}
    for group in _lists(text, proposed):
        if kept & set(group):
            kept |= {i for i in group if _list_member(text, *_trim(text, *proposed[i]), not_names)}
    return [judged[i] or _trim(text, *proposed[i]) for i in sorted(kept)]


def judge_proposal(text: str, start: int, end: int, not_names: frozenset[str]) -> tuple[int, int] | None:
    """The name in a PERSON proposal ``[start, end)``, or None when rules reject it.

    The segmenter's tokens may widen a proposal (``刘某)``): it is cut to its
    Han characters and ``·``. A title glued to the end (``王某教授``) is cut off
    and the rest judged. Kept: a Chinese name (:func:`is_chinese_name`), a
    foreign name with ``·``, or one without ``·`` made of transliteration
    characters (:data:`TRANSLITERATION_LENGTH`) in a person's context, as
    :func:`transliteration_at` asks: a title right before it or a word that may
    follow a name after it (梅德韦杰夫表示), and no ``place_before`` word right
    before it (在达沃斯)."""
    rules = people_rules()
    start, end = _trim(text, start, end)
    name = text[start:end]
    title = next((t for t in sorted(rules.title_rule, key=len, reverse=True) if name.endswith(t)), None)
    if title is not None and len(name) > len(title):
        end -= len(title)
    elif name[-1:] in rules.glued_verbs and is_chinese_name(name[:-1]):
        end -= 1  # the segmenter glued 说 to the name, and the proposal was widened to it
    name = text[start:end]
    if not name or name in not_names or name in rules.words["tagger_not_people"]:
        return None
    if is_chinese_name(name) or is_foreign(name):
        return start, end
    low, high = TRANSLITERATION_LENGTH
    transliterated = low <= len(name) <= high and all(c in rules.transliteration for c in name)
    if not transliterated or name in rules.words["not_names"]:
        return None
    if any(text.endswith(w, 0, start) for w in rules.words["place_before"]):
        return None
    followers = rules.words["name_followers"] | rules.words["reporting_verbs"]
    titled = any(text.endswith(t, 0, start) for t in rules.title_rule)
    return (start, end) if titled or any(text.startswith(w, end) for w in followers) else None


LIST_MEMBER_LENGTH = (2, 8)
_LIST_SEPARATORS = ("、",)


def _lists(text: str, proposed: list[tuple[int, int]]) -> list[list[int]]:
    """Runs of proposals (indexes) written one after another with only ``、`` between."""
    groups: list[list[int]] = []
    for i, (start, _) in enumerate(proposed):
        if groups and text[proposed[groups[-1][-1]][1]:start] in _LIST_SEPARATORS:
            groups[-1].append(i)
        else:
            groups.append([i])
    return [g for g in groups if len(g) > 1]


def _list_member(text: str, start: int, end: int, not_names: frozenset[str]) -> bool:
    name = text[start:end]
    low, high = LIST_MEMBER_LENGTH
    rules = people_rules()
    if name in not_names or name in rules.words["tagger_not_people"] or name in rules.words["not_names"]:
        return False
    return low <= len(name) <= high and bool(_NAME_CHARS.fullmatch(name))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the characters at either end that no name has (``)``, ``|``)."""
    while start < end and not _NAME_CHARS.fullmatch(text[start]):
        start += 1
    while end > start and not _NAME_CHARS.fullmatch(text[end - 1]):
        end -= 1
    return start, end
