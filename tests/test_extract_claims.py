"""kb.extract.claims.finder: metric, subject, time and source of every figure.

Case sentences are written for these tests; the end-to-end check runs the
seeds against tests/gold with the gold organisations, events and documents
as input, so it scores attribution alone."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from kb.clean import clean_article
from kb.errors import RuleError
from kb.evaluate.gold import evaluate
from kb.extract.claims.finder import find_claims, load_claim_rules
from kb.ingest.articles import parse_article, read_article
from kb.nlp.pipeline import make_doc
from kb.paths import ROOT, rules_dir
from kb.records.models import ArticleFacts, Document, Event, Organization, dump_article_facts, load_article_facts
from kb.rules.ruleset import RuleSet

ORGS = [
    Organization(name="中国互联网络信息中心", aliases=["CNNIC"], evidence="中国互联网络信息中心"),
    Organization(name="世界互联网大会国际组织", aliases=["世界互联网大会"], evidence="世界互联网大会国际组织"),
    Organization(name="国际电信联盟", evidence="国际电信联盟"),
]
EVENTS = [
    Event(name="2023年世界互联网大会乌镇峰会", kind="summit", year=2023, evidence="乌镇峰会"),
    Event(name="“互联网之光”博览会", kind="expo", year=None, evidence="互联网之光"),
]
DOCUMENTS = [Document(title="全球连通性报告", kind="report", issuer="国际电信联盟", evidence="全球连通性报告")]
# A summit series whose name is also an organisation's alias, and an activity that names what it selects.
MORE_EVENTS = [
    *EVENTS,
    Event(name="2015年世界互联网大会", kind="summit", year=2015, evidence="世界互联网大会"),
    Event(name="“数字中国优秀案例”征集活动", kind="other", year=None, evidence="数字中国优秀案例"),
]

METRIC_CASES = [
    ("2022年我国网络零售额达到13.8万亿元。", "13.8万亿元", "网络零售额"),
    ("2022年我国网络零售额达到13.8万亿元，同比增长4%。", "4%", "网络零售额同比增长率"),
    ("去年全国软件业务收入为10.8万亿元，增速达11.2%。", "11.2%", "软件业务增速"),
    ("这些企业约占全国企业总量的1/3。", "1/3", "占全国企业总量比重"),
    ("今年,60多个国家和地区的900多名嘉宾参会。", "900多名嘉宾", "参会嘉宾数"),
    ("目前，世界互联网大会已有来自20个国家的80家机构成为其会员。", "80家机构", "会员数"),
    ("目前，世界互联网大会已有来自20个国家的80家机构成为其会员。", "20个国家", "会员来源国家数"),
    ("其中有12个亚洲国家发布了人工智能战略。", "12个亚洲国家", "发布人工智能战略的亚洲国家数"),
    ("从2018年起,博览会连续五年举办“互联网之光”博览会。", "五年", "连续举办年数"),
    # the participation word nearest after the count, whatever the order of the rule's words
    ("来自30多个国家和地区的580余家企业参展参赛，1200名嘉宾与会。", "580余家企业", "参展企业数"),
    ("来自30多个国家和地区的580余家企业参展参赛，1200名嘉宾与会。", "1200名嘉宾", "参会嘉宾数"),
]
# What a metric leaves out or takes from the figure before: a time and a light verb opening it, a name
# modified by a clause (the subject), the owner of a share, the topic of a growth, a list of counts.
METRIC_CONTEXT_CASES = [
    ("公司2023年上半年实现营业收入52亿元。", "52亿元", "营业收入"),
    ("公司2023年上半年实现营业收入52亿元，同比增长8%。", "8%", "营业收入同比增长率"),
    ("同期举办的“互联网之光”博览会展览面积约6万平方米。", "约6万平方米", "展览面积"),
    ("去年全国软件业务收入为10.8万亿元，占GDP比重为8.9%。", "8.9%", "软件业务占GDP比重"),
    ("该企业拥有超过1200名研发人员，约占员工总数的三分之二。", "三分之二", "研发人员占员工总数比重"),
    ("今年共有500名嘉宾参会，其中女性约占三成。", "三成", "女性占比"),
    ("今年有300家企业参展，比上届增加50家。", "50家", "参展企业比上届增加数"),
    ("全国充电桩总数达200万个，较上年末净增30万个。", "30万个", "充电桩较上年末净增数"),
    ("去年全国电子商务规模达2.1万亿元，同比名义增长6.2%。", "6.2%", "电子商务规模同比名义增长率"),
    ("该联盟成立两年来，成员已增至80家。", "80家", "成员数"),
]
# The counted noun: the noun it possesses (…的数据), the document doing the counting (该报告), the
# modifier it has in the name of the activity that selected it (优秀案例).
COUNTED_NOUN_CASES = [
    ("《全球连通性报告》发布。该报告采集了120个国家的网速数据显示，全球宽带速度持续提升。", "120个国家",
     "报告采集网速数据的国家数"),
    ("这份白皮书分析了36个国家（覆盖全球人口的一半）的政策文本。", "36个国家", "白皮书分析政策文本的国家数"),
    ("今年已走访了200家企业的负责人。", "200家企业", "走访负责人的企业数"),
    ("今年已走访了200家企业。", "200家企业", "走访企业数"),
    ("向50个国家的用户提供服务。", "50个国家", "向用户提供服务的国家数"),
    ("“数字中国优秀案例”征集活动举办，“智慧农业平台”等20个案例入选。", "20个案例", "入选优秀案例数"),
    ("今年，共有30个案例入选。", "30个案例", "入选案例数"),
]
# A duration opening its sentence: what the period is of, and whom it is about.
DURATION_CASES = [
    ("八年来，世界互联网大会搭建交流平台的作用日益凸显。", "八年", "发展年数", "世界互联网大会"),
    ("八年来，乌镇峰会不断成长。", "八年", "举办年数", "世界互联网大会乌镇峰会"),
    ("十年间，中国持续推进数字基础设施建设，乌镇峰会亦不断成长。", "十年", "推进数字基础设施建设的年数", "中国"),
    ("十年来，以乌镇峰会为媒，中国与世界共享机遇。", "十年", "共享机遇的年数", "中国"),
]
SUBJECT_CASES = [
    ("2022年我国网络零售额达到13.8万亿元。", "13.8万亿元", "中国"),
    ("今年,60多个国家和地区的900多名嘉宾参会。", "60多个国家和地区", "2023年世界互联网大会乌镇峰会"),
    ("目前，世界互联网大会已有来自20个国家的80家机构成为其会员。", "80家机构", "世界互联网大会国际组织"),
    ("其中有12个亚洲国家发布了人工智能战略。", "12个亚洲国家", "亚洲"),
    ("《全球连通性报告》发布。这份报告调查了50个国家（约占全球人口的2/3）。", "2/3", "50个国家"),
    ("十年来,乌镇峰会不断成长。", "十年", "世界互联网大会乌镇峰会"),
]
TIME_CASES = [
    ("2022年我国网络零售额达到13.8万亿元。", "13.8万亿元", "2022"),
    ("今年,60多个国家和地区的900多名嘉宾参会。", "900多名嘉宾", "2023"),
    ("目前，世界互联网大会已有来自20个国家的80家机构成为其会员。", "80家机构", "2023"),
    ("全球网民从2019年的41亿人增加至2022年的53亿人。", "41亿人", "2019"),
    ("全球网民从2019年的41亿人增加至2022年的53亿人，其中有12亿人使用5G。", "12亿人", None),
    ("2015年—2020年，这些企业营收增长近30%。", "近30%", "2015/2020"),
    ("从2018年起,博览会连续五年举办“互联网之光”博览会,已展出超200个项目。", "超200个项目", "2018/2022"),
]
# Figures about the event the article reports on (本届大会, 大会期间, a series named once): subject the
# occurrence, time its year; a session length in days is 会期天数; listed examples (…论坛等) are no subject.
CURRENT_EVENT_CASES = [
    ("本届大会为期4天。", "4天", "会期天数", "2023年世界互联网大会乌镇峰会", "2023"),
    ("大会期间将举办“数字教育”论坛等12场分论坛。", "12场分论坛", "分论坛数", "2023年世界互联网大会乌镇峰会", "2023"),
    ("世界互联网大会乌镇峰会吸引了1500名嘉宾参会。", "1500名嘉宾", "参会嘉宾数", "2023年世界互联网大会乌镇峰会",
     "2023"),
]
# Pronouns, modal verbs and adverbs are no metric: the predicate and the counted noun make one, or nothing.
FILLER_CASES = [
    ("我们将投入不少于5亿元用于研发。", "不少于5亿元", "投入金额"),
    ("仍有约3亿人尚未使用互联网。", "约3亿人", "尚未使用互联网的人数"),
    ("公司拥有2000名员工。", "2000名员工", "员工数"),
    ("截至6月，全国网民规模近9亿人。", "近9亿人", "网民规模"),
]
SOURCE_CASES = [
    ("据中国互联网络信息中心数据显示，我国网民规模达10.9亿人。", "10.9亿人", "中国互联网络信息中心"),
    ("根据国际电信联盟的统计，全球网民达54亿人。", "54亿人", "国际电信联盟"),
    ("《全球连通性报告》发布。这份报告调查了50个国家。", "50个国家", "国际电信联盟"),
    ("据某网站数据显示，我国网民规模达10.9亿人。", "10.9亿人", None),
    ("据中国互联网络信息中心数据显示，我国网民规模达10.9亿人。全国网站数量为388万个。", "388万个", None),
    # a bare document noun refers to the document named before it; opening a paragraph, it covers it
    ("《全球连通性报告》近日发布。\n报告显示，全球网民达54亿人。", "54亿人", "国际电信联盟"),
    ("《全球连通性报告》近日发布。\n报告显示，全球网民达54亿人。移动宽带覆盖率为95%。", "95%", "国际电信联盟"),
    ("《全球连通性报告》近日发布。\n报告显示，全球网民达54亿人。\n移动宽带覆盖率为95%。", "95%", None),
    ("中国互联网络信息中心主任刘明在发布会上说，我国网民达10.9亿人。", "10.9亿人", "中国互联网络信息中心"),
]


def _doc(nlp, text: str):
    article = parse_article(f"---\ndate: 2023-11-11\n---\n{text}\n", "case.txt")
    return make_doc(nlp, article, clean_article(article))


def _claim(nlp, text: str, figure: str, events=EVENTS):
    claims = find_claims(_doc(nlp, text), ORGS, events, DOCUMENTS)
    found = [c for c in claims if c.text == figure]
    assert found, f"no claim {figure!r} in {[c.text for c in claims]}"
    return found[0]


def test_claims_rules_load():
    rules = load_claim_rules()
    assert rules.sources and rules.places and rules.predicates


@pytest.mark.parametrize("text, figure, metric", METRIC_CASES)
def test_claims_metric(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, metric", METRIC_CONTEXT_CASES)
def test_claims_metric_from_context(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, metric", COUNTED_NOUN_CASES)
def test_claims_metric_counted_noun(nlp, text, figure, metric):
    assert _claim(nlp, text, figure, MORE_EVENTS).metric == metric


@pytest.mark.parametrize("text, figure, metric, subject", DURATION_CASES)
def test_claims_duration_metric_and_subject(nlp, text, figure, metric, subject):
    claim = _claim(nlp, text, figure, MORE_EVENTS)
    assert (claim.metric, claim.subject) == (metric, subject)


@pytest.mark.parametrize("text, figure, subject", SUBJECT_CASES)
def test_claims_subject(nlp, text, figure, subject):
    assert _claim(nlp, text, figure).subject == subject


@pytest.mark.parametrize("text, figure, time", TIME_CASES)
def test_claims_time(nlp, text, figure, time):
    assert _claim(nlp, text, figure).time == time


@pytest.mark.parametrize("text, figure, metric, subject, time", CURRENT_EVENT_CASES)
def test_claims_current_event(nlp, text, figure, metric, subject, time):
    claim = _claim(nlp, text, figure)
    assert (claim.metric, claim.subject, claim.time) == (metric, subject, time)


@pytest.mark.parametrize("text, figure, metric", FILLER_CASES)
def test_claims_metric_without_fillers(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, source", SOURCE_CASES)
def test_claims_source(nlp, text, figure, source):
    assert _claim(nlp, text, figure).source == source


def test_claims_one_attribution_many_figures(nlp):
    text = ("据中国互联网络信息中心数据显示，2022年我国网民规模达10.7亿人，较上年增加3549万人，"
            "互联网普及率达75.6%。")
    claims = find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS)
    assert [c.text for c in claims] == ["10.7亿人", "3549万人", "75.6%"]
    assert {(c.source, c.time, c.subject) for c in claims} == {("中国互联网络信息中心", "2022", "中国")}
    assert [c.metric for c in claims][:2] == ["网民规模", "网民规模较上年增加数"]


def test_claims_restatement_is_one_claim(nlp):
    text = "如今，世界互联网大会拥有80家会员。目前，世界互联网大会拥有80家会员。"
    claims = find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS)
    assert len(claims) == 1 and len(claims[0].provenance) == 2


def test_claims_restated_duration_keeps_most_specific_metric(nlp):
    text = "十年来，以乌镇峰会为媒，中国与世界共享机遇。十年间，中国持续推进数字基础设施建设。"
    claims = find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS)
    assert len(claims) == 1 and len(claims[0].provenance) == 2
    assert claims[0].metric == "推进数字基础设施建设的年数"
    assert claims[0].evidence.startswith("十年间")


def test_claims_provenance_points_into_original(nlp):
    doc = _doc(nlp, "2022年我國網民規模達10.7億人。")
    claim = find_claims(doc, ORGS, EVENTS, DOCUMENTS)[0]
    assert claim.provenance[0].quote == "10.7億人"
    assert claim.provenance[0].rule


def test_claims_seeds_against_gold(nlp, seed_paths, tmp_path):
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir(), pred_dir.mkdir()
    for path in sorted((ROOT / "tests" / "gold").glob("*.yaml")):
        gold = load_article_facts(path)
        article = read_article(next(p for p in seed_paths if p.name == gold.doc))
        doc = make_doc(nlp, article, clean_article(article))
        claims = find_claims(doc, gold.organizations, gold.events, gold.documents)
        (pred_dir / path.name).write_text(dump_article_facts(ArticleFacts.from_records(article.id, article.date, claims)))
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        (gold_dir / path.name).write_text(yaml.safe_dump({"doc": data["doc"], "claims": data["claims"]}, allow_unicode=True))
    report = evaluate(gold_dir, pred_dir).types["claims"]
    assert report.counts.f1 >= 0.95  # value and unit decide the match
    assert report.attributes["qualifier"].accuracy == 1.0
    for attribute in ("metric", "subject", "time", "source"):
        assert report.attributes[attribute].accuracy >= 0.8, attribute


# --- context across sentences, metric sanity, groups, sessions, headlines -----------------------
# Sentences written for these tests. A data report released in a paragraph (X发布《…报告》) gives the
# figures of the paragraph's following sentences its issuer as source and its 截至X as time.
REPORT = "中国互联网络信息中心发布第54次《中国互联网络发展状况统计报告》。"
CONTEXT_DOCUMENTS = [*DOCUMENTS, Document(title="中国互联网络发展状况统计报告", kind="report", evidence="报告")]
CONTEXT_CASES = [
    # (text, figure, source, time)
    (REPORT + "报告显示，截至2024年6月，我国网民规模达10.9亿人。互联网普及率达78%。", "78%",
     "中国互联网络信息中心", "2024-06"),
    (REPORT + "截至2024年6月底，我国网民规模达10.9亿人。", "10.9亿人", "中国互联网络信息中心", "2024-06"),
    (REPORT + "截至2023年底，我国网民规模达10.9亿人。5G基站达337.7万个。", "337.7万个", "中国互联网络信息中心", "2023"),
    # a comparison base is not the figure's time: the change is over the period from it
    (REPORT + "截至2024年6月，我国网民规模达10.9亿人，较2023年12月增长742万人。", "742万人",
     "中国互联网络信息中心", "2023-12/2024-06"),
    # a paragraph break ends the context (a figure stated in the present then holds for the
    # article's year, 2023); a new attribution replaces it
    (REPORT + "截至2024年6月，我国网民规模达10.9亿人。\n互联网普及率达78%。", "78%", None, "2023"),
    (REPORT + "截至2024年6月，我国网民规模达10.9亿人。据国际电信联盟统计，全球网民达54亿人。", "54亿人",
     "国际电信联盟", None),
    # a report that only modifies the noun of an in-sentence frame (发布的《…》认为) carries nothing
    ("国际电信联盟发布的《全球连通性报告》认为，网络持续普及。近年来，全球网民达54亿人。", "54亿人", None, None),
]
YEAR_PART_CASES = [
    ("今年上半年，我国软件业务收入达6.2万亿元。", "6.2万亿元", "2023-01/2023-06"),
    ("2022年前三季度，公司营业收入达8.6亿元。", "8.6亿元", "2022-01/2022-09"),
    ("截至2024年一季度末，我国5G基站达364.7万个。", "364.7万个", "2024-03"),
]
# A metric is a noun phrase: no quote marks, no leading conjunction or adverb, no doubled segment.
SANE_METRIC_CASES = [
    ("我国网民规模达11亿人。但“仍有3亿人”未接入互联网。", "3亿人", "未接入互联网的人数"),
    ("2023年，数字经济占GDP比重达42.8%，比重同比提升1.5个百分点。", "1.5个百分点", "数字经济占GDP比重同比提升幅度"),
    ("这些企业占全国企业总量的比重超过30%。", "超过30%", "占全国企业总量比重"),
    ("大会设置开幕式、闭幕式和多场分论坛，共20个分论坛。", "20个分论坛", "分论坛数"),
    ("我国数字经济规模翻了一番，达到50万亿元。", "翻了一番", "数字经济规模增长倍数"),
    ("我国数字经济规模翻了一番，达到50万亿元。", "50万亿元", "数字经济规模"),
]
GROUP_CASES = [
    ("2023年，中美欧日韩五国数字经济总量达31万亿美元。", "31万亿美元", "中美欧日韩五国", "数字经济总量"),
    ("中国、美国、日本三国数字经济总量达30万亿美元，占GDP比重超过50%。", "超过50%", "中国、美国、日本三国",
     "数字经济占GDP比重"),
]
SESSION_EVENTS = [*EVENTS, Event(name="2023年中国网络文明大会", kind="meeting", year=2023, evidence="中国网络文明大会")]
SESSION_CASES = [
    ("中国网络文明大会由世界互联网大会国际组织主办，会期三天。", "三天", "2023年中国网络文明大会"),
    ("中国网络文明大会由世界互联网大会国际组织主办，1200名嘉宾参会。", "1200名嘉宾", "2023年中国网络文明大会"),
]


@pytest.mark.parametrize("text, figure, source, time", CONTEXT_CASES)
def test_claims_report_context_gives_source_and_time(nlp, text, figure, source, time):
    claims = find_claims(_doc(nlp, text), ORGS, EVENTS, CONTEXT_DOCUMENTS)
    claim = next(c for c in claims if c.text == figure)
    assert (claim.source, claim.time) == (source, time)


@pytest.mark.parametrize("text, figure, time", YEAR_PART_CASES)
def test_claims_time_part_of_year(nlp, text, figure, time):
    assert _claim(nlp, text, figure).time == time


@pytest.mark.parametrize("text, figure, metric", SANE_METRIC_CASES)
def test_claims_metric_is_a_noun_phrase(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, subject, metric", GROUP_CASES)
def test_claims_subject_group_of_countries(nlp, text, figure, subject, metric):
    claim = _claim(nlp, text, figure)
    assert (claim.subject, claim.metric) == (subject, metric)


@pytest.mark.parametrize("text, figure, subject", SESSION_CASES)
def test_claims_subject_event_not_its_host(nlp, text, figure, subject):
    assert _claim(nlp, text, figure, SESSION_EVENTS).subject == subject


@pytest.mark.parametrize("headline, quote", [("我国网民规模达10.9亿人", "10.9亿人"), ("我国10.9亿网民", "10.9亿")])
def test_claims_headline_figure_merges_with_body(nlp, headline, quote):
    text = f"{headline}\n截至2024年6月，我国网民规模达10.9亿人。"
    article = parse_article(f"---\ndate: 2024-11-11\n---\n{text}\n", "case.txt")
    claims = find_claims(make_doc(nlp, article, clean_article(article)), ORGS, EVENTS, DOCUMENTS)
    assert len(claims) == 1 and claims[0].time == "2024-06"
    assert [p.quote for p in claims[0].provenance] == ["10.9亿人", quote]


def test_claims_headline_figure_not_in_body_is_kept(nlp):
    text = "我国5G基站达337.7万个\n截至2024年6月，我国网民规模达10.9亿人。"
    assert len(find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS)) == 2


# A report referred back to by a short title (《报告》显示, 报告还显示, 该报告显示) in a later paragraph is the
# report released before: its issuer is the source, its 截至 time the time, its figures' topic the subject.
RELEASED = ("中国互联网络信息中心发布第53次《中国互联网络发展状况统计报告》。"
            "截至2023年12月，我国网民规模达10.92亿人，较2022年12月增长2480万人。\n\n")
REFERRED_REPORT_CASES = [
    # (text, figure, subject, time, source)
    (RELEASED + "《报告》显示，农村网民规模达3.26亿人。", "3.26亿人", "中国", "2023-12", "中国互联网络信息中心"),
    (RELEASED + "报告还显示，农村网民规模达3.26亿人。", "3.26亿人", "中国", "2023-12", "中国互联网络信息中心"),
    (RELEASED + "该报告显示，农村网民规模达3.26亿人。", "3.26亿人", "中国", "2023-12", "中国互联网络信息中心"),
    (RELEASED + "《报告》显示，网民规模持续扩大。其中，农村网民规模达3.26亿人。", "3.26亿人", "中国", "2023-12",
     "中国互联网络信息中心"),
    # a sentence scoped to its own topic (在…中) takes no carried subject
    (RELEASED + "报告显示，在抽样调查的企业中，近五成已引入人工智能。", "近五成", None, "2023-12", "中国互联网络信息中心"),
    # another source named ends the report's context
    (RELEASED + "《报告》显示，网民增多。据国际电信联盟统计，全球网民达54亿人。", "54亿人", "全球", None, "国际电信联盟"),
    # a change from a dated base is over the period from it
    (RELEASED, "2480万人", "中国", "2022-12/2023-12", "中国互联网络信息中心"),
]
# 我国/全国 as topic → 中国; a share names what it is a share of and of what; 新增X is a count of additions.
NATIONAL_CASES = [
    ("我国网民规模达10.92亿人，其中，农村网民规模达3.26亿人。", "3.26亿人", "中国", "农村网民规模"),
    ("全国5G基站占移动基站总数比重达29.1%。", "29.1%", "中国", "5G基站占移动基站总数比重"),
    ("2023年，我国数字经济占GDP的比重为42.8%。", "42.8%", "中国", "数字经济占GDP比重"),
    ("我国网络视频用户占网民整体的97.7%。", "97.7%", "中国", "网络视频用户占网民整体比重"),
    ("2023年，我国新增网民2480万人。", "2480万人", "中国", "新增网民数"),
]
# A figure about an event in progress holds for the event's year; one stated for a day keeps the day.
EVENT_TIME_EVENTS = [*EVENTS, Event(name="2018年互联网治理论坛", kind="forum", year=2018, evidence="互联网治理论坛")]
EVENT_TIME_CASES = [
    ("2018年互联网治理论坛11月12日在巴黎开幕，3000余名代表参会。", "3000余名代表", "2018"),
    ("2018年互联网治理论坛11月12日在巴黎开幕，会期3天。", "3天", "2018"),
    ("2018年互联网治理论坛11月12日在巴黎开幕，共设20场分论坛。", "20场分论坛", "2018"),
    ("2018年11月12日当天，互联网治理论坛共有500人参加开幕式。", "500人", "2018-11-12"),
]


@pytest.mark.parametrize("text, figure, subject, time, source", REFERRED_REPORT_CASES)
def test_claims_report_referred_back_gives_its_context(nlp, text, figure, subject, time, source):
    claim = next(c for c in find_claims(_doc(nlp, text), ORGS, EVENTS, CONTEXT_DOCUMENTS) if c.text == figure)
    assert (claim.subject, claim.time, claim.source) == (subject, time, source)


@pytest.mark.parametrize("text, figure, subject, metric", NATIONAL_CASES)
def test_claims_national_subject_and_share_metric(nlp, text, figure, subject, metric):
    claim = _claim(nlp, text, figure)
    assert (claim.subject, claim.metric) == (subject, metric)


@pytest.mark.parametrize("text, figure, time", EVENT_TIME_CASES)
def test_claims_time_of_event_in_progress(nlp, text, figure, time):
    assert _claim(nlp, text, figure, EVENT_TIME_EVENTS).time == time


# Extraction in a fresh interpreter: the facts of one article, as YAML.
_EXTRACT_SCRIPT = """
import sys
from kb.extract import extract_article
from kb.ingest.articles import parse_article
from kb.nlp.pipeline import load_pipeline
from kb.records.models import dump_article_facts
sys.stdout.write(dump_article_facts(extract_article(load_pipeline(), parse_article(sys.stdin.read(), "case.md"))))
"""
# Several participation words after the counts (参展, 参赛, 与会): the metric must not depend on the order a
# set of words happens to be iterated in, which changes with PYTHONHASHSEED.
HASH_SEED_TEXT = """---
date: 2024-11-20
---
“互联网之光”博览会同期举行，来自30多个国家和地区的580余家企业参展参赛，1200名嘉宾与会。
"""


def test_claims_same_facts_whatever_the_hash_seed():
    def facts(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", _EXTRACT_SCRIPT], input=HASH_SEED_TEXT, capture_output=True,
                             text=True, cwd=ROOT, env=env, timeout=300, check=True)
        return run.stdout

    first, second = facts("1"), facts("7")  # 7: 参赛 before 参展 in a set of the words
    assert "metric:" in first
    assert first == second


CLAIM_MODULES = ["claims/attribution", "claims/context", "claims/metric", "claims/rules", "claims/sanity", "claims/text",
                 "claims/finder"]


@pytest.mark.parametrize("module", CLAIM_MODULES)
def test_claims_language_data_is_in_rules(module):
    """No Chinese string constant in the code of claims (docstrings aside): words and regexes are rules."""
    tree = ast.parse((ROOT / "kb" / "extract" / f"{module}.py").read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    han = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
           and re.search(r"[\u4e00-\u9fff]", n.value) and id(n) not in docstrings]
    assert han == []


# A rule file without a section, word list or word the claims code reads: an error naming what is missing.
MISSING_RULE_CASES = [
    ("lexicon.yaml", "possessive:\n  - {id: de, words: [的]}\n", "", "section 'possessive'"),
    ("lexicon.yaml", "{id: deng, words: [等]}", "{id: etc, words: [等]}", "lacks the word list.* deng"),
    ("claims.yaml", "    share_verb: 占 ", "", r"\[share_verb\] Field required"),
]


@pytest.mark.parametrize("file, old, new, message", MISSING_RULE_CASES)
def test_claims_rules_missing_word_is_an_error(tmp_path, file, old, new, message):
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    text = (folder / file).read_text(encoding="utf-8")
    assert old in text
    (folder / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleError, match=message), RuleSet(folder).active():
        load_claim_rules()


def _rule_ids() -> set[str]:
    """The id of every rule of every rule file."""
    ids = set()
    for path in rules_dir().glob("*.yaml"):
        for rules in yaml.safe_load(path.read_text(encoding="utf-8")).values():
            ids |= {r["id"] for r in rules if isinstance(r, dict) and "id" in r}
    return ids


def test_claims_provenance_rules_exist(nlp):
    """The rule id in a claim's provenance names a rule of a rule file (a fraction, a bare scale too)."""
    text = "全国网民已达3亿人，其中三分之二来自东部，百分之十来自海外，移动用户超过5000万用户。"
    rules = {p.rule for c in find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS) for p in c.provenance}
    assert {"fraction", "scale-only", "fraction-percent"} <= rules
    assert rules <= _rule_ids()


