"""Look-ups over character spans by bisection, so a stage's cost grows with its input.

A finder that asks, for each of n candidates, "is this inside one of those m
spans?" by scanning all m does n × m work: quadratic on a long article. These
helpers answer the same questions in O(log m) after one sort.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate


class Cover:
    """Whether a position or span lies inside one of ``spans``: the spans sorted by
    start, with the running maximum of their ends."""

    def __init__(self, spans):
        ordered = sorted((s, e) for s, e, *_ in spans)
        self.starts = [s for s, _ in ordered]
        self.reach = list(accumulate((e for _, e in ordered), max))

    def covers(self, start: int, end: int) -> bool:
        """Some span ``(s, e)`` has ``s <= start`` and ``end <= e``."""
        i = bisect_right(self.starts, start)
        return i > 0 and self.reach[i - 1] >= end

    def holds(self, pos: int) -> bool:
        """Some span ``(s, e)`` has ``s <= pos < e``."""
        return self.covers(pos, pos + 1)


class Sorted:
    """Items with ``start``/``end`` (attributes, or the first two fields of a tuple),
    given sorted by start; the ones lying in a range, in their given order."""

    def __init__(self, items):
        self.items = list(items)
        self.starts = [_start(i) for i in self.items]
        self.longest = max((_end(i) - s for i, s in zip(self.items, self.starts)), default=0)

    def within(self, start: int, end: int) -> list:
        """The items with ``start <= item.start`` and ``item.end <= end``. Only the items
        starting less than the longest item's length before ``end`` can reach past it: the
        rest are taken as a slice, so a query costs its answer, not a scan of it."""
        first, last = bisect_left(self.starts, start), bisect_right(self.starts, end)
        sure = max(first, bisect_right(self.starts, end - self.longest, first, last))
        return self.items[first:sure] + [i for i in self.items[sure:last] if _end(i) <= end]

    def starting_in(self, start: int, end: int) -> list:
        """The items with ``start <= item.start < end``."""
        return self.items[bisect_left(self.starts, start):bisect_left(self.starts, end)]

    def first_from(self, pos: int):
        """The first item starting at or after ``pos``, or None."""
        i = bisect_left(self.starts, pos)
        return self.items[i] if i < len(self.items) else None

    def first_at(self, pos: int):
        """The first item starting at ``pos``, or None."""
        i = bisect_left(self.starts, pos)
        return self.items[i] if i < len(self.items) and self.starts[i] == pos else None


def inner_spans(spans) -> set[tuple[int, int]]:
    """The spans lying inside another, different one. Sorted by start, longest first, a
    span is inside another exactly when an earlier one reaches as far: one pass."""
    inner, reach = set(), -1
    for start, end in sorted(set(spans), key=lambda s: (s[0], -s[1])):
        if reach >= end:
            inner.add((start, end))
        reach = max(reach, end)
    return inner


def _start(item) -> int:
    return item[0] if isinstance(item, tuple) else item.start


def _end(item) -> int:
    return item[1] if isinstance(item, tuple) else item.end
