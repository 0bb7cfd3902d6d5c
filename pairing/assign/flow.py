"""A component of the helper assignment as a min-cost flow, where the model
allows it: every target takes helpers of one role only (with a grouping plan,
first secretaries to groups and resident cadres to villages), no unit limits
the villages it pairs with, and no lock pins a helper.

Each level's reward falls with each further helper (the first to serve a need
covers it; the first ``at least`` helpers of a target staff it), so parallel
arcs of rising cost give it exactly:

    source -> unit (its capacity) -> helper (1) -> (target, need) -> target -> sink
    source -> sink (helpers left idle, cost 0)

An option's arc costs its travel less its fit and kept rewards; the first arc
of (target, need) -> target earns the need's coverage (more at a weak target),
the first ``at least`` arcs of target -> sink earn the staffing. The levels'
weights make the sum lexicographic exactly (each above all the levels below can
add up to), in whole numbers, so the flow's optimum is the lexicographic one,
proven. Components whose costs would pass 2^62 (an arc's with OR-Tools' scaling
by the number of nodes, or the whole flow's) are left to CP-SAT: a county's cadres
fit, a whole province's in one component do not, and a province is solved county by
county, as the batch solves groupings.
"""

from __future__ import annotations

import time

from ortools.graph.python import min_cost_flow

from .options import LEVELS, Option, level_ranges, level_value, merged_weights
from .problem import AssignProblem

#: Costs stay below this, so that no sum of them overflows int64.
MAX_COST = 2**62


def flow_fits(problem: AssignProblem, found: list[Option], part: list[int], fixed: set[str]) -> bool:
    """Whether the component of options ``part`` is a min-cost flow (see the module's docstring)."""
    helpers = {found[k].helper for k in part}
    targets = {found[k].target for k in part}
    limited = {unit.unit_id for unit in problem.units if unit.villages is not None}
    return (not any(problem.helpers[h].helper_id in fixed or problem.helpers[h].unit in limited for h in helpers)
            and all(sum(high > 0 for _, high in problem.targets[t].required.values()) == 1 for t in targets))


def level_weights(problem: AssignProblem, found: list[Option], part: list[int]) -> dict[str, int] | None:
    """Each level's weight (travel 1), each above everything the levels below can
    add up to in the component; None when they would pass :data:`MAX_COST`."""
    ranges = level_ranges(problem, found, part)
    weights = merged_weights([name for name, _ in LEVELS], ranges)
    # The whole flow's cost stays in int64, and so does each arc's times the number of nodes (OR-Tools' cost scaling).
    nodes = 3 + len(problem.units) + len({found[k].helper for k in part}) + 2 * len({(found[k].target, found[k].need) for k in part})
    arc = max(weights["weak_needs"] + weights["needs"], weights["staffed"],
              max((found[k].tenths_km + weights["fit"] * found[k].fit + weights["kept"] for k in part), default=0))
    return weights if weights["weak_needs"] * (ranges["weak_needs"] + 1) < MAX_COST and arc * nodes < MAX_COST else None


def solve_flow(problem: AssignProblem, found: list[Option], part: list[int], weights: dict[str, int]) -> tuple[list[int], list[dict]]:
    """The options chosen in the component, and each level's record (all proven)."""
    started = time.perf_counter()
    nodes: dict[tuple, int] = {}

    def node(key: tuple) -> int:
        return nodes.setdefault(key, len(nodes))

    flow = min_cost_flow.SimpleMinCostFlow()
    source, sink = node(("source",)), node(("sink",))
    helpers = sorted({found[k].helper for k in part})
    units = {unit.unit_id: unit for unit in problem.units if unit.capacity is not None}
    for h in helpers:
        unit = units.get(problem.helpers[h].unit)
        if unit is None:
            flow.add_arc_with_capacity_and_unit_cost(source, node(("h", h)), 1, 0)
        else:
            flow.add_arc_with_capacity_and_unit_cost(node(("u", unit.unit_id)), node(("h", h)), 1, 0)
    for unit in units.values():
        if ("u", unit.unit_id) in nodes:
            flow.add_arc_with_capacity_and_unit_cost(source, nodes[("u", unit.unit_id)], unit.capacity, 0)
    arcs = {}
    for k in part:
        option = found[k]
        cost = option.tenths_km - weights["fit"] * option.fit - weights["kept"] * int(option.kept)
        arcs[flow.add_arc_with_capacity_and_unit_cost(node(("h", option.helper)), node(("n", option.target, option.need)), 1, cost)] = k
    needs = {(found[k].target, found[k].need) for k in part}
    for t, need in needs:
        target = problem.targets[t]
        low, high = next(count for count in target.required.values() if count[1] > 0)
        cover = weights["needs"] + (weights["weak_needs"] if target.weak else 0)
        flow.add_arc_with_capacity_and_unit_cost(nodes[("n", t, need)], node(("t", t)), 1, -cover)
        flow.add_arc_with_capacity_and_unit_cost(nodes[("n", t, need)], node(("t", t)), high, 0)
    for t in {t for t, _ in needs}:
        low, high = next(count for count in problem.targets[t].required.values() if count[1] > 0)
        if low:
            flow.add_arc_with_capacity_and_unit_cost(nodes[("t", t)], sink, low, -weights["staffed"])
        if high > low:
            flow.add_arc_with_capacity_and_unit_cost(nodes[("t", t)], sink, high - low, 0)
    flow.add_arc_with_capacity_and_unit_cost(source, sink, len(helpers), 0)
    flow.set_node_supply(source, len(helpers))
    flow.set_node_supply(sink, -len(helpers))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow ended {status}: a bug in pairing, please report it")
    chosen = sorted(k for arc, k in arcs.items() if flow.flow(arc))
    spent = round(time.perf_counter() - started, 3)
    return chosen, [{"name": name, "status": "OPTIMAL", "value": (value := level_value(problem, found, chosen, name)), "bound": value,
                     "seconds": spent if position == 0 else 0.0, "method": "min-cost flow"} for position, (name, _) in enumerate(LEVELS)]
