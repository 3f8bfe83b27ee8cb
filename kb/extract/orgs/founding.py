"""When an organisation was founded, from founding frames in ``rules/organizations.yaml``.

A frame (section ``founding``) is a regex for the words that state a founding
(``成立``, ``正式成立``, ``挂牌``, ``成立于``, ``发展为常设国际组织``). A frame
gives a founding date only when, in the same clause, it has

- the organisation founded: the mention right after it, past a ``founding_objects``
  word (``成立的X``, ``成立了X``) or, when nothing follows, the subject before it, separated only
  by words allowed in ``founding_gaps`` (``X于2022年在北京成立``);
- a date, resolved by :func:`kb.normalise.dates.find_dates`: before the frame
  (``date: before``), where a clause that is only a date also counts
  (``2022年7月12日，X成立``), or right after it (``date: after``: ``X成立于2014年``,
  ``X成立大会7月12日在北京举行``); a frame's ``date_lead`` must end right before
  the date (``自`` in ``X自去年7月成立以来``).

Words after a frame that make it another time (``成立后``, ``成立十周年``,
``成立大会``: ``founding_not_after``) or before it that make it no founding
(``将成立``: ``founding_not_before``) cancel it; words before it that make the
subject a founder (``联合成立``: ``founding_founders``) leave only the
organisation after it. Dates inside ``founding_masks`` spans (``以…为契机``)
never count. A frame without a date gives nothing: a precise miss is better
than an invented fact. Not supported: founding dates stated in another
sentence than the organisation (``该组织于2022年成立`` with no name).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Literal, Protocol

from pydantic import Field
from spacy.tokens import Doc

from kb.extract.candidates import rule_matches
from kb.normalise.dates import DateMention
from kb.nlp.pipeline import provenance, text_of
from kb.nlp.text import CLAUSE_ENDS, SENTENCE_ENDS
from kb.records.models import Provenance
from kb.rules.ruleset import Regex, Rule, load_section, rule_builder, rule_path

_CLAUSE_END = re.compile(f"[{re.escape(CLAUSE_ENDS)}]")
_SPACES = re.compile(r"\s*")
_CLAUSE_PADDING = " \t”’」』）)》\"\u3000"  # a quote closed before a date-only clause


class FoundingFrame(Rule):
    pattern: Regex
    date: Literal["before", "after"] = "before"
    date_lead: Regex | None = None  # must end right before the date (自 in 自…成立以来)


class FoundingPatterns(Rule):
    patterns: list[Annotated[Regex, Field(min_length=1)]] = Field(min_length=1)


class OrgSpan(Protocol):
    start: int
    end: int
    name: str


@dataclass(frozen=True)
class FoundingRules:
    frames: tuple[tuple[FoundingFrame, re.Pattern[str]], ...]
    gap: re.Pattern[str]  # what may stand between the subject and the frame
    not_after: re.Pattern[str]  # after a frame: 成立后, 成立十周年
    not_before: re.Pattern[str]  # before a frame: 将成立, 不成立
    founders: re.Pattern[str]  # before a frame: 联合成立 (the subject is a founder)
    masks: re.Pattern[str]  # spans whose dates do not count: 以…为契机
    objects: re.Pattern[str]  # between a frame and the organisation founded: 成立了X, 成立的“X”


@dataclass(frozen=True)
class Founding:
    """``name`` founded at ``date`` (ISO, as precise as stated), stated at ``provenance``."""

    name: str
    date: str
    provenance: Provenance


def _either(path, section: str) -> str:
    patterns = [p for rule in load_section(path, section, FoundingPatterns) for p in rule.patterns]
    return "|".join(f"(?:{p})" for p in patterns)


@rule_builder
def founding_rules() -> FoundingRules:
    """The founding sections of ``rules/organizations.yaml``, validated and compiled once."""
    path = rule_path("organizations")
    return FoundingRules(
        frames=tuple((f, re.compile(f.pattern)) for f in load_section(path, "founding", FoundingFrame)),
        gap=re.compile(f"(?:{_either(path, 'founding_gaps')})*"),
        not_after=re.compile(_either(path, "founding_not_after")),
        not_before=re.compile(f"(?:{_either(path, 'founding_not_before')})$"),
        founders=re.compile(f"(?:{_either(path, 'founding_founders')})$"),
        masks=re.compile(_either(path, "founding_masks")),
        objects=re.compile(_either(path, "founding_objects")),
    )


def find_foundings(doc: Doc, mentions: list[OrgSpan]) -> list[Founding]:
    """Every founding statement of ``doc`` about one of ``mentions`` (clean-text spans), in text order."""
    text, rules = text_of(doc), founding_rules()
    masks = [m.span() for m in rules.masks.finditer(text)]
    dates = [m.value for m in rule_matches(doc, "DATE", "date") if _usable(m.value, masks)]
    out = []
    for frame, pattern in rules.frames:
        for m in pattern.finditer(text):
            if rules.not_after.match(text, m.end()) or _ends_with(rules.not_before, text, m.start()):
                continue
            clause = _clause(text, m.start())
            org = _founded(text, mentions, dates, m, clause)
            date = _date_before(text, dates, m, clause) if frame.date == "before" else _date_after(text, dates, m)
            if org is None or date is None or not _led_by(frame, text, date):
                continue
            start, end = min(org.start, date.start), max(org.end, date.end, m.end())
            out.append(Founding(org.name, date.value, Provenance(**provenance(doc, start, end, frame.id))))
    return sorted(out, key=lambda f: f.provenance.start)


def _usable(date: DateMention, masks: list[tuple[int, int]]) -> bool:
    """A single resolved date (not a range or period start), not inside a mask (以…为契机)."""
    if date.value is None or date.end_value or date.since:
        return False
    return not any(start <= date.start < end for start, end in masks)


def _led_by(frame: FoundingFrame, text: str, date: DateMention) -> bool:
    """The frame's ``date_lead`` (if any) ends right before the date."""
    if frame.date_lead is None:
        return True
    return re.search(f"(?:{frame.date_lead})$", text[max(0, date.start - 4):date.start]) is not None


