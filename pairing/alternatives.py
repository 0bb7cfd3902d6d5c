"""Alternatives to the optimum: up to k plans within a share of it on every
objective level, each differing from every other in a share of the villages.

A plan is *within p* of the optimum when each objective level is no worse than
the optimum's by more than p of that level's value: weak villages grouped >=
(1 - p) × the optimum's, villages grouped >= (1 - p) × the optimum's, distance
(the third level's cost) <= the optimum's + p × its size. Two plans *differ by
q* when at least q × (the county's villages) villages have different
assignments (:mod:`pairing.assignment`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import numpy as np
import pandas as pd

from .assignment import assignment_changes, differing_villages
from .check import check
from .deadline import Deadline, StopLike, Stopped
from .errors import InputError
from .fields import check_share
from .instance import Instance
from .labels import label
from .locks import Locks
from .model.candidates import Candidates
from .model.constraints import LockedCandidates, RequiredLocks
from .model.cpsat import cp_sat_solver
from .model.packing import PackingModel, StageResult
from .objective import third_level
from .plan import Plan
from .rules import ObjectiveWeights, Rules, SolverParams
from .solve import plan_from_selection, selection_of, solve

log = logging.getLogger(__name__)

#: Share of an alternatives run's time given to the optimum itself; the rest is
#: shared by the alternatives.
OPTIMUM_SHARE = 0.4


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
    >>> instance = path_county(strength=[6.0, 5, 1, 2, 3, 4], edges=nx.cycle_graph(list("abcdef")).edges)  # three ways to split the ring in two groups
    >>> plans = alternatives(instance, Rules(group_size=(3, 3), lead_top_share=1.0), k=4, within=0.25, min_diff=0.5, time_limit=10)
    >>> len(plans), [check(plan) for plan in plans], sorted(group.villages for group in plans[0].groups)
    (3, [[], [], []], [('a', 'b', 'f'), ('e', 'c', 'd')])
    """
    rules, locks, weights = rules or Rules(), locks or Locks(), weights or ObjectiveWeights()
    within, min_diff = check_share(within, "within"), check_share(min_diff, "min_diff")
    if k < 1:
        raise InputError(f"k = {k} is below 1", fix="ask for 1 or more plans", column="k")
    params = (params or SolverParams()).with_overrides(time_limit=time_limit, workers=workers, seed=seed)
    deadline = Deadline.after(params.time_limit, stop)
    best = solve(instance, rules, locks=locks, weights=weights, params=replace(params, time_limit=params.time_limit * OPTIMUM_SHARE),
                 stop=stop)
    if best.status in ("INFEASIBLE", "UNKNOWN") or k == 1 or deadline.over():
        return [best]
    try:
        locked = LockedCandidates.enumerate(instance, rules, locks, deadline)
    except Stopped:
        return [best]
    candidates = locked.usable
    cost = third_level(instance, candidates, weights).coefficients
    # Blocks (townships, with same_township) are independent: an alternative keeps the
    # optimum's groups in most of them and changes a few, each a small model.
    blocks = sorted(candidates.blocks(instance.n), key=len, reverse=True)
    selections = [set(selection_of(candidates, instance, best))]
    levels = ((candidates.weak, True), (candidates.size, True), (cost, False))
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
            stage = _block_alternative(instance, candidates, cost, block, locked.locks.within(block), selections, left, share,
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
    >>> instance = path_county(strength=[6.0, 5, 1, 2, 3, 4], edges=nx.cycle_graph(list("abcdef")).edges)
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


#: Columns of :func:`compare_plans` that are shares, printed as percentages.
SHARES = ("weak_vs_first", "villages_vs_first", "distance_vs_first", "differs_from_first", "differs_from_nearest")


def comparison_sheet(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """:func:`compare_plans`'s table as a planner reads it (``alternatives.csv``,
    ``alternatives.html``): columns named in words, shares as percentages with
    one decimal, distance in km (or hops), its unit in the column's name.

    Examples
    --------
    >>> table = pd.DataFrame({"plan": ["alt-1"], "status": ["OPTIMAL"], "distance": [1198803], "distance_unit": ["m"],
    ...                       "differs_from_first": [0.43899999999999995]})
    >>> comparison_sheet(table).to_dict("records")
    [{'plan': 'alt-1', 'status': 'OPTIMAL', 'member-to-lead distance (km)': 1198.8, 'villages with another lead than in the first plan (%)': 43.9}]
    """
    sheet = table.drop(columns=["distance_unit"], errors="ignore").copy()
    metres = "distance_unit" in table and (table["distance_unit"] == "m").all()
    unit = "km" if metres else str(table["distance_unit"].iloc[0]) if "distance_unit" in table and len(table) else "km"
    if "distance" in sheet and metres:
        sheet["distance"] = (sheet["distance"] / 1000).round(1)
    for column in SHARES:
        if column in sheet:
            sheet[column] = (100 * sheet[column]).round(1)
    return sheet.rename(columns={column: label(f"compare:{column}", lang, unit=unit) for column in sheet.columns})

