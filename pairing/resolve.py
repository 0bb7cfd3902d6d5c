"""The minimal-change re-solve: the plan re-solved for new village data (renamed,
merged, new and gone villages), changing as little of the previous plan as the
rules allow, and what changed and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .assignment import differing_villages, previous_leads
from .check import check
from .deadline import StopLike
from .diff import PlanDiff, diff
from .instance import Instance
from .locks import Locks
from .plan import Group, Plan
from .rules import ObjectiveWeights, Rules, SolverParams
from .solve import solve


@dataclass(frozen=True, eq=False)
class Revision:
    """A plan re-solved for new village data, and what changed from the previous one.

    ``plan`` is the new plan; ``previous`` the previous plan in the new data's
    village ids (renames applied, gone villages removed); ``changes`` one row per
    village whose assignment changed, or that is new or gone, with the reason;
    ``groups`` one row per previous group with its verdict (``kept``: none of its
    villages changed lead, though some may have joined it; ``changed``: still
    valid, but some of its villages changed lead; ``repaired``: it broke a rule
    and its lead leads a group again; ``dissolved``), why (for a changed group,
    what the change bought, over the same villages before and after), and how
    many of its villages changed; ``new``, ``gone`` and ``renamed`` (old id -> new id) the villages
    that do not match by id; ``merged`` new id -> the old ids renamed to it.
    """

    plan: Plan
    previous: Plan
    changes: pd.DataFrame
    groups: pd.DataFrame
    new: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()
    renamed: dict[str, str] = field(default_factory=dict)
    merged: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        """Villages in both plans whose assignment changed (new villages are not counted)."""
        new = set(self.new)
        return sum(1 for village in differing_villages(self.previous, self.plan) if village not in new)

    def diff(self) -> PlanDiff:
        """The group-by-group comparison of :func:`pairing.diff`."""
        return diff(self.previous, self.plan)

    def summary(self) -> dict:
        """What ``summary.json`` records under ``revision``."""
        verdicts = self.groups["verdict"].value_counts().to_dict() if len(self.groups) else {}
        return {"villages_changed": self.changed, "previous_groups": len(self.groups),
                **{f"groups_{verdict}": int(verdicts.get(verdict, 0)) for verdict in ("kept", "changed", "repaired", "dissolved")},
                "new_villages": list(self.new), "gone_villages": list(self.gone), "renamed": dict(self.renamed),
                "merged": {new: list(old) for new, old in self.merged.items()}}


def resolve(instance: Instance, previous: Plan, rules: Rules | None = None, *, renames: dict[str, str] | None = None,
            locks: Locks | None = None, weights: ObjectiveWeights | None = None, params: SolverParams | None = None,
            time_limit: float | None = None, workers: int | None = None, seed: int | None = None,
            stop: StopLike | None = None) -> Revision:
    """Re-solve for new village data, changing as little of a previous plan as the
    rules and the objective allow.

    The lexicographic objective gains a stability level right after weak villages
    grouped (see :func:`pairing.solve`, ``previous``): weak villages grouped
    first, so newly weak villages are regrouped when they can be; then villages
    grouped − ``weights.stability`` × villages whose assignment changed, so every
    previous group that is still valid and does not stand in the way of a weak
    village is kept, and broken ones are repaired with the fewest changes; then
    villages grouped and distance as usual. ``weights.stability = 0`` re-solves
    from scratch (the previous plan only serves to report the changes).

    Parameters
    ----------
    instance : Instance
        The new village data.
    previous : Plan
        The previous plan: solved on the old data, or read from its file
        (``pairing.read_plan(path)`` without an instance is enough).
    rules : Rules, optional
    renames : dict, optional
        Old village id -> new id. Villages that match no id (new, gone, or a
        rename to an unknown id) are reported in the result, not an error.
    locks, weights, params, time_limit, workers, seed, stop
        As for :func:`pairing.solve`.

    Returns
    -------
    Revision

    Examples
    --------
    >>> old = path_county(strength=[6.0, 1, 2, 3, 4, 5])
    >>> previous = Plan(old, Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("f",), ("d", "e"))))
    >>> new = path_county([400, 400, 400, 400, 400, 1500], strength=[6.0, 1, 2, 3, 4, 5])
    >>> revision = resolve(new, previous, time_limit=10)
    >>> sorted(group.villages for group in revision.plan.groups), revision.changed
    ([('a', 'b', 'c', 'd', 'e')], 3)
    >>> revision.groups[["old_group", "verdict", "reason"]].values.tolist()[1]
    ['G002', 'dissolved', 'group_population: population 2,300, outside 1,000-2,000']
    """
    rules, locks = rules or Rules(), locks or Locks()
    translated, new, gone, renamed, merged = _translate(previous, instance, rules, renames or {})
    plan = solve(instance, rules, locks=locks, weights=weights, params=params, time_limit=time_limit, workers=workers, seed=seed,
                 previous=translated, stop=stop)
    if plan.status in ("INFEASIBLE", "UNKNOWN"):
        return Revision(plan, translated, pd.DataFrame(columns=CHANGE_COLUMNS), pd.DataFrame(columns=GROUP_COLUMNS), new, gone, renamed, merged)
    groups = _group_verdicts(previous, translated, plan, gone, locks)
    changes = _village_changes(previous, translated, plan, groups, new, gone, renamed)
    return Revision(plan, translated, changes, groups, new, gone, renamed, merged)


def _translate(previous: Plan, instance: Instance, rules: Rules, renames: dict[str, str]):
    """The previous plan in the new ids: renamed, gone villages dropped, a village
    that several old ones were renamed to (a merger) kept in the first group only."""
    renames = {str(old): str(new) for old, new in renames.items()}
    old_ids = list(dict.fromkeys([*previous.instance.ids, *(v for group in previous.groups for v in group.villages)]))
    mapped = {old: renames.get(old, old) for old in old_ids}
    gone = tuple(old for old, new in mapped.items() if new not in instance)
    renamed = {old: new for old, new in mapped.items() if old != new and new in instance}
    sources: dict[str, list[str]] = {}
    for old, new in mapped.items():
        if new in instance:
            sources.setdefault(new, []).append(old)
    merged = {new: tuple(olds) for new, olds in sources.items() if len(olds) > 1}
    new_villages = tuple(village for village in instance.ids if village not in sources)
    placed: set[str] = set()
    groups = []
    for group in previous.groups:
        leads = tuple(mapped[v] for v in group.leads if mapped[v] in instance and mapped[v] not in placed)
        placed.update(leads)
        members = tuple(mapped[v] for v in group.members if mapped[v] in instance and mapped[v] not in placed)
        placed.update(members)
        if leads or members:
            groups.append(Group(group.group_id, leads, members))
    return Plan(instance, rules, tuple(groups)), new_villages, gone, renamed, merged


GROUP_COLUMNS = ["old_group", "lead_id", "villages", "verdict", "reason", "villages_changed", "new_groups"]
CHANGE_COLUMNS = ["village_id", "old_village_id", "name", "old_group", "old_role", "old_lead", "new_group", "new_role", "new_lead", "reason"]


def _group_verdicts(previous: Plan, translated: Plan, plan: Plan, gone: tuple[str, ...], locks: Locks) -> pd.DataFrame:
    """Per previous group: kept (none of its villages changed lead, though villages
    may have joined it), changed (still valid, but some of its villages changed
    lead), repaired or dissolved (it breaks a rule or one of the planner's locks
    under the new data), and why."""
    broken: dict[str, list[str]] = {}
    for violation in check(translated, locks=locks):
        broken.setdefault(violation.group_id, []).append(f"{violation.rule}: {violation.detail}")
    new_place = {village: group for group in plan.groups for village in group.villages}
    new_leads = {group.lead for group in plan.groups}
    before, after = previous_leads(translated), previous_leads(plan)
    translated_of = {group.group_id: group for group in translated.groups}
    gone_set = set(gone)
    rows = []
    for group in previous.groups:
        now = translated_of.get(group.group_id, Group(group.group_id, (), ()))
        lost = [village for village in group.villages if village in gone_set]
        changed = [village for village in now.villages if before.get(village) != after.get(village)]
        reasons = ([f"lost {', '.join(lost)} (gone from the data)"] if lost else []) + broken.get(group.group_id, [])
        if group.group_id in broken or not now.villages:
            verdict = "repaired" if now.lead and now.lead in new_leads else "dissolved"
        elif not changed:
            verdict = "kept"
            joined = sorted(set(new_place[now.lead].villages) - set(now.villages)) if now.lead in new_place else []
            if joined:
                reasons.append(f"joined by {', '.join(joined)}")
        else:
            verdict = "changed"
            reasons.append(_gain(now, translated, plan, broken))
        rows.append({"old_group": group.group_id, "lead_id": group.lead, "villages": ", ".join(group.villages), "verdict": verdict,
                     "reason": "; ".join(reasons), "villages_changed": len(changed),
                     "new_groups": ", ".join(sorted({new_place[v].group_id for v in now.villages if v in new_place}))})
    return pd.DataFrame(rows, columns=GROUP_COLUMNS)


def _gain(group: Group, before: Plan, after: Plan, broken: dict[str, list[str]]) -> str:
    """What regrouping a still-valid group bought, like for like: over the villages
    of the old groups and new groups linked to it by shared villages (each old
    group touching a new one in the set is in it, and each new group touching an
    old one), the weak villages and villages grouped and the distance before and
    after, and the broken groups among them that had to be repaired."""
    villages, old_groups, new_groups = set(group.villages), {}, {}
    while True:
        old_groups.update({g.group_id: g for g in before.groups if villages & set(g.villages)})
        new_groups.update({g.group_id: g for g in after.groups if villages & set(g.villages)})
        linked = {v for g in (*old_groups.values(), *new_groups.values()) for v in g.villages}
        if linked == villages:
            break
        villages = linked
    old, new = (Plan(after.instance, after.rules, tuple(groups.values())).objective for groups in (old_groups, new_groups))
    others = sorted(set(old_groups) - {group.group_id})
    repaired = [g for g in others if g in broken]
    bought = [f"{abs(count):,} {'more' if count > 0 else 'fewer'} {what}{'s' if abs(count) != 1 else ''} grouped" for count, what in
              ((new.weak_grouped - old.weak_grouped, "weak village"), (new.villages_grouped - old.villages_grouped, "village")) if count]
    saved = old.distance - new.distance
    if saved:
        unit = after.instance.distance_unit()
        amount = f"{abs(saved) / 1000:,.1f} km" if unit == "m" else f"{abs(saved):,} {unit.removesuffix('s') if abs(saved) == 1 else unit}"
        bought.append(f"{amount} {'less' if saved > 0 else 'more'} member-to-lead distance")
    leads_before, leads_after = previous_leads(before), previous_leads(after)
    changed = sum(1 for v in villages if leads_before.get(v) != leads_after.get(v))
    where = f"regrouped with {', '.join(others)}" if others else "regrouped with ungrouped villages"
    why = [f"to regroup the villages of {', '.join(repaired)}, which broke a rule"] if repaired else []
    why += [", ".join(bought)] if bought else []
    return (f"still valid; {where} ({len(villages):,} villages, {changed:,} of them changed)"
            + (": " + "; ".join(why) if why else ": no gain"))


def _village_changes(previous: Plan, translated: Plan, plan: Plan, groups: pd.DataFrame, new: tuple[str, ...],
                     gone: tuple[str, ...], renamed: dict[str, str]) -> pd.DataFrame:
    """One row per village that changed assignment, is new, or is gone, with why."""
    instance = plan.instance
    old_place = {village: (group.group_id, "lead" if village in group.leads else "member", group.lead)
                 for group in translated.groups for village in group.villages}
    new_place = {village: (group.group_id, "lead" if village in group.leads else "member", group.lead)
                 for group in plan.groups for village in group.villages}
    original = {new_id: old_id for old_id, new_id in renamed.items()}
    why_group = dict(zip(groups["old_group"], groups["reason"]))
    verdict = dict(zip(groups["old_group"], groups["verdict"]))
    names = dict(zip(instance.ids, instance.villages["name"]))
    old_names = dict(zip(previous.instance.ids, previous.instance.villages["name"]))
    new_set = set(new)
    rows = []
    for village in instance.ids:
        old_group, old_role, old_lead = old_place.get(village, ("", "none", ""))
        new_group, new_role, new_lead = new_place.get(village, ("", "none", ""))
        if village in new_set:
            reason = "new in the data"
        elif old_lead == new_lead:
            continue
        elif old_group:
            reason = f"old group {old_group} {verdict[old_group]}: {why_group[old_group]}"
        else:
            reason = "newly grouped" + (" (weak)" if instance.weak[instance.index(village)] else "")
        rows.append({"village_id": village, "old_village_id": original.get(village, village), "name": names[village],
                     "old_group": old_group, "old_role": old_role if village not in new_set else "", "old_lead": old_lead,
                     "new_group": new_group, "new_role": new_role, "new_lead": new_lead, "reason": reason})
    before = {village: (group.group_id, "lead" if village in group.leads else "member", group.lead)
              for group in previous.groups for village in group.villages}
    for village in gone:
        old_group, old_role, old_lead = before.get(village, ("", "none", ""))
        rows.append({"village_id": "", "old_village_id": village, "name": old_names.get(village, ""),
                     "old_group": old_group, "old_role": old_role, "old_lead": old_lead, "new_group": "", "new_role": "",
                     "new_lead": "", "reason": "gone: not in the new data"})
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
