"""Score predicted facts against gold annotations (`kb eval --gold DIR PRED_DIR`).

Both directories hold one YAML file per article in the shape of
``gold/seeds/*.yaml`` (see GUIDELINES.md); a file may also hold a list of
such mappings. Articles are paired by the stem of their ``doc`` key, or by
the file stem when ``doc`` is absent (the official scorer skips such a file).
Extra keys on predicted records (``id``, ``provenance``, ...) are ignored. A
gold article without a prediction counts as all misses; a prediction without
gold is ignored with a note.

How records are matched and compared: :mod:`kb.evaluate.matching`, the official
scorer's rules; the counts, F1 and attribute accuracies are the scorer's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.errors import InputError
from kb.store.files import load_yaml
from kb.evaluate.matching import ATTRIBUTES, Record, attribute_equal, evidence, match_records, stated

RECORD_TYPES = ("events", "organizations", "people", "documents", "claims")
LABEL_KEY = {"events": "name", "organizations": "name", "people": "name", "documents": "title", "claims": "text"}

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
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

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


@dataclass(frozen=True)
class Judged:
    """A predicted record and whether it matched a gold record (a true fact)."""

    doc: str
    type: str
    record: Record
    true: bool


@dataclass
class Report:
    types: dict[str, TypeReport]
    judged: list[Judged] = field(default_factory=list)
    misses: list[Fact] = field(default_factory=list)
    false_facts: list[Fact] = field(default_factory=list)
    wrong_attributes: list[WrongAttribute] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _empty_report() -> Report:
    types = {t: TypeReport(attributes={a: AttributeScore() for a in ATTRIBUTES[t]}) for t in RECORD_TYPES}
    return Report(types=types)


# --- loading ----------------------------------------------------------------

_SUFFIXES = {".yaml", ".yml", ".json"}


def load_annotations(directory: str | Path) -> dict[str, tuple[Path, Mapping]]:
    """Annotation files of a directory by document key (stem of ``doc``, else of the file)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(directory, "not a directory of annotation files")
    found: dict[str, tuple[Path, Mapping]] = {}
    for path in sorted(p for p in directory.iterdir() if p.suffix in _SUFFIXES):
        for data in _read_annotation(path):
            key = Path(str(data.get("doc") or path.name)).stem
            if key in found:
                raise InputError(path, f"same document {key!r} as {found[key][0].name}")
            found[key] = (path, data)
    return found


def _read_annotation(path: Path) -> list[Mapping]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(path, f"not valid YAML: {getattr(err, 'problem', err)}", line) from err
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, Mapping) for item in items):
        raise InputError(path, "expected a mapping with doc, events, organizations, people, documents, claims")
    return items


def _records(data: Mapping, record_type: str) -> list[Record]:
    return [r for r in data.get(record_type) or [] if isinstance(r, Mapping)]


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
    report.judged += [Judged(doc, record_type, p, j in matched_pred) for j, p in enumerate(pred)]
    for i, j in pairs:
        _score_attributes(report, doc, record_type, gold[i], pred[j])


def _fact(doc: str, record_type: str, record: Mapping) -> Fact:
    return Fact(doc, record_type, _label(record_type, record), evidence(record))


def _score_attributes(report: Report, doc: str, record_type: str, gold: Record, pred: Record) -> None:
    for attribute in ATTRIBUTES[record_type]:
        if not stated(gold.get(attribute)):
            continue
        score = report.types[record_type].attributes[attribute]
        score.total += 1
        if attribute_equal(attribute, gold.get(attribute), pred.get(attribute)):
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


def report_json(report: Report) -> dict:
    """Counts, P/R/F1 and attribute accuracy per type and for all (``kb eval --json``)."""
    def scores(counts: Counts, attributes: AttributeScore) -> dict:
        return {"tp": counts.tp, "fp": counts.fp, "fn": counts.fn, "precision": counts.precision,
                "recall": counts.recall, "f1": counts.f1, "attributes": [attributes.correct, attributes.total]}

    types = {name: {**scores(t.counts, t.attribute_total),
                    "by_attribute": {a: [s.correct, s.total] for a, s in t.attributes.items()}}
             for name, t in report.types.items()}
    total = sum((t.counts for t in report.types.values()), start=Counts())
    attributes = sum((t.attribute_total for t in report.types.values()), start=AttributeScore())
    return {"types": types, "all": scores(total, attributes), "notes": report.notes}
