"""Text with a map back to the original.

Every cleaning step returns a :class:`Mapped`: the new text plus, for each of
its characters, the half-open range ``[start, end)`` of the step's *input* it
came from. Composing the steps with :meth:`Mapped.then` gives, for every
character of the clean text, its range in the article as it is on disk, so
later stages can quote and point into the original.

A character copied unchanged maps to a one-character range; a replacement
maps every new character to the whole range it replaced (``&amp;`` → ``&``
covers five characters), unless old and new have the same length, in which
case they map one to one (script conversion keeps character positions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

Range = tuple[int, int]
# A substitution returns new text, or the source ranges to keep verbatim
# (a markdown link keeps its text: the characters stay mapped one to one).
Replacement = str | Sequence[Range]


@dataclass(frozen=True, slots=True)
class Mapped:
    """``text`` and, per character, its ``[starts[i], ends[i])`` in the source."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    source_len: int

    @classmethod
    def identity(cls, text: str) -> "Mapped":
        n = len(text)
        return cls(text, *_one_to_one(n), n)

    def point(self, pos: int) -> int:
        """Source position of the boundary before ``text[pos]`` (``pos == len`` is the end)."""
        if pos < len(self.text):
            return self.starts[pos]
        return self.ends[-1] if self.ends else self.source_len

    def span(self, start: int, end: int) -> Range:
        """Source range covered by ``text[start:end]``; an empty span maps to a point."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span [{start}, {end}) outside text of length {len(self.text)}")
        if start == end:
            p = self.point(start)
            return p, p
        return self.starts[start], self.ends[end - 1]

    def then(self, step: "Mapped") -> "Mapped":
        """Compose: ``step`` was made from ``self.text``; map it to ``self``'s source."""
        n = len(self.text)
        if step.source_len != n:
            raise ValueError("step was not made from this text")
        same, after = _one_to_one(n)
        # `is` first: most steps change nothing and return the shared one-to-one tuples
        if len(step.text) == n and (step.starts is same or step.starts == same) and (step.ends is after or step.ends == after):
            return Mapped(step.text, self.starts, self.ends, self.source_len)  # one to one: nothing moved
        if self.starts is same and self.ends is after and self.source_len == n:
            return step  # this map is the identity: the step's map is the whole map
        starts, ends, end_point = self.starts, self.ends, self.point(n)
        new_starts = tuple(starts[a] if a < n else end_point for a in step.starts)
        new_ends = tuple(
            ends[b - 1] if b > a else (starts[a] if a < n else end_point) for a, b in zip(step.starts, step.ends)
        )
        return Mapped(step.text, new_starts, new_ends, self.source_len)

    def shift(self, offset: int, source_len: int) -> "Mapped":
        """The same map into a larger source, where this source starts at ``offset``."""
        return Mapped(
            self.text,
            tuple(s + offset for s in self.starts),
            tuple(e + offset for e in self.ends),
            source_len,
        )


class MapBuilder:
    """Builds a :class:`Mapped` from a source by keeping and replacing ranges, left to right."""

    def __init__(self, source: str):
        self.source = source
        self._parts: list[str] = []
        self._starts: list[int] = []
        self._ends: list[int] = []

    def keep(self, start: int, end: int) -> None:
        """Copy ``source[start:end]`` unchanged, one to one."""
        self._parts.append(self.source[start:end])
        self._starts.extend(range(start, end))
        self._ends.extend(range(start + 1, end + 1))

    def replace(self, start: int, end: int, new: str) -> None:
        """Put ``new`` in place of ``source[start:end]`` (an empty ``new`` deletes)."""
        self._parts.append(new)
        if len(new) == end - start:
            self._starts.extend(range(start, end))
            self._ends.extend(range(start + 1, end + 1))
        else:
            self._starts.extend([start] * len(new))
            self._ends.extend([end] * len(new))

    def build(self) -> Mapped:
        return Mapped("".join(self._parts), tuple(self._starts), tuple(self._ends), len(self.source))


def sub(pattern: re.Pattern[str], repl: Callable[[re.Match[str]], Replacement], text: str) -> Mapped:
    """A mapped ``re.sub``: like ``pattern.sub(repl, text)`` but returns a :class:`Mapped`.

    ``repl(match)`` returns the replacement string, or a sequence of source
    ranges inside the match to keep verbatim (everything else in the match is
    dropped).
    """
    matches = pattern.finditer(text)
    first = next(matches, None)
    if first is None:  # most rules match nothing: no map to build
        return Mapped.identity(text)
    out = MapBuilder(text)
    pos = 0
    for m in (first, *matches):
        out.keep(pos, m.start())
        new = repl(m)
        if isinstance(new, str):
            if new == m.group(0):
                out.keep(m.start(), m.end())
            else:
                out.replace(m.start(), m.end(), new)
        else:
            for a, b in new:
                out.keep(a, b)
        pos = m.end()
    out.keep(pos, len(text))
    return out.build()


def translate(text: str, table: dict[str, str]) -> Mapped:
    """Character-for-character replacement (full-width → half-width and the like)."""
    return Mapped("".join(table.get(c, c) for c in text), *_one_to_one(len(text)), len(text))


@lru_cache(maxsize=4)  # the lengths one text goes through while it is cleaned; a long text's tuples are big
def _one_to_one(n: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(starts, ends)`` of a map of ``n`` characters each to itself, shared while ``n`` is
    in use: :meth:`Mapped.then` recognises them by identity, without comparing ``n`` positions."""
    return tuple(range(n)), tuple(range(1, n + 1))


def chain(text: str, steps: Iterable[Callable[[str], Mapped]]) -> Mapped:
    """Run ``steps`` one after another, composing their maps back to ``text``."""
    mapped = Mapped.identity(text)
    for step in steps:
        mapped = mapped.then(step(mapped.text))
    return mapped
