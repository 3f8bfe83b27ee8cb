"""The knowledge base at scale: merge, graph, exports, save, load and queries on N articles.

Facts are synthetic, made by varying the gold files of ``tests/gold`` (no extraction runs):
article ``i`` is gold file ``i % 4`` under the name ``<i>_<doc>``, with its people renamed
per copy (so people grow with N), every other copy's documents retitled (50 editions),
claim values scaled by 1, 2 or 3 and times shifted by up to four years (so conflicts
arise), one copy in four's claim subjects renamed, and one mention (provenance) per
record, so an outlet named in every article has N mentions.

For each N, ``run`` reports CPU seconds (user + sys) and the peak of memory allocated
by Python (tracemalloc, in a second pass: tracing slows the code down) of each step —
loading and the queries in a fresh process, as ``kb find`` runs (in the process that
made the facts, the graph and the exports, loading takes three times as long) — the graph's size, and the ``write_build`` times: cold (an empty folder),
unchanged (the same facts again) and one article changed (the first with records, dated
anew: the groups of its records are combined again, the others taken from the previous
build); the ratios are over those
build steps only, extraction excluded (it is cached by kb.store.cache, and would make a
cold build far slower still).

    python benchmarks/knowledge.py [N ...]      # default: 1000 10000
    python benchmarks/knowledge.py --builds-up-to 10000 1000 10000   # write_build at both sizes too
    python benchmarks/knowledge.py --queries OUT   # load OUT and query it: JSON

With builds at the smallest and the largest size, ``scaling`` has ``build cold``: the
whole cold ``write_build`` (every output) at the largest size over the smallest.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.records.models import ArticleFacts, load_article_facts  # noqa: E402

GOLD = sorted((ROOT / "tests" / "gold").glob("*.yaml"))
_YEAR = re.compile(r"^(\d{4})")
QUERIES: dict[str, Callable[[Any], Any]] = {
    "find": lambda kb: kb.find("世界互联网大会"),
    "find_part": lambda kb: kb.find("直通乌镇"),
    "show": lambda kb: kb.show("org:世界互联网大会国际组织"),
    "timeline": lambda kb: kb.timeline("世界互联网大会"),
    "conflicts": lambda kb: kb.conflicts(),
}


# ---------------------------------------------------------------- synthetic facts


def _vary(facts: ArticleFacts, i: int) -> ArticleFacts:
    copy = i // len(GOLD)
    data = facts.model_dump(mode="json")
    doc = data["doc"] = f"{i:05d}_{facts.doc}"
    offset = 0
    for section in ("events", "organizations", "people", "documents", "claims"):
        for record in data[section]:
            record.pop("id", None)
            if section == "people":
                record["name"] += str(copy)
            if section == "documents" and copy % 2:
                record["title"] += f"（{copy % 50}）"
            if section == "claims":
                record["value"] *= 1 + copy % 3
                if record.get("time"):
                    record["time"] = _YEAR.sub(lambda m: str(int(m[1]) + copy % 5), record["time"])
                if copy % 4 == 0 and record.get("subject"):
                    record["subject"] += str(copy)
            quote = record["evidence"]
            record["provenance"] = [{"doc": doc, "start": offset, "end": offset + len(quote), "quote": quote,
                                     "rule": "synthetic"}]
            offset += len(quote) + 1
    return ArticleFacts.model_validate(data)


def synthetic_facts(n: int) -> list[ArticleFacts]:
    """``n`` articles of facts varied from the gold files (see the module docstring)."""
    base = [load_article_facts(path) for path in GOLD]
    return [_vary(base[i % len(base)], i) for i in range(n)]


# ---------------------------------------------------------------- measuring


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(function: Callable[[], Any]) -> tuple[Any, float]:
    start = _cpu()
    result = function()
    return result, _cpu() - start


def _peak(function: Callable[[], Any]) -> float:
    """MB allocated at most while ``function`` runs."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _steps(facts: list[ArticleFacts], folder: Path) -> dict[str, Callable[[], Any]]:
    """Each step as a callable, in order; later ones use what earlier ones made."""
    from kb.export.gexf import gexf_bytes
    from kb.export.graphml import graphml_bytes
    from kb.graph import build_graph
    from kb.merge import merge_facts
    from kb.query import KnowledgeBase
    from kb.store.knowledge import save_knowledge_base

    made: dict[str, Any] = {}
    steps: dict[str, Callable[[], Any]] = {
        "merge": lambda: made.__setitem__("merged", merge_facts(facts)),
        "graph": lambda: made.__setitem__("graph", build_graph(made["merged"])),
        "graphml": lambda: graphml_bytes(made["graph"]),
        "gexf": lambda: gexf_bytes(made["graph"]),
        "save": lambda: save_knowledge_base(_kb(KnowledgeBase, facts, made), folder),
    }
    steps["made"] = lambda: made
    return steps


def _query_steps(folder: Path) -> dict[str, Callable[[], Any]]:
    from kb.store.knowledge import load_knowledge_base

    made: dict[str, Any] = {}
    steps: dict[str, Callable[[], Any]] = {"load": lambda: made.__setitem__("loaded", load_knowledge_base(folder))}
    steps.update({f"query {name}": (lambda q=query: q(made["loaded"])) for name, query in QUERIES.items()})
    return steps


