"""Typed records for the facts kb extracts, and their YAML form.

The records follow ``gold/GUIDELINES.md`` field for field (same names, same
value types), and add two things:

- ``id``: computed from the fields, type + normalised key, so the same fact
  gets the same id on every run (``org:中国信息通信研究院``,
  ``doc:report:2024年数字经济报告``, ``claim:<hash>``). It is never stored as
  a field; when read back, a stated ``id`` must match the computed one.
- ``provenance``: where in the *original* article file each mention is, and
  which rule found it.

``evidence`` is a field (gold quotes are cleaned, simplified text, while a
provenance quote is the raw original); when not given it defaults to the
first provenance quote.

The YAML written by :func:`dump_article_facts` has the shape of the gold
files: keys in gold order then ``id``, ``evidence``, ``provenance``; string
values double-quoted (so dates stay strings); records ordered by first
mention, then id. It cannot hold anything but these records. The schema in
``schema.yaml`` is derived from the models by :func:`schema`
(``python -m kb.records.schema --write``, :mod:`kb.records.schema`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, TypeVar, get_args

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic import computed_field, field_validator, model_validator

from kb.errors import InputError
from kb.store.files import load_yaml

EventKind = Literal["summit", "forum", "expo", "contest", "dialogue", "award", "release", "meeting", "other"]
DocumentKind = Literal[
    "report", "white_paper", "blue_book", "initiative", "concept_paper",
    "action_plan", "index", "compact", "other",
]
Qualifier = Literal[
    "exact", "approx", "more_than", "less_than", "at_least",
    "expected", "expected_approx", "expected_more_than", "expected_less_than", "expected_at_least",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)

# ---------------------------------------------------------------- keys

_QUOTES = re.compile(r"[\"'“”‘’「」『』《》〈〉]")
_SPACES = re.compile(r"\s+")
# A space survives only between two ASCII letters/digits ("World Internet").
_LOOSE_SPACE = re.compile(r"(?<![A-Za-z0-9]) | (?![A-Za-z0-9])")


def normalise_key(text: str) -> str:
    """The key a name is compared by: NFKC, no quotes or 《》, no whitespace
    except single spaces between ASCII words."""
    text = unicodedata.normalize("NFKC", text)
    text = _QUOTES.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    return _LOOSE_SPACE.sub("", text)


# ---------------------------------------------------------------- dates

_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
_PARTIAL_DATE_SCHEMA = {
    "type": "string",
    "format": "partial-date",
    "description": "ISO date only as precise as stated (2014, 2014-11, 2014-11-19) or a period 2016/2022",
}


def _date_as_text(value: Any) -> Any:
    """YAML reads an unquoted 2024-11-21 as a date and 2014 as an int."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _check_partial_date(value: str) -> str:
    parts = value.split("/")
    if len(parts) > 2 or not all(_DATE.fullmatch(part) for part in parts):
        raise ValueError(f"{value!r} is not an ISO date (YYYY, YYYY-MM, YYYY-MM-DD) or period (A/B)")
    for part in parts:
        if len(part) == 10:
            dt.date.fromisoformat(part)  # rejects 2023-02-30
    if len(parts) == 2 and parts[0] > parts[1]:
        raise ValueError(f"period {value!r} ends before it starts")
    return value


PartialDate = Annotated[
    str, BeforeValidator(_date_as_text), AfterValidator(_check_partial_date), WithJsonSchema(_PARTIAL_DATE_SCHEMA)
]


def _integral_as_int(value: int | float) -> int | float:
    """53900000000000.0 and 53900000000000 are one value, written without ``.0``."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# ---------------------------------------------------------------- models


class Provenance(BaseModel):
    """One mention: where it is in the original article file and which rule found it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field(description="article file name")
    start: int = Field(ge=0, description="character offset of the mention in the original file")
    end: int = Field(ge=0, description="character offset just past the mention")
    quote: str = Field(description="the original text at [start, end)")
    rule: str = Field(description="id of the rule that produced the mention")

    @model_validator(mode="after")
    def _quote_fits_span(self) -> Provenance:
        if self.end - self.start != len(self.quote):
            raise ValueError(f"quote {self.quote!r} is not {self.end - self.start} characters long ([{self.start}, {self.end}))")
        return self


