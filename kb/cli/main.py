# PYTHON_ARGCOMPLETE_OK  (argcomplete looks for this line in the entry module's first 1024 bytes)
"""The ``kb`` command line. Only this module, ingest and export touch files.

Exit codes: 0 an answer was printed; 1 the answer is empty (no record of that
name, no conflicts, no article could be read), said on standard error; 2 an
error (bad input, bad options, unknown record id), said in one line on
standard error; 130 interrupted.

The query commands (``find``, ``timeline``, ``show``, ``conflicts``, ``stats``)
print a table fitted to the terminal, or ``--json`` / ``--csv`` for programs
(shapes in :mod:`kb.cli.show` and :mod:`kb.cli.stats`, formats in
:mod:`kb.cli.output`). Tab completion: ``eval "$(register-python-argcomplete kb)"``.
"""

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
    parser = _parser()
    _complete(parser)
    args = parser.parse_args(argv)
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
    parser.add_argument("--version", action=_Version, help="print kb's version and exit")
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
    _answer_options(ev, json_help="print JSON instead of tables",
                    csv_help="print the per-type table (with --by-rule: the per-rule table) as CSV")
    ev.set_defaults(run=_run_eval)

    for name, run, arg, help_ in (
        ("timeline", _run_timeline, "name", "events and documents of a series or organisation, by date"),
        ("show", _run_show, "id", "one record with its links and sources"),
        ("find", _run_find, "text", "records by name or alias, either script"),
        ("conflicts", _run_conflicts, None, "claims that disagree"),
        ("stats", _run_stats, None, "what a build holds: records by type, top organisations, event series"),
    ):
        cmd = sub.add_parser(name, help=help_)
        if arg:
            positional = cmd.add_argument(arg)
            if arg == "id":
                positional.completer = _complete_ids  # type: ignore[attr-defined]
        _kb_option(cmd)
        _answer_options(cmd, csv_help=None if name == "stats" else "print the table as CSV")
        cmd.set_defaults(run=run)
    _export_parser(sub)
    return parser


def _kb_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--kb", type=Path, default=DEFAULT_OUT, help="a built knowledge base (default: out/)")


def _answer_options(cmd: argparse.ArgumentParser, *, json_help: str = "print JSON (shapes: kb.cli.show)",
                    csv_help: str | None = "print the table as CSV") -> None:
    formats = cmd.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help=json_help)
    if csv_help:
        formats.add_argument("--csv", action="store_true", help=csv_help)
    cmd.set_defaults(csv=False)


def _export_parser(sub) -> None:
    export = sub.add_parser("export", help="write a build's graph as Neo4j CSV, GraphML, GEXF or a timeline SVG")
    formats = export.add_subparsers(dest="format", required=True, metavar="FORMAT")
    for name, help_ in (
        ("csv", "Neo4j import CSV files (nodes and relationships) into the folder OUT"),
        ("graphml", "GraphML for Gephi and networkx into the file OUT (a folder: OUT/graph.graphml)"),
        ("gexf", "GEXF with dates for Gephi's timeline into the file OUT (a folder: OUT/graph.gexf)"),
        ("timeline", "the timeline as SVG into the file OUT (a folder: OUT/timeline.svg)"),
    ):
        fmt = formats.add_parser(name, help=help_, description=help_)
        fmt.add_argument("out", type=Path, metavar="OUT")
        if name == "timeline":
            fmt.add_argument("--series", help="only the events and documents of this series (default: all)")
        _kb_option(fmt)
        fmt.set_defaults(run=_run_export)


class _Version(argparse.Action):
    """``--version``: prints ``kb X.Y.Z`` to standard output and exits. The
    version is read only when asked: importlib.metadata takes 20 ms to import."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        import kb

        print(f"kb {kb.__version__}")
        parser.exit()


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's tab completion and exit, when run by argcomplete's
    shell hook (it sets _ARGCOMPLETE); otherwise do nothing."""
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


def _complete_ids(prefix: str, parsed_args: argparse.Namespace, **_) -> list[str]:
    """``kb show <TAB>``: the record ids of the build --kb names that start with what is typed."""
    try:
        kb = _load(parsed_args)
    except KbError:
        return []
    return [r.id for r in kb.merged.records() if r.id.startswith(prefix)]


