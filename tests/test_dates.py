"""kb.normalise.dates: date expressions found and resolved, as precise as stated."""

from __future__ import annotations

import pytest

from kb.normalise.dates import add_days, chinese_number, duration_days, find_dates, find_editions

ARTICLE = "2024-11-21"

# text, article date, [(matched text, iso)]
DATES = [
    ("会议于2022年7月12日召开", ARTICLE, [("2022年7月12日", "2022-07-12")]),
    ("2014年11月，大会举行", ARTICLE, [("2014年11月", "2014-11")]),
    ("早在2014年，", ARTICLE, [("2014年", "2014")]),
    ("二〇二一年三月五日开幕", ARTICLE, [("二〇二一年三月五日", "2021-03-05")]),
    ("2025年07月01日 10:51:57", ARTICLE, [("2025年07月01日", "2025-07-01")]),
    ("3月8号发布", ARTICLE, [("3月8号", "2024-03-08")]),
    ("11月19日至22日，峰会举行", ARTICLE, [("11月19日至22日", "2024-11-19/2024-11-22")]),
    ("11月19日—22日，峰会举行", ARTICLE, [("11月19日—22日", "2024-11-19/2024-11-22")]),
    ("2023年10月30日至11月2日举办", ARTICLE, [("2023年10月30日至11月2日", "2023-10-30/2023-11-02")]),
    ("2016年—2022年，销售额增长", ARTICLE, [("2016年—2022年", "2016/2022")]),
    ("（2023—2025年）", ARTICLE, [("2023—2025年", "2023/2025")]),
    ("今年，嘉宾增多", ARTICLE, [("今年", "2024")]),
    ("今年7月发布", ARTICLE, [("今年7月", "2024-07")]),
    ("去年6月，对话举行", ARTICLE, [("去年6月", "2023-06")]),
    ("明年将再次举办", ARTICLE, [("明年", "2025")]),
    ("前年3月启动", ARTICLE, [("前年3月", "2022-03")]),
    ("十年前，故事开始", ARTICLE, [("十年前", "2014")]),
    ("3年后完成", ARTICLE, [("3年后", "2027")]),
    ("11月20日，开幕式举办", ARTICLE, [("11月20日", "2024-11-20")]),
    ("11月20日，开幕式举办", "2023-11-11", [("11月20日", "2023-11-20")]),
    ("2020年9月提出；同年11月发布", ARTICLE, [("2020年9月", "2020-09"), ("同年11月", "2020-11")]),
    ("2015年发布，3月再版", ARTICLE, [("2015年", "2015"), ("3月", "2015-03")]),
    ("2015年发布。3月再版", ARTICLE, [("2015年", "2015"), ("3月", "2024-03")]),
    ("今年7月", None, [("今年7月", None)]),
    ("13月", ARTICLE, []),
    ("3月32日", ARTICLE, []),
    ("10年来，成果丰硕", ARTICLE, []),
    ("第30个年头", ARTICLE, []),
    ("120多个国家和地区", ARTICLE, []),
    ("第十一届世界互联网大会", ARTICLE, []),
    ("第十届大会", ARTICLE, []),
    ("首届乌镇峰会", ARTICLE, []),
    ("第11届论坛于11月举行", ARTICLE, [("11月", "2024-11")]),
    # an undated article: a bare month takes the year last stated in its paragraph
    ("2023年3月，招募启动。3月17日，会议召开", None, [("2023年3月", "2023-03"), ("3月17日", "2023-03-17")]),
    ("2023年3月，招募启动。\n3月17日，会议召开", None, [("2023年3月", "2023-03"), ("3月17日", None)]),
    ("去年3月，招募启动。3月17日，会议召开", None, [("去年3月", None), ("3月17日", None)]),
    ("2023年3月，招募启动。今年4月，会议召开", None, [("2023年3月", "2023-03"), ("今年4月", None)]),
    # relative days are read with days=True only
    ("昨天，报告发布", ARTICLE, []),
]

# text, [(matched text, since)]
SINCE = [
    ("从2016年起，每年举办", [("2016年", True)]),
    ("2021年起，每年发布", [("2021年", True)]),
    ("2014年以来，持续推进", [("2014年", True)]),
    ("2014年11月，首届大会", [("2014年11月", False)]),
]

EDITIONS = [
    ("首届世界互联网大会", [("首届", 1)]),
    ("第二届世界互联网大会", [("第二届", 2)]),
    ("第十一届世界互联网大会", [("第十一届", 11)]),
    ("第11届论坛", [("第11届", 11)]),
    ("第二十届年会", [("第二十届", 20)]),
    ("第二个十年", []),
]

NUMBERS = [("11", 11), ("十", 10), ("十一", 11), ("二十", 20), ("二十三", 23), ("二〇二四", 2024),
           ("一百零三", 103), ("两", 2), ("abc", None), ("", None)]


