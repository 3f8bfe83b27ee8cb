"""Tests for kb.ingest.articles: seeds, encodings, bad input, folders, datelines, dates, titles."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from kb.errors import InputError
from kb.ingest.dateline import find_dateline, front_matter_date, infer_year
from kb.ingest.articles import (
    MAX_ARTICLE_BYTES,
    MAX_ARTICLE_CHARS,
    Article,
    decode_bytes,
    find_title,
    parse_article,
    read_article,
    read_articles,
)
from kb.paths import ROOT

SEEDS = ROOT / "seeds"

SIMPLIFIED = "网络空间命运共同体\n新华社北京11月20日电（记者 王思北）2024年世界互联网大会乌镇峰会今天开幕。\n"
TRADITIONAL = "網絡空間命運共同體\n中新網烏鎮11月11日電(張煜歡)2023年世界互聯網大會烏鎮峰會正式落下帷幕。\n"

# file, title, date, date_how, source, place, author
SEED_CASES = [
    ("000_32fc2a06f9675989.txt", "全球互联网未来发展九大趋势", "2024-09-26", "front_matter", None, None, None),
    ("001_2a564194b7dcf398.txt", "前沿 | 推动构建网络空间命运共同体迈向新阶段", "2024-11-26", "front_matter",
     "中国信息安全", None, None),
    ("002_52204ac7a635acee.txt",
     "聚焦乌镇 | 共同推动构建网络空间命运共同体迈向新阶段——写在2024年世界互联网大会乌镇峰会开幕之际",
     "2024-11-21", "front_matter", "中国信息安全", None, None),
    ("003_2cdfacaa30bd1702.txt", "心向“網(wǎng)”之:為何是烏鎮?", "2023-11-11", "dateline_year_from_text",
     "中新网", "烏鎮", "張煜歡"),
]

# encoding used to write, text, encoding expected back
ENCODING_CASES = [
    ("utf-8", SIMPLIFIED, "utf-8"),
    ("utf-8-sig", SIMPLIFIED, "utf-8-sig"),
    ("gb18030", SIMPLIFIED, "gb18030"),
    ("gbk", SIMPLIFIED, "gb18030"),
    ("gb18030", TRADITIONAL, "gb18030"),
    ("big5", TRADITIONAL, "big5"),
    ("utf-16", SIMPLIFIED, "utf-16"),
    ("utf-16-be", "\ufeff" + SIMPLIFIED, "utf-16"),  # a big-endian BOM
    ("utf-16-le", SIMPLIFIED, "utf-16-le"),
    ("utf-16-be", SIMPLIFIED, "utf-16-be"),
    ("utf-8", SIMPLIFIED.replace("\n", "\r\n"), "utf-8"),
    # Chinese without a BOM: 一 (U+4E00) puts NULs on the other parity than ASCII does
    ("utf-16-le", SIMPLIFIED + "一一一一，一一一一一。\n", "utf-16-le"),
    ("utf-16-le", TRADITIONAL + "一一一一，一一一一一。\n", "utf-16-le"),
    ("utf-16-be", SIMPLIFIED + "一一一一，一一一一一。\n", "utf-16-be"),
]

# short texts, where guessing between GB18030 and Big5 is hardest
SHORT_DECODE_CASES = [
    ("為何是烏鎮", "big5"),
    ("網絡空間命運共同體", "big5"),
    ("十年前，一網情深的故事從這座江南水鄉落筆。", "big5"),
    ("十年前，一網情深的故事從這座江南水鄉落筆。", "gb18030"),
    ("乌镇峰会", "gb18030"),
    ("网络空间命运共同体", "gb18030"),
]

UTF8_ARTICLE = SIMPLIFIED.encode()
# file name, bytes, message pattern, line
BAD_FILE_CASES = [
    ("empty.txt", b"", r"empty\.txt: file is empty", None),
    ("blank.txt", b" \n\t\n", r"blank\.txt: file has no text", None),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", r"image\.txt: binary file", None),
    ("controls.txt", b"abc\x01\x02\x03\x04def", r"controls\.txt:1: binary file.*U\+0001", 1),
    ("nuls.txt", b"\x00\x01\x02\x03" * 4, r"nuls\.txt:1: binary file, not text", 1),
    ("noise.txt", b"\x80\x80\xff\xfe\xfd abc", r"noise\.txt: cannot decode: not UTF-8, UTF-16, GB18030 or Big5", None),
    ("broken.txt", UTF8_ARTICLE[:40] + b"\xff" + UTF8_ARTICLE[40:], r"broken\.txt:2: invalid UTF-8 at byte 40", 2),
    ("bom.txt", b"\xef\xbb\xbf\xff\xfe", r"bom\.txt: starts with a utf-8 BOM but byte 3 is not utf-8", None),
    ("yaml.md", "---\ntitle: a\ndate: [2024\n---\n正文\n".encode(), r"yaml\.md:4: front matter is not valid YAML", 4),
    ("colon.md", "---\ntitle: a: b\n---\n正文\n".encode(), r"colon\.md:2: front matter is not valid YAML: mapping values", 2),
    ("open.md", "---\ntitle: 标题\n正文\n".encode(), r"open\.md:1: front matter opened by '---' is never closed", 1),
    ("list.md", "---\n- a\n- b\n---\n正文\n".encode(), r"list\.md:2: front matter is not a mapping", 2),
    ("nobody.md", "---\ntitle: 标题\n---\n\n".encode(), r"nobody\.md: article has no text after its front matter", None),
    ("baddate.md", "---\ndate: 2023-13-45\n---\n正文\n".encode(), r"baddate\.md:2: front matter has a value YAML cannot read", 2),
    ("badint.md", "---\nn: !!int x\n---\n正文\n".encode(), r"badint\.md:2: front matter has a value YAML cannot read", 2),
    ("deep.md", b"---\n" + b"[" * 10_000 + "\n---\n正文\n".encode(), r"deep\.md:2: front matter .*nested", 2),
    ("cut.txt", UTF8_ARTICLE + "。".encode()[:2], r"cut\.txt:3: UTF-8 file cut off inside its last character", 3),
    # too few characters to count as "mostly UTF-8": was read as GB18030 mojibake
    ("cut_short.txt", "Wuzhen 乌镇\n2024".encode() + "年".encode()[:2], r"cut_short\.txt:2: UTF-8 file cut off", 2),
    ("surrogate.md", b'---\ntitle: "\\ud800"\n---\n' + UTF8_ARTICLE, r"surrogate\.md:2: front matter has a lone surrogate", 2),
    ("deep_surrogate.md", b'---\ntitle: a\ntags:\n  - b\n  - {k: "x\\U0000dfff"}\n---\n' + UTF8_ARTICLE,
     r"deep_surrogate\.md:5: front matter has a lone surrogate", 5),
    ("long.txt", "长" * (MAX_ARTICLE_CHARS + 1), rf"long\.txt: article too long: 500,001 characters.*MAX_ARTICLE_CHARS", None),
    ("large.txt", b"a" * (MAX_ARTICLE_BYTES + 1), r"large\.txt: file too large.*MAX_ARTICLE_BYTES", None),
]

# text, agency, place, year, month, day, author, dateline as written
DATELINE_CASES = [
    ("中新網(wǎng)烏鎮11月11日電(張煜歡)11月10日", "中新網", "烏鎮", None, 11, 11, "張煜歡", "中新網(wǎng)烏鎮11月11日電(張煜歡)"),
    ("新华社北京11月20日电（记者 王思北、刘军国）今天", "新华社", "北京", None, 11, 20, "王思北、刘军国",
     "新华社北京11月20日电（记者 王思北、刘军国）"),
    ("人民网乌镇11月20日电 世界互联网大会", "人民网", "乌镇", None, 11, 20, None, "人民网乌镇11月20日电"),
    ("中新社北京2023年11月11日电(记者 张三)", "中新社", "北京", 2023, 11, 11, "张三", "中新社北京2023年11月11日电(记者 张三)"),
    ("中新网乌镇２０２３年１１月１１日电", "中新网", "乌镇", 2023, 11, 11, None, "中新网乌镇２０２３年１１月１１日电"),
    ("新華社布魯塞爾2月29日電（記者 李四）", "新華社", "布魯塞爾", None, 2, 29, "李四", "新華社布魯塞爾2月29日電（記者 李四）"),
    ("本报杭州11月20日讯（记者 王五）", "本报", "杭州", None, 11, 20, "王五", "本报杭州11月20日讯（记者 王五）"),
    ("　　浙江日报乌镇11月20日电", "浙江日报", "乌镇", None, 11, 20, None, "浙江日报乌镇11月20日电"),
    ("标题\n\n**新华社北京11月20日电** 正文", "新华社", "北京", None, 11, 20, None, "新华社北京11月20日电"),
    ("新华社11月20日电", "新华社", None, None, 11, 20, None, "新华社11月20日电"),
]

NOT_A_DATELINE_CASES = [
    "某报记者11月10日电话采访了他。",
    "会议指出，新华社北京11月20日电的报道……",  # not at the start of a line
    "新华社北京13月20日电",
    "新华社北京2月30日电",
    "没有电头的正文。",
]

# lead, month, day, not_after, year
YEAR_CASES = [
    ("11月10日,2023年世界互聯網大會烏鎮峰會正式落下帷幕。今年,120多個國家", 11, 11, None, 2023),
    ("2024年11月19日至22日，2024年世界互联网大会乌镇峰会如期举行。", 11, 20, None, 2024),
    ("2023年12月30日，某会议在京闭幕。", 1, 2, None, 2024),
    ("2024年1月2日，某会议开幕。", 12, 30, None, 2023),
    ("2014年首届大会以来，2023年大会，2023年峰会。", 11, 11, None, 2023),
    ("1994年接入互联网，2023年峰会举行。", 11, 11, None, 1994),
    ("2030年目标，2023年峰会举行。", 11, 11, 2025, 2023),
    ("今年峰会举行。", 11, 11, None, None),
]

# front matter value, ISO date
FRONT_MATTER_DATE_CASES = [
    ("2024-09-26 14:31:57 +0800", "2024-09-26"),
    (dt.datetime(2024, 9, 26, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=8))), "2024-09-26"),
    (dt.date(2024, 11, 26), "2024-11-26"),
    ("2024/9/6", "2024-09-06"),
    ("2024年9月6日", "2024-09-06"),
    ("2024-09", "2024-09"),
    ("2024", "2024"),
    (2024, "2024"),
    ("2024-13-01", None),
    ("2024-00-00", None),
    ("2024-1-0", None),
    ("yesterday", None),
    (None, None),
]

# front matter, body, title
TITLE_CASES = [
    ({"title": "  前沿 | 标题  "}, "# 另一个\n正文", "前沿 | 标题"),
    ({}, "![](x.png)\n\n# **加粗** [链接](http://x) 标题 #\n正文", "加粗 链接 标题"),
    ({}, "\n\n  心向“網(wǎng)”之:為何是烏鎮?  \n正文", "心向“網(wǎng)”之:為何是烏鎮?"),
    ({"title": ""}, "## 二级标题\n正文", "二级标题"),
    ({"title": 2024}, "正文", "2024"),
    ({}, "# 标题 ###\n正文", "标题"),
    ({}, "# 标题#\n正文", "标题#"),
    ({}, "# C#\r\n正文", "C#"),
    ({}, "<a<b>标题\n正文", "<a标题"),
]


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("name,title,date,date_how,source,place,author", SEED_CASES)
def test_ingest_seed(name, title, date, date_how, source, place, author):
    article = read_article(SEEDS / name)
    assert (article.id, article.title, article.date, article.date_how) == (name, title, date, date_how)
    assert (article.source, article.place, article.author) == (source, place, author)


def test_ingest_seed_dateline_span_points_into_text():
    article = read_article(SEEDS / "003_2cdfacaa30bd1702.txt")
    assert article.text[slice(*article.dateline_span)] == "中新網(wǎng)烏鎮11月11日電(張煜歡)"


@pytest.mark.parametrize("name", [case[0] for case in SEED_CASES[:3]])
def test_ingest_seed_body_starts_after_front_matter(name):
    article = read_article(SEEDS / name)
    assert article.text.startswith("---\n")
    assert article.text[: article.body_start].endswith("\n---\n")
    assert article.body == article.text[article.body_start:]


@pytest.mark.parametrize("encoding,text,expected", ENCODING_CASES)
def test_ingest_encoding_round_trip(tmp_path, encoding, text, expected):
    path = write(tmp_path, "a.txt", text.encode(encoding))
    article = read_article(path)
    assert article.text == text.removeprefix("\ufeff")
    assert article.encoding == expected
    assert path.read_bytes().decode(article.encoding) == article.text


@pytest.mark.parametrize("encoding,text,expected", ENCODING_CASES)
def test_ingest_encoding_gives_same_article(tmp_path, encoding, text, expected):
    article = read_article(write(tmp_path, "a.txt", text.encode(encoding)))
    decoded = parse_article(text.removeprefix("\ufeff"), tmp_path / "a.txt")
    assert article.model_dump(exclude={"encoding"}) == decoded.model_dump(exclude={"encoding"})
    assert article.date_how == "dateline_year_from_text" and article.author in ("王思北", "張煜歡")


@pytest.mark.parametrize("text,encoding", SHORT_DECODE_CASES)
def test_ingest_decode_short_text(text, encoding):
    assert decode_bytes(text.encode(encoding), "x.txt") == (text, encoding)


@pytest.mark.parametrize("name,data,pattern,line", BAD_FILE_CASES)
def test_ingest_bad_file_raises(tmp_path, name, data, pattern, line):
    path = write(tmp_path, name, data)
    with pytest.raises(InputError, match=pattern) as info:
        read_article(path)
    assert info.value.path == str(path) and info.value.line == line
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name,data,pattern,line", BAD_FILE_CASES)
def test_ingest_bad_file_among_good_ones_is_yielded(tmp_path, name, data, pattern, line):
    write(tmp_path, "a_good.txt", UTF8_ARTICLE)
    write(tmp_path, name, data)
    write(tmp_path, "z_good.md", UTF8_ARTICLE)
    items = list(read_articles([tmp_path]))
    errors = [item for item in items if isinstance(item, InputError)]
    assert [item.id for item in items if isinstance(item, Article)] == ["a_good.txt", "z_good.md"]
    assert len(errors) == 1 and errors[0].path == str(tmp_path / name)


def test_ingest_missing_path_yields_error(tmp_path):
    (error,) = read_articles([tmp_path / "nope.txt"])
    assert isinstance(error, InputError)
    assert str(error) == f"{tmp_path / 'nope.txt'}: no such file or folder"


def test_ingest_missing_file_raises(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: file not found"):
        read_article(tmp_path / "nope.txt")


@pytest.mark.parametrize("files,skipped", [([], []), ([".hidden.txt", "notes.pdf", "data.json"], ["2 files"])])
def test_ingest_folder_without_articles_yields_error(tmp_path, files, skipped):
    for name in files:
        write(tmp_path, name, UTF8_ARTICLE)
    *others, error = read_articles([tmp_path])
    assert isinstance(error, InputError)
    assert error.path == str(tmp_path) and "folder has no articles" in error.message
    assert [o.message.split(" with")[0] for o in others] == skipped


def test_ingest_file_vanishing_mid_run_yields_error(tmp_path):
    write(tmp_path, "a.txt", UTF8_ARTICLE)
    gone = write(tmp_path, "b.txt", UTF8_ARTICLE)
    write(tmp_path, "c.txt", UTF8_ARTICLE)
    items = read_articles([tmp_path])
    assert next(items).id == "a.txt"  # the folder has been listed by now
    gone.unlink()
    error, last = list(items)
    assert isinstance(error, InputError) and error.path == str(gone) and "file not found" in error.message
    assert last.id == "c.txt"


def test_ingest_folder_recurses_sorted_skipping_hidden(tmp_path):
    for name in ["b.md", "a.txt", "sub/c.markdown", "sub/a2.TXT", ".git/x.txt", ".h.txt", "x.html", "sub/.y.md"]:
        write(tmp_path, name, UTF8_ARTICLE)
    ids = [item.id for item in read_articles([tmp_path]) if isinstance(item, Article)]
    assert ids == ["a.txt", "b.md", "a2.TXT", "c.markdown"]


def test_ingest_same_file_twice_is_read_once(tmp_path):
    path = write(tmp_path, "a.txt", UTF8_ARTICLE)
    assert [item.id for item in read_articles([path, tmp_path, str(path)])] == ["a.txt"]


@pytest.mark.parametrize("text,agency,place,year,month,day,author,written", DATELINE_CASES)
def test_ingest_dateline_found(text, agency, place, year, month, day, author, written):
    found = find_dateline(text)
    assert (found.agency, found.place, found.year, found.month, found.day, found.author) == (
        agency, place, year, month, day, author)
    assert text[slice(*found.span)] == written


@pytest.mark.parametrize("text", NOT_A_DATELINE_CASES)
def test_ingest_dateline_not_found(text):
    assert find_dateline(text) is None


@pytest.mark.parametrize("lead,month,day,not_after,year", YEAR_CASES)
def test_ingest_infer_year(lead, month, day, not_after, year):
    assert infer_year(lead, month, day, not_after=not_after) == year


@pytest.mark.parametrize("value,expected", FRONT_MATTER_DATE_CASES)
def test_ingest_front_matter_date(value, expected):
    assert front_matter_date(value) == expected


@pytest.mark.parametrize("meta,body,title", TITLE_CASES)
def test_ingest_title(meta, body, title):
    assert find_title(meta, body, fallback="stem") == title


# Lines that once took seconds to minutes: the title regexes backtracked quadratically.
@pytest.mark.parametrize("body", [
    "# a" + " " * 100_000 + "b", "![" * 50_000, "[" * 20_000 + "](" * 20_000, "<" * 100_000, "[[[[(" * 20_000,
], ids=["heading-spaces", "images", "links", "angles", "brackets"])
def test_ingest_title_of_a_huge_line_is_fast(body):
    start = time.perf_counter()
    find_title({}, body, fallback="stem")
    assert time.perf_counter() - start < 1.0


def test_ingest_impossible_dateline_text_date_is_no_date():
    article = parse_article("标题\n2023年0月0日 正文\n", "zero.txt")
    assert (article.date, article.date_how) == (None, "unknown")


# text, date, date_how, source
ARTICLE_DATE_CASES = [
    ("---\ndate: 2024-11-26\n---\n新华社北京2023年11月20日电 正文\n", "2024-11-26", "front_matter", "新华社"),
    ("---\ndate: soon\n---\n新华社北京2023年11月20日电 正文\n", "2023-11-20", "dateline", "新华社"),
    ("---\nsource: 人民日报\n---\n新華社北京11月20日電 2023年峰会\n", "2023-11-20", "dateline_year_from_text", "人民日报"),
    ("新華社北京11月20日電 今年峰会\n", None, "unknown", "新华社"),
    ("标题\n发布时间：2024-11-21 10:00\n正文\n", "2024-11-21", "text", None),
    ("标题\n正文没有日期。\n", None, "unknown", None),
    # a page's timestamp line above a dateline without a year gives the year
    ("标题\n2016年11月16日 12:05 来源：新华网\n\n新华社乌镇11月16日电 大会开幕。\n", "2016-11-16",
     "dateline_year_from_text", "新华社"),
    ("标题\n2017-12-03 18:42:10 来源：新华社\n\n新华社乌镇12月3日电 2016年以来，大会开幕。\n", "2017-12-03",
     "dateline_year_from_text", "新华社"),
    ("---\nfetch_date: 2025-10-06T19:20:49\n---\n人民网乌镇11月20日电 2030年目标，2024年峰会。\n", "2024-11-20",
     "dateline_year_from_text", "人民网"),
]


@pytest.mark.parametrize("text,date,date_how,source", ARTICLE_DATE_CASES)
def test_ingest_article_date(text, date, date_how, source):
    article = parse_article(text, "x.md")
    assert (article.date, article.date_how, article.source) == (date, date_how, source)
