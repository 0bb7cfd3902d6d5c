"""The same set packing as :class:`pairing.model.packing.PackingModel`, in HiGHS
(inside OR-Tools, through ``pywraplp``), as the second method beside CP-SAT
(``[solver] backend = "highs"``) and for benchmarks that measure the two side by
side. Its LP-based branch and cut proves some star-rule optima that CP-SAT finds
but does not prove; on connected models it finds no good plan in minutes where
CP-SAT proves the optimum in seconds (BENCHMARKS.md, "Solver strength"). Through
``pywraplp`` a search that runs out of time returns no plan at all, so HiGHS
gets a share of the time and CP-SAT goes on.
"""

from __future__ import annotations

import math
import threading
import time
import numpy as np
from ortools.linear_solver import pywraplp

from ..deadline import Deadline
from .candidates import Candidates
from .constraints import RequiredLocks
from .packing import StageResult

#: HiGHS works in doubles: an objective whose plans' values pass this is left to CP-SAT.
EXACT_OBJECTIVE = 2**52


class HighsPacking:
    """Set packing over ``candidates`` in HiGHS: one binary per candidate, every
    village in at most one chosen group, each required lock exactly one of its
    candidates.

    Examples
    --------
    >>> import numpy as np
    >>> from pairing.deadline import Deadline
    >>> candidates = Candidates(((0, 1, 2), (2, 3, 4), (3, 4, 5)), weak=np.array([1, 0, 1]), size=np.array([3, 3, 3]),
    ...                         distance=np.array([900, 100, 4000]))
    >>> stage = HighsPacking(candidates, 6).maximise("villages_grouped", candidates.size, deadline=Deadline.after(10))
    >>> stage.status, stage.value, stage.bound, stage.selection
    ('OPTIMAL', 6, 6, (0, 2))
    """

    def __init__(self, candidates: Candidates, n: int, locks: RequiredLocks = RequiredLocks(), threads: int = 1):
        # Data
        self.candidates, self.n = candidates, n
        self.solver = pywraplp.Solver.CreateSolver("HIGHS")
        # Variables: chosen[c] is 1 when candidate group c is in the plan.
        self.chosen = [self.solver.BoolVar(f"group_{c}") for c in range(len(candidates))]
        # Constraints: every village in at most one chosen group; the planner's locks.
        for village_candidates in candidates.containing(n):
            if len(village_candidates) > 1:
                self.solver.Add(self.solver.Sum([self.chosen[c] for c in village_candidates]) <= 1)
        for required in locks.required:
            self.solver.Add(self.solver.Sum([self.chosen[c] for c in required]) == 1)
        # A plan's value is a whole number: a gap below one proves it.
        self.solver.SetSolverSpecificParametersAsString(f"output_flag=false\nmip_rel_gap=0\nmip_abs_gap=0.99\nthreads={threads}\n")

    def maximise(self, objective: str, coefficients: np.ndarray, *, deadline: Deadline) -> StageResult:
        """Maximise whole-number ``coefficients`` until ``deadline`` (its stop
        interrupts HiGHS). The value is summed over the chosen groups in whole
        numbers; the bound is HiGHS's, rounded down. (No hint: ``SetHint`` crashes
        HiGHS in OR-Tools 9.15.)"""
        started = time.perf_counter()
        # Objective
        self.solver.Maximize(self.solver.Sum([float(w) * x for w, x in zip(coefficients, self.chosen) if w]))
        self.solver.SetTimeLimit(max(10, int(1000 * deadline.remaining())))
        # Solve, in a thread the caller's stop can interrupt.
        outcome: dict = {}
        worker = threading.Thread(target=lambda: outcome.setdefault("status", self.solver.Solve()), name="pairing-highs", daemon=True)
        worker.start()
        interrupted = False
        while worker.is_alive():
            worker.join(0.05)
            # HiGHS's own time limit is not always kept (its presolve and root
            # run past it): the deadline interrupts it as a stop does.
            if not interrupted and (deadline.stopped() or deadline.remaining() < -0.2):
                self.solver.InterruptSolve()
                interrupted = True
        seconds = time.perf_counter() - started
        status = outcome.get("status")
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return StageResult(objective, "UNKNOWN", None, None, seconds, None)
        selection = tuple(c for c, x in enumerate(self.chosen) if x.solution_value() > 0.5)
        value = int(np.asarray(coefficients)[list(selection)].sum())
        bound = math.floor(self.solver.Objective().BestBound() + 1e-6)
        proven = status == pywraplp.Solver.OPTIMAL or value >= bound
        return StageResult(objective, "OPTIMAL" if proven else "FEASIBLE", value, value if proven else bound, seconds, selection,
                           bound_from="HiGHS")


def fits_highs(coefficients: np.ndarray) -> bool:
    """Whether HiGHS's doubles hold every plan's value of ``coefficients`` exactly."""
    return float(np.abs(coefficients).sum()) < EXACT_OBJECTIVE
