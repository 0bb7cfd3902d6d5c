"""Solve an instance: enumerate candidate groups, split them into independent
blocks, and optimise the lexicographic objective one level at a time in each
block with CP-SAT. Free of IO."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import signal
import threading
import time
import weakref
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from .diagnose import ungrouped_reasons
from .instance import Instance
from .model.candidates import Candidates, enumerate_candidates
from .model.locks import LockConstraint, add_lock, check_lock_ids, explain_conflict, lock_constraints
from .model.windows import improve_in_windows
from .model.packing import MergedLevels, PackingModel, StageResult, greedy_selection, overridden, relative_gap
from .plan import Group, Objective, Plan
from .rules import Locks, ObjectiveWeights, Rules, SolverParams

#: Least time a block is given (it hands back what it does not use).
BLOCK_MINIMUM_SECONDS = 1.0
#: Blocks of at least this many candidates are first improved window by window
#: (pairing.model.windows), for this share of their time, before the search
#: over the whole block. Generated 3,000 villages across townships (244,000
#: candidates, 60 s): villages grouped 2,797 -> 2,963 of at most 2,975. Anqiu
#: across townships (65,000 candidates): proven in 41 s with windows, 30-37 s
#: without.
WINDOWS_FROM_CANDIDATES = 100_000
WINDOWS_SHARE = 0.4
#: Above this many candidates a block is searched only window by window, and its
#: later levels' bounds are the trivial ones: on generated 10,000 villages
#: (847,000 candidates) the search over the whole block reached no LP bound in
#: 48 s, added 12 villages to the windows' 9,572, and took the peak memory from
#: about 1.5 GB to 4.5 GB.
WHOLE_BLOCK_CANDIDATES = 500_000
#: The objective levels, in lexicographic order: (name, candidate attribute, maximise).
LEVELS = (("weak_grouped", "weak", True), ("villages_grouped", "size", True), ("distance", "distance", False))

#: The stability level's coefficients are ``STABILITY_SCALE × (villages − stability ×
#: changed villages)``, rounded: CP-SAT needs whole numbers, and a weight such as 0.5
#: must still count.
STABILITY_SCALE = 100


def previous_leads(previous: Plan) -> dict[str, str]:
    """Each village of a previous plan -> the lead it was grouped under (itself when
    it led), "" when it was ungrouped: a village's *assignment*.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from pairing import Instance
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": list("abcd"), "township": "T",
    ...     "population": 400, "strength": [4.0, 1, 2, 3], "weak": False})
    >>> previous_leads(Plan(Instance(table, nx.path_graph(list("abcd"))), Rules(), (Group("G1", ("a",), ("b", "c")),)))
    {'a': 'a', 'b': 'a', 'c': 'a', 'd': ''}
    """
    leads = dict.fromkeys(previous.instance.ids, "")
    leads.update({village: group.lead for group in previous.groups for village in group.villages})
    return leads


def assignment_changes(instance: Instance, candidates: Candidates, leads: dict[str, str]) -> np.ndarray:
    """Per candidate group, how choosing it changes the count of villages whose
    assignment differs from ``leads`` (see :func:`previous_leads`): +1 for each
    of its villages that was ungrouped, -1 for each that keeps its lead.

    A plan's changed villages are then ``(villages grouped in leads) + Σ chosen
    changes``: a village grouped before counts as changed unless a chosen group
    keeps it under the same lead. Villages missing from ``leads`` (new ones)
    count neither way. The same count measures how far apart two plans are
    (:func:`pairing.explore.alternatives`).

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from pairing import Instance
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": list("abcd"), "township": "T",
    ...     "population": 400, "strength": [4.0, 1, 2, 3], "weak": False})
    >>> instance = Instance(table, nx.path_graph(list("abcd")))
    >>> candidates = enumerate_candidates(instance, Rules(group_size=(3, 3), group_population=(1000, 2000)))
    >>> candidates.groups, assignment_changes(instance, candidates, {"a": "a", "b": "a", "c": "a", "d": ""}).tolist()
    (((0, 1, 2), (3, 1, 2)), [-3, 1])
    """
    ids = instance.ids
    known = [ids[row] in leads for row in range(instance.n)]
    before = [leads.get(village, "") for village in ids]
    return np.array([sum(1 for row in rows if known[row] and not before[row])
                     - sum(1 for row in rows if known[row] and before[row] == ids[rows[0]])
                     for rows in candidates.groups], dtype=np.int64)


def solve(instance: Instance, rules: Rules | None = None, *, locks: Locks | None = None,
          weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
          time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
          previous: Plan | None = None) -> Plan:
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
    previous : Plan, optional
        A plan to stay close to, in this instance's village ids (see
        :func:`pairing.explore.resolve`). With ``weights.stability > 0`` a
        stability level is optimised right after weak villages grouped: maximise
        villages grouped − stability × villages whose lead differs from
        ``previous``; the search starts from the previous groups that are still
        candidates. Weak villages grouped stays first, so no stability weight
        keeps a weak village ungrouped.

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

    weights = weights or ObjectiveWeights()
    candidates = enumerate_candidates(instance, rules, locks).with_weights(instance, weights)
    levels = [(name, getattr(candidates, attribute), maximise) for name, attribute, maximise in LEVELS]
    preferred: set[int] = set()
    if previous is not None and weights.stability > 0:
        leads = previous_leads(previous)
        changes = assignment_changes(instance, candidates, leads)
        levels.insert(1, ("stability", np.round(STABILITY_SCALE * (candidates.size - weights.stability * changes)).astype(np.int64), True))
        kept = {(group.lead, frozenset(group.villages)) for group in previous.groups}
        ids = instance.ids
        preferred = {c for c, rows in enumerate(candidates.groups) if (ids[rows[0]], frozenset(ids[r] for r in rows)) in kept}
    constraints = lock_constraints(instance, candidates, locks)
    forbidden = {c for constraint in constraints for c in constraint.forbidden}
    usable = [c for c in range(len(candidates)) if c not in forbidden]
    impossible = [constraint for constraint in constraints if constraint.required is not None
                  and not set(constraint.required) - forbidden]
    blocks = [[usable[k] for k in block] for block in candidates.subset(usable).blocks(instance.n)]
    blocks.sort(key=len)
    account = _Account(time.perf_counter() - started, len(candidates), len(blocks), levels)

    searches = _Searches(params)
    infeasible = bool(impossible)
    with _stop_on_signals(searches):
        for block, stages in zip(blocks, [] if infeasible else _solve_blocks(
                instance, candidates, blocks, constraints, levels, preferred, searches, deadline)):
            account.add(instance, candidates, block, stages)
            infeasible = infeasible or stages[0].status == "INFEASIBLE"
    if infeasible:
        conflicts = explain_conflict(instance, rules, locks, candidates, constraints)
        return Plan(instance, rules, (), status="INFEASIBLE", solve_seconds=time.perf_counter() - started, seed=params.seed,
                    workers=params.workers, stages=(account.enumeration(),), locks=locks, conflicts=conflicts)
    return account.plan(instance, rules, locks, params, candidates, time.perf_counter() - started)


def _solve_blocks(instance: Instance, candidates: Candidates, blocks: list[list[int]], constraints: list[LockConstraint],
                  levels: list[tuple[str, np.ndarray, bool]], preferred: set[int], searches: "_Searches",
                  deadline: float) -> list[list[StageResult]]:
    """Each block's stages, in the order of ``blocks`` (smallest first).

    Blocks are solved side by side, one CP-SAT worker each, as many at once as
    there are workers (Anqiu's 12 townships: 11.7 s one after another with one
    worker each, 8.4 s with two workers each, about half that two at a time);
    a block with more than half of all candidates is solved last, with every
    worker. Each block gets time in proportion to its size, but at least a
    second: a block of a few candidates needs milliseconds, yet less than
    CP-SAT's fixed overhead (a 5 ms share at 10,000 villages) cannot prove even
    a trivial optimum."""
    total = sum(len(block) for block in blocks)
    shared = [block for block in blocks if 2 * len(block) <= total]
    alone = [block for block in blocks if 2 * len(block) > total]
    lanes = max(1, min(searches.params.workers, len(shared)))
    pending = [total]
    lock = threading.Lock()

    def run(block: list[int], lanes: int, workers: int) -> list[StageResult]:
        with lock:
            remaining = deadline - time.perf_counter()
            share = min(1.0, lanes * len(block) / pending[0])
            pending[0] -= len(block)
        block_seconds = max(remaining * share, min(remaining, BLOCK_MINIMUM_SECONDS))
        return _solve_block(instance, candidates, block, constraints, searches, workers, time.perf_counter() + block_seconds,
                            levels, preferred)

    with concurrent.futures.ThreadPoolExecutor(lanes, thread_name_prefix="pairing-block") as pool:
        stages = list(pool.map(lambda block: run(block, lanes, 1), shared))
    return stages + [run(block, 1, searches.params.workers) for block in alone]


def _solve_block(instance: Instance, candidates: Candidates, block: list[int], constraints: list[LockConstraint],
                 searches: "_Searches", workers: int, deadline: float, levels: list[tuple[str, np.ndarray, bool]],
                 preferred: set[int]) -> list[StageResult]:
    """Optimise one block: the weak level, then the later levels merged, each held
    once proven; stop at the first level not proven (time limit or signal). Each
    search may use all the time left, in priority order: capping a level's time to
    leave some for the next helped one benchmark and hurt three (BENCHMARKS.md).
    The search starts from the ``preferred`` candidates (a previous plan's groups),
    completed greedily. Selections come back as candidate indices of the whole
    instance."""
    local = {c: k for k, c in enumerate(block)}
    block_candidates = candidates.subset(block)
    block_locks = [LockConstraint(constraint.lock, (), tuple(local[c] for c in constraint.required if c in local))
                   for constraint in constraints if constraint.required is not None and set(constraint.required) & local.keys()]

    @functools.cache
    def full_model() -> PackingModel:
        full = PackingModel(block_candidates, instance.n)
        for constraint in block_locks:
            add_lock(full.model, full.chosen, constraint)
        return full

    hint = _start(block_candidates, instance.n, [k for k, c in enumerate(block) if c in preferred])
    solver, interrupted = searches.solver(workers), searches.interrupted
    stages = []
    name, coefficients, maximise = levels[0]
    whole = len(block) <= WHOLE_BLOCK_CANDIDATES
    weak_stage, hold = _weak_level(instance, block_candidates, full_model, searches, workers, solver, deadline,
                                   (name, coefficients[block], maximise), hint, bool(block_locks), whole)
    if weak_stage is not None:
        hint = weak_stage.selection or hint
        stages.append(replace(weak_stage, selection=tuple(block[k] for k in hint)))
    # A block searched by windows alone goes on to the later levels even when its
    # weak level is not proven: windows never ungroup a weak village.
    if hold is not None or (weak_stage is not None and not whole):
        # The later levels merged into one objective: one search instead of one per
        # level, and nothing lost between them (MergedLevels).
        for merged in MergedLevels.merge(block_candidates, instance.n, [(name, coefficients[block], maximise)
                                                                          for name, coefficients, maximise in levels[1:]]):
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or interrupted.is_set():
                break
            coefficients = merged.coefficients
            started = time.perf_counter()
            if len(block) >= WINDOWS_FROM_CANDIDATES and merged.names == tuple(name for name, _, _ in levels[1:]):
                hint = improve_in_windows(block_candidates, instance.xy, instance.weak, coefficients, hint,
                                          lambda: searches.solver(1), started + remaining * (WINDOWS_SHARE if whole else 1.0),
                                          workers, interrupted)
                remaining = deadline - time.perf_counter()
            if not whole:
                split = merged.split(StageResult("+".join(merged.names), "FEASIBLE", int(coefficients[list(hint)].sum()), None,
                                                 time.perf_counter() - started, hint), hint)
                stages.extend(replace(level, selection=tuple(block[k] for k in hint)) for level in split)
                break
            full = full_model()
            hold(full)
            # Building the full model takes seconds at 3,000 villages: the time left is read after it.
            stage = full.optimise(solver, "+".join(merged.names), coefficients, maximise=True, hint=hint,
                                  time_limit=deadline - time.perf_counter())
            hint = stage.selection or hint
            split = merged.split(stage, hint)
            stages.extend(replace(level, selection=tuple(block[k] for k in hint)) for level in split)
            if len(split) < len(merged.names) or split[-1].status != "OPTIMAL":
                break
            full.hold(coefficients, stage.value, maximise=True)
            hold = _no_hold
    if not stages:
        stages.append(StageResult(levels[0][0], "UNKNOWN", None, None, 0.0, tuple(block[k] for k in hint)))
    return stages


def _weak_level(instance: Instance, candidates: Candidates, full_model: Callable[[], PackingModel], searches: "_Searches",
                workers: int, solver: cp_model.CpSolver, deadline: float, level: tuple[str, np.ndarray, bool],
                hint: tuple[int, ...], locked: bool, whole: bool) -> tuple[StageResult | None, Callable[[PackingModel], None] | None]:
    """Weak villages grouped, on one block's ``candidates``: the stage (selections
    as positions in ``candidates``; None when no time is left) and, when it is
    proven, how to hold it in the block's full model. The full model is built
    (by ``full_model``) only when a search needs it: at 10,000 villages it and
    the weak level's own model would not both fit in 2 GB. A block too large to
    search ``whole`` is not maximised over when the exact cover is not had: the
    plan from the windows stands, unproven."""
    objective, coefficients, _ = level
    interrupted = searches.interrupted
    started = time.perf_counter()
    remaining = deadline - time.perf_counter()
    if remaining <= 0 or interrupted.is_set():
        return None, None
    if locked:
        with overridden(solver, cp_model_presolve=True):
            stage = full_model().optimise(solver, objective, coefficients, maximise=True, hint=hint, time_limit=remaining)
        if stage.status != "OPTIMAL":
            return stage, None
        return stage, functools.partial(PackingModel.hold, coefficients=coefficients, value=stage.value, maximise=True)
    # Only weak villages count here, so candidates that contain a smaller one with
    # the same weak villages can go: about half of them. The LP bound of this level
    # is, on every connected benchmark, the number of weak villages some group can
    # cover: ask first whether all can be. That is settled in 0.2-0.9 s at 864
    # villages and 0.7 s at 3,000, where maximising took 13-23 s at 864; where all
    # cannot be (the star rule) the question is not settled, and costs an eighth of
    # the time.
    keep = candidates.useful_for_weak(instance.weak)
    pruned = candidates.subset(keep)
    position = {c: k for k, c in enumerate(keep)}
    pruned_hint = tuple(position[c] for c in hint if c in position)
    if len(candidates) >= WINDOWS_FROM_CANDIDATES:
        # Generated 10,000 villages: the question is not settled in 30 s from the
        # greedy plan; windows first bring the plan close to covering them all.
        pruned_hint = improve_in_windows(pruned, instance.xy, instance.weak, pruned.weak, pruned_hint,
                                         lambda: searches.solver(1), time.perf_counter() + remaining / 8, workers, interrupted)
        remaining = deadline - time.perf_counter()
    coverable = sorted({row for rows in pruned.groups for row in rows if instance.weak[row]})
    # Generated 10,000 villages: settled in 2.2-2.3 s in two runs, not in 13 s in a third.
    stage = PackingModel(pruned, instance.n).cover_every(solver, objective, coverable, hint=pruned_hint,
                                                         time_limit=remaining / (8 if whole else 4))
    hold = None
    if stage is not None:
        hold = functools.partial(PackingModel.hold_cover, rows=coverable)
    elif interrupted.is_set():
        return None, None
    elif not whole:
        stage = StageResult(objective, "FEASIBLE", int(pruned.weak[list(pruned_hint)].sum()), None,
                            time.perf_counter() - started, pruned_hint)
    else:
        # Maximising this level, unlike the later ones, needs CP-SAT's presolve:
        # generated 10,000 villages, star rule, largest block: 3.8 s with, 28 s without.
        with overridden(solver, cp_model_presolve=True):
            stage = PackingModel(pruned, instance.n).optimise(solver, objective, pruned.weak, maximise=True, hint=pruned_hint,
                                                             time_limit=deadline - time.perf_counter())
        if stage.status == "OPTIMAL":
            hold = functools.partial(PackingModel.hold, coefficients=coefficients, value=stage.value, maximise=True)
    if stage.selection is None:
        return stage, hold
    # The rest of the plan, on the villages this stage leaves free, comes from the
    # starting plan: a better start for the next levels than the bare selection.
    selection = [keep[k] for k in stage.selection]
    used = {row for c in selection for row in candidates.groups[c]}
    selection += [c for c in hint if not used & set(candidates.groups[c])]
    return replace(stage, selection=tuple(sorted(selection))), hold


def _no_hold(full: PackingModel) -> None:
    """Nothing more to hold (a later merged search of the same block)."""


def _start(candidates: Candidates, n: int, preferred: list[int]) -> tuple[int, ...]:
    """The ``preferred`` candidates (disjoint: a previous plan's groups), then the
    greedy plan on the villages they leave free."""
    if not preferred:
        return greedy_selection(candidates, n)
    used = {row for c in preferred for row in candidates.groups[c]}
    rest = [c for c, rows in enumerate(candidates.groups) if not used & set(rows)]
    return tuple(sorted([*preferred, *(rest[k] for k in greedy_selection(candidates.subset(rest), n))]))


def plan_from_selection(instance: Instance, rules: Rules, locks: Locks, candidates: Candidates, selection, **solve_info) -> Plan:
    """A plan of the chosen candidates, its groups numbered ``G001``, ``G002``, ... by
    township and lead, with a reason for every ungrouped village.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from pairing import Instance
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": list("abcd"), "township": "T",
    ...     "population": 400, "strength": [4.0, 1, 2, 3], "weak": False})
    >>> instance = Instance(table, nx.path_graph(list("abcd")))
    >>> candidates = enumerate_candidates(instance, Rules(group_size=(3, 3), group_population=(1000, 2000)))
    >>> plan = plan_from_selection(instance, Rules(), Locks(), candidates, [1])
    >>> plan.groups, plan.reasons["a"][:10]
    ((Group(group_id='G001', leads=('d',), members=('b', 'c')),), 'not_chosen')
    """
    ids = instance.ids
    chosen = sorted((candidates.groups[c] for c in selection), key=lambda rows: (instance.township[rows[0]], ids[rows[0]]))
    width = max(3, len(str(len(chosen))))
    groups = tuple(Group(f"G{k:0{width}d}", (ids[rows[0]],), tuple(sorted(ids[r] for r in rows[1:])))
                   for k, rows in enumerate(chosen, start=1))
    plan = Plan(instance, rules, groups, locks=locks, **solve_info)
    return replace(plan, reasons=ungrouped_reasons(plan, candidates))


@dataclass
class _Account:
    """Adds up what the blocks did into one account of the solve."""

    enumerate_seconds: float
    candidate_count: int
    block_count: int
    levels: list[tuple[str, np.ndarray, bool]]

    def __post_init__(self) -> None:
        self.selection: list[int] = []
        self.per_block: list[list[StageResult | None]] = []
        self.block_sizes: list[int] = []
        self.trivial_bounds: list[dict[str, int]] = []

    def add(self, instance: Instance, candidates: Candidates, block: list[int], stages: list[StageResult]) -> None:
        self.selection.extend(stages[-1].selection or ())
        self.per_block.append([*stages, *[None] * (len(self.levels) - len(stages))])
        self.block_sizes.append(len(block))
        # For a level a block never proved: every village (or weak village) its
        # candidates cover, no distance at all, and (stability) every candidate
        # that would raise the level chosen at once.
        covered = list({row for c in block for row in candidates.groups[c]})
        stability = {name: coefficients for name, coefficients, _ in self.levels}.get("stability")
        self.trivial_bounds.append({"weak_grouped": int(instance.weak[covered].sum()), "villages_grouped": len(covered), "distance": 0,
                                    "stability": 0 if stability is None else int(np.clip(stability[block], 0, None).sum())})

    def enumeration(self) -> dict:
        return {"objective": "enumerate", "status": "DONE", "candidates": self.candidate_count, "blocks": self.block_count,
                "largest_block": max(self.block_sizes, default=0), "seconds": round(self.enumerate_seconds, 3)}

    def plan(self, instance: Instance, rules: Rules, locks: Locks, params: SolverParams, candidates: Candidates,
             seconds: float) -> Plan:
        stages, bounds = [self.enumeration()], {}
        for level, (objective, coefficients, maximise) in enumerate(self.levels):
            per_block = [block_levels[level] for block_levels in self.per_block]
            proven = all(stage is not None and stage.status == "OPTIMAL" for stage in per_block)
            reached = any(stage is not None for stage in per_block)
            value = int(coefficients[self.selection].sum()) if self.selection else 0
            # CP-SAT's bound of an unfinished search can be looser than the trivial one.
            tighter = min if maximise else max
            bound = sum(tighter(stage.bound, trivial[objective]) if stage is not None and stage.bound is not None else trivial[objective]
                        for stage, trivial in zip(per_block, self.trivial_bounds))
            bounds[objective] = int(bound)
            stages.append({"objective": objective, "status": "OPTIMAL" if proven else "FEASIBLE" if reached else "NOT_REACHED",
                           "value": value,
                           "bound": int(bound), "gap": round(relative_gap(value, bound), 6),
                           "seconds": round(sum(stage.seconds for stage in per_block if stage is not None), 3),
                           "search": next((stage.search or stage.objective for stage in per_block if stage is not None), objective)})
        unproven = next((stage for stage in stages[1:] if stage["status"] != "OPTIMAL"), None)
        return plan_from_selection(instance, rules, locks, candidates, self.selection, status="OPTIMAL" if unproven is None else "FEASIBLE",
                                   bound=Objective(**{name: bounds[name] for name, _, _ in LEVELS}),
                                   gap=0.0 if unproven is None else unproven["gap"], solve_seconds=seconds,
                                   seed=params.seed, workers=params.workers, stages=tuple(stages))


class _Searches:
    """The CP-SAT solvers of one solve, so that a signal can stop them all."""

    def __init__(self, params: SolverParams):
        self.params = params
        self.interrupted = threading.Event()
        # Weak: a window's solver is dropped once its window is done.
        self._solvers: weakref.WeakSet[cp_model.CpSolver] = weakref.WeakSet()
        self._lock = threading.Lock()

    def solver(self, workers: int) -> cp_model.CpSolver:
        solver = _solver(replace(self.params, workers=workers))
        with self._lock:
            self._solvers.add(solver)
            if self.interrupted.is_set():
                solver.stop_search()
        return solver

    def stop(self) -> None:
        with self._lock:
            self.interrupted.set()
            for solver in self._solvers:
                solver.stop_search()


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
    # Set packing leaves CP-SAT's presolve little to remove, and it costs: the 12
    # township blocks of Anqiu solve in 9 s without it, 17 s with it. (The weak
    # level's maximisation turns it back on, see _weak_level.)
    solver.parameters.cp_model_presolve = False
    return solver


@contextlib.contextmanager
def _stop_on_signals(searches: _Searches):
    """Turn Ctrl-C and SIGTERM into a graceful stop: the search ends as if its time
    were up and the best plan so far is returned. (CP-SAT runs in worker threads,
    see :func:`pairing.model.packing.run_solver`, so the handlers run promptly.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signal_number, frame) -> None:
        searches.stop()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
