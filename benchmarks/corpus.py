"""A synthetic corpus for benchmarks: N articles made by varying the seeds.

Each article is one of the four seeds (round robin) with, chosen by a
``random.Random(seed)`` so the same arguments give the same bytes:
- years, months, days and other numbers shifted or scaled;
- personal names after a role title (主任张三) replaced by made-up names;
- body paragraphs shuffled (front matter, title and first paragraph stay);
- about one article in four converted to traditional script (OpenCC s2t).

    python benchmarks/corpus.py OUT_DIR -n 1000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华文慧建国志红玉兰海波宁晨曦子涵梓萱浩然"
_YEAR = re.compile(r"(?<!\d)(20[0-2]\d)(?=\s*年|-\d{2})")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})月(\d{1,2})日")
_NUMBER = re.compile(r"(?<![\d.\-:/A-Za-z_%])(\d{2,4})(?=[个家项名万亿%余多人国])")


def _titles_and_surnames() -> tuple[list[str], str]:
    data = yaml.safe_load((ROOT / "rules" / "people.yaml").read_text(encoding="utf-8"))
    titles = sorted({w for rule in data["titles"] for w in rule["words"]}, key=len, reverse=True)
    surnames = [s for rule in data.get("surnames", []) for s in (rule.get("words") or [])] if isinstance(
        data.get("surnames"), list) else []
    return titles, "".join(s for s in surnames if len(s) == 1) or "王李张刘陈杨赵黄周吴"


def _vary_numbers(text: str, rng: random.Random) -> str:
    years = rng.choice((-2, -1, 0, 1))
    text = _YEAR.sub(lambda m: str(int(m[1]) + years), text)
    text = _MONTH_DAY.sub(lambda m: f"{m[1]}月{max(1, min(28, int(m[2]) + rng.randint(-3, 3)))}日", text)
    return _NUMBER.sub(lambda m: str(max(10, int(int(m[1]) * rng.uniform(0.5, 1.5)))), text)


def _vary_names(text: str, rng: random.Random, titles: list[str], surnames: str) -> str:
    pattern = re.compile(f"({'|'.join(map(re.escape, titles))})([{surnames}])([\u4e00-\u9fff]{{1,2}})")
    new = {}

    def swap(m: re.Match) -> str:
        old = m[2] + m[3]
        if old not in new:
            new[old] = rng.choice(surnames) + "".join(rng.choice(GIVEN) for _ in m[3])
        return m[1] + new[old]

    return pattern.sub(swap, text)


def _shuffle_paragraphs(text: str, rng: random.Random) -> str:
    """Shuffle the body's paragraphs after the first two blocks (front matter stays whole)."""
    head = ""
    if text.startswith("---\n"):
        end = text.index("\n---\n", 4) + 5
        head, text = text[:end], text[end:]
    blocks = text.split("\n\n")
    keep, rest = blocks[:2], blocks[2:]
    rng.shuffle(rest)
    return head + "\n\n".join(keep + rest)


def make_article(seed_text: str, rng: random.Random, titles: list[str], surnames: str, converter) -> str:
    text = _shuffle_paragraphs(_vary_names(_vary_numbers(seed_text, rng), rng, titles, surnames), rng)
    return converter.convert(text) if rng.random() < 0.25 else text


def build_corpus(out: Path, n: int, *, seed: int = 0) -> list[Path]:
    """Write ``n`` articles into ``out`` (created); return their paths, sorted."""
    import opencc

    converter = opencc.OpenCC("s2t")
    titles, surnames = _titles_and_surnames()
    seeds = sorted(SEEDS.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in seeds]
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(n):
        k = i % len(seeds)
        path = out / f"{i:05d}_{seeds[k].stem.split('_')[0]}.txt"
        path.write_text(make_article(texts[k], rng, titles, surnames, converter), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = build_corpus(args.out, args.n, seed=args.seed)
    print(f"{len(paths)} articles in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
