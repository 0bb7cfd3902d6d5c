"""Exploring and revising plans: alternatives to the optimum, the trade-off
between weak villages grouped and compactness, and the minimal-change re-solve
when the village data change. Free of IO: :mod:`pairing.io` writes the results.

Three notions are shared by everything here:

- a village's *assignment* is the lead it is grouped under (itself when it
  leads), or none; two plans differ at a village when its assignment differs
  (:func:`pairing.solve.previous_leads`);
- a plan is *within p* of the optimum when each objective level is no worse
  than the optimum's by more than p of that level's value: weak villages
  grouped >= (1 - p) × the optimum's, villages grouped >= (1 - p) × the
  optimum's, distance (the third level's cost) <= the optimum's + p × its size;
- two plans *differ by q* when at least q × (the county's villages) villages
  have different assignments.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .check import check
from .compare import PlanDiff, diff
from .deadline import Deadline, StopLike, Stopped
from .errors import InputError
from .instance import Instance
from .model.candidates import Candidates, enumerate_candidates
from .model.locks import RequiredLocks, check_lock_ids, lock_constraints, usable_candidates
from .model.packing import PackingModel, StageResult, cp_sat_solver, greedy_selection
from .plan import Group, Plan
from .rules import Locks, ObjectiveWeights, Rules, SolverParams
from .solve import assignment_changes, plan_from_selection, previous_leads, selection_of, solve, third_level

log = logging.getLogger(__name__)

#: Share of an alternatives run's time given to the optimum itself; the rest is
#: shared by the alternatives.
OPTIMUM_SHARE = 0.4


def _share(value: float, name: str) -> float:
    if not 0.0 <= float(value) < 1.0:
        raise InputError(f"{name} = {value} is outside [0, 1)", fix="give a share such as 0.02 (2%)", column=name)
    return float(value)


@dataclass
class _UsableCandidates:
    """The county's candidates that no lock forbids, the locks over them, and the
    third objective level's cost of each."""

    candidates: Candidates
    locks: RequiredLocks
    cost: np.ndarray

    @classmethod
    def of(cls, instance: Instance, rules: Rules, locks: Locks, weights: ObjectiveWeights, deadline: Deadline) -> "_UsableCandidates":
        check_lock_ids(instance, locks)
        candidates = enumerate_candidates(instance, rules, locks, deadline=deadline)
        constraints = lock_constraints(instance, candidates, locks)
        usable = usable_candidates(constraints, len(candidates))
        candidates = candidates.subset(usable)
        return cls(candidates, RequiredLocks.of(constraints, usable), third_level(instance, candidates, weights).coefficients)


def differing_villages(a: Plan, b: Plan) -> list[str]:
    """The villages (of both plans' instances) whose assignment differs: grouped
    under another lead, or grouped in one plan only.

    Examples
    --------
    >>> import networkx as nx
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": list("abcd"), "township": "T",
    ...     "population": 400, "strength": [4.0, 1, 2, 3], "weak": False})
    >>> instance = Instance(table, nx.path_graph(list("abcd")))
    >>> differing_villages(Plan(instance, Rules(), (Group("G1", ("a",), ("b", "c")),)),
    ...                    Plan(instance, Rules(), (Group("G1", ("d",), ("b", "c")),)))
    ['a', 'b', 'c', 'd']
    """
    before, after = previous_leads(a), previous_leads(b)
    return [village for village in before if village in after and before[village] != after[village]]


