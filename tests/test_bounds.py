"""The relaxations that bound levels not proven: column generation reaches the LP
relaxation's optimum (GLOP over every column, solved independently here), every
bound it or the subgradient gives lies above the proven optimum, and a solve
that runs out of time names the bound of each level it did not prove."""

import numpy as np
import pytest
from ortools.linear_solver import pywraplp

from pairing import Rules, solve
from pairing.model.bounds import lagrangian_bound, lp_bound, relaxation_bound
from pairing.model.candidates import enumerate_candidates
from tests.test_exact import county, highs_optimum


def full_lp(candidates, n: int, weights: np.ndarray) -> float:
    """The LP relaxation over every column at once."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    chosen = [solver.NumVar(0.0, 1.0, "") for _ in range(len(candidates))]
    for village_candidates in candidates.containing(n):
        solver.Add(solver.Sum([chosen[c] for c in village_candidates]) <= 1)
    solver.Maximize(solver.Sum([float(weights[c]) * chosen[c] for c in range(len(candidates))]))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return solver.Objective().Value()


@pytest.mark.parametrize("seed", range(4))
def test_column_generation_reaches_the_lp_optimum_and_bounds_the_optimum(seed):
    instance = county(60, seed)
    rules = Rules(same_township=False)
    candidates = enumerate_candidates(instance, rules)
    weak, grouped = highs_optimum(instance, rules)
    for weights, optimum in ((candidates.weak, weak), (candidates.size, grouped)):
        relaxation = lp_bound(candidates, weights)
        assert relaxation.optimal
        assert relaxation.value == pytest.approx(full_lp(candidates, instance.n, weights), abs=1e-6)
        assert relaxation.value >= optimum - 1e-6
        assert lagrangian_bound(candidates, instance.n, weights, seconds=2, target=float(optimum)) >= optimum - 1e-6


def test_a_bound_cut_short_is_still_a_valid_bound():
    instance = county(60, 1)
    rules = Rules(same_township=False)
    candidates = enumerate_candidates(instance, rules)
    _, grouped = highs_optimum(instance, rules)
    relaxation = lp_bound(candidates, candidates.size, seconds=0.0)
    assert not relaxation.optimal and relaxation.value >= grouped
    value, name = relaxation_bound(candidates, instance.n, candidates.size, seconds=0.0)
    assert name == "Lagrangian" and value >= grouped


def test_a_solve_out_of_time_names_each_bound():
    instance = county(200, 4)
    plan = solve(instance, Rules(same_township=False), time_limit=1.5, workers=1)
    for stage in plan.stages[1:]:
        assert stage["bound_from"], stage
        if stage["status"] != "OPTIMAL":
            assert stage["bound_from"] != "proven"
            if stage["objective"] in ("weak_grouped", "villages_grouped"):
                assert stage["bound"] >= stage["value"]
