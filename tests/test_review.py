"""Review verdicts: reject, correct, accept, orphans, bad corrections, and the
reviewer file that a build never overwrites (the dump: test_review_dump)."""

from __future__ import annotations

import os

import pytest

from kb.errors import InputError
from kb.records.models import ArticleFacts, Claim, Document, Event, Organization, Provenance
from kb.review.verdicts import (
    Verdict,
    apply_reviews,
    apply_reviews_to_articles,
    correct,
    init_reviews,
    load_reviews,
    merge_verdicts,
    reviews_yaml,
    save_reviews,
)

EVENT_ID = "event:2024年世界互联网大会乌镇峰会"
ORG_ID = "org:中国网络空间研究院"
OTHER_ORG_ID = "org:世界互联网大会"
DOC_ID = "doc:report:中国互联网发展报告2024"

# (record id, corrected fields, text the problem must contain)
BAD_CORRECTION_CASES = [
    (EVENT_ID, {"venue": "乌镇"}, "[corrected.venue] Extra inputs are not permitted"),
    (EVENT_ID, {"kind": "party"}, "[corrected.kind]"),
    (EVENT_ID, {"start_date": "2024-02-30"}, "[corrected.start_date]"),
    (EVENT_ID, {"year": "明年"}, "[corrected.year]"),
    (EVENT_ID, {"provenance": []}, "[provenance] cannot be corrected"),
    (ORG_ID, {"id": "org:别的"}, "[id] cannot be corrected"),
    (DOC_ID, {"title": ""}, "[corrected.title]"),
]

# (reviews.yaml bytes, or None for a directory; text the one-line error must contain)
MALFORMED_REVIEWS_CASES = {
    "unknown status": (f"{EVENT_ID}:\n  status: acepted\n", f"[{EVENT_ID}.status]"),
    "unknown key": (f"{EVENT_ID}:\n  status: accepted\n  reviewer: me\n", f"[{EVENT_ID}.reviewer]"),
    "broken YAML": (f"{EVENT_ID}: [\n", "not valid YAML"),
    "a list": ("- a list\n", "mapping from record id"),
    "verdict not a mapping": (f"{ORG_ID}: rejected\n", f"[{ORG_ID}]"),
    "alias": (f"{ORG_ID}: &v {{status: rejected}}\n{DOC_ID}: *v\n", "aliases"),
    "GBK": (f"{ORG_ID}:\n  status: rejected\n  note: 不是机构\n".encode("gbk"), "reviews.yaml:1: not UTF-8"),
    "GBK after line 1": (f"org:x:\n  status: rejected\n  note: 不是机构\n".encode("gbk"), "reviews.yaml:3: not UTF-8"),
    "UTF-16": (f"{ORG_ID}:\n  status: rejected\n".encode("utf-16"), "reviews.yaml:1: not UTF-8"),
    "a directory": (None, "cannot read"),
}

def _prov(doc: str, start: int, quote: str) -> Provenance:
    return Provenance(doc=doc, start=start, end=start + len(quote), quote=quote, rule="test.rule")


def _records():
    return [
        Event(name="2024年世界互联网大会乌镇峰会", kind="summit", year=2024, start_date="2024-11-20", location="乌镇",
              provenance=[_prov("a.txt", 0, "2024年世界互联网大会乌镇峰会")]),
        Organization(name="中国网络空间研究院", provenance=[_prov("a.txt", 40, "中国网络空间研究院")]),
        Document(title="中国互联网发展报告2024", kind="report", date="2024-11", provenance=[_prov("a.txt", 20, "《中国互联网发展报告2024》")]),
        Organization(name="世界互联网大会", provenance=[_prov("b.txt", 0, "世界互联网大会")]),
        Claim(text="近130家", value=130, unit="家", qualifier="approx", provenance=[_prov("b.txt", 9, "近130家")]),
    ]


def _by_id(records):
    return {r.id: r for r in records}


# ---------------------------------------------------------------- applying


def test_review_reject_leaves_record_out():
    kept, report = apply_reviews(_records(), {ORG_ID: Verdict(status="rejected", note="不是机构")})
    assert ORG_ID not in _by_id(kept) and len(kept) == 4
    assert report.rejected == [ORG_ID] and ORG_ID not in report.statuses


