"""The plan as the tables a county office reads: one row per village, one per
group, the ungrouped villages with their reasons, and the summary rows (status
and proof, metrics, rules, checker verdict, provenance). Shared by the xlsx,
GPKG and HTML writers and the notebook display; labels come from
:mod:`pairing.labels`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .check import Violation, check
from .labels import LABELS, label
from .plan import Plan


def village_table(plan: Plan) -> pd.DataFrame:
    """One row per village: the plan's columns, then every input attribute.

    Columns ``village_id, name, township, group_id, role, lead_id, lead_name,
    population, weak, strength, reason`` and the input's other columns, under
    the names the input gave them (a column the config's ``[columns]`` mapped,
    such as ``lon = "经度"``, is ``经度`` again; the metric ``x``/``y`` the
    instance adds are left out: the geometry carries them).

    Examples
    --------
    >>> county = path_county([500, 400, 300, 200], weak=[False, True, True, True], names=["东村", "西村", "南村", "北村"])
    >>> plan = Plan(county, Rules(), (Group("G001", ("a",), ("b", "c")),), reasons={"d": "excluded"})
    >>> village_table(plan)[["village_id", "group_id", "role", "lead_name", "reason"]].to_dict("list")
    {'village_id': ['a', 'b', 'c', 'd'], 'group_id': ['G001', 'G001', 'G001', ''], 'role': ['lead', 'member', 'member', 'none'], 'lead_name': ['东村', '东村', '东村', ''], 'reason': ['', '', '', 'excluded']}
    """
    return _village_table(plan).copy()


#: Plans whose village table is kept: the GPKG, XLSX and HTML of one plan each
#: read it (twice for the XLSX). A Plan is immutable and hashes by identity.
_CACHED_PLANS = 4


@functools.lru_cache(maxsize=_CACHED_PLANS)
def _village_table(plan: Plan) -> pd.DataFrame:
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
    attributes = attributes.rename(columns={canonical: given for canonical, given in plan.instance.input_names.items()
                                            if canonical in attributes.columns and given not in plan_columns})
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
    names = dict(zip(instance.ids, instance.villages["name"]))
    rows = []
    for group in plan.groups:
        positions = [instance.index(village) for village in group.villages if village in instance]
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
        (label("status", lang), status_text(plan, lang)),
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


def number_text(value: object, decimals: int = 3) -> str:
    """A number as a table shows it: thousands separators, up to ``decimals``
    decimals and no float noise (trailing zeros dropped); "" for a missing one.

    Examples
    --------
    >>> number_text(1200), number_text(0.43899999999999995), number_text(2.0), number_text(12345.6789), number_text(float("nan"))
    ('1,200', '0.439', '2', '12,345.679', '')
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if pd.isna(value):
        return ""
    text = f"{float(value):,.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def violation_text(violation: Violation, lang: str = "en") -> str:
    """A broken rule, its rule named in ``lang`` (the detail stays the checker's).

    Examples
    --------
    >>> violation = Violation("group_population", "G001", ("a", "b", "c"), "population 2,350, outside 1,000-2,000")
    >>> violation_text(violation, "zh")
    '联建组 G001：每组人口：population 2,350, outside 1,000-2,000'
    """
    if lang == "en":
        return str(violation)
    where = label("console:group", lang, group=violation.group_id) if violation.group_id else label("console:plan", lang)
    rule = label(f"console:rule:{violation.rule}", lang) if f"console:rule:{violation.rule}" in LABELS else violation.rule
    return label("console:violation", lang, where=where, rule=rule, detail=violation.detail)


def solver_record(plan: Plan) -> bool:
    """Whether the plan comes with a solve's account (a plan read from a file does not)."""
    return bool(plan.stages) or plan.bound is not None


def status_text(plan: Plan, lang: str = "en") -> str:
    """The solver's status in ``lang`` (最优解, 可行解, ...), or "—" for a plan
    without a solver record.

    Examples
    --------
    >>> plan = Plan(path_county(), Rules(), (), status="FEASIBLE", bound=Objective(2, 3, 2), gap=0.1)
    >>> status_text(plan), status_text(plan, "zh"), status_text(Plan(plan.instance, Rules(), ()), "zh")
    ('FEASIBLE', '可行解', '—')
    """
    if not solver_record(plan):
        return "—"
    key = f"status:{plan.status}"
    return label(key, lang) if key in LABELS else plan.status


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
