"""Ingest: read articles from files and folders into :class:`Article` records.

Files
    A folder is read recursively, in sorted order; hidden files and folders
    are skipped silently, files with other extensions than ``SUFFIXES`` and
    folders that cannot be listed are named in one line each. Only regular
    files are read (a FIFO, a device or a symlink loop is one line naming
    it), and none larger than :data:`MAX_ARTICLE_BYTES` or, once decoded,
    longer than :data:`MAX_ARTICLE_CHARS`: kb's cleaning and spaCy take about
    100 bytes of memory per character, and spaCy refuses more than a million.

Ids
    An article's ``id`` (its facts' ``doc``) is its file name; where two
    articles of one run share a file name, each is named by its path relative
    to the folder those files share (``a/index.md``, ``b/index.md``). File
    name bytes that are not UTF-8 are shown as ``\\xNN`` escapes (:func:`shown`),
    so no id holds a lone surrogate; the file is still read by its real path.
    :func:`output_names` names the file each article's facts are saved in.

Formats
    *Front matter*: a file whose first line is ``---`` holds a YAML mapping up
    to the next ``---`` (or ``...``) line; ``title``, ``date``, ``source`` and
    ``url`` are used, every key is kept in ``Article.meta``. ``body_start`` is
    the offset just after the closing line (0 without front matter).
    *Plain text* may open with a news dateline (see :mod:`kb.ingest.dateline`).
    *HTML* (``.html``, ``.htm``): the main text and metadata by trafilatura,
    the main text mapped into the file in ``body_map`` (see :mod:`kb.ingest.html`).

Encodings: see :mod:`kb.ingest.decode`. The BOM is not part of ``text``:
``path.read_bytes().decode(article.encoding) == article.text`` always holds.

Title: front matter ``title``, else the first ``# `` heading, else the first
non-empty line, with markdown and surrounding whitespace removed.

Date: see :mod:`kb.ingest.dateline`.

Not supported: TOML (``+++``) front matter, setext headings, dates in
Chinese numerals, UTF-32, PDF, Word and other formats (files in a folder with
other extensions are named in one line; one named on the command line is read
as text).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import yaml
from pydantic import BaseModel, ConfigDict, SkipValidation

from kb.errors import InputError
from kb.store.files import NoAliasLoader, load_yaml
from kb.clean.offsets import Mapped
from kb.clean.script import simplified
from kb.ingest.dateline import SEARCH_CHARS, DateHow, find_date, find_dateline, front_matter_date
from kb.ingest.decode import decode_bytes
from kb.ingest.html import is_html, read_page


SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
# Far longer than any news article (a long one has 20,000 characters) and
# below spaCy's limit of a million (E088), so no article is refused there.
MAX_ARTICLE_CHARS = 500_000
# Checked before decoding, so a huge file is never read whole: 4 bytes a
# character (UTF-8's most; Chinese takes 3 in UTF-8, 2 in GB18030 or UTF-16).
MAX_ARTICLE_BYTES = 4 * MAX_ARTICLE_CHARS
SHOWN_SKIPPED = 5  # unsupported files named in the one line that reports them


class Article(BaseModel):
    """One article as read from disk. Offsets elsewhere point into ``text``."""

    model_config = ConfigDict(frozen=True)

    id: str                    # the file name, e.g. "003_2cdfacaa30bd1702.txt" (see "Ids" above)
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
    meta: dict = {}            # the front matter as read (an HTML page: its metadata)
    dateline_span: tuple[int, int] | None = None  # [start, end) of the dateline in ``text``
    # HTML: the main text, mapped into ``text`` (kb.ingest.html); None: the body is ``text[body_start:]``
    body_map: SkipValidation[Mapped | None] = None

    @property
    def body(self) -> str:
        """The text after the front matter (of an HTML page: the whole file; see ``body_map``)."""
        return self.text[self.body_start:]


# --- names ----------------------------------------------------------------

def shown(path: str | os.PathLike[str]) -> str:
    """``path`` as a clean string: file name bytes that are not UTF-8 (which
    Python keeps as lone surrogates) become ``\\xNN`` escapes."""
    text = os.fspath(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system gives (U+D800–U+DC7F)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def article_ids(paths: Sequence[Path]) -> list[str]:
    """The id of each article file: its (clean) file name, unique in the run;
    files sharing a name are named by their paths relative to the folder they
    share (``a.txt``, ``sub/a.txt``). Deterministic: it depends on the paths,
    not on their order."""
    ids = [shown(path.name) for path in paths]
    groups: dict[str, list[int]] = {}
    for index, name in enumerate(ids):
        groups.setdefault(name, []).append(index)
    for members in groups.values():
        if len(members) > 1:
            absolute = [os.path.abspath(paths[i]) for i in members]
            common = os.path.commonpath(absolute)
            for index, path in zip(members, absolute):
                ids[index] = shown(Path(os.path.relpath(path, common)).as_posix())
    return ids


def output_names(docs: Iterable[str]) -> dict[str, str]:
    """The file each article's facts are saved in (``kb extract --out``, a
    build's ``articles/``), by ``doc``: ``<stem>.yaml``; docs whose stems
    collide (``dup.txt``, ``dup.md``; ``a/index.md``, ``b/index.md``) use the
    whole doc, ``/`` as ``__``: ``dup.txt.yaml``, ``a__index.md.yaml``. Names
    are compared case-folded (macOS and Windows file systems ignore case)."""
    names = {doc: f"{Path(doc).stem}.yaml" for doc in sorted(set(docs))}
    names = _renamed_on_collision(names, lambda doc: f"{doc.replace('/', '__')}.yaml")
    # Only contrived names are still taken (``a.txt.md`` beside ``a.txt``, ``a.md``): add a hash.
    return _renamed_on_collision(names, lambda doc: f"{doc.replace('/', '__')}-{_digest(doc)}.yaml")


def _renamed_on_collision(names: dict[str, str], rename: Callable[[str], str]) -> dict[str, str]:
    counts = Counter(name.casefold() for name in names.values())
    return {doc: rename(doc) if counts[name.casefold()] > 1 else name for doc, name in names.items()}


def _digest(doc: str) -> str:
    return hashlib.sha256(doc.encode("utf-8", "surrogatepass")).hexdigest()[:8]


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
    block = text[opening.end():closing.start()]
    try:
        meta = load_yaml(block)
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
    line = _surrogate_line(block)
    if line is not None:
        raise InputError(path, "front matter has a lone surrogate (an escape like \\ud800, half a "
                         "UTF-16 pair), which is not a character", line=line + 2)
    end = closing.end()
    return meta, end + 1 if text.startswith("\n", end) else end


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _surrogate_line(block: str) -> int | None:
    """The line (0-based, in ``block``) of the first YAML scalar that holds a
    lone surrogate: only a ``\\u``/``\\U`` escape in a double-quoted string makes one,
    and nothing downstream (the cache key, GraphML, YAML output) can encode it."""
    if "\\u" not in block and "\\U" not in block:
        return None
    stack = [yaml.compose(block, Loader=NoAliasLoader)]  # read once already: no aliases, not too deep
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and _SURROGATE.search(node.value):
            return node.start_mark.line
        if isinstance(node, yaml.MappingNode):
            stack += reversed([part for pair in node.value for part in pair])
        elif isinstance(node, yaml.SequenceNode):
            stack += reversed(node.value)
    return None


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


def parse_article(text: str, path: str | Path, encoding: str = "utf-8", *, article_id: str | None = None) -> Article:
    """An :class:`Article` from decoded ``text`` (pure: reads nothing); its id
    is ``article_id``, else the clean file name of ``path``."""
    path = Path(path)
    where = shown(path)
    if is_html(path):
        return html_article(text, path, encoding, article_id or shown(path.name))
    if len(text) > MAX_ARTICLE_CHARS:
        raise InputError(where, f"article too long: {len(text):,} characters, over the limit of "
                         f"{MAX_ARTICLE_CHARS:,} (kb.ingest.articles.MAX_ARTICLE_CHARS)")
    meta, body_start = split_front_matter(text, where)
    body = text[body_start:]
    if not body.strip():
        raise InputError(where, "article has no text after its front matter")
    article_id = article_id or shown(path.name)
    dateline = find_dateline(body[:SEARCH_CHARS])
    date, date_how = find_date(meta, body, dateline)
    agency = dateline.agency if dateline and dateline.agency not in ("本报", "本報") else None
    return Article(
        id=article_id, path=path, text=text, encoding=encoding, body_start=body_start,
        title=find_title(meta, body, fallback=Path(article_id).stem), date=date, date_how=date_how,
        source=_text_field(meta, "source") or (simplified(agency) if agency else None),
        url=_text_field(meta, "url"),
        place=dateline.place if dateline else None,
        author=dateline.author if dateline else None,
        meta=meta,
        dateline_span=(body_start + dateline.span[0], body_start + dateline.span[1]) if dateline else None,
    )


def read_article(path: str | Path, *, article_id: str | None = None) -> Article:
    """Read one article; raise :class:`InputError` naming the file when it cannot be read."""
    data = read_bytes(path)
    text, encoding = decode_bytes(data, shown(path))
    return parse_article(text, path, encoding, article_id=article_id)


# --- files ----------------------------------------------------------------

def read_bytes(path: str | Path) -> bytes:
    """The bytes of the regular file at ``path``: a FIFO would block, a device
    like /dev/zero never ends, and no file over :data:`MAX_ARTICLE_BYTES` is
    read whole (at most one byte more, to know it is over)."""
    where = shown(path)
    try:
        _require_file(os.stat(path).st_mode, where)  # before opening: opening a device may do things
        # O_NONBLOCK: a file replaced by a FIFO since the stat must not block the open.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            _require_file(os.fstat(fd).st_mode, where)
            data = handle.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(where, "file not found (deleted or moved while kb was running?)") from None
    except OSError as err:  # a symlink loop, no permission, an I/O error
        raise InputError(where, f"cannot read: {err.strerror or err}") from None
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(where, f"file too large: over the limit of {MAX_ARTICLE_BYTES:,} bytes "
                         "(kb.ingest.articles.MAX_ARTICLE_BYTES)")
    return data


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _require_file(mode: int, where: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(where, "is a folder, expected a file")
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    raise InputError(where, f"not a regular file ({kind})")


def article_paths(folder: Path) -> list[Path]:
    """Article files under ``folder`` (recursively), sorted; hidden files and folders skipped."""
    return _scan(folder)[0]


def _scan(folder: Path) -> tuple[list[Path], list[InputError]]:
    """:func:`article_paths`, and a line for each folder that cannot be listed
    and one for the files skipped for their extension."""
    found, others, problems = [], [], []

    def unlistable(err: OSError) -> None:
        where = shown(err.filename if err.filename is not None else folder)
        problems.append(InputError(where, f"cannot read folder: {err.strerror or err}; its articles are skipped"))

    for root, dirs, files in os.walk(folder, onerror=unlistable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                (found if name.lower().endswith(SUFFIXES) else others).append(Path(root, name))
    if others:
        problems.append(_unsupported(folder, others))
    return sorted(found, key=lambda p: p.relative_to(folder).parts), problems


def _unsupported(folder: Path, files: list[Path]) -> InputError:
    names = sorted(shown(path.relative_to(folder).as_posix()) for path in files)
    more = f" and {len(names) - SHOWN_SKIPPED} more" if len(names) > SHOWN_SKIPPED else ""
    return InputError(shown(folder), f"{len(names)} file{'s' * (len(names) > 1)} with unsupported extensions "
                      f"(kb reads {_patterns()}): {', '.join(names[:SHOWN_SKIPPED])}{more}")


def _patterns() -> str:
    return ", ".join("*" + suffix for suffix in SUFFIXES)


def _expand(path: Path) -> Iterator[Path | InputError]:
    if path.is_dir():
        files, problems = _scan(path)
        yield from problems
        if not files and not any(p.message.startswith("cannot read folder") for p in problems):
            yield InputError(shown(path), f"folder has no articles ({_patterns()})")
        yield from files
    elif path.exists() or path.is_symlink():
        yield path
    else:
        yield InputError(shown(path), "no such file or folder")


def read_articles(paths: Iterable[str | Path] | str | Path) -> Iterator[Article | InputError]:
    """Articles from files and folders in a stable order; unreadable ones yield their error.

    Every path is listed first (problems listing them come first), then each
    file is read. A file reached twice (named and inside a named folder) is
    read once. Ids are unique (see :func:`article_ids`) unless two names in
    one folder only look the same once cleaned (a byte 0xFF and the text
    ``\\xff``): the second yields an error.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    seen: set[str] = set()
    for given in paths:
        for item in _expand(Path(given)):
            if isinstance(item, InputError):
                yield item
            elif (key := os.path.realpath(item)) not in seen:  # never raises, even on a symlink loop
                seen.add(key)
                files.append(item)
    taken: dict[str, Path] = {}
    for path, article_id in zip(files, article_ids(files)):
        if article_id in taken:
            yield InputError(shown(path), f"duplicate article id {article_id!r} (also {shown(taken[article_id])})")
            continue
        taken[article_id] = path
        try:
            yield read_article(path, article_id=article_id)
        except InputError as err:
            yield err


