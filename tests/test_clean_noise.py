"""remove_noise: rule kinds, text that must stay, rule-file errors, the real seeds."""

from __future__ import annotations

import time
from pathlib import Path

import opencc
import pytest

from kb.clean.noise import NoiseRule, load_noise_rules, remove_noise
from kb.errors import RuleError
from kb.rules.ruleset import rule_path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

REMOVED = [
    ("前文\n\n![](https://x.cn/a.png)\n\n后文", "前文\n\n后文"),
    ("见[世界互联网大会](http://wic.org)官网", "见世界互联网大会官网"),
    ("[![](https://x.cn/a.png)](http://x.cn)\n正文", "正文"),
    ("详见 https://mp.weixin.qq.com/s?__biz=Mz==&mid=1#rd 。", "详见  。"),
    ("<p>第一段</p><br/>第二段", "第一段第二段"),
    ("A&amp;B&nbsp;C&#12290;", "A&B\u00a0C。"),
    ("**一是互联网将成为助推器。**", "一是互联网将成为助推器。"),
    ("# 全球互联网未来发展九大趋势\n正文", "全球互联网未来发展九大趋势\n正文"),
    ("**扫码订阅《中国信息安全》**\n\n邮发代号 2-786\n\n征订热线：010-82341063\n\n正文", "正文"),
    ("正文\n\n預覽時標籤不可點\n\n閱讀原文\n微信掃一掃", "正文"),
    ("正文\n阅读原文\n点击蓝字关注我们\n扫一扫\n正文二", "正文\n正文二"),
    ("正文\n视频\n小程序\n赞\n，轻点两下取消赞\n在看\n，轻点两下取消在看\n分享\n留言\n收藏\n听过", "正文"),
    ("正文\n：\n，\n，\n。\n正文二", "正文\n正文二"),
    ("正文。(完)\n\n- 专题：2023年世界互联网大会\n国内新闻精选：\n- 2025年07月01日 10:51:57", "正文。(完)"),
    ("正文\n\nEND\n\n**彩蛋时间**\n点击\n阅读原文", "正文"),
    ("正文\n**欢迎关注《中国信息安全》杂志官方抖音号**\n**点击下图 了解详情**\n尾", "正文\n尾"),
    ("一\n\n\n\n\n二", "一\n\n二"),
    ("\n\n  正文  \n\n\n", "正文"),
]

UNTOUCHED = [
    "用户扫一扫即可完成支付。",  # a furniture word inside a sentence
    "市民可以阅读原文件了解详情。",
    "欢迎各国嘉宾来到乌镇，关注数字未来。",
    "（来源：光明网）",
    "人工智能（AI）技术",
    "2023年中国数字经济规模达到53.9万亿元，占GDP比重达到42.8%。",
    "他说：“网络空间是人类共同的活动空间。”",
    "2024年11月26日 08:00",  # a bare date line may be the dateline
    "第一段\n\n第二段",
    "3*4=12，a_b_c",
]


@pytest.mark.parametrize("text_in, text_out", REMOVED)
def test_remove_noise_removes_furniture(text_in, text_out):
    assert remove_noise(text_in).text == text_out


@pytest.mark.parametrize("text", UNTOUCHED)
def test_remove_noise_keeps_article_text(text):
    assert remove_noise(text).text == text


def test_remove_noise_trims_edges_in_linear_time():
    text = "  正文" + " " * 100_000 + "正文\n\n"  # a regex \s+\Z took seconds here
    start = time.perf_counter()
    mapped = remove_noise(text)
    assert time.perf_counter() - start < 2.0
    assert mapped.text == text.strip() and mapped.starts[0] == 2 and mapped.ends[-1] == len(text.rstrip())


def test_remove_noise_of_only_whitespace_is_empty():
    assert remove_noise(" \n\t ").text == ""


def test_remove_noise_keeps_link_text_one_to_one():
    text = "见[大会](http://wic.org)官网"
    mapped = remove_noise(text)
    start = mapped.text.index("大会")
    assert mapped.span(start, start + 2) == (2, 4)


def test_remove_noise_maps_entity_to_its_whole_range():
    mapped = remove_noise("A&amp;B")
    assert mapped.text == "A&B"
    assert mapped.span(1, 2) == (1, 6)


