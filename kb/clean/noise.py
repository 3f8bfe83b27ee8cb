"""Remove page noise — markup, links, site and WeChat furniture — driven by ``rules/noise.yaml``.

Each rule in the ``noise`` section has an ``id``, a ``kind`` and a ``pattern``:

``phrase``
    literal strings (a list) removed wherever they occur; only phrases that
    cannot be article prose belong here (``轻点两下取消赞``).
``line``
    literal strings (a list) removed only when one fills a whole line
    (``阅读原文``, ``微信扫一扫``): the same words inside a sentence stay.
``regex``
    a regular expression removed wherever it matches. ``keep: NAME`` keeps
    the named group verbatim (a markdown link keeps its text, mapped one to
    one); ``unescape: true`` replaces the match by ``html.unescape`` of it.
``line_regex``
    a regular expression that must fill whole lines (it may span several).
``tail``
    a regular expression filling a whole line that starts the page's
    trailing furniture (``预览时标签不可点``, ``国内新闻精选：``): that line and
    everything after it go.

Rules run in file order, each over the previous one's output; finally runs of
blank lines left behind are collapsed to one empty line and the text is
trimmed. The result maps every kept character back to the input.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Callable, Literal

from pydantic import field_validator, model_validator

from kb.clean.offsets import MapBuilder, Mapped, chain, sub
from kb.rules.ruleset import Rule, load_section, rule_builder, rule_path, valid_regex

Kind = Literal["phrase", "line", "regex", "line_regex", "tail"]
_LITERAL_KINDS = ("phrase", "line")
_BLANK_RUN = re.compile(r"\n(?:[ \t\u3000\u00a0]*\n){2,}")


class NoiseRule(Rule):
    """One noise rule: what to look for (``kind`` and ``pattern``) and what to keep."""

    kind: Kind
    pattern: str | list[str]
    keep: str | None = None
    unescape: bool = False
    note: str = ""

    @field_validator("pattern")
    @classmethod
    def _not_empty(cls, value: str | list[str]) -> str | list[str]:
        if not value or (isinstance(value, list) and not all(value)):
            raise ValueError("pattern must not be empty")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "NoiseRule":
        literal = self.kind in _LITERAL_KINDS
        if literal != isinstance(self.pattern, list):
            raise ValueError(f"kind {self.kind!r} takes a pattern that is " + ("a list of phrases" if literal else "one regex"))
        compiled = self.compile()  # raises re.error → ValueError below
        if not literal:
            valid_regex(self.pattern)  # no catastrophic backtracking
        if self.keep is not None and (self.kind != "regex" or self.keep not in compiled.groupindex):
            raise ValueError(f"keep {self.keep!r} must name a group of a 'regex' rule's pattern")
        if self.unescape and self.kind != "regex":
            raise ValueError("unescape applies to 'regex' rules only")
        return self

    def compile(self) -> re.Pattern[str]:
        """The rule as one regex; whole-line kinds swallow the line's newline."""
        if isinstance(self.pattern, list):
            body = "|".join(re.escape(p) for p in sorted(self.pattern, key=len, reverse=True))
        else:
            body = self.pattern
        try:
            if self.kind in ("phrase", "regex"):
                return re.compile(body)
            if self.kind == "tail":
                return re.compile(rf"^[ \t\u3000]*(?:{body})[ \t\u3000]*$[\s\S]*", re.M)
            return re.compile(rf"^[ \t\u3000]*(?:{body})[ \t\u3000]*(?:\n|\Z)", re.M)
        except re.error as err:
            raise ValueError(f"pattern is not a valid regex: {err}") from None

    def replacement(self, match: re.Match[str]) -> str | list[tuple[int, int]]:
        """What the match becomes: nothing, its kept group, or its unescaped text."""
        if self.keep is not None:
            return [match.span(self.keep)]
        if self.unescape:
            return html.unescape(match.group(0))
        return ""


@rule_builder
def load_noise_rules(path: Path | None = None) -> tuple[tuple[NoiseRule, re.Pattern[str]], ...]:
    """The rules of ``path`` (default ``rules/noise.yaml``), each with its compiled regex."""
    path = Path(path) if path else rule_path("noise")
    return tuple((rule, rule.compile()) for rule in load_section(path, "noise", NoiseRule))


def remove_noise(text: str, *, rules: Path | None = None) -> Mapped:
    """``text`` without page noise and with blank-line runs collapsed, mapped to ``text``."""
    steps: list[Callable[[str], Mapped]] = [_rule_step(rule, regex) for rule, regex in load_noise_rules(rules)]
    steps += [_collapse_blank_lines, _trim]
    return chain(text, steps)


def _rule_step(rule: NoiseRule, regex: re.Pattern[str]) -> Callable[[str], Mapped]:
    return lambda text: sub(regex, rule.replacement, text)


def _collapse_blank_lines(text: str) -> Mapped:
    """Keep one empty line (the first and last newline of the run, one to one)."""
    return sub(_BLANK_RUN, lambda m: [(m.start(), m.start() + 1), (m.end() - 1, m.end())], text)


def _trim(text: str) -> Mapped:
    """``text`` without leading and trailing whitespace. Measured with ``str.strip``:
    a regex ``\\s+\\Z`` is tried at every space of a long inner run (quadratic)."""
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    out = MapBuilder(text)
    out.keep(start, max(start, end))
    return out.build()
