from __future__ import annotations

from pathlib import Path

import pytest

from kb.clean.mojibake import LOST, UNKNOWN, UNREADABLE, Broken, find_unrepaired, repair_mojibake
from kb.paths import ROOT

SEED_003 = ROOT / "seeds" / "003_2cdfacaa30bd1702.txt"

# The four broken spots of seed 003, as on disk → as repaired.
REPAIRED = [
    ("技術(shù)?!拔覀兤诖?zhù)向中國學(xué)習", f"技術(shù)。“我們期{UNKNOWN}向中國學(xué)習"),
    ("“我們期待參與到其中來(lái)?!?/p>", "“我們期待參與到其中來(lái)。”</p>"),
    # the same spot with no quote left open: quotes alternate, so this one opens
    ("他說其中來?!?/p>", "他說其中來。“</p>"),
    ("縮影?!笔澜缁ヂ?lián)網(wǎng)大會(huì )副理事長", "縮影。”世界互聯網(wǎng)大會(huì )副理事長"),
    ("新華章?!笔澜缁ヂ?lián)網(wǎng)大會(huì )秘書(shū)長", "新華章。”世界互聯網(wǎng)大會(huì )秘書(shū)長"),
]

UNTOUCHED = [
    "心向“網(wǎng)”之:為何是烏鎮?",
    "為何是烏鎮?烏鎮峰會能成為世界互聯網發展的“聚光燈”",
    "为何是乌镇？乌镇峰会能成为世界互联网发展的“聚光灯”",
    "真的嗎?!我們不信。",
    "What?! 42 is the answer? Yes!",
    "世界互聯(lián)網(wǎng)大會(huì )",
    "?",
    "??!!",
    "?鄔賀銓院士",
    "",
]

# (input, known words, reports as (broken text, reason, hint))
REPORTED = [
    ("技術(shù)?!拔覀兤诖?zhù)向中國", None, [("诖?zhù)", LOST, "zhù")]),
    ("“我們參與到其中來(lái)?!?/p>", None, []),
    ("“我們參與到其中來(lái)?!?/p>", (), [("?!?", UNREADABLE, "")]),
    ("縮影?!笔澜缁ヂ?lián)網(wǎng)大會(huì )", None, []),
    ("縮影?!笔澜缁ヂ?lián)網(wǎng)大會(huì )", (), [("?!", LOST, ""), ("ヂ?lián)", LOST, "lián")]),
    ("心向“網(wǎng)”之:為何是烏鎮?", None, []),
]


def _seed_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("text,expected", REPAIRED)
def test_mojibake_repairs_seed_spots(text, expected):
    assert repair_mojibake(text).text == expected


@pytest.mark.parametrize("text", UNTOUCHED)
def test_mojibake_leaves_normal_text(text):
    mapped = repair_mojibake(text)
    assert mapped.text == text
    assert find_unrepaired(text) == []


@pytest.mark.parametrize("name", ["000_32fc2a06f9675989.txt", "001_2a564194b7dcf398.txt", "002_52204ac7a635acee.txt"])
def test_mojibake_leaves_clean_seeds(name):
    text = (ROOT / "seeds" / name).read_text(encoding="utf-8")
    assert repair_mojibake(text).text == text
    assert find_unrepaired(text) == []


@pytest.mark.parametrize("line", [n for n in range(12)])
def test_mojibake_leaves_first_lines_of_seed_003(line):
    text = _seed_lines(SEED_003)[line]
    assert repair_mojibake(text).text == text


def test_mojibake_seed_003_changes_only_broken_lines():
    before = _seed_lines(SEED_003)
    after = repair_mojibake(SEED_003.read_text(encoding="utf-8")).text.splitlines()
    changed = [i + 1 for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after)
    assert changed == [14, 27, 36]


@pytest.mark.parametrize("text,known_words,reports", REPORTED)
def test_mojibake_reports_what_stays_broken(text, known_words, reports):
    found = find_unrepaired(text, known_words=known_words)
    assert [(b.text, b.reason, b.hint) for b in found] == reports
    assert all(text[b.start : b.end] == b.text for b in found)


def test_mojibake_half_character_needs_a_known_word():
    text = "縮影?!笔澜缁ヂ?lián)網(wǎng)大會(huì )"
    assert repair_mojibake(text, known_words=()).text == f"縮影{UNKNOWN}”世界互{UNKNOWN}網(wǎng)大會(huì )"


def test_mojibake_ambiguous_known_words_restore_nothing():
    # Only the lead byte c2 survives; 聯 (c293) and 聨 (c28e) both fit it.
    text = "縮影?!笔澜缁ヂ?lián)網(wǎng)大會(huì )"
    words = ("。”", "世界互聯網大會", "世界互聨網大會")
    assert repair_mojibake(text, known_words=words).text == f"縮影。”世界互{UNKNOWN}網(wǎng)大會(huì )"


def test_mojibake_map_keeps_untouched_neighbours():
    text = "縮影?!笔澜缁ヂ?lián)網(wǎng)大會(huì )"
    mapped = repair_mojibake(text)
    out = mapped.text
    for i, ch in enumerate(out):
        if i < out.index("。") or i > out.index("聯"):
            start, end = mapped.span(i, i + 1)
            assert text[start:end] == ch
    run = text.index("?"), text.index("網")
    assert mapped.span(out.index("。"), out.index("聯") + 1) == run


def test_mojibake_map_covers_whole_seed():
    text = SEED_003.read_text(encoding="utf-8")
    mapped = repair_mojibake(text)
    assert mapped.source_len == len(text)
    assert len(mapped.starts) == len(mapped.text)
    tail = mapped.text.rindex("說")
    assert text[slice(*mapped.span(tail, tail + 1))] == "說"


def test_mojibake_broken_is_in_input_offsets():
    text = "前文。技術(shù)?!拔覀兤诖?zhù)向"
    (broken,) = find_unrepaired(text)
    assert broken == Broken(text.index("诖"), text.index("向"), "诖?zhù)", LOST, "zhù")
