"""The ``kb`` command line. Only this module, ingest and export touch files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Iterator, Sequence

from kb import paths
from kb.errors import InputError, KbError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KbError as err:
        print(f"kb: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kb: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    model = sub.add_parser("model", help="the pkuseg segmentation model")
    model.add_argument("action", choices=["fetch", "path"], help="fetch it into the cache, or print its path")
    model.add_argument("--dest", type=Path, help="where to put it (default: the cache)")
    model.set_defaults(run=_run_model)

    clean = sub.add_parser("clean", help="print an article's clean text")
    clean.add_argument("file", type=Path)
    clean.add_argument("--diff", action="store_true", help="show what was removed or changed")
    clean.set_defaults(run=_run_clean)

    for name, run, help_ in (
        ("build", _run_build, "build the knowledge base from articles"),
        ("extract", _run_extract, "extract facts per article as YAML"),
    ):
        cmd = sub.add_parser(name, help=help_)
        cmd.add_argument("paths", nargs="+", type=Path, help="article files or folders")
        cmd.add_argument("--out", type=Path, help="output folder" + (" (default: standard output)" if name == "extract" else ""))
        _pipeline_options(cmd)
        cmd.set_defaults(run=run)

    ev = sub.add_parser("eval", help="score extracted facts against gold files")
    ev.add_argument("--gold", type=Path, required=True, help="folder of gold YAML files")
    ev.add_argument("pred", type=Path, help="folder of predicted YAML files (from kb extract --out)")
    ev.set_defaults(run=_run_eval)
    return parser


def _pipeline_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--model", help="pkuseg model directory (default: KB_PKUSEG_MODEL or the cache)")
    cmd.add_argument("--segmenter", choices=["pkuseg", "char"], default="pkuseg")


def _run_model(args) -> int:
    from kb import model

    if args.action == "path":
        print(paths.model_dir())
        return 0
    print(f"pkuseg model: {model.fetch(args.dest, quiet=False)}")
    return 0


def _run_clean(args) -> int:
    from kb.clean import clean_article
    from kb.clean.diff import render_diff
    from kb.clean.mojibake import find_unrepaired
    from kb.ingest import read_article

    article = read_article(args.file)
    mapped = clean_article(article)
    for broken in find_unrepaired(article.body):
        line = article.text.count("\n", 0, article.body_start + broken.start) + 1
        print(f"kb: {article.path}:{line}: mojibake left as is: {broken.text!r} ({broken.reason})", file=sys.stderr)
    if args.diff:
        print(render_diff(article.text, mapped))
    else:
        print(mapped.text)
    return 0


def _articles(paths_: list[Path]) -> Iterator:
    """Readable articles; each unreadable one is reported on stderr and skipped."""
    from kb.ingest import read_articles

    for item in read_articles(paths_):
        if isinstance(item, InputError):
            print(f"kb: skipped {item}", file=sys.stderr)
        else:
            yield item


def _progress(items: list, desc: str):
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="article", disable=not sys.stderr.isatty())


def _run_build(args) -> int:
    """Ingest, clean and extract every article; write per-article facts under --out."""
    out = args.out or Path("out")
    results = _extract_all(args)
    if not results:
        return 1
    facts_dir = out / "facts"
    facts_dir.mkdir(parents=True, exist_ok=True)
    for article, facts, text in results:
        (facts_dir / f"{Path(article.id).stem}.yaml").write_text(text, encoding="utf-8")
    print(_summary(results, out))
    return 0


def _run_extract(args) -> int:
    results = _extract_all(args)
    for article, facts, text in results:
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{Path(article.id).stem}.yaml").write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    return 0 if results else 1


def _extract_all(args) -> list:
    """(article, facts, yaml text) for every readable article, with a progress bar."""
    from kb.extract import extract_article
    from kb.nlp import load_pipeline
    from kb.records import dump_article_facts

    articles = list(_articles(args.paths))
    if not articles:
        print("kb: error: no article could be read", file=sys.stderr)
        return []
    nlp = load_pipeline(args.model, args.segmenter)
    results = []
    for article in _progress(articles, "extracting"):
        facts = extract_article(nlp, article)
        results.append((article, facts, dump_article_facts(facts)))
    return results


def _summary(results: list, out: Path) -> str:
    kinds = ("events", "organizations", "people", "documents", "claims")
    totals = {k: sum(len(getattr(f, k)) for _, f, _ in results) for k in kinds}
    lines = [f"kb: {len(results)} articles -> {out}/facts/"]
    lines += [f"  {k:<14}{n:>6}" for k, n in totals.items()]
    return "\n".join(lines)


def _run_eval(args) -> int:
    from kb.evaluate import evaluate, format_report

    print(format_report(evaluate(args.gold, args.pred)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
