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
backtrack catastrophically (:mod:`kb.backtracking`). :func:`check_rule_folder`
refuses a file or section in ``rules/`` that no rule model read.
"""

from __future__ import annotations

import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from kb import paths
from kb.backtracking import backtracking_risk
from kb.errors import RuleError
from kb.files import NoAliasLoader

M = TypeVar("M", bound=BaseModel)

# Rule files are written by hand: a few hundred kB at most. Far more is a mistake.
MAX_RULE_BYTES = 5 * 2**20
# The sections of each rule file (by name: rules/ may move) that a rule model validated.
_VALIDATED: dict[str, set[str]] = {}


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


class _LineLoader(NoAliasLoader):
    """A SafeLoader that records the line of every mapping it builds."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A value YAML resolves but Python refuses (date: 2023-13-45) gets its line.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as err:
            raise yaml.constructor.ConstructorError(None, None, f"bad value: {err}", node.start_mark) from None


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


@lru_cache(maxsize=None)
def read_rule_file(path: Path) -> dict:
    """The parsed file, every mapping carrying its ``__line__``."""
    text = _rule_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)
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


def check_rule_folder(folder: Path | None = None) -> None:
    """Every ``*.yaml`` of the rules folder is a rule file that rule models validated,
    section by section. Call it after every loader ran (:func:`kb.extract.check_rules`):
    a stray or misspelt file or section is an error, not silently ignored."""
    for path in sorted((folder or paths.rules_dir()).glob("*.yaml")):
        data = read_rule_file(path)
        validated = _VALIDATED.get(path.name)
        if validated is None:
            raise RuleError(path, "no rule model reads this file: a stray file in the rules folder?", line=1)
        for key in data:
            if key != "__line__" and key not in validated:
                raise RuleError(path, f"section {key!r} is read by no rule model (misspelt?)", line=_key_line(path, key))


def rule_path(name: str) -> Path:
    """``rules/<name>.yaml`` in the configured rules folder."""
    return paths.rules_dir() / f"{name}.yaml"


def load_section(path: Path, section: str, model: type[M]) -> list[M]:
    """Validate ``section`` of a rule file as a list of ``model`` rules; ids must be unique."""
    data = read_rule_file(path)
    _VALIDATED.setdefault(path.name, set()).add(section)
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
