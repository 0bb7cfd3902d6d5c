"""A plan: disjoint groups, each with one lead, and how the solve went."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from .errors import InputError
from .instance import Instance
from .locks import Locks
from .rules import Rules

Status = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"]
ROLES = ("lead", "member", "none")


def group_key(lead: str, villages) -> tuple[str, frozenset[str]]:
    """What identifies a group whatever its id: its lead and its villages.

    Examples
    --------
    >>> group_key("a", ["c", "a", "b"]) == group_key("a", ("a", "b", "c"))
    True
    """
    return (lead, frozenset(villages))


@dataclass(frozen=True)
class Group:
    """One group: its lead village and the villages it leads (by village id).

    A valid group has exactly one lead; ``leads`` is a tuple so that a plan a
    planner edited by hand (no lead, or two) can be represented and checked.
    """

    group_id: str
    leads: tuple[str, ...]
    members: tuple[str, ...]

    @property
    def lead(self) -> str:
        """The lead village, or "" when the group does not have exactly one."""
        return self.leads[0] if len(self.leads) == 1 else ""

    @property
    def villages(self) -> tuple[str, ...]:
        """The leads first, then the members."""
        return (*self.leads, *self.members)

    @property
    def key(self) -> tuple[str, frozenset[str]]:
        """The group's :func:`group_key`."""
        return group_key(self.lead, self.villages)


@dataclass(frozen=True)
class Objective:
    """The lexicographic objective: more weak villages grouped first, then more
    villages grouped, then less total member-to-lead distance. As a bound, a
    level the solver never reached is None."""

    weak_grouped: int | None
    villages_grouped: int | None
    distance: int | None

    def as_dict(self) -> dict[str, int | None]:
        return {"weak_grouped": self.weak_grouped, "villages_grouped": self.villages_grouped, "distance": self.distance}


