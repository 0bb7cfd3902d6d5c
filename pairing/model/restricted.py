"""A level searched over the few candidates its LP relaxation points to.

The search starts from the better of the caller's plan and the LP's solution
rounded. First the restricted master heuristic: CP-SAT over the columns that column
generation brought into the LP (a third of a township's candidates) finds a
plan at or next to the optimum in a fraction of the time the whole model
takes, and a plan that reaches the LP's bound is proven. Then reduced-value
fixing (:meth:`pairing.model.bounds.Relaxation.could_reach`), top down: CP-SAT
over the few candidates that could be in a plan worth the LP's bound, which
finds one (optimal) or lowers the bound to the most the others could reach;
then aimed halfway down; last over every candidate that could be in a better
plan than the one so far, which settles the level exactly. On one thread: the
later levels of a 797-village county's townships 29 s -> 12 s; the weak level
of a 1,016-village county's 15 townships 33 s -> 8 s; a 499-village county's
largest township, weak level: the last search alone reached 90 of 91 in 5 s,
aimed at 91 it proved 91 in 0.6 s (BENCHMARKS.md, "Province batch").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from ortools.sat.python import cp_model

from ..deadline import Deadline
from .bounds import Relaxation, whole_bound
from .packing import PackingModel, StageResult

#: Share of the time left that the search over the LP's columns may take.
MASTER_SHARE = 0.25
#: Where fixing keeps more than this share of the candidates, the last search runs over all of them.
KEPT_SHARE = 0.5
#: Searches aimed above the plan so far (the LP's bound, then halfway down to
#: the plan) before the last one, and the share of the time left each may take.
TOP_DOWN_STEPS = 2
STEP_SHARE = 1 / 3

#: The status of a search that stopped before a last search over the whole model,
#: as its caller asked (see :func:`search_over_lp`'s ``settle``).
UNSETTLED = "UNSETTLED"

#: The model of the candidates at some positions (None: all of them), with the
#: caller's locks and held levels.
ModelOf = Callable[[Sequence[int] | None], PackingModel]


def search_over_lp(model_of: ModelOf, solver: cp_model.CpSolver, objective: str, coefficients: np.ndarray,
                   relaxed: Relaxation, hint: Sequence[int], deadline: Deadline, *, keep: Sequence[int] = (),
                   settle: bool = True) -> StageResult:
    """Maximise whole-number ``coefficients`` with the help of ``relaxed``, the
    LP relaxation of the same model (see the module), from the better of
    ``hint`` and the LP's rounded solution: over the LP's columns for
    :data:`MASTER_SHARE` of the time, then over the candidates fixing keeps for
    a plan worth the bound, then halfway down (:data:`TOP_DOWN_STEPS`, each for
    :data:`STEP_SHARE` of the time left), then for a better plan until
    ``deadline``. ``hint`` is a plan that keeps the model's locks and held levels; every restricted model holds it and ``keep`` (the locks'
    candidates). With ``settle`` False, a fixing that keeps more than
    :data:`KEPT_SHARE` of the candidates ends the search with the plan so far,
    status :data:`UNSETTLED`: merged levels whose LP is loose are then better
    searched one by one, each with a tighter LP of its own.

    Examples
    --------
    >>> from pairing.model.bounds import lp_bound
    >>> from pairing.model.candidates import Candidates
    >>> from pairing.model.cpsat import cp_sat_solver
    >>> from pairing.rules import SolverParams
    >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
    ...                         distance=np.array([900, 100, 4000]))
    >>> def model_of(positions):
    ...     return PackingModel(candidates if positions is None else candidates.subset(positions), 6)
    >>> stage = search_over_lp(model_of, cp_sat_solver(SolverParams(), 1), "villages_grouped", candidates.size,
    ...                        lp_bound(candidates, candidates.size), (1,), Deadline.after(10))
    >>> stage.status, stage.value, stage.selection, stage.bound_from
    ('OPTIMAL', 6, (0, 2), 'LP')
    """
    started = time.perf_counter()
    target = relaxed.whole
    best = tuple(sorted(hint))
    value = int(coefficients[list(best)].sum())
    # The LP's solution rounded may start the search higher (where no lock needs keeping).
    if not keep and relaxed.rounded is not None and (rounded := int(coefficients[list(relaxed.rounded)].sum())) > value:
        best, value = relaxed.rounded, rounded
    if value < target:
        master = _search(model_of, _union(relaxed.columns, best, keep), solver, objective, coefficients, best,
                         deadline.sooner(deadline.remaining() * MASTER_SHARE))
        if master.value is not None and master.value > value:
            best, value = master.selection, master.value
    if value >= target:
        return StageResult(objective, "OPTIMAL", value, value, time.perf_counter() - started, best, bound_from="LP")
    bound, reach, aim, steps = target, relaxed.reach(), target, 0

    def so_far(status: str) -> StageResult:
        return StageResult(objective, status, value, bound, time.perf_counter() - started, best,
                           bound_from="LP" if bound >= target else "CP-SAT")

    while True:
        # A plan worth ``aim`` holds only candidates that could reach it: the
        # higher the aim, the fewer. Searched over them, a plan found that reaches
        # it is optimal; none found lowers the bound to what the others could reach.
        last = aim == value + 1
        kept = _union(relaxed.could_reach(aim), best, keep)
        if len(kept) > KEPT_SHARE * len(coefficients):
            if not settle:
                return so_far(UNSETTLED)
            kept, last = None, True
        stage = _search(model_of, kept, solver, objective, coefficients, best,
                        deadline if last else deadline.sooner(deadline.remaining() * STEP_SHARE))
        if stage.value is not None and stage.value > value:
            best, value = stage.selection, stage.value
        outside = np.delete(reach, kept) if kept is not None else reach[:0]
        inner = bound if stage.bound is None else stage.bound
        bound = min(bound, max(inner, value, whole_bound(outside.max()) if len(outside) else value))
        steps += 1
        if value >= bound or last:
            break
        # One not settled over few candidates will not be over more: the last search has the time left.
        aim = value + 1 if stage.status != "OPTIMAL" or steps >= TOP_DOWN_STEPS else value + 1 + (bound - value - 1) // 2
    return so_far("OPTIMAL" if value >= bound else "FEASIBLE")


def _union(*positions: Sequence[int]) -> np.ndarray:
    return np.unique(np.concatenate([np.asarray(part, dtype=np.int64) for part in positions]))


def _search(model_of: ModelOf, positions: np.ndarray | None, solver: cp_model.CpSolver, objective: str, coefficients: np.ndarray,
            hint: Sequence[int], deadline: Deadline) -> StageResult:
    """CP-SAT over the candidates at ``positions`` (None: all), in the caller's positions."""
    if positions is None:
        return model_of(None).optimise(solver, objective, coefficients, maximise=True, hint=hint, deadline=deadline)
    chosen = positions.tolist()
    local = {c: k for k, c in enumerate(chosen)}
    stage = model_of(chosen).optimise(solver, objective, coefficients[chosen], maximise=True, hint=[local[c] for c in hint],
                                      deadline=deadline)
    return stage if stage.selection is None else replace(stage, selection=tuple(chosen[k] for k in stage.selection))
