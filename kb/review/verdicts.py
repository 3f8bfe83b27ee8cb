"""Reviewer verdicts on extracted facts, and applying them to a build.

A verdict is keyed by a record's stable id (see kb.records.models) and says
``status`` (unreviewed, accepted, rejected or corrected), a free ``note`` and,
for a correction, the ``corrected`` field values.

Verdicts live in ``reviews.yaml`` next to the outputs, a mapping from record id
to verdict. It belongs to the reviewer: a build writes it only when it does
not exist (:func:`init_reviews`); it is rewritten only by an explicit call
(:func:`save_reviews`, kb.review.dump.merge_dump_into_reviews), always atomically.
A reviewer may also edit the ``review`` blocks of the facts dump
(``out/facts/*.yaml``), which kb.review.dump writes and reads back. A record id
given twice in either file is an error naming both lines: kb never picks one
of two verdicts silently.

:func:`apply_reviews` leaves rejected records out, replaces corrected values
(validated by the record model: a correction to an unknown field or with a bad
value is reported and the extracted record kept), marks accepted records in
the report, and reports every verdict whose record no longer exists (orphan).
An orphan is never dropped: it stays in ``reviews.yaml`` or, for a verdict
written in the dump, in the rewritten dump's ``orphans`` list, and applies
again once its record is back. A correction that changes a record's id (its
name, a claim's metric) is remembered in :attr:`ReviewReport.renamed`, so the
record stays findable under the id the verdict is keyed by.
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
from kb.store.files import NoAliasLoader, atomic_write, load_yaml
from kb.records.models import ArticleFacts, Record, merge_all


Status = Literal["unreviewed", "accepted", "rejected", "corrected"]
STATUSES: tuple[str, ...] = get_args(Status)
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
    renamed: dict[str, str] = field(default_factory=dict)
    """Verdict's record id -> the id its correction gave the record."""

    def add(self, record_id: str, kind: ProblemKind, message: str) -> None:
        self.problems.append(ReviewProblem(record_id, kind, message))


# ---------------------------------------------------------------- files


def _error_lines(err: ValidationError, prefix: str) -> str:
    return "; ".join(f"[{'.'.join([prefix, *map(str, e['loc'])])}] {e['msg']}" for e in err.errors())


def verdict_from(data: Any, where: str | Path, record_id: str) -> Verdict:
    """A verdict from its YAML data; InputError naming ``where`` and the record id if malformed."""
    try:
        return Verdict.model_validate(data if data is not None else {})
    except ValidationError as err:
        raise InputError(where, _error_lines(err, record_id)) from None


def read_yaml_file(path: Path) -> Any:
    """A YAML file's content (aliases refused); any problem reading it is a
    one-line InputError naming the file, and the line where known."""
    try:
        text = path.read_text(encoding="utf-8")
        return load_yaml(text)
    except UnicodeDecodeError as err:
        line = path.read_bytes().count(b"\n", 0, err.start) + 1
        raise InputError(path, f"not UTF-8 text (byte 0x{err.object[err.start]:02x}): save it as UTF-8", line=line) from None
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise InputError(path, f"not valid YAML: {err.problem}", line=line) from None
    except yaml.YAMLError as err:  # e.g. a control character: no line to show
        raise InputError(path, f"not valid YAML: {err}") from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None


def duplicate_error(path: Path, what: str, lines: list[int]) -> InputError:
    """The error for a record id given more than once in one reviewer file (lines 1-based)."""
    where = " and ".join(str(n) for n in lines)
    return InputError(path, f"{what} appears {len(lines)} times (lines {where}): keep one verdict", line=lines[-1])


def _check_unique_ids(path: Path) -> None:
    """YAML keeps the last of two equal keys: find them first, with their lines."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=NoAliasLoader)
    lines: dict[str, list[int]] = {}
    for key, _ in node.value if isinstance(node, yaml.MappingNode) else []:
        lines.setdefault(str(key.value), []).append(key.start_mark.line + 1)
    for record_id, found in lines.items():
        if len(found) > 1:
            raise duplicate_error(path, f"record id {record_id}", found)


def load_reviews(path: str | os.PathLike[str]) -> dict[str, Verdict]:
    """The verdicts in a reviewer file; {} when there is none. Raises InputError
    naming the file (and line) for a file that cannot be read, a record id
    given twice, or a malformed verdict (with its record id)."""
    path = Path(path)
    if not path.exists():
        return {}
    data = read_yaml_file(path) or {}
    if not isinstance(data, dict):
        raise InputError(path, "expected a mapping from record id to verdict")
    _check_unique_ids(path)
    return {str(record_id): verdict_from(value, path, str(record_id)) for record_id, value in data.items()}


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
        report.renamed[record.id] = fixed.id
        report.add(record.id, "id_changed", f"corrected record has id {fixed.id}; still found by {record.id}")
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
            report.add(record_id, "orphan", f"verdict {status!r} refers to no extracted record; kept "
                       "(in reviews.yaml, or in the dump's orphans list) until the record is back")


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
        records = facts.records()
        ids = [record.id for record in records]
        if not any(record_id in verdicts for record_id in ids):  # nothing to apply: the article as it is
            seen.update(ids)
            report.statuses.update(dict.fromkeys(ids, "unreviewed"))
            out.append(facts)
            continue
        kept = _apply(records, verdicts, report, seen)
        out.append(ArticleFacts.from_records(facts.doc, facts.doc_date, kept, **facts.metadata()))
    _report_orphans(verdicts, seen, report)
    return out, report