# -- alternatives ----------------------------------------------------------------------------
def alternatives(instance: Instance, rules: Rules | None = None, k: int = 5, *, within: float = 0.02, min_diff: float = 0.10,
                 locks: Locks | None = None, weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
                 time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
                 stop: StopLike | None = None) -> list[Plan]:
    """Up to ``k`` good plans that differ from each other: the optimum first, then
    plans within ``within`` of it on every objective level, each differing from
    every plan before it in at least ``min_diff`` of the county's villages.

    Independent blocks of candidates (townships, with ``same_township``) are
    changed one at a time, largest first and each alternative starting where the
    previous one stopped: a changed block may lose what is left of the county's
    allowance on each level (``within`` × the optimum's value), and as many of its
    villages as still needed, up to half of them, differ from every plan before;
    the other blocks keep the optimum's groups. In a block, the alternative
    maximises weak villages grouped, then villages grouped (one weighted
    objective); its distance is bounded, not minimised. One model of the whole
    county with the same constraints found none in the 8 s it had on Anqiu; the
    blocks take seconds. The time limit covers the whole run: :data:`OPTIMUM_SHARE`
    for the optimum, the rest shared by the others. Fewer than ``k`` plans come
    back when no further plan meets the constraints, or none was found in time.

    Parameters
    ----------
    instance : Instance
    rules : Rules, optional
    k : int
        How many plans, the optimum included.
    within : float
        How far from the optimum each level may be, as a share (0.02 = 2%).
    min_diff : float
        Share of the county's villages whose assignment must differ between any
        two plans (0.10 = 10%).
    locks, weights, params, time_limit, workers, seed, stop
        As for :func:`pairing.solve`; a stop ends the run with the plans found so far.

    Returns
    -------
    list of Plan
        The optimum (status from :func:`pairing.solve`), then the alternatives
        (status FEASIBLE: they are not the optimum), each passing
        :func:`pairing.check`.

    Examples
    --------
    >>> import networkx as nx
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T",
    ...     "population": 400, "strength": [6.0, 5, 1, 2, 3, 4], "weak": False})
    >>> instance = Instance(table, nx.cycle_graph(list("abcdef")))  # three ways to split the ring in two groups
    >>> plans = alternatives(instance, Rules(group_size=(3, 3), lead_top_share=1.0), k=4, within=0.25, min_diff=0.5, time_limit=10)
    >>> len(plans), [check(plan) for plan in plans], sorted(group.villages for group in plans[0].groups)
    (3, [[], [], []], [('a', 'b', 'f'), ('e', 'c', 'd')])
    """
    rules, locks, weights = rules or Rules(), locks or Locks(), weights or ObjectiveWeights()
    within, min_diff = _share(within, "within"), _share(min_diff, "min_diff")
    if k < 1:
        raise InputError(f"k = {k} is below 1", fix="ask for 1 or more plans", column="k")
    params = (params or SolverParams()).with_overrides(time_limit=time_limit, workers=workers, seed=seed)
    deadline = Deadline.after(params.time_limit, stop)
    best = solve(instance, rules, locks=locks, weights=weights, params=replace(params, time_limit=params.time_limit * OPTIMUM_SHARE),
                 stop=stop)
    if best.status in ("INFEASIBLE", "UNKNOWN") or k == 1 or deadline.over():
        return [best]
    try:
        usable = _UsableCandidates.of(instance, rules, locks, weights, deadline)
    except Stopped:
        return [best]
    candidates = usable.candidates
    # Blocks (townships, with same_township) are independent: an alternative keeps the
    # optimum's groups in most of them and changes a few, each a small model.
    blocks = sorted(candidates.blocks(instance.n), key=len, reverse=True)
    selections = [set(selection_of(candidates, instance, best))]
    levels = ((candidates.weak, True), (candidates.size, True), (usable.cost, False))
    # How much worse than the optimum the county may be on each level; the blocks an
    # alternative changes share it.
    slack = [math.floor(within * abs(int(coefficients[sorted(selections[0])].sum()))) for coefficients, _ in levels]
    needed = math.ceil(min_diff * instance.n)
    solver = cp_sat_solver(params)
    plans, next_block = [best], 0
    while len(plans) < k and blocks and not deadline.over():
        log.info("looking for alternative %d of %d", len(plans) + 1, k)
        budget = deadline.remaining() / (k - len(plans))
        selection, seconds, found, left = set(selections[0]), 0.0, 0, list(slack)
        for step in range(len(blocks)):
            if found >= needed or deadline.over():
                break
            block = blocks[(next_block + step) % len(blocks)]
            rows = sorted({row for c in block for row in candidates.groups[c]})
            # Asking every village of a block to change is often impossible; half of
            # them, and the next block for the rest, is not.
            share = min(needed - found, math.ceil(len(rows) / 2))
            stage = _block_alternative(instance, candidates, usable.cost, block, usable.locks.subset(block), selections, left, share,
                                       solver, deadline.sooner(max(0.2, budget * len(rows) / max(1, needed))))
            seconds += stage.seconds
            if stage.selection is not None:
                before = sorted(selections[0] & set(block))
                for level, (coefficients, maximise) in enumerate(levels):
                    loss = int(coefficients[before].sum()) - int(coefficients[list(stage.selection)].sum())
                    left[level] -= loss if maximise else -loss
                selection = (selection - set(block)) | set(stage.selection)
                found += share
                next_block = (next_block + step + 1) % len(blocks)
        if found < needed:
            break
        selections.append(selection)
        plans.append(plan_from_selection(instance, rules, locks, candidates, sorted(selection), status="FEASIBLE", solve_seconds=seconds,
                                         seed=params.seed, workers=params.workers,
                                         stages=({"objective": "alternative", "within": within, "min_diff": min_diff,
                                                  "seconds": round(seconds, 3)},)))
    return plans


