"""Property and fuzz tests: bad input never crashes kb.

Whatever bytes a file holds, :func:`kb.ingest.articles.read_article` gives an
:class:`~kb.ingest.articles.Article` or an :class:`~kb.errors.InputError` naming the
file, never a traceback; cleaning keeps its map inside the original and in
order; extraction never raises and every provenance quote is the original
slice; the number normalisers never raise and give finite values or None.

Bounded: every property runs a fixed number of examples without deadline, so
the file takes well under a minute (the pkuseg pipeline is loaded once);
``KB_FUZZ_EXAMPLES`` raises the count for a deeper search.
"""

from __future__ import annotations

import copy

import json
import math
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import shutil

import networkx as nx
import yaml

from kb.cli import main as cli
from kb import paths
from kb.clean import clean_article, clean_text
from kb.errors import InputError, RuleError
from kb.extract import check_rules, extract_article
from kb.ingest.articles import parse_article, read_article
from kb.normalise.numbers import find_quantities, parse_number
from kb.records.models import SECTIONS

# KB_FUZZ_EXAMPLES=5000 for a deeper search than the suite's bounded run.
EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "80"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FEW = settings(max_examples=max(1, EXAMPLES // 5), deadline=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])

NEWS_TEXT = (
    "新华社北京11月20日电（记者 王思北）2024年世界互联网大会乌镇峰会今天开幕。"
    "据中国互联网络信息中心数据显示，我国网民规模达10.92亿人，互联网普及率达77.5%。"
)

# Pieces random articles are built from: real characters, digits, punctuation
# (brackets of every kind, often left open) and phrases the cleaner removes.
CHARS = "的一是在了和中国互联网大会世界乌镇峰会新华社北京日电记者发布报告白皮书网络安全协会研究院主席表示据数据显示亿万元个国家年月日第届網絡會議"
DIGITS = "0123456789０１２３"
PUNCT = "，。、；：？！“”‘’（）《》【】「」[]()<>-—~%‰.·:/# *_\n\t\u3000"
NOISE = [
    "扫码关注", "责任编辑：张三", "&amp;", "&#x4e2d;", "<br>", "<!--", "-->", "![](a.png)", "[链接](http://a.cn)",
    "網(wǎng)", "涓枃", "---", "***", "新华社北京11月8日电（记者 张三）", "中新網烏鎮11月11日電(張煜歡)",
    "2023年11月8日", "2023年0月0日", "53.9万亿元", "三分之二", "百分之三十", "9" * 60 + "亿", "1,800多个",
    "《世界互联网发展报告2023》蓝皮书", "“互联网+”行动计划", "世界互联网大会", "中国信息安全", "http://www.x.cn/a?b=1",
    "END", "\ufeff", "\ufffd", "\x07", "\u200b",
]
pieces = st.one_of(
    st.text(alphabet=CHARS, min_size=1, max_size=6),
    st.text(alphabet=DIGITS, min_size=1, max_size=4),
    st.text(alphabet=PUNCT, min_size=1, max_size=3),
    st.sampled_from(NOISE),
)
chinese_ish = st.lists(pieces, max_size=60).map("".join)

ABSURD = "9" * 500 + "万亿元"

# name, bytes: files that have broken something somewhere once
NASTY_FILES = [
    ("empty", b""),
    ("one-char", b"a"),
    ("one-han", "中".encode()),
    ("newline", b"\n"),
    ("bom-only", b"\xef\xbb\xbf"),
    ("utf8-cut", "中华人民共和国".encode()[:-1]),
    ("utf8-cut-one-byte", "中".encode()[:1]),
    ("utf8-cut-two-bytes", "中".encode()[:2]),
    ("gbk-cut", "中华人民共和国新闻".encode("gbk")[:-1]),
    ("gbk-cut-one-byte", "中".encode("gbk")[:1]),
    ("utf16-odd", b"\xff\xfe" + b"a"),
    ("utf16-lone-surrogate", b"\xff\xfe\x00\xd8"),
    ("megabyte-line", ("中" * 400_000).encode()),
    ("megabyte-ascii", b"a" * 1_000_000),
    ("nested-angles", b"<" * 100_000),
    ("nested-brackets", ("[[[[(" * 20_000).encode()),
    ("nested-images", ("![" * 50_000).encode()),
    ("nested-links", b"[" * 20_000 + b"](" * 20_000),
    ("open-brackets", "《（“【[(".encode() * 10_000),
    ("heading-of-spaces", b"# a" + b" " * 100_000 + b"b"),
    ("front-matter-open", b"---\ntitle: x\n"),
    ("front-matter-only", b"---\n"),
    ("front-matter-empty-body", b"---\n---\n"),
    ("front-matter-deep", b"---\n" + b"[" * 10_000 + b"\n---\nbody"),
    ("front-matter-bad-date", b"---\ndate: 2023-13-45\n---\nbody"),
    ("front-matter-bad-int", b"---\nn: !!int x\n---\nbody"),
    ("front-matter-bad-timestamp", b"---\nd: !!timestamp x\n---\nbody"),
    ("front-matter-python-tag", b"---\na: !!python/object:os.system x\n---\nbody"),
    ("front-matter-list", b"---\n- a\n---\nbody"),
    ("front-matter-unhashable-key", b"---\n? [1, 2]\n: 3\n---\nbody"),
    ("front-matter-odd-values", b"---\ntitle: {a: 1}\ndate: [1, 2]\nsource: !!binary AAAA\n---\nbody"),
    ("absurd-number", ABSURD.encode()),
    ("absurd-dateline", ("新华社北京" + "9" * 500 + "月" + "9" * 500 + "日电 正文").encode()),
    ("impossible-dates", "新华社北京2月30日电 2023年0月0日 2023年13月32日".encode()),
    ("control-characters", b"\x01" * 10),
]


def _read(tmp_path: Path, data: bytes) -> None:
    """Read ``data`` as an article: success, or an InputError naming the file."""
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    try:
        article = read_article(path)
    except InputError as err:
        assert str(path) in str(err) and "\n" not in str(err)
        return
    assert path.read_bytes().decode(article.encoding) == article.text


def _assert_mapped_inside(source: str, mapped) -> None:
    """Every clean character maps to a non-empty-or-point range inside ``source``, in order."""
    assert len(mapped.starts) == len(mapped.ends) == len(mapped.text)
    assert mapped.source_len == len(source)
    previous = 0
    for start, end in zip(mapped.starts, mapped.ends):
        assert 0 <= start <= end <= len(source)
        assert start >= previous  # monotone: clean order is original order
        previous = start


def _assert_quotes_are_slices(article, facts) -> None:
    for section in SECTIONS:
        for record in getattr(facts, section):
            for prov in record.provenance:
                assert 0 <= prov.start <= prov.end <= len(article.text)
                assert article.text[prov.start:prov.end] == prov.quote


# --- ingest ---------------------------------------------------------------------


@pytest.mark.parametrize("name, data", NASTY_FILES, ids=[n for n, _ in NASTY_FILES])
def test_fuzz_ingest_nasty_file_reads_or_names_the_file(tmp_path, name, data):
    _read(tmp_path, data)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_ingest_random_bytes(tmp_path, data):
    _read(tmp_path, data)


@FUZZ
@given(text=chinese_ish, encoding=st.sampled_from(["utf-8", "gb18030", "big5", "utf-16"]), cut=st.integers(0, 3))
def test_fuzz_ingest_truncated_encodings(tmp_path, text, encoding, cut):
    data = text.encode(encoding, errors="replace")
    _read(tmp_path, data[: max(0, len(data) - cut)])


@FUZZ
@given(meta=st.text(alphabet="abc:- []{}!&*?|>'\"#\n\t1209.", max_size=80), body=chinese_ish)
def test_fuzz_ingest_front_matter(tmp_path, meta, body):
    _read(tmp_path, f"---\n{meta}\n---\n{body}".encode())


@FUZZ
@given(meta=st.text(alphabet="abc: 12-\n", max_size=40), body=chinese_ish)
def test_fuzz_ingest_front_matter_left_open(tmp_path, meta, body):
    _read(tmp_path, f"---\n{meta}\n{body.replace('---', '')}".encode())


@FEW
@given(opener=st.sampled_from(list("<[(《（“【") + ["[[[[(", "![", "<!--"]), n=st.integers(1, 20_000))
def test_fuzz_ingest_deep_nesting(tmp_path, opener, n):
    _read(tmp_path, (opener * n).encode())


# --- cleaning -------------------------------------------------------------------


@FUZZ
@given(text=st.one_of(chinese_ish, st.text(max_size=300)))
def test_fuzz_clean_map_stays_inside_and_in_order(text):
    _assert_mapped_inside(text, clean_text(text))


@pytest.mark.parametrize("name, data", [c for c in NASTY_FILES if len(c[1]) < 200_000], ids=lambda v: v if isinstance(v, str) else "")
def test_fuzz_clean_nasty_text(name, data):
    text = data.decode("utf-8", errors="replace")
    _assert_mapped_inside(text, clean_text(text))


# --- extraction -----------------------------------------------------------------


def _article(text: str):
    try:
        return parse_article(text, Path("fuzz.txt"))
    except InputError:
        return None


@FUZZ
@given(text=chinese_ish)
def test_fuzz_extract_never_raises_and_quotes_are_slices(nlp, text):
    article = _article(text)
    assume(article is not None)
    _assert_mapped_inside(article.text, clean_article(article))
    _assert_quotes_are_slices(article, extract_article(nlp, article))


@FEW
@given(head=chinese_ish, tail=chinese_ish)
def test_fuzz_extract_real_news_with_noise_around(nlp, head, tail):
    article = _article(f"{head}\n{NEWS_TEXT}\n{tail}")
    assume(article is not None)
    _assert_quotes_are_slices(article, extract_article(nlp, article))


@pytest.mark.parametrize("text", [
    ABSURD, "规模达" + ABSURD, "网民" + "9" * 400 + "亿人", "0." + "0" * 400 + "1%", "《" * 3000, "“" * 3000 + NEWS_TEXT,
    "（" * 2000 + NEWS_TEXT + "）" * 10, "第" + "9" * 300 + "届世界互联网大会", "9" * 300 + "年世界互联网大会乌镇峰会",
], ids=["absurd", "absurd-claim", "absurd-count", "tiny-percent", "open-titles", "open-quotes", "open-parens",
        "absurd-edition", "absurd-year"])
def test_fuzz_extract_absurd_text(nlp, text):
    article = parse_article("标题\n" + text, Path("fuzz.txt"))
    _assert_quotes_are_slices(article, extract_article(nlp, article))


# --- normalisers ----------------------------------------------------------------

NUMBER_CHARS = "0123456789.,/%‰〇零一二两三四五六七八九十百千万亿点分之多余来几 "
numberish = st.one_of(st.text(alphabet=NUMBER_CHARS, max_size=40), st.text(max_size=20))


@FUZZ
@given(s=numberish)
def test_fuzz_parse_number_finite_or_none(s):
    value = parse_number(s)
    assert value is None or math.isfinite(value)


@FUZZ
@given(text=st.one_of(chinese_ish, st.lists(st.sampled_from([*NUMBER_CHARS, "个", "人", "元", "年", "%"]), max_size=60).map("".join)))
def test_fuzz_find_quantities_finite_and_inside(text):
    for q in find_quantities(text):
        assert math.isfinite(q.value)
        assert 0 <= q.start <= q.end <= len(text) and text[q.start:q.end] == q.text


@pytest.mark.parametrize("s", [
    "9" * 500, "9" * 500 + "万亿", "9" * 400 + "亿亿亿亿亿亿亿亿亿亿", "1e999", "1/0", "0/0", "九" * 500, "亿" * 200,
    "九千九百九十九万" * 60, "0." + "0" * 500 + "1", "1" + "0" * 308 + "分之1", "1/" + "0." + "0" * 400 + "1", "分之", "点",
])
def test_fuzz_parse_number_absurd_sizes(s):
    value = parse_number(s)
    assert value is None or math.isfinite(value)


@pytest.mark.parametrize("text", [ABSURD, "规模达" + ABSURD + "。", "共" + "9" * 400 + "个国家", "增长" + "9" * 400 + "%"])
def test_fuzz_find_quantities_absurd_sizes(text):
    for q in find_quantities(text):
        assert math.isfinite(q.value)


# --- a whole build ----------------------------------------------------------------

BUILDS = settings(max_examples=max(1, EXAMPLES // 10), deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NOT_XML = "".join(map(chr, [*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))
BRACKETS = "[](){}<>《》（）【】“”"


def _alias_bomb(levels: int = 8, width: int = 9) -> str:
    """Front matter whose ``title`` expands to width**levels items through YAML aliases."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join([*lines, f"title: *l{levels - 1}"])


# A front matter value: any text as a YAML double-quoted string (json escapes
# control characters as \u00XX, which YAML reads back as those characters),
# raw text, or YAML that goes wrong.
fm_value = st.one_of(
    st.text(alphabet=CHARS + NOT_XML + BRACKETS + "&*!", max_size=30).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.text(alphabet=CHARS + BRACKETS + " -:", max_size=30),
    st.builds(lambda b, n: b * n, st.sampled_from(list(BRACKETS)), st.integers(1, 3000)),
    st.sampled_from(["*a", "&a x", "!!binary AAAA", "2024-11-20", "2024-13-45", "[[[]]]", "{a: [1, {b: 2}]}"]),
)
front_matter = st.one_of(
    st.fixed_dictionaries({"title": fm_value, "source": fm_value, "date": fm_value, "url": fm_value})
    .map(lambda d: "\n".join(f"{k}: {v}" for k, v in d.items())),
    st.just(_alias_bomb()),
    st.builds(lambda b, n: b * n, st.sampled_from(["[", "{", "- [", "? ["]), st.integers(1, 5000)),
)
# A file name: text with control characters and brackets, or any bytes (often not UTF-8).
file_name = st.one_of(
    st.text(alphabet=CHARS + NOT_XML + BRACKETS + " _x.&'\"", max_size=12).map(lambda t: t.encode("utf-8")),
    st.binary(max_size=12),
)
fuzz_article = st.tuples(
    file_name,
    st.one_of(st.none(), front_matter),
    st.one_of(chinese_ish, chinese_ish.map(lambda t: t + NEWS_TEXT)),
    st.text(alphabet=NOT_XML, max_size=2),
)


def _write_articles(folder: Path, articles) -> None:
    """One file per article; names as raw bytes, so they need not be UTF-8."""
    (folder / "good.txt").write_text(NEWS_TEXT, encoding="utf-8")  # the build always has an article
    for number, (name, meta, body, controls) in enumerate(articles):
        clean_name = name.replace(b"/", b"_").replace(b"\0", b"_")
        text = (f"---\n{meta}\n---\n" if meta is not None else "") + body + controls
        with open(os.path.join(os.fsencode(folder), b"%d-%s.md" % (number, clean_name)), "wb") as handle:
            handle.write(text.encode("utf-8", errors="surrogatepass"))


def _parse_outputs(out: Path, schema) -> int:
    """Parse every file of a build back; how many there were."""
    files = sorted(p for p in out.rglob("*") if p.is_file())
    for path in files:
        if path.suffix == ".yaml":
            yaml.safe_load(path.read_text(encoding="utf-8"))
        elif path.suffix in (".graphml", ".gexf", ".svg"):
            ET.parse(path)  # well-formed XML
    schema.validate(str(out / "graph.graphml"))
    nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    nx.read_gexf(out / "graph.gexf")
    return len(files)


@pytest.fixture(scope="module")
def graphml_schema():
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(Path(__file__).parent / "data" / "graphml.xsd")


@BUILDS
@given(articles=st.lists(fuzz_article, min_size=1, max_size=3))
def test_fuzz_build_outputs_parse_back(tmp_path, graphml_schema, articles):
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        source, out = Path(folder) / "in", Path(folder) / "out"
        source.mkdir()
        _write_articles(source, articles)
        assert cli.main(["build", str(source), "--out", str(out), "--segmenter", "char", "--no-cache"]) == 0
        assert _parse_outputs(out, graphml_schema) >= 5 + len(SECTIONS)


# --- bad rule files ---------------------------------------------------------------

# rule file: (section of the rule to break, section whose `pattern` is a regex, or None)
RULE_TARGETS = {
    "claims": ("sources", "sources"),
    "documents": ("heads", None),
    "events": ("nouns", None),
    "known_words": ("words", None),
    "noise": ("noise", "noise"),
    "organizations": ("gazetteer", "markers"),
    "people": ("titles", "bylines"),
    "quantities": ("scales", "masks"),
}
RULE_MISTAKES = ["unknown-key", "missing-field", "wrong-type", "bad-regex", "backtracking-regex", "duplicate-id",
                 "invalid-yaml", "section-not-a-list", "empty-file", "alias-bomb", "deep-nesting", "gb18030"]
RULE_CASES = [
    (name, mistake)
    for name in RULE_TARGETS for mistake in RULE_MISTAKES
    if not mistake.endswith("-regex") or RULE_TARGETS[name][1]
]
# Documents any YAML reader may be given: (text, line of the error)
YAML_BOMBS = {
    "billion-laughs": (
        "\n".join(["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                  + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]) + "\n",
        2,
    ),
    "nested-100k-deep": ("deep: " + "[" * 100_000 + "\n", 1),
}


@pytest.fixture
def rules_copy(tmp_path, monkeypatch):
    """A copy of rules/ that KB_RULES_DIR points at; every rule file read afresh."""
    folder = tmp_path / "rules"
    shutil.copytree(paths.rules_dir(), folder)
    monkeypatch.setenv("KB_RULES_DIR", str(folder))
    yield folder
    monkeypatch.delenv("KB_RULES_DIR")


def _break(data: dict, section: str, regex_section: str | None, mistake: str) -> tuple[str, int]:
    """Break one rule of ``data`` in place; the section and index of the broken rule."""
    rule = data[section][0]
    if mistake == "unknown-key":
        rule["colour"] = "red"
    elif mistake == "missing-field":
        for key in [k for k in rule if k != "id"]:
            del rule[key]
    elif mistake == "wrong-type":
        rule[next(k for k in rule if k != "id")] = {"not": ["this"]}
    elif mistake.endswith("-regex"):
        data[regex_section][0]["pattern"] = "(unclosed[group" if mistake == "bad-regex" else "(a+)+$"
        return regex_section, 0
    elif mistake == "duplicate-id":
        data[section].append(copy.deepcopy(dict(data[section][1], id=rule["id"])))
        return section, len(data[section]) - 1
    return section, 0


def _line_of_rule(path: Path, section: str, index: int) -> int:
    from kb.rules.ruleset import read_rule_file  # its loader records every mapping's line

    return read_rule_file(path)[section][index]["__line__"]


@pytest.mark.parametrize("name, mistake", RULE_CASES)
def test_fuzz_bad_rule_file_names_file_line_and_rule(rules_copy, name, mistake):
    path = rules_copy / f"{name}.yaml"
    section, regex_section = RULE_TARGETS[name]
    text = path.read_text(encoding="utf-8")
    rule_id, line = None, None
    if mistake == "empty-file":
        path.write_text("", encoding="utf-8")
    elif mistake == "invalid-yaml":
        at = _line_of_rule(path, section, 0)
        lines = text.splitlines(keepends=True)
        path.write_text("".join(lines[:at - 1] + ['  - {id: broken, pattern: "unclosed\n'] + lines[at - 1:]),
                        encoding="utf-8")
    elif mistake in ("alias-bomb", "deep-nesting"):
        bomb, line = YAML_BOMBS["billion-laughs" if mistake == "alias-bomb" else "nested-100k-deep"]
        path.write_text(bomb + text, encoding="utf-8")
    elif mistake == "gb18030":
        path.write_bytes(text.encode("gb18030"))
    elif mistake == "section-not-a-list":
        data = yaml.safe_load(text)
        data[section] = "not a list"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    else:
        data = yaml.safe_load(text)
        broken_section, index = _break(data, section, regex_section, mistake)
        rule_id = data[broken_section][index]["id"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**9), encoding="utf-8")
        line = _line_of_rule(path, broken_section, index)
    with pytest.raises(RuleError) as caught:
        check_rules()
    err = caught.value
    assert err.path == str(path), str(err)
    assert err.line is not None, str(err)
    assert "\n" not in str(err)
    if line is not None:
        assert (err.line, err.rule_id) == (line, rule_id), str(err)


def _rule_file(tmp_path: Path, text: str) -> None:
    from kb.rules.ruleset import read_rule_file

    read_rule_file(tmp_path / "rules.yaml")


def _front_matter(tmp_path: Path, text: str) -> None:
    read_article(tmp_path / "article.md")


def _reviews(tmp_path: Path, text: str) -> None:
    from kb.review.verdicts import load_reviews

    load_reviews(tmp_path / "reviews.yaml")


# reader: (file it reads, the file's text around a YAML document, how far its lines are shifted)
YAML_READERS = {
    "rule-file": ("rules.yaml", "{}", 0, _rule_file),
    "front-matter": ("article.md", "---\n{}---\n正文。\n", 1, _front_matter),
    "reviews": ("reviews.yaml", "{}", 0, _reviews),
}


@pytest.mark.parametrize("bomb", YAML_BOMBS)
@pytest.mark.parametrize("reader", YAML_READERS)
def test_fuzz_yaml_bomb_is_one_line_naming_file_and_line(tmp_path, reader, bomb):
    import tracemalloc

    name, wrapper, shift, read = YAML_READERS[reader]
    document, line = YAML_BOMBS[bomb]
    (tmp_path / name).write_text(wrapper.format(document), encoding="utf-8")
    tracemalloc.start()
    with pytest.raises((InputError, RuleError)) as caught:
        read(tmp_path, document)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    err = caught.value
    assert (err.path, err.line) == (str(tmp_path / name), line + shift) and "\n" not in str(err), str(err)
    # Bounded work: refused at the first alias or too deep a level, so nothing is expanded
    # (the billion strings would take gigabytes); the margin covers modules loaded on first use.
    assert peak < 32 * 2**20
