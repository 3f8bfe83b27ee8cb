"""kb's extraction cost against segmenting the same text, its stages, ``--jobs 2``, the tagger's
cost, the cache, and growth from 1,000 to 10,000 articles.

    .venv/bin/python benchmarks/run.py            # about 10 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # real pages only, under 2 minutes
    .venv/bin/python benchmarks/run.py --linear   # one 10k and one 160k article, printed only

Text: the real pages of ``../shared/dev/articles`` (when that folder exists) and
``seeds/``; a full run adds articles generated from the seeds
(:mod:`corpus`). Every figure is **CPU time** (user + sys) of a **whole
process** (``os.wait4``), the median of ``--runs`` (3) runs taken in turn
(case A, B, C, A, B, C, …), so a burst of load on the machine hits every case
alike. The ratios compare:

- ``kb extract`` (clean, segment, tag, rules, write YAML; model load included)
  with a process that loads spaCy + pkuseg and segments the *same raw files*
  (front matter and markup included) — the issue's target, ≤ 1.0×;
- inside one kb process, kb's per-article stages with the segmentation of
  kb's own *clean* text (``make_doc``) — what kb adds to segmenting;
- ``--tagger lac`` with ``--tagger none``: the tagger's CPU and peak RSS;
- ``--jobs 2`` with ``--jobs 1``: wall time, of the whole process and of the
  extraction after the model load.

Writes ``--out`` (benchmarks/RESULTS.md) with the command and the machine
load; the raw figures go to ``--json PATH`` only (and to ``--workdir`` when
given). ``benchmarks/knowledge.py`` (merge, query, rebuild), when present, is
run by a full run and its figures added.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEV = ROOT.parent / "shared" / "dev" / "articles"
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(HERE))


def _paths_from(list_file: Path) -> list[Path]:
    return [Path(line) for line in list_file.read_text().split("\n") if line]


# ---------------------------------------------------------------- in a child process


def segment_files(paths: list[Path]) -> dict:
    """The baseline: spaCy + pkuseg (kb's model file, no user dictionary), segmenting each raw file."""
    import contextlib
    import io

    import spacy

    from kb import paths as kb_paths

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        nlp.tokenizer.initialize(pkuseg_model=str(kb_paths.model_dir(None)), pkuseg_user_dict="default")
    files = [f for p in paths for f in (sorted(p.rglob("*")) if p.is_dir() else [p]) if f.is_file()]
    chars = tokens = 0
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        chars += len(text)
        tokens += len(nlp.make_doc(text))
    return {"files": len(files), "chars": chars, "tokens": tokens}


def jieba_files(paths: list[Path]) -> dict:
    """A peer: jieba's POS tagger (``jieba.posseg.cut``, the optional ``bench`` extra) over each raw file."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.initialize()
    files = [f for p in paths for f in (sorted(p.rglob("*")) if p.is_dir() else [p]) if f.is_file()]
    tokens = sum(len(list(jieba.posseg.cut(f.read_text(encoding="utf-8", errors="replace")))) for f in files)
    return {"files": len(files), "tokens": tokens}


def stages(paths: list[Path], tagger: str = "lac") -> dict:
    """CPU seconds of each stage of kb's extraction in this process: imports, rule check, model
    loads, then per article: read, clean, segment (``make_doc``), each pipeline component, YAML."""
    clock = time.process_time
    spent: dict[str, float] = {}

    def add(name: str, since: float) -> float:
        now = clock()
        spent[name] = spent.get(name, 0.0) + now - since
        return now

    t = clock()
    import kb.nlp.pipeline as pipeline
    from kb.clean import clean_article
    from kb.extract import check_rules
    from kb.ingest.articles import read_articles
    from kb.records.models import dump_article_facts

    t = add("import", 0.0)
    check_rules()
    t = add("rule check", t)
    pipeline._pkuseg(str(pipeline.require(pipeline.paths.model_dir(None))))
    t = add("pkuseg load", t)
    if tagger != "none":
        from kb.nlp.tagger import load_lac

        load_lac()
        t = add("tagger load", t)
    nlp = pipeline.load_pipeline(tagger=tagger)
    gc.freeze()  # as kb.batch does after the load
    t = add("pipeline", t)
    articles = [a for a in read_articles(paths) if not isinstance(a, Exception)]
    t = add("read", t)
    chars = 0
    for article in articles:
        with nlp.get_pipe("kb_facts").ruleset().active():
            t = clock()
            textmap = clean_article(article)
            t = add("clean", t)
            shards = getattr(nlp.tokenizer.pkuseg_seg, "shards", None)
            if shards is not None:  # the feature table's shards this text needs (kb.nlp.features)
                shards.need(textmap.text)
                t = add("pkuseg features", t)
            doc = nlp.make_doc(textmap.text)
            t = add("segment", t)
            doc._.article, doc._.textmap = article, textmap
            chars += len(textmap.text)
            for name, component in nlp.pipeline:
                doc = component(doc)
                t = add(name, t)
        dump_article_facts(doc._.facts)
        t = add("YAML", t)
    spent["total"] = clock()
    return {"stages": spent, "articles": len(articles), "clean_chars": chars}


def extract_jobs(paths: list[Path], jobs: int) -> dict:
    """Wall seconds of loading the pipeline, then of ``extract_all`` with ``jobs`` workers."""
    from kb.batch import extract_all
    from kb.extract import load_checked_pipeline
    from kb.ingest.articles import read_articles
    from kb.nlp.pipeline import load_whole_model

    articles = [a for a in read_articles(paths) if not isinstance(a, Exception)]
    start = time.perf_counter()
    nlp = load_checked_pipeline(None, "pkuseg", "lac")  # cached: extract_all reuses it (and forks its workers from it)
    load_whole_model(nlp)  # the whole feature table, as extract_all builds it before forking workers
    loaded = time.perf_counter()
    results = extract_all(articles, jobs=jobs)
    done = time.perf_counter()
    failed = sum(1 for r in results if isinstance(r, Exception))
    return {"load_s": loaded - start, "extract_s": done - loaded, "articles": len(articles), "failed": failed}


def extract_dask(paths: list[Path], jobs: int) -> dict:
    """Wall seconds of ``extract_all`` on a local Dask cluster of ``jobs`` workers, everything
    included (the cluster's start and each worker's model load: there is no parent model)."""
    from kb.batch import extract_all
    from kb.ingest.articles import read_articles

    articles = [a for a in read_articles(paths) if not isinstance(a, Exception)]
    start = time.perf_counter()
    results = extract_all(articles, jobs=jobs, dask=True)
    failed = sum(1 for r in results if isinstance(r, Exception))
    return {"extract_s": time.perf_counter() - start, "articles": len(articles), "failed": failed}


def cached_build(paths: list[Path], cache_dir: str) -> dict:
    """Wall seconds (``build_s``) and cache hits of ``extract_all(--jobs 2)`` with the cache in
    ``cache_dir``; the model is loaded inside it, only when something is not cached."""
    from kb.batch import extract_all
    from kb.ingest.articles import read_articles
    from kb.store.cache import FactsCache

    articles = [a for a in read_articles(paths) if not isinstance(a, Exception)]
    cache = FactsCache(cache_dir)
    start = time.perf_counter()
    extract_all(articles, jobs=2, cache=cache)
    return {"build_s": time.perf_counter() - start, "hits": cache.hits, "misses": cache.misses,
            "articles": len(articles), "chars": sum(len(a.text) for a in articles)}


# ---------------------------------------------------------------- whole processes


def _kb(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from kb.cli.main import main; sys.exit(main())", *args]


def _self(mode: str, paths: list[Path], workdir: Path, *extra: str) -> list[str]:
    list_file = workdir / f"list-{abs(hash(tuple(map(str, paths))))}.txt"
    list_file.write_text("\n".join(map(str, paths)) + "\n")
    return [sys.executable, __file__, "--child", mode, "--list", str(list_file), *extra]


def run_process(cmd: list[str], workdir: Path) -> dict:
    """Run ``cmd`` to its end: CPU (user + sys), wall, peak RSS of that process, its JSON output."""
    out, err = workdir / "child.out", workdir / "child.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({child.returncode}):\n{err.read_text()[-2000:]}")
    lines = out.read_text().strip().splitlines()
    data = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    # ru_maxrss of a reaped child is its own peak, or that of its largest worker (Linux: KiB)
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "user_s": usage.ru_utime, "sys_s": usage.ru_stime,
            "wall_s": wall, "rss_mb": usage.ru_maxrss / 1024, **data}


def interleaved(cases: dict[str, list[str]], runs: int, workdir: Path) -> dict[str, dict]:
    """Each case ``runs`` times, in turn; per case the median of every numeric figure (and all CPU times)."""
    seen: dict[str, list[dict]] = {name: [] for name in cases}
    for r in range(runs):
        for name, cmd in cases.items():
            print(f"  run {r + 1}/{runs}: {name}", file=sys.stderr)
            seen[name].append(run_process(cmd, workdir))
    return {name: _median(results) for name, results in seen.items()}


def _median(results: list[dict]) -> dict:
    out = dict(results[0])
    for key, value in results[0].items():
        if isinstance(value, (int, float)):
            out[key] = statistics.median(r[key] for r in results)
        elif isinstance(value, dict) and all(isinstance(v, (int, float)) for v in value.values()):
            out[key] = {k: statistics.median(r[key].get(k, 0.0) for r in results) for k in value}
    out["cpu_runs"] = [round(r["cpu_s"], 2) for r in results]
    return out


def real_pages(workdir: Path, runs: int, paths: list[Path], jieba: bool = False) -> dict:
    """kb against segmenting, tagger on and off, stages, and --jobs 2 on ``paths`` (and jieba)."""
    out = workdir / "out"
    cases = {
        "segment": _self("segment", paths, workdir),
        "kb": _kb("extract", *map(str, paths), "--out", str(out / "kb"), "--no-cache"),
        "kb --tagger none": _kb("extract", *map(str, paths), "--out", str(out / "none"), "--no-cache", "--tagger", "none"),
        "stages": _self("stages", paths, workdir),
        "extract_all --jobs 1": _self("jobs", paths, workdir, "--jobs", "1"),
        "extract_all --jobs 2": _self("jobs", paths, workdir, "--jobs", "2"),
        "extract_all --dask --jobs 2": _self("dask", paths, workdir, "--jobs", "2"),
    }
    if jieba:
        cases["jieba"] = _self("jieba", paths, workdir)
    return interleaved(cases, runs, workdir)


# ---------------------------------------------------------------- profile


def profile(paths: list[Path], top: int = 25) -> str:
    """cProfile of kb's extraction of ``paths``: the hottest functions by their own time."""
    import cProfile
    import io
    import pstats

    from kb.extract import check_rules, extract_article
    from kb.ingest.articles import read_articles
    from kb.nlp.pipeline import load_pipeline

    check_rules()
    nlp = load_pipeline()
    articles = [a for a in read_articles(paths) if not isinstance(a, Exception)]
    extract_article(nlp, articles[0])  # rules and user dictionary loaded outside the profile
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [extract_article(nlp, a) for a in articles])
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
    hot = [ln.replace(str(ROOT) + "/", "").replace(sys.prefix + "/lib/", "")
           for ln in buffer.getvalue().splitlines() if ln.strip()][-top - 1:]
    return "```\n" + "\n".join(hot) + "\n```\n"


