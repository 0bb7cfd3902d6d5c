"""Set packing over candidate groups, in CP-SAT, solved one objective level at a time.

Data: the candidates. Variables: one bool per candidate ("is this group in the
plan"). Constraints: every village in at most one chosen group. Objective: set
per stage by :meth:`PackingModel.optimise`; a stage that is proven optimal is
then held fixed as a constraint, so the next stage optimises only among plans
that are optimal for all earlier ones (lexicographic optimisation).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from ..deadline import Deadline
from .candidates import Candidates
from .constraints import RequiredLocks
from .cpsat import STATUS_NAMES, SearchProgress, overridden, run_solver


@dataclass(frozen=True)
class StageResult:
    """How one objective level went. Levels searched together (see
    :class:`MergedLevels`) share their ``search`` name and their seconds."""

    objective: str
    status: str
    value: int | None
    bound: int | None
    seconds: float
    selection: tuple[int, ...] | None
    search: str = ""
    #: Who proved the bound: the search's solver (``CP-SAT``, ``HiGHS``).
    bound_from: str = "CP-SAT"

    @property
    def gap(self) -> float | None:
        if self.value is None or self.bound is None:
            return None
        return relative_gap(self.value, self.bound)

    def as_dict(self) -> dict:
        return {"objective": self.objective, "status": self.status, "value": self.value, "bound": self.bound,
                "gap": None if self.gap is None else round(self.gap, 6), "seconds": round(self.seconds, 3)}


def relative_gap(value: float, bound: float) -> float:
    """|bound - value| over the larger of the two (at least 1): 0 when proven, 1 when
    the bound is trivial (say 0 for a distance)."""
    return abs(bound - value) / max(1, abs(bound), abs(value))


#: Model building checks its deadline every this many variables or constraints.
CHECK_EVERY = 20_000


class PackingModel:
    """The CP-SAT model, kept across stages so that later stages reuse it.

    Building it takes seconds at hundreds of thousands of candidates, so it
    checks ``deadline`` (raising :class:`pairing.deadline.Stopped`) as it goes."""

    def __init__(self, candidates: Candidates, n: int, locks: RequiredLocks = RequiredLocks(), deadline: Deadline | None = None):
        # Data
        self.candidates = candidates
        self.n = n
        self.model = cp_model.CpModel()
        # Variables: chosen[c] is true when candidate group c is in the plan.
        self.chosen = []
        for c in range(len(candidates)):
            if deadline is not None and c % CHECK_EVERY == 0:
                deadline.check()
            self.chosen.append(self.model.new_bool_var(f"group_{c}"))
        self.indices = np.fromiter((variable.index for variable in self.chosen), dtype=np.int64, count=len(self.chosen))
        # Constraints: groups are disjoint, every village in at most one chosen group.
        self.containing = candidates.containing(n)
        for row, village_candidates in enumerate(self.containing):
            if deadline is not None and row % CHECK_EVERY == 0:
                deadline.check()
            if len(village_candidates) > 1:
                self.model.add_at_most_one(self.chosen[c] for c in village_candidates)
        # The planner's locks: exactly one of each lock's candidates.
        locks.add_to(self.model, self.chosen)

    def _expression(self, coefficients: np.ndarray):
        return cp_model.LinearExpr.weighted_sum(self.chosen, [int(c) for c in coefficients])

    def optimise(self, solver: cp_model.CpSolver, objective: str, coefficients: np.ndarray, *, maximise: bool,
                 hint: Sequence[int], deadline: Deadline) -> StageResult:
        """Optimise one objective level until ``deadline``, hinted with ``hint`` (a
        selection of candidates). The value is summed over the chosen groups in
        whole numbers, never read back from CP-SAT's floating-point objective."""
        started = time.perf_counter()
        self._objective(coefficients, maximise)
        self._hint(hint)
        if deadline.stopped():
            # CP-SAT would load the whole model before it looks at a stop.
            return StageResult(objective, "UNKNOWN", None, None, time.perf_counter() - started, None)
        solver.parameters.max_time_in_seconds = max(0.01, deadline.remaining())
        status = run_solver(solver, self.model, deadline, SearchProgress.if_logged(objective, len(self.chosen), deadline))
        seconds = time.perf_counter() - started
        # Read values only when the solver has a solution.
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            selection = tuple(c for c, variable in enumerate(self.chosen) if solver.boolean_value(variable))
            value = int(coefficients[list(selection)].sum())
            bound = value if status == cp_model.OPTIMAL else int(np.floor(solver.best_objective_bound + 1e-6) if maximise
                                                                 else np.ceil(solver.best_objective_bound - 1e-6))
            return StageResult(objective, STATUS_NAMES[status], value, bound, seconds, selection)
        return StageResult(objective, STATUS_NAMES[status], None, None, seconds, None)

    def cover_every(self, solver: cp_model.CpSolver, objective: str, rows: list[int], *, hint: Sequence[int],
                    deadline: Deadline) -> StageResult | None:
        """Whether every one of ``rows`` can be grouped at once: an exact cover
        question (each row in exactly one chosen group) that CP-SAT settles far
        faster than it proves the same optimum by maximising (Anqiu across
        townships: 2.5 s against 18 s). This model is spent afterwards.

        Returns an OPTIMAL stage of value ``len(rows)`` when they can; None when
        they cannot or it was not settled in time."""
        self.hold_cover(rows)
        self.model.clear_objective()
        self._hint(hint)
        # A question without an objective needs no LP: CP-SAT's default subsolvers
        # without linearisation settle it 2-30 times faster than `max_lp` (Anqiu
        # across townships: 0.2 s against 0.46 s on 2 workers, 0.9 s against no
        # answer in 30 s on one).
        if deadline.stopped():
            return None
        solver.parameters.max_time_in_seconds = max(0.01, deadline.remaining())
        started = time.perf_counter()
        with overridden(solver, linearization_level=0, subsolvers=[]):
            status = run_solver(solver, self.model, deadline, SearchProgress.if_logged(objective, len(self.chosen), deadline, question=True))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        selection = tuple(c for c, variable in enumerate(self.chosen) if solver.boolean_value(variable))
        return StageResult(objective, "OPTIMAL", len(rows), len(rows), time.perf_counter() - started, selection)

    def _objective(self, coefficients: np.ndarray, maximise: bool) -> None:
        """The objective, written into the model's proto at once: CP-SAT's
        ``maximize`` of a 246,000-term sum takes 1.4 s of Python, this 0.01 s.
        Maximising is minimising the negated sum, scaled by -1, as CP-SAT does."""
        self.model.clear_objective()
        objective = self.model.proto.objective
        terms = np.flatnonzero(coefficients)
        objective.vars.extend(self.indices[terms].tolist())
        objective.coeffs.extend((-coefficients[terms] if maximise else coefficients[terms]).tolist())
        objective.scaling_factor = -1.0 if maximise else 1.0

    def _hint(self, hint: Sequence[int]) -> None:
        """Every variable hinted: 1 for the candidates in ``hint``, 0 for the others
        (written into the proto at once, as the objective is)."""
        self.model.clear_hints()
        values = np.zeros(len(self.chosen), dtype=np.int64)
        values[list(hint)] = 1
        self.model.proto.solution_hint.vars.extend(self.indices.tolist())
        self.model.proto.solution_hint.values.extend(values.tolist())

    def hold_cover(self, rows: list[int]) -> None:
        """Keep a level proven by :meth:`cover_every`: each of ``rows`` in exactly one
        chosen group (stronger for the LP than a bound on a sum)."""
        for row in rows:
            self.model.add_exactly_one(self.chosen[c] for c in self.containing[row])

    def hold(self, coefficients: np.ndarray, value: int, *, maximise: bool) -> None:
        """Keep a proven level: later stages may not make it worse."""
        expression = self._expression(coefficients)
        self.model.add(expression >= value if maximise else expression <= value)


@dataclass(frozen=True)
class Held:
    """A proven level that the later searches keep: a plan's ``coefficients``
    sum to at least ``value``; with ``cover``, those villages each in exactly
    one chosen group instead (the same level when it groups every coverable
    weak village, and stronger for CP-SAT's LP)."""

    coefficients: np.ndarray
    value: int
    cover: tuple[int, ...] = ()

    def on(self, model: PackingModel, positions: Sequence[int] | None = None) -> None:
        """Hold the level in ``model``, a model of the candidates at ``positions`` (default: all of them)."""
        if self.cover:
            model.hold_cover(list(self.cover))
        else:
            model.hold(self.coefficients if positions is None else self.coefficients[list(positions)], self.value, maximise=True)