def _ends_with(pattern: re.Pattern[str], text: str, pos: int) -> bool:
    return pattern.search(text, max(0, pos - 8), pos) is not None


def _clause(text: str, pos: int) -> tuple[int, int]:
    """``[start, end)`` of the clause holding ``pos``, found by bisection: a search back
    from the start of the text for each frame is quadratic on a long article."""
    ends = _clause_ends(text)
    i = bisect_right(ends, pos)
    return (ends[i - 1] if i else 0), (ends[i] - 1 if i < len(ends) else len(text))


@lru_cache(maxsize=2)
def _clause_ends(text: str) -> list[int]:
    """The offset just after every clause-ending character of ``text``."""
    return [m.end() for m in _CLAUSE_END.finditer(text)]


def _founded(
    text: str, mentions: list[OrgSpan], dates: list[DateMention], m: re.Match[str], clause: tuple[int, int],
) -> OrgSpan | None:
    """The mention right after the frame (成立的X), else its subject (X在北京成立)."""
    lead = founding_rules().objects.match(text, m.end())
    after = lead.end() if lead else m.end()
    for org in mentions:
        if org.start == after:
            return org
    if after > m.end() or _ends_with(founding_rules().founders, text, m.start()):
        return None  # 成立了一个实验室, 联合成立: the subject founded something else
    before = [o for o in mentions if clause[0] <= o.start and o.end <= m.start()]
    if not before:
        return None
    org = max(before, key=lambda o: o.end)
    gap = "".join(c for i, c in enumerate(text[org.end:m.start()], org.end) if not _in_date(i, dates))
    return org if founding_rules().gap.fullmatch(gap) else None


def _in_date(pos: int, dates: list[DateMention]) -> bool:
    return any(d.start <= pos < d.end for d in dates)


def _date_before(text: str, dates: list[DateMention], m: re.Match[str], clause: tuple[int, int]) -> DateMention | None:
    """The last date in the clause before the frame, else a date-only clause just before it."""
    inside = [d for d in dates if clause[0] <= d.start and d.end <= m.start()]
    if inside:
        return inside[-1]
    if clause[0] == 0 or text[clause[0] - 1] in SENTENCE_ENDS:
        return None
    previous = _clause(text, clause[0] - 1)
    lead = [d for d in dates if d.start >= previous[0] and d.end <= previous[1]]
    if len(lead) == 1 and text[previous[0]:previous[1]].strip(_CLAUSE_PADDING) == lead[0].text:
        return lead[0]
    return None


def _date_after(text: str, dates: list[DateMention], m: re.Match[str]) -> DateMention | None:
    """The date right after the frame: 成立于2014年."""
    start = _SPACES.match(text, m.end()).end()
    return next((d for d in dates if d.start == start), None)
