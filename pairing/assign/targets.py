"""The villages and groups that take helpers, and the whole problem: without a
grouping plan, every village with a need takes ``[assign] per_village``
helpers; with one, every group takes ``per_group`` (first secretaries, one per
group by default) and each village with a need in a group takes the other
roles of ``per_village``. A group needs organisation (it is a joint party
committee) and whatever its villages need; it is weak when one of them is."""

from __future__ import annotations

from ..errors import InputError, Problems
from ..instance import Instance
from ..plan import Plan
from .problem import AssignProblem, Helper, Target, Unit
from .settings import NEEDS, AssignSettings


def village_targets(instance: Instance, needs: dict[str, tuple[str, ...]], required: dict[str, tuple[int, int]],
                    group_of: dict[str, str]) -> list[Target]:
    """A target for every village with a need (with a plan: in a group), taking ``required``."""
    xy, names = instance.xy, instance.villages["name"].tolist()
    return [Target(village, "village", str(names[row]), str(instance.township[row]), tuple(xy[row]), needs[village], bool(instance.weak[row]),
                   dict(required), (village,), group_of.get(village, ""))
            for row, village in enumerate(instance.ids) if needs[village] and required and (not group_of or village in group_of)]


def group_targets(instance: Instance, plan: Plan, needs: dict[str, tuple[str, ...]], required: dict[str, tuple[int, int]]) -> list[Target]:
    """A target for every group of the plan, at its lead village."""
    targets = []
    for group in plan.groups:
        rows = [instance.index(village) for village in group.villages]
        lead = instance.index(group.lead) if group.lead else rows[0]
        wanted = {"organisation", *(need for village in group.villages for need in needs[village])}
        targets.append(Target(group.group_id, "group", f"{group.group_id} {instance.villages['name'].iloc[lead]}", str(instance.township[lead]),
                              tuple(instance.xy[lead]), tuple(need for need in NEEDS if need in wanted), bool(instance.weak[rows].any()),
                              dict(required), group.villages, group.group_id))
    return targets


def kept_targets(helpers: tuple[Helper, ...], targets: list[Target], previous: dict[str, str], group_roles: set[str]) -> dict[str, str]:
    """Helper -> where it served last year, when that is a target again for its role:
    the same target, or (for a group's role) the group now holding its previous village."""
    by_id = {target.target_id: target for target in targets}
    group_of_village = {village: target.target_id for target in targets if target.kind == "group" for village in target.villages}
    kept = {}
    for helper in helpers:
        served = previous.get(helper.helper_id, helper.previous)
        if helper.role in group_roles and served in group_of_village:
            kept[helper.helper_id] = group_of_village[served]
        elif served in by_id and helper.role in by_id[served].required:
            kept[helper.helper_id] = served
    return kept


def build_problem(instance: Instance, needs: dict[str, tuple[str, ...]], helpers: tuple[Helper, ...], settings: AssignSettings, *,
                  units: tuple[Unit, ...] = (), plan: Plan | None = None, previous: dict[str, str] | None = None) -> AssignProblem:
    """The problem of sending ``helpers`` to the villages (or ``plan``'s groups) in need.

    Raises
    ------
    InputError
        A lock names an unknown helper or target, or keeps a helper whose last
        year's village or group is no target now (key ``assign.locks...``).

    Examples
    --------
    >>> county = path_county(villages=3, weak=[False, True, True], x=[0.0, 1000.0, 2000.0], y=0.0)
    >>> helper = Helper("H1", "Li", "U1", "resident_cadre", ("income",), (0.0, 0.0), previous="c")
    >>> problem = build_problem(county, {"a": (), "b": ("income",), "c": ("income",)}, (helper,), AssignSettings())
    >>> [target.target_id for target in problem.targets], problem.kept
    (['b', 'c'], {'H1': 'c'})
    """
    group_roles = set(settings.per_group) if plan is not None else set()
    village_roles = {role: count for role, count in settings.per_village.items() if role not in group_roles}
    group_of = {village: group.group_id for group in plan.groups for village in group.villages} if plan is not None else {}
    targets = (group_targets(instance, plan, needs, settings.per_group) if plan is not None else []) + village_targets(
        instance, needs, village_roles, group_of)
    kept = kept_targets(helpers, targets, previous or {}, group_roles)
    _check_locks(settings, helpers, targets, kept)
    names = instance.villages["name"].tolist()
    villages = {village: {"name": str(names[row]), "township": str(instance.township[row]), "weak": bool(instance.weak[row]),
                          "needs": needs[village], "group_id": group_of.get(village, ""), "xy": tuple(instance.xy[row])} for row, village in enumerate(instance.ids)}
    return AssignProblem(tuple(targets), helpers, units, settings.max_km, settings.locks, kept, villages, instance.source, plan is not None)


def _check_locks(settings: AssignSettings, helpers: tuple[Helper, ...], targets: list[Target], kept: dict[str, str]) -> None:
    locks, problems = settings.locks, Problems()
    helper_ids, target_ids = {helper.helper_id for helper in helpers}, {target.target_id for target in targets}
    fix_target = "give a village with a need (or, with --plan, a group id of the plan)"
    for helper, target in locks.pin.items():
        if helper not in helper_ids:
            problems.add(InputError(f"pin {helper} -> {target}: unknown helper {helper}", fix="give a helper_id of the helpers table",
                                    column="assign.locks.pin"))
        if target not in target_ids:
            problems.add(InputError(f"pin {helper} -> {target}: {target} is no village in need or group", fix=fix_target, column="assign.locks.pin"))
    for helper, target in locks.forbid:
        if helper not in helper_ids:
            problems.add(InputError(f"forbid {helper} -> {target}: unknown helper {helper}", fix="give a helper_id of the helpers table",
                                    column="assign.locks.forbid"))
    for helper in locks.keep:
        if helper not in helper_ids:
            problems.add(InputError(f"keep {helper}: unknown helper", fix="give a helper_id of the helpers table", column="assign.locks.keep"))
        elif helper not in kept:
            problems.add(InputError(f"keep {helper}: last year's village or group of {helper} takes no {next(h.role for h in helpers if h.helper_id == helper)} now",
                                    fix="remove the lock, or give their previous village in the helpers table or --previous", column="assign.locks.keep"))
    problems.raise_any()
