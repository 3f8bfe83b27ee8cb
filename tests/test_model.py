from __future__ import annotations

import io
import tarfile

import pytest

from kb.nlp import model
from kb import paths
from kb.errors import ModelError


def _fake_sdist(tmp_path, files):
    sdist = tmp_path / f"pkuseg-{paths.PKUSEG_VERSION}.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"pkuseg-{paths.PKUSEG_VERSION}/pkuseg/models/default/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return sdist


def test_model_extracts_default_model_from_sdist(tmp_path):
    sdist = _fake_sdist(tmp_path, {"features.pkl": b"f", "weights.npz": b"w", "__init__.py": b""})
    staging = tmp_path / "model"
    model._extract_model(sdist, staging)
    assert sorted(p.name for p in staging.iterdir()) == ["features.pkl", "weights.npz"]
    assert model.is_model_dir(staging)


def test_model_fetch_is_a_no_op_when_cached(tmp_path, monkeypatch):
    (tmp_path / "features.pkl").write_bytes(b"f")
    (tmp_path / "weights.npz").write_bytes(b"w")
    monkeypatch.setattr(model, "_download_sdist", lambda *a, **k: pytest.fail("downloaded"))
    assert model.fetch(tmp_path) == tmp_path


@pytest.mark.parametrize("files", [[], ["weights.npz"], ["features.pkl"]])
def test_model_require_rejects_incomplete_dirs(tmp_path, files):
    for name in files:
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(ModelError, match="kb model fetch"):
        model.require(tmp_path)


@pytest.mark.parametrize(
    "env,expected",
    [
        ({"KB_PKUSEG_MODEL": "/m/other"}, "/m/other"),
        ({"KB_CACHE_DIR": "/c"}, f"/c/pkuseg-{paths.PKUSEG_VERSION}/default"),
        ({"XDG_CACHE_HOME": "/x"}, f"/x/kb/pkuseg-{paths.PKUSEG_VERSION}/default"),
    ],
)
def test_model_dir_resolution(monkeypatch, env, expected):
    for var in ("KB_PKUSEG_MODEL", "KB_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert str(paths.model_dir()) == expected


def test_model_fetch_with_a_bad_features_file_writes_no_shards(tmp_path):
    """Derived files are optional: a features file that cannot be read leaves kb model fetch
    working (the load of the model says what is wrong), with no features.shards."""
    import numpy as np

    from kb.nlp import features

    (tmp_path / "features.pkl").write_bytes(b"not a pickle")
    np.savez(tmp_path / "weights.npz", w=np.arange(4.0))
    assert model.fetch(tmp_path) == tmp_path
    assert (tmp_path / model.MAPPED_WEIGHTS).is_file() and not (tmp_path / features.FEATURE_SHARDS).exists()
