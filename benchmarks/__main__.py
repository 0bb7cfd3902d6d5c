"""Solve the benchmark instances, each in its own process (for an honest peak
memory), and record the results in benchmarks/results.json and BENCHMARKS.md.

    python -m benchmarks              # the bundled counties and generated 864 and 3,000
    python -m benchmarks --large      # the generated 10,000 cases (minutes)
    python -m benchmarks --only anqiu-same --time-limit 30   # a quick look; records nothing
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Case:
    name: str
    source: str                 # a bundled instance file, or "generate:VILLAGES:TOWNSHIPS:SEED"
    same_township: bool
    contiguity: str = "connected"
    time_limit: float = 60.0
    large: bool = False


CASES = (
    Case("anqiu-same", "instances/anqiu.gpkg", True),
    Case("anqiu-cross", "instances/anqiu.gpkg", False),
    Case("jiangxia", "instances/jiangxia.gpkg", True),
    Case("quangang", "instances/quangang.gpkg", True),
    Case("luoxi", "instances/luoxi.gpkg", True),
    Case("gen864-same", "generate:864:12:1", True),
    Case("gen864-cross", "generate:864:12:1", False),
    Case("gen864-star", "generate:864:12:1", False, "star"),
    Case("gen3000-cross", "generate:3000:40:1", False),
    Case("gen10000-star", "generate:10000:130:1", False, "star", 60.0, True),
    Case("gen10000-cross", "generate:10000:130:1", False, "connected", 115.0, True),
)


def stamp() -> dict:
    """When and where a benchmark ran: the date and the machine."""
    return {"date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"}


def run_case(case: Case, time_limit: float | None, workers: int) -> dict:
    """Build, solve and check one case in this process; the figures as a dict."""
    import pairing
    from pairing.model.candidates import enumerate_candidates
    from pairing.model.greedy import greedy_selection

    with tempfile.TemporaryDirectory() as folder:
        path = ROOT / case.source
        if case.source.startswith("generate:"):
            from pairing.files import write_villages
            from pairing.synth import synthetic_county

            villages, townships, seed = map(int, case.source.split(":")[1:])
            path = write_villages(synthetic_county(villages, townships, seed), Path(folder) / "county.gpkg")
        started = time.perf_counter()
        instance = pairing.read_villages(path)
        build_seconds = time.perf_counter() - started
    rules = pairing.Rules(same_township=case.same_township, contiguity=case.contiguity)
    plan = pairing.solve(instance, rules, time_limit=time_limit or case.time_limit, workers=workers, seed=0)
    violations = pairing.check(plan)
    candidates = enumerate_candidates(instance, rules)
    greedy = greedy_selection(candidates, instance.n)
    greedy_weak, greedy_grouped = int(candidates.weak[list(greedy)].sum()), int(candidates.size[list(greedy)].sum())
    metrics = plan.metrics()
    levels = {stage["objective"]: stage for stage in plan.stages[1:]}
    return {
        "case": case.name, "source": case.source, "same_township": case.same_township, "contiguity": case.contiguity,
        "villages": instance.n, "candidates": plan.stages[0]["candidates"], "blocks": plan.stages[0].get("blocks"),
        "largest_block": plan.stages[0].get("largest_block"),
        "build_seconds": round(build_seconds, 2), "solve_seconds": round(plan.solve_seconds, 2),
        "time_limit": time_limit or case.time_limit, "workers": workers,
        "status": plan.status, "gap": plan.gap,
        "weak": metrics["weak"], "weak_grouped": metrics["weak_grouped"], "villages_grouped": metrics["villages_grouped"],
        "groups": metrics["groups"],
        "levels": {name: {k: stage[k] for k in ("status", "value", "bound", "seconds")} for name, stage in levels.items()},
        "greedy_weak": greedy_weak, "greedy_grouped": greedy_grouped,
        "ratio_to_greedy_weak": round(metrics["weak_grouped"] / greedy_weak, 3) if greedy_weak else None,
        "lp_bound_weak": lp_figure(candidates, candidates.weak),
        "lp_bound_grouped": lp_figure(candidates, candidates.size),
        "checker_violations": len(violations),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def lp_figure(candidates, coefficients) -> float:
    """The LP relaxation's optimum, rounded; NaN when it is not reached in two minutes."""
    from pairing.model.bounds import lp_bound

    relaxation = lp_bound(candidates, coefficients, seconds=120.0)
    return round(relaxation.value, 2) if relaxation.optimal else float("nan")


