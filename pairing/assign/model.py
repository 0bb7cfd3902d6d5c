"""The helper assignment solved exactly, component by component: as a
min-cost flow where the component allows it (:mod:`pairing.assign.flow`), else
as a CP-SAT model, one boolean per option (:mod:`pairing.assign.options`),
level by level, each level held at its value while the next is optimised."""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from ..deadline import Deadline
from ..model.cpsat import STATUS_NAMES, cp_sat_solver, run_solver
from ..rules import SolverParams
from .flow import flow_fits, level_weights, solve_flow
from .options import (
    LEVELS,
    Option,
    components,
    fixed_helpers,
    level_ranges,
    level_value,
    merged_weights,
    options,
)
from .problem import Assignment, AssignProblem, Posting

#: Levels are merged into one search while their weighted sum stays below this:
#: exact in CP-SAT's integers, and small enough for its LP to prove bounds with.
MERGE_BELOW = 2**24


class ComponentModel:
    """One component's model: data, variables, constraints, then the levels' expressions."""

    def __init__(self, problem: AssignProblem, found: list[Option], chosen: list[int], fixed: set[str]):
        # data
        self.problem, self.found, self.chosen = problem, found, chosen
        self.model = cp_model.CpModel()
        by_helper, by_slot, by_need, by_unit, by_unit_target = (defaultdict(list) for _ in range(5))
        for k in chosen:
            option = found[k]
            helper = problem.helpers[option.helper]
            by_helper[option.helper].append(k)
            by_slot[(option.target, helper.role)].append(k)
            by_need[(option.target, option.need)].append(k)
            by_unit[helper.unit].append(k)
            by_unit_target[(helper.unit, option.target)].append(k)
        # variables
        self.x = {k: self.model.new_bool_var(f"x{k}") for k in chosen}
        self.covered = {key: self.model.new_bool_var(f"y{key}") for key in by_need}
        self.staffed = {key: self.model.new_int_var(0, problem.targets[key[0]].required[key[1]][0], f"s{key}") for key in by_slot}
        # constraints: a helper serves at most one target (a pinned one exactly), within each target's most helpers per role
        for h, ks in by_helper.items():
            total = sum(self.x[k] for k in ks)
            self.model.add(total == 1 if problem.helpers[h].helper_id in fixed else total <= 1)
        for (t, role), ks in by_slot.items():
            total = sum(self.x[k] for k in ks)
            self.model.add(total <= problem.targets[t].required[role][1])
            self.model.add(self.staffed[(t, role)] <= total)
        for key, ks in by_need.items():
            self.model.add(self.covered[key] <= sum(self.x[k] for k in ks))
        for unit in problem.units:
            if unit.capacity is not None and by_unit[unit.unit_id]:
                self.model.add(sum(self.x[k] for k in by_unit[unit.unit_id]) <= unit.capacity)
            if unit.villages is not None:
                paired = []
                for (unit_id, t), ks in by_unit_target.items():
                    if unit_id == unit.unit_id:
                        pair = self.model.new_bool_var(f"z{unit_id}{t}")
                        for k in ks:
                            self.model.add_implication(self.x[k], pair)
                        paired.append(pair)
                if paired:
                    self.model.add(sum(paired) <= unit.villages)
        # the first search starts from a greedy assignment: CP-SAT then never ends a search empty-handed
        self.start = self.greedy(fixed)
        for k in self.start:
            self.model.add_hint(self.x[k], True)
        # the start stands for the assignment when no search finds one in time (it keeps every lock when it places every pinned helper)
        self.start_holds = {found[k].helper for k in self.start} >= {h for h in by_helper if problem.helpers[h].helper_id in fixed}
        # objective levels
        self.levels = {
            "weak_needs": sum(var for (t, _), var in self.covered.items() if problem.targets[t].weak),
            "needs": sum(self.covered.values()),
            "staffed": sum(self.staffed.values()),
            "fit": sum(found[k].fit * self.x[k] for k in chosen),
            "kept": sum(int(found[k].kept) * self.x[k] for k in chosen),
            "travel": sum(found[k].tenths_km * self.x[k] for k in chosen),
        }

    def greedy(self, fixed: set[str]) -> set[int]:
        """A feasible start, in passes over the options (pinned helpers first, then
        at weak targets, of better fit, of shorter travel): first each need not yet
        covered, then each target's least helpers, then any room left; an option
        is taken while its helper, target, unit and the unit's villages have room."""
        problem, found = self.problem, self.found
        used, sent, unit_sent, unit_paired, covered, taken = set(), defaultdict(int), defaultdict(int), defaultdict(set), set(), set()
        units = {unit.unit_id: unit for unit in problem.units}
        order = sorted(self.chosen, key=lambda k: (problem.helpers[found[k].helper].helper_id not in fixed, not problem.targets[found[k].target].weak,
                                                   -found[k].fit, found[k].tenths_km))

        def room(k: int) -> bool:
            option = found[k]
            helper, target = problem.helpers[option.helper], problem.targets[option.target]
            unit = units.get(helper.unit)
            return (option.helper not in used and sent[(option.target, helper.role)] < target.required[helper.role][1]
                    and (unit is None or unit.capacity is None or unit_sent[unit.unit_id] < unit.capacity)
                    and (unit is None or unit.villages is None or option.target in unit_paired[unit.unit_id]
                         or len(unit_paired[unit.unit_id]) < unit.villages))

        wanted = (lambda k: (found[k].target, found[k].need) not in covered,
                  lambda k: sent[(found[k].target, problem.helpers[found[k].helper].role)]
                  < problem.targets[found[k].target].required[problem.helpers[found[k].helper].role][0],
                  lambda k: True)
        for useful in wanted:
            for k in order:
                if room(k) and useful(k):
                    option, helper = found[k], problem.helpers[found[k].helper]
                    used.add(option.helper)
                    sent[(option.target, helper.role)] += 1
                    unit_sent[helper.unit] += 1
                    unit_paired[helper.unit].add(option.target)
                    covered.add((option.target, option.need))
                    taken.add(k)
        return taken

    def searches(self) -> list[list[str]]:
        """The levels in searches: consecutive levels merged (exactly, see
        :func:`~pairing.assign.options.merged_weights`) while their weighted sum
        stays below :data:`MERGE_BELOW`, so each solve's presolve is paid fewer times."""
        ranges = level_ranges(self.problem, self.found, self.chosen)
        groups: list[list[str]] = []
        for name, _ in LEVELS:
            if groups:
                merged = [*groups[-1], name]
                weights = merged_weights(merged, ranges)
                if weights[merged[0]] * (ranges[merged[0]] + 1) < MERGE_BELOW:
                    groups[-1] = merged
                    continue
            groups.append([name])
        return groups

    def solve(self, params: SolverParams, deadline: Deadline) -> tuple[list[int], list[dict], bool]:
        """The options chosen, each level's record (status, value, bound, seconds), and whether the locks cannot hold."""
        solver = cp_sat_solver(params)
        # presolve pays here: the coverage and staffing variables are small sums it tightens
        solver.parameters.cp_model_presolve = True
        sense = dict(LEVELS)
        ranges = level_ranges(self.problem, self.found, self.chosen)
        chosen: list[int] | None = None
        records = []
        searches = self.searches()
        for position, names in enumerate(searches):
            weights = merged_weights(names, ranges)
            objective = sum(weights[name] * (self.levels[name] if sense[name] == "max" else -self.levels[name]) for name in names)
            # Until a search has found an assignment, it may take half of what is left.
            share = (len(searches) - position) if chosen is not None else min(2, len(searches) - position)
            solver.parameters.max_time_in_seconds = max(0.05, deadline.remaining() / share)
            started = time.perf_counter()
            status = cp_model.OPTIMAL
            if not isinstance(objective, int):  # an int: nothing in this component to weigh
                self.model.maximize(objective)
                status = run_solver(solver, self.model, deadline) if not deadline.over() else cp_model.UNKNOWN
            spent = round(time.perf_counter() - started, 3)
            if status == cp_model.INFEASIBLE:
                return [], [{"name": names[0], "status": "INFEASIBLE", "value": None, "bound": None, "seconds": spent}], True
            found_one = status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not isinstance(objective, int)
            if found_one:
                chosen = [k for k in self.chosen if solver.boolean_value(self.x[k])]
            if chosen is None and not isinstance(objective, int):
                if not self.start_holds:
                    records += [{"name": name, "status": STATUS_NAMES[status], "value": None, "bound": None, "seconds": spent} for name in names]
                    return [], records, False
                chosen = sorted(self.start)
            values = {name: level_value(self.problem, self.found, chosen or [], name) for name in names}
            proven = status == cp_model.OPTIMAL
            # The top level's bound is the merged bound over its weight: the levels below it add less than that weight.
            top = (int(solver.best_objective_bound) // weights[names[0]] if found_one and sense[names[0]] == "max"
                   and all(sense[name] == "max" for name in names) else None)
            for name in names:
                bound = values[name] if proven else top if name == names[0] else None
                records.append({"name": name, "status": "OPTIMAL" if proven else STATUS_NAMES[status] if found_one else "UNKNOWN",
                                "value": values[name], "bound": bound, "seconds": spent if name == names[0] else 0.0})
                # Each level held at its value while the next searches go on (a level not proven stays at least as good).
                expression = self.levels[name]
                if not isinstance(expression, int):
                    self.model.add(expression >= values[name] if sense[name] == "max" else expression <= values[name])
            if found_one:
                self.model.clear_hints()
                picked = set(chosen)
                for k in self.chosen:
                    self.model.add_hint(self.x[k], k in picked)
        return chosen or [], records, False


