"""kb.store.cache: hits, misses, invalidation, corrupt or edited entries, and a cache that cannot be written."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from kb.store.cache import FactsCache
from kb.ingest.articles import read_article
from kb.batch import extract_all
from kb.records.models import ArticleFacts

ARTICLE_DATE = "2024-11-20"
ARTICLE = f"---\ntitle: 测试\ndate: {ARTICLE_DATE}\n---\n\n世界互联网大会在乌镇举行。\n"


@pytest.fixture
def rules(tmp_path, monkeypatch) -> Path:
    """A copy of rules/ that a test may edit."""
    from kb.paths import ROOT

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    monkeypatch.setenv("KB_RULES_DIR", str(folder))
    return folder


@pytest.fixture
def model(tmp_path, monkeypatch) -> Path:
    """A stand-in model folder: the cache only stats its files."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.npz").write_bytes(b"w" * 10)
    (folder / "features.pkl").write_bytes(b"f" * 10)
    monkeypatch.setenv("KB_PKUSEG_MODEL", str(folder))
    return folder


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "docs" / "a.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return read_article(path)


def _facts(article) -> ArticleFacts:
    return ArticleFacts(doc=article.id, doc_date=article.date)


def _stored(tmp_path, article) -> FactsCache:
    cache = FactsCache(tmp_path / "cache")
    cache.put(article, _facts(article))
    return cache


def test_cache_miss_then_hit(tmp_path, rules, model, article):
    cache = FactsCache(tmp_path / "cache")
    assert cache.get(article) is None
    cache.put(article, _facts(article))
    assert cache.get(article) == _facts(article)
    assert (cache.hits, cache.misses) == (1, 1)


def test_cache_hit_in_a_new_cache_object(tmp_path, rules, model, article):
    _stored(tmp_path, article)
    assert FactsCache(tmp_path / "cache").get(article) == _facts(article)


def test_cache_miss_when_article_changes(tmp_path, rules, model, article):
    _stored(tmp_path, article)
    article.path.write_text(ARTICLE + "新增一段。\n", encoding="utf-8")
    assert FactsCache(tmp_path / "cache").get(read_article(article.path)) is None


def test_cache_miss_when_a_rule_file_changes(tmp_path, rules, model, article):
    _stored(tmp_path, article)
    with open(rules / "noise.yaml", "a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")
    assert FactsCache(tmp_path / "cache").get(article) is None


def test_cache_miss_when_a_rule_file_is_added(tmp_path, rules, model, article):
    _stored(tmp_path, article)
    (rules / "extra.yaml").write_text("{}\n", encoding="utf-8")
    assert FactsCache(tmp_path / "cache").get(article) is None


@pytest.mark.parametrize("change", ["size", "mtime"])
def test_cache_miss_when_the_model_changes(tmp_path, rules, model, article, change):
    _stored(tmp_path, article)
    weights = model / "weights.npz"
    if change == "size":
        weights.write_bytes(b"w" * 11)
    else:
        stat = weights.stat()
        os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert FactsCache(tmp_path / "cache").get(article) is None


def test_cache_miss_for_another_model_path_or_segmenter(tmp_path, rules, model, article):
    _stored(tmp_path, article)
    other = tmp_path / "other-model"
    shutil.copytree(model, other)
    assert FactsCache(tmp_path / "cache", model=str(other)).get(article) is None
    assert FactsCache(tmp_path / "cache", segmenter="char").get(article) is None


def test_cache_miss_when_kb_code_changes(tmp_path, rules, model, article, monkeypatch):
    import kb.store.cache

    _stored(tmp_path, article)
    monkeypatch.setattr(kb.store.cache, "code_identity", lambda: "0.2.0+other")
    assert FactsCache(tmp_path / "cache").get(article) is None


@pytest.mark.parametrize("content", ["", "{\"doc\": [", "{\"doc\": \"a.txt\", \"unknown_key\": 1}", "\xff not json"])
def test_cache_corrupt_entry_is_a_miss_and_is_replaced(tmp_path, rules, model, article, content):
    cache = _stored(tmp_path, article)
    cache.path(cache.key(article)).write_text(content, encoding="utf-8")
    assert cache.get(article) is None
    cache.put(article, _facts(article))
    assert cache.get(article) == _facts(article)


