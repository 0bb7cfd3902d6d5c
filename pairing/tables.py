"""The plan as the tables a county office reads: one row per village, one per
group, the ungrouped villages with their reasons, and the summary rows (status
and proof, metrics, rules, checker verdict, provenance). Shared by the xlsx,
GPKG and HTML writers and the notebook display; labels come from
:mod:`pairing.labels`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .check import Violation, check
from .labels import label
from .plan import Plan

def village_table(plan: Plan) -> pd.DataFrame:
    """One row per village: the plan's columns, then every input attribute.

    Columns ``village_id, name, township, group_id, role, lead_id, lead_name,
    population, weak, strength, reason`` and the input's other columns (the
    metric ``x``/``y`` the instance adds are left out: the geometry carries them).

    Examples
    --------
    >>> county = path_county([500, 400, 300, 200], weak=[False, True, True, True], names=["东村", "西村", "南村", "北村"])
    >>> plan = Plan(county, Rules(), (Group("G001", ("a",), ("b", "c")),), reasons={"d": "excluded"})
    >>> village_table(plan)[["village_id", "group_id", "role", "lead_name", "reason"]].to_dict("list")
    {'village_id': ['a', 'b', 'c', 'd'], 'group_id': ['G001', 'G001', 'G001', ''], 'role': ['lead', 'member', 'member', 'none'], 'lead_name': ['东村', '东村', '东村', ''], 'reason': ['', '', '', 'excluded']}
    """
    villages = plan.instance.villages
    table = plan.assignment()
    if "reason" not in table.columns:
        table["reason"] = ""
    names = dict(zip(villages["village_id"], villages["name"]))
    table["lead_name"] = table["lead_id"].map(names).fillna("")
    for column in ("population", "weak", "strength"):
        table[column] = villages[column].to_numpy()
    plan_columns = ["village_id", "name", "township", "group_id", "role", "lead_id", "lead_name", "population", "weak", "strength", "reason"]
    attributes = villages.drop(columns=[column for column in villages.columns if column in plan_columns or column in ("x", "y")])
    return pd.concat([table[plan_columns], attributes.reset_index(drop=True)], axis=1)


def group_table(plan: Plan) -> pd.DataFrame:
    """One row per group: ``group_id, township, lead_id, lead_name, members``
    (member names), ``member_ids, villages`` (count), ``population,
    weak_villages`` (count).

    A hand-edited group with no lead or two shows them all in ``lead_id``.

    Examples
    --------
    >>> county = path_county([500, 400, 300], weak=[False, True, True], names=["东村", "西村", "南村"], township="景芝镇")
    >>> plan = Plan(county, Rules(), (Group("G001", ("a",), ("b", "c")),))
    >>> group_table(plan).to_dict("records")
    [{'group_id': 'G001', 'township': '景芝镇', 'lead_id': 'a', 'lead_name': '东村', 'members': '西村、南村', 'member_ids': 'b, c', 'villages': 3, 'population': 1200, 'weak_villages': 2}]
    """
    instance = plan.instance
    rows = []
    for group in plan.groups:
        known = [village for village in group.villages if village in instance]
        positions = [instance.index(village) for village in known]
        names = {village: instance.villages["name"].iloc[instance.index(village)] for village in known}
        rows.append({
            "group_id": group.group_id,
            "township": "、".join(dict.fromkeys(str(instance.township[row]) for row in positions)),
            "lead_id": ", ".join(group.leads),
            "lead_name": "、".join(names.get(village, village) for village in group.leads),
            "members": "、".join(names.get(village, village) for village in group.members),
            "member_ids": ", ".join(group.members),
            "villages": len(group.villages),
            "population": int(instance.population[positions].sum()),
            "weak_villages": int(instance.weak[positions].sum()),
        })
    return pd.DataFrame(rows, columns=["group_id", "township", "lead_id", "lead_name", "members", "member_ids", "villages", "population", "weak_villages"])


def ungrouped_table(plan: Plan) -> pd.DataFrame:
    """The ungrouped villages with their reasons, weak ones first.

    Examples
    --------
    >>> county = path_county([500, 400, 300, 200, 100], weak=[False, False, True, False, True])
    >>> plan = Plan(county, Rules(), (Group("G001", ("b",), ("c",)),),
    ...             reasons={"a": "excluded", "d": "excluded", "e": "excluded"})
    >>> ungrouped_table(plan)["village_id"].tolist()
    ['e', 'a', 'd']
    """
    table = village_table(plan)
    table = table.loc[table["role"] == "none", ["village_id", "name", "township", "population", "weak", "strength", "reason"]]
    return table.sort_values(["weak", "township", "village_id"], ascending=[False, True, True], kind="stable").reset_index(drop=True)


def summary_rows(plan: Plan, lang: str = "en", *, provenance: dict | None = None,
                 violations: Sequence[Violation] | None = None) -> list[tuple[str, str]]:
    """The summary as (label, value) rows: status and proof, metrics, rules, checker
    verdict, and where the plan came from (``provenance``: ``input``,
    ``input_sha256``, ``written``, ``pairing``, when known).

    Examples
    --------
    >>> plan = Plan(path_county([500, 400, 300], weak=[False, True, True]), Rules(), (Group("G001", ("a",), ("b", "c")),),
    ...             status="OPTIMAL", bound=Objective(2, 3, 2), gap=0.0)
    >>> dict(summary_rows(plan, "zh"))["最优性"]
    '已证明最优'
    >>> dict(summary_rows(Plan(plan.instance, Rules(), plan.groups)))["Proof"]
    'no solver record: the plan was read from a file'
    """
    metrics = plan.metrics()
    rules = plan.rules
    violations = check(plan) if violations is None else violations
    distance = f"{metrics['distance']:,} {label('unit:' + metrics['distance_unit'], lang)}"
    rows = [
        (label("status", lang), status_text(plan)),
        (label("proof", lang), proof_text(plan, lang)),
        (label("groups", lang), f"{metrics['groups']:,}"),
        (label("villages_grouped", lang), label("of", lang, part=metrics["villages_grouped"], whole=metrics["villages"])),
        (label("weak_grouped", lang), label("of", lang, part=metrics["weak_grouped"], whole=metrics["weak"])),
        (label("population_grouped", lang), label("of", lang, part=metrics["population_grouped"], whole=metrics["population"])),
        (label("distance", lang), distance),
        (label("check", lang), label("check:valid", lang) if not violations else label("check:violations", lang, count=len(violations))),
        (label("rule:group_size", lang), f"{rules.group_size[0]}-{rules.group_size[1]}"),
        (label("rule:group_population", lang), f"{rules.group_population[0]:,}-{rules.group_population[1]:,}"),
        (label("rule:same_township", lang), label("yes" if rules.same_township else "no", lang)),
        (label("rule:contiguity", lang), label(f"rule:contiguity:{rules.contiguity}", lang)),
        (label("rule:lead_top_share", lang), f"{rules.lead_top_share:.0%}"),
    ]
    if plan.stages:
        rows.append((label("solve_seconds", lang), label("seconds", lang, value=plan.solve_seconds)))
        rows.append((label("seed", lang), f"{plan.seed}, {plan.workers}"))
    for key in ("input", "input_sha256", "written", "pairing"):
        if (provenance or {}).get(key):
            rows.append((label(key, lang), str(provenance[key])))
    return rows


def solver_record(plan: Plan) -> bool:
    """Whether the plan comes with a solve's account (a plan read from a file does not)."""
    return bool(plan.stages) or plan.bound is not None


def status_text(plan: Plan) -> str:
    """The solver's status, or "—" for a plan without a solver record."""
    return plan.status if solver_record(plan) else "—"


def proof_text(plan: Plan, lang: str = "en") -> str:
    """What the solver proved about the plan, in words.

    Examples
    --------
    >>> plan = Plan(path_county(villages=6), Rules(), (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> proof_text(plan), proof_text(plan, "zh")
    ('no solver record: the plan was read from a file', '无求解记录：方案读自文件')
    """
    if not solver_record(plan):
        return label("proof:none", lang)
    if plan.status == "OPTIMAL":
        return label("proof:optimal", lang)
    if plan.status == "INFEASIBLE":
        return label("proof:infeasible", lang, conflicts="; ".join(plan.conflicts))
    if plan.gap is not None and plan.bound is not None:
        bound = ", ".join(f"{value:,}" for value in plan.bound.as_dict().values() if value is not None)
        return label("proof:gap", lang, gap=plan.gap, bound=bound)
    return label("proof:unproven", lang)
