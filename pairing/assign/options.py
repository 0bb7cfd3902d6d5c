"""What a helper assignment chooses from: the options (a helper, a target
within reach that takes the helper's role, and one of the target's needs among
the helper's skills), split into independent components, and the objective's
levels, in order:

1. needs covered at weak villages (a need is covered when a helper serves it);
2. needs covered;
3. helpers placed towards each target's required minimum, per role;
4. skill fit: for each helper sent, how many of the target's needs their skills cover;
5. last year's pairings kept;
6. travel from home, in tenths of a km (minimised).

Helpers, targets and units that share no option (directly or through a chain)
form independent components: the lexicographic optimum is the union of theirs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from networkx.utils import UnionFind

from .problem import AssignProblem

#: The levels in order: name and sense.
LEVELS = (("weak_needs", "max"), ("needs", "max"), ("staffed", "max"), ("fit", "max"), ("kept", "max"), ("travel", "min"))


@dataclass(frozen=True, slots=True)
class Option:
    """A helper (by position) may serve a target (by position) for one of its needs."""

    helper: int
    target: int
    need: str
    fit: int
    kept: bool
    tenths_km: int


def options(problem: AssignProblem) -> tuple[list[Option], list[str]]:
    """Every option the rules and locks allow, and the locks no option keeps (each as a sentence).

    Examples
    --------
    >>> from pairing.assign.problem import Helper, Target
    >>> target = Target("a", "village", "a", "T", (0.0, 0.0), ("income", "industry"), True, {"resident_cadre": (1, 2)})
    >>> helper = Helper("H1", "Li", "U1", "resident_cadre", ("income", "industry"), (3000.0, 4000.0))
    >>> options(AssignProblem((target,), (helper,), (), max_km=10.0))
    ([Option(helper=0, target=0, need='income', fit=2, kept=False, tenths_km=50), Option(helper=0, target=0, need='industry', fit=2, kept=False, tenths_km=50)], [])
    """
    targets = problem.targets
    where = np.array([target.xy for target in targets], dtype=float).reshape(-1, 2)
    # Which targets take each role and need each need, as masks: the loop below visits only real options.
    takes = {role: np.array([target.required.get(role, (0, 0))[1] > 0 for target in targets], dtype=bool)
             for role in {helper.role for helper in problem.helpers}}
    wants = {need: np.array([need in target.needs for target in targets], dtype=bool) for need in {n for t in targets for n in t.needs}}
    nothing = np.zeros(len(targets), dtype=bool)
    forbidden, fixed = set(problem.locks.forbid), fixed_helpers(problem)
    found, unkept = [], []
    for h, helper in enumerate(problem.helpers):
        km = np.hypot(*(where - np.array(helper.xy)).T) / 1000.0
        wanted = np.logical_or.reduce([wants.get(skill, nothing) for skill in helper.skills]) if helper.skills else nothing
        near = np.flatnonzero((km <= problem.max_km + 0.1) & takes[helper.role] & wanted)
        mine = []
        # Python numbers from here on: numpy scalars are slow one at a time.
        for t, distance, tenths in zip(near.tolist(), km[near].tolist(), np.rint(km[near] * 10).astype(np.int64).tolist()):
            target = targets[t]
            # Near the reach, the problem's own rounding decides (as the checker's does).
            if (distance > problem.max_km - 0.1 and not problem.reachable(helper, target)) or (helper.helper_id, target.target_id) in forbidden:
                continue
            if helper.helper_id in fixed and fixed[helper.helper_id] != target.target_id:
                continue
            served = [need for need in target.needs if need in helper.skills]
            kept = problem.kept.get(helper.helper_id) == target.target_id
            mine += [Option(h, t, need, len(served), kept, tenths) for need in served]
        if helper.helper_id in fixed and not mine:
            unkept.append(f"{helper.helper_id} cannot serve {fixed[helper.helper_id]}: it is out of reach, takes no {helper.role}, "
                          f"needs none of {', '.join(helper.skills)}, or the pairing is forbidden")
        found += mine
    return found, unkept


def components(problem: AssignProblem, found: list[Option]) -> list[list[int]]:
    """The options split into independent components (largest first), by
    helpers, targets and the units whose limits tie their helpers together."""
    parts = UnionFind()
    limited = {unit.unit_id for unit in problem.units if unit.capacity is not None or unit.villages is not None}
    for option in found:
        parts.union(("h", option.helper), ("t", option.target))
    for h, helper in enumerate(problem.helpers):
        if helper.unit in limited:
            parts.union(("h", h), ("u", helper.unit))
    groups = defaultdict(list)
    for k, option in enumerate(found):
        groups[parts[("h", option.helper)]].append(k)
    return sorted(groups.values(), key=len, reverse=True)


def fixed_helpers(problem: AssignProblem) -> dict[str, str]:
    """Helper -> the target a lock sends them to (pinned, or kept from last year)."""
    locks = problem.locks
    kept = problem.kept if locks.keep_previous else {helper: problem.kept[helper] for helper in locks.keep if helper in problem.kept}
    return {**kept, **locks.pin}


def level_value(problem: AssignProblem, found: list[Option], chosen: list[int], name: str) -> int:
    """A level's value for the options chosen.

    Examples
    --------
    >>> from pairing.assign.problem import Helper, Target
    >>> target = Target("a", "village", "a", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (2, 2)})
    >>> problem = AssignProblem((target,), (Helper("H1", "Li", "U1", "resident_cadre", ("income",), (0.0, 500.0)),), (), max_km=10.0)
    >>> found, _ = options(problem)
    >>> [level_value(problem, found, [0], name) for name, _ in LEVELS]
    [1, 1, 1, 1, 0, 5]
    """
    served = {(found[k].target, found[k].need) for k in chosen}
    if name == "weak_needs":
        return sum(problem.targets[t].weak for t, _ in served)
    if name == "needs":
        return len(served)
    if name == "staffed":
        counts = defaultdict(int)
        for k in chosen:
            counts[(found[k].target, problem.helpers[found[k].helper].role)] += 1
        return sum(min(count, problem.targets[t].required[role][0]) for (t, role), count in counts.items())
    return sum(int(getattr(found[k], {"fit": "fit", "kept": "kept", "travel": "tenths_km"}[name])) for k in chosen)


def level_ranges(problem: AssignProblem, found: list[Option], part: list[int]) -> dict[str, int]:
    """How far each level's value can range over the options ``part`` (from 0),
    beyond what the level above it fixes: the sizes that make weights merging
    levels exact (see :func:`merged_weights`).

    Needs covered range over the needs of targets that are not weak: once the
    weak level is fixed, only those can change the needs level. Without weak
    targets, or with only weak ones, the two levels weigh alike.

    Examples
    --------
    >>> from pairing.assign.problem import Helper, Target
    >>> targets = (Target("a", "village", "a", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (2, 2)}),
    ...            Target("b", "village", "b", "T", (0.0, 0.0), ("income",), False, {"resident_cadre": (1, 1)}))
    >>> problem = AssignProblem(targets, (Helper("H1", "Li", "U1", "resident_cadre", ("income",), (0.0, 500.0)),), (), max_km=10.0)
    >>> found, _ = options(problem)
    >>> level_ranges(problem, found, list(range(len(found))))
    {'weak_needs': 1, 'needs': 1, 'staffed': 3, 'fit': 1, 'kept': 0, 'travel': 5}
    """
    best = defaultdict(lambda: {"fit": 0, "travel": 0, "kept": 0})
    for k in part:
        option, most = found[k], best[found[k].helper]
        most.update(fit=max(most["fit"], option.fit), travel=max(most["travel"], option.tenths_km), kept=max(most["kept"], int(option.kept)))
    needs = {(found[k].target, found[k].need) for k in part}
    weak = sum(problem.targets[t].weak for t, _ in needs)
    return {"weak_needs": weak, "needs": len(needs) - weak,
            "staffed": sum(low for t in {t for t, _ in needs} for low, _ in problem.targets[t].required.values()),
            **{level: sum(most[level] for most in best.values()) for level in ("fit", "kept", "travel")}}


def merged_weights(names: list[str], ranges: dict[str, int]) -> dict[str, int]:
    """Weights that make a sum of the levels ``names`` (highest first) lexicographic
    exactly: the lowest weighs 1, each other more than all below it can add up to.

    Examples
    --------
    >>> merged_weights(["needs", "staffed", "fit"], {"needs": 4, "staffed": 3, "fit": 9})
    {'fit': 1, 'staffed': 10, 'needs': 40}
    """
    weights, lower = {}, None
    for name in reversed(names):
        weights[name] = 1 if lower is None else weights[lower] * (ranges[lower] + 1)
        lower = name
    return weights
