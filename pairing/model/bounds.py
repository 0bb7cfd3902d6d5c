"""Bounds on an objective level from relaxations (LP, Lagrangian), to judge the
solver's gap and to prove levels its searches did not."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .candidates import Candidates


@dataclass(frozen=True)
class Relaxation:
    """An upper bound from the LP relaxation: ``value`` always bounds every
    packing; ``optimal`` says it is the LP's optimum (else it is the Lagrangian
    bound of the best duals, where the time ran out). ``columns`` are the
    candidates the LP was solved over, ``reduced`` every candidate's reduced
    value under the duals that gave ``value``."""

    value: float
    optimal: bool
    columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    reduced: np.ndarray | None = field(default=None, repr=False)
    #: A packing that keeps the rows, rounded from the LP's solution (its columns by
    #: value, then by weight, each taken if it fits); None when the rounding breaks a row.
    rounded: tuple[int, ...] | None = field(default=None, repr=False)

    @property
    def whole(self) -> int:
        """The largest whole number the bound allows a plan's value (the weights are
        whole numbers; the bound is summed in floats, so rounding is allowed for)."""
        return whole_bound(self.value)

    def could_reach(self, value: float) -> np.ndarray:
        """The candidates in some packing worth at least ``value`` by this bound
        (reduced-value fixing): a packing that holds candidate c is worth at most
        ``self.value + min(0, reduced[c])``, so the others can be left out of a
        search for such a packing.

        Examples
        --------
        >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (4, 5, 6)), weak=np.array([1, 1, 1]), size=np.array([3, 3, 3]),
        ...                         distance=np.array([900, 100, 4000]))
        >>> relaxed = lp_bound(candidates, np.array([3, 2, 3]))
        >>> relaxed.value, relaxed.could_reach(6).tolist()
        (6.0, [0, 2])
        """
        return np.flatnonzero(self.reach() >= value - bound_slack(self.value))

    def reach(self) -> np.ndarray:
        """Each candidate's most: what a packing that holds it is worth at most by this bound."""
        if self.reduced is None:
            raise ValueError("no reduced values: the bound is not the LP's")
        return self.value + np.minimum(0.0, self.reduced)


def whole_bound(value: float) -> int:
    """The largest whole number a bound of ``value`` allows, summed in floats
    from whole-number weights (see :func:`bound_slack`)."""
    return math.floor(value + bound_slack(value))


def bound_slack(value: float) -> float:
    """What float sums of ten thousands of terms may be off by at ``value``
    (the relative error grows with the terms, about 1e-12 for 10,000): a bound
    taken this much higher stays valid."""
    return 1e-6 + 1e-9 * abs(value)


#: Columns added to the restricted LP per round, at least (or twice the villages).
COLUMNS_PER_ROUND = 2_000
#: Each village's best candidates by weight that the restricted LP starts with.
FIRST_COLUMNS_PER_VILLAGE = 3
#: Reduced values at most this are priced out.
PRICE_TOLERANCE = 1e-9


