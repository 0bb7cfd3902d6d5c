"""The data diagnosis behind ``pairing check``: what the instance allows before any
solve, and why a village can be in no group at all."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import networkx as nx
import numpy as np

from .instance import Instance
from .plan import Plan
from .model.candidates import Candidates, enumerate_candidates, may_be_grouped, may_lead, reachable_neighbours
from .locks import Locks
from .rules import Rules


def no_group_reasons(instance: Instance, rules: Rules, candidates: Candidates | None = None,
                     locks: Locks | None = None) -> dict[str, str]:
    """For every village that is in no candidate group, the first rule that rules it out.

    Parameters
    ----------
    instance : Instance
    rules : Rules
    candidates : Candidates, optional
        The instance's candidate groups, if already enumerated.
    locks : Locks, optional
        The planner's locks (excluded villages are reported as such).

    Returns
    -------
    dict
        village id -> reason, e.g. ``"population 2,350 exceeds the ceiling 2,000 alone"``.

    Examples
    --------
    >>> county = path_county([500, 400, 300, 2500], [4.0, 1, 2, 3], [False, True, True, False], edges=[("a", "b"), ("b", "c")])
    >>> no_group_reasons(county, Rules())
    {'d': 'population 2,500 exceeds the ceiling 2,000 alone'}
    """
    candidates = enumerate_candidates(instance, rules, locks) if candidates is None else candidates
    covered = np.zeros(instance.n, dtype=bool)
    padded = candidates.padded()
    covered[padded[padded >= 0]] = True
    if covered.all():
        return {}
    low_size, high_size = rules.group_size
    low_people, high_people = rules.group_population
    neighbours = reachable_neighbours(instance, rules, may_be_grouped(instance, locks))
    reach = nx.Graph()
    reach.add_nodes_from(range(instance.n))
    reach.add_edges_from((i, j) for i in range(instance.n) for j in neighbours[i])
    cluster_size = {row: len(part) for part in nx.connected_components(reach) for row in part}
    reasons = {}
    for row in np.flatnonzero(~covered):
        village, people = instance.ids[row], int(instance.population[row])
        if locks and village in locks.exclude:
            reason = "excluded by the planner"
        elif people > high_people:
            reason = f"population {people:,} exceeds the ceiling {high_people:,} alone"
        elif not instance.neighbours[row]:
            reason = "isolated: no adjacent village"
        elif not neighbours[row]:
            reason = f"no adjacent village in its township {instance.township[row]}"
        elif cluster_size[row] < low_size:
            reason = f"only {cluster_size[row]} villages reachable, fewer than {low_size}"
        elif not _fits_a_group_ignoring_leads(instance, rules, neighbours, row):
            reason = (f"no {low_size}-{high_size} {'villages around a hub' if rules.contiguity == 'star' else 'connected villages'}"
                      f" with it reach {low_people:,}-{high_people:,} people")
        else:
            reason = "no eligible lead within reach: the strongest village of every group it could join is weak or not lead-eligible"
        reasons[village] = reason
    return reasons


def _fits_a_group_ignoring_leads(instance: Instance, rules: Rules, neighbours: list[list[int]], row: int) -> bool:
    """Whether some group of the right size, population and contiguity contains
    ``row`` when the lead rules are set aside; stops at the first one found."""
    (low_size, high_size), (low_people, high_people) = rules.group_size, rules.group_population
    population = instance.population

    def fits(rows) -> bool:
        return low_size <= len(rows) and low_people <= population[list(rows)].sum() <= high_people

    if rules.contiguity == "star":
        rank = instance.strength_rank
        for hub in [row, *(h for h in neighbours[row] if rank[h] > rank[row])]:
            weaker = [m for m in neighbours[hub] if rank[m] < rank[hub] and m != row]
            fixed = (hub,) if hub == row else (hub, row)
            for k in range(max(0, low_size - len(fixed)), high_size - len(fixed) + 1):
                if any(fits(fixed + extra) for extra in combinations(weaker, k)):
                    return True
        return False
    seen = set()

    def grow(rows: frozenset) -> bool:
        if rows in seen:
            return False
        seen.add(rows)
        if fits(rows):
            return True
        if len(rows) == high_size:
            return False
        frontier = {u for r in rows for u in neighbours[r]} - rows
        return any(grow(rows | {u}) for u in frontier if population[list(rows)].sum() + population[u] <= high_people)

    return grow(frozenset([row]))


def ungrouped_reasons(plan: Plan, candidates: Candidates | None = None) -> dict[str, str]:
    """Why each ungrouped village of a plan is ungrouped.

    ``excluded`` when the planner left it out; ``no_feasible_group: <rule>`` when
    no group the rules allow contains it (see :func:`no_group_reasons`);
    ``not_chosen: ...`` when such a group exists but the plan uses its
    neighbours elsewhere.

    Examples
    --------
    >>> instance = path_county([500, 400, 300, 2500], [4.0, 1, 2, 3], [False, True, True, False])
    >>> ungrouped_reasons(Plan(instance, Rules(), ()))["d"]
    'no_feasible_group: population 2,500 exceeds the ceiling 2,000 alone'
    >>> ungrouped_reasons(Plan(instance, Rules(), ()))["a"]
    'not_chosen: it fits a valid group, but the plan groups its neighbours otherwise'
    """
    instance, rules, locks = plan.instance, plan.rules, plan.locks
    grouped = {v for group in plan.groups for v in group.villages}
    impossible = no_group_reasons(instance, rules, candidates, locks)
    reasons = {}
    for village in instance.ids:
        if village in grouped:
            continue
        if village in locks.exclude:
            reasons[village] = "excluded"
        elif village in impossible:
            reasons[village] = f"no_feasible_group: {impossible[village]}"
        else:
            reasons[village] = "not_chosen: it fits a valid group, but the plan groups its neighbours otherwise"
    return reasons


def with_reasons(plan: Plan) -> Plan:
    """The plan with a reason for every ungrouped village (computed by
    :func:`ungrouped_reasons` when the plan lacks some, as a plan read from a
    file does).

    Examples
    --------
    >>> county = path_county(villages=6)
    >>> with_reasons(Plan(county, Rules(), (Group("G001", ("a",), ("b", "c")),))).reasons["d"]
    'not_chosen: it fits a valid group, but the plan groups its neighbours otherwise'
    """
    grouped = {village for group in plan.groups for village in group.villages}
    if all(village in plan.reasons for village in plan.instance.ids if village not in grouped):
        return plan
    return replace(plan, reasons={**ungrouped_reasons(plan), **plan.reasons})


def diagnose(instance: Instance, rules: Rules, locks: Locks | None = None) -> dict:
    """Counts, adjacency statistics, isolated villages, and the villages that can be
    in no group with the reason, without solving."""
    candidates = enumerate_candidates(instance, rules, locks)
    degrees = np.array([len(n) for n in instance.neighbours])
    reasons = no_group_reasons(instance, rules, candidates, locks)
    eligible = may_lead(instance, rules, locks)
    return {
        "villages": instance.n,
        "townships": int(len(set(instance.township))),
        "population": int(instance.population.sum()),
        "weak": int(instance.weak.sum()),
        "can_lead": int(eligible.sum()),
        "edges": instance.graph.number_of_edges(),
        "tolerance_edges": instance.tolerance_edges,
        "mean_degree": round(float(degrees.mean()), 2) if instance.n else 0.0,
        "components": nx.number_connected_components(instance.graph),
        "isolated": [v for v, d in zip(instance.ids, degrees) if d == 0],
        "candidate_groups": len(candidates),
        "no_group": reasons,
        "weak_no_group": sum(bool(instance.weak[instance.index(v)]) for v in reasons),
    }
