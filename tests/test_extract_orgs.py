"""Organisations: gazetteer, markers, name shapes, the outlet; end to end on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.evaluate.matching import match_records
from kb.extract.orgs.finder import find_organizations, org_rules
from kb.ingest.articles import Article
from kb.nlp.pipeline import make_doc
from kb.clean.offsets import Mapped
from kb.paths import ROOT

from conftest import GOLD

# (sentence, expected canonical names) — written for these tests.
FOUND = [
    ("清华大学网络研究院院长李明表示，合作仍需加强。", ["清华大学网络研究院"]),
    # an office a body or a country keeps elsewhere is one organisation, named as written
    ("香港特区政府驻福建联络处主任李明出席。", ["香港特区政府驻福建联络处"]),
    ("中国驻美国大使馆发言人表示。", ["中国驻美国大使馆"]),
    ("联合国开发计划署驻华代表处发布报告。", ["联合国开发计划署驻华代表处"]),
    # well-known names the gazetteer holds: Latin script, brands, agencies
    ("IBM与英特尔、思科共同发布了研究成果。", ["IBM", "英特尔", "思科"]),
    ("据路透社和塔斯社报道，会议如期举行。", ["路透社", "塔斯社"]),
    ("创新工场董事长李开复出席。", ["创新工场"]),
    ("据中国信息通信研究院发布的数据，产业规模持续扩大。", ["中国信息通信研究院"]),
    ("北京大学国际关系学院教授王芳认为，规则亟待完善。", ["北京大学国际关系学院"]),
    ("浙江省互联网信息办公室近日发布通知。", ["浙江省互联网信息办公室"]),
    ("全国信息安全标准化技术委员会公布了新标准。", ["全国信息安全标准化技术委员会"]),
    ("工信部与国家数据局联合召开会议。", ["工业和信息化部", "国家数据局"]),
    ("腾讯和华为的代表出席了会议。", ["腾讯", "华为"]),
    ("联合国开发计划署与国际电联签署协议。", ["联合国开发计划署", "国际电信联盟"]),
    # a country's organ is an organisation; a masthead dateline names its outlet
    ("据日本政府发布的消息，合作将继续。", ["日本政府"]),
    # a …中心 no venue cue surrounds is a body
    ("中国网络空间创新中心发布报告。", ["中国网络空间创新中心"]),
    ("南方日报讯（记者 林涛）本市今天举行会议。", ["南方日报"]),
    ("东方网消息：今天会议开幕。", ["东方网"]),
    ("【南方日报讯】记者林涛报道 本市今天举行会议。", ["南方日报"]),
    # each title of a list brings its organisation
    ("中共中央政治局委员、中央组织部部长王明出席会议。", ["中共中央政治局", "中共中央组织部"]),
    # an organ head followed by its own title (…局局长, …办主任) names the organ, with or without a place
    ("北京市经济和信息化局局长王刚出席活动。", ["北京市经济和信息化局"]),
    ("创新科技及工业局局长孙东表示，将继续推动创新。", ["创新科技及工业局"]),
    ("上海市委网信办主任李明出席。", ["上海市委网信办"]),
    # short forms of real bodies
    ("中国科协与中国网信办联合发布报告。", ["中国科学技术协会", "国家互联网信息办公室"]),
    # a bracket byline names its outlet
    ("【南方日报记者 林涛】本市今天举行会议。", ["南方日报"]),
]
NOT_FOUND = [
    "中国与世界再次迎来“双向奔赴”。",
    "2023年世界互联网大会乌镇峰会正式落下帷幕。",
    "乌镇峰会已成为全球互联网共享共治的重要平台。",
    "多家科技公司参与了这次活动。",
    "各地积极组织开展网络安全宣传活动。",
    "美国、欧洲和东南亚的企业纷纷加入。",
    "首届世界互联网大会在乌镇举行。",
    "维护中国信息安全是一项长期任务。",
    "该公司相关负责人介绍了情况。",
    "日本和韩国的企业参加了展会。",
    "本报讯 会议今天开幕。",
    # venues and places are no organisations; nor are verbs ending in 办
    "峰会在香港会议展览中心举行。",
    "嘉宾参观了国际创科中心和深圳会展中心。",
    "该市将建设成为国际科技创新中心。",
    "论坛在中国网络空间创新中心隆重开幕。",
    "大会举办了多场活动，主办方表示满意。",
    # a title sharing the organ's last character names no organ
    "国务委员兼外交部长王毅出席。",
    # a department written bare is nobody's in particular; 部门 is no 部
    "各地宣传部要加强引导。",
    "市委常委、组织部部长王刚出席。",
    "各地人社部门和文旅部门联合开展行动。",
    # a room of a venue is a hall, no organisation
    "开幕式在西湖国际会议中心钱塘厅举行。",
    "发布会在杭州国际博览中心二号报告厅举行。",
]
ALIASES = [
    ("世界互联网大会秘书长出席会议。", "世界互联网大会国际组织", ["世界互联网大会"]),
    ("中新网北京5月6日电 记者从会上获悉。", "中国新闻网", ["中新网"]),
    ("欢迎订阅《中国信息安全》杂志。", "中国信息安全", ["中国信息安全杂志"]),
    # a short form the article introduces, found wherever it is written
    ("北京星河数据科技有限公司（以下简称“星河数据”）今天发布新品。星河数据表示将扩大投入。",
     "北京星河数据科技有限公司", ["星河数据"]),
    ("中国数字治理研究中心（简称数治中心）发布报告。", "中国数字治理研究中心", ["数治中心"]),
    ("中国数字治理研究中心（CDGC）发布报告。CDGC表示将继续研究。", "中国数字治理研究中心", ["CDGC"]),
    # a known company with 公司/集团 is that company; the written form is an alias
    ("字节跳动公司发布新品。", "字节跳动", ["字节跳动公司"]),
    ("新华通讯社发布消息。", "新华社", ["新华通讯社"]),
    ("中国科协发布报告。", "中国科学技术协会", ["中国科协"]),
]
RULES = [
    ("全文如下。（来源：光明网）", "光明网", "marker-source-note"),
    ("新华社北京11月20日电 会议今日开幕。", "新华社", "marker-dateline"),
    ("中国工程院院士出席。", "中国工程院", "gaz-cae"),
    ("清华大学网络研究院发布报告。", "清华大学网络研究院", "head-research"),
]
ARTICLE_DATE = "2024-11-21"
# (sentence, organisation, founded) — founding frames; dates as precise as stated.
FOUNDED = [
    ("2022年7月12日，世界互联网大会国际组织在北京成立。", "世界互联网大会国际组织", "2022-07-12"),
    ("“这是重要举措。”2022年7月12日，世界互联网大会国际组织成立，贺信随即发来。", "世界互联网大会国际组织", "2022-07-12"),
    ("中国网络空间安全协会于2016年3月正式成立。", "中国网络空间安全协会", "2016-03"),
    ("中国信息通信研究院成立于1957年，是一家科研事业单位。", "中国信息通信研究院", "1957"),
    ("2022年，世界互联网大会已从互联网领域的国际盛会发展为常设国际组织。", "世界互联网大会国际组织", "2022"),
    ("2014年创立的中国网络空间研究院发布了报告。", "中国网络空间研究院", "2014"),
    ("去年10月，国家数据局正式挂牌。", "国家数据局", "2023-10"),
    ("2023年，腾讯与华为联合成立了中国网络空间安全协会。", "中国网络空间安全协会", "2023"),
    ("北京星河数据科技有限公司（以下简称“星河数据”）发布新品。星河数据成立于2018年，总部位于北京。",
     "北京星河数据科技有限公司", "2018"),
    ("中国网络空间安全协会自去年5月成立以来，会员不断增加。", "中国网络空间安全协会", "2023-05"),
    ("中国网络空间安全协会从2016年3月成立至今，会员不断增加。", "中国网络空间安全协会", "2016-03"),
    ("中国互联网协会成立大会于2001年5月25日在北京举行。", "中国互联网协会", "2001-05-25"),
]
# (sentence, organisation) — no founding date is stated for it.
NOT_FOUNDED = [
    ("以乌镇峰会为契机成立的世界互联网大会国际组织已吸引近130家会员。", "世界互联网大会国际组织"),
    ("以2014年乌镇峰会为契机成立的世界互联网大会国际组织已有会员。", "世界互联网大会国际组织"),
    ("成立世界互联网大会国际组织，是顺应时代潮流的重要举措。", "世界互联网大会国际组织"),
    ("2023年11月8日，中国互联网协会在乌镇举行年会。", "中国互联网协会"),
    ("去年6月，尼山对话在曲阜举行，这是世界互联网大会国际组织成立后首次举办的专题性活动。", "世界互联网大会国际组织"),
    ("2024年，中国互联网协会迎来成立二十周年。", "中国互联网协会"),
    ("2024年5月，中国互联网协会召开成立大会。", "中国互联网协会"),
    ("2025年，国家数据局将成立专门机构。", "国家数据局"),
    ("2023年，腾讯与华为联合成立了一个实验室。", "华为"),
    ("2019年，世界互联网大会组委会发布概念文件，国家数据局成立。", "国家数据局"),
    ("2019年，世界互联网大会组委会发布概念文件。", "世界互联网大会组委会"),
    ("2023年，中国互联网协会成立以来首次发布报告。", "中国互联网协会"),
    ("中国互联网协会召开成立大会，2001年5月25日起施行章程。", "中国互联网协会"),
]
# (clean text, original text after it that the cleaner removed, source, alias expected or None)
MASTHEAD = [
    ("正文。", "\n欢迎关注《中国信息安全》杂志官方抖音号", "中国信息安全", "中国信息安全杂志"),
    ("正文。", "\n歡迎關注《中國信息安全》雜誌官方抖音號", "中国信息安全", "中国信息安全杂志"),
    ("正文。", "\n中国信息安全杂志社出品", "中国信息安全", "中国信息安全杂志"),
    ("正文。", "\n欢迎订阅《网络安全》杂志", "中国信息安全", None),
    ("正文。", "\n据《人民日报》报道", "人民日报", None),
]


def article_doc(nlp, text: str, source: str | None = None, front: str = "", date: str | None = None, tail: str = ""):
    """A Doc whose clean text is ``text``; the original adds ``front`` matter and a removed ``tail``."""
    full = front + text + tail
    article = Article(
        id="t.txt", path=Path("t.txt"), text=full, encoding="utf-8", body_start=len(front),
        title="", date=date, date_how="unknown" if date is None else "front_matter", source=source,
    )
    return make_doc(nlp, article, Mapped.identity(text).shift(len(front), len(full)))


def names(doc) -> list[str]:
    return [org.name for org in find_organizations(doc)]


@pytest.mark.parametrize("text, expected", FOUND)
def test_orgs_found(nlp, text, expected):
    assert sorted(names(article_doc(nlp, text))) == sorted(expected)


@pytest.mark.parametrize("text", NOT_FOUND)
def test_orgs_not_found(nlp, text):
    assert names(article_doc(nlp, text)) == []


@pytest.mark.parametrize("text, name, aliases", ALIASES)
def test_orgs_alias_as_written(nlp, text, name, aliases):
    (org,) = find_organizations(article_doc(nlp, text))
    assert (org.name, org.aliases) == (name, aliases)


@pytest.mark.parametrize("text, name, rule", RULES)
def test_orgs_provenance_names_rule(nlp, text, name, rule):
    orgs = {org.name: org for org in find_organizations(article_doc(nlp, text))}
    assert [p.rule for p in orgs[name].provenance] == [rule]
    assert orgs[name].provenance[0].quote in text


def by_name(doc) -> dict:
    return {org.name: org for org in find_organizations(doc)}


@pytest.mark.parametrize("text, name, founded", FOUNDED)
def test_orgs_founded_from_frame(nlp, text, name, founded):
    org = by_name(article_doc(nlp, text, date=ARTICLE_DATE))[name]
    assert org.founded == founded
    stated = [p for p in org.provenance if p.rule.startswith("found-")]
    assert stated and stated[0].quote in text


@pytest.mark.parametrize("text, name", NOT_FOUNDED)
def test_orgs_founded_not_stated(nlp, text, name):
    assert by_name(article_doc(nlp, text, date=ARTICLE_DATE))[name].founded is None


@pytest.mark.parametrize("text, tail, source, alias", MASTHEAD)
def test_orgs_outlet_alias_from_original(nlp, text, tail, source, alias):
    doc = article_doc(nlp, text, source=source, tail=tail)
    (org,) = find_organizations(doc)
    assert org.aliases == ([alias] if alias else [])
    for p in org.provenance:
        assert doc._.article.text[p.start:p.end] == p.quote


def test_orgs_outlet_from_front_matter(nlp):
    front = "---\nsource: 中国信息安全\n---\n"
    doc = article_doc(nlp, "正文没有提到刊名。", source="中国信息安全", front=front)
    (org,) = find_organizations(doc)
    assert org.name == "中国信息安全"
    assert org.provenance[0].rule == "outlet-front-matter"
    assert doc._.article.text[org.provenance[0].start:org.provenance[0].end] == "中国信息安全"


def test_orgs_one_record_per_org_every_mention(nlp):
    (org,) = find_organizations(article_doc(nlp, "国际电信联盟发布报告。国际电信联盟还表示将继续合作。"))
    assert len(org.provenance) == 2


def test_orgs_gazetteer_names_unambiguous():
    rules = org_rules()
    seen: dict[str, str] = {}
    from kb.extract.orgs.rules import GazetteerEntry, load_section, rule_path

    for entry in load_section(rule_path("organizations"), "gazetteer", GazetteerEntry):
        for name in (entry.name, *entry.aliases):
            assert seen.setdefault(name, entry.id) == entry.id, f"{name} in {seen[name]} and {entry.id}"
    assert rules.entries


def seed_scores(nlp, seed: Path, record_type: str, find) -> tuple[int, int, int]:
    from kb.clean import clean_article
    from kb.ingest.articles import read_article

    article = read_article(seed)
    gold = yaml.safe_load((GOLD / f"{seed.stem}.yaml").read_text(encoding="utf-8"))[record_type] or []
    doc = make_doc(nlp, article, clean_article(article))
    pred = [r.model_dump(mode="json") for r in find(doc)]
    pairs = match_records(record_type, gold, pred)
    return len(pairs), len(pred), len(gold)


@pytest.mark.parametrize("stem", ["000_32fc2a06f9675989", "001_2a564194b7dcf398", "002_52204ac7a635acee", "003_2cdfacaa30bd1702"])
def test_orgs_seed_precision_recall(nlp, stem):
    tp, n_pred, n_gold = seed_scores(nlp, ROOT / "seeds" / f"{stem}.txt", "organizations", find_organizations)
    precision = tp / n_pred if n_pred else float(n_gold == 0)
    recall = tp / n_gold if n_gold else float(n_pred == 0)
    assert (precision, recall) >= (0.95, 0.95), (tp, n_pred, n_gold)


def rule_ids() -> set[str]:
    """Every rule id of every rule file."""
    def ids(value):
        if isinstance(value, dict):
            yield from ([value["id"]] if isinstance(value.get("id"), str) else [])
            for item in value.values():
                yield from ids(item)
        elif isinstance(value, list):
            for item in value:
                yield from ids(item)
    files = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in (ROOT / "rules").glob("*.yaml"))
    return {i for data in files for i in ids(data)}


# (text, source, front matter): the finders of organisations at work, founding frames included
PROVENANCE_TEXTS = [
    ("据日本政府发布的消息，清华大学网络研究院与腾讯公司在北京签约。", None, ""),
    ("正文。（来源：光明网）", None, ""),
    ("北京星河数据科技有限公司（以下简称“星河数据”）发布新品。星河数据于2019年在杭州成立。", None, ""),
    ("正文没有提到刊名。", "中国信息安全", "---\nsource: 中国信息安全\n---\n"),
    ("江南日报今天发布报告。", "江南日报", ""),
]


@pytest.mark.parametrize("text, source, front", PROVENANCE_TEXTS)
def test_orgs_provenance_rules_exist_in_rule_files(nlp, text, source, front):
    doc = article_doc(nlp, text, source=source, front=front, date=ARTICLE_DATE)
    rules = {p.rule for org in find_organizations(doc) for p in org.provenance}
    assert rules and rules <= rule_ids()



# article date → is 世界互联网大会 (alias of a body founded 2022-07-12) that body?
BEFORE_IT_EXISTED = [
    ("2019-10-20", []),
    ("2022-07-11", []),
    ("2023-11-08", ["世界互联网大会国际组织"]),
    (None, ["世界互联网大会国际组织"]),  # undated: not ruled out
]


@pytest.mark.parametrize("date, expected", BEFORE_IT_EXISTED)
def test_orgs_alias_names_no_body_before_it_existed(nlp, date, expected):
    doc = article_doc(nlp, "世界互联网大会秘书长表示，合作成果丰硕。", date=date)
    assert names(doc) == expected


def test_orgs_full_name_is_the_body_whatever_the_date(nlp):
    assert names(article_doc(nlp, "世界互联网大会国际组织发布报告。", date="2019-10-20")) == ["世界互联网大会国际组织"]


@pytest.mark.parametrize("text, expected", [
    ("阿里巴巴董事局主席表示，合作成果丰硕。", ["阿里巴巴"]),
    ("腾讯公司董事会主席出席论坛。", ["腾讯"]),
])
def test_orgs_a_board_is_not_a_body_of_its_own(nlp, text, expected):
    assert names(article_doc(nlp, text)) == expected


# The series' name alone is the event; the body behind it only where the text says so.
SERIES_OR_BODY = [
    ("今年是中国连续第十年举办世界互联网大会。", []),
    ("2014年的世界互联网大会，人们讨论移动互联网。", []),
    ("这是世界互联网大会与人们相约的第十个年头。", []),
    ("世界互联网大会秘书长表示，合作成果丰硕。", ["世界互联网大会国际组织"]),
    ("世界互联网大会会员单位已遍布六大洲。", ["世界互联网大会国际组织"]),
    ("此外，世界互联网大会还围绕人工智能等议题，发布《人工智能合作倡议》。", ["世界互联网大会国际组织"]),
    ("2024年，世界互联网大会已发展为常设国际组织。", ["世界互联网大会国际组织"]),
    ("世界互联网大会期间，多家企业发布新品。", []),  # an event word right after: the event
]


@pytest.mark.parametrize("text, expected", SERIES_OR_BODY)
def test_orgs_series_name_is_the_body_only_in_a_body_context(nlp, text, expected):
    assert names(article_doc(nlp, text, date="2024-11-20")) == expected


# A page's info line and copyright notice name its site.
SOURCE_FIELDS = [
    ("编辑：张三|2017-11-21 09:55:04|来源：中国网\n正文。", "中国网", "marker-source-field"),
    ("2024-11-14 13:30:03 来源：浙江在线-浙江日报 记者\n正文。", "浙江在线", "marker-source-field"),
    ("正文。\n版权声明：凡注明“来源：中国西藏网”的所有作品，版权归本网所有。", "中国西藏网", "marker-copyright"),
]


@pytest.mark.parametrize("text, name, rule", SOURCE_FIELDS)
def test_orgs_site_named_by_info_line_or_copyright(nlp, text, name, rule):
    found = {org.name: {p.rule for p in org.provenance} for org in find_organizations(article_doc(nlp, text))}
    assert rule in found[name]


def test_orgs_source_field_needs_a_name_not_a_code(nlp):
    # a CMS code after 来源 is no name
    assert names(article_doc(nlp, "2024-11-27 21:58:04 来源: sp20241127\n正文。")) == []


@pytest.mark.parametrize("text, expected", [
    ("该平台由星河(北京)文化传播有限公司运营。", ["星河(北京)文化传播有限公司"]),
    ("本项目由云帆（上海）信息技术有限公司承建。", ["云帆（上海）信息技术有限公司"]),
    ("我们(北京)文化传播有限公司", []),  # no brand of two characters before the bracket
])
def test_orgs_company_with_its_city_in_brackets(nlp, text, expected):
    assert names(article_doc(nlp, text)) == expected


@pytest.mark.parametrize("text, expected", [
    # a verb inside a name, kept because an anchor (中央) starts it
    ("中央精神文明建设办公室专职副主任出席。", ["中央精神文明建设办公室"]),
    ("精神文明建设办公室负责人表示。", []),  # no anchor: the verb stops the name
    # one office with two names: two records, as the article names them
    ("中央网信办(国家网信办)副主任出席。", ["中央网络安全和信息化委员会办公室", "国家互联网信息办公室"]),
])
def test_orgs_name_verbs_and_two_named_offices(nlp, text, expected):
    assert sorted(names(article_doc(nlp, text))) == sorted(expected)
