"""One block's curve for the frontier: its least cost by target of weak villages
grouped, as far as searches and the LP relaxation have told it, and the knapsack
that adds the blocks' curves up to the county's."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from .model.candidates import Candidates
from .model.constraints import RequiredLocks

#: The LP bound is rounded up after this relative allowance for GLOP's tolerances.
LP_TOLERANCE = 1e-6


@dataclass
class BlockCurve:
    """One block's least cost by target of weak villages, as far as it is known.

    ``candidates`` are the block's candidates worth using for the frontier (see
    :func:`useful_for_measure`), at ``positions`` among the county's usable ones;
    ``most`` its most weak villages (proven when ``proven``); ``lp[k]`` a lower
    bound on the least cost at target ``most - k``; ``bounds`` the best lower
    bound a search gave per target; ``plans`` every plan found, as (weak
    villages, cost, positions)."""

    positions: list[int]
    candidates: Candidates
    locks: RequiredLocks
    coverable: list[int]
    cost: np.ndarray
    most: int
    proven: bool
    most_bound: int
    lp: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bounds: dict[int, float] = field(default_factory=dict)
    tried: set[int] = field(default_factory=set)
    plans: list[tuple[int, float, tuple[int, ...]]] = field(default_factory=list)

    def add_plan(self, local: tuple[int, ...]) -> None:
        self.plans.append((int(self.candidates.weak[list(local)].sum()), float(self.cost[list(local)].sum()),
                           tuple(self.positions[c] for c in local)))

    def lower(self, depth: int) -> np.ndarray:
        """Lower bounds on the least cost at targets ``most - k`` for k = 0..depth
        (never below a looser target's: more weak villages never cost less)."""
        raw = np.full(depth + 1, 0.0 if (self.cost >= 0).all() else -np.inf)
        raw[: min(len(self.lp), depth + 1)] = np.maximum(raw[: min(len(self.lp), depth + 1)], self.lp[: depth + 1])
        for target, bound in self.bounds.items():
            if 0 <= self.most - target <= depth:
                raw[self.most - target] = max(raw[self.most - target], bound)
        return np.maximum.accumulate(raw[::-1])[::-1]

    def upper(self, depth: int) -> tuple[np.ndarray, list[int]]:
        """The least cost of a plan found at each target ``most - k`` (inf when none
        was), and which plan."""
        values, which = np.full(depth + 1, np.inf), [-1] * (depth + 1)
        for position, (weak, cost, _) in enumerate(self.plans):
            for k in range(max(0, self.most - weak), depth + 1):
                if cost < values[k]:
                    values[k], which[k] = cost, position
        return values, which



def knapsack(values: list[np.ndarray], depth: int) -> tuple[float, list[int]]:
    """The least sum of one value per block, ``values[b][k]`` for k weak villages
    below the block's most, with the k adding up to at most ``depth``; and the k
    per block.

    Examples
    --------
    >>> knapsack([np.array([10.0, 4, 3]), np.array([9.0, 8, 1])], 2)
    (11.0, [0, 2])
    >>> knapsack([np.array([10.0, 4, 3]), np.array([9.0, 8, 1])], 1)
    (13.0, [1, 0])
    """
    best = np.zeros(depth + 1)
    choices = []
    for options in values:
        width = min(len(options), depth + 1)
        # total[j, k]: best over earlier blocks using j - k, plus this block at k.
        total = np.full((depth + 1, width), np.inf)
        for k in range(width):
            total[k:, k] = best[: depth + 1 - k] + options[k]
        # Ties go to the larger k: the looser target is never dearer.
        choice = width - 1 - np.argmin(total[:, ::-1], axis=1)
        best = total[np.arange(depth + 1), choice]
        choices.append(choice)
    allocation, left = [], depth
    for choice in reversed(choices):
        allocation.append(int(choice[left]))
        left -= allocation[-1]
    return float(best[depth]), allocation[::-1]


def useful_for_measure(candidates: Candidates, weak: np.ndarray, cost: np.ndarray) -> list[int]:
    """Candidates worth keeping when a plan must group enough weak villages at the
    least ``cost``: those for which no candidate inside them (or no group at all)
    has as many weak villages at no more cost. Any plan using one of the others
    can swap in the smaller candidate (or drop it), keeping every weak village
    and costing no more.

    Examples
    --------
    >>> from pairing.model.candidates import enumerate_candidates
    >>> county = path_county(villages=4, strength=[4.0, 1, 2, 3], weak=[False, True, False, False])
    >>> candidates = enumerate_candidates(county, Rules(group_size=(2, 4), group_population=(0, 2000)))
    >>> candidates.groups, candidates.distance.tolist()
    (((0, 1), (0, 1, 2), (0, 1, 2, 3), (3, 1, 2), (3, 2)), [1, 3, 6, 3, 1])
    >>> [candidates.groups[c] for c in useful_for_measure(candidates, county.weak, candidates.distance)]  # (0, 1) inside the next two
    [(0, 1), (3, 1, 2)]
    """
    index = {frozenset(rows): c for c, rows in enumerate(candidates.groups)}
    keep = []
    for c, rows in enumerate(candidates.groups):
        if not candidates.weak[c]:
            if cost[c] < 0:
                keep.append(c)
            continue
        strong = [row for row in rows if not weak[row]]
        whole = frozenset(rows)
        if not any((inner := index.get(whole.difference(dropped))) is not None and cost[inner] <= cost[c]
                   for k in range(1, len(strong) + 1) for dropped in combinations(strong, k)):
            keep.append(c)
    return keep


def lp_bounds(curve: BlockCurve, n: int, depth: int) -> np.ndarray:
    """Lower bounds on a block's least cost at targets ``most - k``, k = 0..depth,
    from the LP relaxation (GLOP, re-solved as the target is lowered); -inf where
    GLOP does not finish."""
    from ortools.linear_solver import pywraplp

    candidates, bounds = curve.candidates, np.full(depth + 1, -np.inf)
    if not len(candidates):
        bounds[:] = 0.0 if not curve.locks else -np.inf
        return bounds
    solver = pywraplp.Solver.CreateSolver("GLOP")
    chosen = [solver.NumVar(0.0, 1.0, "") for _ in range(len(candidates))]
    for village_candidates in candidates.containing(n):
        if len(village_candidates) > 1:
            solver.Add(solver.Sum([chosen[c] for c in village_candidates]) <= 1)
    for required in curve.locks.required:
        solver.Add(solver.Sum([chosen[c] for c in required]) == 1)
    target = solver.Add(solver.Sum([float(candidates.weak[c]) * chosen[c] for c in range(len(candidates))]) >= curve.most)
    solver.Minimize(solver.Sum([float(curve.cost[c]) * chosen[c] for c in range(len(candidates))]))
    for k in range(depth + 1):
        target.SetLb(curve.most - k)
        if solver.Solve() == pywraplp.Solver.OPTIMAL:
            value = solver.Objective().Value()
            bounds[k] = math.ceil(value - LP_TOLERANCE * max(1.0, abs(value)))
    return bounds
