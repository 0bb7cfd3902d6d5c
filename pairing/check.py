"""An independent checker: does a plan keep the rules?

It shares nothing with the model but the instance's data: each rule is a small
named check, so a failure says which rule broke, for which group, with the
figures. Tests, the command line and notebooks all use :func:`check`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import networkx as nx

from .instance import Instance
from .plan import Group, Plan
from .locks import Locks
from .rules import Rules


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, in which group, for which villages, and why."""

    rule: str
    group_id: str
    villages: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        where = f"group {self.group_id}" if self.group_id else "plan"
        return f"{where}: {self.rule}: {self.detail}"


def _known(instance: Instance, group: Group) -> list[str]:
    return [v for v in group.villages if v in instance]


def check_villages_known(instance: Instance, rules: Rules, locks: Locks, group: Group):
    unknown = [v for v in group.villages if v not in instance]
    if unknown:
        yield Violation("village_known", group.group_id, tuple(unknown), f"unknown village ids {', '.join(unknown)}")


def check_one_lead(instance: Instance, rules: Rules, locks: Locks, group: Group):
    if len(group.leads) != 1:
        yield Violation("one_lead", group.group_id, group.leads,
                        f"{len(group.leads)} leads ({', '.join(group.leads) or 'none'}); a group needs exactly one")


def check_group_size(instance: Instance, rules: Rules, locks: Locks, group: Group):
    low, high = rules.group_size
    size = len(group.villages)
    if not low <= size <= high:
        yield Violation("group_size", group.group_id, group.villages, f"{size} villages, outside {low}-{high}")


def check_group_population(instance: Instance, rules: Rules, locks: Locks, group: Group):
    low, high = rules.group_population
    people = int(sum(instance.population[instance.index(v)] for v in _known(instance, group)))
    if not low <= people <= high:
        yield Violation("group_population", group.group_id, group.villages, f"population {people:,}, outside {low:,}-{high:,}")


def check_lead(instance: Instance, rules: Rules, locks: Locks, group: Group):
    """The lead is eligible, not weak, and no member is stronger."""
    if not group.lead or group.lead not in instance:
        return
    lead = instance.index(group.lead)
    if instance.weak[lead]:
        yield Violation("lead_not_weak", group.group_id, (group.lead,), f"lead {group.lead} is a weak village")
    if not instance.lead_eligible(rules.lead_top_share)[lead] and group.lead not in locks.may_lead:
        yield Violation("lead_eligible", group.group_id, (group.lead,),
                        f"lead {group.lead} is not eligible to lead (lead_eligible column, or not among the strongest {rules.lead_top_share:.0%})")
    stronger = [v for v in group.members if v in instance and instance.strength[instance.index(v)] > instance.strength[lead]]
    if stronger:
        yield Violation("lead_strongest", group.group_id, (group.lead, *stronger),
                        f"members {', '.join(stronger)} are stronger than lead {group.lead} "
                        f"({max(instance.strength[instance.index(v)] for v in stronger):.3f} > {instance.strength[lead]:.3f})")


def check_contiguity(instance: Instance, rules: Rules, locks: Locks, group: Group):
    villages = _known(instance, group)
    if rules.contiguity == "star" and group.lead in instance:
        apart = [v for v in villages if v != group.lead and not instance.graph.has_edge(v, group.lead)]
        if apart:
            yield Violation("star", group.group_id, tuple(apart), f"members {', '.join(apart)} are not adjacent to lead {group.lead}")
    elif villages and not nx.is_connected(instance.graph.subgraph(villages)):
        parts = [sorted(part) for part in nx.connected_components(instance.graph.subgraph(villages))]
        yield Violation("connected", group.group_id, tuple(villages),
                        f"not connected: {len(parts)} separate parts " + " | ".join(", ".join(part) for part in parts))


def check_same_township(instance: Instance, rules: Rules, locks: Locks, group: Group):
    townships = sorted({instance.township[instance.index(v)] for v in _known(instance, group)})
    if rules.same_township and len(townships) > 1:
        yield Violation("same_township", group.group_id, group.villages, f"spans townships {', '.join(townships)}")