def table(results: list[dict]) -> str:
    """The results as a Markdown table."""
    header = ("| case | villages | candidates (blocks, largest) | build s | solve s | status | gap | weak grouped / weak "
              "| villages grouped | greedy weak / grouped | weak ÷ greedy | LP bound weak / grouped | peak MB | checker |")
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in results:
        gap = "0" if r["gap"] == 0 else ("-" if r["gap"] is None else f"{r['gap']:.2%}")
        lines.append(
            f"| {r['case']} | {r['villages']:,} | {r['candidates']:,} ({r['blocks']}, {r['largest_block']:,}) | {r['build_seconds']} "
            f"| {r['solve_seconds']} | {r['status']} | {gap} | {r['weak_grouped']:,} / {r['weak']:,} | {r['villages_grouped']:,} "
            f"| {r['greedy_weak']:,} / {r['greedy_grouped']:,} | {r['ratio_to_greedy_weak'] or '-'} "
            f"| {r['lp_bound_weak']:,} / {r['lp_bound_grouped']:,} | {r['peak_memory_mb']:,} "
            f"| {'valid' if r['checker_violations'] == 0 else str(r['checker_violations']) + ' violations'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="run the 10,000-village cases")
    parser.add_argument("--only", nargs="*", help="case names to run")
    parser.add_argument("--time-limit", type=float, help="override every case's time limit")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", help="results file (default benchmarks/results.json, or results-large.json)")
    parser.add_argument("--markdown", default=str(ROOT / "BENCHMARKS.md"),
                        help="Markdown file whose results table to replace ('' for none)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case in this process
    args = parser.parse_args(argv)
    if args.case:
        case = next(c for c in CASES if c.name == args.case)
        print(json.dumps(run_case(case, args.time_limit, args.workers), ensure_ascii=False))
        return 0
    chosen = [c for c in CASES if (c.name in args.only if args.only else c.large == args.large)]
    results = []
    for case in chosen:
        command = [sys.executable, "-m", "benchmarks", "--case", case.name, "--workers", str(args.workers)]
        if args.time_limit:
            command += ["--time-limit", str(args.time_limit)]
        run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
            return 1
        result = json.loads(run.stdout.strip().splitlines()[-1])
        results.append(result)
        print(f"{case.name}: {result['status']} gap {result['gap']} weak {result['weak_grouped']}/{result['weak']} "
              f"grouped {result['villages_grouped']} in {result['solve_seconds']} s", flush=True)
    record = {**stamp(), "results": results}
    if args.only and not args.out:
        print(table(results))
        return 0
    large = all(case.large for case in chosen)
    out = Path(args.out or ROOT / "benchmarks" / ("results-large.json" if large else "results.json"))
    out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    if args.markdown:
        record_in_markdown(Path(args.markdown), "large" if large else "default", record)
    return 0


def record_in_markdown(path: Path, section: str, record: dict, render=None) -> None:
    """Replace the table between ``<!-- results:SECTION -->`` and ``<!-- /results -->``
    (``render`` makes the table of the record: by default :func:`table` of its results)."""
    start, end = f"<!-- results:{section} -->", "<!-- /results -->"
    text = path.read_text(encoding="utf-8")
    before, found, rest = text.partition(start)
    if not found:
        raise SystemExit(f"{path}: no {start} marker to write the results under")
    body = render(record) if render is not None else table(record["results"])
    block = f"{start}\nMeasured {record['date']} on {record['machine']}.\n\n{body}\n"
    path.write_text(before + block + end + rest.partition(end)[2], encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
