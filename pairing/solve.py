"""Solve an instance: enumerate candidate groups, split them into independent
blocks, and optimise the lexicographic objective one level at a time in each
block with CP-SAT. Free of IO."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from .diagnose import ungrouped_reasons
from .instance import Instance
from .model.candidates import Candidates, enumerate_candidates
from .model.locks import LockConstraint, add_lock, check_lock_ids, explain_conflict, lock_constraints
from .model.packing import PackingModel, StageResult, greedy_selection
from .plan import Group, Objective, Plan
from .rules import Locks, ObjectiveWeights, Rules, SolverParams

#: The objective levels, in lexicographic order: (name, candidate attribute, maximise).
LEVELS = (("weak_grouped", "weak", True), ("villages_grouped", "size", True), ("distance", "distance", False))


def solve(instance: Instance, rules: Rules | None = None, *, locks: Locks | None = None,
          weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
          time_limit: float | None = None, workers: int | None = None, seed: int | None = None) -> Plan:
    """The best plan for an instance under the rules and the planner's locks.

    Maximises the number of weak villages grouped, then the number of villages
    grouped, then minimises the total member-to-lead distance, each level
    proven optimal before the next is optimised with it held fixed.

    Parameters
    ----------
    instance : Instance
    rules : Rules, optional
        Defaults to ``Rules()`` (the Anqiu rules).
    locks : Locks, optional
        Villages to exclude, leads to keep, pairs to keep together or apart, pins.
    weights : ObjectiveWeights, optional
        Optional terms of the third level beside distance: industry similarity,
        strength gap, compactness. The third level's stage value is then the
        weighted cost; ``plan.objective.distance`` stays the plain distance.
    params : SolverParams, optional
        Time limit, workers, seed, log; ``time_limit``, ``workers`` and ``seed``
        override its fields.

    Returns
    -------
    Plan
        OPTIMAL only if every level was proven optimal; FEASIBLE with a bound and
        gap when the time limit or Ctrl-C/SIGTERM stopped the search; INFEASIBLE,
        with ``plan.conflicts`` naming the locks that cannot all hold.

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
    locks = locks or Locks()
    params = replace(params or SolverParams(), **{k: v for k, v in {"time_limit": time_limit, "workers": workers,
                                                                  "seed": seed}.items() if v is not None})
    check_lock_ids(instance, locks)
    started = time.perf_counter()
    deadline = started + params.time_limit

    candidates = enumerate_candidates(instance, rules, locks).with_weights(instance, weights or ObjectiveWeights())
    constraints = lock_constraints(instance, candidates, locks)
    forbidden = {c for constraint in constraints for c in constraint.forbidden}
    usable = [c for c in range(len(candidates)) if c not in forbidden]
    impossible = [constraint for constraint in constraints if constraint.required is not None
                  and not set(constraint.required) - forbidden]
    blocks = [[usable[k] for k in block] for block in candidates.subset(usable).blocks(instance.n)]
    blocks.sort(key=len)
    account = _Account(time.perf_counter() - started, len(candidates), len(blocks))

    solver = _solver(params)
    interrupted = threading.Event()
    infeasible = bool(impossible)
    with _stop_on_signals(solver, interrupted):
        for position, block in enumerate([] if infeasible else blocks):
            remaining = deadline - time.perf_counter()
            share = len(block) / sum(len(b) for b in blocks[position:])
            stages = _solve_block(instance, candidates, block, constraints, solver, time.perf_counter() + remaining * share,
                                  interrupted)
            account.add(instance, candidates, block, stages)
            if stages and stages[0].status == "INFEASIBLE":
                infeasible = True
                break
    if infeasible:
        conflicts = explain_conflict(instance, rules, locks, candidates, constraints)
        return Plan(instance, rules, (), status="INFEASIBLE", solve_seconds=time.perf_counter() - started, seed=params.seed,
                    workers=params.workers, stages=(account.enumeration(),), locks=locks, conflicts=conflicts)
    return account.plan(instance, rules, locks, params, candidates, time.perf_counter() - started)


