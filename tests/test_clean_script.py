"""to_simplified (OpenCC t2s) and to_halfwidth: case tables and map checks."""

from __future__ import annotations

import pytest

from kb.clean.script import _align, to_halfwidth, to_simplified

SIMPLIFIED = [
    ("世界互聯網大會烏鎮峰會", "世界互联网大会乌镇峰会"),
    ("網絡空間命運共同體", "网络空间命运共同体"),
    ("於是後來瞭解", "于是后来了解"),  # phrase-level: 瞭解 → 了解
    ("乾燥", "干燥"),
    ("他們說：「你好」", "他们说：「你好」"),
]
SIMPLIFIED_UNTOUCHED = [
    "互联网正在成为21世纪影响人类历史进程的重要因素。",
    "2023年中国数字经济规模达到53.9万亿元",
    "人工智能（AI）",
    "",
]
HALFWIDTH = [
    ("２０２３年", "2023年"),
    ("ＧＤＰ占比４２．８％", "GDP占比42.8%"),
    ("ａｂｃ＋１－２／３＝０", "abc+1-2/3=0"),
    ("文\u3000|\u00a0郎平", "文 | 郎平"),
]
HALFWIDTH_UNTOUCHED = [
    "他说：“你好，世界！”（完）",
    "53.9万亿元；约3/4？",
    "《全球数字契约》、数字丝路～",
]


@pytest.mark.parametrize("text_in, text_out", SIMPLIFIED)
def test_to_simplified_converts(text_in, text_out):
    mapped = to_simplified(text_in)
    assert mapped.text == text_out
    assert mapped.starts == tuple(range(len(text_in)))


@pytest.mark.parametrize("text", SIMPLIFIED_UNTOUCHED)
def test_to_simplified_keeps_simplified_text(text):
    assert to_simplified(text).text == text


@pytest.mark.parametrize("text_in, text_out", HALFWIDTH)
def test_to_halfwidth_converts(text_in, text_out):
    mapped = to_halfwidth(text_in)
    assert mapped.text == text_out
    assert mapped.ends == tuple(range(1, len(text_in) + 1))


@pytest.mark.parametrize("text", HALFWIDTH_UNTOUCHED)
def test_to_halfwidth_keeps_chinese_punctuation(text):
    assert to_halfwidth(text).text == text


@pytest.mark.parametrize("old, new", [("ab", "abc"), ("abc", "ac"), ("abc", "xyzc"), ("abcd", "a"), ("ab", "xab")])
def test_align_maps_every_character_inside_source_in_order(old, new):
    starts, ends = _align(old, new)
    assert len(starts) == len(ends) == len(new)
    assert all(0 <= s < e <= len(old) for s, e in zip(starts, ends))
    assert list(starts) == sorted(starts)


def test_to_simplified_aligns_when_length_changes(monkeypatch):
    class Shrinking:  # stands in for an OpenCC phrase that changes length
        def convert(self, text):
            return text.replace("著名", "名")

    monkeypatch.setattr("kb.clean.script._converter", lambda: Shrinking())
    mapped = to_simplified("甲著名乙\n丙")
    assert mapped.text == "甲名乙\n丙"
    assert mapped.span(0, 1) == (0, 1)
    assert mapped.span(2, 3) == (3, 4)
    assert mapped.span(4, 5) == (5, 6)


# Taiwan-variant pages (big5 gateways) get mainland words; Hong Kong and mainland text keeps its own
VARIANTS = [
    ("國家網際網路資訊辦公室副主任", "国家互联网信息办公室副主任"),
    ("人工智慧與網路安全", "人工智能与网络安全"),
    ("香港智慧城市藍圖", "香港智慧城市蓝图"),  # no Taiwan word: 智慧 stays
    ("政府資訊科技總監", "政府资讯科技总监"),  # Hong Kong's 资讯 stays on a page without Taiwan words
    ("推動人工智慧發展", "推动人工智慧发展"),  # 人工智慧 alone marks no page: only markers do
]


@pytest.mark.parametrize("text, expected", VARIANTS)
def test_to_simplified_converts_taiwan_vocabulary_only_on_taiwan_pages(text, expected):
    mapped = to_simplified(text)
    assert mapped.text == expected
    assert len(mapped.starts) == len(mapped.text)  # every character still maps into the original
    assert all(0 <= s < e <= len(text) for s, e in zip(mapped.starts, mapped.ends))
