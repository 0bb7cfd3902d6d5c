"""Solve an instance: enumerate candidate groups, split them into independent
blocks, and optimise the lexicographic objective level by level in each block
with CP-SAT. Free of IO.

One :class:`Search` per solve holds what the blocks share (candidates, levels,
locks, parameters, the deadline); one :class:`BlockSearch` per block runs its
named steps: the start plan, the weak level, the later levels (windows, then
the merged search). A step ended by the time limit or the caller's stop leaves
its block with the best plan found so far, and every plan a block keeps holds
the planner's locks; when no such plan was found, the solve says UNKNOWN and
proposes no group.
"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .deadline import Deadline, StopLike, Stopped
from .diagnose import ungrouped_reasons
from .instance import Instance
from .model.candidates import Candidates, enumerate_candidates
from .model.conflicts import explain_conflict
from .model.locks import RequiredLocks, check_lock_ids, lock_constraints, unsatisfiable, usable_candidates
from .errors import InputError
from .model.packing import (EXACT_RANGE, MergedLevels, PackingModel, StageResult, cp_sat_solver, greedy_selection, overridden,
                            plan_value_range, relative_gap)
from .model.windows import improve_in_windows
from .plan import Group, Objective, Plan
from .rules import Locks, ObjectiveWeights, Rules, SolverParams

log = logging.getLogger(__name__)

#: Least time a block is given (it hands back what it does not use).
BLOCK_MINIMUM_SECONDS = 1.0
#: Share of a large block's time its windows get before the merged search over
#: the whole block.
WINDOWS_SHARE = 0.4
#: The stability level's coefficients are ``STABILITY_SCALE × (villages − stability ×
#: changed villages)``, rounded: CP-SAT needs whole numbers, and a weight such as 0.5
#: must still count.
STABILITY_SCALE = 100
#: The weighted third level (``[objective]``) in thousandths of a kilometre (or of a hop).
COST_SCALE = 1000
#: Blocks of at least this many candidates log their steps.
LOGGED_BLOCK = 5_000


@dataclass(frozen=True)
class Level:
    """One objective level: a whole-number coefficient per candidate, its
    direction, and how it is reported (the sum over the chosen groups divided by
    ``scale``, in ``unit``)."""

    name: str
    coefficients: np.ndarray
    maximise: bool
    unit: str
    scale: int = 1
    offset: float = 0.0

    def restricted(self, positions: Sequence[int]) -> "Level":
        """The level over the candidates at ``positions``."""
        return replace(self, coefficients=self.coefficients[list(positions)])

    def report(self, value: int | None) -> int | float | None:
        """A plan's sum of coefficients in the level's unit (plus ``offset``, what
        every plan has in common and the coefficients leave out)."""
        if value is None or (self.scale == 1 and not self.offset):
            return value
        return round(value / self.scale + self.offset, 3)


def third_level(instance: Instance, candidates: Candidates, weights: ObjectiveWeights) -> Level:
    """The third objective level: the plain member-to-lead distance (metres, or
    adjacency hops without coordinates) with the default weights, else the
    ``[objective]`` cost per group, ``compactness × distance − industry × members
    sharing the lead's industry − strength_gap × Σ(lead − member strength)``, with
    distance in km (or hops), in thousandths.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> table = pd.DataFrame({"village_id": list("abc"), "name": list("abc"), "township": "T", "population": 400,
    ...     "strength": [3.0, 2, 1], "weak": False, "industry": ["姜", "姜", "粮"], "x": [0, 1000, 2000], "y": 0})
    >>> instance = Instance(table, nx.path_graph(list("abc")))
    >>> candidates = enumerate_candidates(instance, Rules(group_size=(3, 3), group_population=(1000, 2000)))
    >>> level = third_level(instance, candidates, ObjectiveWeights(industry=2.0))
    >>> level.name, level.unit, level.report(int(level.coefficients[0]))
    ('cost', 'km', 1.0)
    """
    unit = instance.distance_unit()
    if (weights.compactness, weights.industry, weights.strength_gap) == (1.0, 0.0, 0.0):
        return Level("distance", candidates.distance, False, unit)
    industry = instance.villages["industry"].fillna("").astype(str).to_numpy() if "industry" in instance.villages else None
    per_unit = 1000 if unit == "m" else 1  # distances in metres, weights per km; hops stay hops
    cost = []
    for rows, distance in zip(candidates.groups, candidates.distance):
        lead, members = rows[0], rows[1:]
        shared = sum(1 for m in members if industry is not None and industry[lead] and industry[m] == industry[lead])
        gap = sum(instance.strength[lead] - instance.strength[m] for m in members)
        cost.append(COST_SCALE * (weights.compactness * distance / per_unit - weights.industry * shared - weights.strength_gap * gap))
    cost = np.rint(np.array(cost, dtype=float))
    # A plan's cost sums a group's per village at most: beyond this no sum is exact.
    if len(cost) and np.abs(cost).max() * instance.n >= EXACT_RANGE:
        raise InputError(f"the weights make one group's cost {np.abs(cost).max() / COST_SCALE:,.0f} {'km' if unit == 'm' else unit}, "
                         "so a plan's cost can pass 2^53, beyond which the solver's arithmetic is not exact",
                         fix="use smaller weights (they are km, or hops without coordinates)", column="[objective]")
    return Level("cost", cost.astype(np.int64), False, "km" if unit == "m" else "hops", COST_SCALE)


def previous_leads(previous: Plan) -> dict[str, str]:
    """Each village of a previous plan -> the lead it was grouped under (itself when
    it led), "" when it was ungrouped: a village's *assignment*.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
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
          previous: Plan | None = None, stop: StopLike | None = None) -> Plan:
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
        Every plan returned keeps every lock.
    weights : ObjectiveWeights, optional
        Optional terms of the third level beside distance: industry similarity,
        strength gap, compactness. The third level is then the ``cost`` (in
        weighted km, or hops without coordinates); ``plan.objective.distance``
        stays the plain distance.
    params : SolverParams, optional
        Time limit, workers, seed, log, window thresholds; ``time_limit``,
        ``workers`` and ``seed`` override its fields.
    previous : Plan, optional
        A plan to stay close to, in this instance's village ids (see
        :func:`pairing.explore.resolve`). With ``weights.stability > 0`` a
        stability level is optimised right after weak villages grouped: maximise
        villages grouped − stability × villages whose lead differs from
        ``previous``; the search starts from the previous groups that are still
        candidates. Weak villages grouped stays first, so no stability weight
        keeps a weak village ungrouped.
    stop : threading.Event or callable, optional
        Set the event (or return True from the callable) to end the solve early:
        within about a second at any point, it returns the best plan found so
        far, with ``plan.stopped`` True.

    Returns
    -------
    Plan
        OPTIMAL only if every level was proven optimal; FEASIBLE with a bound and
        gap when the time limit or the stop ended the search; INFEASIBLE, with
        ``plan.conflicts`` naming the locks that cannot all hold; UNKNOWN with no
        group when no plan keeping every lock was found in time.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": list("abcd"), "township": "T",
    ...     "population": [500, 400, 300, 300], "strength": [4.0, 1, 2, 3], "weak": [False, True, True, False]})
    >>> plan = solve(Instance(table, nx.path_graph(list("abcd"))), time_limit=5)
    >>> plan.status, [group.villages for group in plan.groups]
    ('OPTIMAL', [('a', 'b', 'c', 'd')])
    """
    params = (params or SolverParams()).with_overrides(time_limit=time_limit, workers=workers, seed=seed)
    locks = locks or Locks()
    check_lock_ids(instance, locks)
    return Search(instance, rules or Rules(), locks, weights or ObjectiveWeights(), params, previous,
                  Deadline.after(params.time_limit - wrap_up_seconds(instance, params.time_limit), stop)).run()


def wrap_up_seconds(instance: Instance, time_limit: float) -> float:
    """What the solve keeps, out of its time limit, for what follows the searches
    (the reasons for ungrouped villages, the plan's account): measured at 0.3 s
    for 3,000 villages and 1 s for 10,000; at most a tenth of the limit."""
    return min(0.1 * time_limit, 0.1 + 1e-4 * instance.n)


@dataclass
class BlockOutcome:
    """What a block's search ended with: its plan (candidate indices of the
    whole instance), the levels it reached, whether its plan keeps the locks, and
    each level's trivial bound over the block."""

    selection: tuple[int, ...]
    stages: list[StageResult]
    keeps_locks: bool
    trivial: dict[str, int]


