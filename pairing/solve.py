"""Solve an instance: enumerate candidate groups, split them into independent
blocks, and search each (:mod:`pairing.block_search`), side by side; then add
the blocks' outcomes up into one plan, with what was proven. Free of IO.

Every plan returned keeps the planner's locks; when no such plan was found, the
solve says UNKNOWN and proposes no group.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from dataclasses import replace

from .block_search import BlockOutcome, BlockSearch, SearchSpace
from .deadline import Deadline, StopLike, Stopped
from .diagnose import rules_note, ungrouped_reasons
from .instance import Instance
from .locks import Locks
from .model.candidates import Candidates
from .model.conflicts import explain_conflict
from .model.bounds import relaxation_bound, whole_bound
from .model.constraints import LockedCandidates, check_lock_ids
from .model.packing import relative_gap
from .objective import Levels
from .plan import Group, Objective, Plan
from .rules import ObjectiveWeights, Rules, SolverParams

log = logging.getLogger(__name__)

#: Least time a block is given (it hands back what it does not use).
BLOCK_MINIMUM_SECONDS = 1.0
#: Seconds the bound of each level not proven may take (the LP of each block not
#: proven, or a Lagrangian bound; at most a quarter of the solve's wrap-up time).
#: It is enough for blocks of a township (0.6 s for the 15 of a 1,016-village
#: county); 3 s (4% of the limit) made the Shandong batch 520 s instead of 477 s,
#: 120 counties proven instead of 126, for bounds at 3,000 villages across
#: townships (LP of villages grouped: 9 s) that even 3 s did not reach.
BOUND_SECONDS = 1.0
#: Passes over the blocks: the later ones give the unproven blocks the time left.
PASSES = 3


def proven(outcome: BlockOutcome, levels: int) -> bool:
    """Whether a block proved every level."""
    return len(outcome.stages) == levels and all(stage.status == "OPTIMAL" for stage in outcome.stages)


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
        :func:`pairing.resolve.resolve`). With ``weights.stability > 0`` a
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
    >>> plan = solve(path_county([500, 400, 300, 300], [4.0, 1, 2, 3], [False, True, True, False]), time_limit=5)
    >>> plan.status, [group.villages for group in plan.groups]
    ('OPTIMAL', [('a', 'b', 'c', 'd')])
    """
    params = (params or SolverParams()).with_overrides(time_limit=time_limit, workers=workers, seed=seed)
    locks = locks or Locks()
    check_lock_ids(instance, locks)
    wrap_up = wrap_up_seconds(instance, params.time_limit)
    return Search(instance, rules or Rules(), locks, weights or ObjectiveWeights(), params, previous,
                  Deadline.after(params.time_limit - wrap_up, stop), bound_seconds=min(BOUND_SECONDS, wrap_up / 4)).run()


def wrap_up_seconds(instance: Instance, time_limit: float) -> float:
    """What the solve keeps, out of its time limit, for what follows the searches
    (the reasons for ungrouped villages, the plan's account: measured at 0.3 s
    for 3,000 villages and 1 s for 10,000; the bounds of two levels not proven);
    at most a tenth of the limit."""
    return min(0.1 * time_limit, 0.1 + 1e-4 * instance.n + 2 * BOUND_SECONDS)