class Role(BaseModel):
    """A title a person holds, and the organisation it is held in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, description="title as stated, simplified")
    organization: str | None = Field(None, description="canonical name of the organisation; null if none stated")


class Record(BaseModel):
    """Base of every fact: a computed id, evidence and provenance."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    prefix: ClassVar[str] = ""
    id_form: ClassVar[str] = ""

    evidence: str = Field(description="short verbatim quote stating the fact; defaults to the first provenance quote")
    provenance: list[Provenance] = Field([], description="every mention of the fact, in the original text")

    @computed_field(description="deterministic id: record type + normalised key")  # type: ignore[prop-decorator]
    @property
    def id(self) -> str:
        return f"{self.prefix}:{self.key()}"

    def key(self) -> str:
        raise NotImplementedError

    @model_validator(mode="wrap")
    @classmethod
    def _evidence_and_id(cls, data: Any, handler: Any) -> Record:
        stated_id = None
        if isinstance(data, dict):
            data = dict(data)
            stated_id = data.pop("id", None)
            if data.get("evidence") is None and data.get("provenance"):
                first = data["provenance"][0]
                data["evidence"] = first.quote if isinstance(first, Provenance) else first.get("quote")
        record = handler(data)
        if stated_id is not None and stated_id != record.id:
            raise ValueError(f"stated id {stated_id!r} does not match the fields ({record.id!r})")
        return record


class Event(Record):
    """A named, dated happening: one record per occurrence."""

    prefix: ClassVar[str] = "event"
    id_form: ClassVar[str] = "event:<name>, plus :<year> when the name does not contain the year"

    name: str = Field(min_length=1, description="canonical name, e.g. 2024年世界互联网大会乌镇峰会")
    kind: EventKind = Field(description="kind of event")
    year: int | None = Field(None, description="year it took place; null for a recurring activity")
    edition: int | None = Field(None, ge=1, description="ordinal where stated or implied (首届 = 1)")
    start_date: PartialDate | None = Field(None, description="start, as precise as stated")
    end_date: PartialDate | None = Field(None, description="end, as precise as stated")
    location: str | None = Field(None, description="place as stated")
    theme: str | None = Field(None, description="quoted theme, without quotes")
    part_of: str | None = Field(None, description="canonical name of the summit it was held during")

    def key(self) -> str:
        # The year tells occurrences apart unless the name already says it.
        name = normalise_key(self.name)
        return name if self.year is None or str(self.year) in name else f"{name}:{self.year}"


class Organization(Record):
    """A named organisation, including outlets named as a source."""

    prefix: ClassVar[str] = "org"
    id_form: ClassVar[str] = "org:<name>"

    name: str = Field(min_length=1, description="full canonical name")
    aliases: list[str] = Field([], description="other forms used in the article")
    founded: PartialDate | None = Field(None, description="when it was founded, as precise as stated")

    def key(self) -> str:
        return normalise_key(self.name)


class Person(Record):
    """A named person and the roles stated for them."""

    prefix: ClassVar[str] = "person"
    id_form: ClassVar[str] = "person:<name>"

    name: str = Field(min_length=1, description="name as written, simplified")
    roles: list[Role] = Field([], description="titles as stated; [] for a byline author")

    def key(self) -> str:
        return normalise_key(self.name)


class Document(Record):
    """A named document issued, published, released or proposed."""

    prefix: ClassVar[str] = "doc"
    id_form: ClassVar[str] = "doc:<kind>:<title>"

    title: str = Field(min_length=1, description="title without 《》, simplified")
    kind: DocumentKind = Field(description="kind of document")
    issuer: str | None = Field(None, description="canonical name of the issuing organisation or country")
    date: PartialDate | None = Field(None, description="when it was issued, as precise as stated")
    event: str | None = Field(None, description="canonical name of the event it was released at")

    def key(self) -> str:
        # Two documents may share a title and differ in kind.
        return f"{self.kind}:{normalise_key(self.title)}"


