"""Repair GBK text that was decoded one byte out of step.

What the broken runs are
------------------------
The article was GBK bytes (pinyin annotations ``網(wǎng)`` already in them).
At one spot the decoder lost step by one byte: a lone byte became ``?``,
and from then on every character was read from the *trail* byte of one
character and the *lead* byte of the next, until an ASCII byte or an invalid
pair (shown as another ``?``, which swallows the ASCII byte after it) put it
back in step. Fullwidth forms were later made halfwidth (``！`` → ``!``)::

    。“我們期待著(zhù)  a1a3 a1b0 ced2 8283 c6da b4fd d6f8 28 7a68a8b429
    ?!拔覀兤诖?zhù)   a1 | a3a1 b0ce d282 83c6 dab4 | fdd6f828 | 7a68a8b429

Re-encoding the run in GBK and pairing its bytes the other way round gives
back every character whose two bytes are both inside the run (``“我們期``).
The first and the last character keep only one byte (``?a3``, ``b4?``); a
half character is restored only where a known word from
``rules/known_words.yaml`` fits it and its neighbours, and no other word
does (``世界互?網大會`` → ``聯``). Nothing else is guessed.

What is repaired
----------------
A run is ``?``, then characters that are two bytes in GBK (or ``!,:;``
standing for their fullwidth forms), then optionally ``?`` and the orphan
rest of a pinyin annotation or HTML tag whose opening byte the ``?``
swallowed. It is rewritten only when the characters read straight are
rare (a quarter or more outside the common sets) and at least three
characters read out of step are all common. The common sets come from the
codecs: GB2312 level 1 and Big5 level 1 hanzi, and CJK punctuation.

The rewrite replaces the whole run: recovered characters, one ``U+FFFD``
for a half character that stays unknown (and whatever the closing ``?``
hid), and the orphan pinyin dropped. :func:`find_unrepaired` reports what
stays broken, in offsets of the same input; a run with evidence of a
swallowed byte but too little left to read is reported and left as is.
Runs not starting with ``?`` and other codecs are not handled.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from kb.clean.offsets import MapBuilder, Mapped
from kb.rules.ruleset import Rule, load_section, rule_builder, rule_path

UNKNOWN = "\ufffd"
LOST = "lost"  # a half character of a repaired run that no known word fixes
UNREADABLE = "unreadable"  # a broken run with too little left to read
_CONTEXT = 40  # characters of context a known word is matched against
_RARE_SHARE = 0.25  # the straight reading must be at least this rare
_MIN_RECOVERED = 3  # whole characters the out-of-step reading must give

_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ "
_HALFWIDTH = "!,:;"  # stand for ！，：； that a later step made halfwidth
_ANNOTATION = re.compile(rf"\([{_PINYIN}]+\)")
_RUN = re.compile(
    rf"\?(?P<body>(?:[{_HALFWIDTH}]|[^\x00-\x7f\s？])+)"
    rf"(?:(?P<close>\?)(?P<orphan>[{_PINYIN}]+\)|/[A-Za-z][A-Za-z0-9]*>)?)?"
)


@dataclass(frozen=True, slots=True)
class Broken:
    """``text[start:end]`` of the input stays broken.

    ``reason`` is :data:`LOST` (part of a repaired run: its byte is gone) or
    :data:`UNREADABLE` (a run with too little left to read); ``hint`` is the
    orphan pinyin of a lost character, if the run had one.
    """

    start: int
    end: int
    text: str
    reason: str
    hint: str = ""


@dataclass(frozen=True, slots=True)
class _Finding:
    start: int
    end: int
    new: str | None  # None: leave the run as it is
    broken: tuple[Broken, ...]


class KnownWord(Rule):
    """A word that may fix a character of which one byte survived."""

    text: str


def repair_mojibake(text: str, *, known_words: Iterable[str] | None = None) -> Mapped:
    """``text`` with its out-of-step GBK runs read in step, mapped back to ``text``.

    ``known_words`` replaces the words of ``rules/known_words.yaml``.
    """
    out = MapBuilder(text)
    pos = 0
    for found in _analyse(text, known_words):
        if found.new is not None:
            out.keep(pos, found.start)
            out.replace(found.start, found.end, found.new)
            pos = found.end
    out.keep(pos, len(text))
    return out.build()


def find_unrepaired(text: str, *, known_words: Iterable[str] | None = None) -> list[Broken]:
    """What :func:`repair_mojibake` leaves broken, in offsets of ``text``."""
    return [b for found in _analyse(text, known_words) for b in found.broken]


def _analyse(text: str, known_words: Iterable[str] | None) -> list[_Finding]:
    words: tuple[str, ...] | None = None if known_words is None else tuple(known_words)
    findings = []
    for run in _RUN.finditer(text):
        data = _gbk_bytes(run["body"])
        if data is None:
            continue
        recovered = _read_out_of_step(data)
        if recovered is not None and _reads_better(run["body"], recovered):
            if words is None:
                words = load_known_words()
            findings.append(_repair(text, run, data, recovered, words, _line_before(text, run.start(), findings)))
        elif run["orphan"]:  # the closing ? swallowed a byte: evidence of a break
            findings.append(_short_run(text, run, data, load_known_words() if words is None else words, findings))
    return findings


def _line_before(text: str, pos: int, findings: list[_Finding]) -> str:
    """The line up to ``pos``, with the repairs already made in it applied."""
    start = text.rfind("\n", 0, pos) + 1
    parts, cursor = [], start
    for found in findings:
        if found.new is not None and start <= found.start and found.end <= pos:
            parts += [text[cursor : found.start], found.new]
            cursor = found.end
    return "".join(parts) + text[cursor:pos]


def _repair(
    text: str, run: re.Match[str], data: bytes, recovered: str, words: tuple[str, ...], line: str
) -> _Finding:
    before = _ANNOTATION.sub("", line)
    after = _ANNOTATION.sub("", text[run.end() : run.end() + _CONTEXT])
    first = _fix_half(before, recovered, data[0], 1, words)
    last = _fix_half(before + (first or UNKNOWN) + recovered, after, data[-1], 0, words)
    start, body, end = run.start(), run.start("body"), _run_end(run)
    broken = []
    if first is None:
        broken.append(Broken(start, body + 1, text[start : body + 1], LOST))
    if last is None:
        tail = run.end("body") - 1
        broken.append(Broken(tail, end, text[tail:end], LOST, _pinyin_hint(run)))
    new = (first or UNKNOWN) + recovered + (last or UNKNOWN)
    return _Finding(run.start(), end, new, tuple(broken))


def _run_end(run: re.Match[str]) -> int:
    """Where the run ends: an orphan pinyin belongs to it, an orphan tag does not."""
    return run.end() if _pinyin_hint(run) else run.end("close") if run["close"] else run.end()


def _pinyin_hint(run: re.Match[str]) -> str:
    orphan = run["orphan"] or ""
    return orphan[:-1].strip() if orphan.endswith(")") else ""


def _short_run(text: str, run: re.Match[str], data: bytes, words: tuple[str, ...], findings: list) -> _Finding:
    """A run of one character read out of step: both its halves must be fixed by a known word."""
    if len(data) == 2:
        line = _ANNOTATION.sub("", _line_before(text, run.start(), findings))
        pair = _fix_pair(line, text[run.end() :], data[0], data[1], words)
        if pair and (run["orphan"] or "").startswith("/"):  # the lost byte was the tag's "<"
            return _Finding(run.start(), run.end(), pair + "<" + run["orphan"], ())
        if pair:
            return _Finding(run.start(), _run_end(run), pair, ())
    return _unreadable(run)


def _fix_pair(left: str, right: str, first: int, last: int, words: Iterable[str]) -> str | None:
    """The two adjacent characters of a known word that end in byte ``first`` and start with ``last``."""
    fits = set()
    for word in words:
        for k in range(len(word) - 1):
            a, b = word[k], word[k + 1]
            if (
                _gbk_byte(a, 1) == first and _gbk_byte(b, 0) == last
                and left.endswith(word[:k]) and right.startswith(word[k + 2 :])
            ):
                fits.add(a + b)
    if len(fits) == 2 and {p[1] for p in fits} == _QUOTES and len({p[0] for p in fits}) == 1:
        fits = {next(iter(fits))[0] + _quote_by_balance(left)}
    return fits.pop() if len(fits) == 1 else None


def _unreadable(run: re.Match[str]) -> _Finding:
    end = _run_end(run)
    return _Finding(run.start(), end, None, (Broken(run.start(), end, run.string[run.start() : end], UNREADABLE),))


def _gbk_bytes(body: str) -> bytes | None:
    """The GBK bytes the run's characters were read from, or None if one is not two bytes."""
    parts = []
    for ch in body:
        if ch in _HALFWIDTH:
            ch = chr(ord(ch) + 0xFEE0)
        try:
            encoded = ch.encode("gbk")
        except UnicodeEncodeError:
            return None
        if len(encoded) != 2:
            return None
        parts.append(encoded)
    return b"".join(parts)


