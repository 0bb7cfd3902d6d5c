"""Helper pairing as plain records: the helpers and units, the villages and
groups that need them (targets), the problem they make, and an assignment of
helpers to targets. Built and validated once (:mod:`pairing.assign.targets`,
:mod:`pairing.assign.helpers`); the model, the checker and the outputs only read
them."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from .settings import AssignLocks


@dataclass(frozen=True)
class Helper:
    """A cadre who can be sent: from a unit, as a role, with skills (needs they
    can serve), living at ``xy`` (metres, in the villages' CRS), and where they
    served last year (a village or group id, or "")."""

    helper_id: str
    name: str
    unit: str
    role: str
    skills: tuple[str, ...]
    xy: tuple[float, float]
    previous: str = ""


@dataclass(frozen=True)
class Unit:
    """A county unit (bureau, township office) that sends cadres: at most
    ``capacity`` of them at once, to at most ``villages`` targets (None: no limit)."""

    unit_id: str
    name: str
    kind: str = ""
    skills: tuple[str, ...] = ()
    capacity: int | None = None
    villages: int | None = None


@dataclass(frozen=True)
class Target:
    """A village (or, with a grouping plan, a group) that takes helpers.

    ``required`` is role -> (at least, at most) helpers; ``villages`` are a
    group's villages (a village's own id for a village); ``group_id`` is the
    group a village is in under the plan ("" without one)."""

    target_id: str
    kind: str
    name: str
    township: str
    xy: tuple[float, float]
    needs: tuple[str, ...]
    weak: bool
    required: dict[str, tuple[int, int]]
    villages: tuple[str, ...] = ()
    group_id: str = ""


@dataclass(frozen=True)
class AssignProblem:
    """Everything a helper assignment is solved and checked against.

    ``kept`` is each helper's target of last year that is a target again (the
    previous group, or the group holding the previous village); ``villages``
    holds every village's needs and group, targets or not, for the outputs.

    Examples
    --------
    >>> target = Target("a", "village", "a", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 2)})
    >>> helper = Helper("H1", "Li", "U1", "resident_cadre", ("income",), (3000.0, 4000.0))
    >>> problem = AssignProblem((target,), (helper,), (), max_km=10.0)
    >>> problem.km(helper, target), problem.reachable(helper, target)
    (5.0, True)
    """

    targets: tuple[Target, ...]
    helpers: tuple[Helper, ...]
    units: tuple[Unit, ...]
    max_km: float
    locks: AssignLocks = field(default_factory=AssignLocks)
    kept: dict[str, str] = field(default_factory=dict)
    villages: dict[str, dict] = field(default_factory=dict)
    source: str = ""
    with_plan: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "_targets", {target.target_id: target for target in self.targets})
        object.__setattr__(self, "_helpers", {helper.helper_id: helper for helper in self.helpers})
        object.__setattr__(self, "_units", {unit.unit_id: unit for unit in self.units})

    def target(self, target_id: str) -> Target | None:
        return self._targets.get(target_id)

    def helper(self, helper_id: str) -> Helper | None:
        return self._helpers.get(helper_id)

    def unit(self, unit_id: str) -> Unit | None:
        return self._units.get(unit_id)

    @staticmethod
    def km(helper: Helper, target: Target) -> float:
        """Straight-line kilometres from the helper's home to the target, to 0.1 km."""
        return round(math.hypot(helper.xy[0] - target.xy[0], helper.xy[1] - target.xy[1]) / 1000.0, 1)

    def reachable(self, helper: Helper, target: Target) -> bool:
        return self.km(helper, target) <= self.max_km


@dataclass(frozen=True)
class Posting:
    """One helper sent to one target to serve one of its needs."""

    helper_id: str
    target_id: str
    need: str


@dataclass(frozen=True)
class Assignment:
    """Which helper serves where, and what the solve proved.

    ``stages`` has one entry per objective level: name, status, value, bound,
    seconds. ``status`` is ``OPTIMAL`` only when every level is proven.
    """

    problem: AssignProblem
    postings: tuple[Posting, ...]
    status: str = "UNKNOWN"
    stages: tuple[dict, ...] = ()
    solve_seconds: float = 0.0
    stopped: bool = False
    conflicts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_postings", {posting.helper_id: posting for posting in reversed(self.postings)})

    def posting(self, helper_id: str) -> Posting | None:
        """The helper's posting (the first, if a hand-edited file has several), or None."""
        return self._postings.get(helper_id)

    def covered(self) -> set[tuple[str, str]]:
        """The (target, need) pairs some posting serves."""
        return {(posting.target_id, posting.need) for posting in self.postings}

    def metrics(self) -> dict:
        """Needs and how many are covered (at weak targets too), helpers sent,
        skill fit, last year's pairings kept and travel, as the summary gives them.

        Examples
        --------
        >>> target = Target("a", "village", "a", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 2)})
        >>> helper = Helper("H1", "Li", "U1", "resident_cadre", ("income",), (3000.0, 4000.0), previous="a")
        >>> problem = AssignProblem((target,), (helper,), (), max_km=10.0, kept={"H1": "a"})
        >>> Assignment(problem, (Posting("H1", "a", "income"),), "OPTIMAL").metrics()["needs_covered"]
        1
        """
        problem, covered = self.problem, self.covered()
        needs = [(target.target_id, need, target.weak) for target in problem.targets for need in target.needs]
        sent = [(posting, problem.helper(posting.helper_id), problem.target(posting.target_id)) for posting in self.postings]
        counts = Counter((posting.target_id, helper.role) for posting, helper, _ in sent)
        short = sum(max(0, low - counts[(target.target_id, role)]) for target in problem.targets for role, (low, _) in target.required.items())
        return {
            "status": self.status,
            "targets": len(problem.targets),
            "needs": len(needs),
            "needs_covered": sum((target, need) in covered for target, need, _ in needs),
            "weak_needs": sum(weak for _, _, weak in needs),
            "weak_needs_covered": sum(weak and (target, need) in covered for target, need, weak in needs),
            "helpers": len(problem.helpers),
            "helpers_sent": len(self.postings),
            "helpers_short": short,
            "fit": sum(len(set(helper.skills) & set(target.needs)) for _, helper, target in sent),
            "previous": len(problem.kept),
            "kept": sum(problem.kept.get(posting.helper_id) == posting.target_id for posting in self.postings),
            "travel_km": round(sum(problem.km(helper, target) for _, helper, target in sent), 1),
            "solve_seconds": self.solve_seconds,
        }
