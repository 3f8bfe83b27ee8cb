"""Decoding an article's bytes: which encoding, and whether it is text at all.

Encodings (the first that fits):

1. a BOM: ``utf-8-sig``, ``utf-16`` (either byte order);
2. a file with NUL bytes is BOM-less UTF-16 if it decodes strictly and either
   reads as Chinese (:func:`reads_as_chinese`, which picks the byte order of
   Chinese text, whose NULs sit on both parities: ``一`` is U+4E00) or its NULs
   sit on one byte parity (odd for LE: ASCII text); else it is binary;
3. strict ``utf-8``;
4. a file that is valid UTF-8 up to a character cut off at its very end, or
   that is mostly valid UTF-8, is reported as damaged UTF-8, with its line,
   rather than guessed as another encoding;
5. ``gb18030`` or ``big5``, whichever decodes strictly and scores higher by
   :func:`plausibility` (ties go to gb18030).

The BOM is not part of the text: ``data.decode(encoding) == text`` always
holds for the ``text, encoding`` returned, so the bytes can be rebuilt.

Not supported: UTF-32, BOM-less UTF-16 without a single NUL byte.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from kb.errors import InputError

# BOM, the encoding that strips it, the codec for the rest.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
# The 100 most frequent characters of Chinese text (charset-normalizer's
# list) and their traditional forms: right decodings are full of them.
_COMMON = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所"
    "然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实"
    "這個們來為爲國說時會對於過發後裏裡種經麼學現當沒動還進樣開從實"
    "，。、；：？！“”‘’（）《》「」"
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Real Chinese prose has a fifth or more of these; a wrong UTF-16 byte order
# gives at most a stray 一 (U+4E00, from an ASCII "N" and a NUL).
CHINESE_SHARE = 0.1


def plausibility(text: str) -> int:
    """How much ``text`` reads like Chinese: +1 per very common character or
    punctuation mark, -5 per private-use or unassigned code point (a wrong
    Big5/GBK guess is full of these)."""
    score = 0
    for char in text:
        if char in _COMMON:
            score += 1
        elif unicodedata.category(char) in ("Co", "Cn"):
            score -= 5
    return score


def reads_as_chinese(text: str) -> bool:
    """At least :data:`CHINESE_SHARE` of ``text`` is very common Chinese characters and punctuation."""
    return plausibility(text) >= CHINESE_SHARE * len(text) > 0


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """The text of ``data`` and the encoding that decodes it; :class:`InputError` if none does."""
    if not data:
        raise InputError(path, "file is empty")
    for bom, encoding, rest in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(rest), path), encoding
            except UnicodeDecodeError as err:
                raise InputError(path, f"starts with a {rest} BOM but byte {err.start + len(bom)} is not {rest}") from None
    if b"\0" in data:
        found = _utf16_without_bom(data)
        if found is None:
            raise InputError(path, "binary file, not text (contains NUL bytes and is not UTF-16)")
        return _checked(found[0], path), found[1]
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as err:
        _reject_damaged_utf8(data, err, path)
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((plausibility(text), encoding, text))
    if not candidates:
        raise InputError(path, "cannot decode: not UTF-8, UTF-16, GB18030 or Big5")
    _, encoding, text = max(candidates, key=lambda c: c[0])
    return _checked(text, path), encoding


def _reject_damaged_utf8(data: bytes, err: UnicodeDecodeError, path: str | Path) -> None:
    """Raise for UTF-8 that is damaged rather than another encoding: cut off
    inside its last character (the rest, with some non-ASCII, is valid UTF-8:
    a GB18030 guess would read the two bytes left of a character as another
    one), or mostly valid."""
    line = data.count(b"\n", 0, err.start) + 1
    if err.end == len(data) and err.reason == "unexpected end of data" and not data[:err.start].isascii():
        raise InputError(path, f"UTF-8 file cut off inside its last character (byte {err.start}): truncated?", line=line)
    if _mostly_utf8(data):
        raise InputError(path, f"invalid UTF-8 at byte {err.start} (the rest is UTF-8)", line=line)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text: the byte order that reads as Chinese, else the one ASCII's NULs point to."""
    if len(data) % 2:
        return None
    texts = {}
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\0" not in text:
            texts[encoding] = text
    chinese = [(plausibility(t), e) for e, t in texts.items() if reads_as_chinese(t)]
    if chinese:
        encoding = max(chinese)[1]
        return texts[encoding], encoding
    even, odd = data[0::2].count(0), data[1::2].count(0)
    encoding = "utf-16-le" if odd > 9 * even else "utf-16-be" if even > 9 * odd else None
    return (texts[encoding], encoding) if encoding in texts else None


def _mostly_utf8(data: bytes) -> bool:
    """Valid multi-byte UTF-8 far outnumbers the bad bytes: a damaged UTF-8 file."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F) - bad
    return good >= 4 * bad


def _checked(text: str, path: str | Path) -> str:
    """``text``, unless control characters show it is binary (a stray one is kept)."""
    controls = _CONTROL.findall(text)
    if "\0" in controls or len(controls) * 100 > len(text):
        first = _CONTROL.search(text)
        line = text.count("\n", 0, first.start()) + 1
        raise InputError(path, f"binary file, not text (control character U+{ord(first.group()):04X})", line=line)
    if not text.strip():
        raise InputError(path, "file has no text (only whitespace)")
    return text
