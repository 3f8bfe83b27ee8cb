"""Offset maps: kb.clean.offsets and the cleaning steps keep every character pointing into the original."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.clean.noise import remove_noise
from kb.clean.pinyin import remove_pinyin
from kb.clean.script import to_halfwidth, to_simplified
from kb.clean.offsets import MapBuilder, Mapped, chain, sub, translate

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
MY_STEPS = (remove_pinyin, remove_noise, to_simplified, to_halfwidth)

PIECES = [
    "網", "絡", "烏", "鎮", "会", "议", "。", "，", "：", "“", "”", "\n", "\n\n\n", " ", "\u3000",
    "網(wǎng)", "會(huì )", "電（diàn）", "（AI）", "(WIC)", "５３．９％", "53.9万亿元",
    "[链接](http://a.b/c)", "![](http://x/y.png)", "![cover_image](https://x/0?wx_fmt=jpeg)",
    "&amp;", "&nbsp;", "&#12290;", "&bogus;", "<p>", "</p>", "<br/>", "**重点**", "# ",
    "https://x.cn/a?b=1 ", "阅读原文\n", "\n扫一扫\n", "轻点两下取消赞", "预览时标签不可点",
    "\n，\n", "（来源：光明网）", "邮发代号 2-786\n", "\nEND\n",
]
texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)


def assert_well_formed(source: str, mapped: Mapped) -> None:
    """Ranges inside the source, non-empty, with non-decreasing starts."""
    assert mapped.source_len == len(source)
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    assert all(0 <= s < e <= len(source) for s, e in zip(mapped.starts, mapped.ends))
    assert list(mapped.starts) == sorted(mapped.starts)


def assert_copies_point_at_themselves(source: str, mapped: Mapped) -> None:
    """A character that is its source character maps to the one-character range holding it."""
    for char, s, e in zip(mapped.text, mapped.starts, mapped.ends):
        if e - s == 1:
            continue
        assert char not in source[s:e] or source[s:e].startswith("&"), (char, source[s:e])


@settings(max_examples=150, deadline=None)
@given(texts)
@pytest.mark.parametrize("step", [remove_pinyin, remove_noise], ids=lambda f: f.__name__)
def test_deleting_steps_copy_characters_one_to_one(step, text):
    mapped = step(text)
    assert_well_formed(text, mapped)
    for char, s, e in zip(mapped.text, mapped.starts, mapped.ends):
        # only an HTML entity becomes a character that is not a copy
        assert (e - s == 1 and text[s] == char) or text[s] == "&", (char, text[s:e])


@settings(max_examples=150, deadline=None)
@given(texts)
@pytest.mark.parametrize("step", [to_simplified, to_halfwidth], ids=lambda f: f.__name__)
def test_converting_steps_keep_positions(step, text):
    mapped = step(text)
    assert_well_formed(text, mapped)
    assert mapped.starts == tuple(range(len(text)))


@settings(max_examples=100, deadline=None)
@given(texts)
def test_chain_equals_stepwise_mapping(text):
    chained = chain(text, MY_STEPS)
    assert_well_formed(text, chained)
    assert_copies_point_at_themselves(text, chained)
    steps = [Mapped.identity(text)]
    for step in MY_STEPS:
        steps.append(step(steps[-1].text))
    stepwise = steps[0]
    for mapped in steps[1:]:
        stepwise = stepwise.then(mapped)
    assert chained == stepwise
    # by hand: each clean character's range, pulled back one step at a time
    for i in range(len(chained.text)):
        s, e = i, i + 1
        for mapped in reversed(steps[1:]):
            s, e = mapped.span(s, e)
        assert (s, e) == chained.span(i, i + 1)


@settings(max_examples=100, deadline=None)
@given(texts, texts)
def test_then_is_associative(a, b):
    text = a + b
    first = remove_pinyin(text)
    second = remove_noise(first.text)
    third = to_simplified(second.text)
    assert first.then(second).then(third) == first.then(second.then(third))


@given(st.text(max_size=30))
def test_identity_maps_every_character_to_itself(text):
    mapped = Mapped.identity(text)
    assert [text[s:e] for s, e in zip(mapped.starts, mapped.ends)] == list(text)


@pytest.mark.parametrize(
    "text, pattern, repl, out, spans",
    [
        ("a&amp;b", r"&amp;", lambda m: "&", "a&b", [(0, 1), (1, 6), (6, 7)]),
        ("x[t](u)y", r"\[(t)\]\(u\)", lambda m: [m.span(1)], "xty", [(0, 1), (2, 3), (7, 8)]),
        ("abc", r"b", lambda m: "", "ac", [(0, 1), (2, 3)]),
        ("abc", r"b", lambda m: "B", "aBc", [(0, 1), (1, 2), (2, 3)]),
    ],
)
def test_sub_maps_replacements(text, pattern, repl, out, spans):
    mapped = sub(re.compile(pattern), repl, text)
    assert mapped.text == out
    assert list(zip(mapped.starts, mapped.ends)) == spans


def test_span_of_empty_range_is_a_point():
    mapped = sub(re.compile("b"), lambda m: "", "abc")
    assert mapped.span(1, 1) == (2, 2)
    assert mapped.span(2, 2) == (3, 3)
    with pytest.raises(IndexError):
        mapped.span(0, 5)


def test_builder_and_translate_and_shift():
    builder = MapBuilder("abcd")
    builder.keep(0, 1)
    builder.replace(1, 3, "X")
    builder.keep(3, 4)
    mapped = builder.build()
    assert (mapped.text, mapped.span(1, 2)) == ("aXd", (1, 3))
    assert translate("ａb", {"ａ": "a"}).text == "ab"
    assert mapped.shift(10, 20).span(0, 3) == (10, 14)
    with pytest.raises(ValueError):
        mapped.then(Mapped.identity("too long"))


@pytest.mark.parametrize(
    "name, clean, quoted",
    [
        ("003_2cdfacaa30bd1702.txt", "中新网乌镇11月11日电", "中新網(wǎng)烏鎮11月11日電"),
        ("003_2cdfacaa30bd1702.txt", "世界互联网大会", "世界互聯(lián)網(wǎng)大會"),  # the last reading lies outside the quote
        ("001_2a564194b7dcf398.txt", "2023年中国数字经济规模达到53.9万亿元", "2023年中国数字经济规模达到53.9万亿元"),
        ("000_32fc2a06f9675989.txt", "二是互联网将成为世界创新发展的重要新引擎。", "二是互联网将成为世界创新发展的重要新引擎。"),
    ],
)
def test_clean_seed_quotes_point_into_original(name, clean, quoted):
    original = (SEEDS / name).read_text(encoding="utf-8")
    mapped = chain(original, MY_STEPS)
    start = mapped.text.index(clean)
    a, b = mapped.span(start, start + len(clean))
    assert original[a:b] == quoted
    assert_well_formed(original, mapped)


def _unshared(mapped: Mapped) -> Mapped:
    """The same map with tuples of its own (the shared one-to-one tuples are a shortcut only)."""
    return Mapped(mapped.text, tuple(list(mapped.starts)), tuple(list(mapped.ends)), mapped.source_len)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_then_shortcuts_equal_the_composition(text):
    """Steps that change nothing share one-to-one tuples, which ``then`` skips by identity:
    the result is the map composed position by position."""
    steps = [Mapped.identity(text)]
    for step in MY_STEPS:
        steps.append(step(steps[-1].text))
    fast, slow = steps[0], _unshared(steps[0])
    for mapped in steps[1:]:
        fast, slow = fast.then(mapped), slow.then(_unshared(mapped))
    assert fast == slow


def test_sub_without_a_match_is_the_identity():
    assert sub(re.compile("x"), lambda m: "", "乌镇峰会") == Mapped.identity("乌镇峰会")
    shifted = dataclasses.replace(Mapped.identity("ab"), source_len=5)  # one to one, but into a longer source
    assert shifted.then(sub(re.compile("a"), lambda m: "", "ab")) == Mapped("b", (1,), (2,), 5)
