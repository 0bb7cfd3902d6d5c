"""The planner's deliverables: plan.gpkg, plan.xlsx, report.html and map.png from
``pairing solve``; ``pairing validate`` and ``pairing report`` on (hand-edited) plans."""

from __future__ import annotations

import hashlib
import warnings

import openpyxl
import pandas as pd
import pyogrio
import pytest
from county import BROKEN_PLAN, BROKEN_RULES, CHINESE_NAMES, solve_county, write_county, write_hand_county

from pairing import check, read_villages
from pairing.cli import main
from pairing.errors import InputError
from pairing.write import PLAN_FILES, write_plan
from pairing.read_plan import IgnoredEditWarning, read_plan
from pairing.report.fonts import MapFontWarning

ALL_FILES = sorted(PLAN_FILES.values())


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return write_county(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def plan(county):
    return solve_county(county)


@pytest.fixture(scope="module")
def written(plan, tmp_path_factory):
    """Every format, in English and in Chinese: lang -> folder."""
    folders = {lang: tmp_path_factory.mktemp(f"plan-{lang}") for lang in ("en", "zh")}
    for lang, folder in folders.items():
        with pytest.warns(MapFontWarning, match="1 village names .e.g. 𠮷祥村"):  # a character beyond Noto Sans SC
            write_plan(plan, folder, formats=PLAN_FILES, lang=lang)
    return folders


def same_groups(a, b) -> bool:
    """Same groups: the same villages with the same leads (ids may differ)."""
    return {(frozenset(g.villages), frozenset(g.leads)) for g in a.groups} == {(frozenset(g.villages), frozenset(g.leads)) for g in b.groups}


def test_solve_writes_every_output_atomically(county, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "20", "--workers", "1"]) == 0
    assert sorted(path.name for path in out.iterdir()) == ALL_FILES  # no temp file left behind
    printed = capsys.readouterr().out
    assert all(str(out / name) in printed for name in ALL_FILES)


def test_format_chooses_the_outputs(county, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "20", "--format", "xlsx,csv"]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["plan.csv", "plan.xlsx"]
    assert main(["solve", str(county), "--out", str(out), "--format", "csv,pdf"]) == 2
    error = capsys.readouterr().err
    assert "unknown output format pdf" in error and error.count("\n") == 1
    assert main(["solve", str(county), "--out", str(out), "--lang", "fr"]) == 2
    assert "unknown language 'fr'" in capsys.readouterr().err


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ["plan.csv", "plan.xlsx", "plan.gpkg"])
def test_plans_read_back_the_same(plan, written, name, lang, capsys):
    path = written[lang] / name
    with warnings.catch_warnings():
        warnings.simplefilter("error", IgnoredEditWarning)  # an unedited plan has no edit to warn of
        back = read_plan(path, plan.instance, plan.rules)
    assert same_groups(back, plan) and check(back) == []
    assert main(["validate", str(path), str(plan.instance.source)]) == 0
    printed = capsys.readouterr().out
    assert "the plan keeps every rule" in printed and f"villages grouped {plan.metrics()['villages_grouped']}/60" in printed


def test_gpkg_layers_open_with_pyogrio(plan, written):
    path = written["en"] / "plan.gpkg"
    assert [name for name, _ in pyogrio.list_layers(path)] == ["villages", "groups"]
    villages = pyogrio.read_dataframe(path, layer="villages")
    groups = pyogrio.read_dataframe(path, layer="groups")
    assert len(villages) == 60 and len(groups) == len(plan.groups)
    # every input attribute, plus the plan's columns
    assert {"collective_income", "committee_rating", "industry", "population", "strength", "weak"} <= set(villages.columns)
    assert {"group_id", "role", "lead_id", "lead_name", "reason"} <= set(villages.columns)
    assert {"group_id", "lead_id", "lead_name", "members", "villages", "population", "weak_villages", "township"} <= set(groups.columns)
    assert villages.crs == plan.instance.geometry.crs and groups.geometry.is_valid.all()
    ungrouped = villages[villages["role"] == "none"]
    assert (ungrouped["reason"] != "").all() and (villages.loc[villages["role"] != "none", "reason"] == "").all()
    first = groups.iloc[0]
    members = villages[villages["group_id"] == first["group_id"]]
    assert first["population"] == members["population"].sum() and first["villages"] == len(members)
    assert abs(first.geometry.area - members.geometry.area.sum()) < 1.0  # the union of its villages