def _read_out_of_step(data: bytes) -> str | None:
    """The characters whose both bytes lie inside ``data`` read one byte on, or None."""
    chars = []
    for i in range(1, len(data) - 1, 2):
        try:
            ch = data[i : i + 2].decode("gbk")
        except UnicodeDecodeError:
            return None
        if len(ch) != 1:
            return None
        chars.append(ch)
    return "".join(chars)


def _reads_better(body: str, recovered: str) -> bool:
    """Read straight the run is rare; read out of step it is common text."""
    if len(recovered) < _MIN_RECOVERED or not all(map(is_common, recovered)):
        return False
    wide = [ch for ch in body if ch not in _HALFWIDTH]
    rare = sum(not is_common(ch) for ch in wide)
    return bool(wide) and rare / len(wide) >= _RARE_SHARE


def _fix_half(left: str, right: str, byte: int, index: int, words: Iterable[str]) -> str | None:
    """The one character whose GBK byte ``index`` is ``byte`` that a known word fits here."""
    fits = set()
    for word in words:
        for k, ch in enumerate(word):
            if _gbk_byte(ch, index) == byte and left.endswith(word[:k]) and right.startswith(word[k + 1 :]):
                fits.add(ch)
    if fits == _QUOTES:
        fits = {_quote_by_balance(left)}
    return fits.pop() if len(fits) == 1 else None