# ---------------------------------------------------------------- long articles


LINEAR_SIZES = (10_000, 160_000)


def long_article(n: int):
    """An article of ``n`` characters: the seeds' clean paragraphs, repeated with the years varied."""
    from kb.clean import clean_article
    from kb.ingest.articles import parse_article, read_article

    paragraphs = [p for path in sorted(SEEDS.glob("*.txt"))
                  for p in clean_article(read_article(path)).text.split("\n") if p.strip()]
    out, size = [], 0
    while size < n:
        out.append(paragraphs[len(out) % len(paragraphs)].replace("2024", str(2000 + len(out) % 25)))
        size += len(out[-1]) + 1
    return parse_article("# 标题\n\n" + "\n".join(out)[:n] + "\n", f"long-{n}.txt")


def linear() -> str:
    """CPU seconds per 100k characters of kb's extraction, for one article of each of LINEAR_SIZES."""
    from kb.extract import check_rules, extract_article
    from kb.nlp.pipeline import load_pipeline

    check_rules()
    nlp = load_pipeline()
    extract_article(nlp, long_article(2_000))  # rules and user dictionary loaded outside the timing
    rows = ["| article characters | extraction CPU s | CPU s per 100k characters |", "|---:|---:|---:|"]
    for n in LINEAR_SIZES:
        article = long_article(n)
        start = time.process_time()
        extract_article(nlp, article)
        took = time.process_time() - start
        rows.append(f"| {n:,} | {took:.2f} | {took * 100_000 / n:.2f} |")
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------- generated corpora


