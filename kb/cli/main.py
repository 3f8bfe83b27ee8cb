"""The ``kb`` command line. Only this module, ingest and export touch files."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Iterable, Sequence

from kb import paths
from kb.errors import InputError, KbError

DEFAULT_OUT = Path("out")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except KbError as err:
        print(f"kb: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kb: interrupted; earlier outputs are left as they were", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kb eval ... | head`: the reader has what it wanted
        sys.stderr.close()
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="Knowledge base of Chinese news on internet governance.")
    sub = parser.add_subparsers(dest="command", required=True)

    model = sub.add_parser("model", help="the pkuseg segmentation model")
    model.add_argument("action", choices=["fetch", "path"], help="fetch it into the cache, or print its path")
    model.add_argument("--dest", type=Path, help="where to put it (default: the cache)")
    model.set_defaults(run=_run_model)

    clean = sub.add_parser("clean", help="print an article's clean text")
    clean.add_argument("file", type=Path)
    clean.add_argument("--diff", action="store_true", help="show what was removed or changed")
    clean.set_defaults(run=_run_clean)

    build = sub.add_parser("build", help="build the knowledge base from articles")
    build.add_argument("paths", nargs="+", type=Path, help="article files or folders")
    build.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: out/)")
    _pipeline_options(build)
    build.set_defaults(run=_run_build)

    extract = sub.add_parser("extract", help="extract facts per article as YAML")
    extract.add_argument("paths", nargs="+", type=Path, help="article files or folders")
    extract.add_argument("--out", type=Path, help="output folder (default: standard output)")
    _pipeline_options(extract)
    extract.set_defaults(run=_run_extract)

    ev = sub.add_parser("eval", help="score extracted facts against gold files, or a build's summit timeline")
    what = ev.add_mutually_exclusive_group(required=True)
    what.add_argument("--gold", type=Path, help="folder of gold YAML files")
    what.add_argument("--timeline", type=Path, metavar="REF", help="reference summits (YAML) to score a build against")
    ev.add_argument("pred", type=Path, help="predicted YAML files (from kb extract --out), or a build (kb build --out)")
    ev.add_argument("--by-rule", action="store_true", help="per rule: how often it fires, true and false facts")
    ev.add_argument("--json", action="store_true", help="print JSON instead of tables")
    ev.set_defaults(run=_run_eval)

    for name, run, arg, help_ in (
        ("timeline", _run_timeline, "name", "events and documents of a series or organisation, by date"),
        ("show", _run_show, "id", "one record with its links and sources"),
        ("find", _run_find, "text", "records by name or alias, either script"),
        ("conflicts", _run_conflicts, None, "claims that disagree"),
    ):
        cmd = sub.add_parser(name, help=help_)
        if arg:
            cmd.add_argument(arg)
        cmd.add_argument("--kb", type=Path, default=DEFAULT_OUT, help="a built knowledge base (default: out/)")
        cmd.set_defaults(run=run)
    return parser


def _pipeline_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--model", help="pkuseg model directory (default: KB_PKUSEG_MODEL or the cache)")
    cmd.add_argument("--segmenter", choices=["pkuseg", "char"], default="pkuseg")
    cmd.add_argument("--tagger", choices=["lac", "none"], default="lac",
                     help="name tagger proposing people and organisations to the rules (default: lac)")
    cmd.add_argument("--rules", type=Path, help="folder of rule files (default: KB_RULES_DIR or rules/)")
    cmd.add_argument("-j", "--jobs", type=_positive, default=1, help="worker processes sharing the model (default: 1)")
    cmd.add_argument("--no-cache", action="store_true", help="extract every article again (default: reuse cached results)")


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


# ---------------------------------------------------------------- set-up and text


def _run_model(args) -> int:
    from kb.nlp import model

    if args.action == "path":
        print(paths.model_dir())
        return 0
    print(f"pkuseg model: {model.fetch(args.dest, quiet=False)}")
    return 0


def _run_clean(args) -> int:
    from kb.clean import clean_article
    from kb.clean.diff import render_diff
    from kb.clean.mojibake import find_unrepaired
    from kb.ingest.articles import read_article

    article = read_article(args.file)
    mapped = clean_article(article)
    for broken in find_unrepaired(article.body):
        line = article.text.count("\n", 0, article.body_start + broken.start) + 1
        print(f"kb: {article.path}:{line}: mojibake left as is: {broken.text!r} ({broken.reason})", file=sys.stderr)
    print(render_diff(article.text, mapped) if args.diff else mapped.text)
    return 0


# ---------------------------------------------------------------- extraction


def _progress(items: list) -> Iterable:
    """A progress bar on a terminal; nothing when output goes to a file or CI."""
    from rich.console import Console
    from rich.progress import track

    console = Console(stderr=True)
    return track(items, description="extracting", console=console, disable=not console.is_terminal)


def _extraction_options(args) -> dict:
    """Options of kb.batch.extract_all; rule files are validated first, before
    any article is read (a bad one stops kb with its file, line and rule id)."""
    from kb.store.cache import FactsCache
    from kb.extract import check_rules

    if args.rules is not None:  # --rules DIR: as KB_RULES_DIR, for this process and its workers
        os.environ["KB_RULES_DIR"] = str(args.rules)
    check_rules()
    if args.tagger == "none":
        print("kb: no name tagger (--tagger none): people and organisations come from rules alone", file=sys.stderr)
    cache = None if args.no_cache else FactsCache(model=args.model, segmenter=args.segmenter, tagger=args.tagger)
    return {"model": args.model, "segmenter": args.segmenter, "tagger": args.tagger, "jobs": args.jobs, "cache": cache}


def _report_errors(errors: Iterable[KbError]) -> None:
    for err in errors:
        print(f"kb: skipped {err}", file=sys.stderr)


def _run_extract(args) -> int:
    from kb.store.files import atomic_write
    from kb.ingest.articles import output_names, read_articles
    from kb.batch import extract_all
    from kb.records.models import ArticleFacts, dump_article_facts

    options = _extraction_options(args)
    items = list(read_articles(args.paths))
    articles = [i for i in items if not isinstance(i, InputError)]
    results = extract_all(articles, progress=_progress, **options)
    _report_errors(r for r in (*items, *results) if isinstance(r, InputError))
    facts = [r for r in results if isinstance(r, ArticleFacts)]
    names = output_names(one.doc for one in facts)
    for one in facts:
        text = dump_article_facts(one)
        if args.out:
            atomic_write(args.out / names[one.doc], text)
        else:  # a YAML stream: without `---` a reader would keep only the last article
            sys.stdout.write("---\n" + text)
    return 0 if facts else 1


def _run_build(args) -> int:
    from kb.store.build import write_build
    from kb.query import KnowledgeBase
    from kb.review.dump import collect_verdicts

    options = _extraction_options(args)
    verdicts = collect_verdicts(args.out)
    kb = KnowledgeBase.build(args.paths, verdicts=verdicts, progress=_progress, **options)
    _report_errors(kb.errors)
    if not kb.extracted:
        print("kb: error: no article could be read", file=sys.stderr)
        return 1
    write_build(kb, args.out)
    print(_summary(kb, args.out))
    return 0


def _summary(kb, out: Path) -> str:
    from kb.records.models import SECTIONS

    merged = kb.merged
    lines = [f"kb: {len(kb.extracted)} articles -> {out}/ (graph.graphml, graph.gexf, timeline.svg, facts/, articles/)"]
    lines += [f"  {name:<14}{len(getattr(merged, name)):>6}" for name in SECTIONS]
    lines.append(f"  {'conflicts':<14}{len(kb.conflicts()):>6}")
    review = kb.review
    lines.append(
        f"  reviews: {len(review.accepted)} accepted, {len(review.rejected)} rejected, "
        f"{len(review.corrected)} corrected (verdicts: {out}/reviews.yaml)"
    )
    lines += [f"  review problem {problem}" for problem in review.problems]
    return "\n".join(lines)


def _run_eval(args) -> int:
    import json

    from kb.evaluate import gold as ev

    if args.timeline:
        return _run_eval_timeline(args)
    report = ev.evaluate(args.gold, args.pred)
    if args.by_rule:
        from kb.evaluate.rule_report import format_rule_report, rule_report, rule_report_json

        rules = rule_report(report)
        print(json.dumps(rule_report_json(rules), ensure_ascii=False, indent=1) if args.json else format_rule_report(rules))
    else:
        print(json.dumps(ev.report_json(report), ensure_ascii=False, indent=1) if args.json else ev.format_report(report))
    return 0


def _run_eval_timeline(args) -> int:
    import json

    from kb.query import KnowledgeBase
    from kb.evaluate.timeline_score import format_timeline_score, load_reference, score_timeline, timeline_score_json

    if args.by_rule:
        raise InputError(args.timeline, "--by-rule scores facts against --gold, not a timeline")
    score = score_timeline(load_reference(args.timeline), KnowledgeBase.load(args.pred).events(kind="summit"))
    if args.json:
        print(json.dumps(timeline_score_json(score), ensure_ascii=False, indent=1, default=str))
    else:
        print(format_timeline_score(score), end="")
    return 0


# ---------------------------------------------------------------- queries


def _load(args):
    from kb.query import KnowledgeBase

    return KnowledgeBase.load(args.kb)


def _run_timeline(args) -> int:
    from kb.cli.show import timeline_table

    print(timeline_table(_load(args).timeline(args.name)))
    return 0


def _run_show(args) -> int:
    from kb.cli.show import record_table

    print(record_table(_load(args).show(args.id)))
    return 0


def _run_find(args) -> int:
    from kb.cli.show import records_table

    print(records_table(_load(args).find(args.text)))
    return 0


def _run_conflicts(args) -> int:
    from kb.cli.show import conflicts_table

    print(conflicts_table(_load(args).conflicts()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
