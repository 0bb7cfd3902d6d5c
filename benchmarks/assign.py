"""The helper-pairing benchmark (issue 14): 5,000 synthetic cadres over the weak
villages of Weifang's 13 county-level units (``instances/weifang-2021.gpkg``), or of
the whole Shandong build when ``instances/cache/shandong-2021.gpkg`` exists and
``--province`` is given.

    python -m benchmarks.assign                    # Weifang: the min-cost flow, then CP-SAT on its largest county
    python -m benchmarks.assign --helpers 20000 --province

Each weak village needs what its indicators say (committee rated 一般/较差:
organisation; collective income in the county's lowest quarter: income; else one
of industry, mass_work, environment at random) and takes 1-3 resident cadres.
Each cadre lives in a village of a county (drawn in proportion to its weak
villages), belongs to one of the county's units (party, economy, environment,
society), which can spare 60-100% of its cadres at once, and brings their unit's
skills; a tenth served a nearby weak village last year. Reach: 25 km.

Cadres serve their own county, so the city (or province) is solved county by
county, as the batch solves groupings. Measured per county and in all: options
(helper-village-need pairings within reach), the time to build them, to solve
(min-cost flow) and to check, each level's value and whether it is proven; then
the largest county again with every unit limited to 40 villages, which takes it
to CP-SAT, with its time limit. Written to benchmarks/assign.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from pairing.assign.check import check_assignment
from pairing.assign.model import solve_assignment
from pairing.assign.options import components, options
from pairing.assign.problem import AssignProblem, Helper, Target, Unit
from pairing.deadline import Deadline
from pairing.rules import SolverParams

ROOT = Path(__file__).resolve().parents[1]
KINDS = {"party": ("organisation", "mass_work"), "economy": ("industry", "income"), "environment": ("environment",),
         "society": ("mass_work", "income")}


def weak_villages(path: Path) -> pd.DataFrame:
    table = gpd.read_file(path, layer="villages")
    table = table[table["weak"].astype(bool)].copy()
    points = table.geometry.to_crs("EPSG:32650").representative_point()
    table["x"], table["y"] = points.x.to_numpy(), points.y.to_numpy()
    return pd.DataFrame(table.drop(columns="geometry"))


def synthetic_problem(villages: pd.DataFrame, helpers: int, seed: int = 14) -> AssignProblem:
    rng = np.random.default_rng(seed)
    low_income = villages.groupby("county_code")["collective_income"].transform(lambda income: income.quantile(0.25))
    targets = []
    for row, income in zip(villages.itertuples(), low_income):
        needs = set()
        if row.committee_rating in ("一般", "较差"):
            needs.add("organisation")
        if row.collective_income <= income:
            needs.add("income")
        if not needs or rng.random() < 0.3:
            needs.add(str(rng.choice(["industry", "mass_work", "environment"])))
        targets.append(Target(row.village_id, "village", row.name, row.township, (row.x, row.y),
                              tuple(need for need in ("organisation", "industry", "mass_work", "environment", "income") if need in needs), True,
                              {"resident_cadre": (1, 3)}))
    counties = villages["county_code"].to_numpy()
    units = [Unit(f"{county}-{kind}", f"{county} {kind}", kind, skills) for county in sorted(set(counties)) for kind, skills in KINDS.items()]
    by_county = {county: [unit for unit in units if unit.unit_id.startswith(county)] for county in set(counties)}
    people = []
    for k, row in enumerate(rng.integers(len(villages), size=helpers)):
        unit = by_county[counties[row]][int(rng.integers(len(KINDS)))]
        home = (villages["x"].iloc[row] + rng.normal(0, 2000), villages["y"].iloc[row] + rng.normal(0, 2000))
        previous = villages["village_id"].iloc[row] if rng.random() < 0.1 else ""
        people.append(Helper(f"H{k + 1:05d}", f"H{k + 1:05d}", unit.unit_id, "resident_cadre", unit.skills, home, previous))
    # Each unit can spare 60-100% of its cadres at once.
    staff = pd.Series([person.unit for person in people]).value_counts()
    units = [replace(unit, capacity=int(np.ceil(staff.get(unit.unit_id, 0) * rng.uniform(0.6, 1.0)))) for unit in units]
    kept = {person.helper_id: person.previous for person in people if person.previous}
    return AssignProblem(tuple(targets), tuple(people), tuple(units), max_km=25.0, kept=kept, source="weifang-2021 weak villages")


def measure(problem: AssignProblem, time_limit: float) -> dict:
    started = time.perf_counter()
    found, _ = options(problem)
    parts = components(problem, found)
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = solve_assignment(problem, SolverParams(time_limit=time_limit, workers=2), Deadline.after(time_limit))
    solved = time.perf_counter() - started
    started = time.perf_counter()
    violations = check_assignment(result)
    checked = time.perf_counter() - started
    metrics = result.metrics()
    return {"helpers": len(problem.helpers), "targets": len(problem.targets), "needs": metrics["needs"], "options": len(found),
            "components": len(parts), "largest_component": max(map(len, parts), default=0), "status": result.status,
            "options_seconds": round(built, 1), "solve_seconds": round(solved, 1), "check_seconds": round(checked, 1),
            "violations": len(violations), "metrics": metrics,
            "stages": [{key: stage[key] for key in ("name", "status", "value", "bound", "method")} for stage in result.stages]}


def county_problem(problem: AssignProblem, villages: pd.DataFrame, county: str) -> AssignProblem:
    """One county's share: its weak villages, its units and their cadres (cadres serve their own county)."""
    inside = set(villages.loc[villages["county_code"] == county, "village_id"])
    return replace(problem, targets=tuple(target for target in problem.targets if target.target_id in inside),
                   helpers=tuple(helper for helper in problem.helpers if helper.unit.startswith(county)),
                   units=tuple(unit for unit in problem.units if unit.unit_id.startswith(county)),
                   kept={helper: target for helper, target in problem.kept.items() if target in inside}, source=f"county {county}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helpers", type=int, default=5000)
    parser.add_argument("--province", action="store_true", help="the whole Shandong build of instances/cache/ instead of Weifang")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds for the CP-SAT run on the largest county")
    args = parser.parse_args()
    path = ROOT / "instances" / ("cache/shandong-2021.gpkg" if args.province else "weifang-2021.gpkg")
    villages = weak_villages(path)
    problem = synthetic_problem(villages, args.helpers)
    counties = [measure(county_problem(problem, villages, county), 600.0) | {"county": county}
                for county in sorted(villages["county_code"].unique())]
    for county in counties:
        print(json.dumps({key: county[key] for key in ("county", "helpers", "targets", "options", "status", "solve_seconds")}), flush=True)
    total = {key: sum(county[key] for county in counties) for key in ("helpers", "targets", "needs", "options", "options_seconds", "solve_seconds",
                                                                     "check_seconds", "violations")}
    total |= {f"metrics_{key}": sum(county["metrics"][key] for county in counties)
              for key in ("needs_covered", "helpers_sent", "helpers_short", "fit", "kept", "previous", "travel_km")}
    total["statuses"] = sorted({county["status"] for county in counties})
    total["methods"] = sorted({stage["method"] for county in counties for stage in county["stages"]})
    results = {"input": str(path.relative_to(ROOT)), "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
               "counties": counties, "total": total}
    print(json.dumps(total, ensure_ascii=False, default=str, indent=1), flush=True)
    # The largest county again, every unit limited to 40 villages: no longer a flow, so CP-SAT.
    largest = max(counties, key=lambda county: county["options"])["county"]
    local = county_problem(problem, villages, largest)
    results["cp_sat_county"] = {"county": largest, **measure(replace(local, units=tuple(replace(unit, villages=40) for unit in local.units)),
                                                             args.time_limit)}
    print(json.dumps(results["cp_sat_county"], ensure_ascii=False, default=str, indent=1), flush=True)
    (ROOT / "benchmarks" / "assign.json").write_text(json.dumps(results, ensure_ascii=False, default=str, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