def test_claims_a_scope_before_a_count_is_no_subject(nlp):
    # 来自全球83个国家: 全球 says where the countries are from; the figures are the summit's
    text = "2019年世界互联网大会在乌镇举行。来自全球83个国家和地区的约1500名嘉宾参会。"
    article = parse_article(f"---\ndate: 2019-10-22\n---\n{text}\n", "case.txt")
    doc = make_doc(nlp, article, clean_article(article))
    events = [Event(name="2019年世界互联网大会", kind="summit", year=2019, evidence="2019年世界互联网大会在乌镇举行")]
    subjects = {c.text: c.subject for c in find_claims(doc, [], events, [])}
    assert subjects == {"83个国家和地区": "2019年世界互联网大会", "约1500名嘉宾": "2019年世界互联网大会"}


def test_claims_a_news_outlet_is_no_subject(nlp):
    # the agency opening the dateline reports the figure; it is not what the figure is about
    text = "新华社乌镇11月11日电 会期3天。"
    article = parse_article(f"---\ndate: 2022-11-11\n---\n{text}\n", "case.txt")
    doc = make_doc(nlp, article, clean_article(article))
    (claim,) = find_claims(doc, [Organization(name="新华社", evidence="新华社")], [], [])
    assert claim.subject is None


# issue 11: what is counted is written before the figure (the verb phrase before it, then 数)
COUNTED_BEFORE_CASES = [
    ("今年以来，累计处置违规账号13.4亿个。", "13.4亿个", "处置违规账号数"),
    ("此外，封禁主播7200余名。", "7200余名", "封禁主播数"),
    ("累计清理有害信息2200万余条。", "2200万余条", "清理有害信息数"),
]