def solve_assignment(problem: AssignProblem, params: SolverParams | None = None, deadline: Deadline | None = None) -> Assignment:
    """The lexicographically best assignment of ``problem``'s helpers, each
    level proven where the time allows (see the module's docstring).

    Parameters
    ----------
    problem : AssignProblem
    params : SolverParams, optional
        Workers and seed; the time comes from ``deadline``.
    deadline : Deadline, optional
        When to stop (by default ``params.time_limit`` from now), and the caller's stop.

    Returns
    -------
    Assignment
        ``OPTIMAL`` when every level of every component was proven,
        ``FEASIBLE`` when some was not, ``INFEASIBLE`` when the locks cannot all
        hold (``conflicts`` says which), ``UNKNOWN`` when no assignment was found in time.

    Examples
    --------
    >>> from pairing.assign.problem import Helper, Target
    >>> weak = Target("a", "village", "a", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 1)})
    >>> other = Target("b", "village", "b", "T", (1000.0, 0.0), ("income",), False, {"resident_cadre": (1, 1)})
    >>> helper = Helper("H1", "Li", "U1", "resident_cadre", ("income",), (1000.0, 0.0))
    >>> result = solve_assignment(AssignProblem((weak, other), (helper,), (), max_km=10.0))
    >>> result.status, result.postings
    ('OPTIMAL', (Posting(helper_id='H1', target_id='a', need='income'),))
    """
    params = params or SolverParams()
    deadline = deadline or Deadline.after(params.time_limit)
    started = time.perf_counter()
    found, unkept = options(problem)
    fixed = set(fixed_helpers(problem))
    if unkept:
        return Assignment(problem, (), "INFEASIBLE", solve_seconds=round(time.perf_counter() - started, 3), conflicts=tuple(unkept))
    parts = components(problem, found)
    chosen, per_level = [], defaultdict(list)
    flows = {position: level_weights(problem, found, part) if flow_fits(problem, found, part, fixed) else None
             for position, part in enumerate(parts)}
    # The flows first: they take a fraction of a second each; the CP-SAT components share what is left, by size.
    order = sorted(range(len(parts)), key=lambda position: flows[position] is None)
    left = max(1, sum(len(parts[position]) for position in order if flows[position] is None))
    for position in order:
        part = parts[position]
        if flows[position] is not None:
            picked, records = solve_flow(problem, found, part, flows[position])
        else:
            share = deadline.sooner(max(0.1, deadline.remaining() * len(part) / left))
            left = max(1, left - len(part))
            picked, records, infeasible = ComponentModel(problem, found, part, fixed).solve(params, share)
            if infeasible:
                return Assignment(problem, (), "INFEASIBLE", solve_seconds=round(time.perf_counter() - started, 3),
                                  conflicts=("the pinned and kept helpers exceed a target's most helpers of their role, or their unit's capacity",))
        chosen += picked
        for record in records:
            per_level[record["name"]].append(record)
    stages = tuple(_combined(name, per_level.get(name, []), len(parts)) for name, _ in LEVELS)
    statuses = {stage["status"] for stage in stages}
    status = "OPTIMAL" if statuses <= {"OPTIMAL"} else "UNKNOWN" if stages and stages[0]["value"] is None and parts else "FEASIBLE"
    postings = tuple(Posting(problem.helpers[found[k].helper].helper_id, problem.targets[found[k].target].target_id, found[k].need)
                     for k in sorted(chosen, key=lambda k: found[k].helper))
    return Assignment(problem, postings, status, stages, round(time.perf_counter() - started, 3), deadline.stopped())


def _combined(name: str, records: list[dict], parts: int) -> dict:
    """A level's record over the components: values and bounds summed (no bound when one is missing)."""
    if len(records) < parts:
        records = [*records, *[{"status": "UNKNOWN", "value": None, "bound": None, "seconds": 0.0}] * (parts - len(records))]
    values = [record["value"] for record in records]
    bounds = [record["bound"] for record in records]
    statuses = {record["status"] for record in records}
    return {"name": name, "status": "OPTIMAL" if statuses <= {"OPTIMAL"} else "FEASIBLE" if None not in values else "UNKNOWN",
            "method": ", ".join(sorted({record.get("method", "CP-SAT") for record in records})),
            "value": None if None in values else sum(values), "bound": None if None in bounds else sum(bounds),
            "seconds": round(sum(record["seconds"] for record in records), 3)}