_QUOTES = {"“", "”"}


def _quote_by_balance(left: str) -> str:
    """Quotes alternate within a paragraph: after an unclosed “ the next one closes it."""
    line = left.rsplit("\n", 1)[-1]
    return "”" if line.count("“") > line.count("”") else "“"


@lru_cache(maxsize=None)
def _gbk_byte(ch: str, index: int) -> int | None:
    try:
        encoded = ch.encode("gbk")
    except UnicodeEncodeError:
        return None
    return encoded[index] if len(encoded) == 2 else None


@lru_cache(maxsize=None)
def is_common(ch: str) -> bool:
    """A GB2312 or Big5 level-1 hanzi, or CJK punctuation: what real text is mostly made of."""
    gb, big5 = _code(ch, "gb2312"), _code(ch, "big5")
    if unicodedata.category(ch).startswith("P"):
        return gb is not None or big5 is not None
    return (gb is not None and 0xB0A1 <= gb <= 0xD7FE) or (big5 is not None and 0xA440 <= big5 <= 0xC67E)


def _code(ch: str, codec: str) -> int | None:
    try:
        encoded = ch.encode(codec)
    except UnicodeEncodeError:
        return None
    return int.from_bytes(encoded, "big") if len(encoded) == 2 else None


@rule_builder
def load_known_words() -> tuple[str, ...]:
    return tuple(w.text for w in load_section(rule_path("known_words"), "words", KnownWord))
