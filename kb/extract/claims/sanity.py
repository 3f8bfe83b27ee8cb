"""The last check of a metric: it must read as a noun phrase, else a safe fallback.

A metric is built from the words around a figure, and odd sentences give odd
words (``但“仍``, ``占GDP比重比重``, ``设置和多场分论坛论坛数``). :func:`sane_metric`
cleans what can be cleaned — quote marks, spaces of the page's layout, a leading conjunction or adverb
(``metric_openers`` of ``rules/claims.yaml``), a segment written twice in a
row — and rejects what is no noun phrase: a metric holding a count of its own
(``多场``, ``20个``), or ending in a function word or a verb particle. A
rejected metric of a count falls back to the counted noun + ``数`` when the
noun is written with the figure (``20个分论坛`` → ``分论坛数``), else to null:
a precise miss beats an invented fact.
"""

from __future__ import annotations

import re

from kb.extract.claims.text import QUOTES
from kb.extract.claims.rules import ClaimRules
from kb.normalise.numbers import Quantity

_REPEATED = re.compile(r"(.{2,}?)\1")
# a space next to a non-ASCII character is page layout (广受关注 的报告), one between Latin words is not
_LAYOUT_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def clean_metric(metric: str, rules: ClaimRules) -> str:
    """``metric`` without quote marks, layout spaces, leading conjunctions/adverbs and doubled segments, with
    one word for the variants of its first one (``metric_forms``: 参加嘉宾数 → 参会嘉宾数)."""
    metric = _LAYOUT_SPACE.sub("", "".join(c for c in metric if c not in QUOTES)).strip()
    while (m := rules.metric_openers.match(metric)) and len(metric) > m.end():
        metric = metric[m.end():]
    if rules.metric_openers.fullmatch(metric):
        return ""
    variant = next((v for v, _ in rules.metric_forms if metric.startswith(v)), None)
    if variant is not None:
        metric = dict(rules.metric_forms)[variant] + metric[len(variant):]
    return _REPEATED.sub(r"\1", metric)


def _noun_phrase(metric: str, rules: ClaimRules) -> bool:
    """Not empty, not starting or ending in a function word, holding no list (、), no doubled
    particle (申报的的国家数) and no count (多场分论坛, 20个: a list or a clause)."""
    if not metric or metric.endswith(rules.not_metric_ends) or metric.startswith(rules.not_metric_starts):
        return False
    de = rules.possessive
    return de + de not in metric and "、" not in metric and not rules.count_inside.search(metric)


def sane_metric(metric: str | None, q: Quantity, counted: str, rules: ClaimRules) -> str | None:
    """``metric`` cleaned if it reads as a noun phrase; else ``counted`` + 数 for a count whose noun is
    written with the figure, else None. ``counted`` is the noun the figure counts (20个分论坛 → 分论坛)."""
    if metric is None:
        return None
    cleaned = clean_metric(metric, rules)
    if _noun_phrase(cleaned, rules):
        return cleaned
    written = q.kind == "count" and counted and q.text.endswith(counted)
    return f"{counted}{rules.words.count}" if written else None
