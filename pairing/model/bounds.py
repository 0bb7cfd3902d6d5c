"""Bounds on an objective level from relaxations (LP, Lagrangian), to judge the
solver's gap and to prove levels its searches did not."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .candidates import Candidates


@dataclass(frozen=True)
class Relaxation:
    """An upper bound from the LP relaxation: ``value`` always bounds every
    packing; ``optimal`` says it is the LP's optimum (else it is the Lagrangian
    bound of the last duals, where the time ran out)."""

    value: float
    optimal: bool


#: Columns added to the restricted LP per round, at least (or twice the villages).
COLUMNS_PER_ROUND = 2_000
#: Each village's best candidates by weight that the restricted LP starts with.
FIRST_COLUMNS_PER_VILLAGE = 3
#: Reduced values at most this are priced out.
PRICE_TOLERANCE = 1e-9


def lp_bound(candidates: Candidates, coefficients: np.ndarray, seconds: float = 120.0) -> Relaxation:
    """The LP relaxation of maximising ``coefficients`` over the packing, by
    column generation: GLOP solves the LP over a few columns (each village's
    best candidates), its duals price every candidate in numpy, and the best
    priced ones join, until none prices out (the LP's optimum) or ``seconds``
    run out. Whatever the round, the duals y ≥ 0 give a valid bound,
    Σ y + Σ max(0, w_c − Σ_{v∈c} y_v), the least of which is returned. A
    3,000-village county across townships (70,000 candidates): villages
    grouped's LP in 10 s, where GLOP over every column takes 25 s.

    Examples
    --------
    >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
    ...                         distance=np.array([900, 100, 4000]))
    >>> lp_bound(candidates, candidates.size)
    Relaxation(value=6.0, optimal=True)
    """
    from ortools.linear_solver import pywraplp

    ends = time.perf_counter() + seconds
    weights = np.asarray(coefficients, dtype=float)
    if not len(weights) or weights.max(initial=0.0) <= 0:
        return Relaxation(0.0, True)
    sizes = np.asarray(candidates.size, dtype=np.int64)
    # One row per village the candidates hold (a block holds few of the county's).
    held, rows = np.unique(np.fromiter((row for group in candidates.groups for row in group), dtype=np.int64,
                                       count=int(sizes.sum())), return_inverse=True)
    owner = np.repeat(np.arange(len(weights)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    solver = pywraplp.Solver.CreateSolver("GLOP")
    villages = [solver.Constraint(-solver.infinity(), 1.0) for _ in range(len(held))]
    objective = solver.Objective()
    objective.SetMaximization()
    in_master = np.zeros(len(weights), dtype=bool)

    def add(columns: np.ndarray) -> None:
        for c in columns.tolist():
            chosen = solver.NumVar(0.0, 1.0, "")
            objective.SetCoefficient(chosen, float(weights[c]))
            for row in rows[starts[c]:starts[c + 1]].tolist():
                villages[row].SetCoefficient(chosen, 1.0)
        in_master[columns] = True

    # Each village's best few candidates by weight: entries sorted by village, then weight.
    order = np.lexsort((-weights[owner], rows))
    by_village, of = rows[order], owner[order]
    rank = np.arange(len(order)) - np.searchsorted(by_village, by_village)
    first = np.unique(of[(rank < FIRST_COLUMNS_PER_VILLAGE) & (weights[of] > 0)])
    add(first)
    best, per_round = float(np.clip(weights, 0, None).sum()), max(COLUMNS_PER_ROUND, 2 * len(held))
    while time.perf_counter() < ends:
        solver.SetTimeLimit(max(1, int(1000 * (ends - time.perf_counter()))))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        duals = np.fromiter((max(0.0, village.dual_value()) for village in villages), dtype=float, count=len(held))
        reduced = weights - np.bincount(owner, weights=duals[rows], minlength=len(weights))
        best = min(best, float(duals.sum() + np.clip(reduced, 0, None).sum()))
        priced = np.flatnonzero((reduced > PRICE_TOLERANCE) & ~in_master)
        if not len(priced):
            return Relaxation(best, True)
        add(priced[np.argsort(-reduced[priced], kind="stable")[:per_round]])
    return Relaxation(best, False)


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


#: Share of a bound's time its column generation may take before the
#: subgradient takes over.
COLUMN_GENERATION_SHARE = 0.6


def relaxation_bound(candidates: Candidates, n: int, coefficients: np.ndarray, seconds: float,
                     target: float | None = None) -> tuple[float, str]:
    """The best bound on maximising ``coefficients`` that ``seconds`` buy, and
    its name: the LP relaxation's optimum (``"LP"``) when column generation
    reaches it within :data:`COLUMN_GENERATION_SHARE` of the time, else the tighter of its last
    duals' bound and the subgradient's in the time left (``"Lagrangian"``: at
    850,000 candidates the LP takes minutes, the subgradient seconds).

    Examples
    --------
    >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
    ...                         distance=np.array([900, 100, 4000]))
    >>> relaxation_bound(candidates, 6, candidates.weak, seconds=5)
    (2.0, 'LP')
    """
    ends = time.perf_counter() + seconds
    lp = lp_bound(candidates, coefficients, COLUMN_GENERATION_SHARE * seconds)
    if lp.optimal:
        return lp.value, "LP"
    return min(lp.value, lagrangian_bound(candidates, n, coefficients, max(0.0, ends - time.perf_counter()), target)), "Lagrangian"
