"""Rule files: YAML data validated by pydantic models that forbid unknown keys.

A rule file is a mapping whose list-valued sections hold rules, each a
mapping with an ``id``::

    noise:
      - id: wechat-scan
        pattern: 扫码订阅
        ...

:func:`load_section` validates one section against a model and, on error,
raises :class:`~kb.errors.RuleError` naming the file, the line of the
offending rule and its id — before any article is read. Reading is bounded:
a rule file is a regular UTF-8 file of at most 5 MB, without YAML aliases or
deep nesting, and a regex field (:data:`Regex`) must compile and be unable to
backtrack catastrophically (:mod:`kb.rules.backtracking`). :func:`check_rule_folder`
refuses a file or section in ``rules/`` that no rule model read.

RuleSet
    The rules of one folder, read and validated once: :meth:`RuleSet.load`
    checks every file before any article is read. Everything built from
    the rules (compiled regexes, lexicons) lives in the RuleSet that built it
    (:func:`rule_builder` replaces a module-level cache), so two folders can
    be used in one process. Code reads the *active* RuleSet
    (:meth:`RuleSet.current`): the pipeline's components activate theirs
    (:meth:`RuleSet.active`) while they run; outside a pipeline it is the one
    of the configured folder (``KB_RULES_DIR`` or ``rules/``), read again
    when a file in it changes.
"""

from __future__ import annotations

import functools
import inspect
import re
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Callable, Iterator, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from kb import paths
from kb.rules.backtracking import backtracking_risk
from kb.errors import RuleError
from kb.store.files import NoAliasComposer, NoAliasLoader

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

# Rule files are written by hand: a few hundred kB at most. Far more is a mistake.
MAX_RULE_BYTES = 5 * 2**20


class RuleSet:
    """The rule files of one folder: each read once, each section validated once, and every
    structure a :func:`rule_builder` makes from them built once — all kept in this object."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._files: dict[str, dict] = {}
        self._built: dict[tuple, Any] = {}
        self.validated: dict[str, set[str]] = {}  # file name → sections a rule model validated

    def __repr__(self) -> str:
        return f"RuleSet({str(self.folder)!r})"

    @classmethod
    def load(cls, folder: str | Path | None = None) -> "RuleSet":
        """The rules of ``folder`` (default: the configured one), every file checked: a bad
        file raises :class:`RuleError` naming file, line and rule id."""
        rules = cls(folder or paths.rules_dir())
        rules.check()
        return rules

    @classmethod
    def current(cls) -> "RuleSet":
        """The active RuleSet, else the configured folder's (see the module's docstring)."""
        return _ACTIVE.get() or _configured(paths.rules_dir())

    @contextmanager
    def active(self) -> Iterator["RuleSet"]:
        """Make this the RuleSet that rule readers use inside the ``with`` block."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.yaml"

    def file(self, path: Path) -> dict:
        """The parsed file, every mapping carrying its ``__line__``."""
        if path.name not in self._files:
            self._files[path.name] = _parse_rule_file(path)
        return self._files[path.name]

    def built(self, builder: Callable[..., T], *args: Any) -> T:
        """``builder(*args)`` made once for this RuleSet, with this RuleSet active."""
        key = (builder, *args)
        if key not in self._built:
            with self.active():
                self._built[key] = builder(*args)
        return self._built[key]

    def check(self) -> None:
        """Build everything rule builders make, then refuse a file or section no model read."""
        # Builders register when their modules are imported: the extraction package imports
        # every one (imported here, not at the top: it is built on this module).
        import kb.extract  # noqa: F401

        with self.active():
            for builder in BUILDERS:
                builder()
        check_rule_folder(self.folder, self)


_ACTIVE: ContextVar[RuleSet | None] = ContextVar("kb_rules", default=None)
# The top-level builders (those taking no argument), run by RuleSet.check.
BUILDERS: list[Callable[[], Any]] = []
# One RuleSet per configured folder and state of its files: an edited file gives a new one.
_CONFIGURED: dict[tuple, RuleSet] = {}


