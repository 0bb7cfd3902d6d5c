"""What a county office reads: the plan's tables, labelled in English or Chinese,
the county map (inline SVG for the HTML report, PNG for printing) and the
self-contained HTML report.

Nothing here touches the disk: functions return tables, text or bytes, and
:mod:`pairing.io` writes them atomically. The report must work offline (county
offices often have no reliable internet), so it references no URL of any kind:
styles are inline, the map is inline SVG, fonts are the reader's own.
"""

from __future__ import annotations

import base64
import functools
import html
import io as bytes_io
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from .check import Violation, check
from .errors import InputError
from .plan import Plan

LANGS = ("en", "zh")

#: Every word the outputs show, in English and Chinese: column headers, role and
#: yes/no values, sheet names, summary rows, report headings, map legend.
#: Formatting fields in braces are filled by :func:`label`.
LABELS: dict[str, tuple[str, str]] = {
    # columns of the village, group and ungrouped tables
    "village_id": ("Village ID", "村代码"),
    "name": ("Village", "村名"),
    "township": ("Township", "乡镇"),
    "group_id": ("Group", "联建组"),
    "role": ("Role", "角色"),
    "lead_id": ("Lead ID", "领头雁村代码"),
    "lead_name": ("Lead", "领头雁"),
    "population": ("Population", "人口"),
    "weak": ("Weak", "薄弱村"),
    "strength": ("Strength", "实力得分"),
    "reason": ("Why ungrouped", "未联建原因"),
    "industry": ("Industry", "主导产业"),
    "members": ("Members", "成员村"),
    "member_ids": ("Member IDs", "成员村代码"),
    "villages": ("Villages", "村数"),
    "weak_villages": ("Weak villages", "薄弱村数"),
    "unit:m": ("m", "米"),
    "unit:hops": ("hops", "步"),
    # cell values
    "role:lead": ("lead", "领头雁"),
    "role:member": ("member", "成员村"),
    "role:none": ("none", "未联建"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "reason:no_feasible_group": ("no feasible group", "无可行组合"),
    "reason:not_chosen": ("not chosen", "未选入"),
    "reason:excluded": ("excluded", "规划排除"),
    "reason:not_planned": ("not planned", "未形成方案"),
    # sheets of plan.xlsx
    "sheet:groups": ("groups", "联建组"),
    "sheet:villages": ("villages", "村庄"),
    "sheet:ungrouped": ("ungrouped", "未联建村"),
    "sheet:summary": ("summary", "概要"),
    "item": ("Item", "项目"),
    "value": ("Value", "内容"),
    # summary rows
    "status": ("Solver status", "求解状态"),
    "proof": ("Proof", "最优性"),
    "proof:optimal": ("proven optimal", "已证明最优"),
    "proof:gap": ("not proven optimal: gap {gap:.2%} (bound {bound})", "未证明最优：差距 {gap:.2%}（界 {bound}）"),
    "proof:unproven": ("not proven optimal", "未证明最优"),
    "proof:infeasible": ("no plan keeps every lock: {conflicts}", "锁定条件无法同时满足：{conflicts}"),
    "proof:none": ("no solver record: the plan was read from a file", "无求解记录：方案读自文件"),
    "groups": ("Groups", "联建组数"),
    "villages_grouped": ("Villages grouped", "已联建村数"),
    "weak_grouped": ("Weak villages grouped", "已联建薄弱村数"),
    "population_grouped": ("People in groups", "联建覆盖人口"),
    "distance": ("Total member-to-lead distance", "成员村至领头雁总距离"),
    "of": ("{part:,} of {whole:,}", "{part:,} / {whole:,}"),
    "rules": ("Rules", "规则"),
    "rule:group_size": ("Villages per group", "每组村数"),
    "rule:group_population": ("People per group", "每组人口"),
    "rule:same_township": ("Within one township", "限同一乡镇"),
    "rule:contiguity": ("Contiguity", "相邻要求"),
    "rule:contiguity:connected": ("connected", "连片"),
    "rule:contiguity:star": ("every member adjacent to its lead", "成员村均与领头雁相邻"),
    "rule:lead_top_share": ("Leads among the strongest", "领头雁限实力前"),
    "solve_seconds": ("Solve time", "求解用时"),
    "seconds": ("{value:.1f} s", "{value:.1f} 秒"),
    "seed": ("Seed, workers", "随机种子、线程数"),
    "check": ("Checker", "规则校验"),
    "check:valid": ("every rule holds", "全部规则满足"),
    "check:violations": ("{count} violations", "{count} 处违反规则"),
    "input": ("Input file", "输入文件"),
    "input_sha256": ("Input SHA-256", "输入文件 SHA-256"),
    "written": ("Date", "生成日期"),
    "pairing": ("pairing version", "pairing 版本"),
    # the report
    "title": ("Cross-village grouping plan", "跨村联建方案"),
    "summary": ("Summary", "概况"),
    "violations": ("Rule violations", "违反规则之处"),
    "map": ("Map", "地图"),
    "no_map": ("No map: the input has no geometry.", "无地图：输入数据没有空间位置。"),
    "by_township": ("Groups by township", "各乡镇联建组"),
    "township_line": ("{groups} groups; {grouped} of {villages} villages grouped; {weak_grouped} of {weak} weak villages grouped",
                      "{groups} 个联建组；已联建 {grouped} / {villages} 村；薄弱村已联建 {weak_grouped} / {weak}"),
    "no_groups": ("No group in this township.", "本乡镇无联建组。"),
    "ungrouped_weak": ("Ungrouped weak villages", "未联建的薄弱村"),
    "ungrouped_other": ("Other ungrouped villages ({count})", "其他未联建村（{count}）"),
    "none_left": ("Every weak village is grouped.", "所有薄弱村均已联建。"),
    "weak_mark": ("weak villages are marked ▲", "带 ▲ 的为薄弱村"),
    "legend:lead": ("lead village", "领头雁"),
    "legend:group": ("group border", "联建组边界"),
    "legend:township": ("township border", "乡镇边界"),
    "legend:ungrouped_weak": ("ungrouped weak village", "未联建薄弱村"),
    "legend:ungrouped": ("ungrouped village", "未联建村"),
    "legend:grouped": ("grouped villages (one colour per group)", "已联建村（各组颜色不同）"),
    "map_title": ("{source}: {groups} groups, {grouped} of {villages} villages", "{source}：{groups} 个联建组，已联建 {grouped} / {villages} 村"),
    "font_missing": ("no Chinese font found: names shown as village ids", "未找到中文字体：以村代码代替村名"),
    "footer": ("Written by pairing {version}. Proposals for the county's planners to discuss, adapt and decide.",
               "由 pairing {version} 生成。方案供县级规划人员讨论、调整和决定。"),
    # plan diff
    "diff_title": ("Changes between two plans", "两个方案的差异"),
    "diff:old": ("old", "原方案"),
    "diff:new": ("new", "新方案"),
    "diff:change": ("change", "变化"),
    "diff:counts": ("groups: {kept} kept, {changed} changed, {dissolved} dissolved, {created} created",
                    "联建组：保留 {kept}，调整 {changed}，撤销 {dissolved}，新建 {created}"),
    "diff:kept": ("Kept", "保留"),
    "diff:changed": ("Changed", "调整"),
    "diff:dissolved": ("Dissolved", "撤销"),
    "diff:created": ("Created", "新建"),
    "diff:joined": ("joined", "加入"),
    "diff:left": ("left", "退出"),
    "diff:villages": ("Villages that changed group or role ({count})", "组别或角色变化的村（{count}）"),
    "diff:metrics": ("Metrics", "指标"),
    "diff:no_metrics": ("Metrics need the village table: give --input.", "指标需要村庄数据：请给出 --input。"),
    "diff:same": ("The plans are the same.", "两个方案相同。"),
    "violation_count": ("Rule violations", "违反规则数"),
}

#: The keys of LABELS that name columns of the plan's tables.
COLUMN_KEYS = ("village_id", "name", "township", "group_id", "role", "lead_id", "lead_name", "population", "weak", "strength",
               "reason", "industry", "members", "member_ids", "villages", "weak_villages")

#: Fills for the groups on the maps: ColorBrewer Set3 without its grey and pinks,
#: which would read as "ungrouped" or "weak". Neighbouring groups get different ones.
GROUP_COLOURS = ("#8dd3c7", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#bc80bd", "#ccebc5", "#ffed6f")
UNGROUPED_FILL = "#ffffff"
WEAK_HATCH = "#d62728"
LEAD_COLOUR = "#222222"
#: Township borders: a wide grey band under the groups' black borders, so both show where they coincide.
TOWNSHIP_COLOUR = "#8c8c8c"
#: Up to this many villages, the HTML map names members too (beyond, hover for names).
SVG_MEMBER_NAMES = 300

#: Fonts with Chinese glyphs, tried in order when the bundled one is missing.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Noto Serif CJK SC",
                "Noto Sans CJK JP", "AR PL UMing CN", "Droid Sans Fallback")
#: For the HTML report: the reader's own fonts, no web font.
CSS_FONTS = '"pairing-cjk", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "SimHei", sans-serif'


#: The first code point of the CJK blocks (radicals, then ideographs and the rest).
CJK_START = 0x2E80


class MapFontWarning(UserWarning):
    """No font with the Chinese glyphs of the map's labels was found."""


# -- labels --------------------------------------------------------------------------------
def label(key: str, lang: str = "en", **values: object) -> str:
    """The text of ``key`` in ``lang``, with its fields filled.

    Parameters
    ----------
    key : str
        A key of :data:`LABELS`.
    lang : {"en", "zh"}
    **values
        Values for the label's formatting fields.

    Examples
    --------
    >>> label("group_id"), label("group_id", "zh"), label("of", "zh", part=3, whole=1200)
    ('Group', '联建组', '3 / 1,200')
    """
    return LABELS[key][_lang_index(lang)].format(**values)


def _lang_index(lang: str) -> int:
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}", fix=f"use one of {', '.join(LANGS)}", column="--lang")
    return LANGS.index(lang)


