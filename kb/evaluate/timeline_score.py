"""A built knowledge base's summit timeline against a reference (``kb eval --timeline REF OUT``).

The reference is YAML: ``summits:``, a list of one mapping per summit year
with ``year`` and any of ``start_date``, ``end_date``, ``location``,
``theme``. Every field a reference entry holds is scored, ``null`` included
(a date the articles never state must stay null). The knowledge base in OUT
(from ``kb build --out OUT``) gives, per year, its merged ``summit`` events;
a year with no summit gets every field wrong, and a year with several
summit records is scored on the first and noted, since one occurrence must
be one record. Values are compared as :func:`kb.evaluate.matching.normalize_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.errors import InputError
from kb.store.files import load_yaml
from kb.evaluate.matching import normalize_text
from kb.records.models import Event

FIELDS = ("start_date", "end_date", "location", "theme")


@dataclass(frozen=True)
class WrongField:
    year: int
    field: str
    expected: Any
    found: Any


@dataclass
class TimelineScore:
    right: int = 0
    total: int = 0
    wrong: list[WrongField] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return self.right / self.total if self.total else None


def load_reference(path: str | Path) -> list[Mapping]:
    """The summits of a reference file; an InputError names the file and what is wrong."""
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "reference file not found") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(path, f"not valid YAML: {getattr(err, 'problem', err)}", mark.line + 1 if mark else None) from None
    summits = data.get("summits") if isinstance(data, Mapping) else None
    if not isinstance(summits, list) or not all(isinstance(s, Mapping) and isinstance(s.get("year"), int) for s in summits):
        raise InputError(path, "expected `summits:`, a list of mappings each with an integer `year`")
    unknown = {k for s in summits for k in s} - {"year", *FIELDS}
    if unknown:
        raise InputError(path, f"unknown summit fields: {', '.join(sorted(map(str, unknown)))}")
    return summits


def score_timeline(reference: list[Mapping], events: list[Event]) -> TimelineScore:
    """Fields of the reference summits that the summit events get right."""
    by_year: dict[int, list[Event]] = {}
    for event in events:
        if event.kind == "summit" and event.year is not None:
            by_year.setdefault(event.year, []).append(event)
    score = TimelineScore()
    for summit in sorted(reference, key=lambda s: s["year"]):
        year = summit["year"]
        found = by_year.get(year, [])
        if not found:
            score.notes.append(f"{year}: no summit record")
        elif len(found) > 1:
            score.notes.append(f"{year}: {len(found)} summit records ({', '.join(e.name for e in found)})")
        for name in (f for f in FIELDS if f in summit):
            _score_field(score, year, name, summit[name], getattr(found[0], name) if found else None, bool(found))
    extra = sorted(set(by_year) - {s["year"] for s in reference})
    if extra:
        score.notes.append(f"summits not in the reference (not scored): {', '.join(map(str, extra))}")
    return score


def _score_field(score: TimelineScore, year: int, name: str, expected: Any, found: Any, present: bool) -> None:
    score.total += 1
    if present and normalize_text(expected) == normalize_text(found):
        score.right += 1
    else:
        score.wrong.append(WrongField(year, name, expected, found))


def format_timeline_score(score: TimelineScore) -> str:
    accuracy = "—" if score.accuracy is None else f"{score.accuracy:.3f}"
    lines = [f"summit timeline: {score.right}/{score.total} fields right ({accuracy})"]
    lines += [f"- {w.year} {w.field}: expected {w.expected!r}, found {w.found!r}" for w in score.wrong]
    lines += [f"note: {n}" for n in score.notes]
    return "\n".join(lines) + "\n"


def timeline_score_json(score: TimelineScore) -> dict:
    return {"right": score.right, "total": score.total, "accuracy": score.accuracy,
            "wrong": [asdict(w) for w in score.wrong], "notes": score.notes}
