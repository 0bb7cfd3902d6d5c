"""Bounds on an objective level from relaxations (LP, Lagrangian), to judge the
solver's gap and to prove levels its searches did not."""

from __future__ import annotations

import time

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


#: Subgradient steps without a better bound before the step is halved.
STALLED_STEPS = 10


def lagrangian_bound(candidates: Candidates, n: int, coefficients: np.ndarray, seconds: float, target: float | None = None,
                     iterations: int = 300) -> float:
    """An upper bound on maximising ``coefficients`` over the packing, by
    Lagrangian relaxation of the at-most-one rows: for multipliers λ ≥ 0 on the
    villages, Σ λ + Σ max(0, w_c − Σ_{v∈c} λ_v) bounds every packing; the
    multipliers follow subgradient steps (Polyak's, towards ``target``, a
    plan's value) for ``iterations`` steps or ``seconds``. Each step is
    O(nonzeros) in numpy, so it gives a bound where GLOP does not finish (850,000
    candidates at 10,000 villages); the best bound seen is returned.

    Examples
    --------
    >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
    ...                         distance=np.array([900, 100, 4000]))
    >>> round(lagrangian_bound(candidates, 6, candidates.size, seconds=5, target=6.0), 3)
    6.0
    """
    weights = np.asarray(coefficients, dtype=float)
    sizes = np.asarray(candidates.size, dtype=np.int64)
    rows = np.fromiter((row for group in candidates.groups for row in group), dtype=np.int64, count=int(sizes.sum()))
    owner = np.repeat(np.arange(len(weights)), sizes)
    # Start from each village's best share of a group's weight.
    multipliers = np.zeros(n)
    np.maximum.at(multipliers, rows, np.repeat(np.clip(weights, 0, None) / np.maximum(sizes, 1), sizes))
    best = np.inf
    ends = time.perf_counter() + seconds
    scale, stalled = 2.0, 0
    for _ in range(iterations):
        reduced = weights - np.bincount(owner, weights=multipliers[rows], minlength=len(weights))
        taken = reduced > 0
        bound = multipliers.sum() + reduced[taken].sum()
        if bound < best - 1e-6 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
            best, stalled = bound, 0
        else:
            stalled += 1
            if stalled == STALLED_STEPS:
                scale, stalled = scale / 2, 0
        # The subgradient: 1 − how many taken groups hold the village.
        slack = 1.0 - np.bincount(rows[taken[owner]], minlength=n)
        norm = float(slack @ slack)
        if norm == 0 or time.perf_counter() > ends:
            break
        step = scale * (bound - (target if target is not None else 0.95 * bound)) / norm
        multipliers = np.clip(multipliers - step * slack, 0, None)
    return float(best)
