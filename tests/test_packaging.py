"""Packaging: a wheel built from the source distribution carries rules/ and
schema.yaml, and the kb it installs works from outside the checkout.

The install test builds an sdist (as ``python -m build`` would), a wheel from
it with ``pip wheel --no-deps --no-build-isolation``, installs that with
``--no-deps`` into a fresh venv and runs its ``kb``. No network: the venv
sees this environment's packages (spaCy and the rest) through a ``.pth``
added after kb is installed, so pip never sees the checkout's editable kb.
It is an ordinary test: ``make test`` runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from kb import paths
from kb.paths import ROOT

SEED = ROOT / "seeds" / "001_2a564194b7dcf398.txt"


def _run(*args: str | Path, cwd: Path = ROOT, env: dict | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args}: rc {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from kb's source distribution."""
    tmp = tmp_path_factory.mktemp("packaging")
    build_sdist = "import sys; from setuptools import build_meta; build_meta.build_sdist(sys.argv[1])"
    _run(sys.executable, "-c", build_sdist, tmp / "sdist")
    (sdist,) = (tmp / "sdist").glob("kb-*.tar.gz")
    with tarfile.open(sdist) as archive:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        archive.extractall(tmp / "src", **safe)
    (source,) = (tmp / "src").iterdir()
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--no-index", "-w", tmp / "wheels", source)
    (built,) = (tmp / "wheels").glob("kb-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed, seeing this environment's packages."""
    folder = tmp_path_factory.mktemp("venv") / "kb-venv"
    _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", folder)
    python = folder / "bin" / "python"
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index",
         "--disable-pip-version-check", wheel)
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip()
    (Path(site) / "kb-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return folder


def test_packaging_wheel_carries_rules_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"kb/_data/schema.yaml", *(f"kb/_data/rules/{p.name}" for p in (ROOT / "rules").glob("*.yaml"))}
    assert expected <= names
    assert (ROOT / "schema.yaml").read_bytes() == zipfile.ZipFile(wheel).read("kb/_data/schema.yaml")


def test_packaging_installed_kb_extracts_outside_the_checkout(venv, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_") and k != "PYTHONPATH"}
    env["KB_CACHE_DIR"] = str(tmp_path / "cache")
    found = _run(venv / "bin" / "python", "-c", "from kb import paths; print(paths.rules_dir())", cwd=tmp_path, env=env)
    assert Path(found.strip()).is_relative_to(venv)  # the installed copy, not the checkout's
    out = _run(venv / "bin" / "kb", "extract", SEED, "--segmenter", "char", cwd=tmp_path, env=env)
    (facts,) = yaml.safe_load_all(out)
    assert facts["doc"] == SEED.name and facts["organizations"]


def test_packaging_checkout_copy_wins_in_a_checkout():
    assert paths.data_dir() == ROOT
    assert paths.schema_path() == ROOT / "schema.yaml"
    assert paths.rules_dir() == Path(os.environ.get("KB_RULES_DIR") or ROOT / "rules")
