"""Bounds on an objective level from relaxations, to judge the solver's gap."""

from __future__ import annotations

import numpy as np

from .candidates import Candidates


def lp_bound(candidates: Candidates, n: int, coefficients: np.ndarray, time_limit: float = 120.0) -> float:
    """The LP relaxation's optimum of maximising ``coefficients`` over the packing
    (GLOP): a valid upper bound, for benchmarks and for judging the solver's gap;
    NaN when GLOP does not finish within ``time_limit`` seconds."""
    from ortools.linear_solver import pywraplp

    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(int(time_limit * 1000))
    chosen = [solver.NumVar(0.0, 1.0, "") for _ in range(len(candidates))]
    for village_candidates in candidates.containing(n):
        if len(village_candidates) > 1:
            solver.Add(solver.Sum([chosen[c] for c in village_candidates]) <= 1)
    solver.Maximize(solver.Sum([float(coefficients[c]) * chosen[c] for c in range(len(candidates))]))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return float("nan")
    return solver.Objective().Value()
