"""Organisations: gazetteer, markers, name shapes, the outlet; end to end on the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.evaluate import match_records
from kb.extract.orgs import find_organizations, org_rules
from kb.ingest import Article
from kb.nlp import make_doc
from kb.offsets import Mapped
from kb.paths import ROOT

GOLD = Path("/work/shared/gold/seeds") if Path("/work/shared/gold/seeds").is_dir() else ROOT / "tests" / "gold"

# (sentence, expected canonical names) — written for these tests.
FOUND = [
    ("清华大学网络研究院院长李明表示，合作仍需加强。", ["清华大学网络研究院"]),
    ("据中国信息通信研究院发布的数据，产业规模持续扩大。", ["中国信息通信研究院"]),
    ("北京大学国际关系学院教授王芳认为，规则亟待完善。", ["北京大学国际关系学院"]),
    ("浙江省互联网信息办公室近日发布通知。", ["浙江省互联网信息办公室"]),
    ("全国信息安全标准化技术委员会公布了新标准。", ["全国信息安全标准化技术委员会"]),
    ("工信部与国家数据局联合召开会议。", ["工业和信息化部", "国家数据局"]),
    ("腾讯和华为的代表出席了会议。", ["腾讯", "华为"]),
    ("联合国开发计划署与国际电联签署协议。", ["联合国开发计划署", "国际电信联盟"]),
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
]
ALIASES = [
    ("世界互联网大会秘书长出席会议。", "世界互联网大会国际组织", ["世界互联网大会"]),
    ("中新网北京5月6日电 记者从会上获悉。", "中国新闻网", ["中新网"]),
    ("欢迎订阅《中国信息安全》杂志。", "中国信息安全", ["中国信息安全杂志"]),
]
RULES = [
    ("全文如下。（来源：光明网）", "光明网", "marker-source-note"),
    ("新华社北京11月20日电 会议今日开幕。", "新华社", "marker-dateline"),
    ("中国工程院院士出席。", "中国工程院", "gaz-cae"),
    ("清华大学网络研究院发布报告。", "清华大学网络研究院", "head-research"),
]


def article_doc(nlp, text: str, source: str | None = None, front: str = ""):
    full = front + text
    article = Article(
        id="t.txt", path=Path("t.txt"), text=full, encoding="utf-8", body_start=len(front),
        title="", date=None, date_how="unknown", source=source,
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
    from kb.extract.orgs import GazetteerEntry, load_section, rule_path

    for entry in load_section(rule_path("organizations"), "gazetteer", GazetteerEntry):
        for name in (entry.name, *entry.aliases):
            assert seen.setdefault(name, entry.id) == entry.id, f"{name} in {seen[name]} and {entry.id}"
    assert rules.entries


def seed_scores(nlp, seed: Path, record_type: str, find) -> tuple[int, int, int]:
    from kb.clean import clean_article
    from kb.ingest import read_article

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