def _solve_block(instance: Instance, candidates: Candidates, block: list[int], constraints: list[LockConstraint],
                 solver: cp_model.CpSolver, deadline: float, interrupted: threading.Event) -> list[StageResult]:
    """Optimise each level in turn on one block, holding every proven level; stop at
    the first level not proven (time limit or signal). Each level may use all the
    time left, in priority order: capping a level's time to leave some for the next
    helped one benchmark and hurt three (BENCHMARKS.md). Selections come back as
    candidate indices of the whole instance."""
    local = {c: k for k, c in enumerate(block)}
    block_candidates = candidates.subset(block)
    block_locks = [LockConstraint(constraint.lock, (), tuple(local[c] for c in constraint.required if c in local))
                   for constraint in constraints if constraint.required is not None and set(constraint.required) & local.keys()]
    full = PackingModel(block_candidates, instance.n)
    for constraint in block_locks:
        add_lock(full.model, full.chosen, constraint)
    hint = greedy_selection(block_candidates, instance.n)
    stages = []
    for objective, attribute, maximise in LEVELS:
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or interrupted.is_set():
            break
        coefficients = getattr(block_candidates, attribute)
        if objective == "weak_grouped" and not block_locks:
            # Only weak villages count here, so candidates that contain a smaller
            # one with the same weak villages can go: about half of them.
            keep = block_candidates.useful_for_weak(instance.weak)
            pruned = PackingModel(block_candidates.subset(keep), instance.n)
            position = {c: k for k, c in enumerate(keep)}
            stage = pruned.optimise(solver, objective, pruned.candidates.weak, maximise=True,
                                    hint=tuple(position[c] for c in hint if c in position), time_limit=remaining)
            if stage.selection is not None:
                stage = replace(stage, selection=tuple(keep[k] for k in stage.selection))
        else:
            stage = full.optimise(solver, objective, coefficients, maximise=maximise, hint=hint, time_limit=remaining)
        if stage.selection is not None:
            hint = stage.selection
        stages.append(replace(stage, selection=tuple(block[k] for k in hint)))
        if stage.status != "OPTIMAL":
            break
        full.hold(coefficients, stage.value, maximise=maximise)
    if not stages:
        stages.append(StageResult(LEVELS[0][0], "UNKNOWN", None, None, 0.0, tuple(block[k] for k in hint)))
    return stages


@dataclass
class _Account:
    """Adds up what the blocks did into one account of the solve."""

    enumerate_seconds: float
    candidate_count: int
    block_count: int

    def __post_init__(self) -> None:
        self.selection: list[int] = []
        self.levels: list[list[StageResult | None]] = []
        self.block_sizes: list[int] = []
        self.trivial_bounds: list[dict[str, int]] = []

    def add(self, instance: Instance, candidates: Candidates, block: list[int], stages: list[StageResult]) -> None:
        self.selection.extend(stages[-1].selection or ())
        self.levels.append([*stages, *[None] * (len(LEVELS) - len(stages))])
        self.block_sizes.append(len(block))
        # For a level a block never proved: every village (or weak village) its
        # candidates cover, and no distance at all.
        covered = list({row for c in block for row in candidates.groups[c]})
        self.trivial_bounds.append({"weak": int(instance.weak[covered].sum()), "size": len(covered), "distance": 0})

    def enumeration(self) -> dict:
        return {"objective": "enumerate", "status": "DONE", "candidates": self.candidate_count, "blocks": self.block_count,
                "largest_block": max(self.block_sizes, default=0), "seconds": round(self.enumerate_seconds, 3)}

    def plan(self, instance: Instance, rules: Rules, locks: Locks, params: SolverParams, candidates: Candidates,
             seconds: float) -> Plan:
        ids = instance.ids
        chosen = sorted((candidates.groups[c] for c in self.selection), key=lambda rows: (instance.township[rows[0]], ids[rows[0]]))
        width = max(3, len(str(len(chosen))))
        groups = tuple(Group(f"G{k:0{width}d}", (ids[rows[0]],), tuple(sorted(ids[r] for r in rows[1:])))
                       for k, rows in enumerate(chosen, start=1))
        stages, bounds = [self.enumeration()], {}
        for level, (objective, attribute, maximise) in enumerate(LEVELS):
            per_block = [block_levels[level] for block_levels in self.levels]
            proven = all(stage is not None and stage.status == "OPTIMAL" for stage in per_block)
            value = int(getattr(candidates, attribute)[self.selection].sum()) if self.selection else 0
            bound = sum(stage.bound if stage is not None and stage.bound is not None else trivial[attribute]
                        for stage, trivial in zip(per_block, self.trivial_bounds))
            bounds[objective] = int(bound)
            stages.append({"objective": objective, "status": "OPTIMAL" if proven else "FEASIBLE", "value": value,
                           "bound": int(bound), "gap": round(abs(bound - value) / max(1, abs(bound)), 6),
                           "seconds": round(sum(stage.seconds for stage in per_block if stage is not None), 3)})
        unproven = next((stage for stage in stages[1:] if stage["status"] != "OPTIMAL"), None)
        plan = Plan(instance, rules, groups, status="OPTIMAL" if unproven is None else "FEASIBLE",
                    bound=Objective(**bounds), gap=0.0 if unproven is None else unproven["gap"], solve_seconds=seconds,
                    seed=params.seed, workers=params.workers, stages=tuple(stages), locks=locks)
        return replace(plan, reasons=ungrouped_reasons(plan, candidates))


def _solver(params: SolverParams) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = params.log
    # pairing stops the search itself on SIGINT and SIGTERM (see _stop_on_signals).
    solver.parameters.catch_sigint_signal = False
    # Measured on the 864-village Anqiu instance with 2 workers: only the LP-heavy
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
