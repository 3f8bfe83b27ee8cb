"""Rule files: YAML data validated by pydantic models that forbid unknown keys.

A rule file is a mapping whose list-valued sections hold rules, each a
mapping with an ``id``::

    noise:
      - id: wechat-scan
        pattern: 扫码订阅
        ...

:func:`load_section` validates one section against a model and, on error,
raises :class:`~kb.errors.RuleError` naming the file, the line of the
offending rule and its id — before any article is read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from kb import paths
from kb.errors import RuleError
from kb.files import NoAliasLoader

M = TypeVar("M", bound=BaseModel)


class Rule(BaseModel):
    """Base of every rule model: an id, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str


def _valid_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as err:
        raise ValueError(f"not a valid regular expression: {err}") from None
    return value


# A rule field holding a regular expression: checked when the rule file is read.
Regex = Annotated[str, AfterValidator(_valid_regex)]


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
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except FileNotFoundError:
        raise RuleError(path, "rule file not found") from None
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise RuleError(path, f"not valid YAML: {err.problem}", line=line) from None
    if not isinstance(data, dict):
        raise RuleError(path, "a rule file must be a mapping of sections", line=1)
    return data


def rule_path(name: str) -> Path:
    """``rules/<name>.yaml`` in the configured rules folder."""
    return paths.rules_dir() / f"{name}.yaml"


def load_section(path: Path, section: str, model: type[M]) -> list[M]:
    """Validate ``section`` of a rule file as a list of ``model`` rules; ids must be unique."""
    data = read_rule_file(path)
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
    text = path.read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(key)}[ \t]*:", text, re.M)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _first_error(err: ValidationError) -> str:
    """``[location] message`` for each problem, as spaCy shows pattern errors."""
    return "; ".join(f"[{'.'.join(str(p) for p in e['loc'])}] {e['msg']}" for e in err.errors())
