"""Why a helper stays idle, why a need stays unmet and why a target is short
of helpers: each reason starts with its kind (``out_of_reach``, ``no_skill``,
``unit_capacity``, ``locked``, ``taken``, ``full``, ``not_chosen``), then says it
with the figures."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from .problem import Assignment, Helper, Target


class Reasons:
    """The reasons of one assignment (the counts it needs computed once).

    Examples
    --------
    >>> from pairing.assign.problem import AssignProblem, Posting
    >>> target = Target("a", "village", "a", "T", (0.0, 0.0), ("income", "mass_work"), True, {"resident_cadre": (1, 1)})
    >>> helpers = (Helper("H1", "Li", "U1", "resident_cadre", ("income",), (0.0, 0.0)),
    ...            Helper("H2", "Wang", "U1", "resident_cadre", ("income",), (0.0, 0.0)))
    >>> reasons = Reasons(Assignment(AssignProblem((target,), helpers, (), max_km=10.0), (Posting("H1", "a", "income"),)))
    >>> reasons.idle(helpers[1])
    'full: the 1 villages or groups within 10 km that need income have their most resident_cadre helpers'
    >>> reasons.unmet(target, "mass_work")
    'no_skill: no resident_cadre has the skill mass_work'
    """

    def __init__(self, assignment: Assignment):
        problem = self.problem = assignment.problem
        self.assignment = assignment
        self.where = np.array([target.xy for target in problem.targets], dtype=float).reshape(-1, 2)
        self.sent = Counter()
        self.unit_sent, self.unit_paired = Counter(), defaultdict(set)
        for posting in assignment.postings:
            helper = problem.helper(posting.helper_id)
            self.sent[(posting.target_id, helper.role)] += 1
            self.unit_sent[helper.unit] += 1
            self.unit_paired[helper.unit].add(posting.target_id)
        self.forbidden = set(problem.locks.forbid)

    def _near(self, helper: Helper) -> list[Target]:
        if not len(self.where):
            return []
        rows = np.flatnonzero(np.hypot(*(self.where - np.array(helper.xy)).T) / 1000.0 <= self.problem.max_km + 0.1)
        return [self.problem.targets[row] for row in rows if self.problem.reachable(helper, self.problem.targets[row])]

    def _unit_full(self, helper: Helper, target: Target) -> str:
        """Why the helper's unit can send no one more (to ``target``), or ""."""
        unit = self.problem.unit(helper.unit)
        if unit is None:
            return ""
        if unit.capacity is not None and self.unit_sent[unit.unit_id] >= unit.capacity:
            return f"unit_capacity: unit {unit.unit_id} already sends {unit.capacity}, its capacity"
        if unit.villages is not None and len(self.unit_paired[unit.unit_id]) >= unit.villages and target.target_id not in self.unit_paired[unit.unit_id]:
            return f"unit_capacity: unit {unit.unit_id} already pairs with {unit.villages} villages or groups, its most"
        return ""

    def _full(self, target: Target, role: str) -> bool:
        return self.sent[(target.target_id, role)] >= target.required.get(role, (0, 0))[1]

    def idle(self, helper: Helper) -> str:
        """Why a helper the assignment leaves idle is idle."""
        max_km = f"{self.problem.max_km:g} km"
        near = self._near(helper)
        if not near:
            return f"out_of_reach: no village or group in need within {max_km} of home"
        takers = [target for target in near if target.required.get(helper.role, (0, 0))[1] > 0]
        if not takers:
            return f"no_role: nothing within {max_km} takes a {helper.role}"
        matching = [target for target in takers if set(helper.skills) & set(target.needs)]
        if not matching:
            return f"no_need: nothing within {max_km} needs {', '.join(helper.skills)}"
        allowed = [target for target in matching if (helper.helper_id, target.target_id) not in self.forbidden]
        if not allowed:
            return "locked: every pairing within reach is forbidden ([assign.locks] forbid)"
        open_targets = [target for target in allowed if not self._full(target, helper.role)]
        if not open_targets:
            return (f"full: the {len(allowed)} villages or groups within {max_km} that need {', '.join(helper.skills)} have their most "
                    f"{helper.role} helpers")
        units = [self._unit_full(helper, target) for target in open_targets]
        if all(units):
            return units[0]
        return "not_chosen: the search ended before it could place this helper (--time-limit)"

    def unmet(self, target: Target, need: str) -> str:
        """Why no helper serves ``need`` at ``target``."""
        roles = [role for role, (_, high) in target.required.items() if high > 0]
        able = [helper for helper in self.problem.helpers if helper.role in roles and need in helper.skills]
        if not able:
            return f"no_skill: no {' or '.join(roles)} has the skill {need}"
        near = [helper for helper in able if self.problem.reachable(helper, target)]
        if not near:
            return f"out_of_reach: no helper with the skill {need} lives within {self.problem.max_km:g} km"
        allowed = [helper for helper in near if (helper.helper_id, target.target_id) not in self.forbidden]
        if not allowed:
            return "locked: every helper with the skill within reach is forbidden here ([assign.locks] forbid)"
        idle = [helper for helper in allowed if self.assignment.posting(helper.helper_id) is None]
        if not idle:
            return f"taken: the {len(allowed)} helpers with the skill {need} within reach serve elsewhere (weak villages and more needs first)"
        if all(self._full(target, helper.role) for helper in idle):
            return f"full: {target.target_id} has its most helpers of {', '.join(sorted({helper.role for helper in idle}))}"
        units = [self._unit_full(helper, target) for helper in idle]
        if all(units):
            return units[0]
        return "not_chosen: the search ended before it could cover this need (--time-limit)"

    def short(self, target: Target, role: str) -> str:
        """Why ``target`` has fewer helpers of ``role`` than it requires (the reason of its first need no more helper can serve)."""
        able = [helper for helper in self.problem.helpers if helper.role == role and set(helper.skills) & set(target.needs)]
        if not able:
            return f"no_skill: no {role} has a skill {target.target_id} needs ({', '.join(target.needs)})"
        near = [helper for helper in able if self.problem.reachable(helper, target)]
        if not near:
            return f"out_of_reach: no {role} with a skill it needs lives within {self.problem.max_km:g} km"
        idle = [helper for helper in near if self.assignment.posting(helper.helper_id) is None
                and (helper.helper_id, target.target_id) not in self.forbidden]
        if not idle:
            return f"taken: the {len(near)} {role} helpers within reach with a skill it needs serve elsewhere"
        units = [self._unit_full(helper, target) for helper in idle]
        return units[0] if all(units) else "not_chosen: the search ended before it could place more (--time-limit)"
