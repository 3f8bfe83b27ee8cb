"""Tests for kb.ingest.articles's files: what is read, article ids, output file names, folder problems.

One bad file never takes the run down: each gives one line naming it and the
others are read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kb.store.cache import FactsCache
from kb.errors import InputError
from kb.ingest.articles import Article, output_names, read_article, read_articles

ARTICLE = "网络空间命运共同体\n新华社北京11月20日电（记者 王思北）2024年世界互联网大会乌镇峰会今天开幕。\n".encode()

# files to write (name → None for an article), the ids read back, in order
ID_CASES = [
    (["dup.txt", "dup.md"], ["dup.md", "dup.txt"]),
    (["index.md", "sub/index.md", "sub/deeper/index.md"], ["index.md", "sub/deeper/index.md", "sub/index.md"]),
    (["one/a.txt", "two/a.txt", "b.txt"], ["b.txt", "one/a.txt", "two/a.txt"]),
    (["x/one/a.txt", "x/two/a.txt", "y/a.md"], ["one/a.txt", "two/a.txt", "a.md"]),
    (["d01.md", "d02.txt"], ["d01.md", "d02.txt"]),
]

# docs, the file name each is saved under
OUTPUT_NAME_CASES = [
    (["d01.md", "d02.txt"], ["d01.yaml", "d02.yaml"]),
    (["dup.txt", "dup.md"], ["dup.txt.yaml", "dup.md.yaml"]),
    (["a/index.md", "b/index.md", "c.md"], ["a__index.md.yaml", "b__index.md.yaml", "c.yaml"]),
    (["A.txt", "a.md"], ["A.txt.yaml", "a.md.yaml"]),  # one file on a case-insensitive disk
    (["a.txt", "a.md", "a.txt.md"], ["a.txt-18b7cb09.yaml", "a.md.yaml", "a.txt.md-1ad138a3.yaml"]),
    (["bad\\xff.txt"], ["bad\\xff.yaml"]),
]


def write(folder: Path, name: str | bytes, data: bytes = ARTICLE) -> Path:
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), os.fsencode(name))))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def split(items) -> tuple[list[Article], list[InputError]]:
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, InputError)]


# --- what is read -----------------------------------------------------------

def special_file(folder: Path, kind: str) -> Path:
    path = folder / f"{kind}.txt"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path.name)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("kind,message", [
    ("fifo", "not a regular file (a FIFO)"),
    ("device", "not a regular file (a character device)"),
    ("loop", "cannot read: Too many levels of symbolic links"),
])
def test_ingest_files_special_file_is_one_line_and_the_rest_go_on(tmp_path, kind, message):
    write(tmp_path, "a.txt")
    special = special_file(tmp_path, kind)
    write(tmp_path, "z.txt")
    articles, errors = split(read_articles(tmp_path))
    assert [a.id for a in articles] == ["a.txt", "z.txt"]
    assert [str(e) for e in errors] == [f"{special}: {message}"]


def test_ingest_files_non_utf8_name_gives_clean_id(tmp_path):
    path = write(tmp_path, b"bad\xff\xe4\xb8.txt")
    (article,) = read_articles(tmp_path)
    assert article.id == "bad\\xff\\xe4\\xb8.txt" and article.title == "网络空间命运共同体"
    assert article.path == path and article.id.encode("utf-8")
    assert FactsCache(tmp_path / "cache").key(article)


def test_ingest_files_non_utf8_name_in_error_is_clean(tmp_path):
    write(tmp_path, b"bad\xff.txt", b"")
    (error,) = read_articles(tmp_path)
    assert error.path == f"{tmp_path}/bad\\xff.txt" and str(error).encode("utf-8")


# --- ids ----------------------------------------------------------------------

@pytest.mark.parametrize("names,ids", ID_CASES)
def test_ingest_files_ids_are_unique(tmp_path, names, ids):
    for name in names:
        write(tmp_path, name)
    articles, errors = split(read_articles(tmp_path))
    assert [a.id for a in articles] == ids and errors == []


def test_ingest_files_ids_do_not_depend_on_the_order_given(tmp_path):
    for folder in ("d1", "d2"):
        write(tmp_path, f"{folder}/a.txt")
    forward = [a.id for a in read_articles([tmp_path / "d1", tmp_path / "d2"])]
    backward = [a.id for a in read_articles([tmp_path / "d2", tmp_path / "d1"])]
    assert forward == ["d1/a.txt", "d2/a.txt"] and backward == ["d2/a.txt", "d1/a.txt"]


@pytest.mark.parametrize("docs,names", OUTPUT_NAME_CASES)
def test_ingest_files_output_names(docs, names):
    assert output_names(docs) == dict(zip(docs, names))


@pytest.mark.parametrize("names", [case[0] for case in ID_CASES])
def test_ingest_files_output_names_unique_for_any_layout(tmp_path, names):
    for name in names:
        write(tmp_path, name)
    docs = [a.id for a in read_articles(tmp_path)]
    assert len({name.casefold() for name in output_names(docs).values()}) == len(docs)


# --- folders ------------------------------------------------------------------

def test_ingest_files_unreadable_folder_is_one_line(tmp_path, monkeypatch):
    write(tmp_path, "a.txt")
    locked = write(tmp_path, "locked/b.txt").parent
    write(tmp_path, "open/c.txt")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    articles, errors = split(read_articles(tmp_path))
    assert [a.id for a in articles] == ["a.txt", "c.txt"]
    assert [str(e) for e in errors] == [f"{locked}: cannot read folder: Permission denied; its articles are skipped"]


@pytest.mark.parametrize("names,message", [
    (["report.pdf"], "1 file with unsupported extensions (kb reads *.txt, *.md, *.markdown, *.html, *.htm): "
     "report.pdf"),
    (["b.docx", "a.pdf", "sub/c.json", ".hidden.pdf"], "3 files with unsupported extensions "
     "(kb reads *.txt, *.md, *.markdown, *.html, *.htm): a.pdf, b.docx, sub/c.json"),
    ([f"{n}.pdf" for n in range(7)], "7 files with unsupported extensions "
     "(kb reads *.txt, *.md, *.markdown, *.html, *.htm): 0.pdf, 1.pdf, 2.pdf, 3.pdf, 4.pdf and 2 more"),
])
def test_ingest_files_unsupported_extensions_named_in_one_line(tmp_path, names, message):
    write(tmp_path, "a.txt")
    for name in names:
        write(tmp_path, name)
    articles, errors = split(read_articles(tmp_path))
    assert [a.id for a in articles] == ["a.txt"]
    assert [(e.path, e.message) for e in errors] == [(str(tmp_path), message)]


def test_ingest_files_named_file_of_any_extension_is_read(tmp_path):
    assert read_article(write(tmp_path, "notes.rst")).id == "notes.rst"