# days=True: day-only dates and 当天; text, article date, [(matched text, iso)]
DAYS = [
    ("大会16日在乌镇开幕", "2016-11-15", [("16日", "2016-11-16")]),
    ("会期从20日持续至22日", "2019-10-20", [("20日", "2019-10-20"), ("22日", "2019-10-22")]),
    ("20日至22日举行", "2019-10-20", [("20日至22日", "2019-10-20/2019-10-22")]),
    ("7月4日开幕，至6日结束", "2024-06-30", [("7月4日", "2024-07-04"), ("6日", "2024-07-06")]),
    ("当天下午发布", "2023-11-08", [("当天", "2023-11-08")]),
    ("2016年11月16日召开，当日发布", None, [("2016年11月16日", "2016-11-16"), ("当日", "2016-11-16")]),
    ("大会16日开幕", "2016-11", [("16日", "2016-11-16")]),
    ("大会16日开幕", "2016", []),
    ("大会16日开幕", None, []),
    ("4日，论坛举行", "2017-12-05", [("4日", "2017-12-04")]),
    # 当天/同日: the full date just stated (not the end of a period), else the article's date
    ("11月8日开幕，持续至10日。当天发布", "2023-11-09",
     [("11月8日", "2023-11-08"), ("10日", "2023-11-10"), ("当天", "2023-11-08")]),
    ("大会7日开幕。同日发布报告", "2018-11-08", [("7日", "2018-11-07"), ("同日", "2018-11-07")]),
    ("须在30日内完成", "2024-11-21", []),
    ("40日", "2024-11-21", []),
    # relative days: the article's day moved; 近日 (recently) is the article's month
    ("昨天，研究院发布了报告", "2023-11-09", [("昨天", "2023-11-08")]),
    ("昨日发布", "2024-03-01", [("昨日", "2024-02-29")]),
    ("前天开幕，明天闭幕", "2024-12-31", [("前天", "2024-12-29"), ("明天", "2025-01-01")]),
    ("今天下午发布", "2024-11-21", [("今天", "2024-11-21")]),
    ("昨天。当天发布", "2023-11-09", [("昨天", "2023-11-08"), ("当天", "2023-11-08")]),
    ("近日，白皮书发布", "2022-11-11", [("近日", "2022-11")]),
    ("昨天发布", "2023-11", []),
    ("昨天发布", None, []),
    ("近日发布", "2022", []),
    ("接近日本的岛屿", "2022-11-11", []),
    # an undated article: a day takes the month last stated in its paragraph
    ("2023年4月，筹备推进。26日，论坛举行", None, [("2023年4月", "2023-04"), ("26日", "2023-04-26")]),
    ("2023年4月，筹备推进。\n26日，论坛举行", None, [("2023年4月", "2023-04")]),
]


@pytest.mark.parametrize("text, article_date, expected", DAYS)
def test_dates_day_only_and_same_day(text, article_date, expected):
    assert [(d.text, d.iso) for d in find_dates(text, article_date, days=True)] == expected


def test_dates_day_only_needs_days_flag():
    assert find_dates("大会16日开幕，当天发布", "2016-11-15") == []


@pytest.mark.parametrize("text, article_date, expected", DATES)
def test_dates_find_and_resolve(text, article_date, expected):
    assert [(d.text, d.iso) for d in find_dates(text, article_date)] == expected


@pytest.mark.parametrize("text, expected", SINCE)
def test_dates_since_marks_period_start(text, expected):
    assert [(d.text, d.since) for d in find_dates(text, ARTICLE)] == expected


@pytest.mark.parametrize("text, expected", EDITIONS)
def test_dates_editions_are_ordinals(text, expected):
    assert [(e.text, e.number) for e in find_editions(text)] == expected


@pytest.mark.parametrize("text, expected", NUMBERS)
def test_dates_chinese_number(text, expected):
    assert chinese_number(text) == expected


def test_dates_offsets_point_into_text():
    text = "据悉，2022年7月12日，组织成立；今年7月发布报告。"
    for d in find_dates(text, ARTICLE):
        assert text[d.start:d.end] == d.text


def test_dates_relative_flag():
    relative = {d.text: d.relative for d in find_dates("2014年11月；去年6月；11月20日", ARTICLE)}
    assert relative == {"2014年11月": False, "去年6月": True, "11月20日": True}


@pytest.mark.parametrize("text, days", [("为期三天", 3), ("会期两天", 2), ("为期3天的峰会", 3), ("历时十天", 10), ("三天后", None)])
def test_dates_duration_days(text, days):
    assert duration_days(text) == days


@pytest.mark.parametrize("day, days, expected", [("2018-11-07", 2, "2018-11-09"), ("2024-02-28", 2, "2024-03-01"),
                                                 ("2018-11", 2, None), (None, 1, None)])
def test_dates_add_days(day, days, expected):
    assert add_days(day, days) == expected
