"""Merging across articles: aliases, scripts, provenance, disagreements, conflicts, series."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.merge import Variant, claim_series, fold, merge_facts
from kb.records.models import ArticleFacts, load_article_facts

GOLD_FILES = sorted((Path(__file__).parent / "gold").glob("*.yaml"))
SUMMIT_2024 = {"name": "2024年世界互联网大会乌镇峰会", "kind": "summit", "year": 2024, "evidence": "…"}

FOLD_CASES = [
    ("世界互聯網大會", "世界互联网大会"),
    ("《全球數據安全倡議》", "全球数据安全倡议"),
    ("“直通烏鎮”全球互聯網大賽", "直通乌镇全球互联网大赛"),
    ("ＡＰＥＣ", "apec"),
]

# (organisations of article a, of article b, merged names, merged aliases of the first)
ORG_CASES = [
    ([{"name": "中国新闻网", "aliases": ["中新网"]}], [{"name": "中新网"}], ["中国新闻网"], ["中新网"]),
    ([{"name": "中新网"}], [{"name": "中国新闻网", "aliases": ["中新网"]}], ["中国新闻网"], ["中新网"]),
    ([{"name": "世界互聯網大會組委會"}], [{"name": "世界互联网大会组委会"}], ["世界互联网大会组委会"], []),
    ([{"name": "中國新聞網", "aliases": ["中新網"]}], [{"name": "中新网"}], ["中國新聞網"], ["中新網"]),
    ([{"name": "世界互联网大会国际组织", "aliases": ["世界互联网大会"]}],
     [{"name": "世界互联网大会组委会", "aliases": ["世界互联网大会"]}],
     ["世界互联网大会国际组织", "世界互联网大会组委会"], ["世界互联网大会"]),
]


def facts(doc: str, **sections: list[dict]) -> ArticleFacts:
    """Hand-made facts of one article; evidence defaults to '…'."""
    filled = {k: [{"evidence": "…", **r} for r in v] for k, v in sections.items()}
    return ArticleFacts.model_validate({"doc": doc, "doc_date": "2024-11-21", **filled})


def mention(doc: str, quote: str, start: int = 0) -> dict:
    return {"doc": doc, "start": start, "end": start + len(quote), "quote": quote, "rule": "test"}


def claim(value: float, time: str | None = "2024", text: str | None = None, **extra) -> dict:
    return {"text": text or f"{value}个", "value": value, "unit": "会员", "metric": "会员数",
            "subject": "世界互联网大会国际组织", "time": time, **extra}


@pytest.fixture(scope="module")
def gold():
    return merge_facts(load_article_facts(p) for p in GOLD_FILES)


@pytest.mark.parametrize("text_in, text_out", FOLD_CASES)
def test_merge_fold(text_in, text_out):
    assert fold(text_in) == text_out


@pytest.mark.parametrize("orgs_a, orgs_b, names, aliases", ORG_CASES)
def test_merge_organizations_by_name_alias_and_script(orgs_a, orgs_b, names, aliases):
    merged = merge_facts([facts("a.txt", organizations=orgs_a), facts("b.txt", organizations=orgs_b)])
    by_name = sorted(merged.organizations, key=lambda o: names.index(o.name))
    assert [o.name for o in by_name] == names
    assert by_name[0].aliases == aliases


def test_merge_same_summit_from_three_articles_is_one_event_with_all_provenance():
    articles = [
        facts("a.txt", events=[{**SUMMIT_2024, "provenance": [mention("a.txt", "乌镇峰会")]}]),
        facts("b.txt", events=[{**SUMMIT_2024, "provenance": [mention("b.txt", "乌镇峰会", 9)]}]),
        facts("c.txt", events=[{**SUMMIT_2024, "name": "2024年世界互聯網大會烏鎮峰會",
                                "provenance": [mention("c.txt", "烏鎮峰會", 3)]}]),
    ]
    merged = merge_facts(articles)
    assert [e.id for e in merged.events] == ["event:2024年世界互联网大会乌镇峰会"]
    assert [p.doc for p in merged.events[0].provenance] == ["a.txt", "b.txt", "c.txt"]
    assert merged.docs_of("event:2024年世界互联网大会乌镇峰会") == ["a.txt", "b.txt", "c.txt"]


def test_merge_events_of_different_years_stay_apart():
    other = {**SUMMIT_2024, "name": "2023年世界互联网大会乌镇峰会", "year": 2023}
    merged = merge_facts([facts("a.txt", events=[SUMMIT_2024]), facts("b.txt", events=[other])])
    assert len(merged.events) == 2


def test_merge_fills_missing_values_from_later_articles(gold):
    summit = gold.get("event:2014年世界互联网大会")
    assert (summit.start_date, summit.location, summit.edition) == ("2014-11", "乌镇", 1)
    assert gold.docs_of(summit.id) == ["002_52204ac7a635acee.txt", "003_2cdfacaa30bd1702.txt"]


def test_merge_more_precise_date_refines_without_disagreement(gold):
    assert gold.get("org:世界互联网大会国际组织").founded == "2022-07-12"
    assert gold.get("doc:initiative:携手构建网络空间命运共同体行动倡议").date == "2020-11"
    assert gold.disagreements == []


def test_merge_disagreeing_values_are_kept_with_their_articles():
    merged = merge_facts([
        facts("a.txt", events=[{**SUMMIT_2024, "location": "乌镇"}]),
        facts("b.txt", events=[{**SUMMIT_2024, "location": "烏鎮"}]),
        facts("c.txt", events=[{**SUMMIT_2024, "location": "桐乡"}]),
    ])
    assert merged.events[0].location == "乌镇"
    [disagreement] = merged.disagreements
    assert (disagreement.record, disagreement.field) == ("event:2024年世界互联网大会乌镇峰会", "location")
    assert disagreement.values == [Variant(value="乌镇", docs=["a.txt", "b.txt"]), Variant(value="桐乡", docs=["c.txt"])]


def test_merge_documents_same_title_other_kind_stay_apart(gold):
    ids = [d.id for d in gold.documents if d.title == "携手构建网络空间命运共同体"]
    assert ids == ["doc:concept_paper:携手构建网络空间命运共同体", "doc:white_paper:携手构建网络空间命运共同体"]


def test_merge_people_roles_united_across_scripts():
    merged = merge_facts([
        facts("a.txt", people=[{"name": "任贤良", "roles": [{"title": "秘书长", "organization": "世界互联网大会"}]}]),
        facts("b.txt", people=[{"name": "任賢良", "roles": [{"title": "秘書長", "organization": "世界互聯網大會"},
                                                             {"title": "主任"}]}]),
    ])
    [person] = merged.people
    assert person.name == "任贤良"
    assert [(r.title, r.organization) for r in person.roles] == [("秘书长", "世界互联网大会"), ("主任", None)]


def test_merge_same_claim_from_two_articles_is_one_claim():
    merged = merge_facts([facts("a.txt", claims=[claim(170, text="170余个")]),
                          facts("b.txt", claims=[claim(170, text="170多个", subject="世界互聯網大會國際組織")])])
    [one] = merged.claims
    assert merged.docs_of(one.id) == ["a.txt", "b.txt"]
    assert merged.conflicts == []


def test_merge_claim_subject_matched_through_alias():
    orgs = [{"name": "世界互联网大会国际组织", "aliases": ["世界互联网大会"]}]
    merged = merge_facts([facts("a.txt", organizations=orgs, claims=[claim(170)]),
                          facts("b.txt", claims=[claim(170, subject="世界互联网大会")])])
    assert len(merged.claims) == 1


def test_merge_different_values_at_one_time_are_a_conflict():
    merged = merge_facts([facts("a.txt", claims=[claim(170)]), facts("b.txt", claims=[claim(130)])])
    assert sorted(c.value for c in merged.claims) == [130, 170]
    [conflict] = merged.conflicts
    assert (conflict.metric, conflict.subject, conflict.time) == ("会员数", "世界互联网大会国际组织", "2024")
    assert [c.value for c in conflict.claims] == [170, 130]


def test_merge_claims_without_subject_are_never_a_conflict():
    merged = merge_facts([facts("a.txt", claims=[claim(1, subject=None)]), facts("b.txt", claims=[claim(2, subject=None)])])
    assert merged.conflicts == []


def test_merge_same_metric_at_different_times_is_a_series(gold):
    series = {(s.metric, s.subject): [(c.time, c.value) for c in s.claims] for s in claim_series(gold.claims)}
    assert series[("会员数", "世界互联网大会国际组织")] == [("2023", 130), ("2024", 170)]
    assert series[("制定国家网络安全战略的国家数", "全球")] == [("2020", 107), ("2024", 132)]


def test_merge_does_not_depend_on_article_order():
    articles = [load_article_facts(p) for p in GOLD_FILES]
    assert merge_facts(articles) == merge_facts(reversed(articles))


@pytest.mark.parametrize("name, year, expected", [
    ("世界互聯網大會", None, "org:世界互联网大会国际组织"),
    ("中新網", None, "org:中国新闻网"),
    ("“互联网之光”博览会", None, None),  # 2022 and 2023: ambiguous without a year
    ("“互联网之光”博览会", 2022, "event:互联网之光博览会:2022"),
    ("中国", None, None),
])
def test_merge_resolve(gold, name, year, expected):
    assert gold.resolve(name, year=year) == expected


# (article, its date, start_date stated) of one summit → the start date kept
PICKS = [
    # a plan announced in January loses to the reports of the event, whatever the file order
    ([("a.txt", "2024-01-15", "2024-10-20"), ("b.txt", "2024-11-21", "2024-11-20")], "2024-11-20"),
    ([("a.txt", "2024-11-21", "2024-11-20"), ("b.txt", "2024-01-15", "2024-10-20")], "2024-11-20"),
    # both reports: the value most articles state
    ([("a.txt", "2024-11-22", "2024-11-19"), ("b.txt", "2024-11-22", "2024-11-20"),
      ("c.txt", "2024-11-23", "2024-11-20")], "2024-11-20"),
    # a tie keeps the first article's value
    ([("a.txt", "2024-11-22", "2024-11-19"), ("b.txt", "2024-11-22", "2024-11-20")], "2024-11-19"),
]


@pytest.mark.parametrize("stated, expected", PICKS)
def test_merge_picks_what_reports_of_the_event_and_most_articles_say(stated, expected):
    articles = [ArticleFacts.model_validate({"doc": doc, "doc_date": date, "events": [
        {**SUMMIT_2024, "start_date": start, "evidence": "…"}]}) for doc, date, start in stated]
    merged = merge_facts(articles)
    assert merged.events[0].start_date == expected
    assert len(merged.disagreements) == 1  # the other value stays visible