def check_weak_in_group(instance: Instance, rules: Rules, locks: Locks, group: Group):
    """With ``weak_in_every_group``, the group holds a weak village ("强村带弱村")."""
    known = _known(instance, group)
    if rules.weak_in_every_group and known and not any(instance.weak[instance.index(v)] for v in known):
        yield Violation("weak_in_group", group.group_id, group.villages,
                        "no weak village in the group, and the rules ask every group to hold one (weak_in_every_group)")


GROUP_CHECKS = (check_villages_known, check_one_lead, check_group_size, check_group_population, check_lead,
                check_contiguity, check_same_township, check_weak_in_group)


def check_disjoint(plan: Plan):
    counts = Counter(v for group in plan.groups for v in set(group.villages))
    for village, count in sorted(counts.items()):
        if count > 1:
            groups = [g.group_id for g in plan.groups if village in g.villages]
            yield Violation("disjoint", ", ".join(groups), (village,), f"village {village} is in {count} groups ({', '.join(groups)})")


def check_locks(plan: Plan, locks: Locks):
    """The planner's locks: one named check per kind of lock."""
    group_of = {v: group for group in plan.groups for v in group.villages}
    for village in locks.exclude:
        if village in group_of:
            yield Violation("exclude", group_of[village].group_id, (village,), f"excluded village {village} is grouped")
    for village in locks.leads:
        if village not in group_of or group_of[village].lead != village:
            yield Violation("leads", group_of[village].group_id if village in group_of else "", (village,),
                            f"{village} must lead a group but does not")
    for village in locks.not_lead:
        if village in group_of and village in group_of[village].leads:
            yield Violation("not_lead", group_of[village].group_id, (village,), f"{village} may not lead but does")
    for villages in locks.together:
        # By identity, not id: two groups a planner gave one id are still two groups.
        groups = {id(group_of[v]) if v in group_of else None for v in villages}
        if len(groups) != 1 or None in groups:
            names = sorted({group_of[v].group_id if v in group_of else "ungrouped" for v in villages})
            yield Violation("together", ", ".join(names), villages, f"{', '.join(villages)} must share a group")
    for a, b in locks.apart:
        if a in group_of and group_of[a] is group_of.get(b):
            yield Violation("apart", group_of[a].group_id, (a, b), f"{a} and {b} must not share a group")
    for village, lead in locks.pin.items():
        if village not in group_of or group_of[village].lead != lead:
            yield Violation("pin", group_of[village].group_id if village in group_of else "", (village, lead),
                            f"{village} must be in the group led by {lead}")


def check(plan: Plan, instance: Instance | None = None, rules: Rules | None = None, locks: Locks | None = None) -> list[Violation]:
    """Every rule (and lock) the plan breaks; an empty list means the plan is valid.

    Parameters
    ----------
    plan : Plan
    instance : Instance, optional
        The villages to check against; defaults to the plan's own.
    rules : Rules, optional
        The rules to check against; defaults to the plan's own.
    locks : Locks, optional
        The planner's locks to check; defaults to the plan's own.

    Examples
    --------
    >>> instance = path_county([500, 400, 300], weak=[False, True, True])
    >>> check(Plan(instance, Rules(), (Group("G1", ("a",), ("b", "c")),)))
    []
    >>> [v.rule for v in check(Plan(instance, Rules(), (Group("G1", ("b",), ("a", "c")),)))]
    ['lead_not_weak', 'lead_eligible', 'lead_strongest']
    >>> strong = path_county([500, 400, 300], weak=[False, False, False])
    >>> [v.rule for v in check(Plan(strong, Rules(weak_in_every_group=True), (Group("G1", ("a",), ("b", "c")),)))]
    ['weak_in_group']
    """
    instance = plan.instance if instance is None else instance
    rules = plan.rules if rules is None else rules
    locks = plan.locks if locks is None else locks
    violations = list(check_disjoint(plan))
    for group in plan.groups:
        for rule_check in GROUP_CHECKS:
            violations.extend(rule_check(instance, rules, locks, group))
    violations.extend(check_locks(plan, locks))
    return violations
