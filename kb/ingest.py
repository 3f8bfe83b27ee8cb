"""Ingest: read articles from files and folders into :class:`Article` records.

Formats
    *Front matter*: a file whose first line is ``---`` holds a YAML mapping up
    to the next ``---`` (or ``...``) line; ``title``, ``date``, ``source`` and
    ``url`` are used, every key is kept in ``Article.meta``. ``body_start`` is
    the offset just after the closing line (0 without front matter).
    *Plain text* may open with a news dateline (see :mod:`kb.dateline`).

Encodings (the first that fits): a BOM (``utf-8-sig``, ``utf-16``); a file
with NUL bytes is BOM-less UTF-16 if its NULs sit on one byte parity and it
decodes strictly, else binary; strict ``utf-8``; a file that is mostly valid
UTF-8 is reported as broken UTF-8 rather than guessed; otherwise ``gb18030``
or ``big5``, whichever decodes strictly and scores higher by
:func:`plausibility` (ties go to gb18030). The BOM is not part of ``text``:
``path.read_bytes().decode(article.encoding) == article.text`` always holds.

Title: front matter ``title``, else the first ``# `` heading, else the first
non-empty line, with markdown and surrounding whitespace removed.

Date: see :mod:`kb.dateline`.

Not supported: TOML (``+++``) front matter, setext headings, HTML, dates in
Chinese numerals, UTF-32.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator

import yaml
from pydantic import BaseModel, ConfigDict

from kb.errors import InputError
from kb.files import load_yaml
from kb.clean.script import simplified
from kb.dateline import SEARCH_CHARS, DateHow, find_date, find_dateline


SUFFIXES = (".txt", ".md", ".markdown")


class Article(BaseModel):
    """One article as read from disk. Offsets elsewhere point into ``text``."""

    model_config = ConfigDict(frozen=True)

    id: str                    # the file name, e.g. "003_2cdfacaa30bd1702.txt"
    path: Path
    text: str                  # the whole decoded file, as on disk (offsets point here)
    encoding: str              # e.g. "utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"
    body_start: int            # offset in ``text`` where the body starts (after front matter)
    title: str
    date: str | None           # ISO 8601, as precise as known: "2023-11-11", "2023-11", "2023"
    date_how: DateHow
    source: str | None = None  # publishing outlet: front matter `source:` or the dateline's agency
    url: str | None = None
    place: str | None = None   # dateline place, e.g. "乌镇"
    author: str | None = None  # dateline author, e.g. "张煜欢"
    meta: dict = {}            # the front matter as read
    dateline_span: tuple[int, int] | None = None  # [start, end) of the dateline in ``text``

    @property
    def body(self) -> str:
        return self.text[self.body_start:]


# --- decoding -------------------------------------------------------------

# BOM, the encoding that strips it, the codec for the rest.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
# The 100 most frequent characters of Chinese text (charset-normalizer's
# list) and their traditional forms: right decodings are full of them.
_COMMON = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所"
    "然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实"
    "這個們來為爲國說時會對於過發後裏裡種經麼學現當沒動還進樣開從實"
    "，。、；：？！“”‘’（）《》「」"
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def plausibility(text: str) -> int:
    """How much ``text`` reads like Chinese: +1 per very common character or
    punctuation mark, -5 per private-use or unassigned code point (a wrong
    Big5/GBK guess is full of these)."""
    score = 0
    for char in text:
        if char in _COMMON:
            score += 1
        elif unicodedata.category(char) in ("Co", "Cn"):
            score -= 5
    return score


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """The text of ``data`` and the encoding that decodes it; :class:`InputError` if none does."""
    if not data:
        raise InputError(path, "file is empty")
    for bom, encoding, rest in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(rest), path), encoding
            except UnicodeDecodeError as err:
                raise InputError(path, f"starts with a {rest} BOM but byte {err.start + len(bom)} is not {rest}") from None
    if b"\0" in data:
        found = _utf16_without_bom(data)
        if found is None:
            raise InputError(path, "binary file, not text (contains NUL bytes and is not UTF-16)")
        return _checked(found[0], path), found[1]
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as err:
        if _mostly_utf8(data):
            line = data.count(b"\n", 0, err.start) + 1
            raise InputError(path, f"invalid UTF-8 at byte {err.start} (the rest is UTF-8)", line=line) from None
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((plausibility(text), encoding, text))
    if not candidates:
        raise InputError(path, "cannot decode: not UTF-8, UTF-16, GB18030 or Big5")
    _, encoding, text = max(candidates, key=lambda c: c[0])
    return _checked(text, path), encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text: ASCII characters put their NUL byte on one parity (odd for LE)."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    encoding = "utf-16-le" if odd > 9 * even else "utf-16-be" if even > 9 * odd else None
    if encoding is None:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return (text, encoding) if "\0" not in text else None


def _mostly_utf8(data: bytes) -> bool:
    """Valid multi-byte UTF-8 far outnumbers the bad bytes: a damaged UTF-8 file."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F) - bad
    return good >= 4 * bad


def _checked(text: str, path: str | Path) -> str:
    """``text``, unless control characters show it is binary (a stray one is kept)."""
    controls = _CONTROL.findall(text)
    if "\0" in controls or len(controls) * 100 > len(text):
        first = _CONTROL.search(text)
        line = text.count("\n", 0, first.start()) + 1
        raise InputError(path, f"binary file, not text (control character U+{ord(first.group()):04X})", line=line)
    if not text.strip():
        raise InputError(path, "file has no text (only whitespace)")
    return text


# --- front matter ---------------------------------------------------------

_FM_OPEN = re.compile(r"---[ \t]*\r?\n")
_FM_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.M)