def generated(workdir: Path, runs: int, sample_size: int, linear_sample: int) -> dict:
    """On articles made from the seeds: kb against segmenting, the cache, 1,000 → 10,000."""
    import random

    from corpus import build_corpus

    start = time.perf_counter()
    corpus = {n: build_corpus(workdir / f"corpus-{n}", n, seed=0) for n in (1000, 10000)}
    result: dict = {"corpus_s": time.perf_counter() - start, "sample": sample_size}
    sample_dir = workdir / "sample"
    sample_dir.mkdir(exist_ok=True)
    sample = []
    for path in corpus[1000][:sample_size]:
        (sample_dir / path.name).write_bytes(path.read_bytes())
        sample.append(sample_dir / path.name)
    print(f"generated sample of {len(sample)} articles ...", file=sys.stderr)
    result["peers"] = interleaved({
        "segment": _self("segment", [sample_dir], workdir),
        "kb": _kb("extract", str(sample_dir), "--out", str(workdir / "out" / "gen"), "--no-cache"),
        "extract_all --jobs 1": _self("jobs", [sample_dir], workdir, "--jobs", "1"),
        "extract_all --jobs 2": _self("jobs", [sample_dir], workdir, "--jobs", "2"),
    }, runs, workdir)
    print("cold build, unchanged rebuild, one article changed (--jobs 2) ...", file=sys.stderr)
    cache = str(workdir / "cache")
    result["cold"] = run_process(_self("cached", [sample_dir], workdir, "--cache", cache), workdir)
    result["warm"] = run_process(_self("cached", [sample_dir], workdir, "--cache", cache), workdir)
    original = sample[0].read_bytes()
    sample[0].write_bytes(original + "\n\n本文有一处修改。\n".encode())
    result["changed"] = run_process(_self("cached", [sample_dir], workdir, "--cache", cache), workdir)
    sample[0].write_bytes(original)
    print("1,000 -> 10,000 ...", file=sys.stderr)
    for n in (1000, 10000):
        articles, read_s = _read_all(workdir / f"corpus-{n}")
        picked = random.Random(n).sample(corpus[n], linear_sample)
        result[f"n{n}"] = {"articles": articles, "read_s": read_s, "chars": sum(p.stat().st_size for p in corpus[n]),
                           "extract": run_process(_self("jobs", picked, workdir, "--jobs", "2"), workdir)}
        result[f"n{n}"]["extract"]["chars"] = sum(len(p.read_text(encoding="utf-8")) for p in picked)
        result[f"n{n}"]["chars"] = sum(len(p.read_text(encoding="utf-8")) for p in corpus[n])
    return result


