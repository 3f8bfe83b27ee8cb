"""render_diff: removed and changed text, derived from the map, line by line."""

from __future__ import annotations

import pytest

from kb.clean.diff import render_diff
from kb.clean.noise import remove_noise
from kb.clean.pinyin import remove_pinyin
from kb.clean.script import to_halfwidth, to_simplified
from kb.clean.offsets import Mapped, chain

STEPS = (remove_pinyin, remove_noise, to_simplified, to_halfwidth)

DIFFS = [
    ("中新網(wǎng)烏鎮", ["     1 ~ 網(wǎng)烏鎮 → 网乌镇"]),
    ("正文\n![](https://x.cn/a.png)\n尾", ["     2 - removed: ![](https://x.cn/a.png)"]),  # its line stays, empty
    ("A&amp;B", ["     1 ~ &amp; → &"]),
    ("见[大会](http://w.org)", ["     1 - removed: [", "     1 - removed: ](http://w.org)"]),
    ("占比４２％", ["     1 ~ ４２％ → 42%"]),
    ("文\u3000郎平", ["     1 ~ \\u3000 →  "]),
    ("正文\n阅读原文\n尾", ["     2 - removed: 阅读原文⏎"]),
]


@pytest.mark.parametrize("original, lines", DIFFS)
def test_render_diff_shows_edits(original, lines):
    assert render_diff(original, chain(original, STEPS)).splitlines() == lines


@pytest.mark.parametrize("text", ["", "互联网正在成为重要因素。", "第一段\n\n第二段（AI）53.9万亿元"])
def test_render_diff_is_empty_when_nothing_changed(text):
    assert render_diff(text, chain(text, STEPS)) == ""


def test_render_diff_splits_a_removed_block_per_original_line():
    original = "正文\n\n预览时标签不可点\n阅读原文\n"
    lines = render_diff(original, chain(original, STEPS)).splitlines()
    assert [line.split()[0] for line in lines] == ["1", "2", "3", "4"]
    assert lines[0].endswith("removed: ⏎")  # the text ends with the article
    assert lines[2].endswith("预览时标签不可点⏎")


def test_render_diff_shortens_long_removals():
    original = "正文\n![](https://x.cn/" + "a" * 200 + ".png)"
    line = render_diff(original, chain(original, STEPS)).splitlines()[-1]
    assert "…" in line and len(line) < 120


def test_render_diff_rejects_a_map_of_another_text():
    with pytest.raises(ValueError):
        render_diff("abc", Mapped.identity("abcd"))
