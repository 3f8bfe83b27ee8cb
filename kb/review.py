"""Reviewer verdicts on extracted facts, and applying them to a build.

A verdict is keyed by a record's stable id (see kb.records) and says
``status`` (unreviewed, accepted, rejected or corrected), a free ``note`` and,
for a correction, the ``corrected`` field values.

Verdicts live in ``reviews.yaml`` next to the outputs, a mapping from record id
to verdict. It belongs to the reviewer: a build writes it only when it does
not exist (:func:`init_reviews`); it is rewritten only by an explicit call
(:func:`save_reviews`, :func:`merge_dump_into_reviews`), always atomically.
A reviewer may also edit the ``review`` blocks of the facts dump
(``out/facts/*.yaml``, kb.export.write_facts); :func:`read_verdicts_from_dump`
reads them back and :func:`merge_dump_into_reviews` folds them into
``reviews.yaml`` without losing the verdicts already there.

:func:`apply_reviews` leaves rejected records out, replaces corrected values
(validated by the record model: a correction to an unknown field or with a bad
value is reported and the extracted record kept), marks accepted records in
the report, and reports every verdict whose record no longer exists (orphan).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kb.errors import InputError
from kb.files import atomic_write, load_yaml
from kb.records import SECTIONS, ArticleFacts, Record, merge_all

Status = Literal["unreviewed", "accepted", "rejected", "corrected"]
STATUSES: tuple[str, ...] = get_args(Status)
REVIEWS_FILE = "reviews.yaml"
DUMP_DIR = "facts"  # the review dump, kb.export.write_facts
ProblemKind = Literal["orphan", "bad_correction", "ignored_correction", "id_changed", "merged"]
# Fields a correction may not touch: the id follows from the fields, and
# provenance must point into the original text.
_UNCORRECTABLE = frozenset({"id", "provenance"})
_HEADER = (
    "# kb reviewer verdicts, keyed by record id. Written by a build only when missing;\n"
    "# status: unreviewed | accepted | rejected | corrected; corrected: {field: value}.\n"
)


def _plain(value: Any) -> Any:
    """YAML reads an unquoted 2024-11-20 as a date: keep corrections as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Verdict(BaseModel):
    """What a reviewer said about one record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Status = Field("unreviewed", description="the reviewer's decision")
    note: str = Field("", description="why, in the reviewer's words")
    corrected: dict[str, Any] = Field({}, description="field: value replacing the extracted value")

    @field_validator("note", mode="before")
    @classmethod
    def _no_note(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("corrected", mode="before")
    @classmethod
    def _no_corrections(cls, value: Any) -> Any:
        return {} if value is None else _plain(value)

    def is_blank(self) -> bool:
        """Nothing said yet: unreviewed, no note, no corrections."""
        return self.status == "unreviewed" and not self.note and not self.corrected


@dataclass(frozen=True)
class ReviewProblem:
    record_id: str
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"[{self.record_id}] {self.kind}: {self.message}"


@dataclass
class ReviewReport:
    """What applying the verdicts did; ids are those the verdicts are keyed by."""

    accepted: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    problems: list[ReviewProblem] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)
    """Final record id -> review status of every record kept (to mark the graph)."""

    def add(self, record_id: str, kind: ProblemKind, message: str) -> None:
        self.problems.append(ReviewProblem(record_id, kind, message))


# ---------------------------------------------------------------- files


def _error_lines(err: ValidationError, prefix: str) -> str:
    return "; ".join(f"[{'.'.join([prefix, *map(str, e['loc'])])}] {e['msg']}" for e in err.errors())


def _verdict(data: Any, where: str | Path, record_id: str) -> Verdict:
    try:
        return Verdict.model_validate(data if data is not None else {})
    except ValidationError as err:
        raise InputError(where, _error_lines(err, record_id)) from None


def _load_yaml(path: Path) -> Any:
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise InputError(path, f"not valid YAML: {err.problem}", line=line) from None


def load_reviews(path: str | os.PathLike[str]) -> dict[str, Verdict]:
    """The verdicts in a reviewer file; {} when there is none. Raises InputError
    naming the file and the record id for a malformed verdict."""
    path = Path(path)
    if not path.exists():
        return {}
    data = _load_yaml(path) or {}
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping from record id to verdict")
    return {str(record_id): _verdict(value, path, str(record_id)) for record_id, value in data.items()}


def reviews_yaml(verdicts: Mapping[str, Verdict]) -> str:
    """The reviewer file's text: verdicts by record id, same bytes for the same verdicts."""
    body = {rid: verdicts[rid].model_dump(mode="json") for rid in sorted(verdicts)}
    text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=10**9) if body else ""
    return _HEADER + text


