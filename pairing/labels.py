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
    "status:OPTIMAL": ("OPTIMAL", "最优解"),
    "status:FEASIBLE": ("FEASIBLE", "可行解"),
    "status:INFEASIBLE": ("INFEASIBLE", "无解"),
    "status:UNKNOWN": ("UNKNOWN", "未知"),
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
    "rule:weak_in_every_group": ("A weak village in every group", "每组至少一个薄弱村"),
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
    # files
    "legend:point": ("village (dot), line to its lead", "村庄位置（连线至领头雁）"),
    "page_of": ("page &P of &N", "第 &P 页，共 &N 页"),
    # console
    "console:data": ("{villages:,} villages in {townships} townships, {edges:,} adjacent pairs",
                     "{villages:,} 个村，{townships} 个乡镇，{edges:,} 对相邻村"),
    "console:rules": ("rules: {size} villages, {people} people, {contiguity}, {township}; {candidates:,} candidate groups",
                      "规则：每组 {size} 村，{people} 人，{contiguity}，{township}；候选组合 {candidates:,} 个"),
    "console:connected": ("connected", "连片"),
    "console:star": ("star", "成员村均与领头雁相邻"),
    "console:same_township": ("same township", "限同一乡镇"),
    "console:across_townships": ("across townships", "可跨乡镇"),
    "console:note": ("note: {note}", "注意：{note}"),
    "console:status": ("status {status} ({proof}{stopped}) in {seconds:.1f} s, seed {seed}, {workers} workers",
                       "求解状态 {status}（{proof}{stopped}），用时 {seconds:.1f} 秒，随机种子 {seed}，{workers} 个线程"),
    "console:proof:OPTIMAL": ("proven optimal", "已证明最优"),
    "console:proof:FEASIBLE": ("not proven optimal", "可行解，未证明最优"),
    "console:proof:INFEASIBLE": ("the locks cannot all hold", "锁定条件无法同时满足"),
    "console:proof:UNKNOWN": ("{detail}", "未形成方案：{detail}"),
    "console:proof:gap": ("not proven optimal, gap {gap} on {level}", "可行解，未证明最优：{level}差距 {gap}"),
    "console:proof:later": ("{level} not proven, {gap} from its bound", "{level}未证明最优，距其界 {gap}"),
    "console:proof:not_reached": ("{level} not reached", "{level}未求解"),
    "console:stopped": (", stopped by {signals}", "，已被 {signals} 停止"),
    "console:a_stop": ("a stop", "停止请求"),
    "console:level:weak_grouped": ("weak villages grouped", "已联建薄弱村"),
    "console:level:villages_grouped": ("villages grouped", "已联建村"),
    "console:level:distance": ("distance", "总距离"),
    "console:level:cost": ("cost", "加权成本"),
    "console:level:stability": ("stability", "稳定性"),
    "console:level:groups": ("groups", "联建组数"),
    "console:stage:OPTIMAL": ("OPTIMAL", "已证明最优"),
    "console:stage:FEASIBLE": ("FEASIBLE", "可行解"),
    "console:stage:NOT_REACHED": ("NOT_REACHED", "未求解"),
    "console:stage:UNKNOWN": ("UNKNOWN", "未知"),
    "console:stage:INFEASIBLE": ("INFEASIBLE", "无解"),
    "console:stage:STOPPED": ("STOPPED", "已停止"),
    "console:km": ("{value:,.1f} km", "{value:,.1f} 公里"),
    "console:m": ("{value:,.0f} m", "{value:,.0f} 米"),
    "console:hops": ("{value:,.0f} hops", "{value:,.0f} 步"),
    "console:weak villages": ("{value:,.0f} weak villages", "{value:,.0f} 个薄弱村"),
    "console:villages": ("{value:,.0f} villages", "{value:,.0f} 个村"),
    "console:villages_changed": ("{count:,} villages changed", "变动 {count:,} 村"),
    "console:bound": (" (bound {bound})", "（界 {bound}）"),
    "console:same_search": ("same search", "同一次搜索"),
    "console:summed": ("{seconds}, summed over blocks solved side by side", "{seconds}（各块并行求解，用时累加）"),
    "console:metrics": ("groups {groups:,}   villages grouped {grouped:,}/{villages:,}   weak grouped {weak_grouped:,}/{weak:,}   "
                        "people grouped {people:,}",
                        "联建组 {groups:,}   已联建村 {grouped:,}/{villages:,}   已联建薄弱村 {weak_grouped:,}/{weak:,}   联建覆盖人口 {people:,}"),
    "console:distance": ("distance {distance}", "总距离 {distance}"),
    "console:conflicts": ("conflicting locks (change or remove one):", "相互冲突的锁定条件（请修改或删除其一）："),
    "console:checker_ok": ("checker: the plan keeps every rule", "规则校验：方案满足全部规则"),
    "console:checker_bad": ("checker: {count} VIOLATIONS", "规则校验：{count} 处违反规则"),
    "console:keeps": ("the plan keeps every rule", "方案满足全部规则"),
    "console:violations": ("{count} VIOLATIONS", "{count} 处违反规则"),
    "console:listed": ("{count} VIOLATIONS (listed in the report)", "{count} 处违反规则（见报告）"),
    "console:group": ("group {group}", "联建组 {group}"),
    "console:plan": ("plan", "方案"),
    "console:violation": ("{where}: {rule}: {detail}", "{where}：{rule}：{detail}"),
    "console:villages_of": ("villages: {villages}", "涉及村：{villages}"),
    "console:rule:village_known": ("village_known", "村代码可识别"),
    "console:rule:one_lead": ("one_lead", "每组一个领头雁"),
    "console:rule:group_size": ("group_size", "每组村数"),
    "console:rule:group_population": ("group_population", "每组人口"),
    "console:rule:lead_not_weak": ("lead_not_weak", "领头雁不是薄弱村"),
    "console:rule:lead_eligible": ("lead_eligible", "领头雁资格"),
    "console:rule:lead_strongest": ("lead_strongest", "领头雁为组内最强"),
    "console:rule:star": ("star", "成员村均与领头雁相邻"),
    "console:rule:connected": ("connected", "连片"),
    "console:rule:same_township": ("same_township", "限同一乡镇"),
    "console:rule:weak_in_group": ("weak_in_group", "每组至少一个薄弱村"),
    # alternatives.csv / alternatives.html
    "compare:plan": ("plan", "方案"),
    "compare:status": ("status", "求解状态"),
    "compare:groups": ("groups", "联建组数"),
    "compare:weak_grouped": ("weak villages grouped", "已联建薄弱村数"),
    "compare:villages_grouped": ("villages grouped", "已联建村数"),
    "compare:population_grouped": ("people grouped", "联建覆盖人口"),
    "compare:distance": ("member-to-lead distance ({unit})", "成员村至领头雁总距离（{unit}）"),
    "compare:weak_vs_first": ("weak villages grouped vs the first plan (%)", "已联建薄弱村较方案一（%）"),
    "compare:villages_vs_first": ("villages grouped vs the first plan (%)", "已联建村较方案一（%）"),
    "compare:distance_vs_first": ("distance vs the first plan (%)", "总距离较方案一（%）"),
    "compare:differs_from_first": ("villages with another lead than in the first plan (%)", "与方案一领头雁不同的村（%）"),
    "compare:differs_from_nearest": ("villages with another lead than in the nearest other plan (%)", "与最接近方案领头雁不同的村（%）"),
    "compare:violations": ("rules broken", "违反规则数"),
    "console:rule:disjoint": ("disjoint", "各组互不重叠"),
    "console:rule:exclude": ("exclude", "锁定：排除"),
    "console:rule:leads": ("leads", "锁定：任领头雁"),
    "console:rule:not_lead": ("not_lead", "锁定：不任领头雁"),
    "console:rule:together": ("together", "锁定：同组"),
    "console:rule:apart": ("apart", "锁定：不同组"),
    "console:rule:pin": ("pin", "锁定：指定领头雁"),
    "console:wrote": ("wrote {files}", "已写入 {files}"),
    "console:nothing": ("nothing", "无"),
    "console:skipped": ("skipped {files}", "未写入 {files}"),
    "console:skip_hint": ("; rebuild them with pairing report, or give more --time-limit",
                          "；可用 pairing report 重新生成，或加大 --time-limit"),
    "console:why:time limit": ("time limit", "超出时限"),
    "console:why:stopped": ("stopped", "已停止"),
    "console:time": ("time {total:.1f} s{limit}: {parts}", "用时 {total:.1f} 秒{limit}：{parts}"),
    "console:limit": (" of {limit:g} s", "（限 {limit:g} 秒）"),
    "console:lap": ("{phase} {seconds:.1f} s", "{phase} {seconds:.1f} 秒"),
    "console:phase:read": ("read", "读取"),
    "console:phase:solve": ("solve", "求解"),
    "console:phase:check": ("check", "校验"),
    "console:phase:write": ("write", "写出"),
    "console:phase:batch": ("batch", "批量"),
    "console:validate": ("pairing validate {plan} against {input}", "pairing validate {plan}（村庄数据 {input}）"),
    "console:report": ("pairing report {plan}: {verdict}", "pairing report {plan}：{verdict}"),
    "console:check_data": ("{villages:,} villages in {townships} townships, {people:,} people, {weak:,} weak, {leads:,} may lead",
                           "{villages:,} 个村，{townships} 个乡镇，{people:,} 人，薄弱村 {weak:,} 个，可任领头雁 {leads:,} 个"),
    "console:adjacency": ("adjacency: {edges:,} pairs ({tolerance:,} only within the snapping tolerance), mean degree {degree}, "
                          "{parts} connected parts",
                          "相邻关系：{edges:,} 对（其中 {tolerance:,} 对仅在容差内相邻），平均邻村数 {degree}，{parts} 个连通片"),
    "console:isolated": ("isolated villages: {count}", "孤立村：{count} 个"),
    "console:candidates": ("candidate groups: {count:,}", "候选组合：{count:,} 个"),
    "console:no_group": ("villages that can be in no group: {count:,} ({weak:,} of them weak)",
                         "无法入组的村：{count:,} 个（其中薄弱村 {weak:,} 个）"),
    "console:against": ("against {previous}: {changed:,} villages changed assignment; previous groups: {kept:,} kept, "
                        "{changed_groups:,} changed, {repaired:,} repaired, {dissolved:,} dissolved",
                        "对照 {previous}：{changed:,} 村的归属有变化；原联建组：保留 {kept:,}，调整 {changed_groups:,}，"
                        "修复 {repaired:,}，撤销 {dissolved:,}"),
    "console:revision_villages": ("villages new {new:,}, gone {gone:,}, renamed {renamed:,}, merged {merged:,}",
                                  "新增村 {new:,}，消失 {gone:,}，更名 {renamed:,}，合并 {merged:,}"),
    "console:group_change": ("{group} {verdict} ({count} villages changed): {reason}", "{group} {verdict}（{count} 村变化）：{reason}"),
    "console:verdict:kept": ("kept", "保留"),
    "console:verdict:changed": ("changed", "调整"),
    "console:verdict:repaired": ("repaired", "修复"),
    "console:verdict:dissolved": ("dissolved", "撤销"),
    "console:frontier": ("least {measure} for each target of weak villages grouped", "各薄弱村联建目标下的最小{measure}"),
    "console:alternatives": ("{found} of {k} plans (within {within}, differing by at least {min_diff})",
                             "{found} / {k} 个方案（各层目标与最优相差不超过 {within}，两两至少 {min_diff} 的村不同）"),
    "console:only": ("only {found}: no further plan meets the constraints, or none was found in time (--time-limit)",
                     "仅 {found} 个：没有其他方案满足条件，或未能在时限内找到（--time-limit）"),
    "console:column:plan": ("plan", "方案"),
    "console:column:status": ("status", "状态"),
    "console:column:groups": ("groups", "联建组数"),
    "console:column:weak_target": ("weak target", "薄弱村目标"),
    "console:column:weak_grouped": ("weak grouped", "已联建薄弱村"),
    "console:column:villages_grouped": ("villages grouped", "已联建村"),
    "console:column:distance": ("distance", "总距离"),
    "console:column:bound": ("bound", "界"),
    "console:column:differs_from_first": ("differs from first", "与最优方案不同"),
    "console:column:differs_from_nearest": ("differs from nearest", "与最近方案不同"),
    "console:column:violations": ("violations", "违反规则"),
    "console:column:km": ("{name} (km)", "{name}（公里）"),
    # helper pairing (pairing.assign): columns, values and sheets of assignment.csv, needs.csv and assignment.xlsx
    "assign:title": ("Helper pairing", "干部选派结对"),
    "assign:helper_id": ("Helper ID", "干部编号"),
    "assign:helper_name": ("Helper", "姓名"),
    "assign:unit": ("Unit", "派出单位"),
    "assign:role": ("Role", "选派身份"),
    "assign:kind": ("Kind", "对象类型"),
    "assign:target_id": ("Village or group ID", "帮扶对象代码"),
    "assign:target_name": ("Village or group", "帮扶对象"),
    "assign:township": ("Township", "乡镇"),
    "assign:group_id": ("Group", "联建组"),
    "assign:need": ("Need served", "对应需求"),
    "assign:fit": ("Skill fit", "专长匹配"),
    "assign:travel_km": ("Travel (km)", "距离（公里）"),
    "assign:kept": ("Kept from last year", "延续上年"),
    "assign:reason": ("Why idle", "未选派原因"),
    "assign:weak": ("Weak", "薄弱村"),
    "assign:needs": ("Needs", "需求"),
    "assign:required": ("Helpers required", "应派干部"),
    "assign:assigned": ("Helpers sent", "已派干部"),
    "assign:helpers": ("Who", "选派人员"),
    "assign:unmet": ("Unmet", "未满足"),
    "assign:why": ("Why unmet", "未满足原因"),
    "assign:kind:village": ("village", "村"),
    "assign:kind:group": ("group", "联建组"),
    "assign:role:first_secretary": ("first secretary", "第一书记"),
    "assign:role:resident_cadre": ("resident cadre", "驻村干部"),
    "assign:need:organisation": ("organisation", "组织建设"),
    "assign:need:industry": ("industry", "产业发展"),
    "assign:need:mass_work": ("mass work", "群众工作"),
    "assign:need:environment": ("environment", "人居环境"),
    "assign:need:income": ("income", "集体经济"),
    "assign:sheet:assignment": ("assignment", "帮扶安排"),
    "assign:sheet:needs": ("needs", "村需求"),
    "assign:sheet:summary": ("summary", "概要"),
    "assign:level:weak_needs": ("needs covered at weak villages", "薄弱村需求满足数"),
    "assign:level:needs": ("needs covered", "需求满足数"),
    "assign:level:staffed": ("helpers placed towards the required", "按应派人数到位干部数"),
    "assign:level:fit": ("skill fit", "专长匹配"),
    "assign:level:kept": ("last year's pairings kept", "延续上年结对数"),
    "assign:level:travel": ("travel (0.1 km)", "总距离（0.1 公里）"),
}

#: The keys of LABELS that name columns of the plan's tables.
COLUMN_KEYS = ("village_id", "name", "township", "group_id", "role", "lead_id", "lead_name", "population", "weak", "strength",
               "reason", "industry", "members", "member_ids", "villages", "weak_villages")

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