@pytest.mark.parametrize("text, figure, metric", COUNTED_BEFORE_CASES)
def test_claims_metric_of_a_count_named_before_it(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


def test_claims_days_of_an_event_are_its_session(nlp):
    text = "三天时间里，中国网络文明大会举办了多场活动。"
    claim = _claim(nlp, text, "三天", SESSION_EVENTS)
    assert (claim.metric, claim.subject) == ("会期天数", "2023年中国网络文明大会")


def test_claims_restated_count_is_one_claim_whatever_its_wording(nlp):
    text = "大会发布3份报告。其中，《全球连通性报告》等三份报告广受关注，共有80家会员参与。"
    claims = find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS)
    reports = [c for c in claims if c.unit == "报告"]
    assert len(reports) == 1 and len(reports[0].provenance) == 2
    assert [c.text for c in claims if c.unit == "会员"] == ["80家会员"]


def test_claims_restated_count_keeps_the_more_precise_time(nlp):
    text = "我国网民达10.92亿人。截至2023年12月，我国网民规模达10.92亿人。"
    (claim,) = find_claims(_doc(nlp, text), ORGS, EVENTS, DOCUMENTS)
    assert claim.time == "2023-12" and len(claim.provenance) == 2


def test_claims_restated_years_stay_two_facts_when_about_two_things(nlp):
    text = "十年来，乌镇峰会不断成长。十年来，中国持续推进数字基础设施建设。"
    claims = find_claims(_doc(nlp, text), ORGS, MORE_EVENTS, DOCUMENTS)
    assert len(claims) == 2


