"""What changed between two plans of the same county: which groups were kept,
changed, dissolved or created, which villages moved or changed role, and the
metrics side by side.

Group ids are renumbered by every solve (``G001``, ... by township and lead), so
groups are matched by what they are, never by id: the same villages, else the
same lead, else most of the same villages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .check import check
from .labels import label
from .plan import Group, Plan

#: Two unmatched groups are "the same group, changed" when they share at least
#: this share of their villages (intersection over union).
MIN_OVERLAP = 0.5


@dataclass(frozen=True)
class GroupChange:
    """A group in both plans with different villages or lead."""

    old_id: str
    new_id: str
    old_leads: tuple[str, ...]
    new_leads: tuple[str, ...]
    joined: tuple[str, ...]
    left: tuple[str, ...]


@dataclass(frozen=True)
class VillageChange:
    """A village whose group (as matched) or role differs between the plans; group
    ids are each plan's own, "" when ungrouped."""

    village_id: str
    name: str
    old_group: str
    new_group: str
    old_role: str
    new_role: str


@dataclass(frozen=True)
class PlanDiff:
    """The difference between an old and a new plan.

    ``kept`` holds (old id, new id) of groups with the same villages and lead;
    ``changed`` the matched groups that differ; ``dissolved`` the old groups and
    ``created`` the new ones that match none; ``villages`` every village that
    changed group or role; ``metrics`` each plan's metrics and rule violations
    (None when the plans were read without their village table).
    """

    kept: tuple[tuple[str, str], ...]
    changed: tuple[GroupChange, ...]
    dissolved: tuple[Group, ...]
    created: tuple[Group, ...]
    villages: tuple[VillageChange, ...]
    metrics: tuple[dict, dict] | None
    names: dict[str, str] = field(default_factory=dict, repr=False)

    def __bool__(self) -> bool:
        """True when the plans differ in any group or village."""
        return bool(self.changed or self.dissolved or self.created or self.villages)

    def to_text(self, lang: str = "en") -> str:
        """The diff as plain text, for the terminal."""
        lines = [self.counts(lang)]
        if not self:
            lines.append(label("diff:same", lang))
        for change in self.changed:
            lines.append(f"  {label('diff:changed', lang)} {self.group_ids(change.old_id, change.new_id)}: {self.lead_change(change)}"
                         + (f"; {label('diff:joined', lang)} {self.named(change.joined)}" if change.joined else "")
                         + (f"; {label('diff:left', lang)} {self.named(change.left)}" if change.left else ""))
        for kind, groups in (("diff:dissolved", self.dissolved), ("diff:created", self.created)):
            for group in groups:
                lines.append(f"  {label(kind, lang)} {group.group_id}: {label('lead_name', lang)} {self.named(group.leads)}; "
                             f"{label('members', lang)} {self.named(group.members)}")
        if self.villages:
            lines.append(label("diff:villages", lang, count=len(self.villages)))
            lines += [f"  {change.village_id} {change.name}: {self.place(change.old_group, change.old_role, lang)} -> "
                      f"{self.place(change.new_group, change.new_role, lang)}" for change in self.villages]
        if self.metrics is None:
            lines.append(label("diff:no_metrics", lang))
        else:
            lines.append(f"{label('diff:metrics', lang)}:")
            rows = self.metric_rows(lang)
            width = max(len(row[0]) for row in rows)
            lines += [f"  {name:<{width}}  {old:>12}  {new:>12}  {change:>10}" for name, old, new, change in rows]
        return "\n".join(lines)

    # -- pieces of the renderings ------------------------------------------------------
    def counts(self, lang: str) -> str:
        return label("diff:counts", lang, kept=len(self.kept), changed=len(self.changed), dissolved=len(self.dissolved), created=len(self.created))

    def named(self, villages: tuple[str, ...]) -> str:
        return ", ".join(f"{village} {self.names.get(village, '')}".strip() for village in villages) or "-"

    def lead_change(self, change: GroupChange) -> str:
        if change.old_leads == change.new_leads:
            return self.named(change.new_leads)
        return f"{self.named(change.old_leads)} -> {self.named(change.new_leads)}"

    @staticmethod
    def group_ids(old: str, new: str) -> str:
        return old if old == new else f"{old} -> {new}"

    @staticmethod
    def place(group: str, role: str, lang: str) -> str:
        return f"{group} {label(f'role:{role}', lang)}" if group else label(f"role:{role}", lang)

    def metric_rows(self, lang: str) -> list[tuple[str, str, str, str]]:
        old, new = self.metrics
        rows = []
        for key in ("groups", "villages_grouped", "weak_grouped", "population_grouped", "distance", "violations"):
            name = label("violation_count" if key == "violations" else key, lang)
            change = new[key] - old[key]
            rows.append((name, f"{old[key]:,}", f"{new[key]:,}", f"{change:+,}" if change else "0"))
        return rows


