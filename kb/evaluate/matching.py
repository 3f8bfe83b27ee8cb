"""How `kb eval` pairs gold and predicted records and compares their values.

The same judgement as the official scorer (``shared/score.py``), so that
``kb eval`` and the scorer report the same numbers:

- names are compared after :func:`normalize_text` (NFKC, traditional →
  simplified, no whitespace or punctuation, Latin lower-cased);
- organizations match when a name or alias of one equals a name or alias of
  the other; people by name; documents by title;
- events match by equal name, or by equal year (the ``year`` field, else the
  first year in the name) and one name containing the other once years and
  ``首届``/``第N届`` are removed;
- claims match by value (relative 1e-6) and compatible units: equal, one
  containing the other, or ``人`` against a noun for people (``嘉宾``).

Pairing is greedy, gold record by gold record in file order: among the
unused predicted records that match, those of the same ``kind`` come first,
then the one that gets most of the gold's attributes right (the earliest on a
tie). Attributes are scored only where the gold states them (not null, not
empty); see :func:`attribute_equal` for how each is compared.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from kb.clean.script import simplified

Record = dict[str, Any]  # one annotated record, as read from YAML

# The attributes scored on a matched record, per record type.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "events": ("year", "edition", "start_date", "end_date", "location", "theme", "kind"),
    "organizations": ("founded",),
    "people": ("roles",),
    "documents": ("kind", "issuer", "date", "event"),
    "claims": ("qualifier", "metric", "subject", "time", "source"),
}
# Compared loosely: equal, or one contains the other.
_CONTAINED = {"metric", "subject", "issuer", "event", "theme", "location", "source"}
_PUNCT = re.compile(r"[\s《》〈〉“”\"'‘’「」『』（）()【】\[\]，,。.:：;；、·•‧・\-—–_/]+")
_YEAR_OR_EDITION = re.compile(r"\d{4}年?|第.届|首届")
_YEAR = re.compile(r"(19|20)\d{2}")
# Nouns for people: a count of them written with the unit 人 is the same claim.
PERSON_NOUNS = frozenset({"人", "嘉宾", "代表", "网民", "用户", "参会者", "投资人", "领导人", "官员",
                          "负责人", "精英", "专家", "创业者", "记者", "学者", "观众", "青年"})


def normalize_text(text: Any) -> str:
    """NFKC, traditional → simplified, without whitespace and punctuation, Latin lower-cased."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _PUNCT.sub("", simplified(text)).lower()


def stated(value: Any) -> bool:
    """Whether a gold attribute states something (null and empty state nothing)."""
    return value not in (None, [], "")


# --- value comparison -------------------------------------------------------


def _as_float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def values_equal(gold: Any, predicted: Any) -> bool:
    """Numbers within 1e-9 relative (a numeric string equals its number), else normalised text."""
    a, b = _as_float(gold), _as_float(predicted)
    if a is not None and b is not None and not isinstance(gold, bool) and not isinstance(predicted, bool):
        return math.isclose(a, b, rel_tol=1e-9)
    if isinstance(gold, (list, tuple, set)) or isinstance(predicted, (list, tuple, set)):
        return _name_set(gold) == _name_set(predicted)
    return normalize_text(gold) == normalize_text(predicted)


def _name_set(values: Any) -> frozenset[str]:
    return frozenset(normalize_text(v) for v in values or [] if v is not None) - {""}


def _titles(roles: Any) -> set[str]:
    return {normalize_text(r.get("title")) for r in roles or [] if isinstance(r, Mapping)}


def attribute_equal(attribute: str, gold: Any, predicted: Any) -> bool:
    """Whether a predicted attribute value counts as the gold one.

    ``time`` may be more precise than the gold (``2024-11`` for ``2024``),
    never coarser; ``roles`` are right when every gold title is predicted;
    cross-references, places, themes and metrics may contain each other.
    """
    a, b = normalize_text(gold), normalize_text(predicted)
    if attribute == "time" and a and b.startswith(a):
        return True
    if attribute == "roles":
        return _titles(gold) <= _titles(predicted)
    if attribute in _CONTAINED:
        return a == b or (bool(a) and bool(b) and (a in b or b in a))
    return a == b