class Search:
    """One solve of one instance: what its blocks share, and how their outcomes
    add up to a plan."""

    def __init__(self, instance: Instance, rules: Rules, locks: Locks, weights: ObjectiveWeights, params: SolverParams,
                 previous: Plan | None, deadline: Deadline):
        self.instance, self.rules, self.locks, self.weights, self.params = instance, rules, locks, weights, params
        self.previous, self.deadline = previous, deadline
        self.started = time.perf_counter()
        self.changes: np.ndarray | None = None

    def run(self) -> Plan:
        log.info("listing candidate groups of %s villages", f"{self.instance.n:,}")
        try:
            self.candidates = enumerate_candidates(self.instance, self.rules, self.locks, deadline=self.deadline)
            self.levels = self.objective_levels()
            self.constraints = lock_constraints(self.instance, self.candidates, self.locks)
        except Stopped:
            return self.plan_of_nothing("UNKNOWN", "the solve ended while listing the candidate groups",
                                        ({"objective": "enumerate", "status": "STOPPED"},))
        usable = usable_candidates(self.constraints, len(self.candidates))
        blocks = sorted(([usable[k] for k in block] for block in self.candidates.subset(usable).blocks(self.instance.n)), key=len)
        self.enumeration = {"objective": "enumerate", "status": "DONE", "candidates": len(self.candidates), "blocks": len(blocks),
                            "largest_block": max(map(len, blocks), default=0), "seconds": round(time.perf_counter() - self.started, 3)}
        log.info("%s candidate groups in %s blocks (largest %s)", f"{len(self.candidates):,}", len(blocks),
                 f"{self.enumeration['largest_block']:,}")
        if unsatisfiable(self.constraints):
            return self.infeasible()
        outcomes = self.search_blocks(blocks)
        if any(outcome.stages and outcome.stages[0].status == "INFEASIBLE" for outcome in outcomes):
            return self.infeasible()
        if not all(outcome.keeps_locks for outcome in outcomes):
            return self.plan_of_nothing("UNKNOWN", "no plan keeping every lock was found in time", (self.enumeration,))
        return self.plan(outcomes)

    # -- what the blocks share ---------------------------------------------------------
    def objective_levels(self) -> list[Level]:
        """The lexicographic levels: weak villages grouped, (re-solving) stability,
        villages grouped, then distance or the weighted cost."""
        instance, candidates = self.instance, self.candidates
        levels = [Level("weak_grouped", candidates.weak, True, "weak villages"),
                  Level("villages_grouped", candidates.size, True, "villages"),
                  third_level(instance, candidates, self.weights)]
        self.preferred: set[int] = set()
        if self.previous is not None and self.weights.stability > 0:
            leads = previous_leads(self.previous)
            self.changes = assignment_changes(instance, candidates, leads)
            self.grouped_before = sum(1 for village, lead in leads.items() if lead and village in instance)
            coefficients = np.round(STABILITY_SCALE * (candidates.size - self.weights.stability * self.changes)).astype(np.int64)
            # Changed villages = those grouped before + Σ changes: the constant part is the offset.
            levels.insert(1, Level("stability", coefficients, True, "villages grouped - stability x villages changed", STABILITY_SCALE,
                                   -self.weights.stability * self.grouped_before))
            kept = {group.key for group in self.previous.groups}
            self.preferred = {c for c, key in enumerate(candidates.keys(instance.ids)) if key in kept}
        return levels

    def search_blocks(self, blocks: list[list[int]]) -> list[BlockOutcome]:
        """Each block's outcome, in the order of ``blocks`` (smallest first).

        Blocks are searched side by side, one CP-SAT worker each, as many at once
        as there are workers (Anqiu's 12 townships: 11.7 s one after another with
        one worker each, 8.4 s with two workers each, about half that two at a
        time); a block with more than half of all candidates is searched last,
        with every worker. Each block gets time in proportion to its size, but at
        least a second: a block of a few candidates needs milliseconds, yet less
        than CP-SAT's fixed overhead (a 5 ms share at 10,000 villages) cannot
        prove even a trivial optimum."""
        total = sum(len(block) for block in blocks)
        shared = [block for block in blocks if 2 * len(block) <= total]
        alone = [block for block in blocks if 2 * len(block) > total]
        lanes = max(1, min(self.params.workers, len(shared)))
        pending = [total]
        lock = threading.Lock()

        def run(block: list[int], lanes: int, workers: int) -> BlockOutcome:
            with lock:
                remaining = self.deadline.remaining()
                share = min(1.0, lanes * len(block) / pending[0])
                pending[0] -= len(block)
            seconds = max(remaining * share, min(remaining, BLOCK_MINIMUM_SECONDS))
            return BlockSearch(self, block, workers, self.deadline.sooner(seconds)).run()

        with concurrent.futures.ThreadPoolExecutor(lanes, thread_name_prefix="pairing-block") as pool:
            outcomes = list(pool.map(lambda block: run(block, lanes, 1), shared))
        return outcomes + [run(block, 1, self.params.workers) for block in alone]

    # -- the plan ----------------------------------------------------------------------
    def plan(self, outcomes: list[BlockOutcome]) -> Plan:
        """The blocks' plans as one, with one stage per level: proven when every
        block proved it, its bound the sum of the blocks' (never looser than the
        trivial one)."""
        selection = [c for outcome in outcomes for c in outcome.selection]
        stages, bounds = [self.enumeration], {}
        for index, level in enumerate(self.levels):
            per_block = [outcome.stages[index] if index < len(outcome.stages) else None for outcome in outcomes]
            proven = all(stage is not None and stage.status == "OPTIMAL" for stage in per_block)
            reached = any(stage is not None for stage in per_block)
            value = int(level.coefficients[selection].sum())
            tighter = min if level.maximise else max
            bound = int(sum(tighter(stage.bound, outcome.trivial[level.name]) if stage is not None and stage.bound is not None
                            else outcome.trivial[level.name] for stage, outcome in zip(per_block, outcomes)))
            bounds[level.name] = level.report(bound)
            stage = {"objective": level.name, "unit": level.unit,
                     "status": "OPTIMAL" if proven else "FEASIBLE" if reached else "NOT_REACHED",
                     "value": level.report(value), "bound": level.report(bound), "gap": round(relative_gap(value, bound), 6),
                     "seconds": round(sum(stage.seconds for stage in per_block if stage is not None), 3),
                     "search": next((stage.search or stage.objective for stage in per_block if stage is not None), level.name)}
            if level.name == "stability":
                stage["villages_changed"] = self.grouped_before + int(self.changes[selection].sum())
            stages.append(stage)
        unproven = next((stage for stage in stages[1:] if stage["status"] != "OPTIMAL"), None)
        return plan_from_selection(self.instance, self.rules, self.locks, self.candidates, selection,
                                   status="OPTIMAL" if unproven is None else "FEASIBLE",
                                   bound=Objective(bounds["weak_grouped"], bounds["villages_grouped"], bounds.get("distance")),
                                   gap=0.0 if unproven is None else unproven["gap"], solve_seconds=time.perf_counter() - self.started,
                                   seed=self.params.seed, workers=self.params.workers, stages=tuple(stages),
                                   stopped=self.deadline.stopped())

    def infeasible(self) -> Plan:
        conflicts = explain_conflict(self.instance, self.rules, self.locks, self.candidates, self.constraints, deadline=self.deadline)
        return replace(self.plan_of_nothing("INFEASIBLE", "the locks cannot all hold", (self.enumeration,)), conflicts=conflicts)

    def plan_of_nothing(self, status: str, detail: str, stages: tuple[dict, ...]) -> Plan:
        """A plan with no group, saying why (``detail``, the last stage and every village's reason)."""
        reasons = {village: "excluded" if village in self.locks.exclude else f"not_planned: {detail}" for village in self.instance.ids}
        return Plan(self.instance, self.rules, (), status=status, solve_seconds=time.perf_counter() - self.started,
                    seed=self.params.seed, workers=self.params.workers, locks=self.locks, reasons=reasons,
                    stages=(*stages, {"objective": "plan", "status": status, "detail": detail}), stopped=self.deadline.stopped())


