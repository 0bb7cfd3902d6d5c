"""The stability benchmark of issue 5: how many villages change group when the
village data change, with and without the stability term, and the coverage each
keeps.

    python -m benchmarks.stability                    # Anqiu, seeds 1-3, 60 s per solve
    python -m benchmarks.stability --seeds 1 --time-limit 20

For each seed: solve Anqiu under the default rules (the previous plan); change the
population of a random tenth of the villages by up to ±10% and the strength of
another tenth by up to ±10%; re-solve with :func:`pairing.resolve` once with
``stability = 1`` (the default) and once with ``stability = 0`` (from scratch).
Records benchmarks/stability.json and prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.__main__ import stamp

ROOT = Path(__file__).resolve().parents[1]


def perturbed(instance, seed: int):
    """The instance with a random tenth of populations and another tenth of strengths
    each multiplied by a factor drawn uniformly from [0.9, 1.1]."""
    from pairing import Instance

    rng = np.random.default_rng(seed)
    tenth = instance.n // 10
    rows = rng.permutation(instance.n)
    population_rows, strength_rows = rows[:tenth], rows[tenth:2 * tenth]
    table = instance.villages.copy()
    population = table["population"].to_numpy(float, copy=True)
    population[population_rows] *= rng.uniform(0.9, 1.1, tenth)
    table["population"] = np.maximum(1, np.round(population)).astype(np.int64)
    strength = table["strength"].to_numpy(float, copy=True)
    strength[strength_rows] *= rng.uniform(0.9, 1.1, tenth)
    table["strength"] = strength
    return Instance(table, instance.graph, geometry=instance.geometry, source=f"{instance.source} (perturbed, seed {seed})",
                    tolerance_edges=instance.tolerance_edges)


def run(seeds: list[int], time_limit: float, workers: int) -> dict:
    import pairing

    instance = pairing.read_villages(ROOT / "instances" / "anqiu.gpkg")
    previous = pairing.solve(instance, time_limit=time_limit, workers=workers, seed=0)
    assert pairing.check(previous) == []
    base = previous.metrics()
    results = []
    for seed in seeds:
        new = perturbed(instance, seed)
        broken = {violation.group_id for violation in pairing.check(replace(previous, instance=new))}
        row = {"seed": seed, "previous_groups": len(previous.groups), "broken_groups": len(broken)}
        for name, stability in (("stable", 1.0), ("scratch", 0.0)):
            revision = pairing.resolve(new, previous, weights=pairing.ObjectiveWeights(stability=stability), time_limit=time_limit,
                                       workers=workers, seed=0)
            metrics, summary = revision.plan.metrics(), revision.summary()
            row[name] = {"stability": stability, "status": revision.plan.status, "gap": revision.plan.gap,
                         "villages_changed": revision.changed, "groups_kept": summary["groups_kept"],
                         "weak_grouped": metrics["weak_grouped"], "villages_grouped": metrics["villages_grouped"],
                         "distance": metrics["distance"], "seconds": round(revision.plan.solve_seconds, 1),
                         "violations": len(pairing.check(revision.plan))}
        results.append(row)
        print(json.dumps(row), flush=True)
    return {**stamp(),
            "time_limit": time_limit, "workers": workers, "villages": instance.n, "weak": base["weak"],
            "previous": {"status": previous.status, "weak_grouped": base["weak_grouped"], "villages_grouped": base["villages_grouped"],
                         "groups": base["groups"], "distance": base["distance"]},
            "results": results}


def table(record: dict) -> str:
    """The record as a Markdown table."""
    lines = ["| seed | previous groups broken | stability | villages changed | groups kept | weak grouped | villages grouped "
             "| distance km | status | checker |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in record["results"]:
        for name in ("stable", "scratch"):
            r = row[name]
            lines.append(f"| {row['seed']} | {row['broken_groups']} / {row['previous_groups']} | {r['stability']:g} | {r['villages_changed']} "
                         f"| {r['groups_kept']} | {r['weak_grouped']} / {record['weak']} | {r['villages_grouped']} / {record['villages']} "
                         f"| {r['distance'] / 1000:,.1f} | {r['status']} | {'valid' if r['violations'] == 0 else r['violations']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stability", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "stability.json"))
    args = parser.parse_args(argv)
    from pairing.files import write_text

    record = run(args.seeds, args.time_limit, args.workers)
    write_text(args.out, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    print(table(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
