"""The trade-off between weak villages grouped and compactness (or the number of
groups), by the epsilon-constraint method: "what does grouping the last weak
villages cost?".

Candidates fall into independent blocks (the townships, with ``same_township``),
so the least cost of a plan grouping at least T weak villages is a sum over
blocks of each block's least cost at a target of its own, the targets adding up
to T: a small knapsack over the blocks. Each block's curve is computed only
where the knapsack needs it, by exact searches, and elsewhere bounded from below
by its LP relaxation (tight on these models: within 0.3% on Anqiu). A point is
proven when the knapsack over the bounds picks only computed values; otherwise
the blocks it picked are searched and the knapsack asked again.
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import threading
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .block_curve import BlockCurve, knapsack, lp_bounds, useful_for_measure
from .block_search import BlockSearch, SearchSpace
from .deadline import Deadline, StopLike, Stopped
from .errors import InputError
from .fields import check_share
from .instance import Instance
from .locks import Locks
from .model.constraints import LockedCandidates
from .model.cpsat import cp_sat_solver
from .model.packing import PackingModel, StageResult, relative_gap
from .objective import Levels, third_level
from .rules import ObjectiveWeights, Rules, SolverParams

log = logging.getLogger(__name__)

MEASURES = ("distance", "groups")
#: Least time one search is given (it hands back what it does not use).
SEARCH_MINIMUM_SECONDS = 1.0
#: Share of the time the most weak villages per block may take at most.
WEAK_SHARE = 0.4
#: Passes over the blocks for their most weak villages: the later ones give the
#: blocks not proven in their share the time the others left over (the weak level
#: maximises for half its share, leaving the rest to levels the frontier has none of).
PASSES = 4


def frontier(instance: Instance, rules: Rules | None = None, *, points: int = 5, span: float = 0.1, measure: str = "distance",
             locks: Locks | None = None, weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
             time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
             stop: StopLike | None = None) -> pd.DataFrame:
    """The trade-off between weak villages grouped and ``measure`` (total distance,
    i.e. compactness, or the number of groups), by the epsilon-constraint method.

    First the most weak villages that can be grouped, W, as :func:`pairing.solve`
    finds it (block by block, each settled by the exact-cover question or
    maximised); then for each of ``points`` targets ε evenly spaced from
    (1 - span) × W to W, the least ``measure`` of a plan grouping at least ε weak
    villages, top target first. The least value at a target is a sum over the
    independent blocks of each block's least value at its share of the target
    (a knapsack over the blocks, each block's values searched where the
    knapsack needs them and bounded by the LP elsewhere). The time limit is
    shared by the searches; a point not proven in time says so.

    Parameters
    ----------
    instance : Instance
    rules : Rules, optional
    points : int
        Number of targets (2 or more).
    span : float
        How far below W the targets reach, as a share of W.
    measure : {"distance", "groups"}
        What to minimise at each target: the third level's cost (distance, or
        the ``[objective]`` weighted cost), or the number of groups.
    locks, weights, params, time_limit, workers, seed, stop
        As for :func:`pairing.solve`; a stop ends the curve at the points found so
        far (one ``UNKNOWN`` row whose note says so when none was found).

    Returns
    -------
    pandas.DataFrame
        One row per target, the highest last: ``weak_target, weak_grouped,
        villages_grouped, groups, distance`` (and ``cost`` when ``[objective]``
        weights the third level), ``status`` (``OPTIMAL`` when the least value
        was proven), ``bound`` (a lower bound on ``measure`` at the target),
        ``gap`` (relative, 0 when proven) and ``note`` (what is not proven, in
        words; empty when everything is). The curve is monotone: a point grouping
        more weak villages never has a smaller value, and its bound never a
        smaller bound.

    Examples
    --------
    >>> curve = frontier(path_county(strength=[6.0, 1, 2, 3, 4, 5], weak=[False, True, True, True, True, False]), Rules(group_size=(3, 3)), points=2, span=0.5,
    ...                  measure="groups", time_limit=10)
    >>> curve[["weak_target", "weak_grouped", "groups", "status"]].values.tolist()
    [[2, 2, 1, 'OPTIMAL'], [4, 4, 2, 'OPTIMAL']]
    """
    rules, locks, weights = rules or Rules(), locks or Locks(), weights or ObjectiveWeights()
    if measure not in MEASURES:
        raise InputError(f"measure {measure!r} is unknown", fix=f"use one of {', '.join(MEASURES)}", column="measure")
    if points < 2:
        raise InputError(f"points = {points} is below 2", fix="ask for 2 or more points", column="points")
    span = check_share(span, "span")
    params = (params or SolverParams()).with_overrides(time_limit=time_limit, workers=workers, seed=seed)
    return Frontier(instance, rules, locks, weights, params, measure, Deadline.after(params.time_limit, stop)).run(points, span)


COLUMNS = ["weak_target", "weak_grouped", "villages_grouped", "groups", "distance", "status", "bound", "gap", "note"]


@dataclass(frozen=True)
class WeakOutcome:
    """A block's search for its most weak villages: the plan it ended with (positions
    among the usable candidates), the weak level's stage, whether the plan keeps
    the block's locks."""

    block: list[int]
    selection: tuple[int, ...]
    stage: StageResult | None
    keeps_locks: bool

    @property
    def proven(self) -> bool:
        return self.stage is not None and self.stage.status == "OPTIMAL"

    def better(self, later: WeakOutcome, weak: np.ndarray) -> WeakOutcome:
        """Of this outcome and a later search's of the same block: the proven one,
        else the one grouping more weak villages, with the tighter bound of the two."""
        keep_later = later.proven or (later.keeps_locks and weak[list(later.selection)].sum() >= weak[list(self.selection)].sum())
        chosen = later if keep_later else self
        bounds = [o.stage.bound for o in (self, later) if o.stage is not None and o.stage.bound is not None]
        if chosen.proven or chosen.stage is None or not bounds:
            return chosen
        return replace(chosen, stage=replace(chosen.stage, bound=min(bounds)))