def header_names() -> dict[str, str]:
    """Column header in either language, or canonical, lower case -> canonical column,
    to read a plan back whichever language it was written in.

    Examples
    --------
    >>> names = header_names()
    >>> names["村代码"], names["group"], names["group_id"], names["领头雁"]
    ('village_id', 'group_id', 'group_id', 'lead_name')
    """
    return {text.lower(): key for key, texts in LABELS.items() if key in COLUMN_KEYS for text in (key, *texts)}


def role_names() -> dict[str, str]:
    """A role in either language, lower case -> ``lead``, ``member`` or ``none``.

    Examples
    --------
    >>> role_names()["领头雁"], role_names()["member"]
    ('lead', 'member')
    """
    return {text.lower(): key.split(":", 1)[1] for key, texts in LABELS.items() if key.startswith("role:")
            for text in (key.split(":", 1)[1], *texts)}


def localise(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table with its headers, roles, yes/no and reason kinds in ``lang``.

    Columns without a label (the input's own attributes) keep their names.

    Examples
    --------
    >>> table = pd.DataFrame({"village_id": ["a"], "role": ["lead"], "weak": [True], "村集体收入": [3.5]})
    >>> localise(table, "zh").to_dict("records")
    [{'村代码': 'a', '角色': '领头雁', '薄弱村': '是', '村集体收入': 3.5}]
    """
    table = table.copy()
    if "role" in table.columns:
        table["role"] = table["role"].map(lambda role: label(f"role:{role}", lang) if f"role:{role}" in LABELS else role)
    for column in ("weak", "lead_eligible"):
        if column in table.columns and pd.api.types.is_bool_dtype(table[column]):
            table[column] = table[column].map(lambda flag: label("yes" if flag else "no", lang))
    if "reason" in table.columns:
        table["reason"] = table["reason"].map(lambda reason: localise_reason(reason, lang))
    return table.rename(columns={column: label(column, lang) for column in table.columns if column in LABELS})


def localise_reason(reason: str, lang: str) -> str:
    """The reason's kind (``no_feasible_group``, ``not_chosen``, ``excluded``) in
    ``lang``; the detail after it stays as the diagnosis wrote it.

    Examples
    --------
    >>> localise_reason("no_feasible_group: population 2,350 exceeds the ceiling 2,000 alone", "zh")
    '无可行组合: population 2,350 exceeds the ceiling 2,000 alone'
    """
    kind, _, detail = str(reason).partition(":")
    key = f"reason:{kind.strip()}"
    if key not in LABELS:
        return reason
    return label(key, lang) + (f":{detail}" if detail else "")


# -- tables --------------------------------------------------------------------------------
def with_reasons(plan: Plan) -> Plan:
    """The plan with a reason for every ungrouped village (computed by
    :func:`pairing.diagnose.ungrouped_reasons` when the plan lacks some, as a
    plan read from a file does).

    Examples
    --------
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T", "population": 400,
    ...     "strength": [6.0, 5, 4, 3, 2, 1], "weak": False})
    >>> shapes = gpd.GeoSeries([box(i, 0, i + 1, 1) for i in range(6)], crs="EPSG:32650")
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcdef")), geometry=shapes), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> with_reasons(Plan(plan.instance, Rules(), plan.groups[:1])).reasons["d"]
    'not_chosen: it fits a valid group, but the plan groups its neighbours otherwise'
    """
    grouped = {village for group in plan.groups for village in group.villages}
    if all(village in plan.reasons for village in plan.instance.ids if village not in grouped):
        return plan
    from .diagnose import ungrouped_reasons  # the candidate enumeration: only needed here

    return replace(plan, reasons={**ungrouped_reasons(plan), **plan.reasons})


def village_table(plan: Plan) -> pd.DataFrame:
    """One row per village: the plan's columns, then every input attribute.

    Columns ``village_id, name, township, group_id, role, lead_id, lead_name,
    population, weak, strength, reason`` and the input's other columns (the
    metric ``x``/``y`` the instance adds are left out: the geometry carries them).

    Examples
    --------
    >>> import networkx as nx
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": ["东村", "西村", "南村", "北村"], "township": "T",
    ...     "population": [500, 400, 300, 200], "strength": [3.0, 2, 1, 0], "weak": [False, True, True, True]})
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcd"))), Rules(), (Group("G001", ("a",), ("b", "c")),), reasons={"d": "excluded"})
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
    >>> import networkx as nx
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abc"), "name": ["东村", "西村", "南村"], "township": "景芝镇",
    ...     "population": [500, 400, 300], "strength": [3.0, 2, 1], "weak": [False, True, True]})
    >>> plan = Plan(Instance(table, nx.path_graph(list("abc"))), Rules(), (Group("G001", ("a",), ("b", "c")),))
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
    >>> import networkx as nx
    >>> from pairing import Instance, Rules
    >>> from pairing import Group
    >>> table = pd.DataFrame({"village_id": list("abcde"), "name": list("abcde"), "township": "T",
    ...     "population": [500, 400, 300, 200, 100], "strength": [4.0, 3, 2, 1, 0], "weak": [False, False, True, False, True]})
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcde"))), Rules(), (Group("G001", ("b",), ("c",)),),
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
    >>> import networkx as nx
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abc"), "name": list("abc"), "township": "T",
    ...     "population": [500, 400, 300], "strength": [3.0, 2, 1], "weak": [False, True, True]})
    >>> from pairing import Objective
    >>> plan = Plan(Instance(table, nx.path_graph(list("abc"))), Rules(), (Group("G001", ("a",), ("b", "c")),),
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
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T", "population": 400,
    ...     "strength": [6.0, 5, 4, 3, 2, 1], "weak": False})
    >>> shapes = gpd.GeoSeries([box(i, 0, i + 1, 1) for i in range(6)], crs="EPSG:32650")
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcdef")), geometry=shapes), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
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