def test_xlsx_sheets_in_english_and_chinese(plan, written, county):
    english = openpyxl.load_workbook(written["en"] / "plan.xlsx")
    chinese = openpyxl.load_workbook(written["zh"] / "plan.xlsx")
    assert english.sheetnames == ["groups", "villages", "ungrouped", "summary"]
    assert chinese.sheetnames == ["联建组", "村庄", "未联建村", "概要"]
    assert [cell.value for cell in chinese["村庄"][1]][:5] == ["村代码", "村名", "乡镇", "联建组", "角色"]
    assert {cell.value for cell in chinese["村庄"]["E"][1:]} <= {"领头雁", "成员村", "未联建"}
    summary = dict(pd.read_excel(written["en"] / "plan.xlsx", sheet_name="summary").itertuples(index=False))
    assert summary["Solver status"] == plan.status and summary["Proof"] == "proven optimal"
    assert summary["Input SHA-256"] == hashlib.sha256(county.read_bytes()).hexdigest()
    assert summary["Input file"] == str(county) and summary["Villages per group"] == "3-5" and summary["Date"][:2] == "20"
    chinese_summary = dict(pd.read_excel(written["zh"] / "plan.xlsx", sheet_name="概要").itertuples(index=False))
    assert plan.status == "OPTIMAL" and chinese_summary["求解状态"] == "最优解" and chinese_summary["最优性"] == "已证明最优"
    groups = pd.read_excel(written["zh"] / "plan.xlsx", sheet_name="联建组", dtype=str)
    assert list(groups.columns) == ["联建组", "乡镇", "领头雁村代码", "领头雁", "成员村", "成员村代码", "村数", "人口", "薄弱村数"]
    assert len(groups) == len(plan.groups)


def test_chinese_names_survive_every_format(written):
    for lang, folder in written.items():
        csv = pd.read_csv(folder / "plan.csv", encoding="utf-8-sig", dtype=str)
        xlsx = pd.read_excel(folder / "plan.xlsx", sheet_name=1, dtype=str)
        gpkg = pyogrio.read_dataframe(folder / "plan.gpkg", layer="villages")
        html = (folder / "report.html").read_text(encoding="utf-8")
        for names in (csv["name"], xlsx.iloc[:, 1], gpkg["name"]):
            assert set(CHINESE_NAMES) <= set(names)
        assert all(name in html for name in CHINESE_NAMES)


def test_validate_reports_exactly_the_broken_rules(tmp_path, capsys):
    villages, edges = write_hand_county(tmp_path)
    broken = tmp_path / "plan.csv"
    broken.write_text(BROKEN_PLAN, encoding="utf-8")
    instance = read_villages(villages, edges=edges)
    assert {(v.group_id, v.rule) for v in check(read_plan(broken, instance))} == BROKEN_RULES
    assert main(["validate", str(broken), str(villages), "--edges", str(edges)]) == 1
    printed = capsys.readouterr().out
    assert "3 VIOLATIONS" in printed and "groups 3   villages grouped 10/10" in printed
    assert "group G1: group_population: population 2,400, outside 1,000-2,000" in printed
    assert "group G2: connected" in printed and "f 河西村" in printed
    assert "group G3: one_lead: 2 leads (g, h)" in printed