def save_reviews(path: str | os.PathLike[str], verdicts: Mapping[str, Verdict]) -> Path:
    """Write the reviewer file, replacing it (atomically). Only call this on purpose."""
    return atomic_write(path, reviews_yaml(verdicts))


def init_reviews(path: str | os.PathLike[str], verdicts: Mapping[str, Verdict] | None = None) -> bool:
    """Create the reviewer file if it does not exist; never touch an existing one.
    Returns whether it was written."""
    path = Path(path)
    if path.exists():
        return False
    tmp = path.with_name(f".{path.name}.init")
    atomic_write(tmp, reviews_yaml(verdicts or {}))
    try:
        os.link(tmp, path)  # fails if a reviewer created the file meanwhile
    except FileExistsError:
        return False
    except OSError:  # no hard links on this file system
        if path.exists():
            return False
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)
    return True


def read_verdicts_from_dump(dump_dir: str | os.PathLike[str]) -> dict[str, Verdict]:
    """The non-blank ``review`` blocks of a facts dump (kb.export.write_facts), by record id."""
    verdicts: dict[str, Verdict] = {}
    for section in SECTIONS:
        path = Path(dump_dir) / f"{section}.yaml"
        if not path.exists():
            continue
        entries = (_load_yaml(path) or {}).get(section) or []
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict) or not entry.get("id"):
                raise InputError(path, f"[{section}.{number}] entry has no id")
            verdict = _verdict(entry.get("review"), path, f"{entry['id']}.review")
            if not verdict.is_blank():
                verdicts[str(entry["id"])] = verdict
    return verdicts


def merge_verdicts(existing: Mapping[str, Verdict], incoming: Mapping[str, Verdict]) -> tuple[dict[str, Verdict], list[str]]:
    """Existing verdicts kept; a non-blank incoming verdict is added or replaces
    the existing one (a blank one never erases). Returns the merged verdicts and
    the ids that changed."""
    merged = dict(existing)
    changed = []
    for record_id in sorted(incoming):
        verdict = incoming[record_id]
        if not verdict.is_blank() and merged.get(record_id) != verdict:
            merged[record_id] = verdict
            changed.append(record_id)
    return merged, changed


def merge_dump_into_reviews(dump_dir: str | os.PathLike[str], reviews_path: str | os.PathLike[str]) -> list[str]:
    """Fold the edited dump's verdicts into the reviewer file (atomically, only
    if something changed). Returns the ids whose verdict changed."""
    merged, changed = merge_verdicts(load_reviews(reviews_path), read_verdicts_from_dump(dump_dir))
    if changed or not Path(reviews_path).exists():
        save_reviews(reviews_path, merged)
    return changed


def collect_verdicts(out_dir: str | os.PathLike[str]) -> dict[str, Verdict]:
    """Every verdict a build must honour: the edited review dump ``out_dir/facts/``,
    overridden by the reviewer file ``out_dir/reviews.yaml`` where both speak."""
    out_dir = Path(out_dir)
    merged, _ = merge_verdicts(read_verdicts_from_dump(out_dir / DUMP_DIR), load_reviews(out_dir / REVIEWS_FILE))
    return merged


# ---------------------------------------------------------------- applying


