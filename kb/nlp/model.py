"""The pkuseg segmentation model: fetched once at set-up, never at run time.

spacy-pkuseg downloads its models from outside the package registries, which
kb cannot reach. The pkuseg 0.0.25 source distribution on PyPI ships a trained
model in ``pkuseg/models/default/`` (``features.pkl``, ``weights.npz``);
:func:`fetch` takes it from there with ``pip download`` into the user cache
(:func:`kb.paths.default_model_dir`). pkuseg's models are documented as
including data restricted to research use: see the README.

Beside the model, :func:`fetch` writes ``weights.npy``: the array of
``weights.npz`` uncompressed, which kb maps into memory (:func:`weights`)
instead of reading and copying 100 MB at each start. It is derived data: a
``weights.npy`` older than ``weights.npz``, or of another size, is ignored.
It also writes ``features.shards``, the feature table cut by character so that
kb builds only the part its texts need (:mod:`kb.nlp.features`).
"""

from __future__ import annotations

import contextlib
import io
import pickle
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from kb import paths
from kb.errors import MODEL_MISSING, ModelError

MODEL_FILES = ("features.pkl", "weights.npz")
MAPPED_WEIGHTS = "weights.npy"
_MEMBER_PREFIX = f"pkuseg-{paths.PKUSEG_VERSION}/pkuseg/models/default/"


def is_model_dir(path: Path) -> bool:
    """A pkuseg model: weights plus features in one of the formats spacy-pkuseg reads."""
    has_features = any((path / f).is_file() for f in ("features.msgpack", "features.pkl", "features.json"))
    return has_features and (path / "weights.npz").is_file()


def require(path: Path) -> Path:
    """``path`` if it holds a pkuseg model, else a :class:`ModelError` saying how to get one."""
    if not is_model_dir(path):
        raise ModelError(MODEL_MISSING.format(path=path))
    return path


def weights(path: Path, size: int) -> np.ndarray:
    """The ``size`` weights of the model in ``path``: ``weights.npy`` mapped read-only into
    memory when it is there and up to date, else the array of ``weights.npz``."""
    mapped, packed = path / MAPPED_WEIGHTS, path / "weights.npz"
    if mapped.is_file() and mapped.stat().st_mtime >= packed.stat().st_mtime:
        array = np.load(mapped, mmap_mode="r")
        if array.shape == (size,) and array.dtype == np.float64:
            return array
    return np.load(packed)["w"]


def write_mapped_weights(path: Path) -> Path:
    """Write ``weights.npy`` beside ``weights.npz`` in ``path`` (whole, or not at all)."""
    target = path / MAPPED_WEIGHTS
    with tempfile.NamedTemporaryFile(dir=path, prefix=".weights-", suffix=".npy", delete=False) as out:
        np.save(out, np.load(path / "weights.npz")["w"])
    shutil.copymode(path / "weights.npz", out.name)  # a temporary file is private: make it readable as the model is
    Path(out.name).replace(target)
    return target


def write_feature_shards(path: Path) -> Path:
    """Write ``features.shards`` beside the features file in ``path`` (whole, or not at all)."""
    import spacy_pkuseg

    from kb.nlp.features import write_shards

    # spacy-pkuseg prints a notice when it falls back to features.pkl: keep the terminal clean.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        features = spacy_pkuseg.FeatureExtractor.load(str(path))
    return write_shards(path, features)


def _write_derived(path: Path) -> None:
    """``weights.npy`` and ``features.shards`` in the model folder ``path``, where missing or stale."""
    from kb.nlp.features import is_current

    mapped = path / MAPPED_WEIGHTS
    try:
        if not mapped.is_file() or mapped.stat().st_mtime < (path / "weights.npz").stat().st_mtime:
            write_mapped_weights(path)
        if not is_current(path):
            write_feature_shards(path)
    except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile):
        pass  # derived data only: without it kb reads the model's own files (the load says if they are bad)


def fetch(dest: Path | None = None, *, quiet: bool = True) -> Path:
    """Put pkuseg's default model in ``dest`` (default: the cache), with ``weights.npy`` and
    ``features.shards``; when the model is there already, only writes those where missing or stale."""
    dest = dest or paths.default_model_dir()
    if is_model_dir(dest):
        _write_derived(dest)
        return dest
    with tempfile.TemporaryDirectory(prefix="kb-pkuseg-") as tmp:
        sdist = _download_sdist(Path(tmp), quiet=quiet)
        staging = Path(tmp) / "model"
        _extract_model(sdist, staging)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        write_mapped_weights(staging)
        shutil.move(str(staging), dest)  # whole directory at once: no half-written cache
    _write_derived(dest)
    return dest


def _download_sdist(tmp: Path, *, quiet: bool) -> Path:
    # --no-build-isolation: pip reads the sdist's metadata with this environment's
    # numpy/setuptools/wheel instead of building an isolated one (which fails).
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
        "--disable-pip-version-check", f"pkuseg=={paths.PKUSEG_VERSION}", "-d", str(tmp),
    ]
    if quiet:
        cmd.append("--quiet")
    result = subprocess.run(cmd, capture_output=quiet, text=True)
    found = sorted(tmp.glob(f"pkuseg-{paths.PKUSEG_VERSION}.tar.gz"))
    if result.returncode != 0 or not found:
        detail = (result.stderr or "").strip().splitlines()[-1:] if quiet else []
        raise ModelError(f"could not download pkuseg=={paths.PKUSEG_VERSION} with pip: {' '.join(detail)}")
    return found[0]


def _extract_model(sdist: Path, staging: Path) -> None:
    staging.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        for name in MODEL_FILES:
            member = tar.getmember(_MEMBER_PREFIX + name)
            with tar.extractfile(member) as src, open(staging / name, "wb") as out:
                shutil.copyfileobj(src, out)
