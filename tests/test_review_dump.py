"""The review dump (kb.review.dump): one file per record type, no anchors, the
review blocks read back, orphaned verdicts kept across builds, duplicate ids
and wrong shapes reported with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.errors import InputError
from kb.store.build import write_build
from kb.query import KnowledgeBase
from kb.records.models import ArticleFacts, Claim, Document, Event, Organization, Provenance
from kb.review.verdicts import Verdict, apply_reviews, load_reviews, save_reviews
from kb.review.dump import (
    collect_verdicts, merge_dump_into_reviews, read_verdicts_from_dump, section_of_id, write_facts)

ORG_ID = "org:中国网络空间研究院"
OTHER_ORG_ID = "org:世界互联网大会"
EVENT_ID = "event:2024年世界互联网大会乌镇峰会"
DOC_ID = "doc:report:中国互联网发展报告2024"
REJECTED = {"status": "rejected", "note": "重复", "corrected": {}}

# How verdicts may share objects in memory: the dump must still give each record its own block.
SHARED = Verdict(status="accepted", note="核实")
SHARED_FIELDS = {"location": "乌镇"}
SHARED_VERDICT_CASES = {
    "no verdicts": {},
    "one verdict object for all": {rid: SHARED for rid in (ORG_ID, OTHER_ORG_ID, EVENT_ID, DOC_ID)},
    "one corrected dict for two": {
        EVENT_ID: Verdict(status="corrected", corrected=SHARED_FIELDS),
        "event:不存在的会议": Verdict(status="corrected", corrected=SHARED_FIELDS),
    },
}

# (file, text, message): dump files kb cannot read, each a one-line error naming the file
BAD_DUMP_CASES = [
    ("organizations.yaml", "- id: org:光明网\n", "expected a mapping"),
    ("organizations.yaml", "organizations: org:光明网\n", "[organizations] expected a list"),
    ("organizations.yaml", "organizations:\n- org:光明网\n", "[organizations.0] entry has no id"),
    ("organizations.yaml", "organizations:\n- name: 光明网\n", "organizations.yaml:2: [organizations.0] entry has no id"),
    ("organizations.yaml", "organizations: []\nverdicts: []\n", "expected a mapping"),
    ("events.yaml", "events:\n- id: event:x\n  review: &a {status: rejected}\n- id: event:y\n  review: *a\n", "aliases"),
    ("claims.yaml", "claims: [\n", "not valid YAML"),
    ("people.yaml", "people:\n- id: person:张三\n  review: {note: 重复}\n".encode("gbk"), "not UTF-8"),
    ("people.yaml", "people: []\n".encode("utf-16"), "not UTF-8"),
    ("people.yaml", None, "cannot read"),  # a directory
]


def _prov(doc: str, start: int, quote: str) -> Provenance:
    return Provenance(doc=doc, start=start, end=start + len(quote), quote=quote, rule="test.rule")


def _records():
    return [
        Organization(name="中国网络空间研究院", provenance=[_prov("a.txt", 40, "中国网络空间研究院")]),
        Event(name="2024年世界互联网大会乌镇峰会", kind="summit", year=2024, start_date="2024-11-20",
              provenance=[_prov("a.txt", 0, "2024年世界互联网大会乌镇峰会")]),
        Document(title="中国互联网发展报告2024", kind="report", date="2024-11", provenance=[_prov("a.txt", 20, "《中国互联网发展报告2024》")]),
        Claim(text="近130家", value=130, unit="家", qualifier="approx", time="2024", provenance=[_prov("b.txt", 5, "近130家")]),
        Organization(name="世界互联网大会", provenance=[_prov("b.txt", 0, "世界互联网大会")]),
    ]


def _articles(*docs: str) -> list[ArticleFacts]:
    records = _records()
    return [ArticleFacts.from_records(doc, None, [r for r in records if r.provenance[0].doc == doc]) for doc in docs]


def _build(out: Path, *docs: str) -> KnowledgeBase:
    """What `kb build` does: read the verdicts, build, write every output."""
    kb = KnowledgeBase(_articles(*docs), verdicts=collect_verdicts(out))
    write_build(kb, out)
    return kb


def _edit_dump(dump: Path, section: str, record_id: str, review: dict) -> None:
    path = dump / f"{section}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(entry for entry in data[section] if entry["id"] == record_id)["review"] = review
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _anchors(text: str) -> list[yaml.Token]:
    return [t for t in yaml.scan(text) if isinstance(t, (yaml.AnchorToken, yaml.AliasToken))]


# ---------------------------------------------------------------- writing


def test_review_dump_one_file_per_type(tmp_path):
    paths = write_facts(_records(), tmp_path / "facts", {})
    assert [p.name for p in paths] == ["events.yaml", "organizations.yaml", "people.yaml", "documents.yaml", "claims.yaml"]
    people = yaml.safe_load((tmp_path / "facts" / "people.yaml").read_text(encoding="utf-8"))
    assert people == {"people": []}


def test_review_dump_entries_have_id_fields_provenance_review(tmp_path):
    verdicts = {ORG_ID: Verdict(status="accepted", note="核实")}
    write_facts(_records(), tmp_path, verdicts)
    text = (tmp_path / "organizations.yaml").read_text(encoding="utf-8")
    assert "中国网络空间研究院" in text  # allow_unicode: no \u escapes
    orgs = yaml.safe_load(text)["organizations"]
    assert [o["id"] for o in orgs] == sorted(o["id"] for o in orgs)
    accepted = next(o for o in orgs if o["id"] == ORG_ID)
    assert accepted["review"] == {"status": "accepted", "note": "核实", "corrected": {}}
    assert accepted["provenance"][0]["quote"] == "中国网络空间研究院"
    other = next(o for o in orgs if o["id"] != ORG_ID)
    assert other["review"] == {"status": "unreviewed", "note": "", "corrected": {}}
    events = yaml.safe_load((tmp_path / "events.yaml").read_text(encoding="utf-8"))["events"]
    assert events[0]["start_date"] == "2024-11-20" and events[0]["year"] == 2024


def test_review_dump_is_deterministic(tmp_path):
    verdicts = {"org:不存在的机构": Verdict(status="rejected"), DOC_ID: Verdict(status="accepted")}
    write_facts(_records(), tmp_path / "one", verdicts)
    write_facts(list(reversed(_records())), tmp_path / "two", dict(reversed(verdicts.items())))
    for name in ("events", "organizations", "documents", "claims"):
        assert (tmp_path / "one" / f"{name}.yaml").read_bytes() == (tmp_path / "two" / f"{name}.yaml").read_bytes()


@pytest.mark.parametrize("verdicts", SHARED_VERDICT_CASES.values(), ids=SHARED_VERDICT_CASES.keys())
def test_review_dump_has_no_anchors(tmp_path, verdicts):
    for path in write_facts(_records(), tmp_path, verdicts):
        assert _anchors(path.read_text(encoding="utf-8")) == [], path.name


def test_review_dump_editing_one_block_changes_only_that_record(tmp_path):
    built = _build(tmp_path, "a.txt", "b.txt")
    path = tmp_path / "facts" / "organizations.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))  # a reader that would follow aliases
    block = next(e for e in data["organizations"] if e["id"] == ORG_ID)["review"]
    block["status"] = "corrected"
    block["corrected"]["founded"] = "2014"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rebuilt = _build(tmp_path, "a.txt", "b.txt")
    changed = [r.id for r in rebuilt.merged.records() if r != built.merged.get(r.id)]
    assert changed == [ORG_ID] and rebuilt.merged.get(ORG_ID).founded == "2014"
    assert rebuilt.review.corrected == [ORG_ID]


# ---------------------------------------------------------------- orphans


def test_review_dump_keeps_orphaned_verdicts(tmp_path):
    write_facts(_records(), tmp_path, {"org:不存在的机构": Verdict(status="rejected"), "claim:000000000000": Verdict(status="accepted")})
    orgs = yaml.safe_load((tmp_path / "organizations.yaml").read_text(encoding="utf-8"))
    assert orgs["orphans"] == [{"id": "org:不存在的机构", "review": {"status": "rejected", "note": "", "corrected": {}}}]
    assert [o["id"] for o in yaml.safe_load((tmp_path / "claims.yaml").read_text(encoding="utf-8"))["orphans"]] == ["claim:000000000000"]
    assert "orphans" not in yaml.safe_load((tmp_path / "events.yaml").read_text(encoding="utf-8"))
    assert set(read_verdicts_from_dump(tmp_path)) == {"org:不存在的机构", "claim:000000000000"}


def test_review_dump_verdict_survives_a_build_without_its_article(tmp_path):
    _build(tmp_path, "a.txt", "b.txt")
    _edit_dump(tmp_path / "facts", "organizations", OTHER_ORG_ID, REJECTED)
    without = _build(tmp_path, "a.txt")  # b.txt moved away, or unreadable this time
    assert without.review.orphans == [OTHER_ORG_ID]
    assert load_reviews(tmp_path / "reviews.yaml") == {}  # the reviewer's file is not written
    back = _build(tmp_path, "a.txt", "b.txt")
    assert back.review.rejected == [OTHER_ORG_ID] and back.merged.get(OTHER_ORG_ID) is None
    dump = yaml.safe_load((tmp_path / "facts" / "organizations.yaml").read_text(encoding="utf-8"))
    assert next(e for e in dump["organizations"] if e["id"] == OTHER_ORG_ID)["review"] == REJECTED
    assert "orphans" not in dump


@pytest.mark.parametrize("record_id,section", [
    (ORG_ID, "organizations"), (EVENT_ID, "events"), (DOC_ID, "documents"), ("person:张三", "people"),
    ("claim:0123456789ab", "claims"), ("机构:无前缀", "events"),
])
def test_review_dump_section_of_id(record_id, section):
    assert section_of_id(record_id) == section


# ---------------------------------------------------------------- reading


def test_review_dump_verdicts_read_back_from_edited_dump(tmp_path):
    write_facts(_records(), tmp_path)
    assert read_verdicts_from_dump(tmp_path) == {}
    _edit_dump(tmp_path, "organizations", ORG_ID, REJECTED)
    _edit_dump(tmp_path, "events", EVENT_ID, {"status": "corrected", "note": None, "corrected": {"location": "浙江乌镇"}})
    verdicts = read_verdicts_from_dump(tmp_path)
    assert verdicts == {ORG_ID: Verdict(status="rejected", note="重复"), EVENT_ID: Verdict(status="corrected", corrected={"location": "浙江乌镇"})}
    kept, _ = apply_reviews(_records(), verdicts)
    assert ORG_ID not in {r.id for r in kept} and next(r for r in kept if r.id == EVENT_ID).location == "浙江乌镇"


def test_review_dump_shows_existing_verdicts(tmp_path):
    verdicts = {DOC_ID: Verdict(status="accepted", note="ok")}
    write_facts(_records(), tmp_path, verdicts)
    assert read_verdicts_from_dump(tmp_path) == verdicts


def test_review_dump_malformed_block_names_file_and_id(tmp_path):
    write_facts(_records(), tmp_path)
    _edit_dump(tmp_path, "documents", DOC_ID, {"status": "maybe"})
    with pytest.raises(InputError, match=r"documents\.yaml.*\[doc:report:中国互联网发展报告2024\.review\.status\]"):
        read_verdicts_from_dump(tmp_path)


@pytest.mark.parametrize("name,data,message", BAD_DUMP_CASES)
def test_review_dump_unreadable_file_is_one_line_error(tmp_path, name, data, message):
    path = tmp_path / name
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with pytest.raises(InputError, match=name) as err:
        read_verdicts_from_dump(tmp_path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_review_dump_duplicate_id_in_one_file_names_both_lines(tmp_path):
    path = tmp_path / "organizations.yaml"
    path.write_text(f"organizations:\n- id: {ORG_ID}\n  review: {{status: rejected}}\norphans:\n"
                    f"- id: {ORG_ID}\n  review: {{status: accepted}}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"organizations\.yaml:5: record id {ORG_ID} appears 2 times \(lines 2 and 5\)"):
        read_verdicts_from_dump(tmp_path)


def test_review_dump_duplicate_id_in_two_files_names_both(tmp_path):
    (tmp_path / "events.yaml").write_text(f"events:\n- id: {ORG_ID}\n  review: {{status: rejected}}\n", encoding="utf-8")
    (tmp_path / "organizations.yaml").write_text(f"organizations: []\norphans:\n- id: {ORG_ID}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"organizations\.yaml:3: .* is also at .*events\.yaml:2"):
        read_verdicts_from_dump(tmp_path)


def test_review_dump_merge_keeps_existing_verdicts(tmp_path):
    reviews = tmp_path / "reviews.yaml"
    save_reviews(reviews, {"org:已删除的机构": Verdict(status="rejected"), DOC_ID: Verdict(status="accepted")})
    dump = tmp_path / "facts"
    write_facts(_records(), dump)  # a dump written without the verdicts: all blank
    _edit_dump(dump, "organizations", ORG_ID, REJECTED)
    assert merge_dump_into_reviews(dump, reviews) == [ORG_ID]
    assert load_reviews(reviews) == {
        "org:已删除的机构": Verdict(status="rejected"),
        DOC_ID: Verdict(status="accepted"),
        ORG_ID: Verdict(status="rejected", note="重复"),
    }
    assert merge_dump_into_reviews(dump, reviews) == []