def agreement(record_type: str, gold: Record, pred: Record) -> int:
    """How many of the gold's stated attributes `pred` gets right."""
    return sum(attribute_equal(a, gold.get(a), pred.get(a)) for a in ATTRIBUTES[record_type] if stated(gold.get(a)))


# --- matching ---------------------------------------------------------------


def _names(record: Record, key: str) -> set[str]:
    names = {normalize_text(record.get(key))} | {normalize_text(a) for a in record.get("aliases") or []}
    return names - {""}


def _event_year(record: Record) -> int | None:
    year = record.get("year")
    if year is None and (m := _YEAR.search(str(record.get("name") or ""))):
        year = m.group(0)
    try:
        return int(year) if year is not None else None
    except (TypeError, ValueError):
        return None


def _events_match(gold: Record, pred: Record) -> bool:
    gn, pn = normalize_text(gold.get("name")), normalize_text(pred.get("name"))
    if gn and gn == pn:
        return True
    if _event_year(gold) != _event_year(pred):
        return False
    gs, ps = _YEAR_OR_EDITION.sub("", gn), _YEAR_OR_EDITION.sub("", pn)
    return bool(gs and ps) and (gs in ps or ps in gs)


def _is_person(unit: str) -> bool:
    return unit in PERSON_NOUNS or any(unit.endswith(n) for n in PERSON_NOUNS)


def units_compatible(gold: Any, predicted: Any) -> bool:
    a, b = normalize_text(gold), normalize_text(predicted)
    if not a or not b:
        return a == b
    if a == b or a in b or b in a:
        return True
    return "人" in (a, b) and _is_person(a) and _is_person(b)


def _claims_match(gold: Record, pred: Record) -> bool:
    gv, pv = _as_float(gold.get("value")), _as_float(pred.get("value"))
    if gv is None or pv is None:
        return False
    return math.isclose(gv, pv, rel_tol=1e-6, abs_tol=1e-9) and units_compatible(gold.get("unit"), pred.get("unit"))


def records_match(record_type: str, gold: Record, pred: Record) -> bool:
    """Whether `pred` may be paired with `gold` (before the one-to-one choice)."""
    if record_type == "organizations":
        return bool(_names(gold, "name") & _names(pred, "name"))
    if record_type in ("people", "documents"):
        key = "name" if record_type == "people" else "title"
        return normalize_text(gold.get(key)) == normalize_text(pred.get(key)) != ""
    if record_type == "events":
        return _events_match(gold, pred)
    if record_type == "claims":
        return _claims_match(gold, pred)
    return False


def _best(record_type: str, gold: Record, pred: list[Record], candidates: list[int]) -> int | None:
    kind = normalize_text(gold.get("kind"))
    same_kind = [j for j in candidates if kind and normalize_text(pred[j].get("kind")) == kind]
    pool = sorted(same_kind or candidates, key=lambda j: -agreement(record_type, gold, pred[j]))
    return pool[0] if pool else None


def match_records(record_type: str, gold: list[Record], pred: list[Record]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs, chosen gold record by gold record."""
    used: set[int] = set()
    pairs = []
    for i, g in enumerate(gold):
        candidates = [j for j, p in enumerate(pred) if j not in used and records_match(record_type, g, p)]
        j = _best(record_type, g, pred, candidates)
        if j is not None:
            used.add(j)
            pairs.append((i, j))
    return pairs


def evidence(record: Mapping) -> str:
    evidence = record.get("evidence")
    if isinstance(evidence, Mapping):
        evidence = evidence.get("quote") or evidence.get("text")
    if isinstance(evidence, list):
        return " / ".join(e for e in evidence if isinstance(e, str))
    return evidence if isinstance(evidence, str) else ""