class Claim(Record):
    """A stated quantity about the world: one claim per number."""

    prefix: ClassVar[str] = "claim"
    id_form: ClassVar[str] = "claim:<first 12 hex of sha1 of metric|subject|time|value|text>"

    text: str = Field(min_length=1, description="the quantity as written, e.g. 近130家")
    value: Annotated[int | float, AfterValidator(_integral_as_int)] = Field(description="the number in base units")
    unit: str = Field(description="what is counted or measured: 元, %, 国家和地区 ...")
    qualifier: Qualifier = Field("exact", description="how the number bounds the quantity")
    metric: str | None = Field(None, description="what the number measures, short")
    subject: str | None = Field(None, description="who or what it is about")
    time: PartialDate | None = Field(None, description="when the quantity holds, as precise as stated")
    source: str | None = Field(None, description="organisation the figure is attributed to")

    def key(self) -> str:
        parts = [self.metric or "", self.subject or "", self.time or "", repr(self.value), self.text]
        joined = "|".join(normalise_key(part) for part in parts)
        return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:12]


R = TypeVar("R", bound=Record)
SECTIONS: dict[str, type[Record]] = {
    "events": Event, "organizations": Organization, "people": Person, "documents": Document, "claims": Claim,
}


def _reading_order(record: Record) -> tuple[int, int, str]:
    """First mention first; records without provenance (gold) after, by id."""
    starts = [p.start for p in record.provenance]
    return (0, min(starts), record.id) if starts else (1, 0, record.id)


class ArticleFacts(BaseModel):
    """Every fact of one article: the content of one gold-shaped YAML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc: str = Field(description="file name of the source article")
    doc_date: PartialDate | None = Field(None, description="the article's publication date")
    title: str | None = Field(None, description="the article's title (left out of the YAML when unknown)")
    outlet: str | None = Field(None, description="the publishing outlet or site (left out of the YAML when unknown)")
    url: str | None = Field(None, description="where the article was published (left out of the YAML when unknown)")
    events: list[Event] = Field([], description="events, ordered by first mention then id")
    organizations: list[Organization] = Field([], description="organisations, ordered by first mention then id")
    people: list[Person] = Field([], description="people, ordered by first mention then id")
    documents: list[Document] = Field([], description="documents, ordered by first mention then id")
    claims: list[Claim] = Field([], description="claims, ordered by first mention then id")

    @field_validator(*SECTIONS, mode="after")
    @classmethod
    def _unique_and_ordered(cls, records: list[R]) -> list[R]:
        seen: set[str] = set()
        for record in records:
            if record.id in seen:
                raise ValueError(f"two records have id {record.id!r}: merge them first")
            seen.add(record.id)
        return sorted(records, key=_reading_order)

    @classmethod
    def from_records(cls, doc: str, doc_date: str | None, records: Iterable[Record], *, title: str | None = None,
                     outlet: str | None = None, url: str | None = None) -> ArticleFacts:
        """Sort records into sections, merging those with the same id."""
        sections: dict[str, list[Record]] = {name: [] for name in SECTIONS}
        for record in merge_all(records):
            sections[_section_of(record)].append(record)
        return cls(doc=doc, doc_date=doc_date, **_metadata(title, outlet, url), **sections)

    def metadata(self) -> dict[str, str]:
        """The article's title, outlet and url, those known."""
        return _metadata(self.title, self.outlet, self.url)

    def records(self) -> list[Record]:
        return [record for name in SECTIONS for record in getattr(self, name)]


def _metadata(title: str | None, outlet: str | None, url: str | None) -> dict[str, str]:
    known = {"title": title, "outlet": outlet, "url": url}
    return {name: value.strip() for name, value in known.items() if value and value.strip()}


def _section_of(record: Record) -> str:
    return next(name for name, model in SECTIONS.items() if type(record) is model)


