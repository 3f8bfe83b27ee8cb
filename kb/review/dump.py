"""The review dump ``OUT/facts/<section>.yaml``: written by a build, edited by
a reviewer, read back by the next build. Written and read here only.

One file per record type (kb.records.models.SECTIONS), the same bytes for the same
records and verdicts::

    organizations:        # every record of the type, as extracted, by id
    - id: org:光明网
      name: 光明网
      ...                 # fields, evidence, provenance
      review:             # what the reviewer edits
        status: unreviewed
        note: ''
        corrected: {}
    orphans:              # only when there are any
    - id: org:某机构
      review: {status: rejected, note: '', corrected: {}}

``orphans`` holds every verdict whose record this build did not extract (its
article moved, could not be read, or the extraction changed): rewriting the
dump never loses a verdict written in it. Once the record is back the verdict
is applied and shown on the record's entry again. An orphan goes to the file
of the type its id prefix names (the first file for an unknown prefix).

The dump has no YAML anchors or aliases: every record gets its own review
block, so editing one never edits another, and kb's reader refuses aliases
(kb.store.files.load_yaml). A record id given twice anywhere in the dump is an
error naming both places, never a silent choice between two verdicts.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from kb.errors import InputError
from kb.store.files import NoAliasLoader, atomic_write
from kb.records.models import SECTIONS, Record
from kb.review.verdicts import (
    Verdict, duplicate_error, load_reviews, merge_verdicts, read_yaml_file, save_reviews, verdict_from,
)
from kb.store.layout import DUMP_DIR, REVIEWS_FILE

ORPHANS = "orphans"
FACTS_HEADER = (
    "# kb review dump: set review.status to accepted, rejected or corrected;\n"
    "# put corrected values under review.corrected (field: value) and a reason in review.note.\n"
    "# orphans: verdicts whose record this build did not extract, kept until it is back.\n"
    "# The next kb build reads these blocks; verdicts in reviews.yaml win where both speak.\n"
)
UNREVIEWED_BLOCK: dict[str, Any] = {"status": "unreviewed", "note": "", "corrected": {}}
Place = tuple[Path, str, int]  # file, list (section or orphans), entry number


class _FactsDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter where there is one: a dump of 10,000 articles' records is tens of
    megabytes, which the Python emitter writes four times slower. Lists are written as
    libyaml writes them (``- id:`` under its key, not indented)."""

    # A reviewer edits this file by hand: an anchor would tie blocks together,
    # and kb's readers refuse aliases (kb.store.files.load_yaml).
    def ignore_aliases(self, data: Any) -> bool:
        return True


# ---------------------------------------------------------------- writing


def section_of_id(record_id: str) -> str:
    """The dump file a record id belongs in, by its prefix (``org:`` → organizations)."""
    prefix = record_id.partition(":")[0]
    return next((name for name, model in SECTIONS.items() if model.prefix == prefix), next(iter(SECTIONS)))


def _review_block(verdict: Verdict | None) -> dict[str, Any]:
    return verdict.model_dump(mode="json") if verdict is not None else {**UNREVIEWED_BLOCK, "corrected": {}}


def _fact_entry(record: Record, verdict: Verdict | None) -> dict[str, Any]:
    entry = {"id": record.id, **record.model_dump(mode="json", exclude={"id", "evidence", "provenance"})}
    entry["evidence"] = record.evidence
    entry["provenance"] = [p.model_dump(mode="json") for p in record.provenance]
    entry["review"] = _review_block(verdict)
    return entry


def _orphans(ids: set[str], section: str, reviews: Mapping[str, Verdict]) -> list[dict[str, Any]]:
    """Said verdicts of this section whose record is not among ``ids``."""
    return [
        {"id": rid, "review": _review_block(reviews[rid])}
        for rid in sorted(reviews)
        if rid not in ids and not reviews[rid].is_blank() and section_of_id(rid) == section
    ]


def facts_yaml(records: Iterable[Record], section: str, reviews: Mapping[str, Verdict]) -> str:
    """The dump of one section: its records (by id) each with its review block,
    then the section's orphaned verdicts. ``records`` are those of every section."""
    records = list(records)
    chosen = sorted((r for r in records if type(r) is SECTIONS[section]), key=lambda r: r.id)
    body: dict[str, Any] = {section: [_fact_entry(r, reviews.get(r.id)) for r in chosen]}
    orphans = _orphans({r.id for r in records}, section, reviews)
    if orphans:
        body[ORPHANS] = orphans
    return FACTS_HEADER + yaml.dump(body, Dumper=_FactsDumper, allow_unicode=True, sort_keys=False, width=10**9)