def _configured(folder: Path) -> RuleSet:
    try:
        state = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.yaml")))
    except OSError:
        state = ()
    key = (folder, state)
    if key not in _CONFIGURED:
        _CONFIGURED.clear()  # keep only the newest state of the folder
        _CONFIGURED[key] = RuleSet(folder)
    return _CONFIGURED[key]


def rule_builder(func: Callable[..., T]) -> Callable[..., T]:
    """Build ``func``'s result from the active RuleSet once per RuleSet (instead of once per
    process): a builder reads rule files through :func:`load_section` / :func:`rule_path`."""

    @functools.wraps(func)
    def build(*args: Any) -> T:
        return RuleSet.current().built(func, *args)

    if all(p.default is not inspect.Parameter.empty for p in inspect.signature(func).parameters.values()):
        BUILDERS.append(build)
    return build


def _ruleset_of(path: Path) -> RuleSet:
    """The RuleSet a rule file belongs to: the active one, or its folder's."""
    current = RuleSet.current()
    return current if current.folder == path.parent else _configured(path.parent)


class Rule(BaseModel):
    """Base of every rule model: an id, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str


def valid_regex(value: str) -> str:
    """``value`` if it compiles and cannot backtrack catastrophically; else ValueError."""
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"not a valid regular expression: {err}") from None
    risk = backtracking_risk(value)
    if risk:
        raise ValueError(
            f"regex can backtrack exponentially: {risk}; make each repeated part able to match "
            "one way only, or use a possessive repeat (a++) or an atomic group (?>...)"
        )
    return value


# A rule field holding a regular expression: checked when the rule file is read.
Regex = Annotated[str, AfterValidator(valid_regex)]


def alternation(words, *, not_before: dict[str, list[str]] | None = None) -> str:
    """A regex alternation of ``words``, longest first (so 国家和地区 wins over 国家).

    An ASCII word (CNNIC, CEO) matches only where no letter touches it;
    ``not_before`` maps a word to characters that may not follow it. No words:
    a pattern that never matches.
    """
    parts = []
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        escaped = re.escape(word)
        if word.isascii() and word.isalnum():
            escaped = rf"(?<![A-Za-z]){escaped}(?![A-Za-z])"
        guard = (not_before or {}).get(word)
        parts.append(escaped + (f"(?![{''.join(map(re.escape, guard))}])" if guard else ""))
    return "|".join(parts) or "(?!)"


class WordList(Rule):
    """A rule that is a list of words (titles, verbs, stop words, ...)."""

    words: list[str]


def load_words(path: Path, section: str) -> tuple[str, ...]:
    """Every word of a section of :class:`WordList` rules, once each, longest first."""
    words = {w for rule in load_section(path, section, WordList) for w in rule.words}
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


class _Lines:
    """Loader part: the line of every mapping, in its ``__line__``."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A value YAML resolves but Python refuses (date: 2023-13-45) gets its line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as err:
            raise yaml.constructor.ConstructorError(None, None, f"bad value: {err}", node.start_mark) from None


