"""Ingest: read articles from files and folders into :class:`Article` records.

TO BE IMPLEMENTED (see issue 2, "Ingest" and "Bad input").
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict

from kb.errors import InputError

# How an article's publication date was obtained.
DateHow = Literal["front_matter", "dateline", "dateline_year_from_text", "text", "unknown"]


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

    @property
    def body(self) -> str:
        return self.text[self.body_start:]


def read_article(path: str | Path) -> Article:
    """Read one article; raise :class:`InputError` naming the file when it cannot be read."""
    raise NotImplementedError


def read_articles(paths: list[str | Path]) -> Iterator[Article | InputError]:
    """Articles from files and folders in a stable order; unreadable ones yield their error."""
    raise NotImplementedError