class Search:
    """One solve of one instance: what its blocks share, and how their outcomes
    add up to a plan."""

    def __init__(self, instance: Instance, rules: Rules, locks: Locks, weights: ObjectiveWeights, params: SolverParams,
                 previous: Plan | None, deadline: Deadline, bound_seconds: float = BOUND_SECONDS):
        self.instance, self.rules, self.locks, self.weights, self.params = instance, rules, locks, weights, params
        self.previous, self.deadline, self.bound_seconds = previous, deadline, bound_seconds
        self.started = time.perf_counter()

    def run(self) -> Plan:
        log.info("listing candidate groups of %s villages", f"{self.instance.n:,}")
        try:
            self.locked = LockedCandidates.enumerate(self.instance, self.rules, self.locks, self.deadline)
            self.objective = Levels.of(self.instance, self.locked.usable, self.weights, self.previous)
        except Stopped:
            return self.plan_of_nothing("UNKNOWN", "the solve ended while listing the candidate groups",
                                        ({"objective": "enumerate", "status": "STOPPED"},))
        self.levels = self.objective.levels
        blocks = sorted(self.locked.usable.blocks(self.instance.n), key=len)
        self.enumeration = {"objective": "enumerate", "status": "DONE", "candidates": len(self.locked.all), "blocks": len(blocks),
                            "largest_block": max(map(len, blocks), default=0), "seconds": round(time.perf_counter() - self.started, 3)}
        # A plan of few groups is then the rules' doing, not the solver's: say so.
        if note := rules_note(self.instance, self.rules, self.locked.all, self.locks):
            self.enumeration["note"] = note
        log.info("%s candidate groups in %s blocks (largest %s)", f"{len(self.locked.all):,}", len(blocks),
                 f"{self.enumeration['largest_block']:,}")
        if self.locked.unsatisfiable():
            return self.infeasible()
        outcomes = self.search_blocks(blocks)
        if any(outcome.stages and outcome.stages[0].status == "INFEASIBLE" for outcome in outcomes):
            return self.infeasible()
        if not all(outcome.keeps_locks for outcome in outcomes):
            return self.plan_of_nothing("UNKNOWN", "no plan keeping every lock was found in time", (self.enumeration,))
        return self.plan(blocks, outcomes)

    def search_blocks(self, blocks: list[list[int]]) -> list[BlockOutcome]:
        """Each block's outcome, in the order of ``blocks`` (smallest first).

        Blocks are searched side by side, one CP-SAT worker each, as many at once
        as there are workers (Anqiu's 12 townships: 11.7 s one after another with
        one worker each, 8.4 s with two workers each, about half that two at a
        time); a block with more than half of all candidates is searched last,
        with every worker. Each block gets time in proportion to its size, but at
        least a second: a block of a few candidates needs milliseconds, yet less
        than CP-SAT's fixed overhead (a 5 ms share at 10,000 villages) cannot
        prove even a trivial optimum. The time the blocks that proved their
        optimum early leave over goes, in further passes, to those that did not,
        each resumed from its best plan (a 865-village county on one worker: a
        township unproven in its 4.8 s share, while 30 s were left over)."""
        space = SearchSpace(self.instance, self.params, self.locked.usable, self.locked.locks, self.levels, self.objective.preferred,
                            highs=self.params.backend == "highs")
        outcomes = self._search_side_by_side(space, blocks, {})
        for _ in range(PASSES - 1):
            unproven = [k for k, outcome in enumerate(outcomes) if not proven(outcome, len(self.levels))]
            if not unproven or self.deadline.remaining() < BLOCK_MINIMUM_SECONDS or self.deadline.stopped():
                break
            log.info("another pass over %s unproven blocks, %.0f s left", len(unproven), self.deadline.remaining())
            again = self._search_side_by_side(space, [blocks[k] for k in unproven], dict(enumerate(outcomes[k] for k in unproven)))
            for k, outcome in zip(unproven, again):
                if sum(stage.status == "OPTIMAL" for stage in outcome.stages) >= sum(stage.status == "OPTIMAL" for stage in outcomes[k].stages):
                    outcomes[k] = outcome
        return outcomes

    def _search_side_by_side(self, space: SearchSpace, blocks: list[list[int]], earlier: dict[int, BlockOutcome]) -> list[BlockOutcome]:
        """One pass over ``blocks``; a block with an ``earlier`` outcome (by its
        position) starts from that outcome's plan and the levels it proved."""
        total = sum(len(block) for block in blocks)
        shared = [k for k, block in enumerate(blocks) if 2 * len(block) <= total]
        alone = [k for k, block in enumerate(blocks) if 2 * len(block) > total]
        lanes = max(1, min(self.params.workers, len(shared)))
        pending = [total]
        lock = threading.Lock()

        def run(k: int, lanes: int, workers: int) -> BlockOutcome:
            with lock:
                remaining = self.deadline.remaining()
                share = min(1.0, lanes * len(blocks[k]) / pending[0])
                pending[0] -= len(blocks[k])
            seconds = max(remaining * share, min(remaining, BLOCK_MINIMUM_SECONDS))
            return BlockSearch(space, blocks[k], workers, self.deadline.sooner(seconds), earlier.get(k)).run()

        with concurrent.futures.ThreadPoolExecutor(lanes, thread_name_prefix="pairing-block") as pool:
            outcomes = dict(zip(shared, pool.map(lambda k: run(k, lanes, 1), shared)))
        outcomes.update({k: run(k, 1, self.params.workers) for k in alone})
        return [outcomes[k] for k in range(len(blocks))]

    # -- the plan ----------------------------------------------------------------------
    def plan(self, blocks: list[list[int]], outcomes: list[BlockOutcome]) -> Plan:
        """The blocks' plans as one, with one stage per level: proven when every
        block proved it, its bound the sum of the blocks' (never looser than the
        trivial one)."""
        usable = [c for outcome in outcomes for c in outcome.selection]
        stages, bounds = [self.enumeration], {}
        for index, level in enumerate(self.levels):
            per_block = [outcome.stages[index] if index < len(outcome.stages) else None for outcome in outcomes]
            proven = all(stage is not None and stage.status == "OPTIMAL" for stage in per_block)
            reached = any(stage is not None for stage in per_block)
            value = int(level.coefficients[usable].sum())
            bound, sources = self.level_bound(index, blocks, per_block, outcomes, proven)
            # A bound the plan reaches proves the level, whoever gave it.
            proven = proven or (bound <= value if level.maximise else bound >= value)
            bounds[level.name] = level.report(bound)
            stage = {"objective": level.name, "unit": level.unit,
                     "status": "OPTIMAL" if proven else "FEASIBLE" if reached else "NOT_REACHED",
                     "value": level.report(value), "bound": level.report(bound), "bound_from": sources,
                     "gap": round(relative_gap(value, bound), 6),
                     "seconds": round(sum(stage.seconds for stage in per_block if stage is not None), 3),
                     "search": next((stage.search or stage.objective for stage in per_block if stage is not None), level.name)}
            if level.name == "stability":
                stage["villages_changed"] = self.objective.villages_changed(usable)
            stages.append(stage)
        unproven = next((stage for stage in stages[1:] if stage["status"] != "OPTIMAL"), None)
        selection = [self.locked.positions[c] for c in usable]
        return plan_from_selection(self.instance, self.rules, self.locks, self.locked.all, selection,
                                   status="OPTIMAL" if unproven is None else "FEASIBLE",
                                   bound=Objective(bounds["weak_grouped"], bounds.get("villages_grouped"), bounds.get("distance")),
                                   gap=0.0 if unproven is None else unproven["gap"], solve_seconds=time.perf_counter() - self.started,
                                   seed=self.params.seed, workers=self.params.workers, stages=tuple(stages),
                                   stopped=self.deadline.stopped())

    def level_bound(self, index: int, blocks: list[list[int]], per_block, outcomes: list[BlockOutcome], proven: bool) -> tuple[int, str]:
        """Level ``index``'s bound over the county and who proved it: the sum over
        the blocks of each block's search bound, or its trivial bound where that
        is tighter or there is none; a block that did not prove it takes its LP
        bound (or Lagrangian) where tighter still, under the levels before it the
        block proved, each in a share of the bound's time by its size (a
        distance has no bound but 0 without them)."""
        level = self.levels[index]
        tighter = min if level.maximise else max
        bounds, sources = [], []
        for stage, outcome in zip(per_block, outcomes):
            trivial = outcome.trivial[level.name]
            searched = stage is not None and stage.bound is not None and tighter(stage.bound, trivial) == stage.bound
            bounds.append(stage.bound if searched else trivial)
            sources.append(stage.bound_from if searched else "trivial")
        if proven:
            return sum(bounds), "proven"
        # After a stop the plan goes back at once: no bound is worth the wait.
        if not self.deadline.stopped():
            unproven = [k for k, stage in enumerate(per_block) if stage is None or stage.status != "OPTIMAL"]
            pending, ends = sum(len(blocks[k]) for k in unproven), time.perf_counter() + self.bound_seconds
            for k in unproven:
                seconds = max(0.0, ends - time.perf_counter()) * len(blocks[k]) / pending
                pending -= len(blocks[k])
                local = {c: position for position, c in enumerate(blocks[k])}
                at_least = [(before.sign * before.coefficients[blocks[k]], before.sign * stage.value)
                            for before, stage in zip(self.levels, outcomes[k].stages[:index]) if stage.status == "OPTIMAL"]
                relaxed, name = relaxation_bound(self.locked.usable.subset(blocks[k]), self.instance.n, level.sign * level.coefficients[blocks[k]],
                                                 seconds, target=level.sign * float(level.coefficients[list(outcomes[k].selection)].sum()),
                                                 at_least=at_least, start=[local[c] for c in outcomes[k].selection])
                whole = level.sign * whole_bound(relaxed)
                if tighter(whole, bounds[k]) == whole and whole != bounds[k]:
                    bounds[k], sources[k] = whole, name
        return sum(bounds), " + ".join(sorted(set(sources)))

    def infeasible(self) -> Plan:
        conflicts = explain_conflict(self.instance, self.rules, self.locks, self.locked.all, list(self.locked.constraints),
                                     deadline=self.deadline)
        return replace(self.plan_of_nothing("INFEASIBLE", "the locks cannot all hold", (self.enumeration,)), conflicts=conflicts)

    def plan_of_nothing(self, status: str, detail: str, stages: tuple[dict, ...]) -> Plan:
        """A plan with no group, saying why (``detail``, the last stage and every village's reason)."""
        reasons = {village: "excluded" if village in self.locks.exclude else f"not_planned: {detail}" for village in self.instance.ids}
        return Plan(self.instance, self.rules, (), status=status, solve_seconds=time.perf_counter() - self.started,
                    seed=self.params.seed, workers=self.params.workers, locks=self.locks, reasons=reasons,
                    stages=(*stages, {"objective": "plan", "status": status, "detail": detail}), stopped=self.deadline.stopped())


def plan_from_selection(instance: Instance, rules: Rules, locks: Locks, candidates: Candidates, selection, **solve_info) -> Plan:
    """A plan of the chosen candidates, its groups numbered ``G001``, ``G002``, ... by
    township and lead, with a reason for every ungrouped village.

    Examples
    --------
    >>> from pairing.model.candidates import enumerate_candidates
    >>> instance = path_county(villages=4, strength=[4.0, 1, 2, 3])
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