def _block_alternative(instance: Instance, candidates: Candidates, cost: np.ndarray, block: list[int], locks: RequiredLocks,
                       selections: list[set[int]], slack: list[int], differ: int, solver, deadline: Deadline) -> StageResult:
    """A plan of one block no worse than the first selection's there by more than
    ``slack`` on each level (weak villages, villages, distance or cost), in which
    at least ``differ`` villages have other assignments than in each of
    ``selections``; selection in candidate indices of ``candidates``."""
    local = {c: k for k, c in enumerate(block)}
    part = candidates.subset(block)
    model = PackingModel(part, instance.n, locks)
    first = [local[c] for c in selections[0] if c in local]
    for (coefficients, maximise), allowed in zip(((part.weak, True), (part.size, True), (cost[block], False)), slack):
        value = int(coefficients[first].sum())
        model.hold(coefficients, value - allowed if maximise else value + allowed, maximise=maximise)
    ids = instance.ids
    rows = {row for rows_of in part.groups for row in rows_of}
    for selection in selections:
        leads = dict.fromkeys((ids[row] for row in rows), "")
        leads.update({ids[row]: ids[candidates.groups[c][0]] for c in selection if c in local for row in candidates.groups[c]})
        grouped = sum(1 for lead in leads.values() if lead)
        model.hold(assignment_changes(instance, part, leads), differ - grouped, maximise=True)
    coverage = (instance.n + 1) * part.weak + part.size
    stage = model.optimise(solver, "alternative", coverage, maximise=True, hint=tuple(first), deadline=deadline)
    return replace(stage, selection=None if stage.selection is None else tuple(block[k] for k in stage.selection))