@dataclass(frozen=True, eq=False)
class Plan:
    """A grouping plan for an instance, with the solver's account of it.

    Parameters
    ----------
    instance : Instance
        The villages the plan groups.
    rules : Rules
        The rules it was made (or is checked) under.
    groups : tuple of Group
        Disjoint groups; villages in none are ungrouped.
    status : {"OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"}
        OPTIMAL only when the solver proved every objective level optimal.
    bound : Objective, optional
        The best bound per objective level the solver proved (equal to the
        objective where proven).
    gap : float, optional
        Relative gap of the first objective level not proven optimal, 0 when
        OPTIMAL.
    solve_seconds : float
        Wall-clock time of the solve.
    seed, workers : int
        Solver settings, for reproducing the plan.
    stages : tuple of dict
        One entry per objective level solved: status, value, bound, seconds.
    locks : Locks
        The planner's locks the plan was made under (the checker checks them too).
    conflicts : tuple of str
        When INFEASIBLE: the locks and rules that cannot all hold, each with why.
    stopped : bool
        The caller's stop (Ctrl-C, SIGTERM, a ``stop`` event or callback) ended
        the solve: the plan is the best found by then, not proven unless its
        status says OPTIMAL.
    reasons : dict
        Village id -> why it is ungrouped: ``excluded``, ``no_feasible_group: <the
        rule that rules it out>`` or ``not_chosen: ...`` (see
        :func:`pairing.diagnose.ungrouped_reasons`).
    """

    instance: Instance
    rules: Rules
    groups: tuple[Group, ...]
    status: Status = "FEASIBLE"
    bound: Objective | None = None
    gap: float | None = None
    solve_seconds: float = 0.0
    seed: int | None = None
    workers: int | None = None
    stages: tuple[dict, ...] = field(default_factory=tuple)
    reasons: dict[str, str] = field(default_factory=dict)
    locks: Locks = field(default_factory=Locks)
    conflicts: tuple[str, ...] = ()
    stopped: bool = False

    # -- the plan as a table ---------------------------------------------------
    def assignment(self) -> pd.DataFrame:
        """One row per village: ``village_id, name, township, group_id, role, lead_id, reason``.

        ``role`` is ``lead``, ``member`` or ``none``; ``group_id`` and ``lead_id``
        are empty for ungrouped villages, ``reason`` for grouped ones.
        """
        table = self.instance.villages[["village_id", "name", "township"]].copy()
        group_of, role_of, lead_of = {}, {}, {}
        for group in self.groups:
            for village in group.villages:
                group_of[village] = group.group_id
                role_of[village] = "lead" if village in group.leads else "member"
                lead_of[village] = group.lead
        ids = table["village_id"]
        table["group_id"] = [group_of.get(v, "") for v in ids]
        table["role"] = [role_of.get(v, "none") for v in ids]
        table["lead_id"] = [lead_of.get(v, "") for v in ids]
        table["reason"] = [self.reasons.get(v, "") if v not in role_of else "" for v in ids]
        return table

    @classmethod
    def from_assignment(cls, instance: Instance, rules: Rules, table: pd.DataFrame, **solve_info) -> "Plan":
        """A plan from a table with ``village_id, group_id, role`` (e.g. a plan.csv a
        planner edited). Structure is not judged here: the checker does that.
        Villages missing from the table are ungrouped."""
        missing = [column for column in ("village_id", "group_id", "role") if column not in table.columns]
        if missing:
            raise InputError(f"missing column {missing[0]}", fix="a plan needs village_id, group_id and role", column=missing[0])
        unknown_roles = ~table["role"].fillna("none").astype(str).str.strip().str.lower().isin(ROLES)
        if unknown_roles.any():
            position = int(unknown_roles.to_numpy().nonzero()[0][0])
            raise InputError(f"unknown role {table['role'].iloc[position]!r}", fix="use lead, member or none",
                             row=f"village {table['village_id'].iloc[position]}", column="role")
        # Plain lists, not per-group frames: pandas copies a table's attrs (a
        # plan file's row names) into every slice, which made 6,000 rows take a minute.
        villages = table["village_id"].astype(str).tolist()
        group_ids = table["group_id"].fillna("").astype(str).str.strip().tolist()
        roles = table["role"].fillna("none").astype(str).str.strip().str.lower().tolist()
        leads: dict[str, list[str]] = {}
        members: dict[str, list[str]] = {}
        for village, group_id, role in zip(villages, group_ids, roles):
            if group_id:
                leads.setdefault(group_id, [])
                members.setdefault(group_id, [])
                (leads if role == "lead" else members)[group_id].append(village)
        groups = tuple(Group(group_id, tuple(leads[group_id]), tuple(members[group_id])) for group_id in sorted(leads))
        return cls(instance, rules, groups, **solve_info)

    # -- metrics -----------------------------------------------------------------
    def grouped_rows(self) -> np.ndarray:
        """Row positions of the villages that are in some group (known ids only)."""
        rows = [self.instance.index(v) for group in self.groups for v in group.villages if v in self.instance]
        return np.array(sorted(set(rows)), dtype=np.int64)

    @property
    def objective(self) -> Objective:
        """The plan's objective value, computed from its groups."""
        rows = self.grouped_rows()
        distance = sum(self.instance.distance(self.instance.index(group.lead), self.instance.index(member))
                       for group in self.groups if group.lead in self.instance
                       for member in group.members if member in self.instance)
        return Objective(int(self.instance.weak[rows].sum()), len(rows), int(distance))

    def metrics(self) -> dict:
        """The figures a summary shows: counts of groups, villages, weak villages
        and people grouped, and the objective."""
        rows = self.grouped_rows()
        objective = self.objective
        return {
            "groups": len(self.groups),
            "villages": self.instance.n,
            "villages_grouped": objective.villages_grouped,
            "weak": int(self.instance.weak.sum()),
            "weak_grouped": objective.weak_grouped,
            "population": int(self.instance.population.sum()),
            "population_grouped": int(self.instance.population[rows].sum()),
            "distance": objective.distance,
            "distance_unit": self.instance.distance_unit(),
        }

    def summary(self) -> dict:
        """Everything ``summary.json`` holds: the solve's account and the metrics."""
        return {
            "status": self.status,
            "objective": self.objective.as_dict(),
            "bound": self.bound.as_dict() if self.bound else None,
            "gap": self.gap,
            **self.metrics(),
            "solve_seconds": round(self.solve_seconds, 3),
            "seed": self.seed,
            "workers": self.workers,
            "stopped": self.stopped,
            "stages": list(self.stages),
            "rules": {key: (list(value) if isinstance(value, tuple) else value) for key, value in self.rules.__dict__.items()},
            "conflicts": list(self.conflicts),
            "source": self.instance.source,
        }