def test_review_correction_overrides_extracted_value():
    kept, report = apply_reviews(_records(), {EVENT_ID: Verdict(status="corrected", corrected={"location": "浙江乌镇", "end_date": "2024-11-22"})})
    event = _by_id(kept)[EVENT_ID]
    assert (event.location, event.end_date, event.start_date) == ("浙江乌镇", "2024-11-22", "2024-11-20")
    assert event.provenance == _records()[0].provenance
    assert report.corrected == [EVENT_ID] and report.statuses[EVENT_ID] == "corrected" and not report.problems


def test_review_correction_of_a_key_field_changes_the_id():
    kept, report = apply_reviews(_records(), {ORG_ID: Verdict(status="corrected", corrected={"name": "中国网络空间研究院（CAC）"})})
    assert "org:中国网络空间研究院(CAC)" in _by_id(kept)
    assert [p.kind for p in report.problems] == ["id_changed"]
    assert report.renamed == {ORG_ID: "org:中国网络空间研究院(CAC)"}


def test_review_correction_onto_an_existing_id_merges():
    kept, report = apply_reviews(_records(), {ORG_ID: Verdict(status="corrected", corrected={"name": "世界互联网大会"})})
    merged = _by_id(kept)[OTHER_ORG_ID]
    assert len(kept) == 4 and len(merged.provenance) == 2
    assert {p.kind for p in report.problems} == {"id_changed", "merged"}


def test_review_accept_marks_record():
    kept, report = apply_reviews(_records(), {DOC_ID: Verdict(status="accepted")})
    assert _by_id(kept)[DOC_ID] == _by_id(_records())[DOC_ID]
    assert report.accepted == [DOC_ID] and report.statuses[DOC_ID] == "accepted"
    assert report.statuses[ORG_ID] == "unreviewed"


def test_review_orphaned_verdict_is_reported():
    verdicts = {"org:已删除的机构": Verdict(status="rejected"), "org:空白": Verdict()}
    kept, report = apply_reviews(_records(), verdicts)
    assert len(kept) == 5
    assert report.orphans == ["org:已删除的机构"]
    assert [(p.record_id, p.kind) for p in report.problems] == [("org:已删除的机构", "orphan")]


@pytest.mark.parametrize("record_id,fields,message", BAD_CORRECTION_CASES)
def test_review_bad_correction_is_reported_not_raised(record_id, fields, message):
    kept, report = apply_reviews(_records(), {record_id: Verdict(status="corrected", corrected=fields)})
    assert _by_id(kept)[record_id] == _by_id(_records())[record_id]  # extracted values kept
    assert [p.kind for p in report.problems] == ["bad_correction"]
    assert message in report.problems[0].message
    assert report.corrected == [] and report.statuses[record_id] == "unreviewed"


def test_review_corrected_status_without_fields_is_reported():
    _, report = apply_reviews(_records(), {EVENT_ID: Verdict(status="corrected")})
    assert [p.kind for p in report.problems] == ["bad_correction"]


def test_review_corrections_with_another_status_are_ignored():
    kept, report = apply_reviews(_records(), {EVENT_ID: Verdict(status="accepted", corrected={"location": "北京"})})
    assert _by_id(kept)[EVENT_ID].location == "乌镇"
    assert [p.kind for p in report.problems] == ["ignored_correction"]


def test_review_correct_raises_for_unknown_field():
    with pytest.raises(ValueError, match=r"\[corrected.venue\]"):
        correct(_records()[0], {"venue": "乌镇"})


def test_review_apply_to_articles_judges_orphans_over_all_articles():
    records = _records()
    articles = [ArticleFacts.from_records("a.txt", None, records[:3]), ArticleFacts.from_records("b.txt", None, records[3:])]
    verdicts = {OTHER_ORG_ID: Verdict(status="rejected"), EVENT_ID: Verdict(status="accepted"), "org:无": Verdict(status="accepted")}
    out, report = apply_reviews_to_articles(articles, verdicts)
    assert [len(a.records()) for a in out] == [3, 1]
    assert report.orphans == ["org:无"] and report.accepted == [EVENT_ID] and report.rejected == [OTHER_ORG_ID]


