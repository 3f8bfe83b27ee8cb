"""Score predicted facts against gold annotations (`kb eval --gold DIR PRED_DIR`).

Both directories hold one YAML file per article in the shape of
``gold/seeds/*.yaml`` (see GUIDELINES.md). Files are paired by the stem of
their ``doc`` key, or by the file stem when ``doc`` is absent. Extra keys on
predicted records (``id``, ``provenance``, ...) are ignored. A gold article
without a prediction file counts as all misses; a prediction without gold is
ignored with a note.

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
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.clean.script import simplified
from kb.errors import InputError

RECORD_TYPES = ("events", "organizations", "people", "documents", "claims")
LABEL_KEY = {"events": "name", "organizations": "name", "people": "name", "documents": "title", "claims": "text"}
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "events": ("kind", "year", "edition", "start_date", "end_date", "location", "theme", "part_of"),
    "organizations": ("aliases", "founded"),
    "people": ("roles",),
    "documents": ("kind", "issuer", "date", "event"),
    "claims": ("value", "unit", "qualifier", "metric", "subject", "time", "source"),
}

# Whitespace, quotes and title marks; 「」『』 are the quotes of traditional-script text.
_STRIP = re.compile(r"[\s“”\"‘’'「」『』《》〈〉]")
_YEAR_PREFIX = re.compile(r"^(\d{4})年")
_EDITION_PREFIX = re.compile(r"^(首|第[〇零一二三四五六七八九十百\d]+)届")
Record = dict[str, Any]


def normalize_text(text: str | None) -> str:
    """NFKC, traditional → simplified, no whitespace/quotes/《》, Latin lower-cased."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFKC", str(text))
    return _STRIP.sub("", simplified(text)).lower()


# --- report -----------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float(self.fn == 0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float(self.fp == 0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass
class AttributeScore:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None

    def __add__(self, other: AttributeScore) -> AttributeScore:
        return AttributeScore(self.correct + other.correct, self.total + other.total)


@dataclass
class TypeReport:
    counts: Counts = field(default_factory=Counts)
    attributes: dict[str, AttributeScore] = field(default_factory=dict)

    @property
    def attribute_total(self) -> AttributeScore:
        return sum(self.attributes.values(), start=AttributeScore())


@dataclass(frozen=True)
class Fact:
    """A gold fact not found (miss) or a predicted fact not in gold (false fact)."""

    doc: str
    type: str
    name: str
    evidence: str


@dataclass(frozen=True)
class WrongAttribute:
    doc: str
    type: str
    record: str
    attribute: str
    gold: Any
    predicted: Any


@dataclass
class Report:
    types: dict[str, TypeReport]
    misses: list[Fact] = field(default_factory=list)
    false_facts: list[Fact] = field(default_factory=list)
    wrong_attributes: list[WrongAttribute] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _empty_report() -> Report:
    types = {t: TypeReport(attributes={a: AttributeScore() for a in ATTRIBUTES[t]}) for t in RECORD_TYPES}
    return Report(types=types)


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


def _attribute_equal(attribute: str, gold: Record, predicted: Record) -> bool:
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
    evidence_sim = _similarity(normalize_text(_evidence(gold)), normalize_text(_evidence(pred)))
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


# --- loading ----------------------------------------------------------------

_SUFFIXES = {".yaml", ".yml", ".json"}


