"""Rules judged on gold (``kb eval --by-rule``), after snorkel's ``LFAnalysis``.

Every predicted record names the rules that found it (``provenance[].rule``).
Scored against gold (:func:`kb.evaluate.gold.evaluate`), a record is a true fact
when it matched a gold record, else a false one. Per rule:

- ``fires``: mentions it produced (provenance entries);
- ``records``: predicted records it contributed to, ``true`` and ``false``
  among them, and ``precision`` = true / records;
- ``overlaps``: records that another rule found too (snorkel's overlap).

Statistical proposals carry rule ids ``tagger:<label>``; they also add up
in one ``tagger:*`` row. A rule of ``rules/*.yaml`` (any mapping with an
``id``) *fires* when a provenance rule is its id, or ends in ``:<id>`` and
starts with its file's name (``events.series:world-internet-conference``).
Rules that never fire are listed with their file and line; some of them
(units, sources, scales) only ever shape records found by other rules, so a
rule in that list is a question, not necessarily a dead rule. Only articles
with a gold file are counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kb import paths
from kb.evaluate.gold import Judged, Report
from kb.rules.ruleset import read_rule_file

TAGGER_PREFIX = "tagger:"
TAGGER_ALL = "tagger:*"


@dataclass
class RuleStats:
    rule: str
    types: set[str] = field(default_factory=set)
    fires: int = 0
    records: int = 0
    true: int = 0
    false: int = 0
    overlaps: int = 0

    @property
    def precision(self) -> float:
        return self.true / self.records if self.records else 0.0


@dataclass(frozen=True)
class DefinedRule:
    """A rule of ``rules/*.yaml``: its id, file and line."""

    id: str
    file: str
    line: int | None


@dataclass
class RuleReport:
    rules: list[RuleStats]
    never_fired: list[DefinedRule]


def _rules_of(judged: Judged) -> list[str]:
    provenance = judged.record.get("provenance") or []
    return [str(p["rule"]) for p in provenance if isinstance(p, Mapping) and p.get("rule")]


def _count(stats: dict[str, RuleStats], judged: Judged) -> None:
    fired = _rules_of(judged)
    fired += [TAGGER_ALL for r in fired if r.startswith(TAGGER_PREFIX)]
    for rule in fired:
        stats.setdefault(rule, RuleStats(rule)).fires += 1
    distinct = set(fired)
    for rule in sorted(distinct):
        one = stats[rule]
        one.types.add(judged.type)
        one.records += 1
        one.true += judged.true
        one.false += not judged.true
        one.overlaps += bool(_others(rule, distinct))


def _others(rule: str, distinct: set[str]) -> set[str]:
    """The other rules that found a record; for ``tagger:*``, the rules that are not the tagger."""
    if rule == TAGGER_ALL:
        return {r for r in distinct if not r.startswith(TAGGER_PREFIX)}
    return distinct - {rule, TAGGER_ALL}


def defined_rules(rules_dir: Path | None = None) -> list[DefinedRule]:
    """Every mapping with an ``id`` in the rule files, in file order."""
    folder = rules_dir or paths.rules_dir()
    found = []
    for path in sorted(folder.glob("*.yaml")):
        found += [DefinedRule(str(m["id"]), path.name, m.get("__line__")) for m in _mappings(read_rule_file(path))
                  if isinstance(m.get("id"), (str, int))]
    return found


def _mappings(data) -> Iterator[Mapping]:
    if isinstance(data, Mapping):
        yield data
        for value in data.values():
            yield from _mappings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _mappings(value)


def _fires(rule: DefinedRule, fired: set[str]) -> bool:
    prefix = Path(rule.file).stem + "."
    return rule.id in fired or any(f.endswith(f":{rule.id}") and f.startswith(prefix) for f in fired)


def rule_report(report: Report, rules_dir: Path | None = None) -> RuleReport:
    """Per-rule firing and true/false counts of a scored prediction, and the rules that never fire."""
    stats: dict[str, RuleStats] = {}
    for judged in report.judged:
        _count(stats, judged)
    never = [r for r in defined_rules(rules_dir) if not _fires(r, set(stats))]
    ordered = sorted(stats.values(), key=lambda s: (-s.false, -s.records, s.rule))
    return RuleReport(ordered, never)


def format_rule_report(report: RuleReport) -> str:
    """A table, worst rules (most false facts) first, then the rules that never fire."""
    lines = ["| rule | types | fires | records | true | false | precision | overlaps |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {s.rule} | {','.join(sorted(s.types))} | {s.fires} | {s.records} | {s.true} | {s.false} "
              f"| {s.precision:.3f} | {s.overlaps} |" for s in report.rules]
    lines.append(f"\n## rules that never fire ({len(report.never_fired)})")
    lines += [f"- {r.file}:{r.line or '?'} {r.id}" for r in report.never_fired]
    return "\n".join(lines) + "\n"


def rule_report_json(report: RuleReport) -> dict:
    """The same report as plain data (``kb eval --by-rule --json``)."""
    rules = [{**asdict(s), "types": sorted(s.types), "precision": round(s.precision, 6)} for s in report.rules]
    return {"rules": rules, "never_fired": [asdict(r) for r in report.never_fired]}