@pytest.mark.parametrize("text, figure, subject", [
    # the nearest sentence naming something gives the subject, not an organisation further back
    ("中国互联网络信息中心发布报告。近年来，我国数字经济稳步发展。数字基建夯实，建成基站300万个。",
     "300万个", "中国"),
    ("近年来，我国数字经济稳步发展。中国互联网络信息中心扎实推进工作。建成基站300万个。",
     "300万个", "中国互联网络信息中心"),
])
def test_claims_subject_from_the_nearest_sentence_naming_one(nlp, text, figure, subject):
    assert _claim(nlp, text, figure).subject == subject


# issue 11, what a metric measures in the words a reader expects: a noun phrase naming the count before a
# figure that carries its own qualifier, a list of counts going on (、), listed nouns joined by 和, a clause
# ending in 的 that says what the counted did, a figure closing a modifier (可容纳…人的), gathering verbs.
METRIC_WORDING_CASES = [
    ("全国5G终端连接数超过5亿户。", "超过5亿户", "5G终端连接数"),
    ("平台平均连接设备超100万台、服务企业数量超过5万家。", "超100万台", "平台平均连接设备数"),
    ("平台平均连接设备超100万台、服务企业数量超过5万家。", "超过5万家", "服务企业数"),
    ("累计下架游戏、应用程序300余款。", "300余款", "下架游戏和应用程序数"),
    ("出席闭幕式的800多位嘉宾冒雨步入会场。", "800多位嘉宾", "出席闭幕式嘉宾数"),
    ("大会从60多个国家报送的300余项成果中遴选优秀成果。", "300余项成果", "报送成果数"),
    ("可容纳5000人的国际会展中心主会场内座无虚席。", "5000人", "可容纳人数"),
    ("三天里，来自50个国家的约900名嘉宾齐聚杭州，共商合作。", "约900名嘉宾", "参会嘉宾数"),
    ("三天里，来自50个国家的约900名嘉宾齐聚杭州，共商合作。", "50个国家", "参会国家数"),
]
# Exhibitors and entries come from places; countries take part in a meeting themselves (参会国家数).
ORIGIN_CASES = [
    ("来自30个国家和地区的200余家企业通过线上方式参展。", "30个国家和地区", "参展企业来源国家和地区数"),
    ("大赛吸引15个国家600多个项目参赛。", "15个国家", "参赛项目来源国家数"),
    ("来自30个国家和地区的200余家企业通过线上方式参展。", "200余家企业", "参展企业数"),
    ("今年,60多个国家和地区的900多名嘉宾参会。", "60多个国家和地区", "参会国家和地区数"),
]
# Years of an activity and anniversaries: the verb phrase before the duration; a period up to now (N年来)
# measures nothing before it.
YEARS_OF_ACTIVITY_CASES = [
    ("“在这里生活工作二十多年，见证了小镇的变化。”", "二十多年", "生活工作年数"),
    ("今年是中国接入国际互联网30周年。", "30周年", "接入国际互联网周年数"),
    ("今年是高铁开通15周年、大桥通车10周年。", "10周年", "大桥通车周年数"),
    ("报告重点展示了1年来我国互联网发展的新进展。", "1年", None),
]
# A share followed by 的 and a noun: the share of those things the verb reaches; a list of shares keeps it.
SHARE_OF_FOLLOWING_CASES = [
    ("目前全省已建成基站20万个，覆盖全省所有地级市、90%以上的县城和40%的乡镇。", "90%以上", "覆盖县城比例"),
    ("目前全省已建成基站20万个，覆盖全省所有地级市、90%以上的县城和40%的乡镇。", "40%", "覆盖乡镇比例"),
    ("5G网络覆盖全国90%以上的县城。", "90%以上", "5G网络覆盖县城比例"),
    ("截至目前，基站覆盖全国所有地级市、95%以上的县区、35%的乡镇，终端连接数超过3亿户。", "35%", "基站覆盖乡镇比例"),
]


