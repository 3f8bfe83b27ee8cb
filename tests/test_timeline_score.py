"""`kb eval --timeline REF OUT`: a build's summit timeline against reference summits."""

from __future__ import annotations

import json

import pytest

from kb.cli import main as cli
from kb.errors import InputError
from kb.paths import ROOT
from kb.records.models import Event
from kb.evaluate.timeline_score import load_reference, score_timeline

SEED_REFERENCE = ROOT / "tests" / "data" / "seed_summits.yaml"

REFERENCE = [
    {"year": 2023, "start_date": "2023-11-08", "end_date": "2023-11-10", "location": "乌镇", "theme": None},
    {"year": 2024, "start_date": "2024-11-19", "location": "乌镇"},
]


def _event(**fields) -> Event:
    return Event(evidence="written for this test", **fields)


SUMMIT_2023 = _event(name="2023年世界互联网大会乌镇峰会", kind="summit", year=2023, start_date="2023-11-08",
                     end_date="2023-11-10", location="烏鎮", theme=None)

# (events of the knowledge base, fields right, wrong (year, field) pairs, a note that must be there)
SCORE_CASES = [
    ([SUMMIT_2023], 4, [(2024, "start_date"), (2024, "location")], "2024: no summit record"),
    ([SUMMIT_2023.model_copy(update={"theme": "数字未来"}), _event(name="2024年世界互联网大会乌镇峰会", kind="summit", year=2024,
      start_date="2024-11-20", location="乌镇")], 4, [(2023, "theme"), (2024, "start_date")], None),
    ([SUMMIT_2023, SUMMIT_2023.model_copy(update={"name": "世界互联网大会乌镇峰会"}),
      _event(name="2023年世界互联网大会数字丝路发展论坛", kind="forum", year=2023)], 4, [(2024, "start_date"), (2024, "location")],
     "2023: 2 summit records"),
    ([SUMMIT_2023, _event(name="2015年世界互联网大会", kind="summit", year=2015)], 4,
     [(2024, "start_date"), (2024, "location")], "not in the reference (not scored): 2015"),
]

BAD_REFERENCES = [
    ("summits: [\n  - year: 2024\n  location: x\n", "not valid YAML"),
    ("- year: 2024\n", "expected `summits:`"),
    ("summits:\n  - location: 乌镇\n", "integer `year`"),
    ("summits:\n  - {year: 2024, place: 乌镇}\n", "unknown summit fields: place"),
]


@pytest.mark.parametrize("events, right, wrong, note", SCORE_CASES)
def test_timeline_score_fields(events, right, wrong, note):
    score = score_timeline(REFERENCE, events)
    assert (score.right, score.total) == (right, 6)
    assert [(w.year, w.field) for w in score.wrong] == wrong
    assert note is None or any(note in n for n in score.notes), score.notes


@pytest.mark.parametrize("text, message", BAD_REFERENCES)
def test_timeline_score_bad_reference_names_the_file(tmp_path, text, message):
    path = tmp_path / "ref.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=rf"ref\.yaml.*{message}"):
        load_reference(path)


@pytest.fixture(scope="module")
def seed_build(nlp, tmp_path_factory):
    out = tmp_path_factory.mktemp("build")
    assert cli.main(["build", str(ROOT / "seeds"), "--out", str(out), "--no-cache"]) == 0
    return out


def test_timeline_score_seed_build_matches_the_seeds_reference(seed_build, capsys):
    capsys.readouterr()
    assert cli.main(["eval", "--timeline", str(SEED_REFERENCE), str(seed_build), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["right"], result["total"], result["wrong"]) == (20, 20, [])


def test_timeline_score_cli_lists_wrong_fields(seed_build, tmp_path, capsys):
    reference = tmp_path / "ref.yaml"
    reference.write_text("summits:\n  - {year: 2024, start_date: '2024-11-20', theme: null}\n  - {year: 2019, location: 乌镇}\n",
                         encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["eval", "--timeline", str(reference), str(seed_build)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("summit timeline: 0/3 fields right (0.000)")
    assert "- 2024 start_date: expected '2024-11-20', found '2024-11-19'" in out
    assert "- 2024 theme: expected None, found '拥抱以人为本" in out
    assert "note: 2019: no summit record" in out
