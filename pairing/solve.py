"""Solve an instance: enumerate candidate groups, then optimise the lexicographic
objective one level at a time with CP-SAT. Free of IO."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import replace

from ortools.sat.python import cp_model

from .diagnose import ungrouped_reasons
from .instance import Instance
from .model.candidates import Candidates, enumerate_candidates
from .model.packing import PackingModel, StageResult, greedy_selection
from .plan import Group, Objective, Plan
from .rules import Rules, SolverParams

#: The objective levels, in lexicographic order: (name, candidate attribute, maximise).
LEVELS = (("weak_grouped", "weak", True), ("villages_grouped", "size", True), ("distance", "distance", False))


def solve(instance: Instance, rules: Rules | None = None, *, params: SolverParams | None = None,
          time_limit: float | None = None, workers: int | None = None, seed: int | None = None) -> Plan:
    """The best plan for an instance under the rules.

    Maximises the number of weak villages grouped, then the number of villages
    grouped, then minimises the total member-to-lead distance, each level
    proven optimal before the next is optimised with it held fixed.

    Parameters
    ----------
    instance : Instance
    rules : Rules, optional
        Defaults to ``Rules()`` (the Anqiu rules).
    params : SolverParams, optional
        Time limit, workers, seed, log; ``time_limit``, ``workers`` and ``seed``
        override its fields.

    Returns
    -------
    Plan
        Status OPTIMAL only if every level was proven optimal; FEASIBLE with a
        bound and gap when the time limit or Ctrl-C/SIGTERM stopped the search.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from pairing import Instance
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": list("abcd"), "township": "T",
    ...     "population": [500, 400, 300, 300], "strength": [4.0, 1, 2, 3], "weak": [False, True, True, False]})
    >>> plan = solve(Instance(table, nx.path_graph(list("abcd"))), time_limit=5)
    >>> plan.status, [group.villages for group in plan.groups]
    ('OPTIMAL', [('a', 'b', 'c', 'd')])
    """
    rules = rules or Rules()
    params = params or SolverParams()
    overrides = {k: v for k, v in {"time_limit": time_limit, "workers": workers, "seed": seed}.items() if v is not None}
    params = replace(params, **overrides)
    started = time.perf_counter()
    deadline = started + params.time_limit

    candidates = enumerate_candidates(instance, rules)
    enumerate_seconds = time.perf_counter() - started
    selection = greedy_selection(candidates, instance.n)
    stages: list[StageResult] = []
    interrupted = threading.Event()
    if len(candidates):
        solver = _solver(params)
        with _stop_on_signals(solver, interrupted):
            _optimise_levels(instance, candidates, solver, deadline, interrupted, selection, stages)
        selection = next((stage.selection for stage in reversed(stages) if stage.selection is not None), selection)
    return _plan(instance, rules, params, candidates, selection, stages, time.perf_counter() - started, enumerate_seconds)


def _optimise_levels(instance: Instance, candidates: Candidates, solver: cp_model.CpSolver, deadline: float,
                     interrupted: threading.Event, hint: tuple[int, ...], stages: list[StageResult]) -> None:
    """Optimise each level in turn, holding every proven level; stop at the first
    level not proven (time limit or signal). The weak level runs on its own model
    over only the candidates that can matter to it, which halves its size."""
    full = PackingModel(candidates, instance.n)
    for objective, attribute, maximise in LEVELS:
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or interrupted.is_set():
            return
        if objective == "weak_grouped":
            keep = candidates.useful_for_weak(instance.weak)
            position = {c: k for k, c in enumerate(keep)}
            pruned = PackingModel(candidates.subset(keep), instance.n)
            stage = pruned.optimise(solver, objective, pruned.candidates.weak, maximise=True,
                                    hint=tuple(position[c] for c in hint if c in position), time_limit=remaining)
            if stage.selection is not None:
                stage = replace(stage, selection=tuple(keep[k] for k in stage.selection))
        else:
            stage = full.optimise(solver, objective, getattr(candidates, attribute), maximise=maximise, hint=hint,
                                  time_limit=remaining)
        stages.append(stage)
        if stage.selection is not None:
            hint = stage.selection
        if stage.status != "OPTIMAL":
            return
        full.hold(getattr(candidates, attribute), stage.value, maximise=maximise)


def _solver(params: SolverParams) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = params.log
    # pairing stops the search itself on SIGINT and SIGTERM (see _stop_on_signals).
    solver.parameters.catch_sigint_signal = False
    # Measured on an 864-village county with 2 workers: only the LP-heavy
    # subsolver proves set-packing optima in time (BENCHMARKS.md).
    solver.parameters.subsolvers.append("max_lp")
    return solver


@contextlib.contextmanager
def _stop_on_signals(solver: cp_model.CpSolver, interrupted: threading.Event):
    """Turn Ctrl-C and SIGTERM into a graceful stop: the search ends as if its time
    were up and the best plan so far is returned. (CP-SAT runs in a worker thread,
    see :func:`pairing.model.packing.run_solver`, so the handlers run promptly.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signal_number, frame) -> None:
        interrupted.set()
        solver.stop_search()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _plan(instance: Instance, rules: Rules, params: SolverParams, candidates: Candidates, selection: tuple[int, ...],
          stages: list[StageResult], seconds: float, enumerate_seconds: float) -> Plan:
    ids = instance.ids
    chosen = sorted((candidates.groups[c] for c in selection), key=lambda rows: (instance.township[rows[0]], ids[rows[0]]))
    width = max(3, len(str(len(chosen))))
    groups = tuple(Group(f"G{k:0{width}d}", (ids[rows[0]],), tuple(sorted(ids[r] for r in rows[1:])))
                   for k, rows in enumerate(chosen, start=1))
    proven = not len(candidates) or (len(stages) == len(LEVELS) and all(stage.status == "OPTIMAL" for stage in stages))
    unproven = next((stage for stage in stages if stage.status != "OPTIMAL"), None)
    bounds = {stage.objective: stage.bound for stage in stages}
    if not len(candidates):
        bounds = {"weak_grouped": 0, "villages_grouped": 0, "distance": 0}
    info = {"objective": "enumerate", "status": "DONE", "candidates": len(candidates), "seconds": round(enumerate_seconds, 3)}
    plan = Plan(
        instance, rules, groups,
        status="OPTIMAL" if proven else "FEASIBLE",
        bound=Objective(bounds.get("weak_grouped"), bounds.get("villages_grouped"), bounds.get("distance")),
        gap=0.0 if proven else (unproven.gap if unproven is not None else None),
        solve_seconds=seconds, seed=params.seed, workers=params.workers,
        stages=(info, *(stage.as_dict() for stage in stages)),
    )
    return replace(plan, reasons=ungrouped_reasons(plan, candidates))
