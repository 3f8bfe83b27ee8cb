"""A built knowledge base on disk: stored once by a build, loaded by a query without merging.

``save_knowledge_base(kb, out)`` writes

- ``out/articles/<stem>.yaml``: each article's facts as extracted, gold-shaped
  YAML for people (:func:`kb.records.models.dump_article_facts`, names by
  :func:`kb.ingest.articles.output_names`). Given the previous build, a file
  whose facts did not change is hard-linked from it, not written again, so its
  bytes and mtime stay as they were;
- ``out/knowledge/merged.json``: the merged records *with the verdicts applied*,
  as pydantic JSON but bare: no ids (they follow from the fields) and no
  provenance. An outlet named in 10,000 articles has 10,000 mentions: most of
  the data, and of the time to load it;
- ``out/knowledge/provenance.jsonl``: each merged record's provenance, one JSON
  list per line, in ``Merged.records()`` order; a query reads only the lines of
  the records it answers with;
- ``out/knowledge/review.json``: the review report; the graph's links
  (:func:`kb.graph.link_edges`); each record's id with the size of its
  provenance line; each summit's series in ``rules/events.yaml`` (so a query
  reads no rule file); the merged records' look-up tables
  (:meth:`kb.merge.Merged.index`, so loading computes no id and folds no name);
- ``out/knowledge/extracted.json``: every article's facts as extracted, one
  JSON list, without record ids (read only when the verdicts changed or ``kb.extracted`` is asked for);
- ``out/knowledge/.groups.json`` (hidden, as the state below: it is a cache, empty
  when the build did not merge): for each merged record, in ``Merged.records()``
  order, the digest of the group it was combined from and the alias look-ups
  combining made (:meth:`kb.query.KnowledgeBase.group_digests`): the next build reuses
  the groups no changed article is in (:func:`stored_groups`);
- ``out/knowledge/.state.json``, written last (hidden: unlike the other
  outputs it is not the same bytes for the same facts, as it holds mtimes):
  ``format``; ``key``, a SHA-256 of kb's code, every article's facts and the
  verdicts (:func:`knowledge_key`); ``verdicts`` as applied; ``verdict_files``,
  a SHA-256 of the reviewer's files (``reviews.yaml`` and the review dump
  ``facts/*.yaml``) as the build left them; ``articles``: doc → [file name,
  digest of its facts]; ``outputs``:
  every output file → [size, mtime in ns] (:func:`outputs_intact`); ``inputs``: output
  name → digest of what the build made it from (the timeline pictures and the review
  dump files, :class:`kb.store.build._Made`); ``groups``: size and mtime of ``.groups.json``.

``load_knowledge_base(out)`` reads ``review.json`` and ``merged.json`` and never merges while the
reviewer's files hash as they did after the build. When they changed (a
verdict edited in ``reviews.yaml`` or the dump) the verdicts are read again
and, if they differ from the stored ones, the stored extracted facts are merged
again under them. A folder with ``articles/`` but no ``knowledge/`` (an older
build) is read from its YAML files, as before.

Not supported: reading a ``knowledge/`` folder of another format (it is
ignored: the next build rewrites it, a query reads ``articles/``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from kb.errors import InputError
from kb.graph import Edge
from kb.merge import Combined, Disagreement, Merged, paused_gc
from kb.query import KnowledgeBase
from kb.records.models import ArticleFacts, Provenance, dump_article_facts, load_article_facts
from kb.review.verdicts import ReviewProblem, ReviewReport, Verdict, reviews_yaml
from kb.store.files import atomic_write
from kb.store.layout import ARTICLES_DIR, DUMP_DIR, KNOWLEDGE_DIR, REVIEWS_FILE

FORMAT = "kb-knowledge-v1"  # bump when a file's shape or the key's recipe changes
# The state is hidden: it holds mtimes, so unlike every other output it differs between two builds.
STATE, MERGED, REVIEW, EXTRACTED = ".state.json", "merged.json", "review.json", "extracted.json"
# Hidden too: the same facts give other bytes when the knowledge base was not merged by the
# build (restored from a stored one: no digests) or by other code.
GROUPS = ".groups.json"
PROVENANCE = "provenance.jsonl"
_EXTRACTED = TypeAdapter(list[ArticleFacts])
_PROVENANCE = TypeAdapter(list[Provenance])
_PROVENANCES = TypeAdapter(list[list[Provenance]])


# ---------------------------------------------------------------- keys


def facts_json(kb: KnowledgeBase) -> dict[str, str]:
    """Each article's facts as JSON (what ``extracted.json`` holds), by doc, without record ids
    (they follow from the fields: computing each costs more than the rest of its JSON); made
    once per knowledge base (its key and its save both need it)."""
    made = getattr(kb, "_facts_json", None)
    if made is None:
        made = kb._facts_json = {  # type: ignore[attr-defined]
            facts.doc: facts.model_dump_json(exclude=_NO_IDS) for facts in kb.extracted}
    return made


_NO_IDS: dict[str, Any] = {name: {"__all__": {"id"}} for name in ("events", "organizations", "people", "documents", "claims")}


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def knowledge_key(digests: Mapping[str, str], verdicts: Mapping[str, Verdict]) -> str:
    """The key a stored knowledge base is made from: kb's code, each article's facts (by the
    digest of their JSON) and the verdicts. The same key gives the same merged records."""
    from kb.store.cache import code_identity  # digest of kb's sources, once per process

    digest = hashlib.sha256(f"{FORMAT}\0{code_identity()}\0".encode())
    for doc in sorted(digests):
        digest.update(f"{doc}\0{digests[doc]}\0".encode("utf-8", "surrogatepass"))
    verdict_data = {rid: verdicts[rid].model_dump(mode="json") for rid in sorted(verdicts)}
    digest.update(json.dumps(verdict_data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def facts_digests(kb: KnowledgeBase) -> dict[str, str]:
    """A SHA-256 of each article's facts as extracted (of its JSON), by doc; made once per knowledge base."""
    made = getattr(kb, "_facts_digests", None)
    if made is None:
        made = kb._facts_digests = {doc: _digest(text) for doc, text in facts_json(kb).items()}  # type: ignore[attr-defined]
    return made


