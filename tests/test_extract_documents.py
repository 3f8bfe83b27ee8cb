"""kb.extract.documents: documents, their kind, issuer, date and release event."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from conftest import score_records, seed_docs
from kb import paths
from kb.errors import RuleError
from kb.records.models import Organization
from kb.rules.ruleset import RuleSet



def make_test_doc(nlp, text, date="2025-11-12"):
    """The doc of ``text`` as an article of ``date``: every component reads the date (kb_rules
    resolves dates against it)."""
    from kb.clean.offsets import Mapped
    from kb.nlp.pipeline import make_doc

    return make_doc(nlp, SimpleNamespace(id="test.txt", date=date, text=text), Mapped.identity(text))


ORGS = [
    Organization(name="国家互联网信息办公室", aliases=["网信办"], evidence="-"),
    Organization(name="世界互联网大会国际组织", aliases=["世界互联网大会"], evidence="-"),
    Organization(name="中国信息通信研究院", aliases=["信通院"], evidence="-"),
]

# text, {title: {attribute: value}}; every document found is listed
DOCUMENTS = [
    # unquoted items that go on a list after an issued title, each ending in a document head
    ("会上发布了《数字治理倡议》，数据跨境流动研究报告，“数字丝路”合作宣言，以及一批案例。",
     {"数字治理倡议": {"kind": "initiative"}, "数据跨境流动研究报告": {"kind": "report"},
      "“数字丝路”合作宣言": {"kind": "other"}}),
    # a known initiative is a document where its clause issues it, not where it is a topic
    ("中方提出的全球发展倡议和全球安全倡议得到广泛支持。",
     {"全球发展倡议": {"kind": "initiative"}, "全球安全倡议": {"kind": "initiative"}}),
    ("与会嘉宾围绕全球发展倡议展开讨论。", {}),
    # the article's event as the clause's subject issues the title, released while it lasted
    ("2024年世界互联网大会乌镇峰会11月20日至22日举行。此外，峰会还发布了《数字治理年度观察》。",
     {"数字治理年度观察": {"event": "2024年世界互联网大会乌镇峰会", "date": "2024-11"}}),
    ("2023年数字中国建设峰会4月27日开幕。大会主论坛发布了《数据要素行动倡议》。",
     {"数据要素行动倡议": {"event": "2023年数字中国建设峰会", "date": "2023-04"}}),
    # a title with no head word, issued by a verb: kind other
    ("组委会当天发布《西湖共识2025》。", {"西湖共识2025": {"kind": "other", "issuer": None}}),
    ("国家互联网信息办公室发布了《数字中国发展报告（2024年）》。",
     {"数字中国发展报告（2024年）": {"kind": "report", "issuer": "国家互联网信息办公室", "date": None}}),
    ("2025年3月，网信办印发《个人信息保护合规审计管理办法》。",
     {"个人信息保护合规审计管理办法": {"kind": "other", "issuer": "国家互联网信息办公室", "date": "2025-03"}}),
    ("信通院在今年6月发布的《全球数字经济白皮书》显示，规模持续增长。",
     {"全球数字经济白皮书": {"kind": "white_paper", "issuer": "中国信息通信研究院", "date": "2025-06"}}),
    ("《全球发展报告2025》蓝皮书在会上发布。", {"全球发展报告2025": {"kind": "blue_book", "issuer": None}}),
    ("《数字经济指数2025年版》报告认为，差距缩小。", {"数字经济指数2025年版": {"kind": "index"}}),
    ("2021年，中国提出全球发展倡议。", {"全球发展倡议": {"kind": "initiative", "issuer": "中国", "date": "2021"}}),
    ("各方围绕《联合国打击网络犯罪公约》开展磋商。", {"联合国打击网络犯罪公约": {"kind": "other", "issuer": None}}),
    ("去年，世界互联网大会发布《人工智能安全治理框架》。",
     {"人工智能安全治理框架": {"kind": "other", "issuer": "世界互联网大会国际组织", "date": "2024"}}),
    ("2018年，中国的政府工作报告中提出“智能+”行动计划。",
     {"政府工作报告": {"kind": "report", "issuer": "中国", "date": "2018"},
      "“智能+”行动计划": {"kind": "action_plan", "issuer": "中国", "date": "2018"}}),
    ("今年的乌镇峰会上，《世界互联网发展报告2025》蓝皮书发布。",
     {"世界互联网发展报告2025": {"kind": "blue_book", "date": "2025",
                                 "event": "2025年世界互联网大会乌镇峰会"}}),
    ("2022年，乌镇峰会开幕前夕，《数字丝路合作》白皮书发布。",
     {"数字丝路合作": {"kind": "white_paper", "date": "2022", "event": None}}),
    ("网信办发布《数据安全年度报告》《个人信息保护年度报告》等报告。",
     {"数据安全年度报告": {"kind": "report", "issuer": "国家互联网信息办公室"},
      "个人信息保护年度报告": {"kind": "report", "issuer": "国家互联网信息办公室"}}),
    ("网信办联合信通院等10家单位共同发起《数据合规倡议》。",
     {"数据合规倡议": {"kind": "initiative", "issuer": "国家互联网信息办公室"}}),
    ("11月7日，在2025年世界互联网大会乌镇峰会上，信通院发布《算力发展指数》。",
     {"算力发展指数": {"kind": "index", "issuer": "中国信息通信研究院", "date": "2025-11-07",
                       "event": "2025年世界互联网大会乌镇峰会"}}),
    ("数据安全高级别会议发表了《数据安全合作宣言》。",
     {"数据安全合作宣言": {"kind": "other", "issuer": None, "event": "数据安全高级别会议"}}),
    # 会上/当天/同日: the date and event of the sentence before
    ("2025年11月7日，2025年世界互联网大会乌镇峰会在乌镇开幕。会上发布了《乌镇展望2025》。",
     {"乌镇展望2025": {"kind": "other", "date": "2025-11-07", "event": "2025年世界互联网大会乌镇峰会"}}),
    ("11月7日，2025年世界互联网大会乌镇峰会在乌镇开幕，将持续至9日。当天下午，信通院发布了《算力发展报告2025》。",
     {"算力发展报告2025": {"issuer": "中国信息通信研究院", "date": "2025-11-07",
                           "event": "2025年世界互联网大会乌镇峰会"}}),
    ("2025年世界互联网大会乌镇峰会7日在乌镇开幕。同日，信通院发布了《数据要素白皮书》。",
     {"数据要素白皮书": {"kind": "white_paper", "date": "2025-11-07", "event": "2025年世界互联网大会乌镇峰会"}}),
    ("2025年世界互联网大会乌镇峰会7日在乌镇开幕。9日，信通院发布了《数据要素白皮书》。",
     {"数据要素白皮书": {"date": "2025-11-09", "event": None}}),
    # released at the article's event: the paragraph's day, the opening day for 开幕式上, else the year stated
    ("2025年世界互联网大会乌镇峰会7日在乌镇开幕。8日，嘉宾参观展会。峰会期间，信通院发布了《数据要素白皮书》。",
     {"数据要素白皮书": {"date": "2025-11-08", "event": "2025年世界互联网大会乌镇峰会"}}),
    ("2025年世界互联网大会乌镇峰会在乌镇举行。\n\n本届峰会于7日开幕。\n\n开幕式上，信通院发布了《数据要素白皮书》。",
     {"数据要素白皮书": {"date": "2025-11-07", "event": "2025年世界互联网大会乌镇峰会"}}),
    ("2025年世界互联网大会乌镇峰会在乌镇举行。\n\n大会上，信通院发布了《数据要素白皮书》。",
     {"数据要素白皮书": {"date": "2025", "event": "2025年世界互联网大会乌镇峰会"}}),  # only the event's year
    ("2025年世界互联网大会乌镇峰会在乌镇举行。\n\n9日，峰会期间，信通院发布了《数据要素白皮书》。",
     {"数据要素白皮书": {"date": "2025-11-09", "event": "2025年世界互联网大会乌镇峰会"}}),
    # not documents
    ("欢迎订阅《网络传播》杂志。", {}),
    ("**扫码订阅《中国信息安全》**", {}),
    ("他在《人民日报》上发表文章。", {}),
    ("《中国网信》刊登了专家文章。", {}),
    ("《网络安全法》明确了各方责任。", {}),
    ("从概念文件、行动倡议，再到实践案例，理念落地。", {}),
    # a head word alone in 《》 refers back to the document named before it: no new document
    ("信通院发布《数据要素白皮书》。《白皮书》指出，数据要素市场持续扩大。",
     {"数据要素白皮书": {"kind": "white_paper", "issuer": "中国信息通信研究院"}}),
    ("《报告》显示，我国网民规模达10.9亿人。", {}),
    ("《蓝皮书》认为，全球数字经济持续增长。", {}),
    # a known title belongs to its event when the article names it (no date from the event)
    ("党的二十大报告强调，加快建设网络强国。", {"党的二十大报告": {"kind": "report", "event": "党的二十大", "date": None}}),
    ("各地学习贯彻党的二十大精神。", {}),
    # a specific kind word right before the titles names their kind; the verb before it issues them
    ("中国网络空间研究院编写的蓝皮书《中国数字发展报告2025》和《全球数字发展报告2025》将在会上发布。",
     {"中国数字发展报告2025": {"kind": "blue_book", "issuer": "中国网络空间研究院"},
      "全球数字发展报告2025": {"kind": "blue_book", "issuer": "中国网络空间研究院"}}),
]

# text, orgs → issuer of the one document: the ORG span of kb_rules names it, with no record
# passed (not the country 中国 inside the name); a record's alias no span covers still does
ISSUERS = [
    ("中国网络空间研究院发布了《网络治理研究报告》。", [], "中国网络空间研究院"),
    ("中国网络空间研究院发布了《网络治理研究报告》。", ORGS, "中国网络空间研究院"),
    ("世界互联网大会发布了《数字治理研究报告》。", ORGS, "世界互联网大会国际组织"),
    ("中方发布了《数字治理研究报告》。", [], "中国"),
]


@pytest.mark.parametrize("text, orgs, issuer", ISSUERS)
def test_documents_issuer_from_org_spans(nlp, text, orgs, issuer):
    from kb.extract.documents import find_documents

    assert [d.issuer for d in find_documents(make_test_doc(nlp, text), orgs)] == [issuer]


@pytest.fixture(scope="module")
def finders():
    from kb.extract.documents import find_documents
    from kb.extract.events import find_events

    return find_events, find_documents


@pytest.mark.parametrize("text, expected", DOCUMENTS)
def test_documents_case_table(nlp, finders, text, expected):
    find_events, find_documents = finders
    doc = make_test_doc(nlp, text)
    found = {d.title: d for d in find_documents(doc, ORGS, find_events(doc))}
    assert set(found) == set(expected)
    for title, attributes in expected.items():
        assert {a: getattr(found[title], a) for a in attributes} == attributes


def test_documents_same_title_two_kinds(nlp, finders):
    _, find_documents = finders
    text = "2019年，组委会发布《数字合作》概念文件。2022年，《数字合作》白皮书发布。"
    kinds = [(d.title, d.kind) for d in find_documents(make_test_doc(nlp, text), [], [])]
    assert kinds == [("数字合作", "concept_paper"), ("数字合作", "white_paper")]


def test_documents_titles_in_a_row_share_kind_issuer_date_and_event(nlp, finders):
    find_events, find_documents = finders
    text = "2025年世界人工智能大会11日在上海开幕。12日，信通院在大会上发布《全球算力报告2025》和《中国算力报告2025》白皮书。"
    doc = make_test_doc(nlp, text)
    found = [(d.title, d.kind, d.issuer, d.date, d.event) for d in find_documents(doc, ORGS, find_events(doc))]
    assert found == [(title, "white_paper", "中国信息通信研究院", "2025-11-12", "2025年世界人工智能大会")
                     for title in ("全球算力报告2025", "中国算力报告2025")]


def test_documents_one_record_per_title_with_the_specific_kind(nlp, finders):
    _, find_documents = finders
    text = "《数字治理发展报告2025》蓝皮书今天发布。《数字治理发展报告2025》指出，治理水平稳步提升。"
    found = [(d.title, d.kind, len(d.provenance)) for d in find_documents(make_test_doc(nlp, text), [], [])]
    assert found == [("数字治理发展报告2025", "blue_book", 2)]


def test_documents_without_orgs_or_events(nlp, finders):
    _, find_documents = finders
    (document,) = find_documents(make_test_doc(nlp, "中国发布《全球数据安全倡议》。"))
    assert (document.issuer, document.provenance[0].rule) == ("中国", "documents.title:initiative")


def test_documents_seeds_match_gold(nlp, finders):
    from kb.extract.orgs.finder import find_organizations

    find_events, find_documents = finders
    for doc, gold in seed_docs(nlp):
        predicted = {f"{d.title}|{d.kind}": d for d in find_documents(doc, find_organizations(doc), find_events(doc))}
        for g in gold["documents"]:
            g["_key"] = f"{g['title']}|{g['kind']}"
        p, r, a = score_records(gold["documents"], predicted, ("kind", "issuer", "date", "event"))
        assert min(p, r, a) >= 0.95, (doc._.article.id, p, r, a)


# an event's start and end, the article's date → when a document released at it came out
EVENT_TIMES = [
    ("2025-07-08", "2025-07-08", None, "2025-07-08"),
    ("2025-11-20", "2025-11-22", None, "2025-11"),
    ("2025-11-30", "2025-12-02", None, "2025"),
    ("2025-11-20", None, None, "2025-11"),
    # the article dated on the opening day: released that day
    ("2025-11-20", None, "2025-11-20", "2025-11-20"),
    ("2025-11-20", None, "2025-11-21", "2025-11"),
    ("2025-11", None, "2025-11-20", "2025-11"),
    ("2025-11-20", "2025-11-22", "2025-11-20", "2025-11"),
    (None, "2025-11-22", None, "2025-11"),
    (None, "2025-11-22", "2025-11-22", "2025-11"),
    (None, None, "2025-11-22", "2025"),
]


@pytest.mark.parametrize("start, end, article_date, expected", EVENT_TIMES)
def test_documents_released_at_an_event_take_what_its_days_share(start, end, article_date, expected):
    from kb.extract.documents.released import time_of
    from kb.records.models import Event

    event = Event(name="2025年数字城市大会", kind="meeting", year=2025, start_date=start, end_date=end, evidence="")
    assert time_of(event.name, [event], article_date) == expected
    assert time_of("另一个大会", [event], article_date) is None


# text, article date → (title, event, date) of every document found: the article's event named
# as the one that puts the title out (作为大会…成果; 将在大会期间发布: still to come, no date),
# or on whose eve it came out (大会前夕: the event's year, no event)
OUTCOMES = [
    ("2025年世界互联网大会乌镇峰会11月20日至22日在乌镇举行。作为大会重要理论成果，《全球算力报告》和《数字经济展望》两份报告广受关注。",
     "2025-11-22", [("全球算力报告", "2025年世界互联网大会乌镇峰会", "2025-11"),
                    ("数字经济展望", "2025年世界互联网大会乌镇峰会", "2025-11")]),
    ("2025年世界互联网大会乌镇峰会11月20日在乌镇开幕。研究院编写的蓝皮书《全球算力报告》作为本次大会的重要成果，将在大会期间发布。",
     "2025", [("全球算力报告", "2025年世界互联网大会乌镇峰会", None)]),
    ("2025年世界互联网大会乌镇峰会11月20日在乌镇开幕。《全球算力报告》在大会期间发布。",
     "2025-11-21", [("全球算力报告", "2025年世界互联网大会乌镇峰会", "2025-11")]),
    ("2025年世界互联网大会乌镇峰会11月22日闭幕。大会前夕，组委会发布了《携手构建数字未来》概念文件。",
     "2025-11-22", [("携手构建数字未来", None, "2025")]),
    # no event in the article: nothing to name
    ("作为大会重要成果，《全球算力报告》广受关注。", "2025-11-22", [("全球算力报告", None, None)]),
    # the article's opening day: a release at the event dates from it
    ("11月20日，首届数字城市大会在北京开幕。大会主论坛发布了《数字城市倡议》。",
     "2025-11-20", [("数字城市倡议", "2025年数字城市大会", "2025-11-20")]),
]


@pytest.mark.parametrize("text, date, expected", OUTCOMES)
def test_documents_put_out_by_the_articles_event(nlp, finders, text, date, expected):
    find_events, find_documents = finders
    doc = make_test_doc(nlp, text, date)
    found = [(d.title, d.event, d.date) for d in find_documents(doc, [], find_events(doc))]
    assert found == expected


# a mention of each kind → the rule written into its provenance: `documents.<how>:<id>`
PROVENANCE_RULES = [
    ("组委会当天发布《乌镇展望2025》。", "documents.title:issued"),  # no head word: issued by its verb
    ("中国发布《全球数据安全倡议》。", "documents.title:initiative"),
    ("2018年，中国的政府工作报告中提出改革任务。", "documents.known:government-work-report"),
    ("中国提出“智能+”行动计划。", "documents.quoted:action-plan"),
    ("中国提出数字合作倡议。", "documents.after-verb:initiative"),
    ("信通院发布了《算力白皮书》，数据跨境流动研究报告。", "documents.listed:report"),
]


@pytest.mark.parametrize("text, rule", PROVENANCE_RULES)
def test_documents_provenance_names_a_rule_of_the_file(nlp, finders, text, rule):
    from kb.extract.documents import load_document_rules

    _, find_documents = finders
    assert rule in {p.rule for d in find_documents(make_test_doc(nlp, text), ORGS) for p in d.provenance}
    rules = load_document_rules()
    ids = {"title": {h.id for h in rules.heads} | {rules.issued.id}, "known": {k.id for k in rules.known}}
    how, rule_id = rule.removeprefix("documents.").split(":")
    assert rule_id in ids.get(how, {h.id for h in rules.heads})


@pytest.fixture
def rules_folder(tmp_path):
    """A copy of rules/ to edit."""
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(paths.ROOT / "rules", folder)
    return folder


# (file, text replaced, by, error) — each word list code reads must be in the files
MISSING_WORD_LISTS = [
    ("documents.yaml", "  - id: partners\n", "  - id: partner\n", r"documents.yaml: section 'words' lacks .*partners"),
    ("documents.yaml", "{id: opening, ", "{id: openings, ", r"documents.yaml: section 'at_event' lacks .*opening"),
    ("lexicon.yaml", "{id: this-occurrence, ", "{id: this, ", r"lexicon.yaml: section 'demonstratives' lacks"),
    ("events.yaml", "  - id: summit_nouns\n", "  - id: summits\n", r"events.yaml: section 'words' lacks .*summit"),
]


@pytest.mark.parametrize("name, old, new, message", MISSING_WORD_LISTS)
def test_documents_rules_missing_word_list(rules_folder, name, old, new, message):
    from kb.extract.documents import load_document_rules

    path = rules_folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with RuleSet(rules_folder).active(), pytest.raises(RuleError, match=message):
        load_document_rules()


def test_documents_partner_words_are_data(nlp, finders, rules_folder):
    """A word added to `partners` makes the organisation after it a partner, not the issuer."""
    _, find_documents = finders
    text = "网信办会同信通院发布《数据合规倡议》。"
    assert [d.issuer for d in find_documents(make_test_doc(nlp, text), ORGS)] == ["中国信息通信研究院"]
    path = rules_folder / "documents.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("words: [联合, 携手]", "words: [联合, 携手, 会同]", 1),
                    encoding="utf-8")
    with RuleSet(rules_folder).active():
        assert [d.issuer for d in find_documents(make_test_doc(nlp, text), ORGS)] == ["国家互联网信息办公室"]


# text, article date → (title, issuer, event) of every document found
RELEASES = [
    # the event named after the title: 《…》在…上发布
    ("2025年11月7日，2025年世界互联网大会乌镇峰会开幕。由中国信息通信研究院牵头编写的《全球算力报告》在2025年世界互联网大会乌镇峰会上发布。",
     "2025-11-07", [("全球算力报告", "中国信息通信研究院", "2025年世界互联网大会乌镇峰会")]),
    # a release going on without a subject of its own: the event of the one before in the paragraph
    ("2025年世界互联网大会乌镇峰会在乌镇开幕。此外，峰会还发布《数字合作倡议》。发布《全球算力报告》，展示发展成果。",
     "2025-11-07", [("数字合作倡议", None, "2025年世界互联网大会乌镇峰会"),
                    ("全球算力报告", None, "2025年世界互联网大会乌镇峰会")]),
]


@pytest.mark.parametrize("text, date, expected", RELEASES)
def test_documents_release_event_after_the_title_or_going_on(nlp, finders, text, date, expected):
    find_events, find_documents = finders
    doc = make_test_doc(nlp, text, date)
    found = [(d.title, d.issuer, d.event) for d in find_documents(doc, ORGS, find_events(doc))]
    assert found == expected


def test_documents_titles_in_a_row_counted_before_their_kind(nlp, finders):
    # 《A》、《B》和《C》三份报告: the count stands between the titles and the kind they share
    find_events, find_documents = finders
    text = "作为大会成果，《全球算力报告》、《数字经济展望》和《乌镇观察》三份报告广受关注。"
    found = [(d.title, d.kind) for d in find_documents(make_test_doc(nlp, text), [], [])]
    assert found == [("全球算力报告", "report"), ("数字经济展望", "report"), ("乌镇观察", "report")]


def test_documents_a_country_named_as_a_party_issues(nlp, finders):
    # 中方提出的…倡议: the issuer is the country
    find_events, find_documents = finders
    text = "这些原则与中方提出的《全球数据安全倡议》路径一致。"
    found = [(d.title, d.issuer) for d in find_documents(make_test_doc(nlp, text), [], [])]
    assert found == [("全球数据安全倡议", "中国")]


def test_documents_adopted_outcome_documents_and_their_annexes(nlp, finders):
    # 峰会通过了成果文件《A》及其附件《B》: the summit issues both
    find_events, find_documents = finders
    text = "当地时间2024年9月22日至23日，为期两天的联合国未来峰会在纽约召开。峰会通过了成果文件《未来契约》及其附件《全球数字契约》。"
    doc = make_test_doc(nlp, text, "2024-09-24")
    found = [(d.title, d.event, d.date) for d in find_documents(doc, [], find_events(doc))]
    assert found == [("未来契约", "2024年联合国未来峰会", "2024-09"), ("全球数字契约", "2024年联合国未来峰会", "2024-09")]
