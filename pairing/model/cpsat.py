"""CP-SAT as every pairing search runs it: one way to make a solver, one way to
run a search (stoppable, with its failures surfaced), parameters changed for one
search only."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from ortools.sat.python import cp_model

from ..deadline import Deadline
from ..rules import SolverParams

log = logging.getLogger(__name__)

#: A search's progress is logged at most this often, in seconds, and only once
#: it has run this long (the many short searches are not worth showing).
PROGRESS_EVERY = 0.5

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
                cp_model.MODEL_INVALID: "MODEL_INVALID", cp_model.UNKNOWN: "UNKNOWN"}


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
    # With one worker too: its search log says "1 full problem subsolver: [max_lp]".
    solver.parameters.subsolvers.append("max_lp")
    # Set packing leaves CP-SAT's presolve little to remove, and it costs: the 12
    # township blocks of Anqiu solve in 9 s without it, 17 s with it. (The weak
    # level's maximisation turns it back on.)
    solver.parameters.cp_model_presolve = False
    set_safe_presolve(solver)
    return solver


def set_safe_presolve(solver: cp_model.CpSolver) -> None:
    """Turn off the presolve's inclusion rules, for every search that turns the
    presolve on: OR-Tools 9.15 can prove a wrong optimum with them on models of
    at-most-one and linear constraints (google/or-tools#5293); tests/test_exact.py
    compares CP-SAT's optima with an independent search's on random counties."""
    solver.parameters.presolve_inclusion_work_limit = 0


class SearchProgress(cp_model.CpSolverSolutionCallback):
    """A search's best value and bound as it goes, logged at DEBUG level with
    ``extra={"progress": {...}}`` (objective, candidates, value, bound, seconds
    left, done) for a display to show: at most every :data:`PROGRESS_EVERY`
    seconds, by the thread waiting for the search (see :func:`run_solver`), never
    inside CP-SAT. CP-SAT's callbacks only note the objective's value and bound;
    they never read the variables (the models have up to 250,000 of them).

    Made by :meth:`if_logged`, which gives None unless the ``pairing`` logger
    takes DEBUG records: a search nobody watches has no callback at all."""

    def __init__(self, objective: str, candidates: int, deadline: Deadline | None, question: bool = False):
        super().__init__()
        self.objective, self.candidates, self.deadline, self.question = objective, candidates, deadline, question
        self.value: float | None = None
        self.bound: float | None = None
        self.due = time.perf_counter() + PROGRESS_EVERY
        self.reported = False

    @classmethod
    def if_logged(cls, objective: str, candidates: int, deadline: Deadline | None, question: bool = False) -> "SearchProgress | None":
        """A progress for a search of ``objective`` (``question``: a search without
        an objective, which has no value to show), or None when nobody listens."""
        return cls(objective, candidates, deadline, question) if log.isEnabledFor(logging.DEBUG) else None

    def on_solution_callback(self) -> None:
        self.value = self.objective_value
        self.bound = self.best_objective_bound

    def on_bound(self, bound: float) -> None:
        self.bound = bound

    def poll(self, done: bool = False) -> None:
        """Log the progress if it is due (or, ``done``, that a search shown has ended)."""
        now = time.perf_counter()
        if done and not self.reported:
            return
        if not done and now < self.due:
            return
        self.due, self.reported = now + PROGRESS_EVERY, True
        left = None if self.deadline is None else max(0.0, self.deadline.remaining())
        value, bound = (None, None) if self.question else (self.value, self.bound)
        log.debug("%s over %s candidates: best %s, bound %s%s", self.objective, f"{self.candidates:,}", value, bound,
                  " (done)" if done else "" if left is None else f", {left:.0f} s left",
                  extra={"progress": {"objective": self.objective, "candidates": self.candidates, "value": value, "bound": bound,
                                      "seconds_left": left, "question": self.question, "done": done}})


def run_solver(solver: cp_model.CpSolver, model: cp_model.CpModel, deadline: Deadline | None = None,
               progress: SearchProgress | None = None) -> int:
    """``solver.solve(model)`` in a worker thread, stopped when ``deadline``'s stop
    is requested. Python runs signal handlers only in the main thread between
    bytecodes, never while CP-SAT holds it; waiting in short joins keeps the
    main thread free for them, and for a KeyboardInterrupt, which stops the
    search before it is raised on. An exception inside CP-SAT, or a model CP-SAT
    finds invalid, is raised as :class:`SolverError`. With a ``progress``, the
    search's best value and bound are logged as it goes (see
    :class:`SearchProgress`)."""
    outcome: dict = {}
    watched = progress is not None and not progress.question

    def search() -> None:
        try:
            outcome["status"] = solver.solve(model, progress if watched else None)
        except BaseException as error:  # surfaced in the caller's thread below
            outcome["error"] = error

    if watched:
        solver.best_bound_callback = progress.on_bound
    worker = threading.Thread(target=search, name="pairing-cp-sat", daemon=True)
    worker.start()
    asked = False
    try:
        while worker.is_alive():
            worker.join(0.05)
            if not asked and deadline is not None and deadline.stopped():
                solver.stop_search()
                asked = True
            if progress is not None:
                progress.poll()
    except KeyboardInterrupt:
        solver.stop_search()
        worker.join()
        raise
    finally:
        if watched:
            solver.best_bound_callback = None
    if progress is not None:
        progress.poll(done=True)
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
