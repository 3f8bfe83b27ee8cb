"""File-level helpers shared by every stage that reads or writes: atomic writes
and a YAML reader that refuses aliases (libyaml's C parser where it is safe).

Low in the import graph on purpose (it imports nothing from kb), so ingest,
review, the cache and the exporters can all use it without import cycles.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml

# Far deeper than any file kb reads, far shallower than Python's recursion limit.
MAX_DEPTH = 100

TEMP_PREFIX = ".kb-"  # atomic_write's temporary files: TEMP_PREFIX<hash>.<random>.tmp


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
    return f"{TEMP_PREFIX}{hashlib.sha256(path.name.encode('utf-8', 'surrogateescape')).hexdigest()[:16]}."


class NoAliasComposer(yaml.composer.Composer):
    """A YAML composer that rejects aliases (``*name``).

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


class NoAliasLoader(NoAliasComposer, yaml.SafeLoader):
    """A SafeLoader that rejects aliases and deep nesting (:class:`NoAliasComposer`)."""


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` without aliases (see :class:`NoAliasLoader`): libyaml's C parser
    when the text can hold no alias and cannot nest deeper than ``MAX_DEPTH`` (ten times
    faster), else the Python one, which refuses them. An error is always the Python
    parser's, so it reads the same whichever parser found it."""
    if _C_LOADER is not None and _plain(text):
        try:
            return yaml.load(text, Loader=_C_LOADER)
        except yaml.YAMLError:
            pass  # the Python parser reports it
    return yaml.load(text, Loader=NoAliasLoader)


_C_LOADER = getattr(yaml, "CSafeLoader", None)
_LEADING = re.compile(r"^[ ?-]*", re.MULTILINE)


def _plain(text: str) -> bool:
    """No ``&``/``*`` (so no anchor or alias), and nesting bounded by ``MAX_DEPTH``: each level
    takes an indent, a ``- `` or ``? `` before a line's content, or a ``[`` or ``{``. libyaml
    recurses in C per level, where Python's recursion limit does not guard it."""
    if "&" in text or "*" in text:
        return False
    flow = text.count("[") + text.count("{")
    return flow + max(map(len, _LEADING.findall(text)), default=0) < MAX_DEPTH