def compare_plans(plans: list[Plan], names: list[str] | None = None) -> pd.DataFrame:
    """The plans' metrics side by side, one row per plan: status, groups, weak
    villages and villages grouped, people grouped, distance, how far each level is
    from the first plan's, and the share of villages whose assignment differs from
    the first plan and from the nearest other plan (``alternatives.csv``).

    Examples
    --------
    >>> import networkx as nx
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T",
    ...     "population": 400, "strength": [6.0, 5, 1, 2, 3, 4], "weak": False})
    >>> instance = Instance(table, nx.cycle_graph(list("abcdef")))
    >>> one = Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("f",), ("d", "e"))))
    >>> two = Plan(instance, Rules(), (Group("G001", ("a",), ("c", "d")), Group("G002", ("b",), ("e", "f"))))
    >>> compare_plans([one, two])[["plan", "villages_grouped", "differs_from_first", "differs_from_nearest"]].values.tolist()
    [['alt-1', 6, 0.0, 0.6667], ['alt-2', 6, 0.6667, 0.6667]]
    """
    names = names or [f"alt-{position}" for position in range(1, len(plans) + 1)]
    first = plans[0].metrics()
    rows = []
    for position, (name, plan) in enumerate(zip(names, plans)):
        metrics = plan.metrics()
        shares = [len(differing_villages(plan, other)) / max(1, plan.instance.n) for other in plans]
        others = [share for other, share in enumerate(shares) if other != position]
        rows.append({
            "plan": name, "status": plan.status, "groups": metrics["groups"], "weak_grouped": metrics["weak_grouped"],
            "villages_grouped": metrics["villages_grouped"], "population_grouped": metrics["population_grouped"],
            "distance": metrics["distance"], "distance_unit": metrics["distance_unit"],
            "weak_vs_first": round(metrics["weak_grouped"] / max(1, first["weak_grouped"]) - 1, 4),
            "villages_vs_first": round(metrics["villages_grouped"] / max(1, first["villages_grouped"]) - 1, 4),
            "distance_vs_first": round(metrics["distance"] / max(1, first["distance"]) - 1, 4),
            "differs_from_first": round(shares[0], 4), "differs_from_nearest": round(min(others), 4) if others else 0.0,
            "violations": len(check(plan)),
        })
    return pd.DataFrame(rows)


# -- the trade-off ---------------------------------------------------------------------------
MEASURES = ("distance", "groups")


def frontier(instance: Instance, rules: Rules | None = None, *, points: int = 5, span: float = 0.1, measure: str = "distance",
             locks: Locks | None = None, weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
             time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
             stop: StopLike | None = None) -> pd.DataFrame:
    """The trade-off between weak villages grouped and ``measure`` (total distance,
    i.e. compactness, or the number of groups), by the epsilon-constraint method.

    First the most weak villages that can be grouped, W, is found (the best found
    in the first share of the time: it may fall short of the proven optimum); then for each
    of ``points`` targets ε evenly spaced from (1 - span) × W to W, the least
    ``measure`` of a plan grouping at least ε weak villages. The time limit is
    shared by the solves.

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
        As for :func:`pairing.solve`; a stop ends the curve at the points found so far.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``weak_target, weak_grouped, villages_grouped,
        groups, distance, status`` (``OPTIMAL`` when the least value was proven),
        ``bound`` (a lower bound on ``measure`` at the target).

    Examples
    --------
    >>> import networkx as nx
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T",
    ...     "population": 400, "strength": [6.0, 1, 2, 3, 4, 5], "weak": [False, True, True, True, True, False]})
    >>> curve = frontier(Instance(table, nx.path_graph(list("abcdef"))), Rules(group_size=(3, 3)), points=2, span=0.5,
    ...                  measure="groups", time_limit=10)
    >>> curve[["weak_target", "weak_grouped", "groups", "status"]].values.tolist()
    [[2, 2, 1, 'OPTIMAL'], [4, 4, 2, 'OPTIMAL']]
    """
    rules, locks, weights = rules or Rules(), locks or Locks(), weights or ObjectiveWeights()
    if measure not in MEASURES:
        raise InputError(f"measure {measure!r} is unknown", fix=f"use one of {', '.join(MEASURES)}", column="measure")
    if points < 2:
        raise InputError(f"points = {points} is below 2", fix="ask for 2 or more points", column="points")
    span = _share(span, "span")
    params = (params or SolverParams()).with_overrides(time_limit=time_limit, workers=workers, seed=seed)
    deadline = Deadline.after(params.time_limit, stop)
    columns = ["weak_target", "weak_grouped", "villages_grouped", "groups", "distance", "status", "bound"]
    try:
        usable = _UsableCandidates.of(instance, rules, locks, weights, deadline)
        candidates = usable.candidates
        packing = PackingModel(candidates, instance.n, usable.locks, deadline)
    except Stopped:
        return pd.DataFrame(columns=columns)
    solver = cp_sat_solver(params)
    hint = greedy_selection(candidates, instance.n, usable.locks)
    log.info("frontier: most weak villages that can be grouped")
    most = packing.optimise(solver, "weak_grouped", candidates.weak, maximise=True, hint=hint,
                            deadline=deadline.sooner(deadline.remaining() / (points + 1)))
    if most.selection is None:
        if deadline.stopped():
            return pd.DataFrame(columns=columns)
        raise InputError("no plan found in time to start the frontier from", fix="give more time (--time-limit)")
    targets = sorted({math.ceil(most.value * (1 - span * step / (points - 1))) for step in range(points)})
    cost = usable.cost if measure == "distance" else np.ones(len(candidates), dtype=np.int64)
    rows, hint = [], most.selection
    for position, target in enumerate(targets):
        if deadline.stopped():
            break
        # Targets rise, so each constraint is tighter than the ones before it.
        log.info("frontier: least %s grouping at least %s weak villages", measure, f"{target:,}")
        packing.hold(candidates.weak, target, maximise=True)
        stage = packing.optimise(solver, measure, cost, maximise=False, hint=hint,
                                 deadline=deadline.sooner(max(0.5, deadline.remaining() / (len(targets) - position))))
        if stage.selection is None:
            rows.append({"weak_target": target, "weak_grouped": None, "villages_grouped": None, "groups": None, "distance": None,
                         "status": stage.status, "bound": None})
            continue
        hint = stage.selection
        chosen = list(stage.selection)
        rows.append({"weak_target": target, "weak_grouped": int(candidates.weak[chosen].sum()),
                     "villages_grouped": int(candidates.size[chosen].sum()), "groups": len(chosen),
                     "distance": int(candidates.distance[chosen].sum()), "status": stage.status, "bound": stage.bound})
    return pd.DataFrame(rows, columns=columns)