# -- the map, shared by SVG and PNG ---------------------------------------------------------------
@dataclass(frozen=True)
class MapLayers:
    """What both maps draw, in the instance's metric coordinates.

    ``shapes`` are the villages (polygons, or points), ``fills`` their colours,
    ``hatched`` the ungrouped weak ones; ``outlines`` the group borders (union
    of polygons, or convex hull of points); ``townships`` the township borders
    (polygons only); ``anchors`` a point inside each village for its label;
    ``links`` (member row, lead row) pairs, drawn for points only.
    """

    shapes: np.ndarray
    polygonal: bool
    fills: tuple[str, ...]
    hatched: np.ndarray
    outlines: tuple
    townships: tuple
    anchors: np.ndarray
    lead_rows: tuple[int, ...]
    links: tuple[tuple[int, int], ...]
    bounds: tuple[float, float, float, float]


def group_colours(plan: Plan) -> dict[str, str]:
    """A fill per group, different for groups that have neighbouring villages
    (greedy colouring of the groups' adjacency, largest first: deterministic).

    Examples
    --------
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T", "population": 400,
    ...     "strength": [6.0, 5, 4, 3, 2, 1], "weak": False})
    >>> shapes = gpd.GeoSeries([box(i, 0, i + 1, 1) for i in range(6)], crs="EPSG:32650")
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcdef")), geometry=shapes), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> colours = group_colours(plan)
    >>> colours["G001"] != colours["G002"]
    True
    """
    group_of = {village: group.group_id for group in plan.groups for village in group.villages}
    touching = nx.Graph()
    touching.add_nodes_from(group.group_id for group in plan.groups)
    for a, b in plan.instance.graph.edges():
        if a in group_of and b in group_of and group_of[a] != group_of[b]:
            touching.add_edge(group_of[a], group_of[b])
    colouring = nx.greedy_color(touching, strategy="largest_first")
    return {group: GROUP_COLOURS[colour % len(GROUP_COLOURS)] for group, colour in colouring.items()}


def group_shapes(plan: Plan) -> list:
    """One shape per group, in ``plan.groups`` order: the union of its village
    polygons, or the convex hull of its points (slightly widened when they are
    in a line, so that it is still an area). None without geometry.

    Examples
    --------
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T", "population": 400,
    ...     "strength": [6.0, 5, 4, 3, 2, 1], "weak": False})
    >>> shapes = gpd.GeoSeries([box(i, 0, i + 1, 1) for i in range(6)], crs="EPSG:32650")
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcdef")), geometry=shapes), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> [shape.bounds for shape in group_shapes(plan)]
    [(0.0, 0.0, 3.0, 1.0), (3.0, 0.0, 6.0, 1.0)]
    """
    geometry = plan.instance.geometry
    if geometry is None:
        return [None] * len(plan.groups)
    shapes = geometry.to_numpy()
    polygonal = geometry.geom_type.iloc[0] != "Point"
    outlines = []
    for group in plan.groups:
        parts = [shapes[plan.instance.index(village)] for village in group.villages if village in plan.instance]
        if polygonal:
            outlines.append(shapely.union_all(parts))
        else:
            hull = shapely.MultiPoint(parts).convex_hull
            outlines.append(hull if hull.geom_type == "Polygon" else hull.buffer(max(1.0, 0.02 * hull.length)))
    return outlines


