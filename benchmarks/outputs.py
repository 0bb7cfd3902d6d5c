"""The outputs benchmark of issue 13: how long writing a plan's files takes.

    python -m benchmarks.outputs                  # Anqiu, all formats, 5 runs
    python -m benchmarks.outputs --repeat 9 --lang zh

Each run is a fresh process (so that every import a format needs is paid, as
in a command): it reads the county and its plan (``benchmarks/anqiu-plan.csv``,
the plan ``pairing solve instances/anqiu.gpkg`` proves with seed 0: 223 groups,
854 of 864 villages grouped), gives the plan its reasons and the checker's
verdict (a solve hands both to the writers), and times
:func:`pairing.write_plan` of every format. Prints the median seconds of each
file and of the whole set (wall time, and the process's CPU time, which
other processes on the machine disturb less), and their range, as a Markdown
table for BENCHMARKS.md; the cores are shared, so take the median of several runs.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = "csv,json,gpkg,xlsx,html,png"


def one_run(source: str, plan_file: str, lang: str) -> dict:
    """Write every file of the plan once: ``{"files": {name: s}, "total": s}``."""
    from pairing.check import check
    from pairing.diagnose import with_reasons
    from pairing.read import read_villages
    from pairing.read_plan import read_plan
    from pairing.write import write_plan

    plan = with_reasons(read_plan(plan_file, read_villages(source)))
    violations = check(plan)
    with tempfile.TemporaryDirectory(prefix="outputs-bench-") as folder:
        started, cpu = time.perf_counter(), time.process_time()
        write_plan(plan, folder, formats=FORMATS, lang=lang, violations=violations)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        files = json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8"))["files"]["written"]
    return {"files": files, "total": round(total, 3), "cpu": round(cpu, 3), "villages": plan.instance.n, "groups": len(plan.groups)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(ROOT / "instances" / "anqiu.gpkg"))
    parser.add_argument("--plan", default=str(ROOT / "benchmarks" / "anqiu-plan.csv"))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--once", action="store_true", help="one run in this process, printed as JSON")
    args = parser.parse_args(argv)
    if args.once:
        print(json.dumps(one_run(args.input, args.plan, args.lang)))
        return 0
    runs = []
    for _ in range(args.repeat):
        done = subprocess.run([sys.executable, "-m", "benchmarks.outputs", "--once", "--input", args.input, "--plan", args.plan,
                               "--lang", args.lang], cwd=ROOT, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    names = list(runs[0]["files"])
    print(f"Measured {datetime.date.today()} on {platform.machine()}, Python {platform.python_version()}: "
          f"{Path(args.input).name} ({runs[0]['villages']} villages, {runs[0]['groups']} groups), --lang {args.lang}, "
          f"median of {len(runs)} fresh processes.\n")
    print("| file | median s | range s |\n|---|---|---|")
    for name in [*names, "all files", "all files, CPU"]:
        seconds = [run["total"] if name == "all files" else run["cpu"] if name == "all files, CPU" else run["files"][name] for run in runs]
        print(f"| {name} | {statistics.median(seconds):.2f} | {min(seconds):.2f}-{max(seconds):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