def frontier_figure(curve: pd.DataFrame, measure: str = "distance", unit: str = "m"):
    """The frontier as a matplotlib Figure (no pyplot state): weak villages grouped
    against ``measure``, proven points filled, unproven ones hollow.

    Examples
    --------
    >>> curve = pd.DataFrame({"weak_grouped": [2, 4], "groups": [1, 2], "distance": [2000, 5000], "status": ["OPTIMAL", "FEASIBLE"]})
    >>> frontier_figure(curve, "groups").axes[0].get_xlabel()
    'weak villages grouped'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4.5), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    found = curve.dropna(subset=["weak_grouped"])
    values = found[measure] / (1000 if measure == "distance" and unit == "m" else 1)
    axes.plot(found["weak_grouped"], values, color="#1f77b4", linewidth=1.2)
    proven = (found["status"] == "OPTIMAL").to_numpy()
    axes.scatter(found["weak_grouped"][proven], values[proven], color="#1f77b4", zorder=3, label="proven least")
    axes.scatter(found["weak_grouped"][~proven], values[~proven], facecolor="white", edgecolor="#1f77b4", zorder=3,
                 label="best found (not proven)")
    axes.set_xlabel("weak villages grouped")
    axes.set_ylabel({"distance": f"total member-to-lead distance ({'km' if unit == 'm' else unit})", "groups": "groups"}[measure])
    axes.set_title("What grouping more weak villages costs")
    axes.grid(alpha=0.3)
    axes.legend(frameon=False)
    figure.tight_layout()
    return figure


# -- minimal-change re-solve --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Revision:
    """A plan re-solved for new village data, and what changed from the previous one.

    ``plan`` is the new plan; ``previous`` the previous plan in the new data's
    village ids (renames applied, gone villages removed); ``changes`` one row per
    village whose assignment changed, or that is new or gone, with the reason;
    ``groups`` one row per previous group with its verdict (``kept``,
    ``changed``: still valid but regrouped, ``repaired``: it broke a rule and its
    lead leads a group again, ``dissolved``), why, and how many of its villages
    changed; ``new``, ``gone`` and ``renamed`` (old id -> new id) the villages
    that do not match by id; ``merged`` new id -> the old ids renamed to it.
    """

    plan: Plan
    previous: Plan
    changes: pd.DataFrame
    groups: pd.DataFrame
    new: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)
    merged: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        """Villages in both plans whose assignment changed (new villages are not counted)."""
        new = set(self.new)
        return sum(1 for village in differing_villages(self.previous, self.plan) if village not in new)

    def diff(self) -> PlanDiff:
        """The group-by-group comparison of :func:`pairing.diff`."""
        return diff(self.previous, self.plan)

    def summary(self) -> dict:
        """What ``summary.json`` records under ``revision``."""
        verdicts = self.groups["verdict"].value_counts().to_dict() if len(self.groups) else {}
        return {"villages_changed": self.changed, "previous_groups": len(self.groups),
                **{f"groups_{verdict}": int(verdicts.get(verdict, 0)) for verdict in ("kept", "changed", "repaired", "dissolved")},
                "new_villages": list(self.new), "gone_villages": list(self.gone), "renamed": dict(self.renamed),
                "merged": {new: list(old) for new, old in self.merged.items()}}

    def _repr_html_(self) -> str:
        from .report import html_table

        summary = self.summary()
        rows = [(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(len(value)))
                for key, value in summary.items()]
        return self.plan._repr_html_() + "<p><b>changes from the previous plan</b></p>" + html_table(pd.DataFrame(rows, columns=["", "value"]))


def resolve(instance: Instance, previous: Plan, rules: Rules | None = None, *, renames: dict[str, str] | None = None,
            locks: Locks | None = None, weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
            time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
            stop: StopLike | None = None) -> Revision:
    """Re-solve for new village data, changing as little of a previous plan as the
    rules and the objective allow.

    The lexicographic objective gains a stability level right after weak villages
    grouped (see :func:`pairing.solve`, ``previous``): weak villages grouped
    first, so newly weak villages are regrouped when they can be; then villages
    grouped − ``weights.stability`` × villages whose assignment changed, so every
    previous group that is still valid and does not stand in the way of a weak
    village is kept, and broken ones are repaired with the fewest changes; then
    villages grouped and distance as usual. ``weights.stability = 0`` re-solves
    from scratch (the previous plan only serves to report the changes).

    Parameters
    ----------
    instance : Instance
        The new village data.
    previous : Plan
        The previous plan: solved on the old data, or read from its file
        (``pairing.read_plan(path)`` without an instance is enough).
    rules : Rules, optional
    renames : dict, optional
        Old village id -> new id. Villages that match no id (new, gone, or a
        rename to an unknown id) are reported in the result, not an error.
    locks, weights, params, time_limit, workers, seed, stop
        As for :func:`pairing.solve`.

    Returns
    -------
    Revision

    Examples
    --------
    >>> import networkx as nx
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T",
    ...     "population": 400, "strength": [6.0, 1, 2, 3, 4, 5], "weak": False})
    >>> old = Instance(table, nx.path_graph(list("abcdef")))
    >>> previous = Plan(old, Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("f",), ("d", "e"))))
    >>> new = Instance(table.assign(population=[400, 400, 400, 400, 400, 1500]), nx.path_graph(list("abcdef")))
    >>> revision = resolve(new, previous, time_limit=10)
    >>> sorted(group.villages for group in revision.plan.groups), revision.changed
    ([('a', 'b', 'c', 'd', 'e')], 3)
    >>> revision.groups[["old_group", "verdict", "reason"]].values.tolist()[1]
    ['G002', 'dissolved', 'group_population: population 2,300, outside 1,000-2,000']
    """
    rules, locks = rules or Rules(), locks or Locks()
    translated, new, gone, renamed, merged = _translate(previous, instance, rules, renames or {})
    plan = solve(instance, rules, locks=locks, weights=weights, params=params, time_limit=time_limit, workers=workers, seed=seed,
                 previous=translated, stop=stop)
    if plan.status in ("INFEASIBLE", "UNKNOWN"):
        return Revision(plan, translated, pd.DataFrame(columns=CHANGE_COLUMNS), pd.DataFrame(columns=GROUP_COLUMNS), new, gone, renamed, merged)
    groups = _group_verdicts(previous, translated, plan, gone, locks)
    changes = _village_changes(previous, translated, plan, groups, new, gone, renamed)
    return Revision(plan, translated, changes, groups, new, gone, renamed, merged)


def _translate(previous: Plan, instance: Instance, rules: Rules, renames: dict[str, str]):
    """The previous plan in the new ids: renamed, gone villages dropped, a village
    that several old ones were renamed to (a merger) kept in the first group only."""
    renames = {str(old): str(new) for old, new in renames.items()}
    old_ids = list(dict.fromkeys([*previous.instance.ids, *(v for group in previous.groups for v in group.villages)]))
    mapped = {old: renames.get(old, old) for old in old_ids}
    gone = tuple(old for old, new in mapped.items() if new not in instance)
    renamed = {old: new for old, new in mapped.items() if old != new and new in instance}
    sources: dict[str, list[str]] = {}
    for old, new in mapped.items():
        if new in instance:
            sources.setdefault(new, []).append(old)
    merged = {new: tuple(olds) for new, olds in sources.items() if len(olds) > 1}
    new_villages = tuple(village for village in instance.ids if village not in sources)
    placed: set[str] = set()
    groups = []
    for group in previous.groups:
        leads = tuple(mapped[v] for v in group.leads if mapped[v] in instance and mapped[v] not in placed)
        placed.update(leads)
        members = tuple(mapped[v] for v in group.members if mapped[v] in instance and mapped[v] not in placed)
        placed.update(members)
        if leads or members:
            groups.append(Group(group.group_id, leads, members))
    return Plan(instance, rules, tuple(groups)), new_villages, gone, renamed, merged


GROUP_COLUMNS = ["old_group", "lead_id", "villages", "verdict", "reason", "villages_changed", "new_groups"]
CHANGE_COLUMNS = ["village_id", "old_village_id", "name", "old_group", "old_role", "old_lead", "new_group", "new_role", "new_lead", "reason"]


def _group_verdicts(previous: Plan, translated: Plan, plan: Plan, gone: tuple[str, ...], locks: Locks) -> pd.DataFrame:
    """Per previous group: kept, changed (still valid), repaired or dissolved (it
    breaks a rule or one of the planner's locks under the new data), and why."""
    broken: dict[str, list[str]] = {}
    for violation in check(translated, locks=locks):
        broken.setdefault(violation.group_id, []).append(f"{violation.rule}: {violation.detail}")
    new_place = {village: group for group in plan.groups for village in group.villages}
    kept = {(group.lead, frozenset(group.villages)) for group in plan.groups}
    new_leads = {group.lead for group in plan.groups}
    before, after = previous_leads(translated), previous_leads(plan)
    translated_of = {group.group_id: group for group in translated.groups}
    gone_set = set(gone)
    rows = []
    for group in previous.groups:
        now = translated_of.get(group.group_id, Group(group.group_id, (), ()))
        lost = [village for village in group.villages if village in gone_set]
        changed = [village for village in now.villages if before.get(village) != after.get(village)]
        reasons = ([f"lost {', '.join(lost)} (gone from the data)"] if lost else []) + broken.get(group.group_id, [])
        if now.villages and (now.lead, frozenset(now.villages)) in kept:
            verdict = "kept"
        elif group.group_id in broken or not now.villages:
            verdict = "repaired" if now.lead and now.lead in new_leads else "dissolved"
        else:
            verdict = "changed"
            reasons.append(_gain(now, translated, plan))
        rows.append({"old_group": group.group_id, "lead_id": group.lead, "villages": ", ".join(group.villages), "verdict": verdict,
                     "reason": "; ".join(reasons), "villages_changed": len(changed),
                     "new_groups": ", ".join(sorted({new_place[v].group_id for v in now.villages if v in new_place}))})
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _gain(group: Group, before: Plan, after: Plan) -> str:
    """What regrouping a still-valid group bought: the coverage and distance of the
    new groups that took its villages, against the old groups those new groups
    took villages from."""
    new_groups = {g.group_id: g for g in after.groups if set(g.villages) & set(group.villages)}
    touched = {v for g in new_groups.values() for v in g.villages} | set(group.villages)
    old_groups = [g for g in before.groups if set(g.villages) & touched]

    def measure(groups) -> tuple[int, int, int]:
        plan = Plan(after.instance, after.rules, tuple(groups))
        objective = plan.objective
        return objective.weak_grouped, objective.villages_grouped, objective.distance

    (weak_old, grouped_old, distance_old), (weak_new, grouped_new, distance_new) = measure(old_groups), measure(new_groups.values())
    unit = after.instance.distance_unit()
    return (f"still valid; regrouped with {', '.join(g.group_id for g in old_groups if g.group_id != group.group_id) or 'ungrouped villages'}: "
            f"{weak_new - weak_old:+} weak villages and {grouped_new - grouped_old:+} villages grouped there, "
            f"distance {distance_new - distance_old:+,} {unit}")


def _village_changes(previous: Plan, translated: Plan, plan: Plan, groups: pd.DataFrame, new: tuple[str, ...],
                     gone: tuple[str, ...], renamed: dict[str, str]) -> pd.DataFrame:
    """One row per village that changed assignment, is new, or is gone, with why."""
    instance = plan.instance
    old_place = {village: (group.group_id, "lead" if village in group.leads else "member", group.lead)
                 for group in translated.groups for village in group.villages}
    new_place = {village: (group.group_id, "lead" if village in group.leads else "member", group.lead)
                 for group in plan.groups for village in group.villages}
    original = {new_id: old_id for old_id, new_id in renamed.items()}
    why_group = dict(zip(groups["old_group"], groups["reason"]))
    verdict = dict(zip(groups["old_group"], groups["verdict"]))
    names = dict(zip(instance.ids, instance.villages["name"]))
    old_names = dict(zip(previous.instance.ids, previous.instance.villages["name"]))
    new_set = set(new)
    rows = []
    for village in instance.ids:
        old_group, old_role, old_lead = old_place.get(village, ("", "none", ""))
        new_group, new_role, new_lead = new_place.get(village, ("", "none", ""))
        if village in new_set:
            reason = "new in the data"
        elif old_lead == new_lead:
            continue
        elif old_group:
            reason = f"old group {old_group} {verdict[old_group]}: {why_group[old_group]}"
        else:
            reason = "newly grouped" + (" (weak)" if instance.weak[instance.index(village)] else "")
        rows.append({"village_id": village, "old_village_id": original.get(village, village), "name": names[village],
                     "old_group": old_group, "old_role": old_role if village not in new_set else "", "old_lead": old_lead,
                     "new_group": new_group, "new_role": new_role, "new_lead": new_lead, "reason": reason})
    before = {village: (group.group_id, "lead" if village in group.leads else "member", group.lead)
              for group in previous.groups for village in group.villages}
    for village in gone:
        old_group, old_role, old_lead = before.get(village, ("", "none", ""))
        rows.append({"village_id": "", "old_village_id": village, "name": old_names.get(village, ""),
                     "old_group": old_group, "old_role": old_role, "old_lead": old_lead, "new_group": "", "new_role": "",
                     "new_lead": "", "reason": "gone: not in the new data"})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
