"""Solver strength across families of generated counties (issue "Solver strength"):
each row runs the whole `pairing solve` command (reading and writing included)
on a county of one family, with CP-SAT and, side by side on the same model and
time, with HiGHS searching the first two levels (`[solver] backend = "highs"`).

    python -m benchmarks.families                 # record in BENCHMARKS.md
    python -m benchmarks.families --seeds 1 2 3   # more seeds
    python -m benchmarks.families --scenarios 864 --families even plains

Each row gives the command's wall time and peak memory (the child's own, from
``wait4``), and the first level not proven with its bound and the bound's source.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.__main__ import ROOT, record_in_markdown, stamp

#: (name, villages, townships, same_township, contiguity, time limit s, target s)
SCENARIOS = (
    ("864 across, connected", 864, 15, False, "connected", 20.0, 10.0),
    ("864 within, connected", 864, 15, True, "connected", 10.0, 3.0),
    ("864 across, star", 864, 15, False, "star", 20.0, 10.0),
    ("3,000 across, connected", 3000, 15, False, "connected", 60.0, 60.0),
    ("10,000 across, connected", 10000, 40, False, "connected", 120.0, 120.0),
    ("10,000 across, star", 10000, 40, False, "star", 20.0, 10.0),
)
FAMILIES = ("even", "clustered", "hilly", "plains")
METHODS = ("cp-sat", "highs")
RESULTS = ROOT / "benchmarks" / "families.json"


def run(county: Path, scenario: tuple, method: str, folder: Path) -> dict:
    name, _, _, same, contiguity, limit, target = scenario
    config = folder / f"{method}-{same}-{contiguity}.toml"
    config.write_text(f'[rules]\nsame_township = {str(same).lower()}\ncontiguity = "{contiguity}"\n[solver]\nbackend = "{method}"\n',
                      encoding="utf-8")
    out = folder / f"out-{method}"
    started = time.perf_counter()
    child = subprocess.Popen([str(Path(sys.executable).with_name("pairing")), "solve", str(county), "--config", str(config),
                              "--time-limit", str(limit), "--out", str(out), "--format", "csv,json", "-q"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    stages = [stage for stage in summary["stages"] if "value" in stage]
    first = next((stage for stage in stages if stage["status"] != "OPTIMAL"), stages[-1])
    return {"method": method, "wall": round(wall, 1), "peak_mb": round(usage.ru_maxrss / 1024), "status": summary["status"], "level": first["objective"],
            "value": first["value"], "bound": first["bound"], "bound_from": first.get("bound_from", ""),
            "weak": next(s["value"] for s in stages if s["objective"] == "weak_grouped"),
            "villages": next((s["value"] for s in stages if s["objective"] == "villages_grouped"), None)}


def merged(results: list[dict]) -> list[dict]:
    """These results over the recorded ones (a run of some scenarios or families
    keeps the others' rows), in the order of the families and scenarios."""
    key = lambda r: (r["family"], r["seed"], r["scenario"], r["method"])  # noqa: E731
    rows = {key(r): r for r in (json.loads(RESULTS.read_text(encoding="utf-8"))["results"] if RESULTS.is_file() else [])}
    rows.update({key(r): r for r in results})
    order = {name: k for k, name in enumerate(FAMILIES)} | {scenario[0]: k for k, scenario in enumerate(SCENARIOS)}
    return sorted(rows.values(), key=lambda r: (order.get(r["family"], 99), r["seed"], order.get(r["scenario"], 99), METHODS.index(r["method"])))


def render(record: dict) -> str:
    lines = ["| family | seed | scenario (target) | method | wall s | peak MB | status | weak | villages "
             "| first level not proven: value / bound (from) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in record["results"]:
        unproven = "-" if r["status"] == "OPTIMAL" else f"{r['level']}: {r['value']:,} / {r['bound']:,} ({r['bound_from']})"
        lines.append(f"| {r['family']} | {r['seed']} | {r['scenario']} (≤ {r['target']:g} s) | {r['method']} | {r['wall']} | {r.get('peak_mb', '-')} | {r['status']} "
                     f"| {r['weak']:,} | {r['villages'] if r['villages'] is None else format(r['villages'], ',')} | {unproven} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.families", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--families", nargs="+", default=list(FAMILIES))
    parser.add_argument("--scenarios", nargs="+", help="scenarios whose name starts with one of these (e.g. 864 10,000)")
    parser.add_argument("--markdown", default=str(ROOT / "BENCHMARKS.md"), help="'' records nothing")
    args = parser.parse_args(argv)
    from pairing.files import write_villages
    from pairing.synth import synthetic_county
    from pairing.synth.family import family_named

    results = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for family in args.families:
            for seed in args.seeds:
                for scenario in SCENARIOS:
                    if args.scenarios and not any(scenario[0].startswith(prefix) for prefix in args.scenarios):
                        continue
                    county = write_villages(synthetic_county(scenario[1], scenario[2], seed, family=family_named(family)),
                                            folder / f"{family}-{scenario[1]}-{seed}.gpkg")
                    for method in METHODS:
                        row = {"family": family, "seed": seed, "scenario": scenario[0], "target": scenario[6],
                               **run(county, scenario, method, folder)}
                        results.append(row)
                        print(json.dumps(row, ensure_ascii=False), flush=True)
    record = {**stamp(), "results": merged(results)}
    RESULTS.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(render(record))
    if args.markdown:
        record_in_markdown(Path(args.markdown), "families", record, render)
    return 0


if __name__ == "__main__":
    sys.exit(main())