def diff(old: Plan, new: Plan, *, metrics: bool = True) -> PlanDiff:
    """Compare two plans of the same villages.

    Groups are matched, never by id, in three passes: the same set of villages;
    else the same lead; else the largest overlap, when the two share at least
    :data:`MIN_OVERLAP` of their villages (intersection over union). Matched
    groups with the same villages and lead are kept, other matches changed;
    unmatched old groups are dissolved and unmatched new ones created. A village
    changed group when its new group is not the match of its old one.

    Parameters
    ----------
    old, new : Plan
        The plans. Their instances should hold the same villages; a village
        missing from one is ungrouped there.
    metrics : bool
        Compute both plans' metrics and rule violations (needs their real
        village table, not the stand-in of ``read_plan`` without an instance).

    Returns
    -------
    PlanDiff

    Examples
    --------
    >>> instance = path_county(villages=7)
    >>> old = Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> new = Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f", "g"))))
    >>> result = diff(old, new)
    >>> result.kept, [(c.old_id, c.joined) for c in result.changed], result.dissolved, result.created
    ((('G001', 'G001'),), [('G002', ('g',))], (), ())
    >>> print(result.to_text().splitlines()[0])
    groups: 1 kept, 1 changed, 0 dissolved, 0 created
    """
    # Dicts keyed by position keep the groups' order and make each match O(1).
    old_groups, new_groups = dict(enumerate(old.groups)), dict(enumerate(new.groups))
    matches: list[tuple[Group, Group]] = []

    def match(pairs) -> None:
        for a, b in pairs:
            if a in old_groups and b in new_groups:
                matches.append((old_groups.pop(a), new_groups.pop(b)))

    by_villages = {frozenset(group.villages): b for b, group in new_groups.items()}
    match((a, by_villages[frozenset(group.villages)]) for a, group in list(old_groups.items()) if frozenset(group.villages) in by_villages)
    by_lead = {group.lead: b for b, group in new_groups.items() if group.lead}
    match((a, by_lead[group.lead]) for a, group in list(old_groups.items()) if group.lead and group.lead in by_lead)
    # Only groups that share a village can overlap.
    new_of_village = {village: b for b, group in new_groups.items() for village in group.villages}
    sharing = {(a, new_of_village[village]) for a, group in old_groups.items() for village in group.villages if village in new_of_village}
    overlaps = sorted((-_overlap(old_groups[a], new_groups[b]), old_groups[a].group_id, new_groups[b].group_id, a, b) for a, b in sharing)
    match((a, b) for overlap, _, _, a, b in overlaps if -overlap >= MIN_OVERLAP)

    kept, changed = [], []
    for a, b in sorted(matches, key=lambda pair: pair[0].group_id):
        if set(a.villages) == set(b.villages) and set(a.leads) == set(b.leads):
            kept.append((a.group_id, b.group_id))
        else:
            changed.append(GroupChange(a.group_id, b.group_id, a.leads, b.leads, tuple(v for v in b.villages if v not in a.villages),
                                       tuple(v for v in a.villages if v not in b.villages)))
    names = {**dict(zip(old.instance.ids, old.instance.villages["name"])), **dict(zip(new.instance.ids, new.instance.villages["name"]))}
    matched_id = {a.group_id: b.group_id for a, b in matches}
    old_place, new_place = _places(old), _places(new)
    villages = []
    for village in dict.fromkeys([*old.instance.ids, *new.instance.ids, *old_place, *new_place]):
        old_group, old_role = old_place.get(village, ("", "none"))
        new_group, new_role = new_place.get(village, ("", "none"))
        moved = (matched_id.get(old_group, None) if old_group else "") != new_group
        if moved or old_role != new_role:
            villages.append(VillageChange(village, names.get(village, ""), old_group, new_group, old_role, new_role))
    side_by_side = ({**old.metrics(), "violations": len(check(old))}, {**new.metrics(), "violations": len(check(new))}) if metrics else None
    return PlanDiff(tuple(kept), tuple(changed), tuple(sorted(old_groups.values(), key=lambda g: g.group_id)),
                    tuple(sorted(new_groups.values(), key=lambda g: g.group_id)), tuple(villages), side_by_side, names)


def _overlap(a: Group, b: Group) -> float:
    """Intersection over union of two groups' villages."""
    first, second = set(a.villages), set(b.villages)
    return len(first & second) / len(first | second)


def _places(plan: Plan) -> dict[str, tuple[str, str]]:
    """Village id -> (group id, role) for every grouped village."""
    return {village: (group.group_id, "lead" if village in group.leads else "member") for group in plan.groups for village in group.villages}