def _pipeline_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--model", help="pkuseg model directory (default: KB_PKUSEG_MODEL or the cache)")
    cmd.add_argument("--segmenter", choices=["pkuseg", "char"], default="pkuseg")
    cmd.add_argument("--tagger", choices=["lac", "none"], default="lac",
                     help="name tagger proposing people and organisations to the rules (default: lac)")
    cmd.add_argument("--rules", type=Path, help="folder of rule files (default: KB_RULES_DIR or rules/)")
    cmd.add_argument("-j", "--jobs", type=_positive, help="worker processes sharing the model "
                     "(default: 1; with --dask and no ADDRESS, local Dask workers: the CPU count)")
    cmd.add_argument("--no-cache", action="store_true", help="extract every article again (default: reuse cached results)")
    cmd.add_argument("--dask", nargs="?", const=True, default=False, metavar="ADDRESS",
                     help="extract on a Dask cluster: the scheduler at ADDRESS (tcp://host:8786), "
                          "or local worker processes without one (needs pip install 'kb[dask]')")


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
    if args.dask:  # before any article is read: without Dask, say how to install it
        from kb.batch import require_dask

        require_dask()
    if args.tagger == "none":
        print("kb: no name tagger (--tagger none): people and organisations come from rules alone", file=sys.stderr)
    cache = None if args.no_cache else FactsCache(model=args.model, segmenter=args.segmenter, tagger=args.tagger)
    jobs = args.jobs or ((os.cpu_count() or 1) if args.dask is True else 1)
    return {"model": args.model, "segmenter": args.segmenter, "tagger": args.tagger, "jobs": jobs, "cache": cache,
            "dask": args.dask}


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
    from kb.store.knowledge import read_verdicts

    options = _extraction_options(args)
    verdicts = read_verdicts(args.out)  # parses the reviewer's files only if they changed
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
    lines = [f"kb: {len(kb.extracted)} articles -> {out}/ (graph.graphml, graph.gexf, timeline.svg, timeline.png, facts/, articles/, knowledge/)"]
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

    from kb.cli.output import csv_text
    from kb.cli.show import rule_report_table, score_table
    from kb.evaluate import gold as ev

    if args.timeline:
        if args.csv:
            raise KbError("--csv: a timeline score is not one table; use --json")
        return _run_eval_timeline(args)
    report = ev.evaluate(args.gold, args.pred)
    if args.by_rule:
        from kb.evaluate.rule_report import format_rule_report, rule_report, rule_report_json

        rules = rule_report(report)
        if args.csv:
            sys.stdout.write(csv_text(rule_report_table(rule_report_json(rules))))
        else:
            print(json.dumps(rule_report_json(rules), ensure_ascii=False, indent=1) if args.json else format_rule_report(rules))
    elif args.csv:
        sys.stdout.write(csv_text(score_table(ev.report_json(report))))
    else:
        print(json.dumps(ev.report_json(report), ensure_ascii=False, indent=1) if args.json else ev.format_report(report))
    return 0


def _run_eval_timeline(args) -> int:
    import json

    from kb.store.knowledge import load_knowledge_base
    from kb.evaluate.timeline_score import format_timeline_score, load_reference, score_timeline, timeline_score_json

    if args.by_rule:
        raise InputError(args.timeline, "--by-rule scores facts against --gold, not a timeline")
    score = score_timeline(load_reference(args.timeline), load_knowledge_base(args.pred).events(kind="summit"))
    if args.json:
        print(json.dumps(timeline_score_json(score), ensure_ascii=False, indent=1, default=str))
    else:
        print(format_timeline_score(score), end="")
    return 0


# ---------------------------------------------------------------- queries


def _load(args):
    from kb.store.knowledge import load_knowledge_base

    return load_knowledge_base(args.kb)


def _run_timeline(args) -> int:
    from kb.cli.show import timeline_json, timeline_table

    kb = _load(args)
    entries = kb.timeline(args.name)
    docs_of = kb.merged.docs_of
    _answer(args, timeline_table(entries, docs_of), timeline_json(entries, docs_of))
    return _found(entries, f"no events or documents for {args.name!r} (a series, event or organisation name)")


def _run_show(args) -> int:
    from kb.cli.show import record_json, record_table

    shown = _load(args).show(args.id)  # an unknown id is an error (exit 2), naming ids close to it
    _answer(args, record_table(shown), record_json(shown))
    return 0


def _run_find(args) -> int:
    from kb.cli.show import records_json, records_table

    kb = _load(args)
    records = kb.find(args.text)
    _answer(args, records_table(records, kb.merged.docs_of), records_json(records, kb.merged.docs_of))
    return _found(records, f"no record named {args.text!r}")


def _run_conflicts(args) -> int:
    from kb.cli.show import conflicts_json, conflicts_table

    kb = _load(args)
    conflicts = kb.conflicts()
    _answer(args, conflicts_table(conflicts, kb.merged.docs_of), conflicts_json(conflicts, kb.merged.docs_of))
    return _found(conflicts, "no conflicts")


def _run_stats(args) -> int:
    from kb.cli.output import json_text, table_text, table_width
    from kb.cli.stats import kb_stats, stats_tables

    stats = kb_stats(_load(args))
    if args.json:
        sys.stdout.write(json_text(stats.model_dump(mode="json")))
    else:
        width = table_width(sys.stdout)
        print("\n\n".join(table_text(table, width) for table in stats_tables(stats)))
    return _found(stats.articles, "the knowledge base holds no article")


def _answer(args, table, data) -> None:
    """Print the answer as --json, --csv or a table; an empty table is not printed
    (:func:`_found` says so), but empty JSON and a CSV header are: programs expect them."""
    from kb.cli.output import print_answer

    if args.json or args.csv or table.rows:
        print_answer(table, data, as_json=args.json, as_csv=args.csv)


def _found(answer, message: str) -> int:
    """0 when ``answer`` holds something, else 1, with ``message`` on standard error."""
    if answer:
        return 0
    print(f"kb: {message}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------- exports


def _run_export(args) -> int:
    """Write the graph of the build --kb names (kb.cli.export); print each file written."""
    from kb.cli.export import export

    for path in export(_load(args), args.format, args.out, series=getattr(args, "series", None)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
