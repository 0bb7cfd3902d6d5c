"""The data diagnosis behind ``pairing check``: what the instance allows before any
solve, and why a village can be in no group at all."""

from __future__ import annotations

import functools
from collections import Counter
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
    >>> no_group_reasons(county, Rules(group_population=(1500, 2000)))["a"]
    'too few people: at most 1,200 in 3-5 connected villages with it, below the floor 1,500'
    >>> no_group_reasons(county, Rules(group_population=(500, 1000)))["a"]
    'too many people: at least 1,200 in 3-5 connected villages with it, above the ceiling 1,000'
    """
    return {village: text for village, (_, text) in no_group_causes(instance, rules, candidates, locks).items()}


def no_group_causes(instance: Instance, rules: Rules, candidates: Candidates | None = None,
                    locks: Locks | None = None) -> dict[str, tuple[str, str]]:
    """As :func:`no_group_reasons`, each reason with the rule (or lock) behind it:
    ``exclude``, ``group_population``, ``adjacency``, ``same_township``,
    ``group_size``, ``weak_in_every_group`` or ``lead_top_share``."""
    candidates = enumerate_candidates(instance, rules, locks) if candidates is None else candidates
    covered = _covered(instance, candidates)
    if covered.all():
        return {}
    low_size, high_size = rules.group_size
    low_people, high_people = rules.group_population
    neighbours = reachable_neighbours(instance, rules, may_be_grouped(instance, locks))
    reach = nx.Graph()
    reach.add_nodes_from(range(instance.n))
    reach.add_edges_from((i, j) for i in range(instance.n) for j in neighbours[i])
    cluster_size = {row: len(part) for part in nx.connected_components(reach) for row in part}
    shape = "villages around a hub" if rules.contiguity == "star" else "connected villages"

    @functools.cache
    def covered_without_weak_rule() -> np.ndarray:
        return _covered(instance, enumerate_candidates(instance, replace(rules, weak_in_every_group=False), locks))

    reasons = {}
    for row in np.flatnonzero(~covered):
        village, people = instance.ids[row], int(instance.population[row])
        if locks and village in locks.exclude:
            cause = ("exclude", "excluded by the planner")
        elif people > high_people:
            cause = ("group_population", f"population {people:,} exceeds the ceiling {high_people:,} alone")
        elif not instance.neighbours[row]:
            cause = ("adjacency", "isolated: no adjacent village")
        elif not neighbours[row]:
            cause = ("same_township", f"no adjacent village in its township {instance.township[row]}")
        elif cluster_size[row] < low_size:
            cause = ("group_size", f"only {cluster_size[row]} villages reachable, fewer than {low_size}")
        elif not _fits_a_group_ignoring_leads(instance, rules, neighbours, row):
            fewest, most = population_span(instance, rules, neighbours, row)
            if most < low_people:
                text = f"too few people: at most {most:,} in {low_size}-{high_size} {shape} with it, below the floor {low_people:,}"
            elif fewest > high_people:
                text = f"too many people: at least {fewest:,} in {low_size}-{high_size} {shape} with it, above the ceiling {high_people:,}"
            else:
                text = f"no {low_size}-{high_size} {shape} with it reach {low_people:,}-{high_people:,} people: the smallest holds {fewest:,}"
            cause = ("group_population", text)
        elif rules.weak_in_every_group and covered_without_weak_rule()[row]:
            cause = ("weak_in_every_group", "every group it could join lacks a weak village, and the rules ask for one in each")
        else:
            cause = ("lead_top_share", "no eligible lead within reach: the strongest village of every group it could join is weak or not lead-eligible")
        reasons[village] = cause
    return reasons


#: What each rule behind a missing group is called in :func:`rules_note`.
RULE_WORDS = {
    "exclude": "the planner's exclusions",
    "group_population": "the population range {people} per group (group_population)",
    "adjacency": "villages with no neighbour",
    "same_township": "groups kept within one township (same_township)",
    "group_size": "the group size {size} (group_size)",
    "weak_in_every_group": "a weak village asked of every group (weak_in_every_group)",
    "lead_top_share": "no village that may lead within reach (lead_top_share, or the lead_eligible column)",
}


def rules_note(instance: Instance, rules: Rules, candidates: Candidates, locks: Locks | None = None) -> str | None:
    """A plain sentence when the rules leave most villages (more than half of those
    not excluded) in no feasible group: how many, which rule does it most, and
    (when it is the population range) a range that would suit most of them,
    from each village's fewest and most people in a group of the right size.
    None when most villages can be grouped.

    Examples
    --------
    >>> county = path_county([1500, 1400, 1300, 1200], [4.0, 1, 2, 3], [False, True, True, False])
    >>> rules_note(county, Rules(), enumerate_candidates(county, Rules()))
    'the rules leave 4 of 4 villages with no feasible group, 4 of them because of the population range 1,000-2,000 per group (group_population); group_population = [1000, 4500] would suit about 4 of those 4 (leads aside)'
    >>> rules_note(county, Rules(group_population=(1000, 5000)), enumerate_candidates(county, Rules(group_population=(1000, 5000)))) is None
    True
    """
    excluded = set(locks.exclude) if locks else set()
    open_rows = [row for row in np.flatnonzero(~_covered(instance, candidates)) if instance.ids[row] not in excluded]
    if 2 * len(open_rows) <= instance.n - len(excluded):
        return None
    causes = no_group_causes(instance, rules, candidates, locks)
    counts = Counter(rule for village, (rule, _) in causes.items() if village not in excluded)
    rule, count = counts.most_common(1)[0]
    (low_size, high_size), (low_people, high_people) = rules.group_size, rules.group_population
    words = RULE_WORDS[rule].format(people=f"{low_people:,}-{high_people:,}", size=f"{low_size}-{high_size}")
    note = f"the rules leave {len(open_rows):,} of {instance.n - len(excluded):,} villages with no feasible group, {count:,} of them because of {words}"
    if rule == "group_population":
        neighbours = reachable_neighbours(instance, rules, may_be_grouped(instance, locks))
        spans = np.array([population_span(instance, rules, neighbours, instance.index(village))
                          for village, (cause, _) in causes.items() if cause == rule])
        # A range that suits nine in ten of these villages (by what their groups would hold).
        low = min(low_people, int(np.quantile(spans[:, 1], 0.1)) // 100 * 100)
        high = max(high_people, -(-int(np.quantile(spans[:, 0], 0.9)) // 500) * 500)
        suited = int(((spans[:, 0] <= high) & (spans[:, 1] >= low)).sum())
        note += f"; group_population = [{low}, {high}] would suit about {suited:,} of those {len(spans):,} (leads aside)"
    return note


def _covered(instance: Instance, candidates: Candidates) -> np.ndarray:
    covered = np.zeros(instance.n, dtype=bool)
    padded = candidates.padded()
    covered[padded[padded >= 0]] = True
    return covered


def population_span(instance: Instance, rules: Rules, neighbours: list[list[int]], row: int) -> tuple[int, int]:
    """The fewest people a group of the rules' size and contiguity holding ``row``
    can have, population rules set aside, and a bound on the most: exact for
    ``star``; for ``connected`` the most is bounded by ``row`` and the largest
    villages within reach of a group (the search of every connected set of up to
    five villages, needed for the exact most, took 14 ms a village on Anqiu).

    Examples
    --------
    >>> from pairing.model.candidates import reachable_neighbours
    >>> county = path_county([500, 400, 300, 2500], [4.0, 1, 2, 3], [False, True, True, False])
    >>> population_span(county, Rules(), reachable_neighbours(county, Rules()), 0)
    (1200, 3700)
    """
    (low_size, high_size), population = rules.group_size, instance.population
    if rules.contiguity == "star":
        rank, spans = instance.strength_rank, []
        for hub in [row, *(h for h in neighbours[row] if rank[h] > rank[row])]:
            fixed = [hub] if hub == row else [hub, row]
            weaker = sorted(int(population[m]) for m in neighbours[hub] if rank[m] < rank[hub] and m != row)
            base, need = int(population[fixed].sum()), max(0, low_size - len(fixed))
            if need <= len(weaker):
                spans.append((base + sum(weaker[:need]), base + sum(weaker[len(weaker) - min(len(weaker), high_size - len(fixed)):])))
        return (min(low for low, _ in spans), max(high for _, high in spans)) if spans else (int(population[row]), int(population[row]))
    # Populations are positive: the fewest people are in a group of the fewest villages.
    layer = {frozenset([row])}
    for _ in range(low_size - 1):
        layer = {rows | {u} for rows in layer for r in rows for u in neighbours[r] if u not in rows}
    fewest = min((int(population[list(rows)].sum()) for rows in layer), default=int(population[row]))
    reached, edge = {row}, {row}
    for _ in range(high_size - 1):
        edge = {u for r in edge for u in neighbours[r]} - reached
        reached |= edge
    largest = sorted((int(population[u]) for u in reached - {row}), reverse=True)[: high_size - 1]
    return fewest, int(population[row]) + sum(largest)


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
        "note": rules_note(instance, rules, candidates, locks),
    }
