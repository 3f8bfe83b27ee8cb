"""remove_pinyin: readings after CJK characters go, everything else stays."""

from __future__ import annotations

import pytest

from kb.clean.pinyin import FINALS, SYLLABLES, is_pinyin, remove_pinyin, split_tone

REMOVED = [
    ("中新網(wǎng)烏鎮", "中新網烏鎮"),
    ("大會(huì )烏鎮峰會(huì )", "大會烏鎮峰會"),  # stray space inside
    ("電(diàn)話", "電話"),
    ("電（diàn）話", "電話"),  # full-width parentheses
    ("(下稱(chēng)烏鎮峰會(huì ))", "(下稱烏鎮峰會)"),  # nested in a CJK parenthetical
    ("網絡(wǎng luò)", "網絡"),
    ("網絡(wǎngluò)", "網絡"),  # run of syllables
    ("綠(lǜ)色", "綠色"),
    ("學(xué)習", "學習"),
    ("們(wǒ men)", "們"),  # neutral tone is fine beside a toned syllable
]

UNTOUCHED = [
    "人工智能（AI）技术",
    "世界互联网大会(WIC)",
    "国内生产总值(GDP)增长",
    "聊天机器人(ChatGPT)",
    "互联网(Internet)",
    "他们(men)",  # a syllable without tone: conservatively kept
    "一(an)",
    "中国(china)",
    "张三 (zhāng)",  # not directly after the character
    "中新网乌镇11月11日电(张煜欢)",
    "2023年中国数字经济规模达到53.9万亿元",
    "“数字未来”",
    "value (wǎng)",  # not after a CJK character
    "网(xyzǎ)",  # not a syllable
]


@pytest.mark.parametrize("text_in, text_out", REMOVED)
def test_remove_pinyin_removes_annotation(text_in, text_out):
    assert remove_pinyin(text_in).text == text_out


@pytest.mark.parametrize("text", UNTOUCHED)
def test_remove_pinyin_keeps_other_parentheticals(text):
    assert remove_pinyin(text).text == text


def test_remove_pinyin_maps_kept_characters_one_to_one():
    mapped = remove_pinyin("網(wǎng)絡")
    assert mapped.text == "網絡"
    assert mapped.span(1, 2) == (7, 8)


@pytest.mark.parametrize(
    "token, bare, toned",
    [("wǎng", "wang", True), ("lǜ", "lü", True), ("men", "men", False), ("huì", "hui", True)],
)
def test_split_tone(token, bare, toned):
    assert split_tone(token) == (bare, toned)


@pytest.mark.parametrize("syllable", ["zhuang", "xiong", "er", "lüe", "nü", "yuan", "wo", "zi", "chi", "jue"])
def test_syllables_contains_standard_syllables(syllable):
    assert syllable in SYLLABLES


@pytest.mark.parametrize("not_syllable", ["bia", "fi", "zhi" + "ang", "jo", "gi", "ci" + "ong", "ai" + "x"])
def test_syllables_excludes_impossible_combinations(not_syllable):
    assert not_syllable not in SYLLABLES


def test_syllable_inventory_size_matches_standard_table():
    # The standard Hanyu Pinyin table has about 410 syllables (without interjections).
    assert 395 <= len(SYLLABLES) <= 420
    assert all(final for final in FINALS)


@pytest.mark.parametrize("text, expected", [("wǎng", True), ("huì ", True), ("AI", False), ("an", False), ("", False)])
def test_is_pinyin(text, expected):
    assert is_pinyin(text) is expected
