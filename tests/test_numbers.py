"""kb.normalise.numbers: case tables for parse_number, find_quantities and find_periods."""

from __future__ import annotations

import re

import pytest
import yaml

from kb.clean import clean_text
from kb.errors import RuleError
from kb.normalise.numbers import Period, Quantity, find_periods, find_quantities, parse_number
from kb.paths import ROOT

# --- parse_number ----------------------------------------------------------------

PARSE_CASES = [
    ("1,800", 1800),
    ("53.9", 53.9),
    ("12,345,678.5", 12345678.5),
    ("五十", 50),
    ("十", 10),
    ("十五", 15),
    ("两", 2),
    ("一百二十", 120),
    ("一百零五", 105),
    ("三千五百万", 35_000_000),
    ("一亿三千万", 130_000_000),
    ("三万亿", 3_000_000_000_000),
    ("二〇二四", 2024),
    ("三点五", 3.5),
    ("53.9万亿", 53_900_000_000_000),
    ("70万亿", 70_000_000_000_000),
    ("10.79亿", 1_079_000_000),
    ("3千万", 30_000_000),
    ("1800多", 1800),
    ("1800多万", 18_000_000),
    ("五十余", 50),
    ("42.8%", 42.8),
    ("5‰", 5),
    ("百分之三十", 30),
    ("3/4", 0.75),
    ("三分之二", 2 / 3),
]

UNPARSABLE = [
    "", "abc", "5G", "一是", "3/0",
    # absurd sizes: past the float range, past Decimal's, nested past the stack
    "9" * 500, "9" * 2000 + "/1", "1" + "亿" * 200_000, "亿" * 2000, "亿" * 20_000 + "x",
]


