"""Set packing over candidate groups, in CP-SAT, solved one objective level at a time.

Data: the candidates. Variables: one bool per candidate ("is this group in the
plan"). Constraints: every village in at most one chosen group. Objective: set
per stage by :meth:`PackingModel.optimise`; a stage that is proven optimal is
then held fixed as a constraint, so the next stage optimises only among plans
that are optimal for all earlier ones (lexicographic optimisation).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from ..deadline import Deadline
from ..errors import InputError
from ..rules import SolverParams
from .candidates import Candidates
from .locks import RequiredLocks

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
                cp_model.MODEL_INVALID: "MODEL_INVALID", cp_model.UNKNOWN: "UNKNOWN"}


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


class SolverError(RuntimeError):
    """CP-SAT rejected a model or failed inside its search: a bug in pairing, to report."""


def cp_sat_solver(params: SolverParams, workers: int | None = None) -> cp_model.CpSolver:
    """A CP-SAT solver set up as every pairing search wants it, with ``workers``
    threads (default ``params.workers``)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers if workers is None else workers
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = params.log
    # The caller's stop (see run_solver) ends a search, never CP-SAT's own handler.
    solver.parameters.catch_sigint_signal = False
    # Measured on the 864-village Anqiu instance with 2 workers: only the LP-heavy
    # subsolver proves set-packing optima in time (BENCHMARKS.md).
    solver.parameters.subsolvers.append("max_lp")
    # Set packing leaves CP-SAT's presolve little to remove, and it costs: the 12
    # township blocks of Anqiu solve in 9 s without it, 17 s with it. (The weak
    # level's maximisation turns it back on.)
    solver.parameters.cp_model_presolve = False
    return solver


def run_solver(solver: cp_model.CpSolver, model: cp_model.CpModel, deadline: Deadline | None = None) -> int:
    """``solver.solve(model)`` in a worker thread, stopped when ``deadline``'s stop
    is requested. Python runs signal handlers only in the main thread between
    bytecodes, never while CP-SAT holds it; waiting in short joins keeps the
    main thread free for them, and for a KeyboardInterrupt, which stops the
    search before it is raised on. An exception inside CP-SAT, or a model CP-SAT
    finds invalid, is raised as :class:`SolverError`."""
    outcome: dict = {}

    def search() -> None:
        try:
            outcome["status"] = solver.solve(model)
        except BaseException as error:  # surfaced in the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=search, name="pairing-cp-sat", daemon=True)
    worker.start()
    asked = False
    try:
        while worker.is_alive():
            worker.join(0.05)
            if not asked and deadline is not None and deadline.stopped():
                solver.stop_search()
                asked = True
    except KeyboardInterrupt:
        solver.stop_search()
        worker.join()
        raise
    if "error" in outcome:
        raise SolverError(f"CP-SAT failed: {type(outcome['error']).__name__}: {outcome['error']}") from outcome["error"]
    if outcome["status"] == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT found the model invalid: {model.validate()}")
    return outcome["status"]


@contextlib.contextmanager
def overridden(solver: cp_model.CpSolver, **parameters):
    """CP-SAT parameters changed for one search, then restored (a list value
    replaces a repeated field such as ``subsolvers``)."""
    saved = {name: list(getattr(solver.parameters, name)) if isinstance(value, list) else getattr(solver.parameters, name)
             for name, value in parameters.items()}
    _set(solver, parameters)
    try:
        yield solver
    finally:
        _set(solver, saved)


def _set(solver: cp_model.CpSolver, parameters: dict) -> None:
    for name, value in parameters.items():
        if isinstance(value, list):
            field = getattr(solver.parameters, name)
            field.clear()
            field.extend(value)
        else:
            setattr(solver.parameters, name, value)


def greedy_selection(candidates: Candidates, n: int, locks: RequiredLocks = RequiredLocks(),
                     first: Sequence[int] = ()) -> tuple[int, ...]:
    """A quick plan: the ``first`` candidates (disjoint: a previous plan's
    groups), then for each lock (fewest candidates first) its best candidate
    that fits, then the candidates with the most weak villages, then the most
    villages, then the shortest distance, as long as they share no village.

    Whether the plan keeps every lock is for the caller to ask
    (:meth:`RequiredLocks.kept_by`): a lock whose candidates all collide with
    earlier choices is left unkept.

    Examples
    --------
    >>> groups = ((0, 1, 2), (3, 1, 2), (3, 4, 5))
    >>> candidates = Candidates(groups, np.array([2, 2, 0]), np.array([3, 3, 3]), np.array([5, 9, 4]))
    >>> greedy_selection(candidates, 6), greedy_selection(candidates, 6, RequiredLocks(("leads d",), ((1,),)))
    ((0, 2), (1,))
    """
    order = np.lexsort((candidates.distance, -candidates.size, -candidates.weak))
    rank = np.empty(len(candidates), dtype=np.int64)
    rank[order] = np.arange(len(candidates))
    groups = candidates.groups
    # Plain lists: this loop runs once per candidate, where numpy's per-element
    # indexing costs more than the work itself (0.6 s at 246,000 candidates).
    used = [False] * n
    chosen = []

    def take(candidate: int) -> bool:
        rows = groups[candidate]
        if any(used[row] for row in rows):
            return False
        for row in rows:
            used[row] = True
        chosen.append(candidate)
        return True

    for candidate in first:
        take(candidate)
    for required in sorted(locks.required, key=len):
        if not set(required) & set(chosen):
            next((True for candidate in sorted(required, key=rank.__getitem__) if take(candidate)), False)
    for candidate in order.tolist():
        take(candidate)
    return tuple(sorted(chosen))


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


