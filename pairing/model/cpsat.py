"""CP-SAT as every pairing search runs it: one way to make a solver, one way to
run a search (stoppable, with its failures surfaced), parameters changed for one
search only."""

from __future__ import annotations

import contextlib
import threading

from ortools.sat.python import cp_model

from ..deadline import Deadline
from ..rules import SolverParams

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