def test_cache_entry_of_another_doc_is_a_miss(tmp_path, rules, model, article):
    cache = FactsCache(tmp_path / "cache")
    cache.path(cache.key(article)).parent.mkdir(parents=True)
    cache.path(cache.key(article)).write_text("doc: other.txt\n", encoding="utf-8")
    assert cache.get(article) is None


def test_cache_default_folder_is_under_the_kb_cache(tmp_path, monkeypatch, rules, model):
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "kbcache"))
    assert FactsCache().folder == tmp_path / "kbcache" / "facts"


def test_cache_put_leaves_no_temporary_files(tmp_path, rules, model, article):
    cache = _stored(tmp_path, article)
    assert [p.name for p in cache.folder.rglob("*") if p.is_file()] == [f"{cache.key(article)}.json"]


# --- entries checked against their digest ---------------------------------------------

EDITED = ARTICLE_DATE, "2001-01-01"

# Each edit turns an entry's digest line and JSON into new file content.
TAMPERED = {
    "a value edited, still valid JSON": lambda digest, body: f"{digest}\n{body.replace(*EDITED)}",
    "reformatted JSON": lambda digest, body: f"{digest}\n{json.dumps(json.loads(body), indent=2)}",
    "edited under a made-up digest": lambda digest, body: f"sha256:{'0' * 64}\n{body.replace(*EDITED)}",
    "without its digest line (an older kb)": lambda digest, body: body,
}


def _tamper(cache: FactsCache, article, edit) -> None:
    path = cache.path(cache.key(article))
    path.write_text(edit(*path.read_text(encoding="utf-8").split("\n", 1)), encoding="utf-8")


@pytest.mark.parametrize("edit", TAMPERED.values(), ids=TAMPERED.keys())
def test_cache_edited_entry_is_a_miss_and_is_replaced(tmp_path, rules, model, article, edit):
    cache = _stored(tmp_path, article)
    _tamper(cache, article, edit)
    assert cache.get(article) is None
    cache.put(article, _facts(article))
    assert cache.get(article) == _facts(article)


def test_cache_entry_is_a_digest_line_then_the_facts(tmp_path, rules, model, article):
    cache = _stored(tmp_path, article)
    header, body = cache.path(cache.key(article)).read_bytes().split(b"\n", 1)
    assert header == b"sha256:" + hashlib.sha256(body).hexdigest().encode()
    assert ArticleFacts.model_validate_json(body) == _facts(article)


@pytest.fixture
def session_nlp(nlp, monkeypatch):
    """extract_all with the session's pipeline instead of loading another."""
    monkeypatch.setattr("kb.nlp.pipeline.load_pipeline", lambda *args, **kwargs: nlp)


def test_cache_edited_entry_is_extracted_again_and_rewritten(tmp_path, article, session_nlp):
    cache = FactsCache(tmp_path / "cache")
    [extracted] = extract_all([article], cache=cache)
    _tamper(cache, article, TAMPERED["a value edited, still valid JSON"])
    again = FactsCache(tmp_path / "cache")
    assert extract_all([article], cache=again) == [extracted]
    assert again.misses == 1
    assert FactsCache(tmp_path / "cache").get(article) == extracted  # rewritten with a good digest


# --- a cache that cannot be written ---------------------------------------------------

UNWRITABLE = [errno.ENOSPC, errno.EROFS, errno.EACCES]


@pytest.mark.parametrize("code", UNWRITABLE, ids=[errno.errorcode[c] for c in UNWRITABLE])
def test_cache_unwritable_builds_without_it_and_warns_once(tmp_path, rules, session_nlp, monkeypatch, caplog, code):
    def refuse(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr("kb.store.cache.atomic_write", refuse)
    articles = []
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
        articles.append(read_article(tmp_path / name))
    with caplog.at_level(logging.WARNING, logger="kb"):
        results = extract_all(articles, cache=FactsCache(tmp_path / "cache"))
    assert [r.doc for r in results] == ["a.txt", "b.txt"]
    assert all(isinstance(r, ArticleFacts) for r in results)
    [warning] = caplog.records
    assert "\n" not in warning.getMessage() and os.strerror(code) in warning.getMessage()
    assert str(tmp_path / "cache") in warning.getMessage()