def correct(record: Record, fields: Mapping[str, Any]) -> Record:
    """The record with ``fields`` replaced, validated by its model.
    Raises ValueError (with ``[field] message`` lines) for a bad correction."""
    fixed = sorted(set(fields) & _UNCORRECTABLE)
    if fixed:
        raise ValueError(f"[{', '.join(fixed)}] cannot be corrected")
    data = record.model_dump(exclude={"id"})
    data.update(fields)
    try:
        return type(record).model_validate(data)
    except ValidationError as err:
        raise ValueError(_error_lines(err, "corrected")) from None


def _apply_one(record: Record, verdict: Verdict | None, report: ReviewReport) -> tuple[Record | None, str]:
    """The record as the verdict leaves it (None if rejected) and the status it
    ends with (a correction that fails leaves it unreviewed); notes problems."""
    if verdict is None:
        return record, "unreviewed"
    if verdict.corrected and verdict.status != "corrected":
        report.add(record.id, "ignored_correction", f"corrected fields given but status is {verdict.status}")
    if verdict.status != "corrected":
        return (None if verdict.status == "rejected" else record), verdict.status
    if not verdict.corrected:
        report.add(record.id, "bad_correction", "status is corrected but no corrected fields are given")
        return record, "unreviewed"
    try:
        fixed = correct(record, verdict.corrected)
    except ValueError as err:
        report.add(record.id, "bad_correction", f"{err}; extracted values kept")
        return record, "unreviewed"
    if fixed.id != record.id:
        report.add(record.id, "id_changed", f"corrected record has id {fixed.id}")
    return fixed, "corrected"


def _apply(records: Iterable[Record], verdicts: Mapping[str, Verdict], report: ReviewReport, seen: set[str]) -> list[Record]:
    """Apply verdicts in order; a record id seen before (another article's copy)
    is treated the same but its problems are reported once."""
    lists = {"accepted": report.accepted, "rejected": report.rejected, "corrected": report.corrected}
    kept = []
    for record in records:
        first = record.id not in seen
        seen.add(record.id)
        result, status = _apply_one(record, verdicts.get(record.id), report if first else ReviewReport())
        if first and status in lists:
            lists[status].append(record.id)
        if result is not None:
            report.statuses[result.id] = status
            kept.append(result)
    return kept


def _report_orphans(verdicts: Mapping[str, Verdict], seen: set[str], report: ReviewReport) -> None:
    for record_id in sorted(set(verdicts) - seen):
        if not verdicts[record_id].is_blank():
            report.orphans.append(record_id)
            status = verdicts[record_id].status
            report.add(record_id, "orphan", f"verdict {status!r} refers to no extracted record; kept in the reviewer file")


def _merged(records: list[Record], report: ReviewReport) -> list[Record]:
    """One record per id: a correction may give a record the id of another."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record.id] = counts.get(record.id, 0) + 1
    for record_id in sorted(rid for rid, n in counts.items() if n > 1):
        report.add(record_id, "merged", f"{counts[record_id]} records now share this id and were merged")
    return merge_all(records)


def apply_reviews(records: Iterable[Record], verdicts: Mapping[str, Verdict]) -> tuple[list[Record], ReviewReport]:
    """The records with the verdicts applied (rejected left out, corrections made),
    in input order, and a report of what was done and what could not be."""
    report, seen = ReviewReport(), set()
    kept = _apply(records, verdicts, report, seen)
    _report_orphans(verdicts, seen, report)
    return _merged(kept, report), report


def apply_reviews_to_articles(
    articles: Iterable[ArticleFacts], verdicts: Mapping[str, Verdict]
) -> tuple[list[ArticleFacts], ReviewReport]:
    """:func:`apply_reviews` for per-article facts (before kb.merge): each
    article keeps its own provenance; orphans are judged over all articles."""
    report, seen = ReviewReport(), set()
    out = []
    for facts in articles:
        kept = _apply(facts.records(), verdicts, report, seen)
        out.append(ArticleFacts.from_records(facts.doc, facts.doc_date, kept))
    _report_orphans(verdicts, seen, report)
    return out, report