def _construct_mapping(loader: yaml.constructor.SafeConstructor, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


class _LineLoader(_Lines, NoAliasLoader):
    """A SafeLoader that rejects aliases and records the line of every mapping."""


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML built without libyaml
    _FastLineLoader = None
else:

    class _FastLineLoader(_Lines, NoAliasComposer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """:class:`_LineLoader` with libyaml's C parser making the events, ten times faster.
        The nodes are still composed in Python, where aliases and depth are refused
        (libyaml's own composer recurses in C, unguarded)."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            NoAliasComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_lines(text: str) -> Any:
    """The YAML ``text`` read by :class:`_FastLineLoader`; a file it refuses is read again by
    :class:`_LineLoader`, so an error reads the same whichever parser found it."""
    if _FastLineLoader is not None:
        try:
            return yaml.load(text, Loader=_FastLineLoader)
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_LineLoader)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def read_rule_file(path: Path) -> dict:
    """The parsed file, every mapping carrying its ``__line__`` (read once per RuleSet)."""
    return _ruleset_of(path).file(path)


def _parse_rule_file(path: Path) -> dict:
    text = _rule_text(path)
    try:
        data = _load_lines(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        raise RuleError(path, f"not valid YAML: {err.problem}", line=mark and mark.line + 1) from None
    except yaml.reader.ReaderError as err:  # a control character
        line = text.count("\n", 0, err.position) + 1
        raise RuleError(path, f"not valid YAML: unacceptable character U+{err.character:04X}", line=line) from None
    if not isinstance(data, dict):
        raise RuleError(path, "a rule file must be a mapping of sections", line=1)
    return data


def _rule_text(path: Path) -> str:
    """The text of a rule file: a regular file of at most ``MAX_RULE_BYTES``, in UTF-8."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise RuleError(path, "a rule file must be a file" + (", not a folder" if path.is_dir() else ""))
        if info.st_size > MAX_RULE_BYTES:
            raise RuleError(path, f"rule file larger than {MAX_RULE_BYTES // 2**20} MB")
        with path.open("rb") as handle:  # no more than the limit, even if the file grows meanwhile
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(MAX_RULE_BYTES + 1 - len(data))
    except FileNotFoundError:
        raise RuleError(path, "rule file not found") from None
    except OSError as err:
        raise RuleError(path, f"cannot read rule file: {err.strerror or err}") from None
    if len(data) > MAX_RULE_BYTES:
        raise RuleError(path, f"rule file larger than {MAX_RULE_BYTES // 2**20} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise RuleError(path, f"not UTF-8 (byte 0x{data[err.start]:02x}): save rule files as UTF-8", line=line) from None


def check_rule_folder(folder: Path | None = None, rules: RuleSet | None = None) -> None:
    """Every ``*.yaml`` of the rules folder is a rule file that rule models validated,
    section by section. Call it after every builder ran (:meth:`RuleSet.check`): a stray
    or misspelt file or section is an error, not silently ignored."""
    folder = folder or paths.rules_dir()
    rules = rules or _ruleset_of(folder / "x.yaml")
    for path in sorted(folder.glob("*.yaml")):
        data = rules.file(path)
        validated = rules.validated.get(path.name)
        if validated is None:
            raise RuleError(path, "no rule model reads this file: a stray file in the rules folder?", line=1)
        for key in data:
            if key != "__line__" and key not in validated:
                raise RuleError(path, f"section {key!r} is read by no rule model (misspelt?)", line=_key_line(path, key))


def rule_path(name: str) -> Path:
    """``<name>.yaml`` in the active RuleSet's folder."""
    return RuleSet.current().path(name)


def load_section(path: Path, section: str, model: type[M]) -> list[M]:
    """Validate ``section`` of a rule file as a list of ``model`` rules; ids must be unique."""
    rules = _ruleset_of(path)
    data = rules.file(path)
    rules.validated.setdefault(path.name, set()).add(section)
    items = data.get(section)
    if not isinstance(items, list):
        line = _key_line(path, section) or data.get("__line__")
        raise RuleError(path, f"section {section!r} must be a list of rules", line=line)
    rules: list[M] = []
    seen: dict[str, int] = {}
    for item in items:
        line = item.get("__line__") if isinstance(item, dict) else None
        rule_id = item.get("id") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            raise RuleError(path, f"a rule in {section!r} must be a mapping", line=line)
        try:
            rule = model.model_validate(_strip_lines(item))
        except ValidationError as err:
            raise RuleError(path, _first_error(err), line=line, rule_id=rule_id) from None
        if getattr(rule, "id", None) in seen:
            raise RuleError(path, f"duplicate rule id (first on line {seen[rule.id]})", line=line, rule_id=rule.id)
        seen[getattr(rule, "id", "")] = line or 0
        rules.append(rule)
    return rules


def _key_line(path: Path, key: str) -> int | None:
    """The line of a top-level ``key:`` in the file (mappings record only where they start)."""
    text = _rule_text(path)
    found = re.search(rf"^{re.escape(key)}[ \t]*:", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _first_error(err: ValidationError) -> str:
    """``[location] message`` for each problem, as spaCy shows pattern errors."""
    return "; ".join(f"[{'.'.join(str(p) for p in e['loc'])}] {e['msg']}" for e in err.errors())