class BlockSearch:
    """The search of one block, in named steps: :meth:`start`, :meth:`weak_level`,
    :meth:`later_levels` (each with :meth:`windows` on large blocks). ``best`` is
    the block's best plan so far, as positions in the block's candidates."""

    def __init__(self, search: Search, block: list[int], workers: int, deadline: Deadline):
        self.search, self.block, self.workers, self.deadline = search, block, workers, deadline
        self.instance, self.params = search.instance, search.params
        self.candidates = search.candidates.subset(block)
        self.locks = RequiredLocks.of(search.constraints, block)
        self.levels = [level.restricted(block) for level in search.levels]
        self.solver = cp_sat_solver(self.params, workers)
        self.large = len(block) >= self.params.windows_from
        self.whole = len(block) <= self.params.windows_only_from
        self.stages: list[StageResult] = []
        self.best: tuple[int, ...] = ()
        self.keeps_locks = not self.locks

    def run(self) -> BlockOutcome:
        try:
            self.start()
            hold = self.weak_level()
            # A block searched by windows alone goes on to the later levels even when
            # its weak level is not proven: windows never ungroup a weak village.
            if hold is not None or (self.stages and not self.whole and self.keeps_locks):
                self.later_levels(hold)
        except Stopped:
            pass
        if not self.stages:
            self.stages.append(StageResult(self.levels[0].name, "UNKNOWN", None, None, 0.0, self.best))
        return BlockOutcome(tuple(self.block[k] for k in self.best), self.stages, self.keeps_locks, self.trivial_bounds())

    def adopt(self, selection: Sequence[int], coefficients: np.ndarray | None = None) -> None:
        """Make ``selection`` the best plan when it keeps the locks and, if the best
        already does, is no worse under ``coefficients``."""
        selection = tuple(sorted(selection))
        if not self.locks.kept_by(selection):
            return
        if self.keeps_locks and coefficients is not None and coefficients[list(selection)].sum() < coefficients[list(self.best)].sum():
            return
        self.best, self.keeps_locks = selection, True

    def start(self) -> None:
        """The previous plan's groups that are still candidates (re-solving), then
        a greedy plan that takes each lock's best candidate first."""
        first = [k for k, c in enumerate(self.block) if c in self.search.preferred]
        self.best = greedy_selection(self.candidates, self.instance.n, self.locks, first)
        self.keeps_locks = self.locks.kept_by(self.best)

    def weak_level(self) -> Callable[[PackingModel], None] | None:
        """Weak villages grouped; returns how to hold the level in the full model
        once it is proven, else None.

        Only weak villages count here, so candidates that contain a smaller one
        with the same weak villages can go (about half), unless a lock needs them.
        The LP bound of this level is, on every connected benchmark, the number
        of weak villages some group can cover, so the exact-cover question comes
        first: settled in 0.2-0.9 s at 864 villages and 0.7 s at 3,000, where
        maximising took 13-23 s at 864. Where all cannot be grouped (the star
        rule) it is not settled, and costs an eighth of the time; the level is
        then maximised, with CP-SAT's presolve, the one search it speeds up
        (generated 10,000 villages, star rule, largest block: 3.8 s with, 28 s
        without). A block too large to search whole keeps the windows' plan for
        this level, unproven, when the question is not settled."""
        level, n = self.levels[0], self.instance.n
        keep = sorted(set(self.candidates.useful_for_weak(self.instance.weak, self.deadline))
                      | {c for required in self.locks.required for c in required})
        pruned, locks = self.candidates.subset(keep), self.locks.subset(keep)
        position = {c: k for k, c in enumerate(keep)}
        hint = tuple(position[c] for c in self.best if c in position)
        started = time.perf_counter()
        if self.large and self.keeps_locks:
            # Generated 10,000 villages: the question is not settled in 30 s from the
            # greedy plan; windows first bring the plan close to covering them all.
            hint = self.windows(pruned, locks, pruned.weak, hint, share=1 / 8)
            self.adopt(self.completed([keep[k] for k in hint]), level.coefficients)
        coverable = sorted({row for rows in pruned.groups for row in rows if self.instance.weak[row]})
        self.note("weak level: can all %s coverable weak villages be grouped?", f"{len(coverable):,}")
        stage = PackingModel(pruned, n, locks, self.deadline).cover_every(
            self.solver, level.name, coverable, hint=hint, deadline=self.deadline.sooner(self.deadline.remaining() / (8 if self.whole else 4)))
        hold = None
        if stage is not None:
            hold = functools.partial(PackingModel.hold_cover, rows=coverable)
        elif not self.whole and self.keeps_locks:
            stage = StageResult(level.name, "FEASIBLE", int(pruned.weak[list(hint)].sum()), None, time.perf_counter() - started, hint)
        else:
            self.deadline.check()
            self.note("weak level: maximising")
            with overridden(self.solver, cp_model_presolve=True):
                stage = PackingModel(pruned, n, locks, self.deadline).optimise(self.solver, level.name, pruned.weak, maximise=True,
                                                                                hint=hint, deadline=self.deadline)
            if stage.status == "OPTIMAL":
                hold = functools.partial(PackingModel.hold, coefficients=level.coefficients, value=stage.value, maximise=True)
        if stage.selection is not None:
            self.adopt(self.completed([keep[k] for k in stage.selection]), level.coefficients)
        self.stages.append(replace(stage, selection=self.best))
        return hold

    def later_levels(self, hold: Callable[[PackingModel], None] | None) -> None:
        """The levels after weak villages grouped, merged into one objective (one
        search instead of one per level, and nothing lost between them, see
        :class:`MergedLevels`), each merged search held once proven. Large blocks
        are improved window by window first; a block too large to search whole
        keeps the windows' plan, and the trivial bounds."""
        later = self.levels[1:]
        for merged in MergedLevels.merge(self.candidates, self.instance.n, [(l.name, l.coefficients, l.maximise) for l in later]):
            self.deadline.check()
            coefficients, started = merged.coefficients, time.perf_counter()
            windowed = self.large and self.keeps_locks and len(merged.names) == len(later)
            if windowed:
                self.adopt(self.windows(self.candidates, self.locks, coefficients, self.best,
                                        share=WINDOWS_SHARE if self.whole else 1.0), coefficients)
            # What the windows did, should nothing more be done.
            so_far = StageResult("+".join(merged.names), "FEASIBLE", int(coefficients[list(self.best)].sum()), None,
                                 time.perf_counter() - started, self.best)
            if not self.whole:
                self.stages.extend(merged.split(so_far, self.best))
                return
            try:
                if "full_model" not in self.__dict__:
                    self.note("building the model of %s candidates", f"{len(self.candidates):,}")
                full = self.full_model
            except Stopped:
                if windowed:
                    self.stages.extend(merged.split(so_far, self.best))
                raise
            if hold is not None:
                hold(full)
                hold = None
            # Building the full model takes seconds at 3,000 villages: the time left is read after it.
            self.note("searching %s", "+".join(merged.names))
            stage = full.optimise(self.solver, "+".join(merged.names), coefficients, maximise=True, hint=self.best,
                                  deadline=self.deadline)
            if stage.selection is not None:
                self.adopt(stage.selection, coefficients)
            split = merged.split(stage, self.best)
            self.stages.extend(split)
            if len(split) < len(merged.names) or split[-1].status != "OPTIMAL":
                return
            full.hold(coefficients, stage.value, maximise=True)

    @functools.cached_property
    def full_model(self) -> PackingModel:
        """The block's whole model with its locks, built when a search first needs
        it: at 10,000 villages it and the weak level's own model would not both
        fit in 2 GB."""
        return PackingModel(self.candidates, self.instance.n, self.locks, self.deadline)

    def note(self, message: str, *values) -> None:
        """Log a step of this block (large blocks only: a county has hundreds of small ones)."""
        if len(self.block) >= LOGGED_BLOCK:
            log.info(f"block of %s candidates: {message}", f"{len(self.block):,}", *values)

    def windows(self, candidates: Candidates, locks: RequiredLocks, coefficients: np.ndarray, selection: Sequence[int],
                share: float) -> tuple[int, ...]:
        """``selection`` improved window by window for ``share`` of the time left."""
        self.note("improving the plan window by window")
        return improve_in_windows(candidates, self.instance.xy, self.instance.weak, coefficients, selection,
                                  lambda: cp_sat_solver(self.params, 1), self.deadline.sooner(self.deadline.remaining() * share),
                                  self.workers, self.params.window_villages, locks)

    def completed(self, selection: list[int]) -> list[int]:
        """``selection`` with the best plan's groups on the villages it leaves free: a
        better start for the next levels than the bare selection (and disjoint
        additions never break a lock)."""
        used = {row for c in selection for row in self.candidates.groups[c]}
        return selection + [c for c in self.best if not used & set(self.candidates.groups[c])]

    def trivial_bounds(self) -> dict[str, int]:
        """For a level the block never proved: every village (or weak village) its
        candidates cover, no distance at all, the least cost any plan could have,
        and (stability) every candidate that would raise the level chosen at once."""
        covered = list({row for rows in self.candidates.groups for row in rows})
        bounds = {"weak_grouped": int(self.instance.weak[covered].sum()), "villages_grouped": len(covered), "distance": 0}
        for level in self.levels:
            if level.name == "stability":
                bounds["stability"] = int(np.clip(level.coefficients, 0, None).sum())
            elif level.name == "cost":
                rows = np.fromiter((row for rows in self.candidates.groups for row in rows), dtype=np.int64,
                                   count=int(self.candidates.size.sum()))
                bounds["cost"] = min(0, plan_value_range(self.candidates, self.instance.n, rows, level.coefficients)[0])
        return bounds


def plan_from_selection(instance: Instance, rules: Rules, locks: Locks, candidates: Candidates, selection, **solve_info) -> Plan:
    """A plan of the chosen candidates, its groups numbered ``G001``, ``G002``, ... by
    township and lead, with a reason for every ungrouped village.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
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


def selection_of(candidates: Candidates, instance: Instance, plan: Plan) -> list[int]:
    """The candidates that are a plan's groups (those that are candidates at all)."""
    position = {key: c for c, key in enumerate(candidates.keys(instance.ids))}
    return sorted(position[group.key] for group in plan.groups if group.key in position)