#: CP-SAT's LP works in doubles, exact on whole numbers up to 2**53: a level whose
#: values span more is refused.
EXACT_RANGE = 2**53
#: Levels are merged into one weighted objective only while every value it can
#: take stays below this (lower it to search the levels one at a time).
MERGE_RANGE = EXACT_RANGE


@dataclass(frozen=True)
class MergedLevels:
    """Consecutive objective levels as one weighted sum that CP-SAT maximises:
    each level's value, oriented so that more is better and shifted to start at
    0, times a weight larger than every value the levels below it can add up to.
    The sum's optimum is then the levels' lexicographic optimum, found in one
    search instead of one per level (Anqiu, 12 township blocks: villages and
    distance levels 38 s apart, 13 s merged).

    Built by :meth:`merge`; :meth:`split` turns the merged stage back into one
    stage per level, each with its own value and a bound derived from the merged
    bound.
    """

    names: tuple[str, ...]
    oriented: tuple[np.ndarray, ...]
    maximise: tuple[bool, ...]
    lows: tuple[int, ...]
    weights: tuple[int, ...]

    @classmethod
    def merge(cls, candidates: Candidates, n: int, levels: list[tuple[str, np.ndarray, bool]]) -> list["MergedLevels"]:
        """``levels`` (name, coefficients per candidate, maximise) grouped into as
        few merged objectives as :data:`MERGE_RANGE` allows, in order."""
        merged: list[MergedLevels] = []
        group: list[tuple[str, np.ndarray, bool, int, int]] = []
        rows = np.fromiter((row for rows in candidates.groups for row in rows), dtype=np.int64, count=int(candidates.size.sum()))
        for name, coefficients, maximise in levels:
            oriented = np.asarray(coefficients, dtype=np.int64) * (1 if maximise else -1)
            low, high = plan_value_range(candidates, n, rows, oriented)
            if high - low + 1 > EXACT_RANGE:
                raise InputError(f"the objective level {name} spans {high - low + 1:,} values, more than 2^53, beyond which "
                                 "the solver's arithmetic is not exact", fix="use smaller weights", column="[objective]")
            if group and math.prod(h - lo + 1 for *_, lo, h in group) * (high - low + 1) > MERGE_RANGE:
                merged.append(cls._of(group))
                group = []
            group.append((name, oriented, maximise, low, high))
        if group:
            merged.append(cls._of(group))
        return merged

    @classmethod
    def _of(cls, group) -> "MergedLevels":
        weights, weight = [], 1
        for *_, low, high in reversed(group):
            weights.append(weight)
            weight *= high - low + 1
        return cls(tuple(g[0] for g in group), tuple(g[1] for g in group), tuple(g[2] for g in group),
                   tuple(g[3] for g in group), tuple(reversed(weights)))

    @property
    def coefficients(self) -> np.ndarray:
        return sum(weight * oriented for weight, oriented in zip(self.weights, self.oriented))

    def split(self, stage: "StageResult", selection: tuple[int, ...]) -> list["StageResult"]:
        """One stage per level from the merged ``stage``: a level is proven when the
        levels before it are and its value reaches the bound the merged bound
        leaves for it; the first level not proven ends the list."""
        stages = []
        rest = None if stage.bound is None else stage.bound - sum(w * lo for w, lo in zip(self.weights, self.lows))
        for name, oriented, maximise, low, weight in zip(self.names, self.oriented, self.maximise, self.lows, self.weights):
            value = int(oriented[list(selection)].sum())
            bound = None if rest is None else low + rest // weight
            proven = stage.status == "OPTIMAL" or (bound is not None and value >= bound)
            stages.append(replace(stage, objective=name, search=stage.objective, status="OPTIMAL" if proven else stage.status,
                                  value=value if maximise else -value,
                                  bound=(value if proven else bound) if bound is None or maximise else -(value if proven else bound)))
            if not proven:
                break
            rest -= (value - low) * weight
        return stages


def plan_value_range(candidates: Candidates, n: int, rows: np.ndarray, coefficients: np.ndarray) -> tuple[int, int]:
    """Bounds on ``coefficients`` summed over any packing: a chosen group's
    coefficient spread over its villages, and each village in one group at most.
    ``rows`` are the candidates' rows, one group after another."""
    share = coefficients / candidates.size
    shares = np.repeat(share, candidates.size)
    most, least = np.zeros(n), np.zeros(n)
    np.maximum.at(most, rows, shares)
    np.minimum.at(least, rows, shares)
    # One either side for the floats' rounding.
    return math.floor(least.sum()) - 1, math.ceil(most.sum()) + 1


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
        status = run_solver(solver, self.model, deadline)
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
            status = run_solver(solver, self.model, deadline)
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