def html_article(text: str, path: Path, encoding: str, article_id: str) -> Article:
    """The :class:`Article` of the HTML page ``text`` (pure: reads nothing; the page is read by
    :func:`kb.ingest.html.read_page`):
    its metadata feeds the article as front matter does; a dateline is looked for in the main text."""
    where = shown(path)
    page = read_page(text, where)
    body = page.body.text
    if len(body) > MAX_ARTICLE_CHARS:
        raise InputError(where, f"main text too long: {len(body):,} characters, over the limit of "
                         f"{MAX_ARTICLE_CHARS:,} (kb.ingest.articles.MAX_ARTICLE_CHARS)")
    meta = {key: value for key, value in (("title", page.title), ("date", page.date), ("site_name", page.site),
                                          ("url", page.url)) if value is not None}
    if page.unplaced:
        meta["unplaced_lines"] = page.unplaced
    dateline = find_dateline(body[:SEARCH_CHARS])
    published = front_matter_date(page.date)  # the page's markup says when, as front matter would
    date, date_how = (published, "html_meta") if published else find_date({}, body, dateline)
    agency = dateline.agency if dateline and dateline.agency not in ("本报", "本報") else None
    return Article(
        id=article_id, path=path, text=text, encoding=encoding, body_start=0, body_map=page.body,
        title=find_title(meta, body, fallback=Path(article_id).stem), date=date, date_how=date_how,
        source=page.site or (simplified(agency) if agency else None), url=page.url,
        place=dateline.place if dateline else None, author=dateline.author if dateline else None,
        meta=meta, dateline_span=page.body.span(*dateline.span) if dateline else None,
    )
