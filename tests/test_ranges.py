"""Range lookups of the record builders (kb/extract/ranges.py): answers equal a plain scan."""

from __future__ import annotations

import random

import pytest

from kb.extract.ranges import Cover, Sorted, inner_spans

SPANS = [(0, 2), (1, 9), (3, 4), (3, 6), (5, 7), (8, 10), (12, 13)]


@pytest.mark.parametrize("start, end", [(0, 13), (0, 4), (1, 9), (3, 6), (4, 8), (9, 12), (13, 20), (6, 6)])
def test_ranges_within_equals_a_scan(start, end):
    assert Sorted(SPANS).within(start, end) == [s for s in SPANS if start <= s[0] and s[1] <= end]


def test_ranges_within_equals_a_scan_on_random_spans():
    rng = random.Random(7)
    spans = sorted((s, s + rng.randint(1, 12)) for s in (rng.randint(0, 500) for _ in range(300)))
    index = Sorted(spans)
    for _ in range(300):
        a = rng.randint(0, 520)
        b = a + rng.randint(0, 80)
        assert index.within(a, b) == [s for s in spans if a <= s[0] and s[1] <= b]


@pytest.mark.parametrize("start, end, covered", [(3, 4, True), (1, 9, True), (0, 9, False), (10, 12, False), (12, 13, True)])
def test_ranges_cover(start, end, covered):
    assert Cover(SPANS).covers(start, end) is covered


def test_ranges_inner_spans():
    assert inner_spans(SPANS) == {(3, 4), (3, 6), (5, 7)}
