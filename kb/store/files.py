"""File-level helpers shared by every stage that reads or writes: atomic writes
and a YAML reader that refuses aliases.

Low in the import graph on purpose (it imports nothing from kb), so ingest,
review, the cache and the exporters can all use it without import cycles.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

# Far deeper than any file kb reads, far shallower than Python's recursion limit.
MAX_DEPTH = 100


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text is UTF-8) to ``path`` atomically: a temp file in
    the same directory (``.kb-<hash of the name>.<random>.tmp``, 33 bytes
    whatever the name), flushed and fsynced, then ``os.replace``. A reader
    sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file 0600; keep the old mode, or the usual 0644.
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _temp_prefix(path: Path) -> str:
    """A short prefix naming ``path`` by a hash: ``.<name>.<random>.tmp`` would pass
    the 255-byte limit on a file name for a legal name of more than ~240 bytes."""
    return f".kb-{hashlib.sha256(path.name.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}."


class NoAliasLoader(yaml.SafeLoader):
    """A SafeLoader that rejects aliases (``*name``).

    kb's own files never need them, and a few nested aliases expand into
    gigabytes (the "billion laughs"): refusing them bounds the work of reading
    a file by its size. So does refusing nesting deeper than ``MAX_DEPTH``.
    The error is a :class:`yaml.MarkedYAMLError`, so
    callers report its line like any other YAML error.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"YAML aliases (*{event.anchor}) are not accepted", event.start_mark
            )
        # Composing recurses once per level: `[[[[…` would end in a RecursionError.
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` without aliases (see :class:`NoAliasLoader`)."""
    return yaml.load(text, Loader=NoAliasLoader)