def measure_queries(folder: Path, memory: bool = True) -> dict[str, dict[str, float]]:
    """Seconds (and peak MB) of loading the knowledge base stored in ``folder`` and of each query."""
    steps = _query_steps(folder)
    out = {"seconds": {name: _timed(step)[1] for name, step in steps.items()}}
    if memory:
        out["peak_mb"] = {name: _peak(step) for name, step in steps.items()}
    return out


def _fresh_queries(folder: Path, memory: bool) -> dict[str, dict[str, float]]:
    """:func:`measure_queries` in a new process."""
    command = [sys.executable, __file__, "--queries", str(folder), *([] if memory else ["--no-memory"])]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def _kb(cls: Any, facts: list[ArticleFacts], made: dict[str, Any]) -> Any:
    kb = cls(facts)
    kb._merged = made["merged"]  # merged in the step before: save stores it, not merges it again
    return kb


def _builds(facts: list[ArticleFacts], folder: Path) -> dict[str, float]:
    """CPU seconds of ``write_build``: cold, unchanged, one article changed."""
    from kb.query import KnowledgeBase
    from kb.store.build import write_build
    from kb.store.knowledge import read_verdicts

    out = folder / "build"
    _, cold = _timed(lambda: write_build(KnowledgeBase(facts), out))
    _, unchanged = _timed(lambda: write_build(KnowledgeBase(facts, verdicts=read_verdicts(out)), out))
    # The first article with records gets another date: every group it is in is combined again.
    i = next(i for i, f in enumerate(facts) if f.records())
    changed = [*facts[:i], facts[i].model_copy(update={"doc_date": "2000-01-01"}), *facts[i + 1:]]
    _, one = _timed(lambda: write_build(KnowledgeBase(changed, verdicts=read_verdicts(out)), out))
    return {"build cold": cold, "build unchanged": unchanged, "build one changed": one,
            "unchanged/cold": cold / max(unchanged, 1e-9), "one changed/cold": cold / max(one, 1e-9)}


def run(sizes: tuple[int, ...] = (1000, 10000), *, memory: bool = True, builds_up_to: int = 1000) -> dict:
    """For each size: ``{"seconds": {step: s}, "peak_mb": {step: MB}, "records", "conflicts",
    "nodes", "edges", "builds": {...}}`` (``builds`` for sizes up to ``builds_up_to``: a cold
    build writes every article's YAML, minutes at 10,000), plus ``"scaling"``: each step's
    time at the largest size over the smallest (linear: the ratio of the sizes)."""
    results: dict[str, Any] = {}
    for n in sizes:
        facts = synthetic_facts(n)
        with tempfile.TemporaryDirectory() as tmp:
            steps = _steps(facts, Path(tmp) / "kb")
            made = steps.pop("made")()
            seconds = {name: _timed(step)[1] for name, step in steps.items()}
            queries = _fresh_queries(Path(tmp) / "kb", memory)
            seconds.update(queries["seconds"])
            graph = made["graph"]
            entry: dict[str, Any] = {"seconds": seconds, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
                                     "records": len(made["merged"].records()), "conflicts": len(made["merged"].conflicts)}
            if memory:
                entry["peak_mb"] = {name: _peak(step) for name, step in steps.items()} | queries["peak_mb"]
            if n <= builds_up_to:
                entry["builds"] = _builds(facts, Path(tmp))
        results[str(n)] = entry
    if len(sizes) > 1:
        small, large = results[str(min(sizes))]["seconds"], results[str(max(sizes))]["seconds"]
        results["scaling"] = {name: large[name] / max(small[name], 1e-9) for name in small}
        builds = [results[str(n)].get("builds") for n in (min(sizes), max(sizes))]
        if builds[0] and builds[1]:
            results["scaling"]["build cold"] = builds[1]["build cold"] / max(builds[0]["build cold"], 1e-9)
    return results


def table(results: dict) -> str:
    """The results as a text table: one row per step, one column per size."""
    sizes = [k for k in results if k != "scaling"]
    head = "step".ljust(20) + "".join(f"{n + ' s':>12}{n + ' MB':>12}" for n in sizes)
    head += f"{'scaling':>10}" if "scaling" in results else ""
    lines = [head]
    for step in results[sizes[0]]["seconds"]:  # "build cold", in scaling only, is printed below
        row = step.ljust(20)
        for n in sizes:
            peak = results[n].get("peak_mb", {}).get(step)
            row += f"{results[n]['seconds'][step]:>12.3f}" + (f"{peak:>12.1f}" if peak is not None else f"{'':>12}")
        if "scaling" in results:
            row += f"{results['scaling'][step]:>9.1f}x"
        lines.append(row)
    for key in ("records", "conflicts", "nodes", "edges"):
        lines.append(key.ljust(20) + "".join(f"{results[n][key]:>12}{'':>12}" for n in sizes))
    for n in sizes:
        for name, value in results[n].get("builds", {}).items():
            lines.append(f"{n} {name}".ljust(32) + f"{value:>10.2f}" + ("x" if "/" in name else " s"))
    if "build cold" in results.get("scaling", {}):
        lines.append("build cold scaling".ljust(32) + f"{results['scaling']['build cold']:>10.2f}x")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--queries"]:
        print(json.dumps(measure_queries(Path(sys.argv[2]), memory="--no-memory" not in sys.argv)))
    else:
        args = sys.argv[1:]
        up_to = 1000
        if args[:1] == ["--builds-up-to"]:
            up_to, args = int(args[1]), args[2:]
        print(table(run(tuple(int(a) for a in args) or (1000, 10000), builds_up_to=up_to)))