# ---------------------------------------------------------------- files


def test_review_file_round_trip(tmp_path):
    verdicts = {EVENT_ID: Verdict(status="corrected", note="日期", corrected={"end_date": "2024-11-22"}), ORG_ID: Verdict(status="rejected")}
    path = save_reviews(tmp_path / "reviews.yaml", verdicts)
    assert load_reviews(path) == verdicts
    assert path.read_bytes() == reviews_yaml(dict(reversed(verdicts.items()))).encode("utf-8")
    assert "乌镇峰会" in path.read_text(encoding="utf-8")


def test_review_file_missing_is_empty(tmp_path):
    assert load_reviews(tmp_path / "reviews.yaml") == {}


def test_review_file_reads_unquoted_dates_as_text(tmp_path):
    path = tmp_path / "reviews.yaml"
    path.write_text(f"{EVENT_ID}:\n  status: corrected\n  note:\n  corrected:\n    end_date: 2024-11-22\n", encoding="utf-8")
    assert load_reviews(path)[EVENT_ID] == Verdict(status="corrected", corrected={"end_date": "2024-11-22"})


@pytest.mark.parametrize("data,message", MALFORMED_REVIEWS_CASES.values(), ids=MALFORMED_REVIEWS_CASES.keys())
def test_review_file_malformed_raises_input_error(tmp_path, data, message):
    path = tmp_path / "reviews.yaml"
    if data is None:
        path.mkdir()
    else:
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    with pytest.raises(InputError, match="reviews.yaml") as err:
        load_reviews(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_review_file_duplicate_id_names_both_lines(tmp_path):
    path = tmp_path / "reviews.yaml"
    path.write_text(f"{ORG_ID}:\n  status: rejected\n{DOC_ID}:\n  status: accepted\n{ORG_ID}:\n  status: accepted\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"reviews\.yaml:5: record id {ORG_ID} appears 2 times \(lines 1 and 5\)"):
        load_reviews(path)


def test_review_file_with_utf8_bom_is_read(tmp_path):
    path = tmp_path / "reviews.yaml"
    path.write_bytes(f"{ORG_ID}:\n  status: rejected\n  note: 重复\n".encode("utf-8-sig"))
    assert load_reviews(path) == {ORG_ID: Verdict(status="rejected", note="重复")}


def test_review_init_never_overwrites_reviewer_file(tmp_path):
    path = tmp_path / "reviews.yaml"
    assert init_reviews(path) is True
    assert load_reviews(path) == {}
    path.write_text(f"{ORG_ID}:\n  status: rejected\n", encoding="utf-8")
    before = path.read_bytes(), path.stat().st_mtime_ns
    assert init_reviews(path, {EVENT_ID: Verdict(status="accepted")}) is False
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert os.listdir(tmp_path) == ["reviews.yaml"]


def test_review_save_leaves_no_temp_files(tmp_path):
    save_reviews(tmp_path / "reviews.yaml", {ORG_ID: Verdict(status="rejected")})
    save_reviews(tmp_path / "reviews.yaml", {ORG_ID: Verdict(status="accepted")})
    assert os.listdir(tmp_path) == ["reviews.yaml"]
    assert load_reviews(tmp_path / "reviews.yaml") == {ORG_ID: Verdict(status="accepted")}


# ---------------------------------------------------------------- merging verdicts


def test_review_merge_edited_verdict_replaces_old_one():
    merged, changed = merge_verdicts({DOC_ID: Verdict(status="accepted")}, {DOC_ID: Verdict(status="rejected", note="错")})
    assert merged == {DOC_ID: Verdict(status="rejected", note="错")} and changed == [DOC_ID]


def test_review_merge_blank_verdict_never_erases():
    merged, changed = merge_verdicts({DOC_ID: Verdict(status="accepted")}, {DOC_ID: Verdict()})
    assert merged == {DOC_ID: Verdict(status="accepted")} and changed == []
