"""Remove pinyin annotations that follow Chinese characters: ``網(wǎng)`` → ``網``.

Some reposted pages carry a reading after every rare or traditional character,
``會(huì )`` (with a stray space), ``電（diàn）`` (full-width parentheses). A
parenthetical is taken for pinyin only when

- it directly follows a CJK character (no space in between),
- every token in it is a lower-case Hanyu Pinyin syllable (or a run of
  syllables, ``wǎngluò``), checked against :data:`SYLLABLES`, and
- at least one token carries a tone mark.

The last condition is the conservative choice: ``（AI）``, ``(an)``, ``(men)``,
``(china)`` spell valid syllables but carry no tone, and an English word or an
acronym is far likelier there than a neutral-tone reading, so they stay.
Upper-case tokens (``(WIC)``, ``(GDP)``, ``(ChatGPT)``) are never pinyin.
"""

from __future__ import annotations

import re
import unicodedata

from kb.clean.offsets import Mapped, sub

# The syllable inventory as data: each final with the initials it combines
# with ("-" is the zero initial). y/w spellings are listed as initials
# (ya = y + a, wu = w + u); after j/q/x/y the final ü is written u.
FINALS: dict[str, str] = {
    "a": "- b p m f d t n l g k h zh ch sh z c s y w",
    "o": "- b p m f y w",
    "e": "- m d t n l g k h zh ch sh r z c s y",
    "ai": "- b p m d t n l g k h zh ch sh z c s w",
    "ei": "- b p m f d t n l g k h zh sh z s w",
    "ao": "- b p m d t n l g k h zh ch sh r z c s y",
    "ou": "- p m f d t n l g k h zh ch sh r z c s y",
    "an": "- b p m f d t n l g k h zh ch sh r z c s y w",
    "en": "- b p m f d n g k h zh ch sh r z c s w",
    "ang": "- b p m f d t n l g k h zh ch sh r z c s y w",
    "eng": "- b p m f d t n l g k h zh ch sh r z c s w",
    "ong": "d t n l g k h zh ch r z c s y",
    "er": "-",
    "i": "b p m d t n l j q x zh ch sh r z c s y",
    "ia": "d l j q x",
    "ie": "b p m d t n l j q x",
    "iao": "b p m d t n l j q x",
    "iu": "m d n l j q x",
    "ian": "b p m d t n l j q x",
    "in": "b p m n l j q x y",
    "iang": "n l j q x",
    "ing": "b p m d t n l j q x y",
    "iong": "j q x",
    "u": "b p m f d t n l g k h j q x zh ch sh r z c s y w",
    "ua": "g k h zh ch sh r",
    "uo": "d t n l g k h zh ch sh r z c s",
    "uai": "g k h zh ch sh",
    "ui": "d t g k h zh ch sh r z c s",
    "uan": "d t n l g k h j q x zh ch sh r z c s y",
    "un": "d t l g k h j q x zh ch sh r z c s y",
    "uang": "g k h zh ch sh",
    "ue": "n l j q x y",
    "ü": "n l",
    "üe": "n l",
}
INITIALS = frozenset("b p m f d t n l g k h j q x zh ch sh r z c s y w".split())
TONE_MARKS = frozenset("\u0304\u0301\u030c\u0300")  # combining macron, acute, caron, grave


def _syllables(finals: dict[str, str]) -> frozenset[str]:
    """Every initial × final pair the table allows; unknown initials are an error."""
    out = set()
    for final, initials in finals.items():
        for initial in initials.split():
            if initial != "-" and initial not in INITIALS:
                raise ValueError(f"unknown initial {initial!r} for final {final!r}")
            out.add(("" if initial == "-" else initial) + final)
    return frozenset(out)


SYLLABLES = _syllables(FINALS)
_SYLLABLE_RUN = re.compile("(?:%s)+" % "|".join(sorted(SYLLABLES, key=len, reverse=True)))
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_ANNOTATION = re.compile(
    rf"(?<=[{_CJK}])[(（]([a-zA-Z\u00c0-\u024f\u0300-\u036f' \t\u00a0-]{{1,60}})[)）]"
)
_TOKEN_SEP = re.compile(r"[\s'\-]+")


def split_tone(token: str) -> tuple[str, bool]:
    """``"wǎng"`` → ``("wang", True)``; ``ü`` is kept, only tone marks go."""
    decomposed = unicodedata.normalize("NFD", token)
    bare = "".join(c for c in decomposed if c not in TONE_MARKS)
    return unicodedata.normalize("NFC", bare), len(bare) != len(decomposed)


def is_pinyin(annotation: str) -> bool:
    """True if every token is a run of valid syllables and one at least is tone-marked."""
    tokens = [t for t in _TOKEN_SEP.split(annotation) if t]
    if not tokens:
        return False
    toned = False
    for token in tokens:
        bare, has_tone = split_tone(token)
        if not _SYLLABLE_RUN.fullmatch(bare):
            return False
        toned = toned or has_tone
    return toned


def remove_pinyin(text: str) -> Mapped:
    """``text`` without pinyin annotations after CJK characters, mapped to ``text``."""
    return sub(_ANNOTATION, lambda m: "" if is_pinyin(m.group(1)) else m.group(0), text)