def lp_bound(candidates: Candidates, coefficients: np.ndarray, seconds: float = 120.0, *,
             at_least: Sequence[tuple[np.ndarray, int]] = (), start: Sequence[int] = ()) -> Relaxation:
    """The LP relaxation of maximising ``coefficients`` over the packing, with
    each ``(a, b)`` of ``at_least`` a row a·x ≥ b (a proven level held), by
    column generation: GLOP solves the LP over a few columns (each village's
    best candidates, and ``start``, a packing that keeps the rows), its duals
    price every candidate in numpy, and the best priced ones join, until none
    prices out (the LP's optimum) or ``seconds`` run out. Whatever the round,
    the duals y ≥ 0 of the villages and λ ≥ 0 of the rows give a valid bound,
    Σ y − Σ λ b + Σ max(0, w_c − Σ_{v∈c} y_v + Σ λ a_c), the least of which is
    returned. A 3,000-village county across townships (70,000 candidates):
    villages grouped's LP in 10 s, where GLOP over every column takes 25 s.

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
    if not len(weights) or (not at_least and weights.max(initial=0.0) <= 0):
        return Relaxation(0.0, True, reduced=weights)
    sizes = np.asarray(candidates.size, dtype=np.int64)
    # One row per village the candidates hold (a block holds few of the county's).
    held, rows = np.unique(np.fromiter((row for group in candidates.groups for row in group), dtype=np.int64,
                                       count=int(sizes.sum())), return_inverse=True)
    owner = np.repeat(np.arange(len(weights)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    solver = pywraplp.Solver.CreateSolver("GLOP")
    villages = [solver.Constraint(-solver.infinity(), 1.0) for _ in range(len(held))]
    levels = [(np.asarray(a, dtype=float), float(b), solver.Constraint(float(b), solver.infinity())) for a, b in at_least]
    objective = solver.Objective()
    objective.SetMaximization()
    in_master, variables = np.zeros(len(weights), dtype=bool), {}

    def add(columns: np.ndarray) -> None:
        for c in columns.tolist():
            chosen = variables[c] = solver.NumVar(0.0, 1.0, "")
            objective.SetCoefficient(chosen, float(weights[c]))
            for row in rows[starts[c]:starts[c + 1]].tolist():
                villages[row].SetCoefficient(chosen, 1.0)
            for a, _, level in levels:
                if a[c]:
                    level.SetCoefficient(chosen, float(a[c]))
        in_master[columns] = True

    # Each village's best few candidates by weight: entries sorted by village, then weight.
    order = np.lexsort((-weights[owner], rows))
    by_village, of = rows[order], owner[order]
    rank = np.arange(len(order)) - np.searchsorted(by_village, by_village)
    add(np.unique(np.concatenate([of[(rank < FIRST_COLUMNS_PER_VILLAGE) & (weights[of] > 0)], np.asarray(start, dtype=np.int64)])))
    best, best_reduced = float(np.clip(weights, 0, None).sum()), None
    per_round = max(COLUMNS_PER_ROUND, 2 * len(held))
    while time.perf_counter() < ends:
        solver.SetTimeLimit(max(1, int(1000 * (ends - time.perf_counter()))))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        duals = np.fromiter((max(0.0, village.dual_value()) for village in villages), dtype=float, count=len(held))
        # A row a·x ≥ b of a maximisation has a dual ≤ 0: λ is its negation.
        multipliers = [max(0.0, -level.dual_value()) for *_, level in levels]
        reduced = weights - np.bincount(owner, weights=duals[rows], minlength=len(weights))
        for (a, b, _), multiplier in zip(levels, multipliers):
            reduced += multiplier * a
        bound = float(duals.sum() - sum(multiplier * b for (_, b, _), multiplier in zip(levels, multipliers))
                      + np.clip(reduced, 0, None).sum())
        if bound <= best:
            best, best_reduced = bound, reduced
        priced = np.flatnonzero((reduced > PRICE_TOLERANCE) & ~in_master)
        if not len(priced):
            # Rounded from the LP's solution: its columns by value, then by weight, each
            # taken if it fits (those the LP left out only if they add to the value).
            master = np.flatnonzero(in_master)
            values = np.fromiter((variables[c].solution_value() for c in master.tolist()), dtype=float, count=len(master))
            order = np.lexsort((-weights[master], -values))
            free, rounded = np.ones(len(held), dtype=bool), []
            for c in master[order][(values[order] > PRICE_TOLERANCE) | (weights[master[order]] > 0)].tolist():
                if free[rows[starts[c]:starts[c + 1]]].all():
                    free[rows[starts[c]:starts[c + 1]]] = False
                    rounded.append(c)
            keeps = all(a[rounded].sum() >= b for a, b, _ in levels)
            return Relaxation(best, True, master, best_reduced, tuple(sorted(rounded)) if keeps else None)
        add(priced[np.argsort(-reduced[priced], kind="stable")[:per_round]])
    return Relaxation(best, False, np.flatnonzero(in_master), best_reduced)


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
                     target: float | None = None, *, at_least: Sequence[tuple[np.ndarray, int]] = (),
                     start: Sequence[int] = ()) -> tuple[float, str]:
    """The best bound on maximising ``coefficients`` (with the rows ``at_least``,
    see :func:`lp_bound`) that ``seconds`` buy, and its name: the LP
    relaxation's optimum (``"LP"``) when column generation reaches it within
    :data:`COLUMN_GENERATION_SHARE` of the time, else the tighter of its best
    duals' bound and the subgradient's in the time left (``"Lagrangian"``,
    without the rows: at 850,000 candidates the LP takes minutes, the
    subgradient seconds).

    Examples
    --------
    >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
    ...                         distance=np.array([900, 100, 4000]))
    >>> relaxation_bound(candidates, 6, candidates.weak, seconds=5)
    (2.0, 'LP')
    >>> relaxation_bound(candidates, 6, -candidates.distance, seconds=5, at_least=[(candidates.size, 6)], start=[0, 2])
    (-4900.0, 'LP')
    """
    ends = time.perf_counter() + seconds
    lp = lp_bound(candidates, coefficients, COLUMN_GENERATION_SHARE * seconds, at_least=at_least, start=start)
    if lp.optimal:
        return lp.value, "LP"
    return min(lp.value, lagrangian_bound(candidates, n, coefficients, max(0.0, ends - time.perf_counter()), target)), "Lagrangian"