class Frontier:
    """One frontier run: the county's blocks, their curves, and the knapsack over them."""

    def __init__(self, instance: Instance, rules: Rules, locks: Locks, weights: ObjectiveWeights, params: SolverParams,
                 measure: str, deadline: Deadline):
        self.instance, self.rules, self.locks, self.weights, self.params = instance, rules, locks, weights, params
        self.measure, self.deadline = measure, deadline
        self.lanes = max(1, params.workers)

    def run(self, points: int, span: float) -> pd.DataFrame:
        try:
            self.locked = LockedCandidates.enumerate(self.instance, self.rules, self.locks, self.deadline)
        except Stopped:
            return self.nothing(COLUMNS, "listing the candidate groups")
        if self.locked.unsatisfiable():
            raise InputError("the locks cannot all hold", fix="run pairing solve with this config to see which locks conflict")
        candidates = self.locked.usable
        level = third_level(self.instance, candidates, self.weights)
        self.cost_name = level.name if self.measure == "distance" else "groups"
        self.scale = level.scale if self.measure == "distance" else 1
        self.cost = level.coefficients if self.measure == "distance" else np.ones(len(candidates), dtype=np.int64)
        self.columns = COLUMNS if self.cost_name != "cost" else [*COLUMNS[:5], "cost", *COLUMNS[5:]]
        log.info("frontier: most weak villages that can be grouped")
        try:
            self.curves = self.most_weak()
        except Stopped:
            return self.nothing(self.columns, "finding the most weak villages that can be grouped")
        most = sum(curve.most for curve in self.curves)
        targets = sorted({math.ceil(most * (1 - span * step / (points - 1))) for step in range(points)})
        depth = most - targets[0]
        if sum(1 for curve in self.curves if curve.most) > 1:
            for curve in self.curves:
                curve.lp = lp_bounds(curve, self.instance.n, min(curve.most, depth))
        rows = []
        for position, target in enumerate(reversed(targets)):
            if self.deadline.over():
                break
            log.info("frontier: least %s grouping at least %s weak villages", self.measure, f"{target:,}")
            share = self.deadline.sooner(max(0.0, self.deadline.remaining()) / (len(targets) - position))
            rows.append(self.point(target, most - target, share))
        # A plan found for a higher target also serves a lower one.
        rows.reverse()
        for k in range(len(rows) - 2, -1, -1):
            if rows[k + 1]["_value"] < rows[k]["_value"]:
                rows[k] = {**rows[k + 1], "weak_target": rows[k]["weak_target"], "bound": rows[k]["bound"]}
                rows[k] = self.described(rows[k])
        for k in range(1, len(rows)):
            rows[k]["bound"] = max(rows[k]["bound"], rows[k - 1]["bound"]) if rows[k]["bound"] is not None else rows[k - 1]["bound"]
            rows[k] = self.described(rows[k])
        return pd.DataFrame(rows, columns=self.columns)

    def nothing(self, columns: list[str], step: str) -> pd.DataFrame:
        """The curve when the time (or a stop) ended it during ``step``: one row that
        says so, rather than an empty table."""
        why = "stopped" if self.deadline.stopped() else "the time ran out"
        return pd.DataFrame([{"status": "UNKNOWN", "note": f"{why} while {step}: no point found; give more time (--time-limit)"}],
                            columns=columns)

    # -- the most weak villages, block by block ---------------------------------------------
    def most_weak(self) -> list[BlockCurve]:
        """Each block's most weak villages, by :class:`BlockSearch`'s weak level (the
        exact-cover question, else maximised), side by side. Blocks not proven in
        their share are searched again, from their best plan, with the time the
        others left over (Anqiu, 2 workers: three townships unproven in their first
        share, all proven by a second pass, in 4 s; without it the frontier topped
        out at 430 of 431)."""
        candidates, n = self.locked.usable, self.instance.n
        levels = Levels.of(self.instance, candidates, self.weights).levels
        space = SearchSpace(self.instance, self.params, candidates, self.locked.locks, levels)
        blocks = sorted(candidates.blocks(n), key=len)
        deadline = self.deadline.sooner(max(0.0, self.deadline.remaining()) * WEAK_SHARE)

        def search(task: tuple[list[int], tuple[int, ...]], seconds: float, workers: int):
            block, start = task
            block_search = BlockSearch(replace(space, preferred=frozenset(start)), block, workers, deadline.sooner(seconds))
            try:
                block_search.start()
                block_search.weak_level()
            except Stopped:
                pass
            stage = block_search.stages[0] if block_search.stages else None
            return WeakOutcome(block, tuple(block[k] for k in block_search.best), stage, block_search.keeps_locks)

        outcomes = self.side_by_side([((block, ()), len(block)) for block in blocks], search, deadline)
        for _ in range(PASSES - 1):
            unproven = [k for k, outcome in enumerate(outcomes) if not outcome.proven]
            if not unproven or deadline.remaining() < SEARCH_MINIMUM_SECONDS or deadline.stopped():
                break
            log.info("frontier: another pass over %s blocks whose most weak villages are not proven", len(unproven))
            again = self.side_by_side([((blocks[k], outcomes[k].selection), len(blocks[k])) for k in unproven], search, deadline)
            for k, outcome in zip(unproven, again):
                outcomes[k] = outcomes[k].better(outcome, candidates.weak)
        self.deadline.check()
        curves = []
        for outcome in outcomes:
            block, selection, stage = outcome.block, outcome.selection, outcome.stage
            if stage is not None and stage.status == "INFEASIBLE":
                raise InputError("the locks cannot all hold", fix="run pairing solve with this config to see which locks conflict")
            if not outcome.keeps_locks:
                self.deadline.check()
                raise InputError("no plan keeping every lock found in time to start the frontier from", fix="give more time (--time-limit)")
            weak = int(candidates.weak[list(selection)].sum())
            proven = outcome.proven
            bound = weak if proven else max(weak, stage.bound if stage is not None and stage.bound is not None else
                                             len({r for c in block for r in candidates.groups[c] if self.instance.weak[r]}))
            curves.append(self.curve(block, selection, weak, proven, bound))
        return curves

    def curve(self, block: list[int], selection: tuple[int, ...], most: int, proven: bool, bound: int) -> BlockCurve:
        candidates = self.locked.usable
        part = candidates.subset(block)
        locks = self.locked.locks.within(block)
        keep = sorted(set(useful_for_measure(part, self.instance.weak, self.cost[block])) | set(locks.candidates))
        positions = [block[c] for c in keep]
        kept = part.subset(keep)
        coverable = sorted({row for rows in kept.groups for row in rows if self.instance.weak[row]})
        curve = BlockCurve(positions, kept, locks.subset(keep), coverable, self.cost[positions], most, proven, bound)
        # The weak level's plan, with candidates the frontier left out.
        curve.plans.append((most, float(self.cost[list(selection)].sum()), selection))
        return curve

    # -- one point -----------------------------------------------------------------------
    def point(self, target: int, depth: int, deadline: Deadline) -> dict:
        """The least cost grouping at least ``target`` weak villages (``depth`` below
        the most): knapsacks over the blocks' lower and upper values, and searches
        of the blocks where they differ, until they meet or the time is up."""
        while True:
            lower, allocation = knapsack([curve.lower(min(curve.most, depth)) for curve in self.curves], depth)
            uppers = [curve.upper(min(curve.most, depth)) for curve in self.curves]
            upper, chosen = knapsack([values for values, _ in uppers], depth)
            if upper <= lower or deadline.over():
                break
            todo = [(b, self.curves[b].most - k) for b, k in enumerate(allocation)
                    if self.curves[b].lower(k)[k] < uppers[b][0][k] and self.curves[b].most - k not in self.curves[b].tried]
            if not todo:
                break
            self.search_targets(todo, deadline)
        selection = [c for b, k in enumerate(chosen) for c in self.curves[b].plans[uppers[b][1][k]][2]] if math.isfinite(upper) else None
        return self.described(self.row(target, selection, upper, lower))

    def search_targets(self, todo: list[tuple[int, int]], deadline: Deadline) -> None:
        """The least cost of each (block, target) in ``todo``, side by side."""

        def search(task, seconds: float, workers: int):
            b, target = task
            curve = self.curves[b]
            try:
                model = PackingModel(curve.candidates, self.instance.n, curve.locks, deadline)
            except Stopped:
                return task, None
            if target and target == len(curve.coverable):
                model.hold_cover(curve.coverable)
            elif target:
                model.hold(curve.candidates.weak, target, maximise=True)
            local = {position: c for c, position in enumerate(curve.positions)}
            values, which = curve.upper(curve.most - target)
            hint = [local[c] for c in curve.plans[which[-1]][2] if c in local] if which[-1] >= 0 else []
            solver = cp_sat_solver(self.params, workers)
            stage = model.optimise(solver, self.measure, curve.cost, maximise=False, hint=hint, deadline=deadline.sooner(seconds))
            return task, stage

        for (b, target), stage in self.side_by_side([(task, len(self.curves[task[0]].positions)) for task in todo], search, deadline):
            curve = self.curves[b]
            if stage is None:
                continue
            curve.tried.add(target)
            if stage.status == "INFEASIBLE":
                curve.bounds[target] = np.inf
            elif stage.bound is not None:
                curve.bounds[target] = max(curve.bounds.get(target, -np.inf), stage.bound)
            if stage.selection is not None:
                curve.add_plan(stage.selection)

    def side_by_side(self, tasks: list[tuple[object, int]], search, deadline: Deadline) -> list:
        """``search(task, seconds, workers)`` for every task, as many at once as there
        are workers (one CP-SAT worker each; all of them when there is one task),
        each given time in proportion to its size (at least a second), in order."""
        lanes = max(1, min(self.lanes, len(tasks)))
        workers = max(1, self.params.workers // lanes)
        pending = [sum(size for _, size in tasks)]
        lock = threading.Lock()

        def run(task_size):
            task, size = task_size
            with lock:
                remaining = max(0.0, deadline.remaining())
                share = min(1.0, lanes * size / max(1, pending[0]))
                pending[0] -= size
            return search(task, max(remaining * share, min(remaining, SEARCH_MINIMUM_SECONDS)), workers)

        with concurrent.futures.ThreadPoolExecutor(lanes, thread_name_prefix="pairing-frontier") as pool:
            return list(pool.map(run, tasks))

    # -- the rows ------------------------------------------------------------------------
    def row(self, target: int, selection: list[int] | None, upper: float, lower: float) -> dict:
        candidates = self.locked.usable
        bound = None if not math.isfinite(lower) else self.reported(lower)
        if selection is None:
            return {"weak_target": target, "weak_grouped": None, "villages_grouped": None, "groups": None, "distance": None,
                    "status": "UNKNOWN", "bound": bound, "_value": np.inf}
        row = {"weak_target": target, "weak_grouped": int(candidates.weak[selection].sum()),
               "villages_grouped": int(candidates.size[selection].sum()), "groups": len(selection),
               "distance": int(candidates.distance[selection].sum()), "bound": bound, "_value": upper}
        if self.cost_name == "cost":
            row["cost"] = self.reported(upper)
        return row

    def reported(self, value: float) -> int | float:
        return int(round(value)) if self.scale == 1 else round(value / self.scale, 3)

    def described(self, row: dict) -> dict:
        """The row's status, gap and note, from its value and bound."""
        value, bound = row["_value"], row["bound"]
        measured = self.reported(value) if math.isfinite(value) else None
        row["status"] = "UNKNOWN" if measured is None else "OPTIMAL" if bound is not None and measured <= bound else "FEASIBLE"
        row["gap"] = None if measured is None or bound is None else round(relative_gap(measured, bound), 6)
        notes = []
        if row["status"] == "UNKNOWN":
            notes.append("no plan found in time")
        elif row["status"] == "FEASIBLE":
            what = {"distance": "distance", "cost": "cost", "groups": "groups"}[self.cost_name]
            notes.append(f"{what} not proven least" + ("" if bound is None else f": {row['gap']:.1%} above its bound"))
        unproven = [curve for curve in self.curves if not curve.proven]
        if unproven:
            most, bound_most = sum(curve.most for curve in self.curves), sum(curve.most_bound for curve in self.curves)
            notes.append(f"most weak villages not proven: {most:,} found, up to {bound_most:,} possible")
        row["note"] = "; ".join(notes)
        return row
