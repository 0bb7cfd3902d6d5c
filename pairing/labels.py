"""Every word the outputs show, in English and Chinese, and how a table is put
into either language: column headers, roles, yes/no, sheet names, summary rows,
report headings, the map's legend.

It stands below everything that reads or writes a plan, because both need it:
a plan written in Chinese is read back through the same words.
"""

from __future__ import annotations

import pandas as pd

from .errors import InputError

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
#: The first code point of the CJK blocks (radicals, then ideographs and the rest).
CJK_START = 0x2E80

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


def check_lang(lang: str) -> None:
    """Refuse an unknown language, before any work is done.

    Examples
    --------
    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: flag --lang: unknown language 'fr'; use one of en, zh
    """
    _lang_index(lang)


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