def _read_all(folder: Path) -> tuple[int, float]:
    from kb.ingest.articles import read_articles

    start = time.perf_counter()
    articles = [a for a in read_articles(folder) if not isinstance(a, Exception)]
    return len(articles), time.perf_counter() - start


# ---------------------------------------------------------------- report


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def _real_table(t: dict) -> list[str]:
    seg, kb, none = t["segment"], t["kb"], t["kb --tagger none"]
    rows = ["| whole process | CPU s (user + sys) | runs | wall s | peak RSS MB | CPU ÷ segmenting |",
            "|---|---:|---|---:|---:|---:|"]
    for name, r in (("spaCy + pkuseg segmenting the raw files", seg), ("`kb extract --no-cache`", kb),
                    ("`kb extract --no-cache --tagger none`", none),
                    *((("`jieba.posseg.cut` on the raw files", t["jieba"]),) if "jieba" in t else ())):
        rows.append(f"| {name} | {r['cpu_s']:.2f} | {', '.join(map(str, r['cpu_runs']))} | {r['wall_s']:.2f} "
                    f"| {r['rss_mb']:,.0f} | {_ratio(r['cpu_s'], seg['cpu_s'])} |")
    rows += [
        "",
        f"- kb ÷ segmenting, whole process CPU: **{_ratio(kb['cpu_s'], seg['cpu_s'])}** (target ≤ 1.0×); "
        f"without the tagger {_ratio(none['cpu_s'], seg['cpu_s'])}",
        f"- the tagger: **{kb['cpu_s'] - none['cpu_s']:+.2f} s CPU**, **{kb['rss_mb'] - none['rss_mb']:+.0f} MB** "
        "peak RSS (target ≤ 200 MB)",
    ]
    return rows