# ---------------------------------------------------------------- merging


def _union(first: Iterable[Any], second: Iterable[Any]) -> list[Any]:
    """Items of both, first-seen order, no duplicates. Hashable items (strings,
    frozen models) are looked up in a set: an article naming one organisation
    a thousand times must not take a million comparisons per mention."""
    out: list[Any] = []
    seen: set[Any] = set()
    for item in [*first, *second]:
        try:
            if item in seen:
                continue
            seen.add(item)
        except TypeError:  # unhashable: compared one by one
            if item in out:
                continue
        out.append(item)
    return out


def add_provenance(record: R, *provenance: Provenance) -> R:
    """The record with more mentions (duplicates dropped)."""
    return record.model_copy(update={"provenance": _union(record.provenance, provenance)})


def merge(record: R, other: R) -> R:
    """One record for two mentions of the same fact: lists (aliases, roles,
    provenance) are united, other attributes keep the first non-null value.
    Conflicting values are not reported here."""
    if type(record) is not type(other) or record.id != other.id:
        raise ValueError(f"cannot merge {record.id!r} with {other.id!r}")
    update: dict[str, Any] = {}
    for name in type(record).model_fields:
        mine, theirs = getattr(record, name), getattr(other, name)
        if isinstance(mine, list):
            update[name] = _union(mine, theirs)
        elif mine is None:
            update[name] = theirs
    return record.model_copy(update=update)


def merge_all(records: Iterable[R]) -> list[R]:
    """Records with the same id merged into the first, in first-seen order."""
    merged: dict[str, R] = {}
    for record in records:
        merged[record.id] = merge(merged[record.id], record) if record.id in merged else record
    return list(merged.values())


# ---------------------------------------------------------------- YAML


class _Quoted(str):
    """A string value written in double quotes, as in the gold files."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)  # "  - name:" as in the gold files


_Dumper.add_representer(_Quoted, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"'))
_ENUM_FIELDS = frozenset({"kind", "qualifier"})


def _quoted(value: Any, key: str = "") -> Any:
    """Strings quoted (enum values stay plain), recursively."""
    if isinstance(value, dict):
        return {k: _quoted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted(v) for v in value]
    return _Quoted(value) if isinstance(value, str) and key not in _ENUM_FIELDS else value


def _record_dict(record: Record) -> dict[str, Any]:
    """Gold fields in gold order, then id, evidence, provenance."""
    data = record.model_dump(mode="json", exclude={"id", "evidence", "provenance"})
    data["id"] = record.id
    data["evidence"] = record.evidence
    data["provenance"] = [p.model_dump(mode="json") for p in record.provenance]
    return data


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(_quoted(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**9)


def dump_article_facts(facts: ArticleFacts) -> str:
    """Gold-shaped YAML: the same facts give the same bytes."""
    # Title, outlet and url only when known: gold files have none and stay as they are.
    blocks = [_dump({"doc": facts.doc, "doc_date": facts.doc_date, **facts.metadata()})]
    for name in SECTIONS:
        blocks.append(_dump({name: [_record_dict(r) for r in getattr(facts, name)]}))
    return "\n".join(blocks)


def _error_lines(err: ValidationError) -> str:
    """``[location] message`` for each problem."""
    return "; ".join(f"[{'.'.join(str(p) for p in e['loc'])}] {e['msg']}" for e in err.errors())


def load_article_facts(source: str | Path) -> ArticleFacts:
    """Read facts from a path or from YAML text; gold files (no id or
    provenance) are read too. Raises InputError naming the file."""
    is_path = isinstance(source, Path) or ("\n" not in source and Path(source).is_file())
    where = str(source) if is_path else "<text>"
    text = Path(source).read_text(encoding="utf-8") if is_path else str(source)
    try:
        return ArticleFacts.model_validate(load_yaml(text))
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise InputError(where, f"not valid YAML: {err.problem}", line=line) from None
    except ValidationError as err:
        raise InputError(where, _error_lines(err)) from None
