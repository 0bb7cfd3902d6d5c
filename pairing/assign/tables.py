"""An assignment as the tables a county office reads: one row per helper
(``assignment.csv``), one per village in need and group (``needs.csv``), the
summary, each in English or Chinese."""

from __future__ import annotations

import pandas as pd

from ..labels import LABELS, label
from .problem import Assignment
from .reasons import Reasons


def _counts(counts: dict[str, tuple[int, int]]) -> str:
    return ", ".join(f"{role} {low}" if low == high else f"{role} {low}-{high}" for role, (low, high) in counts.items())


def assignment_table(assignment: Assignment, reasons: Reasons | None = None) -> pd.DataFrame:
    """One row per helper: where they go (or why they stay), the need served, the fit, the travel.

    Examples
    --------
    >>> from pairing.assign.problem import AssignProblem, Helper, Posting, Target
    >>> target = Target("a", "village", "A村", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 1)})
    >>> helper = Helper("H1", "李明", "U1", "resident_cadre", ("income",), (3000.0, 4000.0))
    >>> table = assignment_table(Assignment(AssignProblem((target,), (helper,), (), max_km=10.0), (Posting("H1", "a", "income"),)))
    >>> table[["helper_id", "target_id", "need", "fit", "travel_km", "kept", "reason"]].to_dict("records")
    [{'helper_id': 'H1', 'target_id': 'a', 'need': 'income', 'fit': 1, 'travel_km': 5.0, 'kept': False, 'reason': ''}]
    """
    problem = assignment.problem
    reasons = reasons or Reasons(assignment)
    rows = []
    for helper in problem.helpers:
        posting = assignment.posting(helper.helper_id)
        target = problem.target(posting.target_id) if posting is not None else None
        row = {"helper_id": helper.helper_id, "helper_name": helper.name, "unit": helper.unit, "role": helper.role}
        if target is None:
            row.update(kind="", target_id="", target_name="", township="", need="", fit=0, travel_km=None, kept=False,
                       reason=reasons.idle(helper))
        else:
            row.update(kind=target.kind, target_id=target.target_id, target_name=target.name, township=target.township, need=posting.need,
                       fit=len(set(helper.skills) & set(target.needs)), travel_km=problem.km(helper, target),
                       kept=problem.kept.get(helper.helper_id) == target.target_id, reason="")
        rows.append(row)
    return pd.DataFrame(rows, columns=["helper_id", "helper_name", "unit", "role", "kind", "target_id", "target_name", "township", "need", "fit",
                                       "travel_km", "kept", "reason"])


def needs_table(assignment: Assignment, reasons: Reasons | None = None) -> pd.DataFrame:
    """One row per group (with a plan) and per village in need: its needs, the
    helpers it requires and has, what is unmet and why.

    Examples
    --------
    >>> from pairing.assign.problem import AssignProblem, Helper, Posting, Target
    >>> target = Target("a", "village", "A村", "T", (0.0, 0.0), ("income", "mass_work"), True, {"resident_cadre": (2, 3)})
    >>> helper = Helper("H1", "李明", "U1", "resident_cadre", ("income",), (0.0, 0.0))
    >>> table = needs_table(Assignment(AssignProblem((target,), (helper,), (), max_km=10.0), (Posting("H1", "a", "income"),)))
    >>> table[["target_id", "needs", "required", "assigned", "unmet"]].to_dict("records")
    [{'target_id': 'a', 'needs': 'income, mass_work', 'required': 'resident_cadre 2-3', 'assigned': 'resident_cadre 1', 'unmet': 'mass_work; resident_cadre 1 short'}]
    """
    problem = assignment.problem
    reasons = reasons or Reasons(assignment)
    sent: dict[str, list] = {}
    for posting in assignment.postings:
        sent.setdefault(posting.target_id, []).append(posting)
    rows = []
    for target in problem.targets:
        postings = sent.get(target.target_id, [])
        roles = [problem.helper(posting.helper_id).role for posting in postings]
        covered = {posting.need for posting in postings}
        unmet = [need for need in target.needs if need not in covered]
        short = {role: low - roles.count(role) for role, (low, _) in target.required.items() if roles.count(role) < low}
        why = [f"{need}: {reasons.unmet(target, need)}" for need in unmet] + [f"{role}: {reasons.short(target, role)}" for role in short]
        rows.append({"kind": target.kind, "target_id": target.target_id, "target_name": target.name, "township": target.township,
                     "group_id": target.group_id, "weak": target.weak, "needs": ", ".join(target.needs), "required": _counts(target.required),
                     "assigned": ", ".join(f"{role} {roles.count(role)}" for role in target.required if roles.count(role)),
                     "helpers": ", ".join(posting.helper_id for posting in postings),
                     "unmet": "; ".join([*unmet, *(f"{role} {count} short" for role, count in short.items())]), "why": "; ".join(why)})
    targeted = {village for target in problem.targets if target.kind == "village" for village in target.villages}
    for village, facts in problem.villages.items():
        if facts["needs"] and village not in targeted:
            why = "not_in_group: the village is in no group of the plan" if problem.with_plan else "takes no helpers ([assign] per_village)"
            rows.append({"kind": "village", "target_id": village, "target_name": facts["name"], "township": facts["township"],
                         "group_id": facts["group_id"], "weak": facts["weak"], "needs": ", ".join(facts["needs"]), "required": "", "assigned": "",
                         "helpers": "", "unmet": ", ".join(facts["needs"]), "why": why})
    return pd.DataFrame(rows, columns=["kind", "target_id", "target_name", "township", "group_id", "weak", "needs", "required", "assigned",
                                       "helpers", "unmet", "why"])


def summary_rows(assignment: Assignment) -> list[tuple[str, object]]:
    """The summary as (item, value) rows: status, metrics, each level's value and bound."""
    metrics = assignment.metrics()
    rows = [(key, value) for key, value in metrics.items()]
    rows += [(f"level {stage['name']}", f"{stage['status']}: {stage['value']} (bound {stage['bound']})") for stage in assignment.stages]
    rows += [("conflict", conflict) for conflict in assignment.conflicts]
    return rows


def localised(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table of this module with its headers, roles, kinds, needs and yes/no in ``lang``.

    Examples
    --------
    >>> table = pd.DataFrame({"role": ["resident_cadre"], "need": ["income"], "needs": ["organisation, income"], "kept": [True]})
    >>> localised(table, "zh").to_dict("records")
    [{'选派身份': '驻村干部', '对应需求': '集体经济', '需求': '组织建设, 集体经济', '延续上年': '是'}]
    """
    table = table.copy()

    def word(prefix: str, value: str) -> str:
        return label(f"assign:{prefix}:{value}", lang) if f"assign:{prefix}:{value}" in LABELS else value

    for column, prefix in (("role", "role"), ("kind", "kind"), ("need", "need")):
        if column in table.columns:
            table[column] = table[column].map(lambda value, prefix=prefix: word(prefix, value))
    if "needs" in table.columns:
        table["needs"] = table["needs"].map(lambda text: ", ".join(word("need", need) for need in text.split(", ")) if text else text)
    for column in ("weak", "kept"):
        if column in table.columns:
            table[column] = table[column].map(lambda flag: label("yes" if flag else "no", lang))
    return table.rename(columns={column: label(f"assign:{column}", lang) for column in table.columns if f"assign:{column}" in LABELS})