@pytest.mark.parametrize("text,value", PARSE_CASES)
def test_parse_number_reads_every_form(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", UNPARSABLE)
def test_parse_number_is_none_for_non_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text", ["9" * 500 + "万亿元", "规模达1" + "亿" * 2000 + "元", "共" + "1" * 1000 + "个国家"])
def test_find_quantities_absurd_number_is_no_quantity(text):
    assert find_quantities(text) == []


# --- find_quantities: one quantity per case ----------------------------------------
# (sentence, text as written, value, unit, qualifier, kind)

QUANTITY_CASES = [
    ("规模达到53.9万亿元", "53.9万亿元", 53_900_000_000_000, "元", "exact", "amount"),
    ("约4.287亿美元的投资", "约4.287亿美元", 428_700_000, "美元", "approx", "amount"),
    ("人均收入3.5万元", "3.5万元", 35_000, "元", "exact", "amount"),
    ("市场规模达三千五百万元", "三千五百万元", 35_000_000, "元", "exact", "amount"),
    ("比重达到42.8%", "42.8%", 42.8, "%", "exact", "share"),
    ("普及率达76.4%", "76.4%", 76.4, "%", "exact", "share"),
    ("出生率为5‰", "5‰", 5, "‰", "exact", "share"),
    ("提高1.1个百分点", "1.1个百分点", 1.1, "百分点", "exact", "share"),
    ("增长2倍", "2倍", 2, "倍", "exact", "share"),
    # settled: 三成 is 30 %, exact (a written fraction 3/4 stays 比例)
    ("三成企业已上云", "三成", 30, "%", "exact", "share"),
    ("近七成用户", "近七成", 70, "%", "approx", "share"),
    ("六成以上的受访者", "六成以上", 60, "%", "more_than", "share"),
    ("占百分之三十", "百分之三十", 30, "%", "exact", "share"),
    ("占千分之五", "千分之五", 5, "‰", "exact", "share"),
    ("占三分之二", "三分之二", 2 / 3, "比例", "exact", "share"),
    ("三分之一以上的企业", "三分之一以上", 1 / 3, "比例", "more_than", "share"),
    ("不到1/3", "不到1/3", 1 / 3, "比例", "less_than", "share"),
    ("增长近60%", "近60%", 60, "%", "approx", "share"),
    ("增速达20%以上", "20%以上", 20, "%", "more_than", "share"),
    ("120多个国家和地区参会", "120多个国家和地区", 120, "国家和地区", "more_than", "count"),
    ("1800多名嘉宾出席", "1800多名嘉宾", 1800, "嘉宾", "more_than", "count"),
    ("有9个非洲国家制定了战略", "9个非洲国家", 9, "国家", "exact", "count"),
    ("不少于500家企业参展", "不少于500家企业", 500, "企业", "at_least", "count"),
    ("十来个国家", "十来个国家", 10, "国家", "approx", "count"),
    ("五六个城市", "五六个城市", 5, "城市", "approx", "count"),
    ("三四十个城市", "三四十个城市", 30, "城市", "approx", "count"),
    ("两个国家", "两个国家", 2, "国家", "exact", "count"),
    ("10个人", "10个人", 10, "人", "exact", "count"),
    ("网民规模达10.79亿人", "10.79亿人", 1_079_000_000, "人", "exact", "count"),
    ("网民规模达10.79亿", "10.79亿", 1_079_000_000, "网民", "exact", "count"),
    ("5G基站337.7万个", "337.7万个", 3_377_000, "基站", "exact", "count"),
    ("来自6大洲", "6大洲", 6, "大洲", "exact", "count"),
    ("1,800名代表", "1,800名代表", 1800, "代表", "exact", "count"),
    # 名/位 count people: with no noun right after, the unit is 人, not the measure word nor a far noun
    ("共遴选出18名", "18名", 18, "人", "exact", "count"),
    ("吸引用户参与，1500余位出席", "1500余位", 1500, "人", "more_than", "count"),
    ("历经十年发展", "十年", 10, "年", "exact", "duration"),
    ("已有五十余载", "五十余载", 50, "年", "more_than", "duration"),
    ("连续七年举办", "七年", 7, "年", "exact", "duration"),
    ("10年来,中国积极致力于", "10年", 10, "年", "exact", "duration"),
    ("近3年", "近3年", 3, "年", "approx", "duration"),
    ("最近3年", "3年", 3, "年", "exact", "duration"),
    ("二三十年", "二三十年", 20, "年", "approx", "duration"),
    ("持续6个月", "6个月", 6, "月", "exact", "duration"),
    ("预计到2025年,市场规模将达到3000亿元左右", "3000亿元左右", 300_000_000_000, "元", "expected_approx", "amount"),
    # a bare scale word after a qualifier is a number
    ("逾百个国家参会", "逾百个国家", 100, "国家", "more_than", "count"),
    ("近千家企业参展", "近千家企业", 1000, "企业", "approx", "count"),
    ("超万人观看", "超万人", 10_000, "人", "more_than", "count"),
    # Latin units after a number, as written
    ("智能算力规模达230EFLOPS", "230EFLOPS", 230, "EFLOPS", "exact", "amount"),
    ("数据产量达32.85ZB", "32.85ZB", 32.85, "ZB", "exact", "amount"),
    ("存储总量为1.2PB", "1.2PB", 1.2, "PB", "exact", "amount"),
    ("容量达500GW", "500GW", 500, "GW", "exact", "amount"),
    ("发电量达1.2万亿千瓦时", "1.2万亿千瓦时", 1_200_000_000_000, "千瓦时", "exact", "amount"),
    ("用电量3000亿千瓦时", "3000亿千瓦时", 300_000_000_000, "千瓦时", "exact", "amount"),
    # set phrases without a numeral: a doubling is 2 倍, half is 50 % (as 四成 is 40 %)
    ("数字经济规模翻了一番", "翻了一番", 2, "倍", "exact", "share"),
    ("收入翻两番", "翻两番", 4, "倍", "exact", "share"),
    ("近半数企业已上云", "近半数", 50, "%", "approx", "share"),
    ("半数以上的企业", "半数以上", 50, "%", "more_than", "share"),
    ("过半企业已上云", "过半", 50, "%", "more_than", "share"),
]


@pytest.mark.parametrize("sentence,text,value,unit,qualifier,kind", QUANTITY_CASES)
def test_find_quantities_reads_each_form(sentence, text, value, unit, qualifier, kind):
    (q,) = find_quantities(sentence)
    assert (q.text, q.unit, q.qualifier, q.kind) == (text, unit, qualifier, kind)
    assert q.value == pytest.approx(value)
    assert sentence[q.start:q.end] == q.text


# --- not quantities ------------------------------------------------------------------

NOT_QUANTITIES = [
    "2024年", "11月20日", "2022年7月12日", "今年7月", "二〇二四年",
    "第二届世界互联网大会", "第十一届", "首届世界互联网大会", "第30个年头", "第一动力",
    "迈入第二个十年", "续写下一个十年", "十年前,一“网”情深", "每5年举办一次",
    "邮发代号 2-786", "征订热线:010-82341063", "图片640x480", "尺寸640×480",
    "![](https://mmbiz.qpic.cn/a/640?wx_fmt=png)", "《2024年数字经济报告》", "《全球网络安全指数2024年版》",
    "v1.2.3版本", "21世纪", "八十年代", "90年代",
    "一是互联网", "二是网络", "5G智慧医院", "G20峰会", "第285窟", "1∶1毫米级", "10:51:57",
    "一个联系紧密的", "一场场", "千年古镇", "万里尚为邻", "千家万户", "三番五次", "九大趋势",
    "成为会员", "1个多月", "近年来",
    "迎来“二十年之约”", "共建“一带一路”", "“十四五”规划", "“三步走”战略",
    # vague multiples state no value; a bare scale word without a qualifier is no number
    "数十个国家", "数百家企业", "几十个城市", "数万亿元", "最近百年",
    # a Latin suffix that is no unit keeps the number a name
    "5G网络", "3D打印", "100GBx",
    # rhetorical counts (settled point): parts of a speech, text, programme or index; ranks
    "从三个方面推进", "涵盖六个维度", "分为七个部分", "设置九个赛道", "实现了四个“第一”", "提出四项原则",
    "两大板块", "排名前10位", "位居前3名",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_find_quantities_ignores_dates_ordinals_and_furniture(text):
    assert find_quantities(text) == []


# --- whole words: with the segmenter's words, a count noun must end where a word ends -----
# (words of the sentence, text as written, unit)
WORD_CASES = [
    (["展出", "30", "款", "人形", "机器人"], "30款人形机器人", "人形机器人"),
    (["上线", "60", "个", "人工", "智能", "服务"], "60个人工智能服务", "服务"),
    (["共", "设", "12", "个", "分论坛"], "12个分论坛", "分论坛"),
    (["约", "40", "位", "国家", "元首", "和", "政府", "首脑", "出席"], "约40位国家元首和政府首脑", "国家元首和政府首脑"),
    (["有", "9", "个", "非洲", "国家"], "9个非洲国家", "国家"),
]


@pytest.mark.parametrize("words,text,unit", WORD_CASES)
def test_find_quantities_count_noun_is_a_whole_word(words, text, unit):
    sentence = "".join(words)
    ends = [sum(map(len, words[:i + 1])) for i in range(len(words))]
    (q,) = find_quantities(sentence, word_ends=ends)
    assert (q.text, q.unit) == (text, unit)


def test_find_quantities_count_unit_inside_a_word_is_no_unit():
    words = ["培训", "50", "人工", "智能", "教师"]
    ends = [sum(map(len, words[:i + 1])) for i in range(len(words))]
    assert find_quantities("".join(words), word_ends=ends) == []


# --- several quantities, units from context --------------------------------------------

def _triples(text: str) -> list[tuple]:
    return [(q.text, q.value, q.unit, q.qualifier) for q in find_quantities(text)]


def test_find_quantities_two_numbers_in_one_phrase_are_two():
    text = "已吸引25个国家和地区的近130家互联网领域的机构、组织、企业及个人加入成为会员"
    assert _triples(text) == [("25个国家和地区", 25, "国家和地区", "exact"), ("近130家", 130, "会员", "approx")]


def test_find_quantities_enumeration_takes_the_noun_that_sums_it_up():
    text = "已有来自6大洲30余个国家和地区的170余个机构、组织、企业和个人成为其会员"
    assert _triples(text)[-1] == ("170余个", 170, "会员", "more_than")


def test_find_quantities_noun_earlier_in_sentence():
    text = "制定国家网络安全战略的国家数量持续增加,从2020年的107个增加至2024年的132个"
    assert _triples(text) == [("107个", 107, "国家", "exact"), ("132个", 132, "国家", "exact")]


def test_find_quantities_expectation_reaches_across_the_clause():
    text = "2024年全国数字经济年产值有望超过70万亿元,增速达20%以上。"
    assert _triples(text) == [("超过70万亿元", 70e12, "元", "expected_more_than"),
                              ("20%以上", 20, "%", "expected_more_than")]


def test_find_quantities_approx_verb_earlier_in_clause():
    assert _triples("43个国家和地区(约占全球经济总量的3/4)") == [
        ("43个国家和地区", 43, "国家和地区", "exact"), ("3/4", 0.75, "比例", "approx")]


def test_find_quantities_offsets_point_into_the_text():
    text = "标题\n今年,120多个国家和地区的1800多名嘉宾参会"
    assert [text[q.start:q.end] for q in find_quantities(text)] == ["120多个国家和地区", "1800多名嘉宾"]


def test_find_quantities_records_the_rule():
    (q,) = find_quantities("53.9万亿元")
    assert isinstance(q, Quantity) and q.rule == "currency-yuan"


# --- periods ---------------------------------------------------------------------------

PERIOD_CASES = [
    ("2016年—2022年,销售额增长近60%", "2016年—2022年", "2016/2022"),
    ("2023—2025年行动", "2023—2025年", "2023/2025"),
    ("2016年至2022年", "2016年至2022年", "2016/2022"),
    ("2016-2022年", "2016-2022年", "2016/2022"),
]


@pytest.mark.parametrize("text,written,iso", PERIOD_CASES)
def test_find_periods_reads_year_ranges(text, written, iso):
    (p,) = find_periods(text)
    assert (p.text, p.iso, p.kind) == (written, iso, "period")
    assert isinstance(p, Period)


def test_find_periods_are_not_quantities():
    assert [q.text for q in find_quantities("2016年—2022年,增长近60%")] == ["近60%"]


def test_find_periods_ignores_titles():
    assert find_periods("发布《行动计划(2023—2025年)》") == []


# --- every gold claim, found in its seed document ------------------------------------------

def _gold_claims():
    for path in sorted((ROOT / "tests" / "gold").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for claim in data.get("claims") or []:
            yield pytest.param(data["doc"], claim, id=f"{path.stem[:3]}-{claim['text']}")


@pytest.fixture(scope="module")
def clean_seeds() -> dict[str, str]:
    return {p.name: clean_text(p.read_text(encoding="utf-8")).text for p in (ROOT / "seeds").glob("*.txt")}


def _squash(text: str) -> str:
    return re.sub(r"[\s,，]", "", text)


@pytest.mark.parametrize("doc,claim", list(_gold_claims()))
def test_find_quantities_finds_gold_claim_in_its_evidence(clean_seeds, doc, claim):
    text = clean_seeds[doc]
    evidence = _squash(clean_text(claim["evidence"]).text)
    found = [(q.text, q.value, q.unit, q.qualifier) for q in find_quantities(text)
             if evidence.find(_squash(q.text)) >= 0 and _squash(_sentence_around(text, q)).find(evidence) >= 0]
    assert (claim["text"], pytest.approx(claim["value"]), claim["unit"], claim["qualifier"]) in found


def _sentence_around(text: str, q: Quantity) -> str:
    start = max(text.rfind(c, 0, q.start) for c in "。\n") + 1
    ends = [i for i in (text.find(c, q.end) for c in "。\n") if i >= 0]
    return text[start:min(ends) if ends else len(text)]


# --- the rules file -------------------------------------------------------------------------

def test_quantities_rules_words_are_unique_per_section():
    data = yaml.safe_load((ROOT / "rules" / "quantities.yaml").read_text(encoding="utf-8"))
    for section in ("units", "classifiers", "qualifiers"):
        words = [w for rule in data[section] for w in rule["words"]]
        assert len(words) == len(set(words)), section


def test_quantities_bad_regex_is_a_rule_error(tmp_path, monkeypatch):
    from kb.normalise import numbers

    src = (ROOT / "rules" / "quantities.yaml").read_text(encoding="utf-8")
    (tmp_path / "quantities.yaml").write_text(src.replace('pattern: "《[^《》\\\\n]*》"', 'pattern: "(["'),
                                              encoding="utf-8")
    monkeypatch.setenv("KB_RULES_DIR", str(tmp_path))
    with pytest.raises(RuleError, match=r"quantities.yaml:\d+ \[rule title\].*regular expression"):
        numbers.find_quantities("10个")


# text, quantity text, unit: the noun phrase right after a classifier, when no count noun is known
NOUN_PHRASES = [
    ("工业互联网已融入45个国民经济大类，覆盖面持续扩大。", "45个国民经济大类", "国民经济大类"),
    ("全省建成6个工业互联网示范区和一批基地。", "6个工业互联网示范区", "工业互联网示范区"),
    ("共有近130家互联网领域的领军企业参展。", "近130家", "企业"),  # 的: the phrase modifies 企业
    ("170余个机构、组织、企业和个人成为其会员。", "170余个", "会员"),  # a list: the noun shared after it
    ("报告从六个维度评估发展水平。", None, None),  # rhetorical: no claim whatever noun follows
]


@pytest.mark.parametrize("text, quoted, unit", NOUN_PHRASES)
def test_find_quantities_unit_is_the_noun_phrase_after_the_classifier(nlp, text, quoted, unit):
    doc = nlp.make_doc(text)
    found = find_quantities(text, word_ends=[t.idx + len(t.text) for t in doc])
    assert [(q.text, q.unit) for q in found] == ([(quoted, unit)] if quoted else [])


@pytest.mark.parametrize("text, expected", [
    ("会期一天半", [("一天半", 1.5, "天")]),  # 半 after the unit adds half of it; 一 is then a number
    ("历时两年半", [("两年半", 2.5, "年")]),
    ("接入国际互联网30周年，", [("30周年", 30, "年")]),  # an anniversary is a duration in years
    ("将举办10周年理论研讨会", []),  # a number inside an event's name (settled point)
    ("那一天", []),  # 一 before a unit stays an article
])
def test_find_quantities_halves_and_anniversaries(text, expected):
    assert [(q.text, q.value, q.unit) for q in find_quantities(text)] == expected


# text, [(quantity text, unit, qualifier)]: what a count counts when no noun follows its classifier,
# compounds of count nouns, Latin units, 上 before a bare scale word (issue 11)
COUNTED_ELSEWHERE = [
    ("平台处置违规账号13.4亿个。", [("13.4亿个", "账号", "exact")]),  # a count noun right before the figure
    ("依法封禁主播7200余名。", [("7200余名", "主播", "more_than")]),  # … even for a classifier of people
    ("下架应用程序、小程序2160余款。", [("2160余款", "款", "more_than")]),  # a measure word of items: itself
    ("平均连接工业设备超218万台。", [("超218万台", "台", "more_than")]),
    ("累计清理有害信息2200万余条。", [("2200万余条", "条", "more_than")]),
    ("展出40多款大模型。", [("40多款大模型", "大模型", "more_than")]),  # a noun after it: the noun
    ("1500名嘉宾参会。", [("1500名嘉宾", "嘉宾", "exact")]),
    ("招募600个志愿服务岗位。", [("600个志愿服务岗位", "岗位", "exact")]),  # the compound's head noun
    ("评估了31个省(自治区、直辖市)。", [("31个省", "省", "exact")]),
    ("开放4200亿Token文本。", [("4200亿Token", "Token", "exact")]),
    ("上万人参加了论坛。", [("上万人", "人", "more_than")]),
    ("展览面积首次突破7万平方米。", [("突破7万平方米", "平方米", "more_than")]),
    ("力争产业增加值突破1万亿元。", [("突破1万亿元", "元", "expected_more_than")]),
    ("上千家企业参展。", [("上千家企业", "企业", "more_than")]),
    ("成千上万人涌入。", []),  # an idiom, no figure
    ("比上3个月增长。", [("3个月", "月", "exact")]),  # 上 before a numeral is no qualifier
]


@pytest.mark.parametrize("text, expected", COUNTED_ELSEWHERE)
def test_find_quantities_counted_noun_written_elsewhere(nlp, text, expected):
    doc = nlp.make_doc(text)
    found = find_quantities(text, word_ends=[t.idx + len(t.text) for t in doc])
    assert [(q.text, q.unit, q.qualifier) for q in found] == expected


@pytest.mark.parametrize("text", [
    "寻找这三个条件背后的秘密",  # a count referred back to (这, 上述)
    "上述两家企业",
    "曾提出了三个条件:一是区位",  # the conditions of a proposal are its parts (rhetorical)
    "这两天,进入乌镇",  # 这两天 means lately
    "首次颁发“十年纪念荣誉”",  # a number inside a quoted name
])
def test_find_quantities_references_and_quoted_names_are_no_quantities(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize("text, figure", [
    ("“在这里生活工作十多年,见证了变化", "十多年"),  # a quote that goes on after the figure: no name
    ("这九年,乌镇变了", "九年"),  # a period referred to is still a duration (settled point)
])
def test_find_quantities_quote_or_demonstrative_alone_keeps_the_figure(text, figure):
    assert [q.text for q in find_quantities(text)] == [figure]