def load_annotations(directory: str | Path) -> dict[str, tuple[Path, Mapping]]:
    """Annotation files of a directory by document key (stem of ``doc``, else of the file)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(directory, "not a directory of annotation files")
    found: dict[str, tuple[Path, Mapping]] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in _SUFFIXES):
        data = _read_annotation(path)
        key = Path(str(data.get("doc") or path.name)).stem
        if key in found:
            raise InputError(path, f"same document {key!r} as {found[key][0].name}")
        found[key] = (path, data)
    return found


def _read_annotation(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"not valid YAML: {getattr(err, 'problem', err)}", line) from err
    if not isinstance(data, Mapping):
        raise InputError(path, "expected a mapping with doc, events, organizations, people, documents, claims")
    return data


def _records(data: Mapping, record_type: str) -> list[Record]:
    return [r for r in data.get(record_type) or [] if isinstance(r, Mapping)]


def _evidence(record: Mapping) -> str:
    evidence = record.get("evidence")
    if isinstance(evidence, Mapping):
        evidence = evidence.get("quote") or evidence.get("text")
    if isinstance(evidence, list):
        return " / ".join(e for e in evidence if isinstance(e, str))
    return evidence if isinstance(evidence, str) else ""


def _label(record_type: str, record: Mapping) -> str:
    label = str(record.get(LABEL_KEY[record_type]) or "")
    if record_type == "claims" and record.get("metric"):
        label = f"{label} [{record['metric']}]"
    return label


# --- scoring ----------------------------------------------------------------


def evaluate(gold_dir: str | Path, pred_dir: str | Path) -> Report:
    """Score every prediction file of `pred_dir` against its gold file in `gold_dir`."""
    gold, pred = load_annotations(gold_dir), load_annotations(pred_dir)
    report = _empty_report()
    for key, (gold_path, gold_data) in sorted(gold.items()):
        if key not in pred:
            report.notes.append(f"{gold_path.name}: no prediction file; every gold fact counts as a miss")
        pred_data = pred[key][1] if key in pred else {}
        doc = str(gold_data.get("doc") or gold_path.name)
        for record_type in RECORD_TYPES:
            _score_records(report, doc, record_type, _records(gold_data, record_type), _records(pred_data, record_type))
    for key in sorted(set(pred) - set(gold)):
        report.notes.append(f"{pred[key][0].name}: no gold file for {key}; ignored")
    return report


def _score_records(report: Report, doc: str, record_type: str, gold: list[Record], pred: list[Record]) -> None:
    pairs = match_records(record_type, gold, pred)
    counts = report.types[record_type].counts
    counts.tp += len(pairs)
    counts.fn += len(gold) - len(pairs)
    counts.fp += len(pred) - len(pairs)
    matched_gold, matched_pred = {i for i, _ in pairs}, {j for _, j in pairs}
    report.misses += [_fact(doc, record_type, g) for i, g in enumerate(gold) if i not in matched_gold]
    report.false_facts += [_fact(doc, record_type, p) for j, p in enumerate(pred) if j not in matched_pred]
    for i, j in pairs:
        _score_attributes(report, doc, record_type, gold[i], pred[j])


def _fact(doc: str, record_type: str, record: Mapping) -> Fact:
    return Fact(doc, record_type, _label(record_type, record), _evidence(record))


def _score_attributes(report: Report, doc: str, record_type: str, gold: Record, pred: Record) -> None:
    for attribute in ATTRIBUTES[record_type]:
        score = report.types[record_type].attributes[attribute]
        score.total += 1
        if _attribute_equal(attribute, gold, pred):
            score.correct += 1
        else:
            report.wrong_attributes.append(WrongAttribute(
                doc, record_type, _label(record_type, gold), attribute, gold.get(attribute), pred.get(attribute)))


# --- formatting -------------------------------------------------------------


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _summary_row(name: str, counts: Counts, attributes: AttributeScore) -> str:
    accuracy = f"{_number(attributes.accuracy)} ({attributes.correct}/{attributes.total})"
    scores = " | ".join(_number(x) for x in (counts.precision, counts.recall, counts.f1))
    return f"| {name} | {scores} | {counts.tp} | {counts.fp} | {counts.fn} | {accuracy} |"


def markdown_table(report: Report) -> str:
    """One row per record type plus a micro-averaged `all` row, for a README."""
    lines = ["| type | P | R | F1 | tp | fp | fn | attribute accuracy |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    types = report.types.values()
    lines += [_summary_row(name, t.counts, t.attribute_total) for name, t in report.types.items()]
    lines.append(_summary_row("all", sum((t.counts for t in types), start=Counts()),
                              sum((t.attribute_total for t in types), start=AttributeScore())))
    return "\n".join(lines)


def _type_section(name: str, type_report: TypeReport) -> list[str]:
    c = type_report.counts
    lines = [f"## {name}",
             f"P {_number(c.precision)}  R {_number(c.recall)}  F1 {_number(c.f1)}  (tp {c.tp}, fp {c.fp}, fn {c.fn})",
             "", "| attribute | correct/total | accuracy |", "|---|---:|---:|"]
    for attribute, score in type_report.attributes.items():
        lines.append(f"| {attribute} | {score.correct}/{score.total} | {_number(score.accuracy)} |")
    return lines + [""]


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def format_report(report: Report) -> str:
    """The summary table, per-type tables, then every miss, false fact and wrong attribute."""
    lines = [markdown_table(report), ""]
    for name, type_report in report.types.items():
        lines += _type_section(name, type_report)
    for title, facts in (("misses: gold facts not found", report.misses),
                         ("false facts: predicted, not in gold", report.false_facts)):
        lines.append(f"## {title} ({len(facts)})")
        lines += [f"- {f.doc} {f.type}: {f.name} — “{f.evidence}”" for f in facts] + [""]
    lines.append(f"## wrong attributes ({len(report.wrong_attributes)})")
    lines += [f"- {w.doc} {w.type}: {w.record} · {w.attribute}: gold {_show(w.gold)} ≠ predicted {_show(w.predicted)}"
              for w in report.wrong_attributes]
    if report.notes:
        lines.append(f"\n## notes ({len(report.notes)})")
        lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"
