"""What cleaning did to an article, for ``kb clean --diff FILE``.

Derived from the offset map alone: a character of the original that no clean
character points into was removed; one that is pointed into by a different
character (or by a replacement spanning several) was changed. Adjacent removed
and changed characters form one edit, split at line ends, so each edit is
reported on the original line it sits on::

       12 - removed: ![](https://mmbiz.qpic.cn/…)
       40 ~ 網(wǎng) → 网

Newlines are shown as ``⏎``, other invisible spaces escaped (NBSP as
``\\u00a0``), and long removed text is shortened in the middle.
"""

from __future__ import annotations

from kb.clean.offsets import Mapped

NEWLINE = "⏎"
MAX_SHOWN = 80


def render_diff(original: str, mapped: Mapped) -> str:
    """One line per edit, in the original's order; empty when nothing changed."""
    if mapped.source_len != len(original):
        raise ValueError("the map was not made from this original text")
    dirty = _dirty_positions(original, mapped)
    new_at = _new_text_by_start(mapped, dirty)
    lines = []
    for start, end in _edit_runs(original, dirty):
        old = original[start:end]
        new = "".join(new_at.get(i, "") for i in range(start, end))
        lineno = original.count("\n", 0, start) + 1
        if new:
            lines.append(f"{lineno:>6} ~ {_show(old)} → {_show(new)}")
        else:
            lines.append(f"{lineno:>6} - removed: {_show(old)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _dirty_positions(original: str, mapped: Mapped) -> list[bool]:
    """True where the original character was removed or changed.

    A position is clean only if some clean character is a one-to-one copy of
    it and no replacement (a changed character or a many-to-one range) covers it.
    """
    copied = [False] * len(original)
    touched = [False] * len(original)
    for char, start, end in zip(mapped.text, mapped.starts, mapped.ends):
        if end - start == 1 and original[start] == char:
            copied[start] = True
        else:
            touched[start:end] = [True] * (end - start)
    return [t or not c for c, t in zip(copied, touched)]


def _new_text_by_start(mapped: Mapped, dirty: list[bool]) -> dict[int, str]:
    """Clean characters that fall in dirty source positions, keyed by their range start."""
    out: dict[int, str] = {}
    for char, start, end in zip(mapped.text, mapped.starts, mapped.ends):
        if start < end and dirty[start]:
            out[start] = out.get(start, "") + char
    return out


def _edit_runs(original: str, dirty: list[bool]) -> list[tuple[int, int]]:
    """Maximal runs of dirty positions, each ending at the latest at a newline."""
    runs, start = [], None
    for i, is_dirty in enumerate(dirty):
        if is_dirty and start is None:
            start = i
        if start is not None and (not is_dirty or original[i] == "\n"):
            end = i + 1 if is_dirty else i
            runs.append((start, end))
            start = None
    if start is not None:
        runs.append((start, len(original)))
    return runs


def _show(text: str) -> str:
    """Newlines as ⏎, other invisible spaces escaped (``\\u3000``), long text shortened."""
    text = "".join(_visible(c) for c in text)
    if len(text) > MAX_SHOWN:
        half = MAX_SHOWN // 2
        return f"{text[:half]}…{text[-half:]}"
    return text


def _visible(char: str) -> str:
    if char == "\n":
        return NEWLINE
    if char.isspace() and char != " ":
        return f"\\u{ord(char):04x}"
    return char