def _stage_table(t: dict) -> list[str]:
    s = t["stages"]["stages"]
    # the feature table's shards are model loading, done as the texts need them
    per_article = [k for k in s if k not in ("import", "rule check", "pkuseg load", "pkuseg features", "tagger load",
                                             "pipeline", "read", "total")]
    kb_total = sum(s[k] for k in per_article)
    seg = s.get("segment", 0.0)
    rows = ["| stage | CPU s | share of the process | ÷ segmenting the clean text |", "|---|---:|---:|---:|"]
    for name, value in s.items():
        if name != "total":
            rows.append(f"| {name} | {value:.3f} | {value / s['total']:.0%} | {_ratio(value, seg)} |")
    rows.append(f"| **process** | {s['total']:.3f} | 100% | |")
    return rows + ["", f"- kb's per-article stages (clean … YAML) ÷ their segmentation stage: **{_ratio(kb_total, seg)}** "
                   f"({t['stages']['articles']} articles, {t['stages']['clean_chars']:,} clean characters)"]


def _jobs_lines(one: dict, two: dict) -> list[str]:
    return [f"- `extract_all` after the model load ({one['articles']} articles): "
            f"--jobs 1 {one['extract_s']:.2f} s wall, --jobs 2 {two['extract_s']:.2f} s → "
            f"**{_ratio(one['extract_s'], two['extract_s'])}** (target ≥ 1.8×; 2 cores, workers forked per run)"]


def _dask_lines(one: dict, two: dict, dask: dict | None) -> list[str]:
    if not dask:
        return []
    forked = two["load_s"] + two["extract_s"]
    return [f"- A local Dask cluster of 2 workers, everything included (start, each worker's model load, "
            f"extraction): {dask['extract_s']:.2f} s wall, against {forked:.2f} s for `--jobs 2` with its one "
            f"model load ({_ratio(forked, dask['extract_s'])}) and {one['load_s'] + one['extract_s']:.2f} s "
            "for `--jobs 1`: on one machine Dask pays a model per worker; it is for more machines"]


