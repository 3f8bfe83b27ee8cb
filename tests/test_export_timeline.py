"""The timeline picture (kb.export.timeline) of the gold facts: a real PNG of the expected
size with content, lanes per series and record type, year-only dates as year-long
bars, undated records listed apart, deterministic SVG, no font warnings."""

from __future__ import annotations

import io
import logging
import warnings
import xml.etree.ElementTree as ET
from datetime import date

import networkx as nx
import numpy as np
import pytest
from matplotlib import image

from kb.export.timeline import (
    FONT_STACK, TYPE_NAMES, timeline_items, timeline_png, timeline_svg, write_timeline, write_timeline_png)

SVG = "{http://www.w3.org/2000/svg}"
SERIES_LANE = "世界互联网大会"
EVENTS_LANE, DOCUMENTS_LANE = TYPE_NAMES["event"], TYPE_NAMES["document"]

# (node, lane, first day, last day, precision) on the gold timeline.
ITEM_CASES = [
    ("event:2024年世界互联网大会乌镇峰会", SERIES_LANE, date(2024, 11, 19), date(2024, 11, 22), "day"),
    ("event:2014年世界互联网大会", SERIES_LANE, date(2014, 11, 1), date(2014, 11, 30), "month"),
    ("event:2022年世界互联网大会乌镇峰会", SERIES_LANE, date(2022, 1, 1), date(2022, 12, 31), "year"),
    ("event:数字丝路发展论坛:2024", EVENTS_LANE, date(2024, 4, 1), date(2024, 4, 30), "month"),
    ("event:世界互联网领先科技成果发布活动", EVENTS_LANE, date(2016, 1, 1), date(2016, 12, 31), "year"),
    ("doc:report:政府工作报告", DOCUMENTS_LANE, date(2015, 1, 1), date(2015, 12, 31), "year"),
    ("doc:initiative:全球数据安全倡议", DOCUMENTS_LANE, date(2020, 9, 1), date(2020, 9, 30), "month"),
]
UNDATED = ["event:世界人工智能大会", "doc:compact:全球数字契约"]


@pytest.fixture(scope="module")
def items(gold_graph):
    return {item.node: item for item in timeline_items(gold_graph)}


@pytest.fixture(scope="module")
def svg_root(gold_graph) -> ET.Element:
    return ET.fromstring(timeline_svg(gold_graph).encode("utf-8"))


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("node,lane,first,last,precision", ITEM_CASES)
def test_export_timeline_item(items, node, lane, first, last, precision):
    item = items[node]
    assert (item.lane, item.span, item.precision) == (lane, (first, last), precision)


def test_export_timeline_lanes_in_order(gold_graph):
    lanes = [item.lane for item in timeline_items(gold_graph) if item.span]
    assert list(dict.fromkeys(lanes)) == [SERIES_LANE, EVENTS_LANE, DOCUMENTS_LANE]


def test_export_timeline_forums_share_their_summits_lane(gold_graph, items):
    held = [u for u, v, k in gold_graph.edges(keys=True) if k == "part_of" and items[v].lane == SERIES_LANE]
    assert held and all(items[u].lane == SERIES_LANE for u in held)


def test_export_timeline_undated_listed_apart(items, svg_root):
    assert all(items[node].span is None for node in UNDATED)
    listed = "".join(t for t in _texts(svg_root) if t.startswith("无日期") or "、" in t)
    assert all(items[node].label in listed for node in UNDATED)
    rows = [t for t in _texts(svg_root) if t == items[UNDATED[0]].label]
    assert rows == []  # in the list, not drawn as a row


def test_export_timeline_time_axis_years(svg_root):
    texts = _texts(svg_root)
    assert [str(y) for y in range(2014, 2026)] == [t for t in texts if t.isdigit() and len(t) == 4]


def test_export_timeline_svg_names_cjk_fonts_in_order(svg_root):
    label = "2024年世界互联网大会乌镇峰会"
    style = next(t.get("style") for t in svg_root.iter(f"{SVG}text") if label in (t.text or ""))
    family = style.split("font-family:", 1)[1].split(";", 1)[0]
    assert [f.strip(" '") for f in family.split(",")] == [*FONT_STACK, "sans-serif"]


def test_export_timeline_svg_is_deterministic(gold_graph):
    reordered = nx.MultiDiGraph()
    reordered.add_nodes_from(reversed(list(gold_graph.nodes(data=True))))
    reordered.add_edges_from(reversed(list(gold_graph.edges(keys=True, data=True))))
    assert timeline_svg(gold_graph) == timeline_svg(reordered)
    assert "<dc:date>" not in timeline_svg(gold_graph)


def test_export_timeline_png_is_a_real_picture(gold_graph, tmp_path):
    path = write_timeline_png(gold_graph, tmp_path / "timeline.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = image.imread(path)
    dated = sum(1 for i in timeline_items(gold_graph) if i.span)
    height, width = pixels.shape[:2]
    assert width == 1200 and dated * 30 < height < dated * 30 + 300  # 0.3 inch a row at 100 dpi
    rgb = (pixels[..., :3] * 255).round()
    assert (rgb.min(axis=2) < 250).mean() > 0.03  # not blank
    for colour in ((0x1F, 0x77, 0xB4), (0xD6, 0x27, 0x28)):  # event and document markers/bars
        assert (np.abs(rgb - colour).max(axis=2) < 8).any(), colour


def test_export_timeline_no_font_warnings(gold_graph, caplog):
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.DEBUG, "matplotlib.font_manager"):
        warnings.simplefilter("always")
        timeline_png(gold_graph)
        timeline_svg(gold_graph)
        assert logging.getLogger("matplotlib.font_manager").level == logging.DEBUG  # left as it was
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_export_timeline_labels_are_text_not_math():
    graph = nx.MultiDiGraph()
    graph.add_node("event:x", type="event", label="收入$5亿 & <峰会>", start_date="2024-05-01")
    text = timeline_svg(graph)
    assert "收入$5亿 &amp; &lt;峰会&gt;" in text
    png = timeline_png(graph)
    assert image.imread(io.BytesIO(png)).shape[1] == 1200


def test_export_timeline_format_by_suffix(gold_graph, tmp_path):
    assert write_timeline(gold_graph, tmp_path / "t.PNG").read_bytes()[:4] == b"\x89PNG"
    assert write_timeline(gold_graph, tmp_path / "t.svg").read_bytes().startswith(b"<?xml")
