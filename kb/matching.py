"""How `kb eval` pairs gold and predicted records and compares their values.

Matching is one-to-one per article and record type: every (gold, predicted)
pair that may match gets a rank (tier, then name similarity), and pairs are
taken greedily best rank first.

- events: tier 0 same name; tier 1 same series and year, the series being the
  name without a leading ``YYYY年`` or ``首届``/``第N届`` (``第三届世界互联网大会``
  of 2016 is ``2016年世界互联网大会``); tier 2, a near miss: same kind and year
  (null == null) and one series contains the other (>= 2 characters).
- organizations: tier 0 same name; tier 1 one name is among the other's aliases.
- people: same name.
- documents: tier 0 same title and kind; tier 1 same title, kind scored wrong.
- claims: equal value and ``text`` fields sharing a character; tier 0 same
  unit, tier 1 other unit (scored wrong); ties broken by text, then evidence
  similarity.

Names and string attributes are compared after `normalize_text`; numbers with
relative tolerance 1e-9 (a numeric string equals its number); dates as ISO
strings; lists (aliases, roles) as sets; null equals null. Cross-references
(``part_of``, ``issuer``, ``subject`` ...) are compared as normalised strings,
not through the matching.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from kb.clean.script import simplified

# Whitespace, quotes and title marks; 「」『』 are the quotes of traditional-script text.
_STRIP = re.compile(r"[\s“”\"‘’'「」『』《》〈〉]")
_YEAR_PREFIX = re.compile(r"^(\d{4})年")
_EDITION_PREFIX = re.compile(r"^(首|第[〇零一二三四五六七八九十百\d]+)届")
Record = dict[str, Any]  # one annotated record, as read from YAML


def normalize_text(text: str | None) -> str:
    """NFKC, traditional → simplified, no whitespace/quotes/《》, Latin lower-cased."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _STRIP.sub("", simplified(text)).lower()


# --- value comparison -------------------------------------------------------


def canonical(value: Any) -> Any:
    """The comparable form of an attribute value (see the module docstring)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return frozenset(canonical(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted(((str(k), canonical(v)) for k, v in value.items()), key=lambda kv: kv[0]))
    return normalize_text(value)


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def values_equal(gold: Any, predicted: Any) -> bool:
    a, b = canonical(gold), canonical(predicted)
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = _as_float(a), _as_float(b)
        if fa is not None and fb is not None:
            return math.isclose(fa, fb, rel_tol=1e-9)
    return a == b


def _roles(record: Record) -> frozenset:
    roles = record.get("roles") or []
    return frozenset(
        (normalize_text(r.get("title")), normalize_text(r.get("organization")))
        for r in roles if isinstance(r, Mapping)
    )


def attribute_equal(attribute: str, gold: Record, predicted: Record) -> bool:
    if attribute == "roles":
        return _roles(gold) == _roles(predicted)
    if attribute == "aliases":
        return _names(gold.get("aliases")) == _names(predicted.get("aliases"))
    return values_equal(gold.get(attribute), predicted.get(attribute))


# --- matching ---------------------------------------------------------------

Rank = tuple[float, ...]


def _names(values: Any) -> frozenset[str]:
    return frozenset(normalize_text(v) for v in values or [] if v is not None) - {""}


def _similarity(a: str, b: str) -> float:
    """Dice coefficient of the two strings' character sets."""
    sa, sb = set(a), set(b)
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa or sb else 0.0


def _series(name: str) -> str:
    return _EDITION_PREFIX.sub("", _YEAR_PREFIX.sub("", name))


def _event_year(record: Record, name: str) -> float | None:
    year = _as_float(record.get("year"))
    if year is None and (m := _YEAR_PREFIX.match(name)):
        return float(m.group(1))
    return year


def _contains(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return len(shorter) >= 2 and shorter in longer


def _rank_event(gold: Record, pred: Record) -> Rank | None:
    gn, pn = normalize_text(gold.get("name")), normalize_text(pred.get("name"))
    sim = _similarity(gn, pn)
    if gn and gn == pn:
        return (0, -sim)
    gs, ps = _series(gn), _series(pn)
    gy, py = _event_year(gold, gn), _event_year(pred, pn)
    if gy is not None and gy == py and gs and gs == ps:
        return (1, -sim)
    if gy == py and values_equal(gold.get("kind"), pred.get("kind")) and _contains(gs, ps):
        return (2, -sim)
    return None


def _rank_organization(gold: Record, pred: Record) -> Rank | None:
    gn, pn = normalize_text(gold.get("name")), normalize_text(pred.get("name"))
    if gn and gn == pn:
        return (0, 0.0)
    if (gn and gn in _names(pred.get("aliases"))) or (pn and pn in _names(gold.get("aliases"))):
        return (1, -_similarity(gn, pn))
    return None


def _rank_person(gold: Record, pred: Record) -> Rank | None:
    gn = normalize_text(gold.get("name"))
    return (0,) if gn and gn == normalize_text(pred.get("name")) else None


def _rank_document(gold: Record, pred: Record) -> Rank | None:
    gt = normalize_text(gold.get("title"))
    if not gt or gt != normalize_text(pred.get("title")):
        return None
    return (0 if values_equal(gold.get("kind"), pred.get("kind")) else 1,)


def _rank_claim(gold: Record, pred: Record) -> Rank | None:
    if not values_equal(gold.get("value"), pred.get("value")):
        return None
    text_sim = _similarity(normalize_text(gold.get("text")), normalize_text(pred.get("text")))
    if text_sim == 0:
        return None
    evidence_sim = _similarity(normalize_text(evidence(gold)), normalize_text(evidence(pred)))
    unit_tier = 0 if values_equal(gold.get("unit"), pred.get("unit")) else 1
    return (unit_tier, -text_sim, -evidence_sim)


RANKERS: dict[str, Callable[[Record, Record], Rank | None]] = {
    "events": _rank_event,
    "organizations": _rank_organization,
    "people": _rank_person,
    "documents": _rank_document,
    "claims": _rank_claim,
}


def match_records(record_type: str, gold: list[Record], pred: list[Record]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs, taken greedily best rank first."""
    rank = RANKERS[record_type]
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            key = rank(g, p)
            if key is not None:
                candidates.append((key, i, j))
    return _greedy_pairs(sorted(candidates))


def _greedy_pairs(candidates: list[tuple[Rank, int, int]]) -> list[tuple[int, int]]:
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_gold and j not in used_pred:
            used_gold.add(i)
            used_pred.add(j)
            pairs.append((i, j))
    return sorted(pairs)


def evidence(record: Mapping) -> str:
    evidence = record.get("evidence")
    if isinstance(evidence, Mapping):
        evidence = evidence.get("quote") or evidence.get("text")
    if isinstance(evidence, list):
        return " / ".join(e for e in evidence if isinstance(e, str))
    return evidence if isinstance(evidence, str) else ""
