"""kb.ingest.html: an HTML page's main text and metadata, mapped back into the file."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from kb.clean import clean_article
from kb.cli.main import main
from kb.errors import InputError
from kb.ingest.articles import read_article, read_articles
from kb.ingest.html import locate, visible_text

# A page written for these tests: navigation, a footer and scripts around the article.
PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>世界互联网大会在乌镇开幕_示例新闻网</title>
<meta name="date" content="2023-11-08">
<meta property="og:site_name" content="示例新闻网">
<meta property="og:url" content="https://news.example.cn/2023/11/08/wic.html">
<script>var channel = "首页导航脚本";</script>
<style>.nav { color: red; }</style>
</head>
<body>
<nav><ul><li><a href="/">首页</a></li><li><a href="/tech">科技频道</a></li><li><a href="/about">关于我们</a></li></ul></nav>
<article>
<h1>世界互联网大会在乌镇开幕</h1>
<p>新华社乌镇11月8日电（记者张三）2023年世界互联网大会乌镇峰会8日在浙江乌镇开幕。来自120多个国家和地区的嘉宾参加了开幕式。</p>
<p>本届峰会以&ldquo;建设包容、普惠、有韧性的数字世界&rdquo;为主题，由<b>世界互联网大会</b>主办，
   浙江省人民政府承办。会议期间将发布《世界互联网发展报告2023》。</p>
<p>中国互联网络信息中心发布的报告显示，截至2023年6月，我国网民规模达10.79亿人，较2022年12月增长1109万人。</p>
</article>
<footer><p>版权所有 &copy; 示例新闻网 京ICP备00000000号</p><p>联系我们 | 网站地图</p></footer>
</body>
</html>
"""
NOISE = ["首页", "科技频道", "关于我们", "版权所有", "京ICP备", "网站地图", "导航脚本", "color"]


@pytest.fixture
def cli_nlp(nlp, monkeypatch):
    """The CLI in-process, with the session's pipeline instead of loading another."""
    monkeypatch.setattr("kb.nlp.pipeline.load_pipeline", lambda *args, **kwargs: nlp)


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "wic.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_ingest_html_metadata_feeds_the_article(page):
    article = read_article(page)
    assert (article.id, article.title, article.date, article.date_how) == \
        ("wic.html", "世界互联网大会在乌镇开幕", "2023-11-08", "html_meta")
    assert (article.source, article.url) == ("示例新闻网", "https://news.example.cn/2023/11/08/wic.html")
    assert (article.place, article.author) == ("乌镇", "张三")  # the dateline, found in the main text


def test_ingest_html_text_is_the_file_and_main_text_has_no_noise(page):
    article = read_article(page)
    assert article.text == page.read_text(encoding="utf-8")
    body = article.body_map.text
    assert body.splitlines()[1].startswith("新华社乌镇11月8日电（记者张三）")
    assert "“建设包容、普惠、有韧性的数字世界”" in body and "由世界互联网大会主办" in body
    assert [word for word in NOISE if word in body] == []
    assert "<" not in body and "&" not in body


def test_ingest_html_every_character_maps_to_itself_in_the_file(page):
    article = read_article(page)
    body = article.body_map
    references = {"“": "&ldquo;", "”": "&rdquo;"}  # a reference maps to all of it
    for i, char in enumerate(body.text):
        if not char.isspace():
            assert article.text[body.starts[i]:body.ends[i]] == references.get(char, char)


def test_ingest_html_dateline_span_points_into_the_file(page):
    article = read_article(page)
    start, end = article.dateline_span
    assert article.text[start:end].startswith("新华社乌镇11月8日电")


def test_ingest_html_clean_text_maps_into_the_file(page):
    article = read_article(page)
    mapped = clean_article(article)
    at = mapped.text.index("世界互联网大会主办")
    start, end = mapped.span(at, at + len("世界互联网大会"))
    assert article.text[start:end] == "世界互联网大会"


# trafilatura's lines, the page; the main text kb keeps, and how many pieces it left out
LOCATE_CASES = [
    ("甲乙丙\n丁戊", "<p>甲<b>乙</b>丙</p><p>丁 戊</p>", "甲乙丙\n丁戊", 0),
    ("- 第一项\n- 第二项", "<ul><li>第一项</li><li>第二项</li></ul>", "第一项\n第二项", 0),
    ("甲 | 乙", "<table><tr><td>甲</td><td>乙</td></tr></table>", "甲 乙", 0),
    ("甲乙\n不在页面里的一行\n丙丁", "<p>甲乙</p><p>丙丁</p>", "甲乙\n丙丁", 1),
    ("“引号”", "<p>&#8220;引号&rdquo;</p>", "“引号”", 0),
]


@pytest.mark.parametrize("text,source,kept,unplaced", LOCATE_CASES)
def test_ingest_html_locate(text, source, kept, unplaced):
    mapped, left_out = locate(text, source)
    assert (mapped.text, left_out) == (kept, unplaced)
    for i, char in enumerate(mapped.text):
        if not char.isspace():
            assert source[mapped.starts[i]:mapped.ends[i]] in (char, "&#8220;", "&rdquo;")


def test_ingest_html_visible_text_skips_hidden_parts():
    source = "<head><title>标题</title></head><!-- 注释 --><script>脚本</script><p>正文&amp;</p>"
    text, starts, ends = visible_text(source)
    assert text == "正文&"
    assert source[starts[0]:ends[0]] == "正" and source[starts[2]:ends[2]] == "&amp;"


def test_ingest_html_page_without_main_text_is_an_error_naming_it(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>空</title></head><body><img src='a.png'></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.html: HTML page without main text"):
        read_article(path)


def test_ingest_html_read_from_a_folder_beside_text(tmp_path, page):
    (tmp_path / "a.txt").write_text("标题\n正文。\n", encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.4\x00")
    items = list(read_articles(tmp_path))
    assert [getattr(item, "id", None) for item in items] == [None, "a.txt", "wic.html"]
    assert "1 file with unsupported extensions" in str(items[0]) and str(items[0]).endswith(": b.pdf")


def test_ingest_html_extract_quotes_are_the_file_at_their_offsets(cli_nlp, page, tmp_path):
    assert main(["extract", str(page), "--out", str(tmp_path / "out"), "--no-cache"]) == 0
    facts = yaml.safe_load((tmp_path / "out" / "wic.yaml").read_text(encoding="utf-8"))
    text = page.read_text(encoding="utf-8")
    quotes = [p for section in facts.values() if isinstance(section, list)
              for record in section for p in record.get("provenance", [])]
    assert len(quotes) >= 5
    assert [p for p in quotes if text[p["start"]:p["end"]] != p["quote"]] == []
    assert {"2023年世界互联网大会乌镇峰会", "浙江省人民政府"} <= {p["quote"] for p in quotes}
    assert all(word not in p["quote"] for p in quotes for word in NOISE)


def test_ingest_html_article_pickles_with_its_map(page):
    # Dask workers receive articles pickled: the main text's map goes with them.
    article = read_article(page)
    again = pickle.loads(pickle.dumps(article))
    assert again == article and again.body_map.text == article.body_map.text
