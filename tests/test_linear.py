"""Every stage's work grows linearly with its input (issue 9, item 12).

Work is counted, not timed: the Python calls (generator steps included) that
cProfile records while kb cleans, segments and extracts one article. A scan
of every mention per mention, or a search back to the start of the text per
figure, makes that count grow with the square of the input. Articles of 10k,
40k and 160k characters must cost at most ``SLACK`` times 4× and 16× the work
of the 10k one.
"""

from __future__ import annotations

import cProfile
import pstats
from functools import lru_cache

import pytest

from kb.clean import clean_article
from kb.extract import extract_article
from kb.ingest.articles import parse_article, read_article
from kb.paths import ROOT

SIZES = (10_000, 40_000, 160_000)
SLACK = 1.3  # fixed costs and uneven text make small articles relatively dear, not cheap

# (name, body of n characters): real news text, and runs that once made a stage quadratic.
INPUTS = [
    ("article", lambda n: seed_prose(n)),
    ("titles-and-quotes", lambda n: ("《“（【「" * n)[:n]),
    ("unclosed-markup", lambda n: ("<a <b " * n)[:n]),
    ("number-list", lambda n: "、".join(map(str, range(1, n)))[:n]),
    ("square-brackets", lambda n: "[" * n),
    ("one-long-sentence", lambda n: ("据统计，规模达到53.9万亿元，同比增长12%，参会嘉宾约1500人，" * n)[:n]),
]


@lru_cache(maxsize=1)
def _seed_paragraphs() -> tuple[str, ...]:
    return tuple(p for path in sorted((ROOT / "seeds").glob("*.txt")) for p in clean_article(read_article(path)).text.split("\n")
                 if p.strip())


def seed_prose(n: int) -> str:
    """``n`` characters of the seeds' clean paragraphs, repeated with the years varied."""
    paragraphs, out, size = _seed_paragraphs(), [], 0
    while size < n:
        i = len(out)
        out.append(paragraphs[i % len(paragraphs)].replace("2024", str(2000 + i % 25)))
        size += len(out[-1]) + 1
    return "\n".join(out)[:n]


def work(nlp, body: str) -> int:
    """Python calls made cleaning, segmenting and extracting an article with ``body``."""
    article = parse_article(f"# 标题\n\n{body}\n", "long.txt")
    profiler = cProfile.Profile()
    profiler.runcall(extract_article, nlp, article)
    return pstats.Stats(profiler).total_calls


@pytest.mark.parametrize("name,make", INPUTS, ids=[name for name, _ in INPUTS])
def test_linear_work_grows_with_the_input(nlp, name, make):
    extract_article(nlp, parse_article("# 标题\n\n预热。\n", "warm.txt"))  # load rules outside the count
    counts = [work(nlp, make(n)) for n in SIZES]
    for n, count in zip(SIZES[1:], counts[1:]):
        scale = n / SIZES[0]
        assert count <= SLACK * scale * counts[0], f"{name}: {n:,} characters took {count / counts[0]:.1f}× " \
                                                    f"the work of {SIZES[0]:,} (linear: {scale:.0f}×)"