def map_layers(plan: Plan) -> MapLayers | None:
    """The map's layers, or None when the instance has no geometry.

    Examples
    --------
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcdef"), "name": list("abcdef"), "township": "T", "population": 400,
    ...     "strength": [6.0, 5, 4, 3, 2, 1], "weak": False})
    >>> shapes = gpd.GeoSeries([box(i, 0, i + 1, 1) for i in range(6)], crs="EPSG:32650")
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcdef")), geometry=shapes), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> layers = map_layers(plan)
    >>> layers.polygonal, layers.lead_rows, len(layers.townships)
    (True, (0, 3), 1)
    """
    instance = plan.instance
    if instance.geometry is None:
        return None
    shapes = instance.geometry.to_numpy()
    polygonal = instance.geometry.geom_type.iloc[0] != "Point"
    colours = group_colours(plan)
    group_of = {village: group.group_id for group in plan.groups for village in group.villages}
    fills = tuple(colours[group_of[village]] if village in group_of else UNGROUPED_FILL for village in instance.ids)
    hatched = np.array([village not in group_of for village in instance.ids]) & instance.weak
    anchors = shapely.get_coordinates(shapely.point_on_surface(shapes)) if polygonal else shapely.get_coordinates(shapes)
    townships = ()
    if polygonal:
        by_township = pd.Series(range(instance.n)).groupby(instance.township)
        townships = tuple(shapely.union_all(shapes[list(rows)]).boundary for _, rows in by_township)
    lead_rows = tuple(instance.index(group.lead) for group in plan.groups if group.lead in instance)
    links = () if polygonal else tuple((instance.index(member), instance.index(group.lead)) for group in plan.groups
                                       if group.lead in instance for member in group.members if member in instance)
    outlines = tuple(group_shapes(plan))
    return MapLayers(shapes, polygonal, fills, hatched, outlines, townships, anchors, lead_rows, links,
                     tuple(shapely.total_bounds(shapes)))


