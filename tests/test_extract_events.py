"""kb.extract.events: event occurrences and their attributes, on sentences written for the tests."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from conftest import score_records, seed_docs

ATTRIBUTES = ("kind", "year", "edition", "start_date", "end_date", "location", "theme", "part_of")


def _find_events():
    from kb.extract.events import find_events
    return find_events


def make_test_doc(nlp, text, date="2025-11-12"):
    """The doc of ``text`` as an article of ``date``: every component reads the date (kb_rules
    resolves dates against it)."""
    from kb.clean.offsets import Mapped
    from kb.nlp.pipeline import make_doc

    return make_doc(nlp, SimpleNamespace(id="test.txt", date=date, text=text), Mapped.identity(text))


# text, {name: {attribute: value}} (only the attributes listed are checked); every event found is listed
EVENTS = [
    ("2019年10月20日至22日，第六届世界互联网大会在浙江乌镇举行。",
     {"2019年世界互联网大会": {"kind": "summit", "year": 2019, "edition": 6, "start_date": "2019-10-20",
                               "end_date": "2019-10-22", "location": "乌镇"}}),
    ("第十一届世界互联网大会吸引了大批嘉宾。",
     {"2024年世界互联网大会乌镇峰会": {"year": 2024, "edition": 11}}),
    ("首届世界互联网大会举行时，嘉宾云集。", {"2014年世界互联网大会": {"edition": 1, "location": None}}),
    ("今年乌镇峰会期间，“数字未来”专题论坛在乌镇举行。",
     {"2025年世界互联网大会乌镇峰会": {"year": 2025, "location": "乌镇"},
      "“数字未来”专题论坛": {"kind": "forum", "year": 2025, "location": "乌镇",
                           "part_of": "2025年世界互联网大会乌镇峰会"}}),
    ("11月8日，2025年世界互联网大会乌镇峰会开幕式在乌镇举行。",
     {"2025年世界互联网大会乌镇峰会": {"start_date": None, "location": "乌镇"}}),
    ("2025年11月，专家在2025年世界互联网大会乌镇峰会开幕式上发言。",
     {"2025年世界互联网大会乌镇峰会": {"start_date": "2025-11"}}),
    ("11月9日，2025年世界互联网大会乌镇峰会圆满闭幕。",
     {"2025年世界互联网大会乌镇峰会": {"end_date": "2025-11-09", "start_date": None}}),
    ("2025年世界互联网大会乌镇峰会将于11月举行，主题为“共建数字未来”。",
     {"2025年世界互联网大会乌镇峰会": {"theme": "共建数字未来", "location": "乌镇"}}),
    ("5月，在广东深圳举办全球数字治理创新论坛。",
     {"全球数字治理创新论坛": {"kind": "forum", "year": 2025, "start_date": "2025-05", "location": "深圳"}}),
    ("中国网络文明大会、联合国互联网治理论坛等活动越办越好。",
     {"中国网络文明大会": {"kind": "meeting", "year": None}, "联合国互联网治理论坛": {"kind": "forum", "year": None}}),
    ("2024年世界人工智能大会在上海召开。",
     {"2024年世界人工智能大会": {"kind": "meeting", "year": 2024, "location": "上海"}}),
    ("去年的“互联网之光”博览会上，展品众多。",
     {"“互联网之光”博览会": {"kind": "expo", "year": 2024, "part_of": "2024年世界互联网大会乌镇峰会"}}),
    ("从2018年起，主办方每年举办“网络安全创新大赛”。",
     {"网络安全创新大赛": {"kind": "contest", "year": None, "start_date": "2018"}}),
    ("2020年世界互联网大会在线上举行。",
     {"2020年世界互联网大会·互联网发展论坛": {"kind": "summit", "year": 2020}}),
    ("2022年，乌镇峰会开幕前夕，专家齐聚。", {"2022年世界互联网大会乌镇峰会": {"start_date": None}}),
    ("2025年数字中国建设峰会4月28日在福建福州开幕，会期两天，至4月29日结束。",
     {"2025年数字中国建设峰会": {"start_date": "2025-04-28", "end_date": "2025-04-29", "location": "福州"}}),
    ("第十九届联合国互联网治理论坛(IGF)在沙特利雅得举行。",
     {"2024年联合国互联网治理论坛": {"year": 2024, "edition": 19, "location": "利雅得"}}),
    ("数据治理高级别会议在瑞士日内瓦举行。", {"数据治理高级别会议": {"kind": "meeting", "location": "日内瓦"}}),
    ("峰会期间将举办“智慧城市”论坛、“绿色算力”论坛等15场平行论坛。",
     {"“智慧城市”论坛": {"kind": "forum"}, "“绿色算力”论坛": {"kind": "forum"}}),
    ("下午，首届巴黎数字和平论坛在巴黎开幕。", {"巴黎数字和平论坛": {"edition": 1, "location": "巴黎"}}),
    # a WIC regional summit: the article's name with the year in front (a mention without one is this year's)
    ("世界互联网大会亚太峰会在香港开幕。",
     {"2025年世界互联网大会亚太峰会": {"kind": "summit", "year": 2025, "location": "香港"}}),
    # an opening ceremony joined to a main forum is part of the event, no event of its own
    ("2025年世界互联网大会乌镇峰会开幕式暨主论坛在乌镇举行。", {"2025年世界互联网大会乌镇峰会": {"year": 2025}}),
    # not events
    ("我们希望各方以峰会为契机加强合作。", {}),
    ("本届论坛共举办12场分论坛。", {}),
    ("世界互联网大会秘书长表示，将继续搭建平台。", {}),
    ("以世界互联网大会为契机，中国深化合作。", {}),
    ("本次峰会吸引了众多嘉宾。", {}),
    ("2021年起，乌镇峰会每年发布实践案例。", {}),
    ("2022年，世界互联网大会发展为常设国际组织，乌镇峰会也由此升级为年会。", {}),
    ("世界互联网大会国际组织成立后，会员不断增加。", {}),
    ("世界互联网大会领先科技奖评审委员会主席发言。", {}),
    ("欢迎关注《中国信息安全》杂志，了解峰会动态。", {}),
    ("如何在网络空间搭建增进文明对话的新平台，成为课题。", {}),
    ("从每年一次的国际会议升级为国际组织。", {}),
    ("“‘海外中国旅游文化周’全球联动活动”入选案例。", {}),
    # quoted names listed before 等 and an activity noun are activities of its kind
    ("2025年世界互联网大会乌镇峰会期间举办了“乌镇夜谈”“数字青年说”等交流活动。",
     {"2025年世界互联网大会乌镇峰会": {"year": 2025},
      "“乌镇夜谈”": {"kind": "dialogue", "year": 2025, "part_of": "2025年世界互联网大会乌镇峰会"},
      "“数字青年说”": {"kind": "dialogue", "year": 2025, "part_of": "2025年世界互联网大会乌镇峰会"}}),
    ("我们倡导“绿色出行”“光盘行动”等理念。", {}),
    # anaphora and verb phrases before an event noun are no names
    ("本届互联网大会吸引了众多嘉宾，作为本次大会的亮点，展览人气很旺。", {}),
    ("主办方将充分发挥论坛作用，回顾历届大会成果。", {}),
    # a year written without 年 before a series name
    ("2023世界人工智能大会今天在上海开幕。",
     {"2023年世界人工智能大会": {"year": 2023, "location": "上海"}}),
    # a series dated by its clause is named with its year in front
    ("2024年7月4日，世界人工智能大会在上海举行。", {"2024年世界人工智能大会": {"year": 2024}}),
    # a dated, self-standing bare 大会/峰会 is a yearly gathering named with its year
    ("2022全球数字城市大会在杭州开幕。", {"2022年全球数字城市大会": {"year": 2022, "location": "杭州"}}),
    # party congresses by their ordinal, one record whatever the prefix
    ("党的二十大报告发布后，各地学习中共二十大精神。", {"党的二十大": {"kind": "meeting", "edition": 20}}),
    ("十九届五中全会提出了新的目标。", {"十九届五中全会": {"kind": "meeting", "edition": None}}),
    # themes in corner quotes, after 围绕, after a bare 本届; ── read as ——
    ("第五届世界互联网大会在乌镇开幕。本届主题为「创造互信共治──携手共建网络空间命运共同体」。",
     {"2018年世界互联网大会": {"theme": "创造互信共治——携手共建网络空间命运共同体"}}),
    # a time of day and a long venue before the place
    ("第四届世界互联网大会3日上午在浙江乌镇互联网国际会展中心开幕。",
     {"2017年世界互联网大会": {"location": "乌镇"}}),
    # the forum held in place of the 2020 summit is that year's occurrence
    ("11月23日，世界互联网大会·互联网发展论坛开幕。",
     {"2020年世界互联网大会·互联网发展论坛": {"kind": "summit", "year": 2020}}),
    # a noun that ends a longer word (发展), names a part (主论坛) or a form (以…大赛的形式) is no event
    ("围绕“推动数字经济高质量发展”等内容设置议题。", {}),
    ("数字生态大会主论坛邀请专家作主题演讲。", {}),
    ("全球创客大赛“数字先锋”以创新创业大赛的形式举行。", {"全球创客大赛": {"kind": "contest"}}),
    # a noun right after 和 shares the name before it: no name of its own
    ("主办方设置了数据要素成果发布和博览会等板块。", {}),
    # the organiser of something else is no event
    ("研讨会由中国互联网治理论坛举办。", {}),
    # national campaigns are activities
    ("2021年，有关部门部署开展“网红”乱象整治、暑期网络环境整治等10项“净网”系列专项行动。",
     {"“网红”乱象整治": {"kind": "other", "year": 2021}, "暑期网络环境整治": {"kind": "other", "year": 2021},
      "“净网”系列专项行动": {"kind": "other", "year": 2021}}),
    # an award or programme given for the first time: edition 1
    ("本届峰会首次颁发“数字先锋荣誉”，全新设立“未来之星对话”。",
     {"数字先锋荣誉": {"kind": "award", "edition": 1}, "未来之星对话": {"kind": "dialogue", "edition": 1}}),
    # a preparatory meeting by its ordinal; a 推进会; a film festival
    ("3月17日，第二届数字生态大会第2次筹备工作会议召开。",
     {"第二届数字生态大会第2次筹备工作会议": {"kind": "meeting", "edition": 2, "start_date": "2025-03-17"}}),
    ("专家出席数据生态部省联动推进会。", {"数据生态部省联动推进会": {"kind": "meeting"}}),
    ("2024年中国数字电影节在厦门启幕。", {"中国数字电影节": {"kind": "other", "year": 2024, "location": "厦门"}}),
]


# text, article date, {name: {attribute: value}}: sentences that go on about an event named
# before, and activities held during the article's event; every event found is listed
FOLLOW_UPS = [
    ("以“数字向善 智能共享”为主题的第五届世界互联网大会7日在浙江乌镇开幕，大会将持续至9日。", "2018-11-07",
     {"2018年世界互联网大会": {"edition": 5, "theme": "数字向善 智能共享", "start_date": "2018-11-07",
                               "end_date": "2018-11-09", "location": "乌镇"}}),
    ("11月3日，2025年世界互联网大会乌镇峰会在浙江乌镇开幕。本次峰会主题为“开放合作 共享未来”，将持续至5日。",
     "2025-11-03", {"2025年世界互联网大会乌镇峰会": {"theme": "开放合作 共享未来", "start_date": "2025-11-03",
                                                   "end_date": "2025-11-05"}}),
    ("第七届世界人工智能大会在上海开幕。本届大会以“智联世界”为主题，会期从5日持续至7日。", "2024-07-05",
     {"2024年世界人工智能大会": {"year": 2024, "edition": 7, "theme": "智联世界", "start_date": "2024-07-05",
                                 "end_date": "2024-07-07"}}),
    ("2025年世界互联网大会乌镇峰会7日在乌镇开幕。大会期间，“数字治理”论坛将于8日举行。", "2025-11-06",
     {"2025年世界互联网大会乌镇峰会": {"start_date": "2025-11-07"},
      "“数字治理”论坛": {"year": 2025, "start_date": "2025-11-08", "part_of": "2025年世界互联网大会乌镇峰会"}}),
    ("2025年世界互联网大会乌镇峰会在乌镇举行。与大会同期举办的“互联网之光”博览会吸引了众多企业。", "2025-11-06",
     {"2025年世界互联网大会乌镇峰会": {"year": 2025},
      "“互联网之光”博览会": {"year": 2025, "part_of": "2025年世界互联网大会乌镇峰会"}}),
    ("2025年世界人工智能大会在上海开幕。3日下午，与大会同期举行的数据安全高级别会议通过了成果文件。", "2025-07-03",
     {"2025年世界人工智能大会": {"year": 2025},
      "数据安全高级别会议": {"year": 2025, "start_date": "2025-07-03", "part_of": "2025年世界人工智能大会"}}),
    # an activity in a paragraph that refers to the summit as 峰会 in another sentence is held during it
    ("世界互联网大会亚太峰会20日在香港开幕。本届峰会吸引了众多嘉宾。当天举行的人工智能论坛聚焦治理问题。", "2024-11-21",
     {"2024年世界互联网大会亚太峰会": {"start_date": "2024-11-20", "location": "香港"},
      "人工智能论坛": {"year": 2024, "start_date": "2024-11-20", "part_of": "2024年世界互联网大会亚太峰会"}}),
    ("世界互联网大会亚太峰会20日在香港开幕。\n\n当天举行的人工智能论坛聚焦治理问题。", "2024-11-21",
     {"2024年世界互联网大会亚太峰会": {"year": 2024}, "人工智能论坛": {"part_of": None}}),
    # a day-only date is in the article's month
    ("第四届世界互联网大会3日在乌镇开幕。4日，数字经济论坛在乌镇举行。", "2017-12-05",
     {"2017年世界互联网大会": {"start_date": "2017-12-03"},
      "数字经济论坛": {"year": 2017, "start_date": "2017-12-04", "location": "乌镇"}}),
    ("2025年世界人工智能大会在上海举行。今后，上海将继续办好世界人工智能大会。", "2025-07-03",
     {"2025年世界人工智能大会": {"year": 2025}}),
    # a sentence opening with 本届大会/本次峰会/大会 states the dates, place and theme of the article's event
    ("第五届世界互联网大会在乌镇举行。本届大会于11月7日开幕，为期三天。", "2018-11-08",
     {"2018年世界互联网大会": {"start_date": "2018-11-07", "end_date": "2018-11-09", "location": "乌镇"}}),
    ("世界互联网大会亚太峰会在香港召开。\n\n本次峰会15日至16日在香港举行。", "2024-11-15",
     {"2024年世界互联网大会亚太峰会": {"start_date": "2024-11-15", "end_date": "2024-11-16", "location": "香港"}}),
    ("2023年数字中国建设峰会即将举行。大会于4月26日至28日在福州举办。", "2023-04-20",
     {"2023年数字中国建设峰会": {"start_date": "2023-04-26", "end_date": "2023-04-28", "location": "福州"}}),
    ("第五届世界互联网大会在乌镇举行。本届峰会主题为“创造互信共治的数字世界”。", "2018-11-08",
     {"2018年世界互联网大会": {"theme": "创造互信共治的数字世界"}}),
    ("第五届世界互联网大会在乌镇举行。\n\n峰会以“创造互信共治的数字世界”为主题。", "2018-11-08",
     {"2018年世界互联网大会": {"theme": "创造互信共治的数字世界"}}),
    ("2018年世界互联网大会11月7日开幕。本届大会于2017年12月3日开幕，为期三天。", "2018-11-08",
     {"2018年世界互联网大会": {"start_date": "2018-11-07", "end_date": None}}),  # another year's dates
    ("第五届世界互联网大会在乌镇举行。大会于2019年成立了专家委员会。", "2018-11-08",
     {"2018年世界互联网大会": {"start_date": None, "end_date": None}}),  # no verb of taking place
    # a place after a province is the town; a venue after a city is the city
    ("第四届世界互联网大会3日在浙江乌镇开幕。", "2017-12-05", {"2017年世界互联网大会": {"location": "乌镇"}}),
    ("2024年全球数字经济大会在北京国家会议中心举办。", "2024-07-02", {"2024年全球数字经济大会": {"location": "北京"}}),
    # sub-forums and high-level forums in a paragraph about a summit are held during it
    ("2024年全球数字经济大会在北京开幕。人工智能分论坛同日举行。", "2024-07-02",
     {"2024年全球数字经济大会": {"year": 2024},
      "人工智能分论坛": {"year": 2024, "part_of": "2024年全球数字经济大会"}}),
    ("第五届世界互联网大会在乌镇举行。\n\n峰会期间，数字丝路高峰论坛举行。", "2018-11-08",
     {"2018年世界互联网大会": {"year": 2018},
      "数字丝路高峰论坛": {"year": 2018, "part_of": "2018年世界互联网大会"}}),
    ("2023年数字中国建设峰会在福州举行。同期举办的数字生态高峰论坛聚焦生态。", "2023-04-27",
     {"2023年数字中国建设峰会": {"year": 2023},
      "数字生态高峰论坛": {"year": 2023, "part_of": "2023年数字中国建设峰会"}}),
    ("2024年全球数字经济大会在北京开幕。\n\n人工智能分论坛同日举行。", "2024-07-02",
     {"2024年全球数字经济大会": {"year": 2024}, "人工智能分论坛": {"part_of": None}}),
    # a summit's release 和 expo: the release of the series, held during the summit
    ("第四届世界互联网大会在乌镇举行，世界互联网领先科技成果发布和博览会吸引众多企业。", "2017-12-03",
     {"2017年世界互联网大会": {"year": 2017},
      "世界互联网领先科技成果发布活动": {"kind": "release", "year": 2017, "part_of": "2017年世界互联网大会"}}),
    # a press conference is not the event; the sentence goes on with its dates and place
    ("3月19日，第四届数字中国建设峰会新闻发布会在京召开，宣布峰会将于4月25日至26日在福建省福州市举办。", "2021-03-20",
     {"2021年数字中国建设峰会": {"edition": 4, "start_date": "2021-04-25", "end_date": "2021-04-26",
                                 "location": "福州"}}),
    # 年会 after the name's aside; the city after 首都; 在…举办的 before the name; a town after its city
    ("第十九届联合国互联网治理论坛(IGF)年会将于2024年12月15日至19日在沙特阿拉伯首都利雅得举行。", "2024-12-01",
     {"2024年联合国互联网治理论坛": {"start_date": "2024-12-15", "end_date": "2024-12-19", "location": "利雅得"}}),
    ("2023年在日本京都举办的IGF年会吸引了众多嘉宾。", "2024-12-01",
     {"2023年联合国互联网治理论坛": {"location": "京都"}}),
    ("2021世界互联网大会乌镇峰会9月26日在浙江嘉兴乌镇开幕。", "2021-09-26",
     {"2021年世界互联网大会乌镇峰会": {"start_date": "2021-09-26", "location": "乌镇"}}),
    # a year-less name that ends a dated one's is that occurrence
    ("2003年联合国信息社会世界峰会举行。此后，信息社会世界峰会持续关注数字鸿沟。", "2024-12-01",
     {"2003年联合国信息社会世界峰会": {"year": 2003}}),
]


@pytest.fixture(scope="module")
def find_events():
    return _find_events()


# text, article date, {name: {attribute: value}}: when an event started, from the date of the
# clause that names it; every event found is listed
STARTS = [
    # a month at a series' occurrence (在…峰会上) is its start month; a day is not its start
    ("2015年12月，嘉宾在第二届世界互联网大会乌镇峰会上发表演讲。", "2025-11-04",
     {"2015年世界互联网大会": {"year": 2015, "start_date": "2015-12"}}),
    ("12月16日，嘉宾在第二届世界互联网大会乌镇峰会上发表演讲。", "2015-12-18",
     {"2015年世界互联网大会": {"year": 2015, "start_date": None}}),
    # a clause that opens with the verb and ends with the name: held that day
    ("26日，举办2025年世界人工智能大会配套活动青年创新论坛。", "2025-04-27",
     {"世界人工智能大会配套活动青年创新论坛": {"start_date": "2025-04-26"}}),
    ("26日，举行青年数字创新论坛。", "2025-04-27", {"青年数字创新论坛": {"start_date": "2025-04-26"}}),
    # an undated article: the day takes the month stated earlier in its paragraph
    ("2025年4月，筹备工作推进。26日，举行青年数字创新论坛。", None,
     {"青年数字创新论坛": {"start_date": "2025-04-26"}}),
    ("2025年4月，筹备工作推进。\n26日，举行青年数字创新论坛。", None,
     {"青年数字创新论坛": {"start_date": None}}),
]


@pytest.mark.parametrize("text, date, expected", STARTS)
def test_events_start_from_the_clause_date(nlp, find_events, text, date, expected):
    found = {e.name: e for e in find_events(make_test_doc(nlp, text, date))}
    assert set(found) == set(expected)
    for name, attributes in expected.items():
        assert {a: getattr(found[name], a) for a in attributes} == attributes


@pytest.mark.parametrize("text, expected", EVENTS)
def test_events_case_table(nlp, find_events, text, expected):
    found = {e.name: e for e in find_events(make_test_doc(nlp, text))}
    assert set(found) == set(expected)
    for name, attributes in expected.items():
        assert {a: getattr(found[name], a) for a in attributes} == attributes


@pytest.mark.parametrize("text, date, expected", FOLLOW_UPS)
def test_events_follow_ups_and_hosts(nlp, find_events, text, date, expected):
    found = {e.name: e for e in find_events(make_test_doc(nlp, text, date))}
    assert set(found) == set(expected)
    for name, attributes in expected.items():
        assert {a: getattr(found[name], a) for a in attributes} == attributes


def test_events_one_record_per_occurrence(nlp, find_events):
    text = "2023年世界互联网大会乌镇峰会举行。2024年世界互联网大会乌镇峰会举行。今年的乌镇峰会上，嘉宾众多。"
    names = [e.name for e in find_events(make_test_doc(nlp, text, "2024-11-21"))]
    assert names == ["2023年世界互联网大会乌镇峰会", "2024年世界互联网大会乌镇峰会"]


def test_events_yearless_mention_joins_dated_occurrence(nlp, find_events):
    text = "“互联网之光”博览会成为风向标。2023年世界互联网大会“互联网之光”博览会展出新品。"
    events = [e for e in find_events(make_test_doc(nlp, text)) if e.kind == "expo"]
    assert [(e.name, e.year, len(e.provenance)) for e in events] == [("“互联网之光”博览会", 2023, 2)]


def test_events_provenance_quotes_the_mention(nlp, find_events):
    text = "据悉，2025年世界互联网大会乌镇峰会开幕。"
    (event,) = find_events(make_test_doc(nlp, text))
    p = event.provenance[0]
    assert (p.quote, text[p.start:p.end]) == ("2025年世界互联网大会乌镇峰会", "2025年世界互联网大会乌镇峰会")
    assert p.rule == "events.series:world-internet-conference"


def test_events_rules_load():
    from kb.extract.events import load_event_rules

    rules = load_event_rules()
    wic = rules.series_by_id("world-internet-conference")
    assert wic.name_of(2016) == "2016年世界互联网大会"
    assert wic.name_of(2021) == "2021年世界互联网大会乌镇峰会"
    assert wic.year_of_edition(1) == 2014
    assert rules.series_by_id("un-igf").year_of_edition(13) == 2018


# frame id, text, the first group it fills: `{list}` placeholders filled from the word lists
FRAMES = [
    ("location-after", "今天上午在浙江乌镇开幕", "浙江乌镇"),
    ("location-before", "在深圳举办", "深圳"),
    ("place-in", "在香港隆重举行", "香港"),
    ("happen", "在杭州圆满闭幕", "闭幕"),
    ("anaphor", "本届大会以", "大会"),
    ("anaphor", "此次论坛吸引", "论坛"),
    ("during", "，峰会期间", "峰会"),
    ("summit-reference", "今年的峰会", "峰会"),
    ("theme", "以「智能向善」为主题", "智能向善"),
]


@pytest.mark.parametrize("frame, text, group", FRAMES)
def test_events_frames_fill_word_lists(frame, text, group):
    from kb.extract.context import load_frames

    found = load_frames().regex[frame].search(text)
    assert next(g for g in found.groups() if g) == group


@pytest.mark.parametrize("edit, message", [
    (lambda t: t + "  - {id: stray, pattern: '在{nowhere}'}\n", "no word list named nowhere"),
    (lambda t: t.replace("  - {id: held-at, pattern: '在'}\n", ""), "lacks the frame.s. held-at"),
])
def test_events_frames_errors_name_the_file(tmp_path, edit, message):
    from kb.errors import RuleError
    from kb.extract.context import load_frames
    from kb.paths import ROOT
    from kb.rules.ruleset import RuleSet

    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    events = folder / "events.yaml"
    events.write_text(edit(events.read_text(encoding="utf-8")), encoding="utf-8")
    with RuleSet(folder).active(), pytest.raises(RuleError, match=f"events.yaml.*{message}"):
        load_frames()


# text, the provenance rule of its one event (kind:id); the id is a rule in rules/events.yaml
PROVENANCE_RULES = [
    ("2025年世界互联网大会乌镇峰会开幕。", "events.series:world-internet-conference"),
    ("党的二十大胜利召开。", "events.pattern:party-congress"),
    ("“数字未来”专题论坛在乌镇举行。", "events.quoted-suffix:forum"),
    ("主办方举办“开源创新大赛”。", "events.quoted:contest"),
    ("5月，在深圳举办全球数字治理创新论坛。", "events.bare:forum"),
]


@pytest.mark.parametrize("text, rule", PROVENANCE_RULES)
def test_events_provenance_rule_is_a_rule(nlp, find_events, text, rule):
    from kb.paths import ROOT

    (event,) = find_events(make_test_doc(nlp, text))
    assert event.provenance[0].rule == rule
    rule_ids = {line.split("id: ")[1].split(",")[0].strip() for line in
                (ROOT / "rules" / "events.yaml").read_text(encoding="utf-8").splitlines() if "id: " in line}
    assert rule.split(":")[1] in rule_ids


# ---------------------------------------------------------------- seeds vs gold


def test_events_seeds_match_gold(nlp, find_events):
    for doc, gold in seed_docs(nlp):
        predicted = {f"{e.name}|{e.year}": e for e in find_events(doc)}
        for g in gold["events"]:
            g["_key"] = f"{g['name']}|{g['year']}"
        p, r, a = score_records(gold["events"], predicted, ATTRIBUTES)
        assert (p, r, a) >= (0.95, 0.95, 0.95) and min(p, r, a) >= 0.95, (doc._.article.id, p, r, a)


# text, article date, {name: year} of every event found
NAMED_ELSEWHERE = [
    # 圆满完成各项议程 closes the event: the day is its end (for this test, only the year is asked)
    ("为期3天的2023年世界互联网大会乌镇峰会10日圆满完成各项议程，落下帷幕。", "2023-11-10",
     {"2023年世界互联网大会乌镇峰会": 2023}),
    # a list of places inside a bare name (香港、澳门)
    ("第二十届海峡两岸暨香港、澳门互联网发展论坛在乌镇举行。", "2024-11-20", {"海峡两岸暨香港、澳门互联网发展论坛": None}),
    # a date given in local time leads the clause: the event's year
    ("当地时间2024年9月22日至23日，为期两天的联合国未来峰会在纽约召开。", "2024-09-23", {"2024年联合国未来峰会": 2024}),
    # a series' name inside a document's or a platform's name is no event
    ("2023年世界互联网大会蓝皮书发布", "2023-11-09", {}),
    ("峰会继续设立“云上峰会”平台，采用线上线下结合的方式。", "2021-03-19", {}),
]


@pytest.mark.parametrize("text, date, expected", NAMED_ELSEWHERE)
def test_events_named_only_where_the_text_names_one(nlp, find_events, text, date, expected):
    assert {e.name: e.year for e in find_events(make_test_doc(nlp, text, date))} == expected


# text, article date → {name: (year, location, part_of)} of the events asked about
SERIES_FACTS = [
    # WIC is always held at its seat: an article that names the place gives the summit its location
    ("乌镇11月8日电 第五届世界互联网大会将于明日开幕。", "2018-11-08", {"2018年世界互联网大会": (2018, "乌镇", None)}),
    # a party congress is dated by its ordinal (every five years since 1982)
    ("这是党的十九大胜利闭幕后举行的一场盛会。", "2017-11-21", {"党的十九大": (2017, None, None)}),
    # the contest's final is held during the summit
    ("2022年世界互联网大会乌镇峰会开幕。“直通乌镇”全球互联网大赛吸引1100多个项目参赛。", "2022-11-09",
     {"“直通乌镇”全球互联网大赛": (2022, None, "2022年世界互联网大会乌镇峰会")}),
]


@pytest.mark.parametrize("text, date, expected", SERIES_FACTS)
def test_events_series_data_gives_year_place_and_parent(nlp, find_events, text, date, expected):
    found = {e.name: (e.year, e.location, e.part_of) for e in find_events(make_test_doc(nlp, text, date))}
    assert {name: found.get(name) for name in expected} == expected


def test_events_theme_stated_without_a_name_is_the_main_gatherings(nlp, find_events):
    text = ("2019年世界互联网大会在乌镇开幕。\n"
            "三天时间里，来自全球的嘉宾齐聚乌镇，围绕“智慧互联 开放合作”主题，深入交流。")
    found = {e.name: e.theme for e in find_events(make_test_doc(nlp, text, "2019-10-22"))}
    assert found == {"2019年世界互联网大会": "智慧互联 开放合作"}


def test_events_theme_without_a_name_is_nobodys_when_two_gatherings(nlp, find_events):
    text = ("2019年世界互联网大会在乌镇开幕。2019年世界人工智能大会在上海开幕。\n"
            "嘉宾们围绕“智慧互联 开放合作”主题深入交流。")
    assert all(e.theme is None for e in find_events(make_test_doc(nlp, text, "2019-10-22")))


def test_events_completing_the_agenda_is_the_end(nlp, find_events):
    text = "为期3天的2023年世界互联网大会乌镇峰会10日圆满完成各项议程，落下帷幕。"
    (event,) = find_events(make_test_doc(nlp, text, "2023-11-10"))
    assert (event.start_date, event.end_date) == (None, "2023-11-10")  # dates are never computed
