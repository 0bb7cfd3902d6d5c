"""The trade-off between weak villages grouped and compactness (or the number of
groups), by the epsilon-constraint method: "what does grouping the last weak
villages cost?"."""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd

from .deadline import Deadline, StopLike, Stopped
from .errors import InputError
from .fields import check_share
from .instance import Instance
from .locks import Locks
from .model.constraints import LockedCandidates
from .model.cpsat import cp_sat_solver
from .model.greedy import greedy_selection
from .model.packing import PackingModel
from .objective import third_level
from .rules import ObjectiveWeights, Rules, SolverParams

log = logging.getLogger(__name__)

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
    deadline = Deadline.after(params.time_limit, stop)
    columns = ["weak_target", "weak_grouped", "villages_grouped", "groups", "distance", "status", "bound"]
    try:
        locked = LockedCandidates.enumerate(instance, rules, locks, deadline)
        candidates = locked.usable
        packing = PackingModel(candidates, instance.n, locked.locks, deadline)
    except Stopped:
        return pd.DataFrame(columns=columns)
    solver = cp_sat_solver(params)
    hint = greedy_selection(candidates, instance.n, locked.locks)
    log.info("frontier: most weak villages that can be grouped")
    most = packing.optimise(solver, "weak_grouped", candidates.weak, maximise=True, hint=hint,
                            deadline=deadline.sooner(deadline.remaining() / (points + 1)))
    if most.selection is None:
        if deadline.stopped():
            return pd.DataFrame(columns=columns)
        raise InputError("no plan found in time to start the frontier from", fix="give more time (--time-limit)")
    targets = sorted({math.ceil(most.value * (1 - span * step / (points - 1))) for step in range(points)})
    cost = third_level(instance, candidates, weights).coefficients if measure == "distance" else np.ones(len(candidates), dtype=np.int64)
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
