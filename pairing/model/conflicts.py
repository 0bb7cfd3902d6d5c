"""Why the planner's locks cannot all hold: a lock no valid group can keep is
explained from the data, and locks that conflict with each other are found
with CP-SAT assumptions."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ..deadline import Deadline
from ..instance import Instance
from ..locks import Locks
from ..rules import Rules
from .candidates import Candidates
from .constraints import LockConstraint
from .cpsat import run_solver, set_safe_presolve

#: Longest search for a set of conflicting locks.
EXPLAIN_SECONDS = 10.0


def add_lock(model: cp_model.CpModel, chosen: list, constraint: LockConstraint, enforce=None) -> None:
    """Add one lock to a packing model, optionally only when ``enforce`` is true."""
    conditional = [] if enforce is None else [enforce]
    for c in constraint.forbidden:
        model.add(chosen[c] == 0).only_enforce_if(conditional)
    if constraint.required is not None:
        model.add(sum(chosen[c] for c in constraint.required) == 1).only_enforce_if(conditional)


def explain_conflict(instance: Instance, rules: Rules, locks: Locks, candidates: Candidates,
                     constraints: list[LockConstraint], deadline: Deadline | None = None) -> tuple[str, ...]:
    """Which locks cannot hold together under the rules, each with why.

    A lock that no candidate group can satisfy alone is explained from the
    data (e.g. population over the ceiling, different townships). Otherwise a
    small set of locks that conflict with each other is found with CP-SAT
    assumptions (``sufficient_assumptions_for_infeasibility``).
    """
    alone = [f"{c.lock}: {why_no_group(instance, rules, locks, c.lock)}" for c in constraints
             if c.required is not None and not set(c.required) - set(c.forbidden)]
    if alone:
        return tuple(alone)
    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"group_{c}") for c in range(len(candidates))]
    for village_candidates in candidates.containing(instance.n):
        if len(village_candidates) > 1:
            model.add_at_most_one(chosen[c] for c in village_candidates)
    keep = [model.new_bool_var(constraint.lock) for constraint in constraints]
    for constraint, literal in zip(constraints, keep):
        add_lock(model, chosen, constraint, enforce=literal)
    model.add_assumptions(keep)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # cores of assumptions come from the sequential search
    solver.parameters.max_time_in_seconds = EXPLAIN_SECONDS if deadline is None else max(0.1, min(EXPLAIN_SECONDS, deadline.remaining()))
    solver.parameters.catch_sigint_signal = False
    set_safe_presolve(solver)
    if run_solver(solver, model, deadline) != cp_model.INFEASIBLE:
        return ("the locks could not be shown to conflict within the time limit",)
    core = set(solver.sufficient_assumptions_for_infeasibility())
    return tuple(f"{constraint.lock}: cannot hold together with the other locks listed here"
                 for constraint, literal in zip(constraints, keep) if literal.index in core)


def why_no_group(instance: Instance, rules: Rules, locks: Locks, lock: str) -> str:
    """Why no valid group can satisfy one lock, in the rules' own terms."""
    kind, _, rest = lock.partition(" ")
    if kind == "pin":
        village, lead = rest.split(" -> ")
        named = [lead, village]
    else:
        named = rest.split(", ")
    rows = [instance.index(v) for v in named]
    people = int(instance.population[rows].sum())
    townships = sorted({instance.township[r] for r in rows})
    low_size, high_size = rules.group_size
    lead_rows = [instance.index(v) for v in (named[:1] if kind in ("pin", "leads") else [])]
    if any(v in locks.exclude for v in named):
        return f"{', '.join(v for v in named if v in locks.exclude)} is excluded"
    if kind == "together" and len(named) > high_size:
        return f"{len(named)} villages exceed the group size limit {high_size}"
    if people > rules.group_population[1]:
        return f"together they have {people:,} people, over the ceiling {rules.group_population[1]:,}"
    if rules.same_township and len(townships) > 1:
        return f"they are in different townships ({', '.join(townships)}) and same_township = true"
    if any(instance.weak[r] for r in lead_rows):
        return f"{named[0]} is weak and a weak village may not lead"
    if any(v in locks.not_lead for v in named[:1]) and lead_rows:
        return f"{named[0]} is also in not_lead"
    stronger = [instance.ids[r] for r in rows if lead_rows and instance.strength[r] > instance.strength[lead_rows[0]]]
    if stronger:
        return f"{', '.join(stronger)} is stronger than the lead {named[0]}, and a lead must be the strongest of its group"
    return (f"no group of {low_size}-{high_size} {rules.contiguity} villages with "
            f"{rules.group_population[0]:,}-{rules.group_population[1]:,} people and a valid lead contains them")