def facts_digest(records: Iterable[Record], section: str, reviews: Mapping[str, Verdict]) -> str:
    """A SHA-256 of what :func:`facts_yaml` makes the dump of ``section`` from (its records'
    JSON, in the order given, the verdicts and the section's orphans): the same digest gives
    the same bytes, so a build can keep the file it wrote before instead of writing it again
    (turning a few thousand records into YAML takes seconds, their JSON a fraction)."""
    records = list(records)
    digest = hashlib.sha256(f"{section}\0".encode())
    for record in records:
        if type(record) is SECTIONS[section]:
            # The id follows from the fields (and computing it is a dear part of the dump).
            digest.update(record.model_dump_json(exclude={"id"}).encode("utf-8", "surrogatepass") + b"\0")
    if reviews:
        verdicts = {rid: reviews[rid].model_dump(mode="json") for rid in sorted(reviews)}
        orphans = [entry["id"] for entry in _orphans({r.id for r in records}, section, reviews)]
        digest.update(json.dumps([verdicts, orphans], ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def write_facts(
    records: Iterable[Record], out_dir: str | os.PathLike[str], reviews: Mapping[str, Verdict] | None = None
) -> list[Path]:
    """Write ``<out_dir>/{events,organizations,people,documents,claims}.yaml``
    (all five, even when empty). Give the records as extracted, before
    :func:`kb.review.verdicts.apply_reviews`, so rejected and corrected facts stay
    visible to the reviewer, and every verdict the build honoured, so those
    whose record is absent are kept as orphans."""
    records = list(records)
    return [atomic_write(Path(out_dir) / f"{s}.yaml", facts_yaml(records, s, reviews or {})) for s in SECTIONS]


# ---------------------------------------------------------------- reading


def _entries(path: Path, section: str) -> Iterator[tuple[Place, dict[str, Any]]]:
    """Every entry of a dump file, with its place; InputError for a wrong shape."""
    data = read_yaml_file(path)
    if data is None:
        return
    if not isinstance(data, dict) or not set(data) <= {section, ORPHANS}:
        raise InputError(path, f"expected a mapping with the lists {section!r} and (optional) {ORPHANS!r}")
    for key in (section, ORPHANS):
        entries = data.get(key) or []
        if not isinstance(entries, list):
            raise InputError(path, f"[{key}] expected a list of records")
        for number, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
                raise InputError(path, f"[{key}.{number}] entry has no id", line=_entry_line((path, key, number)))
            yield (path, key, number), entry


def _entry_line(place: Place) -> int | None:
    """The 1-based line of an entry (read again: only needed for an error)."""
    path, key, number = place
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=NoAliasLoader)
    for key_node, value in node.value:
        if key_node.value == key and isinstance(value, yaml.SequenceNode) and number < len(value.value):
            return value.value[number].start_mark.line + 1
    return None


def _duplicate(record_id: str, first: Place, second: Place) -> InputError:
    lines = [_entry_line(first) or 0, _entry_line(second) or 0]
    if first[0] == second[0]:
        return duplicate_error(second[0], f"record id {record_id}", lines)
    return InputError(second[0], f"record id {record_id} is also at {first[0]}:{lines[0]}: keep one verdict", line=lines[1])


def read_verdicts_from_dump(dump_dir: str | os.PathLike[str]) -> dict[str, Verdict]:
    """The non-blank ``review`` blocks of a dump (records and orphans), by
    record id. Raises InputError naming the file (and line) for a file that
    cannot be read, a wrong shape, a malformed verdict or an id given twice."""
    verdicts: dict[str, Verdict] = {}
    seen: dict[str, Place] = {}
    for section in SECTIONS:
        path = Path(dump_dir) / f"{section}.yaml"
        if not path.exists():
            continue
        for place, entry in _entries(path, section):
            record_id = entry["id"]
            if record_id in seen:
                raise _duplicate(record_id, seen[record_id], place)
            seen[record_id] = place
            verdict = verdict_from(entry.get("review"), path, f"{record_id}.review")
            if not verdict.is_blank():
                verdicts[record_id] = verdict
    return verdicts


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