def short_name(name: str) -> str:
    """A village's name as a map label: without the committee suffix that NBS names
    carry (东十里村委会 -> 东十里村, 城关社区居委会 -> 城关社区).

    Examples
    --------
    >>> short_name("东十里村委会"), short_name("城关社区居委会"), short_name("南庄")
    ('东十里村', '城关社区', '南庄')
    """
    for suffix, keep in (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", ""), ("居委会", "")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


def map_svg(plan: Plan, lang: str = "en", width: int = 1000) -> str:
    """The county map as an inline SVG element (for HTML: no ``xmlns``, no URL).

    Groups are coloured (neighbouring groups differently) and outlined, leads
    marked with a dot and their name; ungrouped weak villages are hatched red.
    Every village has a tooltip (``<title>``) with its name, id, group and role.
    An empty string when the instance has no geometry.

    Examples
    --------
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abc"), "name": ["东村", "西村", "南村"], "township": "T",
    ...     "population": [500, 400, 300], "strength": [3.0, 2, 1], "weak": [False, True, True]})
    >>> shapes = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:32650")
    >>> instance = Instance(table, nx.path_graph(list("abc")), geometry=shapes)
    >>> svg = map_svg(Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")),)))
    >>> svg.startswith("<svg") and "东村" in svg and "http://" not in svg and "https://" not in svg
    True
    """
    layers = map_layers(plan)
    if layers is None:
        return ""
    instance = plan.instance
    min_x, min_y, max_x, max_y = layers.bounds
    span = max(max_x - min_x, max_y - min_y, 1e-9)
    margin = 0.02 * span
    scale = width / (max_x - min_x + 2 * margin) if max_x > min_x else width / (2 * margin + span)
    height = int(math.ceil((max_y - min_y + 2 * margin) * scale))

    def to_px(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(((xy[:, 0] - min_x + margin) * scale, (max_y + margin - xy[:, 1]) * scale))

    pixel = 1.0 / scale
    cell_px = math.sqrt(width * height / max(instance.n, 1))  # a village's typical width on the map
    font_px = min(14.0, max(4.0, cell_px / 3.2))
    names = instance.villages["name"].tolist()
    assignment = plan.assignment()
    tooltips = [_tooltip(name, row, lang) for name, row in zip(names, assignment.itertuples(index=False))]
    parts = [f'<svg class="map" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{html.escape(label("map", lang))}">',
             '<defs><pattern id="weak-hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">'
             f'<rect width="5" height="5" fill="{UNGROUPED_FILL}"/><line x1="0" y1="0" x2="0" y2="5" stroke="{WEAK_HATCH}" stroke-width="2"/></pattern></defs>',
             '<g class="villages" stroke="#9a9a9a" stroke-width="0.4">']
    if layers.polygonal:
        simplified = shapely.simplify(layers.shapes, 0.4 * pixel, preserve_topology=True)
        for shape, fill, hatched, tooltip in zip(simplified, layers.fills, layers.hatched, tooltips):
            paint = "url(#weak-hatch)" if hatched else fill
            parts.append(f'<path d="{_svg_path(shape, to_px)}" fill="{paint}"><title>{tooltip}</title></path>')
    else:
        radius = max(2.0, min(8.0, cell_px / 5))
        centres = to_px(layers.anchors)
        for (x, y), fill, hatched, tooltip in zip(centres, layers.fills, layers.hatched, tooltips):
            paint = "url(#weak-hatch)" if hatched else fill
            stroke = f' stroke="{WEAK_HATCH}" stroke-width="1.2"' if hatched else ""
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{paint}"{stroke}><title>{tooltip}</title></circle>')
    parts.append("</g>")
    if layers.townships:
        parts.append(f'<g class="townships" fill="none" stroke="{TOWNSHIP_COLOUR}" stroke-width="4" stroke-linejoin="round">')
        for border in shapely.simplify(np.array(layers.townships, dtype=object), 0.4 * pixel):
            parts.append(f'<path d="{_svg_path(border, to_px, close=False)}"/>')
        parts.append("</g>")
    if layers.links:
        anchors = to_px(layers.anchors)
        parts.append('<g class="links" stroke="#444" stroke-width="0.8">')
        parts += [f'<line x1="{anchors[a, 0]:.1f}" y1="{anchors[a, 1]:.1f}" x2="{anchors[b, 0]:.1f}" y2="{anchors[b, 1]:.1f}"/>' for a, b in layers.links]
        parts.append("</g>")
    parts.append(f'<g class="groups" fill="{"none" if layers.polygonal else "#00000010"}" stroke="#1f1f1f" stroke-width="1.6">')
    for group, outline in zip(plan.groups, shapely.simplify(np.array(layers.outlines, dtype=object), 0.4 * pixel)):
        parts.append(f'<path d="{_svg_path(outline, to_px)}"><title>{html.escape(group.group_id)}</title></path>')
    parts.append("</g>")
    if instance.n <= SVG_MEMBER_NAMES:
        lead_rows = set(layers.lead_rows)
        anchors = to_px(layers.anchors)
        offset = 0.0 if layers.polygonal else font_px
        parts.append(f'<g class="members" font-size="{0.8 * font_px:.1f}" fill="#444444" text-anchor="middle">')
        parts += [f'<text x="{x:.1f}" y="{y + offset + font_px / 3:.1f}">{html.escape(short_name(names[row]))}</text>'
                  for row, (x, y) in enumerate(anchors) if row not in lead_rows]
        parts.append("</g>")
    leads = to_px(layers.anchors[list(layers.lead_rows)]) if layers.lead_rows else np.empty((0, 2))
    parts.append(f'<g class="leads" font-size="{font_px:.1f}" paint-order="stroke" stroke="#ffffff" stroke-width="{font_px / 4:.1f}" '
                 f'stroke-linejoin="round" fill="{LEAD_COLOUR}" font-weight="bold">')
    dot = max(1.5, font_px / 3.5)
    for (x, y), row in zip(leads, layers.lead_rows):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{dot:.1f}" stroke-width="0.8"/>'
                     f'<text x="{x + dot + 1:.1f}" y="{y + font_px / 3:.1f}">{html.escape(short_name(names[row]))}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


def _tooltip(name: str, row, lang: str) -> str:
    role = label(f"role:{row.role}", lang)
    where = f"{row.group_id} {role}" if row.group_id else role
    reason = f" — {localise_reason(row.reason, lang)}" if getattr(row, "reason", "") else ""
    return html.escape(f"{name} ({row.village_id}) {row.township}: {where}{reason}")


def _svg_path(shape, to_px, close: bool = True) -> str:
    """SVG path data of a polygon, multipolygon or line(s), in pixels."""
    rings = []
    for part in getattr(shape, "geoms", [shape]):
        if part.geom_type == "Polygon":
            rings += [(ring, True) for ring in (part.exterior, *part.interiors)]
        elif part.geom_type in ("LineString", "LinearRing", "MultiLineString"):
            rings += [(line, False) for line in getattr(part, "geoms", [part])]
    data = []
    for ring, closed in rings:
        xy = to_px(np.asarray(ring.coords))
        if closed and close:
            xy = xy[:-1]
        if len(xy) < 2:
            continue
        data.append("M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + ("Z" if closed and close else ""))
    return "".join(data)


# -- the PNG map -------------------------------------------------------------------------------
@functools.cache
def _font_files() -> tuple[str, ...]:
    """Font files to draw names with, best first: the bundled Noto Sans SC (the
    same on every machine), any Chinese family matplotlib finds on the system,
    and matplotlib's own DejaVu Sans (no Chinese) last."""
    from matplotlib import font_manager

    files = []
    try:
        import pylopdf_fonts_zh_cn

        files.append(str(pylopdf_fonts_zh_cn.sans_path()))
    except ImportError:
        pass
    by_family = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    files += [by_family[family] for family in CJK_FAMILIES if family in by_family]
    files.append(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))
    return tuple(dict.fromkeys(path for path in files if Path(path).is_file()))


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


def _drawable(text: str, path: str) -> bool:
    """Whether the font has a glyph for every character of ``text``."""
    return all(ord(character) in _charmap(path) for character in str(text) if not character.isspace())


def font_for(texts: Iterable[str]) -> str | None:
    """The first font file that has a glyph for every character of ``texts``, or None.

    Examples
    --------
    >>> font_for(["东十里村"]) is not None   # the bundled Noto Sans SC
    True
    """
    joined = "".join(texts)
    return next((path for path in _font_files() if _drawable(joined, path)), None)


#: Names smaller than this many points are not drawn on the PNG map (they would not be read).
MIN_LABEL_POINTS = 3.5
#: Up to this many villages, names on the PNG map have a white halo.
HALO_VILLAGES = 2000


def draw_map(axes, layers: MapLayers, *, names: Sequence[str] | None = None, font=None, member_size: float | None = None,
             lead_size: float | None = None, halo: bool = True, simplify: float = 0.0) -> None:
    """Draw the map's layers on matplotlib ``axes``: villages filled by group
    (polygons, or dots for points with links to their leads), ungrouped weak
    villages hatched red, township and group borders, leads as dots, and names
    (members at ``member_size`` points, leads at ``lead_size``; None draws none).
    Shapes are simplified to ``simplify`` map units (about a pixel) and drawn as
    one collection each, so a county of 10,000 villages takes seconds."""
    from matplotlib.collections import LineCollection, PathCollection
    import matplotlib.patheffects as effects

    shapes = shapely.simplify(layers.shapes, simplify, preserve_topology=True) if simplify > 0 else layers.shapes
    dot = 6 * (member_size or 3.5)
    if layers.polygonal:
        axes.add_collection(PathCollection(_paths(shapes), facecolors=list(layers.fills), edgecolors="#9a9a9a", linewidths=0.3))
        if layers.hatched.any():
            axes.add_collection(PathCollection(_paths(shapes[layers.hatched]), facecolors="none", edgecolors=WEAK_HATCH,
                                               linewidths=0.0, hatch="////"))
        if layers.townships:
            axes.add_collection(LineCollection(_lines(layers.townships, simplify), colors=TOWNSHIP_COLOUR, linewidths=2.6))
    else:
        if layers.links:
            axes.add_collection(LineCollection([layers.anchors[[a, b]] for a, b in layers.links], colors="#444444", linewidths=0.5))
        axes.add_collection(PathCollection(_paths(np.array(layers.outlines, dtype=object)), facecolors="#00000010", edgecolors="none"))
        axes.scatter(layers.anchors[:, 0], layers.anchors[:, 1], s=dot, c=list(layers.fills),
                     edgecolors=np.where(layers.hatched, WEAK_HATCH, "#9a9a9a"), linewidths=np.where(layers.hatched, 1.2, 0.4), zorder=3)
    if layers.outlines:
        borders = [shapely.boundary(outline) for outline in layers.outlines]
        axes.add_collection(LineCollection(_lines(borders, simplify), colors="#1f1f1f", linewidths=1.0))
    min_x, min_y, max_x, max_y = layers.bounds
    offset = 0.0 if layers.polygonal else 0.004 * max(max_x - min_x, max_y - min_y)
    leads = set(layers.lead_rows)
    text = {"fontproperties": font} if font is not None else {}
    if names is not None and member_size is not None:
        member_halo = [effects.withStroke(linewidth=1.6, foreground="white")] if halo else None
        for row, (x, y) in enumerate(layers.anchors):
            if row not in leads:
                axes.text(x, y - offset, names[row], size=member_size, color="#333333", ha="center", va="center",
                          path_effects=member_halo, zorder=4, **text)
    lead_xy = layers.anchors[list(layers.lead_rows)] if layers.lead_rows else np.empty((0, 2))
    axes.scatter(lead_xy[:, 0], lead_xy[:, 1], s=(lead_size or 3.5) * 2.2, c=LEAD_COLOUR, edgecolors="white", linewidths=0.6, zorder=5)
    if names is not None and lead_size is not None:
        lead_halo = [effects.withStroke(linewidth=2.2, foreground="white")] if halo else None
        for row, (x, y) in zip(layers.lead_rows, lead_xy):
            axes.text(x, y + 0.0015 * (max_y - min_y) + offset, names[row], size=lead_size, color=LEAD_COLOUR, ha="center",
                      va="bottom", path_effects=lead_halo, zorder=6, **text)
    margin = 0.01 * max(max_x - min_x, max_y - min_y, 1e-9)
    axes.set_xlim(min_x - margin, max_x + margin)
    axes.set_ylim(min_y - margin, max_y + margin)


def _paths(shapes: np.ndarray) -> list:
    """One matplotlib Path per (multi)polygon, its rings as closed sub-paths (holes
    included), built from all coordinates at once."""
    from matplotlib.path import Path as MplPath

    parts, part_owner = shapely.get_parts(shapes, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coordinates, ring_of = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coordinates), MplPath.LINETO, dtype=np.uint8)
    if len(coordinates):
        starts = np.flatnonzero(np.r_[True, np.diff(ring_of) != 0])
        codes[starts] = MplPath.MOVETO
        codes[np.r_[starts[1:], len(coordinates)] - 1] = MplPath.CLOSEPOLY
    owner = part_owner[ring_part][ring_of]
    cuts = np.searchsorted(owner, np.arange(1, len(shapes)))
    return [MplPath(vertices, kinds) for vertices, kinds in zip(np.split(coordinates, cuts), np.split(codes, cuts))]


def _lines(shapes, simplify: float) -> list[np.ndarray]:
    """The coordinates of every line of ``shapes`` (lines or polygon borders), simplified."""
    lines = shapely.get_parts(np.array(list(shapes), dtype=object))
    if simplify > 0:
        lines = shapely.simplify(lines, simplify)
    coordinates, line_of = shapely.get_coordinates(lines, return_index=True)
    return np.split(coordinates, np.flatnonzero(np.diff(line_of)) + 1) if len(coordinates) else []


def map_png(plan: Plan, lang: str = "en", *, dpi: int = 200) -> bytes:
    """The county map as a PNG for printing: groups coloured and outlined, every
    village named (leads in bold with a dot), ungrouped weak villages hatched red.

    Names are set in a font that has their glyphs (the bundled Noto Sans SC, else
    a Chinese font of the system). A name no available font can draw is labelled
    by its village id instead, with a :class:`MapFontWarning`: never silent boxes.

    Raises
    ------
    InputError
        The instance has no geometry.

    Examples
    --------
    >>> import networkx as nx, geopandas as gpd
    >>> from shapely import box
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abc"), "name": ["东村", "西村", "南村"], "township": "T",
    ...     "population": [500, 400, 300], "strength": [3.0, 2, 1], "weak": [False, True, True]})
    >>> shapes = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:32650")
    >>> instance = Instance(table, nx.path_graph(list("abc")), geometry=shapes)
    >>> map_png(Plan(instance, Rules(), (Group("G001", ("a",), ("b", "c")),)))[:4]
    b'\\x89PNG'
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    layers = map_layers(plan)
    if layers is None:
        raise InputError("no map: the input has no geometry", fix="give polygons or coordinates to draw a map")
    instance = plan.instance
    names = [short_name(name) for name in instance.villages["name"]]
    title = label("map_title", lang, source=Path(instance.source).stem or "pairing", groups=len(plan.groups),
                  grouped=plan.metrics()["villages_grouped"], villages=instance.n)
    legend_keys = ("legend:grouped", "legend:lead", "legend:group", "legend:township", "legend:ungrouped_weak", "legend:ungrouped")
    legend_texts = [label(key, lang) for key in legend_keys]
    # The font that can draw the most labels; a name it cannot draw is shown as the
    # village id, with a warning, rather than as boxes.
    font_file = max(_font_files(), key=lambda path: sum(_drawable(text, path) for text in [*names, title, *legend_texts]))
    undrawable = [row for row, name in enumerate(names) if not _drawable(name, font_file)]
    if undrawable:
        examples = "、".join(instance.villages["name"].iloc[row] for row in undrawable[:3])
        warnings.warn(f"map.png: no available font can draw {len(undrawable)} village names (e.g. {examples}), so they are labelled "
                      "by village id; install a font that has them (pip install pylopdf-fonts-zh-cn, or Debian fonts-noto-cjk)",
                      MapFontWarning, stacklevel=2)
        for row in undrawable:
            names[row] = instance.ids[row]
    if not all(_drawable(text, font_file) for text in [title, *legend_texts]):
        lang = "en"
        title = f"{Path(instance.source).stem}: {len(plan.groups)} groups ({label('font_missing')})"
        legend_texts = [label(key) for key in legend_keys]
    font = FontProperties(fname=font_file)

    min_x, min_y, max_x, max_y = layers.bounds
    aspect = (max_y - min_y) / max(max_x - min_x, 1e-9)
    long_side = min(16.0, max(7.0, 0.5 * math.sqrt(instance.n)))  # inches: room for every name
    width, height = (long_side, max(4.0, long_side * aspect)) if aspect <= 1 else (max(4.0, long_side / aspect), long_side)
    legend_columns = 6 if width >= 12 else 3  # a narrow map's legend takes two rows
    title_room, legend_room = 0.45, 0.2 + 0.25 * math.ceil(6 / legend_columns)  # inches above and below the map
    total = height + title_room + legend_room
    figure = Figure(figsize=(width, total), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.01, legend_room / total, 0.98, height / total))
    axes.set_axis_off()
    axes.set_aspect("equal")
    # The name's size: about a village's width for a 4-character name; names too
    # small to read are left out (members first), and above HALO_VILLAGES names
    # are drawn without their white halo, which costs a path per name.
    cell_points = 72 * width / max(math.sqrt(instance.n / max(aspect, 1e-3)), 1)
    member_size = min(10.0, cell_points / 6.0)
    lead_cell_points = 72 * width / max(math.sqrt(max(len(layers.lead_rows), 1) / max(aspect, 1e-3)), 1)
    lead_size = min(12.0, max(member_size * 1.25, lead_cell_points / 7.0))
    draw_map(axes, layers, names=names, font=font, member_size=member_size if member_size >= MIN_LABEL_POINTS else None,
             lead_size=max(lead_size, MIN_LABEL_POINTS), halo=instance.n <= HALO_VILLAGES, simplify=(max_x - min_x) / (width * dpi))
    figure.suptitle(title, fontproperties=font, size=14, y=0.985)
    handles = [Patch(facecolor=GROUP_COLOURS[0], edgecolor="#9a9a9a", label=legend_texts[0]),
               Line2D([], [], marker="o", color="none", markerfacecolor=LEAD_COLOUR, markeredgecolor="white", markersize=7, label=legend_texts[1]),
               Line2D([], [], color="#1f1f1f", linewidth=1.5, label=legend_texts[2])]
    if layers.townships:
        handles.append(Line2D([], [], color=TOWNSHIP_COLOUR, linewidth=2.6, label=legend_texts[3]))
    handles += [Patch(facecolor="white", edgecolor=WEAK_HATCH, hatch="////", label=legend_texts[4]),
                Patch(facecolor=UNGROUPED_FILL, edgecolor="#9a9a9a", label=legend_texts[5])]
    legend_font = font.copy()
    legend_font.set_size(9)
    figure.legend(handles=handles, loc="lower center", ncol=legend_columns, prop=legend_font, frameon=False, bbox_to_anchor=(0.5, 0.0))
    buffer = bytes_io.BytesIO()
    # zlib level 3: a 10,000-village map encodes in 0.3 s instead of 1.1 s, for a file a fifth larger.
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white", pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


# -- the HTML report ---------------------------------------------------------------------------
CSS = f"""
body {{ font-family: {CSS_FONTS}; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1f1f1f; line-height: 1.45; }}
h1 {{ font-size: 1.6em; margin-bottom: 0.2em; }}
h2 {{ border-bottom: 2px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }}
h3 {{ margin: 1.2em 0 0.2em; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }}
td.number {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.summary th {{ width: 16em; }}
.weak {{ color: #b00020; }}
.status-OPTIMAL {{ color: #1b7f3b; font-weight: bold; }}
.status-FEASIBLE, .status-UNKNOWN {{ color: #9a6700; font-weight: bold; }}
.status-INFEASIBLE {{ color: #b00020; font-weight: bold; }}
.violations {{ border: 2px solid #b00020; background: #fff4f4; padding: 0.5em 1em; }}
.note {{ color: #555; }}
svg.map {{ width: 100%; height: auto; border: 1px solid #ddd; background: #fafafa; }}
.legend span {{ display: inline-block; margin-right: 1.4em; }}
.swatch {{ display: inline-block; width: 1.1em; height: 0.8em; border: 1px solid #888; vertical-align: middle; margin-right: 0.3em; }}
.hatch {{ background: repeating-linear-gradient(45deg, #fff 0 2px, {WEAK_HATCH} 2px 4px); }}
footer {{ margin-top: 3em; color: #666; font-size: 0.85em; }}
@page {{ size: A4; margin: 14mm; }}
@media print {{ body {{ margin: 0; max-width: none; }} h2 {{ break-after: avoid; }} tr, svg.map {{ break-inside: avoid; }} }}
"""


def html_page(title: str, body: str, lang: str = "en") -> str:
    """A whole HTML document around ``body``: inline styles, no external resource.

    Examples
    --------
    >>> page = html_page("方案", "<p>东村</p>", "zh")
    >>> page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page and "http://" not in page
    True


    The characters the page uses are embedded as a small subset of the Chinese
    font (a ``data:`` URI, tens of KB), so that names render on a machine
    without Chinese fonts too; without such a font, the reader's fonts are used.
    """
    face = embedded_font_css(title + body)
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
            f"<style>{face}{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def embedded_font_css(text: str) -> str:
    """An ``@font-face`` rule for family ``pairing-cjk`` with just the glyphs of
    ``text``, as WOFF in a ``data:`` URI (base64 has no ``:``, so the page still
    holds no ``http://``); "" when no Chinese font is available.

    Examples
    --------
    >>> rule = embedded_font_css("东十里村")
    >>> "@font-face" in rule and "http://" not in rule and len(rule) < 20_000
    True
    """
    needed = {character for character in text if not character.isspace()}
    chinese = {ord(character) for character in needed if ord(character) >= CJK_START}
    path = max(_font_files(), key=lambda path: len(chinese & _charmap(path)))
    if not chinese & _charmap(path):  # no Chinese on the page, or no font that has it
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont

        options = subset.Options()
        options.flavor, options.layout_features, options.hinting = "woff", [], False
        font = TTFont(path, fontNumber=0, lazy=True)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(needed)))
        subsetter.subset(font)
        data = bytes_io.BytesIO()
        font.flavor = "woff"
        font.save(data)
    except Exception as error:  # a font fontTools cannot subset: the reader's fonts will do
        warnings.warn(f"report: font {Path(path).name} not embedded ({type(error).__name__}: {error})", MapFontWarning, stacklevel=2)
        return ""
    encoded = base64.b64encode(data.getvalue()).decode("ascii")
    return (f"/* {Path(path).stem}: the glyphs this page uses; SIL Open Font License 1.1 for the bundled Noto Sans SC */\n"
            f'@font-face {{ font-family: "pairing-cjk"; src: url(data:font/woff;base64,{encoded}) format("woff"); }}\n')


def html_table(table: pd.DataFrame, numbers: Iterable[str] = (), raw: Iterable[str] = ()) -> str:
    """A table as HTML; ``numbers`` are right-aligned with thousands separators,
    ``raw`` columns hold HTML already escaped.

    Examples
    --------
    >>> html_table(pd.DataFrame({"村名": ["东村"], "人口": [1200]}), numbers=["人口"])
    '<table><thead><tr><th>村名</th><th>人口</th></tr></thead><tbody><tr><td>东村</td><td class="number">1,200</td></tr></tbody></table>'
    """
    numbers, raw = set(numbers), set(raw)
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    rows = []
    for values in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, values):
            if column in numbers:
                cells.append(f'<td class="number">{value:,}</td>' if isinstance(value, (int, np.integer)) else f'<td class="number">{html.escape(str(value))}</td>')
            else:
                cells.append(f"<td>{value if column in raw else html.escape('' if pd.isna(value) else str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def report_html(plan: Plan, lang: str = "en", *, provenance: dict | None = None,
                violations: Sequence[Violation] | None = None) -> str:
    """The plan as one self-contained HTML page that works offline.

    It holds the summary (solver status and what it proved, metrics, rules,
    checker verdict, input file and hash), any rule violations, the county map
    as inline SVG, a table of groups per township, and the ungrouped weak
    villages with the reason each is ungrouped. It references no URL: no
    script, style sheet, font or map tile is fetched.

    Parameters
    ----------
    plan : Plan
        Ideally with reasons for its ungrouped villages (see :func:`with_reasons`).
    lang : {"en", "zh"}
    provenance : dict, optional
        ``input``, ``input_sha256``, ``written``, ``pairing``: shown in the summary.
    violations : list of Violation, optional
        The checker's verdict; computed when not given.

    Examples
    --------
    >>> import networkx as nx
    >>> from pairing import Group, Instance, Rules
    >>> table = pd.DataFrame({"village_id": list("abcd"), "name": ["东村", "西村", "南村", "北村"], "township": "景芝镇",
    ...     "population": [500, 400, 300, 100], "strength": [3.0, 2, 1, 0], "weak": [False, True, True, True]})
    >>> plan = Plan(Instance(table, nx.path_graph(list("abcd"))), Rules(), (Group("G001", ("a",), ("b", "c")),),
    ...             reasons={"d": "not_chosen: ..."})
    >>> page = report_html(plan, "zh")
    >>> "景芝镇" in page and "北村" in page and "http://" not in page and "https://" not in page
    True
    """
    violations = check(plan) if violations is None else list(violations)
    instance = plan.instance
    villages = village_table(plan)
    groups = group_table(plan)
    weak_ids = set(villages.loc[villages["weak"], "village_id"])
    names = dict(zip(villages["village_id"], villages["name"]))
    source = Path(instance.source).name or "pairing"
    parts = [f"<h1>{html.escape(label('title', lang))}: {html.escape(source)}</h1>",
             f'<p>{html.escape(label("status", lang))}: <span class="status-{html.escape(status_text(plan))}">{html.escape(status_text(plan))}</span> '
             f"({html.escape(proof_text(plan, lang))})</p>"]
    if violations:
        items = "".join(f"<li>{html.escape(str(violation))}</li>" for violation in violations)
        parts.append(f'<div class="violations"><h2>{html.escape(label("violations", lang))} ({len(violations)})</h2><ul>{items}</ul></div>')
    rows = summary_rows(plan, lang, provenance=provenance, violations=violations)
    parts.append(f"<h2>{html.escape(label('summary', lang))}</h2>")
    parts.append('<table class="summary">' + "".join(f"<tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>" for key, value in rows) + "</table>")

    parts.append(f"<h2>{html.escape(label('map', lang))}</h2>")
    svg = map_svg(plan, lang)
    if svg:
        legend = [f'<span><span class="swatch" style="background:{GROUP_COLOURS[0]}"></span>{html.escape(label("legend:grouped", lang))}</span>',
                  f'<span>● {html.escape(label("legend:lead", lang))}</span>',
                  f'<span><span class="swatch" style="border:2px solid #1f1f1f"></span>{html.escape(label("legend:group", lang))}</span>',
                  f'<span><span class="swatch hatch"></span>{html.escape(label("legend:ungrouped_weak", lang))}</span>',
                  f'<span><span class="swatch"></span>{html.escape(label("legend:ungrouped", lang))}</span>']
        if instance.geometry is not None and instance.geometry.geom_type.iloc[0] != "Point":
            legend.insert(3, f'<span><span class="swatch" style="border:3px solid {TOWNSHIP_COLOUR}"></span>{html.escape(label("legend:township", lang))}</span>')
        parts.append(svg + f'<p class="legend">{"".join(legend)}</p>')
    else:
        parts.append(f'<p class="note">{html.escape(label("no_map", lang))}</p>')

    parts.append(f"<h2>{html.escape(label('by_township', lang))}</h2><p class=\"note\">{html.escape(label('weak_mark', lang))}</p>")
    marked = groups.assign(members=[_marked_names(group.members, names, weak_ids) for group in plan.groups],
                           lead_name=[_marked_names(group.leads, names, weak_ids) for group in plan.groups])
    shown = ["group_id", "lead_name", "members", "villages", "population", "weak_villages"]
    for township, rows_of_township in villages.groupby("township", sort=True):
        grouped = rows_of_township["role"] != "none"
        line = label("township_line", lang, groups=int((rows_of_township["role"] == "lead").sum()), grouped=int(grouped.sum()),
                     villages=len(rows_of_township), weak_grouped=int((grouped & rows_of_township["weak"]).sum()),
                     weak=int(rows_of_township["weak"].sum()))
        parts.append(f"<h3>{html.escape(str(township) or '—')}</h3><p class=\"note\">{html.escape(line)}</p>")
        here = marked[marked["township"].str.split("、").map(lambda names: str(township) in names)]
        if len(here):
            parts.append(html_table(localise(here[shown], lang), numbers=[label(c, lang) for c in ("villages", "population", "weak_villages")],
                                    raw=[label(c, lang) for c in ("members", "lead_name")]))
        else:
            parts.append(f'<p class="note">{html.escape(label("no_groups", lang))}</p>')

    ungrouped = ungrouped_table(plan)
    parts.append(f"<h2>{html.escape(label('ungrouped_weak', lang))}</h2>")
    columns = ["village_id", "name", "township", "population", "reason"]
    weak_ungrouped = ungrouped[ungrouped["weak"]]
    parts.append(html_table(localise(weak_ungrouped[columns], lang), numbers=[label("population", lang)]) if len(weak_ungrouped)
                 else f'<p class="note">{html.escape(label("none_left", lang))}</p>')
    other = ungrouped[~ungrouped["weak"]]
    if len(other):
        parts.append(f"<details><summary>{html.escape(label('ungrouped_other', lang, count=len(other)))}</summary>"
                     + html_table(localise(other[columns], lang), numbers=[label("population", lang)]) + "</details>")
    version = (provenance or {}).get("pairing", "")
    parts.append(f"<footer>{html.escape(label('footer', lang, version=version))}</footer>")
    return html_page(f"{label('title', lang)}: {source}", "\n".join(parts), lang)


def _marked_names(villages: Iterable[str], names: dict[str, str], weak: set[str]) -> str:
    """The villages' names joined by 、, escaped, the weak ones marked ▲ in the weak colour."""
    return "、".join(f'<span class="weak">▲{html.escape(names.get(village, village))}</span>' if village in weak
                    else html.escape(names.get(village, village)) for village in villages)