@pytest.mark.parametrize("text, figure, metric", METRIC_WORDING_CASES)
def test_claims_metric_wording(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, metric", ORIGIN_CASES)
def test_claims_metric_origin_of_participants(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, metric", YEARS_OF_ACTIVITY_CASES)
def test_claims_metric_years_of_activity(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


@pytest.mark.parametrize("text, figure, metric", SHARE_OF_FOLLOWING_CASES)
def test_claims_metric_share_of_what_follows(nlp, text, figure, metric):
    assert _claim(nlp, text, figure).metric == metric


def test_claims_rate_before_a_growth_is_no_share_of_things(nlp):
    metric = _claim(nlp, "去年全省数字经济保持9.7%的高位增长。", "9.7%").metric or ""
    assert not metric.endswith("比例")


# issue 11: who states a figure — a body the reporter learnt it from, a report of it named without a verb,
# a person speaking for the organisation the article named them with (and the paragraph they open), a data
# document acting in its sentence.
SOURCE_FRAME_CASES = [
    ("记者从中国互联网络信息中心举行的新闻发布会获悉，我国网民规模达10.9亿人。", "10.9亿人", "中国互联网络信息中心"),
    ("据国际电信联盟发布的年度报告，全球网民达54亿人。", "54亿人", "国际电信联盟"),
    ("中国互联网络信息中心主任刘明出席会议。\n刘明在会上介绍，我国网民达10.9亿人。", "10.9亿人", "中国互联网络信息中心"),
    ("中国互联网络信息中心主任刘明在会上介绍，我国网民达10.9亿人。全国网站数量为388万个。", "388万个",
     "中国互联网络信息中心"),
    ("《全球连通性报告》对50个国家的网络进行测评。", "50个国家", "国际电信联盟"),
    # a person named with no organisation states nothing for one; a frame of a later paragraph is not carried
    ("刘明在会上介绍，我国网民达10.9亿人。", "10.9亿人", None),
    ("中国互联网络信息中心主任刘明在会上介绍，我国网民达10.9亿人。\n全国网站数量为388万个。", "388万个", None),
]


@pytest.mark.parametrize("text, figure, source", SOURCE_FRAME_CASES)
def test_claims_source_of_frames_without_a_verb_of_showing(nlp, text, figure, source):
    assert _claim(nlp, text, figure).source == source


# issue 11: what a figure is about — the event the clause opens with (大会的…, 峰会从…), not a scope place, not
# an activity named in a later clause, not a document that only shows the figure.
EVENT_SUBJECT_CASES = [
    ("大会的展览面积达6万平方米。", "6万平方米", "2023年世界互联网大会乌镇峰会"),
    ("峰会从全球100多个国家申报的案例中精选了12项。", "100多个国家", "2023年世界互联网大会乌镇峰会"),
    ("“互联网之光”博览会吸引了300家企业参展；“数字中国优秀案例”征集活动收到500个案例。", "300家企业",
     "“互联网之光”博览会"),
    ("在乌镇举办的“互联网之光”博览会吸引了上万人参观。", "上万人", "“互联网之光”博览会"),
    ("《全球连通性报告》对50个国家的网络进行测评。", "50个国家", "全球连通性报告"),
    ("《全球连通性报告》显示，全球网民达54亿人。", "54亿人", "全球"),
]


@pytest.mark.parametrize("text, figure, subject", EVENT_SUBJECT_CASES)
def test_claims_subject_event_or_document_the_clause_opens_with(nlp, text, figure, subject):
    assert _claim(nlp, text, figure, MORE_EVENTS).subject == subject


def test_claims_event_named_where_its_record_was_read(nlp):
    # IGF年会 is not the event's name, but the event record was read there: its figures are the event's
    from kb.nlp.pipeline import provenance, text_of
    from kb.records.models import Provenance
    doc = _doc(nlp, "2023年在日本京都举办的IGF年会吸引了来自178个国家的代表参加。")
    start = text_of(doc).index("IGF")
    event = Event(name="2023年联合国互联网治理论坛", kind="forum", year=2023, evidence="IGF年会",
                  provenance=[Provenance(**provenance(doc, start, start + 3, "test"))])
    claims = find_claims(doc, [], [event], [])
    assert {c.text: c.subject for c in claims} == {"178个国家": "2023年联合国互联网治理论坛"}


# A space beside a Chinese character is the page's layout; one between Latin words is part of a name.
@pytest.mark.parametrize("metric, cleaned", [("广受关注 的报告数", "广受关注的报告数"), ("5G 基站数", "5G基站数"),
                                             ("AI Agent应用数", "AI Agent应用数")])
def test_claims_metric_without_layout_spaces(metric, cleaned):
    from kb.extract.claims.sanity import clean_metric

    assert clean_metric(metric, load_claim_rules()) == cleaned
