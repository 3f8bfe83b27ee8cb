"""HTML articles: the page's main text by trafilatura, mapped back into the file.

``Article.text`` of an HTML page is the file as decoded, as for every article:
offsets point into it and provenance quotes are its exact characters.
trafilatura finds the main text (navigation, footers and the like left out)
and the metadata: title, date (from the page's markup only: ``<meta>``,
JSON-LD, ``<time>``; no guessing from the text), site name, url.

Offsets: kb locates each line (paragraph) of trafilatura's text in the page's
*visible text*, the file with comments, ``<head>``, ``<script>``/``<style>``-like
elements and tags removed and character references (``&ldquo;``, ``&#12290;``)
decoded, every visible character knowing its range in the file. Lines are
compared without whitespace and zero-width characters (trafilatura collapses
them), searching forward from the previous line's end (then from the top).
In the main text's :class:`~kb.clean.offsets.Mapped`, a located character maps
to its range in the file (a decoded reference to the whole reference); a space
between two located characters maps to what lies between them in the file
(tags, line breaks); the newline between two lines maps to the point where
the first ends. A line trafilatura decorated (``- `` before a list item,
``|`` between table cells) is located piece by piece. A piece that cannot be
located (trafilatura changed more than whitespace) is left out of the main
text, and counted in ``Article.meta["unplaced_lines"]``: left out, rather than
mapped to a guess, so no fact ever quotes the wrong part of the page.
"""

from __future__ import annotations

import html
import re
from array import array
from dataclasses import dataclass
from pathlib import Path

from kb.clean.offsets import Mapped
from kb.errors import InputError

HTML_SUFFIXES = (".html", ".htm")

# Skipped whole: comments, the head, and elements whose content is never shown as text.
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(head|script|style|noscript|template|svg|math)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<!\[CDATA\[.*?(?:\]\]>|\Z)|</?[A-Za-z][^>]*>|<[!?][^>]*>",
    re.S | re.I,
)
_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
_TOKEN = re.compile(f"{_HIDDEN.pattern}|{_REFERENCE.pattern}", re.S | re.I)
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Not compared: trafilatura collapses whitespace and drops zero-width characters.
_IGNORED = re.compile(f"[\\s{_ZERO_WIDTH}]+")
_TRIM = re.compile(f"^[\\s{_ZERO_WIDTH}]+|[\\s{_ZERO_WIDTH}]+$")
# How trafilatura's text output decorates lines: a list item's "- ", table cells' " | ".
_DECORATION = re.compile(r"^\s*-\s+|\s+\|\s+")


@dataclass(frozen=True)
class Page:
    """What trafilatura found in a page, with the main text mapped into the file."""

    body: Mapped
    title: str | None
    date: str | None
    site: str | None
    url: str | None
    unplaced: int  # pieces of trafilatura's text not found in the file, left out of ``body``


def is_html(path: str | Path) -> bool:
    return Path(path).suffix.lower() in HTML_SUFFIXES


def read_page(source: str, where: str) -> Page:
    """The main text and metadata of the HTML page ``source``; :class:`InputError` if it has none."""
    import trafilatura

    found = trafilatura.bare_extraction(
        source, with_metadata=True, include_comments=False, include_tables=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if found is None or not (found.text or "").strip():
        raise InputError(where, "HTML page without main text (trafilatura found none)")
    body, unplaced = locate(found.text, source)
    if not body.text.strip():
        raise InputError(where, "HTML page whose main text cannot be found in the file")
    return Page(body, _clean(found.title), _clean(found.date), _clean(found.sitename), _clean(found.url), unplaced)


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def visible_text(source: str) -> tuple[str, array, array]:
    """The characters of ``source`` a browser shows, without whitespace, and per
    character its ``[start, end)`` in ``source`` (see the module docstring)."""
    chars: list[str] = []
    starts, ends = array("l"), array("l")

    def add(text: str, start: int, end: int | None = None) -> None:
        for offset, char in enumerate(text):
            if not (char.isspace() or char in _ZERO_WIDTH):
                chars.append(char)
                starts.append(start + offset if end is None else start)
                ends.append(start + offset + 1 if end is None else end)

    pos = 0
    for match in _TOKEN.finditer(source):
        add(source[pos:match.start()], pos)
        if match.group().startswith("&"):
            add(html.unescape(match.group()), match.start(), match.end())
        pos = match.end()
    add(source[pos:], pos)
    return "".join(chars), starts, ends


def locate(text: str, source: str) -> tuple[Mapped, int]:
    """``text`` (trafilatura's lines) as a Mapped into ``source``, and how many
    pieces of it were left out for not being found there."""
    visible, starts, ends = visible_text(source)
    out, out_starts, out_ends = [], [], []
    cursor, unplaced = 0, 0
    for line in text.splitlines():
        separator = "\n"
        for piece in _DECORATION.split(line):
            key = _IGNORED.sub("", piece)
            if not key:
                continue
            at = visible.find(key, cursor)
            at = at if at >= 0 else visible.find(key)
            if at < 0:
                unplaced += 1
                continue
            if out:  # a line break (a space between table cells) at the point where the previous piece ends
                point = out_ends[-1]
                out.append(separator)
                out_starts.append(point)
                out_ends.append(point)
            cursor = _place(_TRIM.sub("", piece), at, starts, ends, out, out_starts, out_ends)
            separator = " "
    return Mapped("".join(out), tuple(out_starts), tuple(out_ends), len(source)), unplaced


def _place(piece: str, at: int, starts: array, ends: array, out: list, out_starts: list, out_ends: list) -> int:
    """Append ``piece``, found at ``visible[at:]``, with its map; the visible index after it."""
    k = at
    for char in piece:
        if char.isspace() or char in _ZERO_WIDTH:  # between two located characters: what lies between them
            out_starts.append(ends[k - 1])
            out_ends.append(starts[k])
        else:
            out_starts.append(starts[k])
            out_ends.append(ends[k])
            k += 1
        out.append(char)
    return k
