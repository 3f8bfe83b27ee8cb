"""The one place that resolves paths: rules/, schema.yaml and the model cache.

Environment variables (each overridable by a CLI option where one exists):
- ``KB_RULES_DIR``: folder of rule files (default: ``rules/`` of :func:`data_dir`).
- ``KB_CACHE_DIR``: kb's cache (default: ``$XDG_CACHE_HOME/kb`` or ``~/.cache/kb``).
- ``KB_PKUSEG_MODEL``: a pkuseg model directory to use instead of the cached default.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent  # the source checkout, when kb runs from one
INSTALLED_DATA = PACKAGE / "_data"  # where a wheel carries rules/ and schema.yaml (see setup.py)
PKUSEG_VERSION = "0.0.25"


def data_dir() -> Path:
    """The folder holding ``rules/`` and ``schema.yaml``: the checkout's own
    when kb runs from one (so edits there take effect at once), else the
    copy installed inside the package."""
    in_checkout = (ROOT / "pyproject.toml").is_file() and (ROOT / "rules").is_dir()
    return ROOT if in_checkout else INSTALLED_DATA


def rules_dir() -> Path:
    return Path(os.environ.get("KB_RULES_DIR") or data_dir() / "rules")


def schema_path() -> Path:
    return data_dir() / "schema.yaml"


def cache_dir() -> Path:
    if os.environ.get("KB_CACHE_DIR"):
        return Path(os.environ["KB_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kb"


def default_model_dir() -> Path:
    """Where `kb model fetch` puts pkuseg's default model."""
    return cache_dir() / f"pkuseg-{PKUSEG_VERSION}" / "default"


def model_dir(override: str | os.PathLike | None = None) -> Path:
    """The pkuseg model to load: an explicit path, ``KB_PKUSEG_MODEL``, or the cached default."""
    chosen = override or os.environ.get("KB_PKUSEG_MODEL")
    return Path(chosen).expanduser() if chosen else default_model_dir()
