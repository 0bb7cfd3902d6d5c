"""CP-SAT's optima checked against an independent solver's on many small random
counties: HiGHS (inside OR-Tools, through pywraplp) solves the same set packing
with an exactly lexicographic weighted objective. OR-Tools 9.15 has a report of
a wrong OPTIMAL from its presolve (google/or-tools#5293); a proof pairing prints
must be one another solver agrees with."""

import networkx as nx
import pandas as pd
import pytest
from ortools.linear_solver import pywraplp

from pairing import Instance, Rules, solve
from pairing.graph import polygon_adjacency
from pairing.model.candidates import enumerate_candidates
from pairing.synth import synthetic_county


def county(villages: int, seed: int) -> Instance:
    table = synthetic_county(villages, 2, seed=seed)
    edges, _ = polygon_adjacency(table.geometry, list(table["village_id"]), 5.0)
    points = table.geometry.representative_point()
    return Instance(pd.DataFrame(table.drop(columns="geometry")).assign(x=points.x.values, y=points.y.values), nx.Graph(edges))


def highs_optimum(instance: Instance, rules: Rules) -> tuple[int, int]:
    """(weak villages grouped, villages grouped) at HiGHS's proven optimum of
    ``(n + 1) × weak + villages`` (one weak village outweighs every village)."""
    candidates = enumerate_candidates(instance, rules)
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    chosen = [solver.BoolVar(f"x{c}") for c in range(len(candidates))]
    for village_candidates in candidates.containing(instance.n):
        solver.Add(solver.Sum([chosen[c] for c in village_candidates]) <= 1)
    weight = instance.n + 1
    solver.Maximize(solver.Sum([float(weight * candidates.weak[c] + candidates.size[c]) * chosen[c] for c in range(len(candidates))]))
    solver.SetSolverSpecificParametersAsString("mip_rel_gap=0\nmip_abs_gap=0.5\nthreads=1\n")
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    picked = [c for c in range(len(candidates)) if chosen[c].solution_value() > 0.5]
    return int(candidates.weak[picked].sum()), int(candidates.size[picked].sum())


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("contiguity", ["connected", "star"])
def test_cp_sat_optimum_agrees_with_highs(seed, contiguity):
    instance = county(40, seed)
    # Across townships, so blocks are large enough for the presolve's rules to act;
    # the star rule leaves weak villages no group can cover, so the weak level is
    # maximised with the presolve on.
    rules = Rules(contiguity=contiguity, same_township=False)
    plan = solve(instance, rules, time_limit=30, workers=1, seed=seed)
    assert plan.status == "OPTIMAL"
    assert (plan.objective.weak_grouped, plan.objective.villages_grouped) == highs_optimum(instance, rules)


def test_the_highs_backend_proves_the_same_optimum():
    from pairing.rules import SolverParams

    instance = county(40, 3)
    rules = Rules(contiguity="star", same_township=False)
    by_cp_sat = solve(instance, rules, time_limit=30, workers=1)
    by_highs = solve(instance, rules, params=SolverParams(time_limit=30, workers=1, backend="highs"))
    assert by_highs.status == by_cp_sat.status == "OPTIMAL"
    assert by_highs.objective == by_cp_sat.objective