def _generated_section(g: dict) -> list[str]:
    peers = g["peers"]
    seg, kb = peers["segment"], peers["kb"]
    cold, warm, changed = g["cold"], g["warm"], g["changed"]
    lines = [
        f"## Generated articles ({g['sample']} made from the seeds by `benchmarks/corpus.py`, seed 0)", "",
        "| whole process | CPU s | wall s | peak RSS MB | CPU ÷ segmenting |", "|---|---:|---:|---:|---:|",
        f"| spaCy + pkuseg segmenting the raw files | {seg['cpu_s']:.2f} | {seg['wall_s']:.2f} | {seg['rss_mb']:,.0f} | 1.00× |",
        f"| `kb extract --no-cache` | {kb['cpu_s']:.2f} | {kb['wall_s']:.2f} | {kb['rss_mb']:,.0f} "
        f"| {_ratio(kb['cpu_s'], seg['cpu_s'])} |", "",
        *_jobs_lines(peers["extract_all --jobs 1"], peers["extract_all --jobs 2"]), "",
        "### Cache (`extract_all --jobs 2`, a fresh process each; an unchanged rebuild never loads the model)", "",
        "| build | `extract_all` wall s | whole process wall s | CPU s | hits / misses | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in (("cold, empty cache", cold), ("unchanged", warm), ("one article changed", changed)):
        lines.append(f"| {name} | {r['build_s']:.2f} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['hits']} / {r['misses']} "
                     f"| {r['rss_mb']:,.0f} |")
    lines += ["", f"- cold ÷ unchanged rebuild, `extract_all` wall: **{_ratio(cold['build_s'], warm['build_s'])}** "
              f"(target ≥ 20×); whole processes (Python and imports included): {_ratio(cold['wall_s'], warm['wall_s'])}", "",
              "### 1,000 → 10,000 articles", "",
              "Extraction throughput is measured on a random sample of each corpus (`--jobs 2`, no cache); the "
              "cold build is projected as model load + reading every file + characters ÷ throughput.", "",
              "| corpus | articles | chars | read s | sampled chars/s | projected cold build s |",
              "|---|---:|---:|---:|---:|---:|"]
    projected = {}
    for n in (1000, 10000):
        r = g[f"n{n}"]
        rate = r["extract"]["chars"] / r["extract"]["extract_s"]
        projected[n] = r["extract"]["load_s"] + r["read_s"] + r["chars"] / rate
        lines.append(f"| {n:,} | {r['articles']:,} | {r['chars']:,} | {r['read_s']:.1f} | {rate:,.0f} | {projected[n]:,.0f} |")
    lines += ["", f"- 10,000 ÷ 1,000: projected cold build **{projected[10000] / projected[1000]:.1f}×** (linear: 10×)"]
    return lines


def _knowledge_section(result) -> list[str]:
    import knowledge

    render = getattr(knowledge, "report", None) or getattr(knowledge, "table", None)
    body = "```\n" + (render(result) if callable(render) else json.dumps(result, indent=1, default=str)) + "\n```"
    return ["## Merge, queries and rebuilds (`benchmarks/knowledge.py`)", "", body]


def report(t: dict) -> str:
    real = t["real"]
    names = ", ".join(f"`{p}`" for p in t["paths"])
    lines = [
        "# kb benchmark results", "",
        f"Written by `{t['command']}` on {t['started']}: {t['machine']}. Load average (1, 5, 15 min) "
        f"before {t['load_before']}, after {t['load_after']}; git {t['git']}.", "",
        f"Every figure is CPU time (user + sys) or wall time of a whole process, the median of {t['runs']} runs "
        "taken in turn; `runs` lists each run's CPU.", "",
        f"## Real pages ({names}: {real['segment']['files']} files, {real['segment']['chars']:,} characters on disk)", "",
        "kb reads the raw files, cleans them and segments only the clean text; the segmenting process "
        "segments the raw files whole. Both load the same pkuseg model: the segmenting process as spaCy "
        "does (the whole feature table, about 2.5 s), kb from the `features.shards` that `kb model fetch` "
        "wrote (only the shards of the characters its texts hold: the stage `pkuseg features`; "
        "`kb.nlp.features`).", "",
        *_real_table(real), "",
        *_jobs_lines(real["extract_all --jobs 1"], real["extract_all --jobs 2"]),
        *_dask_lines(real["extract_all --jobs 1"], real["extract_all --jobs 2"], real.get("extract_all --dask --jobs 2")),
        "",
        "### Where a kb process spends its CPU (one process, `time.process_time` per stage)", "",
        *_stage_table(real), "",
    ]
    if "generated" in t:
        lines += [*_generated_section(t["generated"]), ""]
    if "linear" in t:
        lines += ["## One long article (seeds' paragraphs repeated)", "", t["linear"], ""]
    if "knowledge" in t:
        lines += [*_knowledge_section(t["knowledge"]), ""]
    if "knowledge_error" in t:
        lines += ["## Merge, queries and rebuilds (`benchmarks/knowledge.py`)", "", f"Failed: `{t['knowledge_error']}`", ""]
    lines += ["## Hottest functions of kb's extraction of the real pages (cProfile, own time)", "", t["profile"]]
    return "\n".join(lines) + "\n"


def _machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{platform.machine()} Linux, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def _git() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "?"

    changed = len([ln for ln in git("status", "--porcelain").splitlines() if ln.strip()])
    return f"{git('rev-parse', '--short', 'HEAD')}" + (f" with {changed} files changed" if changed else "")


def run_all(args, workdir: Path) -> dict:
    import importlib.util

    if args.jieba and importlib.util.find_spec("jieba") is None:
        raise SystemExit("benchmarks/run.py: --jieba needs jieba: .venv/bin/pip install -e '.[bench]'")
    paths = [p for p in (DEV, SEEDS) if p.is_dir()]
    t: dict = {"command": " ".join(["benchmarks/run.py", *sys.argv[1:]]), "runs": args.runs, "machine": _machine(),
               "started": time.strftime("%Y-%m-%d %H:%M %Z"), "load_before": _load(), "git": _git(),
               "paths": [os.path.relpath(p, ROOT) for p in paths]}
    print(f"real pages: {', '.join(t['paths'])} ...", file=sys.stderr)
    t["real"] = real_pages(workdir, args.runs, paths, args.jieba)
    if not args.quick:
        t["generated"] = generated(workdir, args.runs, args.sample, args.linear_sample)
        print("one long article ...", file=sys.stderr)
        t["linear"] = run_process([sys.executable, __file__, "--linear", "--json-line"], workdir)["table"]
        if (HERE / "knowledge.py").exists():
            print("benchmarks/knowledge.py ...", file=sys.stderr)
            import knowledge

            try:
                t["knowledge"] = knowledge.run(tuple(args.knowledge_sizes))
            except Exception as err:  # noqa: BLE001 - its failure must not lose the figures above
                t["knowledge_error"] = f"{type(err).__name__}: {err}".splitlines()[0]
    print("profiling ...", file=sys.stderr)
    t["profile"] = run_process(_self("profile", paths, workdir), workdir)["table"]
    t["load_after"] = _load()
    return t


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def child(mode: str, paths: list[Path], args) -> dict:
    if mode == "segment":
        return segment_files(paths)
    if mode == "jieba":
        return jieba_files(paths)
    if mode == "stages":
        return stages(paths)
    if mode == "jobs":
        return extract_jobs(paths, args.jobs)
    if mode == "dask":
        return extract_dask(paths, args.jobs)
    if mode == "cached":
        return cached_build(paths, args.cache)
    if mode == "profile":
        return {"table": profile(paths)}
    raise SystemExit(f"unknown --child mode {mode!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="real pages only (under 2 minutes)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each case; the median is reported")
    parser.add_argument("--sample", type=int, default=200, help="generated articles for kb against segmenting")
    parser.add_argument("--linear-sample", type=int, default=200, help="articles sampled from each corpus")
    parser.add_argument("--knowledge-sizes", type=int, nargs="+", default=[1000, 10000],
                        help="articles of synthetic facts for benchmarks/knowledge.py")
    parser.add_argument("--workdir", type=Path, help="where corpora, outputs and results.json go (default: a temp folder)")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="the report (default: benchmarks/RESULTS.md)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--jieba", action="store_true", help="add jieba.posseg.cut on the real pages (needs the bench extra)")
    parser.add_argument("--linear", action="store_true", help="only time one 10k and one 160k article; print it")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json-line", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--list", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, _paths_from(args.list), args)))
        return 0
    if args.linear:
        table = linear()
        print(json.dumps({"table": table}) if args.json_line else table)
        return 0
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        timings = run_all(args, workdir)
        if args.workdir:
            (workdir / "results.json").write_text(json.dumps(timings, indent=1, ensure_ascii=False) + "\n")
    if args.json:
        args.json.write_text(json.dumps(timings, indent=1, ensure_ascii=False) + "\n")
    text = report(timings)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
