"""Text repair: from an article's text on disk to the clean text the extractor reads.

Each step is a pure ``str -> Mapped`` function; :func:`clean_text` chains them
so the result maps every clean character back to the original.

Order matters: mojibake is repaired on the raw characters (pinyin annotations
sit inside broken runs), pinyin and page noise are removed while the text is
still in its own script (the noise lists name both), then script and width are
normalised.
"""

from __future__ import annotations

from kb.clean.mojibake import repair_mojibake
from kb.clean.noise import remove_noise
from kb.clean.pinyin import remove_pinyin
from kb.clean.script import to_simplified, to_halfwidth
from kb.clean.offsets import Mapped, chain

STEPS = (repair_mojibake, remove_pinyin, remove_noise, to_simplified, to_halfwidth)


def clean_text(text: str) -> Mapped:
    """The clean text of ``text``, mapped back to it."""
    return chain(text, STEPS)


def clean_article(article) -> Mapped:
    """The clean body of an :class:`~kb.ingest.articles.Article`, mapped into ``article.text``
    (an HTML page's: its main text, already mapped into the file by kb.ingest.html)."""
    if getattr(article, "body_map", None) is not None:
        return article.body_map.then(clean_text(article.body_map.text))
    return clean_text(article.body).shift(article.body_start, len(article.text))
