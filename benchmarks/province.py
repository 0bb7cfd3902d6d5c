"""The province benchmark of the batch: every county of Shandong in one command.

    python instances/province.py                          # once: builds instances/cache/
    python -m benchmarks.province                         # 2021 on 2 workers, the 1-worker run, the 2020 -> 2021 re-solve
    python -m benchmarks.province --only batch --workers 2
    python -m benchmarks.province --only batch --keep /tmp/province   # keep the batches' folders to look into

Records, in benchmarks/province.json and BENCHMARKS.md (section ``province``):
- Shandong 2021, all counties, default rules (with the built per-county configs),
  per-county time limits by size: wall time, counties proven / not proven / failed,
  worst gap, villages and weak villages grouped, peak memory per worker;
- the same batch with 1 worker process (speed-up), and the scheduler's overhead per
  county (workers idle between counties while work waits, and results' way back);
- the re-solve 2020 -> 2021: Shandong 2020 solved, then 2021 re-solved against it with
  the renames, with the stability level (stability = 1) and from scratch (0): villages
  whose assignment changed, per county and in all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.__main__ import record_in_markdown, stamp

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "instances" / "cache"


def run_batch(year: int, out: Path, workers: int, *, previous: Path | None = None, stability: float | None = None,
              time_limit: float | None = None, threads: int | None = None) -> dict:
    """One batch in a process of its own (for an honest wall time), and its figures."""
    import subprocess

    args = [sys.executable, "-m", "pairing.cli", "batch", str(CACHE / f"shandong-{year}.gpkg"), "--by", "county_code", "--out", str(out),
            "--workers", str(workers), "--configs", str(CACHE / f"configs-{year}"), "-q"]
    if time_limit:
        args += ["--time-limit", str(time_limit)]
    if threads:
        args += ["--threads", str(threads)]
    if previous is not None:
        args += ["--previous", str(previous), "--renames", str(CACHE / "shandong-renames-2020-2021.csv")]
    if stability is not None:
        config = out.parent / f"stability-{stability:g}.toml"
        config.write_text(f"[objective]\nstability = {stability}\n", encoding="utf-8")
        args += ["--config", str(config)]
    started = time.perf_counter()
    run = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - started
    if run.returncode not in (0, 1):
        raise SystemExit(run.stderr)
    table = pd.read_csv(out / "batch.csv", dtype={"county": str}, keep_default_na=False)
    return figures(table, wall, workers, threads or max(1, (os.cpu_count() or 1) // workers))


def figures(table: pd.DataFrame, wall: float, workers: int, threads: int) -> dict:
    number = lambda column: pd.to_numeric(table[column], errors="coerce")  # noqa: E731
    gaps = number("gap")
    return {"workers": workers, "threads": threads, "wall_seconds": round(wall, 1), "counties": len(table),
            "proven": int((table["status"] == "OPTIMAL").sum()), "not_proven": int((table["status"] == "FEASIBLE").sum()),
            "no_plan": int((table["status"] == "UNKNOWN").sum()), "failed": int((table["status"] == "FAILED").sum()),
            "worst_gap": float(gaps.max()) if gaps.notna().any() else None,
            "within_half_percent": int(((table["status"] == "OPTIMAL") | (gaps <= 0.005)).sum()),
            "villages": int(number("villages").sum()), "villages_grouped": int(number("villages_grouped").sum()),
            "weak": int(number("weak").sum()), "weak_grouped": int(number("weak_grouped").sum()),
            "solve_seconds": round(float(number("seconds").sum()), 1), "peak_mb_per_worker": float(number("peak_mb").max()),
            "villages_changed": int(number("villages_changed").fillna(0).sum()) if "villages_changed" in table else None,
            "overhead": overhead(table), "errors": table.loc[table["error"] != "", ["county", "error"]].values.tolist()}


def overhead(table: pd.DataFrame) -> dict:
    """Per county: how long its worker sat idle before it while counties waited
    (the scheduler handing out work: from the files of the county before to its
    start), and how long its result (plan, files and layers) took to reach the client."""
    rows = table[table["worker"] != ""].copy()
    for column in ("started", "ended", "rendered", "received"):
        rows[column] = pd.to_numeric(rows[column])
    gaps = []
    for _, runs in rows.sort_values("started").groupby("worker"):
        gaps += (runs["started"].to_numpy()[1:] - runs["rendered"].to_numpy()[:-1]).tolist()
    back = (rows["received"] - rows["rendered"]).clip(lower=0)
    return {"dispatch_seconds_per_county": round(sum(gaps) / max(1, len(rows)), 4),
            "return_seconds_per_county": round(float(back.mean()), 4) if len(back) else None}


def table_of(record: dict) -> str:
    lines = ["| run | processes × threads | wall s | counties | proven | not proven | failed | worst gap | within 0.5% | villages grouped / villages "
             "| weak grouped / weak | CPU s in solves | peak MB per worker | villages changed |", "|" + "---|" * 14]
    for name, r in record["runs"].items():
        gap = "-" if r["worst_gap"] is None else f"{r['worst_gap']:.2%}"
        lines.append(f"| {name} | {r['workers']} × {r.get('threads', '-')} | {r['wall_seconds']} | {r['counties']} | {r['proven']} | {r['not_proven']} | {r['failed']} "
                     f"| {gap} | {r['within_half_percent']} | {r['villages_grouped']:,} / {r['villages']:,} | {r['weak_grouped']:,} / {r['weak']:,} "
                     f"| {r['solve_seconds']} | {r['peak_mb_per_worker']:,.0f} | {r['villages_changed'] if r['villages_changed'] else '-'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.province", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=["batch", "one-worker", "one-thread", "resolve"], help="runs to do (default all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, help="seconds per county (default: by size)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "province.json"))
    parser.add_argument("--markdown", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--keep", help="a folder to keep the batches' outputs in (default: a temporary one)")
    args = parser.parse_args(argv)
    if not (CACHE / "shandong-2021.gpkg").is_file():
        raise SystemExit("build the province first: python instances/province.py")
    chosen = args.only or ["batch", "one-worker", "one-thread", "resolve"]
    runs = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        if "batch" in chosen:
            runs["2021"] = run_batch(2021, folder / "2021", args.workers, time_limit=args.time_limit)
            print("2021:", runs["2021"], flush=True)
        if "one-worker" in chosen:
            runs["2021, one worker"] = run_batch(2021, folder / "2021-one", 1, time_limit=args.time_limit)
            print("2021, one worker:", runs["2021, one worker"], flush=True)
        if "one-thread" in chosen:
            runs["2021, one worker, one thread"] = run_batch(2021, folder / "2021-one-thread", 1, time_limit=args.time_limit, threads=1)
            print("2021, one worker, one thread:", runs["2021, one worker, one thread"], flush=True)
        if "resolve" in chosen:
            runs["2020"] = run_batch(2020, folder / "2020", args.workers, time_limit=args.time_limit)
            for stability in (1.0, 0.0):
                name = f"2021 re-solved against 2020, stability {stability:g}"
                runs[name] = run_batch(2021, folder / f"re-{stability:g}", args.workers, previous=folder / "2020", stability=stability,
                                       time_limit=args.time_limit)
                print(name, runs[name], flush=True)
    # Runs done by an earlier invocation (``--only``) stay in the record beside these.
    earlier = json.loads(Path(args.out).read_text(encoding="utf-8"))["runs"] if Path(args.out).is_file() and args.only else {}
    record = {**stamp(), "runs": {**earlier, **runs}}
    runs = record["runs"]
    # Speed-up of the batch over its processes: the same counties, each with one
    # CP-SAT thread, on one worker process and on two; and the 2 processes against
    # one process whose counties get both cores.
    if "2021" in runs and "2021, one worker, one thread" in runs:
        record["speed_up"] = round(runs["2021, one worker, one thread"]["wall_seconds"] / runs["2021"]["wall_seconds"], 2)
    if "2021" in runs and "2021, one worker" in runs:
        record["speed_up_over_threads"] = round(runs["2021, one worker"]["wall_seconds"] / runs["2021"]["wall_seconds"], 2)
    Path(args.out).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table_of(record))
    if args.markdown:
        record_in_markdown(Path(args.markdown), "province", record, table_of)
    return 0


if __name__ == "__main__":
    sys.exit(main())