# --- the rule file ---------------------------------------------------------------


def test_noise_rules_load_with_unique_ids():
    rules = load_noise_rules()
    assert len({rule.id for rule, _ in rules}) == len(rules) > 10


def test_noise_literal_phrases_cover_both_scripts():
    to_trad, to_simp = opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    for rule, _ in load_noise_rules():
        if isinstance(rule.pattern, list):
            phrases = set(rule.pattern)
            for phrase in phrases:
                assert {to_trad.convert(phrase), to_simp.convert(phrase)} <= phrases, (rule.id, phrase)


BAD_RULES = [
    ("  - id: a\n    kind: regex\n    pattern: 'x'\n    colour: red\n", "colour", "a", 2),
    ("  - id: b\n    kind: regex\n    pattern: '(unclosed'\n", "not a valid regex", "b", 2),
    ("  - id: c\n    kind: shout\n    pattern: 'x'\n", "kind", "c", 2),
    ("  - id: d\n    kind: line\n    pattern: 'one string'\n", "list of phrases", "d", 2),
    ("  - id: e\n    kind: regex\n    pattern: '(?P<t>x)'\n    keep: text\n", "keep", "e", 2),
    ("  - id: f\n    kind: line\n    pattern: []\n", "empty", "f", 2),
    ("  - id: g\n    kind: phrase\n    pattern: [x]\n  - id: g\n    kind: phrase\n    pattern: [y]\n", "duplicate", "g", 5),
]


@pytest.mark.parametrize("body, message, rule_id, line", BAD_RULES)
def test_noise_rule_errors_name_file_line_and_rule(tmp_path, body, message, rule_id, line):
    path = tmp_path / "noise.yaml"
    path.write_text("noise:\n" + body, encoding="utf-8")
    with pytest.raises(RuleError, match=message) as err:
        remove_noise("正文", rules=path)
    assert (err.value.path, err.value.line, err.value.rule_id) == (str(path), line, rule_id)
    assert f"noise.yaml:{line} [rule {rule_id}]" in str(err.value)


def test_noise_rules_follow_kb_rules_dir(tmp_path, monkeypatch):
    (tmp_path / "noise.yaml").write_text("noise:\n  - id: x\n    kind: phrase\n    pattern: [广告]\n", encoding="utf-8")
    monkeypatch.setenv("KB_RULES_DIR", str(tmp_path))
    assert rule_path("noise") == tmp_path / "noise.yaml"
    assert remove_noise("正文广告").text == "正文"


def test_noise_rule_model_forbids_unknown_keys():
    with pytest.raises(ValueError):
        NoiseRule(id="x", kind="phrase", pattern=["a"], colour="red")


# --- the real seeds ----------------------------------------------------------------

SEED_PHRASES = {
    "000_32fc2a06f9675989.txt": ["一是互联网将成为全球产业转型升级的重要助推器。", "未来想象空间无限。"],
    "001_2a564194b7dcf398.txt": ["2023年中国数字经济规模达到53.9万亿元", "（来源：光明网）", "携手迈进更加美好的‘数字未来’。”"],
    "002_52204ac7a635acee.txt": ["发布《世界互联网大会爱（AI）公益行动计划（2023—2025年）》", "（来源：人民日报）"],
    "003_2cdfacaa30bd1702.txt": ["(張煜歡)11月10日", "未完待續。(完)"],
}
SEED_NOISE = ["![", "](http", "扫码订阅", "预览时标签不可点", "轻点两下", "听过", "新聞精選", "邮发代号", "**", "END"]


@pytest.mark.parametrize("name", sorted(SEED_PHRASES))
def test_remove_noise_on_seed_keeps_sentences_and_points_into_original(name):
    original = (SEEDS / name).read_text(encoding="utf-8")
    mapped = remove_noise(original)
    for phrase in SEED_PHRASES[name]:
        start = mapped.text.index(phrase)
        a, b = mapped.span(start, start + len(phrase))
        assert original[a:b] == phrase
    for noise in SEED_NOISE:
        assert noise not in mapped.text, noise
    assert "\n\n\n" not in mapped.text