def split_front_matter(text: str, path: str | Path) -> tuple[dict, int]:
    """The front matter mapping (``{}`` if none) and the offset where the body starts."""
    opening = _FM_OPEN.match(text)
    if not opening:
        return {}, 0
    closing = _FM_CLOSE.search(text, opening.end())
    if not closing:
        raise InputError(path, "front matter opened by '---' is never closed by a '---' line", line=1)
    try:
        meta = load_yaml(text[opening.end():closing.start()])
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        line = mark.line + 2 if mark is not None else None  # the block starts on line 2
        raise InputError(path, f"front matter is not valid YAML: {problem}", line=line) from None
    except RecursionError:
        raise InputError(path, "front matter is nested too deeply", line=2) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as err:
        # PyYAML's constructors raise these for a well-formed but impossible
        # value: `date: 2023-13-45`, `!!int x`, `!!timestamp x`.
        raise InputError(path, f"front matter has a value YAML cannot read: {err}", line=2) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(path, "front matter is not a mapping of keys to values", line=2)
    end = closing.end()
    return meta, end + 1 if text.startswith("\n", end) else end


# --- title ----------------------------------------------------------------

# The closing #s are removed in Python (:func:`_heading_text`): a regex for them
# backtracks quadratically over a long line of spaces.
_H1 = re.compile(r"^[ \t]{0,3}#[ \t]+(.+)$", re.M)
_MARKDOWN = (
    # No opening bracket inside: each match attempt stops at the next one, so a
    # line of `![![![` takes linear time, not quadratic.
    (re.compile(r"!\[[^\[\]]*\]\([^()]*\)"), ""),         # images
    (re.compile(r"\[([^\[\]]*)\]\([^()]*\)"), r"\1"),     # links keep their text
    (re.compile(r"<[^<>\n]+>"), ""),                     # inline HTML
    (re.compile(r"\*\*|__|~~|[*`]"), ""),                # emphasis, code
    (re.compile(r"^\s*(?:#{1,6}|>|[-+])\s+"), ""),       # heading, quote, list marks
    (re.compile(r"\s+"), " "),
)


def strip_markdown(line: str) -> str:
    """A line's text without inline markdown, whitespace collapsed and trimmed."""
    for pattern, repl in _MARKDOWN:
        line = pattern.sub(repl, line)
    return line.strip()


def _heading_text(line: str) -> str:
    """An ATX heading's text without its optional closing ``#`` sequence."""
    text = line.rstrip(" \t\r")
    bare = text.rstrip("#")
    if bare != text and bare[-1:] in (" ", "\t"):
        return bare.rstrip(" \t")
    return text


def find_title(meta: dict, body: str, fallback: str) -> str:
    """Front matter title, else the first ``# `` heading, else the first non-empty line."""
    candidates = [str(meta["title"])] if meta.get("title") is not None else []
    heading = _H1.search(body)
    candidates += [_heading_text(heading.group(1))] if heading else []
    candidates += body.splitlines()
    return next((t for t in map(strip_markdown, candidates) if t), fallback)


# --- articles -------------------------------------------------------------

def _text_field(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    return str(value).strip() or None if value is not None else None


def parse_article(text: str, path: str | Path, encoding: str = "utf-8") -> Article:
    """An :class:`Article` from decoded ``text`` (pure: reads nothing)."""
    path = Path(path)
    meta, body_start = split_front_matter(text, path)
    body = text[body_start:]
    if not body.strip():
        raise InputError(path, "article has no text after its front matter")
    dateline = find_dateline(body[:SEARCH_CHARS])
    date, date_how = find_date(meta, body, dateline)
    agency = dateline.agency if dateline and dateline.agency not in ("本报", "本報") else None
    return Article(
        id=path.name, path=path, text=text, encoding=encoding, body_start=body_start,
        title=find_title(meta, body, fallback=path.stem), date=date, date_how=date_how,
        source=_text_field(meta, "source") or (simplified(agency) if agency else None),
        url=_text_field(meta, "url"),
        place=dateline.place if dateline else None,
        author=dateline.author if dateline else None,
        meta=meta,
        dateline_span=(body_start + dateline.span[0], body_start + dateline.span[1]) if dateline else None,
    )


def read_article(path: str | Path) -> Article:
    """Read one article; raise :class:`InputError` naming the file when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found (deleted or moved while kb was running?)") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, expected a file") from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    text, encoding = decode_bytes(data, path)
    return parse_article(text, path, encoding)


def article_paths(folder: Path) -> list[Path]:
    """Article files under ``folder`` (recursively), sorted; hidden files and folders skipped."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root, f) for f in files if not f.startswith(".") and f.lower().endswith(SUFFIXES)]
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _expand(path: Path) -> Iterator[Path | InputError]:
    if path.is_dir():
        files = article_paths(path)
        if not files:
            yield InputError(path, f"folder has no articles ({', '.join('*' + s for s in SUFFIXES)})")
        yield from files
    elif path.exists() or path.is_symlink():
        yield path
    else:
        yield InputError(path, "no such file or folder")


def read_articles(paths: Iterable[str | Path] | str | Path) -> Iterator[Article | InputError]:
    """Articles from files and folders in a stable order; unreadable ones yield their error.

    A file reached twice (named and inside a named folder) is read once; a
    second file with an id (file name) already taken yields an error.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    seen: set[Path] = set()
    ids: dict[str, Path] = {}
    for given in paths:
        for item in _expand(Path(given)):
            if isinstance(item, InputError):
                yield item
                continue
            if (key := item.resolve()) in seen:
                continue
            seen.add(key)
            if item.name in ids:
                yield InputError(item, f"duplicate article id {item.name!r} (also {ids[item.name]})")
                continue
            ids[item.name] = item
            try:
                yield read_article(item)
            except InputError as err:
                yield err