def test_a_plan_edited_in_excel_is_validated(plan, written, tmp_path, capsys):
    """A planner makes a member of the first group its second lead, in the Chinese workbook."""
    book = openpyxl.load_workbook(written["zh"] / "plan.xlsx")
    sheet = book["村庄"]
    group = plan.groups[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == group.members[0]:
            row[4].value = "领头雁"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    assert main(["validate", str(edited), str(plan.instance.source)]) == 1
    printed = capsys.readouterr().out
    assert f"group {group.group_id}: one_lead: 2 leads" in printed and "1 VIOLATIONS" in printed


def test_report_rebuilds_from_an_edited_plan(plan, written, tmp_path, capsys):
    edited = tmp_path / "plan.csv"
    table = pd.read_csv(written["en"] / "plan.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    table.loc[table["village_id"] == plan.groups[0].members[0], "role"] = "lead"
    table.to_csv(edited, index=False, encoding="utf-8-sig")
    assert main(["report", str(edited), str(plan.instance.source), "--lang", "zh"]) == 0
    assert "1 处违反规则" in capsys.readouterr().out  # the console speaks the report's language
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"
    assert "违反规则之处" in html and "每组一个领头雁" in html and "无求解记录" in html  # the rule named in Chinese


@pytest.mark.parametrize("args, message", [
    (["validate", "nowhere.csv", "county"], "nowhere.csv: file not found"),
    (["validate", "plan.txt", "county"], "plan.txt: unknown file type .txt"),
    (["report", "unknown.csv", "county"], "unknown.csv: line 2: column village_id: unknown village id zz"),
    (["diff", "unknown.csv", "unknown.csv", "--lang", "xx"], "unknown language 'xx'"),
])
def test_bad_plans_are_one_line_with_exit_code_2(county, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "unknown.csv").write_text("village_id,group_id,role\nzz,G1,lead\n", encoding="utf-8")
    assert main([str(county) if arg == "county" else arg for arg in args]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1


def test_outputs_that_need_geometry_are_skipped_with_a_warning(tmp_path):
    villages, edges = write_hand_county(tmp_path)
    instance = read_villages(villages, edges=edges)
    plan_path = tmp_path / "plan.csv"
    plan_path.write_text(BROKEN_PLAN, encoding="utf-8")
    plan = read_plan(plan_path, instance)
    with pytest.warns(UserWarning, match="no geometry"):
        paths = write_plan(plan, tmp_path / "out", formats="gpkg,html,png")
    assert [path.name for path in paths] == ["report.html"]
    assert "the input has no geometry" in paths[0].read_text(encoding="utf-8")
    with pytest.raises(InputError, match="unknown output format"):
        write_plan(plan, tmp_path / "out", formats=["svg"])


def ignored(path, instance) -> list[str]:
    """The IgnoredEditWarning messages of reading a plan file."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_plan(path, instance)
    return [str(warning.message) for warning in caught if issubclass(warning.category, IgnoredEditWarning)]


def test_edits_the_reader_ignores_are_warned_by_row(plan, written, tmp_path, capsys):
    """In the Chinese workbook, a planner changes a member's lead id on the villages
    sheet, adds a member on the groups sheet and deletes a village's row."""
    book = openpyxl.load_workbook(written["zh"] / "plan.xlsx")
    villages, groups = book["村庄"], book["联建组"]
    first, second = plan.groups[0], plan.groups[1]
    header = [cell.value for cell in villages[1]]
    lead_column, deleted = header.index("领头雁村代码"), None
    for row in villages.iter_rows(min_row=2):
        if row[0].value == first.members[0]:
            row[lead_column].value, changed_line = second.lead, row[0].row
    for row in groups.iter_rows(min_row=2):
        if row[0].value == first.group_id:
            row[5].value = f"{row[5].value}, {second.members[0]}"  # 成员村代码
            group_line = row[0].row
    deleted = second.members[-1]
    line = next(row[0].row for row in villages.iter_rows(min_row=2) if row[0].value == deleted)
    villages.delete_rows(line)
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    messages = ignored(edited, plan.instance)
    assert len(messages) == 3, messages
    lead, missing, sheet = messages
    assert lead.startswith(f"edited.xlsx, line {changed_line} (village {first.members[0]}): lead_id {second.lead} is not read")
    assert f"the lead of {first.group_id} is {first.lead}" in lead and "change the roles" in lead
    assert f"1 village has no row, read as ungrouped: {deleted}" in missing
    assert f"sheet 联建组, line {group_line} (group {first.group_id})" in sheet and "is not read" in sheet
    assert f"(group {second.group_id})" in sheet  # the deleted village is still on its row there
    # The command line shows each as a warning.
    main(["validate", str(edited), str(plan.instance.source)])
    error = capsys.readouterr().err
    assert error.count("pairing: warning: edited.xlsx") == 3


def test_a_deleted_group_row_and_an_edited_figure_are_warned(plan, written, tmp_path):
    book = openpyxl.load_workbook(written["en"] / "plan.xlsx")
    groups, villages = book["groups"], book["villages"]
    gone = plan.groups[2].group_id
    groups.delete_rows(next(row[0].row for row in groups.iter_rows(min_row=2) if row[0].value == gone))
    header = [cell.value for cell in villages[1]]
    villages.cell(row=2, column=header.index("Population") + 1).value = 99_999
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    population, sheet = ignored(edited, plan.instance)
    assert population.startswith(f"edited.xlsx, line 2 (village {plan.instance.ids[0]}): population 99999: not read")
    assert f"group {gone}: its row was deleted" in sheet and sheet.startswith("edited.xlsx, sheet groups, ")


def test_a_row_deleted_from_plan_csv_is_warned(plan, written, tmp_path):
    table = pd.read_csv(written["en"] / "plan.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    dropped = table["village_id"].iloc[[3, 7]].tolist()
    edited = tmp_path / "plan.csv"
    table.drop(index=[3, 7]).to_csv(edited, index=False, encoding="utf-8-sig")
    assert ignored(edited, plan.instance) == [(f"plan.csv: 2 villages have no row, read as ungrouped: {', '.join(dropped)}; "
                                               "to keep a village in its group, keep its row")]
    assert ignored(written["en"] / "plan.csv", None) == []  # without the village table, nothing to compare with
