"""People: titles, reporting verbs, bylines, foreign names; end to end on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.extract.people.finder import find_people, is_chinese_name
from kb.ingest.articles import Article
from kb.nlp.pipeline import make_doc
from kb.clean.offsets import Mapped
from kb.paths import ROOT

from test_extract_orgs import article_doc, rule_ids, seed_scores

# (sentence, {name: [(title, organization), ...]}) — written for these tests.
FOUND = [
    ("世界卫生组织总干事玛丽亚·洛佩斯-加西亚表示，合作仍需加强。", {"玛丽亚·洛佩斯-加西亚": [("总干事", "世界卫生组织")]}),
    ("行政长官陈国强在开幕式上致辞。", {"陈国强": [("行政长官", None)]}),
    ("清华大学网络研究院院长李明表示，合作仍需加强。", {"李明": [("院长", "清华大学网络研究院")]}),
    ("中国信息通信研究院副院长、研究员王强说，规模持续扩大。",
     {"王强": [("副院长", "中国信息通信研究院"), ("研究员", "中国信息通信研究院")]}),
    ("国际电信联盟秘书长、中国工程院院士赵海峰出席。",
     {"赵海峰": [("秘书长", "国际电信联盟"), ("院士", "中国工程院")]}),
    ("习近平主席发来贺信。", {"习近平": [("主席", None)]}),
    ("张伟在论坛期间表示，要加强合作。", {"张伟": []}),
    ("“数字经济之父”约翰·史密斯在会上表示，前景广阔。", {"约翰·史密斯": [("数字经济之父", None)]}),
    ("文 | 北京大学教授 陈静\n\n今天我们讨论网络治理问题，各方都十分关注这一议题的进展情况和未来走向。",
     {"陈静": [("教授", "北京大学")]}),
    # several titles joined by 、 or 兼, each with its organisation (an abbreviation as the full name)
    ("中共中央政治局委员、中央组织部部长王明出席会议。",
     {"王明": [("委员", "中共中央政治局"), ("部长", "中共中央组织部")]}),
    # a Latin short form in brackets between an organisation and its title; Latin titles
    ("国际电信联盟(ITU)CEO约翰·史密斯出席。", {"约翰·史密斯": [("CEO", "国际电信联盟")]}),
    # an award's year and a description before 的 are not part of the title
    ("记者采访了2015 年图灵奖获得者约翰·史密斯。", {"约翰·史密斯": [("图灵奖获得者", None)]}),
    ("留着长发、络腮胡的图灵奖获得者约翰·史密斯走来。", {"约翰·史密斯": [("图灵奖获得者", None)]}),
    # a committee's department written bare in the chain is part of the title; the committee is the organisation
    ("浙江省委常委、宣传部部长王明出席会议。", {"王明": [("常委", "浙江省委"), ("宣传部部长", "浙江省委")]}),
    ("北京星河数据科技有限公司（以下简称“星河数据”）发布新品，星河数据董事长兼总裁刘峰介绍了情况。",
     {"刘峰": [("董事长", "北京星河数据科技有限公司"), ("总裁", "北京星河数据科技有限公司")]}),
    ("诺贝尔经济学奖得主、北京大学教授陈静出席。", {"陈静": [("诺贝尔经济学奖得主", None), ("教授", "北京大学")]}),
    # a country before a title is its organisation; a foreign name without · after such a title
    ("德国总理默克尔在会上发表讲话。", {"默克尔": [("总理", "德国")]}),
    ("世界贸易组织总干事伊维拉表示，各方应加强合作。", {"伊维拉": [("总干事", "世界贸易组织")]}),
    # the surname alone of a foreign name given in full is the same person
    ("国际电信联盟秘书长多琳·马丁表示，合作前景广阔。马丁说，各方应加强沟通。",
     {"多琳·马丁": [("秘书长", "国际电信联盟")]}),
    # bylines: a stated title (记者, 责编) is a role, with the outlet of the dateline it closes
    ("（记者 周洋 孙丽）会议今天开幕。", {"周洋": [("记者", None)], "孙丽": [("记者", None)]}),
    ("新华社北京3月5日电（记者 周洋 孙丽）会议今天开幕。", {"周洋": [("记者", "新华社")], "孙丽": [("记者", "新华社")]}),
    ("南方日报讯（记者 林涛）本市今天举行会议。", {"林涛": [("记者", "南方日报")]}),
    ("【环球时报报道 记者 张强】会议今天开幕。", {"张强": [("记者", "环球时报")]}),
    ("【南方日报驻柏林特约记者 林涛 何静】会议今天开幕。",
     {"林涛": [("特约记者", "南方日报")], "何静": [("特约记者", "南方日报")]}),
    ("新华社北京3月5日电 记者周洋、孙丽报道", {"周洋": [("记者", "新华社")], "孙丽": [("记者", "新华社")]}),
    ("新华社记者 周洋 摄", {"周洋": [("记者", "新华社")]}),
    # an organ before a head's title is the role's organisation
    ("北京市经济和信息化局局长王刚出席活动。", {"王刚": [("局长", "北京市经济和信息化局")]}),
    ("创新科技及工业局局长孙东表示，将继续推动创新。", {"孙东": [("局长", "创新科技及工业局")]}),
    ("腾讯公司副总裁王强说，前景广阔。", {"王强": [("副总裁", "腾讯")]}),
    ("会议今天闭幕。\n\n（责编：林涛、何静）", {"林涛": [("责编", None)], "何静": [("责编", None)]}),
    ("会议今天闭幕。\n责任编辑：何静", {"何静": [("责任编辑", None)]}),
    ("编辑:何静|2017-11-21 09:55:04|来源:南方日报\n会议今天开幕。", {"何静": [("编辑", None)]}),
    ("会议今天闭幕。\n\n（林涛\u3000何静）", {"林涛": [], "何静": []}),
]
NOT_FOUND = [
    "国家主席发来贺词，祝贺大会召开。",  # 贺|词: a surname before a function word is no name
    "该公司曾在乌镇设立研发中心。",
    "方面表示将继续推进合作。",
    "白皮书指出，网络空间是人类共同的活动空间。",
    "有关负责人表示，将更好搭建平台。",
    "世界互联网大会·互联网发展论坛在乌镇举行。",
    "各方认为这一机制行之有效。",
    "国际电信联盟秘书长表示，合作前景广阔。",
    "联合国代表西班牙语国家发言。",
    "会议今天闭幕。(完)",
    "会议今天闭幕。（新华社）",
]
NAMES = [("郭文华", True), ("欧阳明", True), ("文件", False), ("高度", False), ("蓝皮书", False), ("中国", False)]


def people(nlp, text: str) -> dict[str, list[tuple[str, str | None]]]:
    doc = article_doc(nlp, text)
    return {p.name: [(r.title, r.organization) for r in p.roles] for p in find_people(doc)}


@pytest.mark.parametrize("text, expected", FOUND)
def test_people_found_with_roles(nlp, text, expected):
    assert people(nlp, text) == expected


@pytest.mark.parametrize("text", NOT_FOUND)
def test_people_not_found(nlp, text):
    assert people(nlp, text) == {}


@pytest.mark.parametrize("text, expected", NAMES)
def test_people_chinese_name_shape(text, expected):
    assert is_chinese_name(text) is expected


def test_people_lone_author_line_under_title(nlp):
    text = "标题：网络空间治理的新阶段\n\n金明 刘国强\n\n中国信息安全\n\n网络空间治理进入新阶段，各国需要加强沟通、扩大共识、深化合作。"
    assert people(nlp, text) == {"金明": [], "刘国强": []}


def dateline_doc(nlp):
    """A Doc of an article whose dateline author the ingest found."""
    text = "东方网上海3月5日电（林涛　何静）会议今天开幕。"
    article = Article(
        id="t.txt", path=Path("t.txt"), text=text, encoding="utf-8", body_start=0,
        title="", date=None, date_how="unknown", source=None, author="林涛　何静",
    )
    return make_doc(nlp, article, Mapped.identity(text))


def test_people_dateline_authors_each_name(nlp):
    doc = dateline_doc(nlp)
    assert sorted(p.name for p in find_people(doc)) == ["何静", "林涛"]


def test_people_provenance_rule(nlp):
    doc = article_doc(nlp, "世界互联网大会秘书长李强说，前景广阔。")
    (person,) = find_people(doc)
    assert [(p.quote, p.rule) for p in person.provenance] == [("李强", "title-leadership")]


@pytest.mark.parametrize("stem", ["000_32fc2a06f9675989", "001_2a564194b7dcf398", "002_52204ac7a635acee", "003_2cdfacaa30bd1702"])
def test_people_seed_precision_recall(nlp, stem):
    find = lambda doc: find_people(doc)  # noqa: E731
    tp, n_pred, n_gold = seed_scores(nlp, ROOT / "seeds" / f"{stem}.txt", "people", find)
    precision = tp / n_pred if n_pred else float(n_gold == 0)
    recall = tp / n_gold if n_gold else float(n_pred == 0)
    assert (precision, recall) >= (0.95, 0.95), (tp, n_pred, n_gold)


# (source of the article, text, expected roles of 王明): 本报 is the article's own outlet
HOUSE_BYLINES = [
    ("江南日报", "本报杭州3月5日电（记者 王明）会议今天开幕。", [("记者", "江南日报")]),
    ("江南日报", "本报讯（记者 王明）会议今天开幕。", [("记者", "江南日报")]),
    (None, "本报讯（记者 王明）会议今天开幕。", [("记者", None)]),
    ("江南电视台", "本台讯（记者 王明）会议今天开幕。", [("记者", "江南电视台")]),
]


@pytest.mark.parametrize("source,text,roles", HOUSE_BYLINES)
def test_people_house_byline_names_the_articles_outlet(nlp, source, text, roles):
    doc = article_doc(nlp, text, source=source)
    found = {p.name: [(r.title, r.organization) for r in p.roles] for p in find_people(doc)}
    assert found["王明"] == roles



# Every finder of people at work: titles, post-titles, reporting verbs, bylines, author lines, the tagger.
PROVENANCE_TEXTS = [
    "世界互联网大会秘书长李强说，前景广阔。习近平主席发来贺信。张伟在论坛期间表示，要加强合作。",
    "标题：网络空间治理的新阶段\n\n金明 刘国强\n\n网络空间治理进入新阶段，各国需要加强沟通、扩大共识、深化合作。",
    "新华社北京3月5日电（记者 周洋 孙丽）马云、马化腾、李彦宏出席了论坛。",
]


@pytest.mark.parametrize("text", PROVENANCE_TEXTS)
def test_people_provenance_rules_exist_in_rule_files(nlp, text):
    doc = article_doc(nlp, text)
    rules = {p.rule for person in find_people(doc) for p in person.provenance}
    assert rules and rules <= rule_ids()


def test_people_dateline_author_rule_exists_in_rule_files(nlp):
    doc = dateline_doc(nlp)
    rules = {p.rule for person in find_people(doc) for p in person.provenance}
    assert rules and rules <= rule_ids()


def byline_doc(nlp, text: str, source: str | None = None, author: str | None = None):
    article = Article(
        id="t.txt", path=Path("t.txt"), text=text, encoding="utf-8", body_start=0,
        title="", date=None, date_how="unknown", source=source, author=author,
    )
    return make_doc(nlp, article, Mapped.identity(text))


# text, the dateline author the ingest read, the article's outlet → roles of each author
DATELINE_TITLES = [
    ("本报乌镇12月4日电(记者林涛、何静)会议开幕。", "林涛、何静", None, {"林涛": [("记者", None)], "何静": [("记者", None)]}),
    ("本报乌镇12月4日电(记者林涛)会议开幕。", "林涛", "江南日报", {"林涛": [("记者", "江南日报")]}),
    ("新华社北京3月5日电（记者林涛）会议开幕。", "林涛", "人民网", {"林涛": [("记者", "新华社")]}),
    ("东方网上海3月5日电（林涛）会议开幕。", "林涛", None, {"林涛": []}),  # no title written: no role
]


@pytest.mark.parametrize("text, author, source, expected", DATELINE_TITLES)
def test_people_dateline_author_takes_the_title_before_the_names(nlp, text, author, source, expected):
    doc = byline_doc(nlp, text, source=source, author=author)
    found = {p.name: [(r.title, r.organization) for r in p.roles] for p in find_people(doc)}
    assert {name: found.get(name) for name in expected} == expected


# lines closing an article: an outlet's reporters, several, and an editor after them
def test_people_reporter_lines_with_outlet_and_editor(nlp):
    text = "正文。\n江南日报记者 林涛 编辑 何静\n江南日报记者 王明 李强 赵刚 钱伟 孙磊 摄\n"
    found = people(nlp, text)
    assert found["林涛"] == [("记者", "江南日报")] and found["何静"] == [("编辑", None)]
    assert all(found[n] == [("记者", "江南日报")] for n in ("王明", "李强", "赵刚", "钱伟", "孙磊"))


@pytest.mark.parametrize("text, expected", [
    ("前总理王明出席会议。", {"王明": [("前总理", None)]}),
    ("国务委员兼外交部长王毅表示，合作前景广阔。", {"王毅": [("国务委员", None), ("外交部长", None)]}),
    ("江南省常务副省长王明出席。", {"王明": [("常务副省长", None)]}),
])
def test_people_title_keeps_its_prefix(nlp, text, expected):
    assert people(nlp, text) == expected
