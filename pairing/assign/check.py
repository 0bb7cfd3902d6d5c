"""An independent checker for a helper assignment, as :mod:`pairing.check` is
for plans: it shares nothing with the model but the problem's data, and each
rule and lock is a small named check, so a failure says which rule broke, for
which helper and target, with the figures."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from .problem import Assignment, AssignProblem, Posting


@dataclass(frozen=True)
class AssignViolation:
    """One broken rule: which rule, for which helper and target, and why."""

    rule: str
    helper_id: str
    target_id: str
    detail: str

    def __str__(self) -> str:
        where = " -> ".join(part for part in (self.helper_id, self.target_id) if part) or "assignment"
        return f"{where}: {self.rule}: {self.detail}"


def _distance_km(problem: AssignProblem, posting: Posting) -> float:
    helper, target = problem.helper(posting.helper_id), problem.target(posting.target_id)
    return round(math.hypot(helper.xy[0] - target.xy[0], helper.xy[1] - target.xy[1]) / 1000.0, 1)


def check_known(problem: AssignProblem, postings: tuple[Posting, ...]):
    for posting in postings:
        if problem.helper(posting.helper_id) is None:
            yield AssignViolation("helper_known", posting.helper_id, posting.target_id, f"unknown helper {posting.helper_id}")
        if problem.target(posting.target_id) is None:
            yield AssignViolation("target_known", posting.helper_id, posting.target_id, f"{posting.target_id} is no village in need or group")


def check_one_target(problem: AssignProblem, postings: tuple[Posting, ...]):
    for helper, count in Counter(posting.helper_id for posting in postings).items():
        if count > 1:
            targets = ", ".join(posting.target_id for posting in postings if posting.helper_id == helper)
            yield AssignViolation("one_target", helper, "", f"serves {count} villages or groups ({targets}); a helper serves one")


def check_pairing(problem: AssignProblem, postings: tuple[Posting, ...]):
    """Role, skill, need and reach of each posting on its own."""
    for posting in postings:
        helper, target = problem.helper(posting.helper_id), problem.target(posting.target_id)
        if helper is None or target is None:
            continue
        if target.required.get(helper.role, (0, 0))[1] < 1:
            yield AssignViolation("role", helper.helper_id, target.target_id, f"a {target.kind} here takes no {helper.role}")
        if posting.need not in helper.skills:
            yield AssignViolation("skill", helper.helper_id, target.target_id,
                                  f"serves {posting.need} but has the skills {', '.join(helper.skills)}")
        if posting.need not in target.needs:
            yield AssignViolation("need", helper.helper_id, target.target_id,
                                  f"serves {posting.need}, which {target.target_id} does not need ({', '.join(target.needs) or 'nothing'})")
        km = _distance_km(problem, posting)
        if km > problem.max_km:
            yield AssignViolation("reach", helper.helper_id, target.target_id, f"{km:.1f} km from home, over {problem.max_km:g} km")


def check_most_helpers(problem: AssignProblem, postings: tuple[Posting, ...]):
    counts = Counter((posting.target_id, problem.helper(posting.helper_id).role) for posting in postings
                     if problem.helper(posting.helper_id) is not None and problem.target(posting.target_id) is not None)
    for (target_id, role), count in sorted(counts.items()):
        most = problem.target(target_id).required.get(role, (0, 0))[1]
        if count > most > 0:  # a role the target takes none of is the role check's
            yield AssignViolation("most_helpers", "", target_id, f"{count} of role {role}, over the most {most}")


def check_units(problem: AssignProblem, postings: tuple[Posting, ...]):
    sent, paired = Counter(), defaultdict(set)
    for posting in postings:
        helper = problem.helper(posting.helper_id)
        if helper is not None:
            sent[helper.unit] += 1
            paired[helper.unit].add(posting.target_id)
    for unit in problem.units:
        if unit.capacity is not None and sent[unit.unit_id] > unit.capacity:
            yield AssignViolation("unit_capacity", "", "", f"unit {unit.unit_id} sends {sent[unit.unit_id]} helpers, over its capacity {unit.capacity}")
        if unit.villages is not None and len(paired[unit.unit_id]) > unit.villages:
            yield AssignViolation("unit_villages", "", "", f"unit {unit.unit_id} pairs with {len(paired[unit.unit_id])} villages or groups, "
                                                           f"over its {unit.villages}")


def check_locks(problem: AssignProblem, postings: tuple[Posting, ...]):
    locks = problem.locks
    served = {posting.helper_id: posting.target_id for posting in postings}
    for helper, target in locks.pin.items():
        if served.get(helper) != target:
            yield AssignViolation("pin", helper, target, f"must serve {target}, serves {served.get(helper) or 'nowhere'}")
    for helper, target in locks.forbid:
        if served.get(helper) == target:
            yield AssignViolation("forbid", helper, target, f"{helper} may not serve {target}")
    for helper in (problem.kept if locks.keep_previous else locks.keep):
        if helper in problem.kept and served.get(helper) != problem.kept[helper]:
            yield AssignViolation("keep", helper, problem.kept[helper],
                                  f"must serve again where they served last year ({problem.kept[helper]}), serves {served.get(helper) or 'nowhere'}")


CHECKS = (check_known, check_one_target, check_pairing, check_most_helpers, check_units, check_locks)


def check_assignment(assignment: Assignment, problem: AssignProblem | None = None) -> list[AssignViolation]:
    """Every rule and lock the assignment breaks; an empty list means it is valid.

    Examples
    --------
    >>> from pairing.assign.problem import Helper, Target
    >>> target = Target("a", "village", "a", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 1)})
    >>> helper = Helper("H1", "Li", "U1", "resident_cadre", ("industry",), (0.0, 90000.0))
    >>> problem = AssignProblem((target,), (helper,), (), max_km=50.0)
    >>> [str(v) for v in check_assignment(Assignment(problem, (Posting("H1", "a", "income"),)))]
    ['H1 -> a: skill: serves income but has the skills industry', 'H1 -> a: reach: 90.0 km from home, over 50 km']
    """
    problem = assignment.problem if problem is None else problem
    return [violation for rule_check in CHECKS for violation in rule_check(problem, assignment.postings)]