def key_of(kb: KnowledgeBase) -> str:
    """:func:`knowledge_key` of ``kb``'s facts as extracted and verdicts."""
    return knowledge_key(facts_digests(kb), kb.verdicts)


def verdict_files_digest(out: Path, dump_dir: Path | None = None) -> str:
    """A SHA-256 of the reviewer's files: ``out/reviews.yaml`` (as a build creates it when
    missing) and each review dump file of ``dump_dir`` (default ``out/facts``)."""
    reviews = out / REVIEWS_FILE
    digest = hashlib.sha256(reviews.read_bytes() if reviews.is_file() else reviews_yaml({}).encode("utf-8"))
    folder = dump_dir if dump_dir is not None else out / DUMP_DIR
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------- saving


def save_knowledge_base(
    kb: KnowledgeBase, out: str | os.PathLike[str], *, previous: Path | None = None,
    inputs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Write ``articles/`` and ``knowledge/`` of ``kb`` into ``out`` (see the module
    docstring), last of a build's outputs; returns the state written. ``previous`` is
    the build folder when ``out`` is its staging folder: its unchanged article files
    are linked rather than written, and its ``reviews.yaml`` is the reviewer's.
    ``inputs``: output name → digest of what the build made it from (kept in the state
    for the next build, :class:`kb.store.build._Made`)."""
    out = Path(out)
    texts = facts_json(kb)
    digests = facts_digests(kb)
    articles = _save_articles(kb, out, digests, previous)
    folder = out / KNOWLEDGE_DIR
    # A staging folder is private until committed as a whole: no temp file and rename per file there.
    write = atomic_write if previous is None else _write
    write(folder / EXTRACTED, "[" + ",".join(texts[f.doc] for f in kb.extracted) + "]")
    lines = [_PROVENANCE.dump_json(record.provenance) + b"\n" for record in kb.merged.records()]
    write(folder / PROVENANCE, b"".join(lines))
    write(folder / MERGED, _bare_json(kb.merged))
    sizes = [[record_id, len(line)] for (record_id, _), line in zip(kb.merged.with_ids(), lines)]
    write(folder / REVIEW, _review_json(kb, sizes))
    write(folder / GROUPS, json.dumps(kb.group_digests(), ensure_ascii=False))
    groups = (folder / GROUPS).stat()
    state = {
        "format": FORMAT,
        "key": knowledge_key(digests, kb.verdicts),
        "verdicts": {rid: kb.verdicts[rid].model_dump(mode="json") for rid in sorted(kb.verdicts)},
        "verdict_files": verdict_files_digest(previous or out, out / DUMP_DIR),
        "articles": articles,
        "outputs": _manifest(out),
        "inputs": dict(sorted((inputs or {}).items())),
        "groups": [groups.st_size, groups.st_mtime_ns],
    }
    write(folder / STATE, json.dumps(state, ensure_ascii=False, indent=0))
    return state


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


# The id is left out too: it follows from the fields, and checking a stated one costs a
# key computation per record on every load.
_NO_PROVENANCE = {"__all__": {"provenance", "id"}}
_SECTIONS = ("events", "organizations", "people", "documents", "claims")
_BARE: dict[str, Any] = {
    **{name: _NO_PROVENANCE for name in _SECTIONS},
    "conflicts": {"__all__": {"claims": _NO_PROVENANCE}},
}


def _bare_json(merged: Merged) -> str:
    """``merged`` as JSON, each record with ``provenance: []`` (stated: a missing list is a
    default pydantic deep-copies per record) and no id."""
    data = merged.model_dump(mode="json", exclude=_BARE)
    for record in (r for name in _SECTIONS for r in data[name]):
        record["provenance"] = []
    for conflict in data["conflicts"]:
        for claim in conflict["claims"]:
            claim["provenance"] = []
    return json.dumps(data, ensure_ascii=False)


def _save_articles(kb: KnowledgeBase, out: Path, digests: dict[str, str], previous: Path | None) -> dict[str, list[str]]:
    from kb.ingest.articles import output_names

    folder = out / ARTICLES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    names = output_names(digests)
    before = read_state(previous) if previous is not None else None
    kept = _intact_articles(previous, before) if before else {}
    written: dict[str, list[str]] = {}
    for facts in kb.extracted:
        name, digest = names[facts.doc], digests[facts.doc]
        if facts.doc in written:  # two facts of one doc: only from_facts can be given them
            raise InputError(folder / name, f"{facts.doc} would be saved twice: give each article once")
        written[facts.doc] = [name, digest]
        if kept.get(facts.doc) == [name, digest] and _linked(previous / ARTICLES_DIR / name, folder / name):
            continue
        atomic_write(folder / name, dump_article_facts(facts))
    return written


def _intact_articles(previous: Path, state: dict[str, Any]) -> dict[str, list[str]]:
    """The previous build's article files still as it wrote them."""
    outputs = state.get("outputs", {})
    return {doc: entry for doc, entry in state.get("articles", {}).items()
            if _same_stat(previous / ARTICLES_DIR / entry[0], outputs.get(f"{ARTICLES_DIR}/{entry[0]}"))}


def _linked(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:  # no hard links here (or the file just went): write it instead
        return False
    return True


def _review_json(kb: KnowledgeBase, sizes: list[list[Any]]) -> str:
    links = [[s, t, k, [list(pair) for pair in extra]] for s, t, k, extra in kb.links()]
    data = {"review": dataclasses.asdict(kb.review), "links": links, "provenance": sizes, "rule_series": kb.rule_series(),
            "index": kb.merged.index()}
    return json.dumps(data, ensure_ascii=False)


def _manifest(out: Path) -> dict[str, list[int]]:
    """Size and mtime of every output file but hidden ones (``knowledge/.state.json``)."""
    from kb.store.layout import OUTPUTS

    found: dict[str, list[int]] = {}
    for name in OUTPUTS:
        path = out / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.is_file() else []
        for file in files:
            relative = file.relative_to(out).as_posix()
            if not file.name.startswith("."):
                stat = file.stat()
                found[relative] = [stat.st_size, stat.st_mtime_ns]
    return found


def _same_stat(path: Path, expected: list[int] | None) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return expected is not None and [stat.st_size, stat.st_mtime_ns] == expected


def outputs_intact(out: Path, state: dict[str, Any]) -> bool:
    """Every output file the build of ``state`` wrote is there, with its size and mtime."""
    outputs = state.get("outputs") or {}
    return bool(outputs) and all(_same_stat(out / name, entry) for name, entry in outputs.items())


# ---------------------------------------------------------------- loading


def read_state(out: Path | None) -> dict[str, Any] | None:
    """``knowledge/.state.json`` of a build, or None (none, unreadable, another format)."""
    if out is None:
        return None
    try:
        state = json.loads((out / KNOWLEDGE_DIR / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("format") == FORMAT else None


def stored_verdicts(state: dict[str, Any]) -> dict[str, Verdict]:
    return {rid: Verdict.model_validate(v) for rid, v in state.get("verdicts", {}).items()}


def read_verdicts(out: str | os.PathLike[str]) -> dict[str, Verdict]:
    """Every verdict a build into ``out`` must honour (:func:`kb.review.dump.collect_verdicts`),
    without parsing the reviewer's files when they are as the last build left them."""
    from kb.review.dump import collect_verdicts

    out = Path(out)
    state = read_state(out)
    if state is not None and state.get("verdict_files") == verdict_files_digest(out):
        return stored_verdicts(state)
    return collect_verdicts(out)


def read_extracted(out: Path) -> list[ArticleFacts]:
    """The stored facts as extracted (``knowledge/extracted.json``)."""
    path = out / KNOWLEDGE_DIR / EXTRACTED
    try:
        return _EXTRACTED.validate_json(path.read_bytes())
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    except ValueError as err:
        raise InputError(path, f"not a stored knowledge base ({str(err).splitlines()[0]}): build again") from None


def read_merged(out: Path, state: dict[str, Any]) -> KnowledgeBase:
    """The stored knowledge base, as merged by the build (no merging)."""
    try:
        path = out / KNOWLEDGE_DIR / REVIEW
        with paused_gc():
            data = json.loads(path.read_bytes())
            path = out / KNOWLEDGE_DIR / MERGED
            merged = Merged.model_validate_json(path.read_bytes(), context={"index": data["index"]})
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(path, f"not a stored knowledge base ({str(err).splitlines()[0]}): build again") from None
    provenance = _StoredProvenance(out / KNOWLEDGE_DIR / PROVENANCE, data["provenance"])
    return KnowledgeBase.restore(
        merged, _review(data["review"]), stored_verdicts(state), lambda: read_extracted(out), _links(data["links"]),
        provenance, data["rule_series"],
    )


def stored_groups(out: Path, state: dict[str, Any]) -> dict[str, Combined]:
    """Group digest → what combining it gave (:class:`kb.merge.StoredGroups`), read from the
    build in ``out``; empty when its files are not as that build left them, or unreadable."""
    outputs = state.get("outputs") or {}
    names = [f"{KNOWLEDGE_DIR}/{name}" for name in (REVIEW, MERGED, PROVENANCE)]
    if not all(_same_stat(out / name, outputs.get(name)) for name in names):
        return {}
    if not _same_stat(out / KNOWLEDGE_DIR / GROUPS, state.get("groups")):
        return {}
    try:
        with paused_gc():
            groups = json.loads((out / KNOWLEDGE_DIR / GROUPS).read_bytes())
            if not any(digest for digest, _ in groups):
                return {}
            data = json.loads((out / KNOWLEDGE_DIR / REVIEW).read_bytes())
            merged = Merged.model_validate_json((out / KNOWLEDGE_DIR / MERGED).read_bytes(),
                                                context={"index": data["index"]})
            lines = (out / KNOWLEDGE_DIR / PROVENANCE).read_bytes().splitlines()
            provenance = _PROVENANCES.validate_json(b"[" + b",".join(lines) + b"]")  # one call, not one a record
            disagreements: dict[str, list[Disagreement]] = {}
            for disagreement in merged.disagreements:
                disagreements.setdefault(disagreement.record, []).append(disagreement)
            found: dict[str, Combined] = {}
            rows = zip(merged.with_ids(), groups, provenance, strict=True)
            for (record_id, record), (digest, looked_up), mentions in rows:
                if digest:
                    complete = record.model_copy(update={"provenance": mentions})
                    found[digest] = (complete, record_id, merged.mentions.get(record_id, []),
                                     disagreements.get(record_id, []), tuple(tuple(pair) for pair in looked_up))
            return found
    except (OSError, ValueError, KeyError, TypeError):  # not as this code writes it: merge from scratch
        return {}


class _StoredProvenance:
    """``provenance.jsonl``: one record's provenance read by seeking to its line, or all of it."""

    def __init__(self, path: Path, sizes: list[list[Any]]) -> None:
        self.path = path
        self.ids = [record_id for record_id, _ in sizes]
        self.where: dict[str, tuple[int, int]] = {}
        start = 0
        for record_id, size in sizes:
            self.where[record_id] = (start, size)
            start += size

    def of(self, record_ids: Iterable[str]) -> dict[str, list[Provenance]]:
        wanted = sorted((self.where[i], i) for i in record_ids if i in self.where)  # in file order
        if not wanted:
            return {}
        try:
            with self.path.open("rb") as handle:
                found = {}
                for (start, size), record_id in wanted:
                    handle.seek(start)
                    found[record_id] = _PROVENANCE.validate_json(handle.read(size))
                return found
        except (OSError, ValueError) as err:
            raise InputError(self.path, f"cannot read the provenance: {err}; build again") from None

    def all(self) -> dict[str, list[Provenance]]:
        try:
            lines = self.path.read_bytes().splitlines()
            return {record_id: _PROVENANCE.validate_json(line) for record_id, line in zip(self.ids, lines)}
        except (OSError, ValueError) as err:
            raise InputError(self.path, f"cannot read: {err}; build again") from None


def _review(data: dict[str, Any]) -> ReviewReport:
    return ReviewReport(**{**data, "problems": [ReviewProblem(**p) for p in data["problems"]]})


def _links(data: list[list[Any]]) -> list[Edge]:
    return [(s, t, k, tuple(tuple(pair) for pair in extra)) for s, t, k, extra in data]


def load_knowledge_base(out: str | os.PathLike[str]) -> KnowledgeBase:
    """The knowledge base built into ``out``, its reviews applied (see the module docstring).
    Raises InputError naming the folder when nothing was built there."""
    from kb.review.dump import collect_verdicts
    from kb.store.commit import recover

    out = Path(out)
    recover(out)  # a build killed mid-swap is rolled back before reading
    state = read_state(out)
    if state is None:
        return _load_articles(out)
    if state.get("verdict_files") != verdict_files_digest(out):
        verdicts = collect_verdicts(out)
        if verdicts != stored_verdicts(state):  # a reviewer changed a verdict since the build
            return KnowledgeBase(read_extracted(out), verdicts=verdicts)
    return read_merged(out, state)


def _load_articles(out: Path) -> KnowledgeBase:
    from kb.review.dump import collect_verdicts

    folder = out / ARTICLES_DIR
    if not folder.is_dir():
        raise InputError(folder, "no articles folder: build the knowledge base into this folder first")
    facts = [load_article_facts(path) for path in sorted(folder.glob("*.yaml"))]
    return KnowledgeBase(facts, verdicts=collect_verdicts(out))
