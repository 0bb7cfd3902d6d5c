"""Helper pairing (issue 14): hand-checked small assignments asserted exactly,
the checker catching each kind of violation, bad input named by file, row,
column and fix, and the command line end to end on the bundled examples."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import pairing
from pairing.assign import (
    Assignment,
    AssignProblem,
    AssignSettings,
    Helper,
    Posting,
    Target,
    Unit,
    check_assignment,
)
from pairing.assign.flow import flow_fits, level_weights, solve_flow
from pairing.assign.model import ComponentModel, solve_assignment
from pairing.assign.options import options
from pairing.assign.reasons import Reasons
from pairing.assign.settings import NEEDS, AssignLocks
from pairing.assign.targets import build_problem
from pairing.deadline import Deadline
from pairing.errors import InputError
from pairing.examples import path_county
from pairing.plan import Group, Plan
from pairing.rules import Rules, SolverParams

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
RC, FS = "resident_cadre", "first_secretary"


def village(target_id: str, x: float, needs: tuple[str, ...], weak: bool = True, required=None) -> Target:
    return Target(target_id, "village", target_id, "T", (x, 0.0), needs, weak, required or {RC: (1, 1)})


def helper(helper_id: str, x: float, skills: tuple[str, ...], role: str = RC, unit: str = "U", previous: str = "") -> Helper:
    return Helper(helper_id, helper_id, unit, role, skills, (x, 0.0), previous)


def solved(targets, helpers, units=(), **problem) -> Assignment:
    assignment = solve_assignment(AssignProblem(tuple(targets), tuple(helpers), tuple(units), max_km=problem.pop("max_km", 50.0), **problem),
                                  SolverParams(workers=1), Deadline.after(30))
    assert check_assignment(assignment) == []
    return assignment


def served(assignment: Assignment) -> dict[str, tuple[str, str]]:
    return {posting.helper_id: (posting.target_id, posting.need) for posting in assignment.postings}


# -- hand-checked assignments ----------------------------------------------------------------
def test_weak_villages_first_even_when_farther():
    result = solved([village("near", 1000, ("income",), weak=False), village("far", 20000, ("income",))], [helper("H", 0, ("income",))])
    assert served(result) == {"H": ("far", "income")} and result.status == "OPTIMAL"


def test_one_key_for_one_lock_over_travel():
    # Each helper lives next to the village whose need they cannot serve.
    targets = [village("A", 0, ("organisation",)), village("B", 10000, ("industry",))]
    result = solved(targets, [helper("P", 10000, ("organisation",)), helper("Q", 0, ("industry",))])
    assert served(result) == {"P": ("A", "organisation"), "Q": ("B", "industry")}
    assert result.metrics()["travel_km"] == 20.0


def test_more_needs_covered_before_more_helpers_placed():
    # B takes two helpers but needs only income; A needs industry: covering it beats placing the second helper at B.
    targets = [village("A", 30000, ("industry",)), village("B", 0, ("income",), required={RC: (2, 2)})]
    result = solved(targets, [helper("H1", 0, ("income", "industry")), helper("H2", 0, ("income",))])
    assert served(result) == {"H1": ("A", "industry"), "H2": ("B", "income")}
    assert result.metrics()["helpers_short"] == 1


def test_skill_fit_then_kept_then_travel():
    # A needs income and industry: the helper who can serve both fits better there.
    targets = [village("A", 0, ("income", "industry")), village("B", 5000, ("income",))]
    result = solved(targets, [helper("both", 5000, ("income", "industry")), helper("one", 0, ("income",))])
    assert served(result)["both"][0] == "A" and served(result)["one"][0] == "B"
    assert result.metrics()["fit"] == 3
    # Equal fit: last year's village kept, though farther.
    targets = [village("A", 1000, ("income",)), village("B", 9000, ("income",))]
    result = solved(targets, [helper("H", 0, ("income",), previous="B")], kept={"H": "B"})
    assert served(result) == {"H": ("B", "income")} and result.metrics()["kept"] == 1
    # And travel last: of two equal helpers, the nearer goes.
    result = solved([village("A", 0, ("income",))], [helper("far", 9000, ("income",)), helper("near", 2000, ("income",))])
    assert served(result) == {"near": ("A", "income")}
    assert Reasons(result).idle(helper("far", 9000, ("income",))).startswith("full:")


def test_unit_capacity_and_villages_limit():
    targets = [village("A", 0, ("income",)), village("B", 1000, ("income",))]
    helpers = [helper("H1", 0, ("income",)), helper("H2", 0, ("income",))]
    result = solved(targets, helpers, [Unit("U", "bureau", capacity=1)])
    assert len(result.postings) == 1
    idle = next(h for h in helpers if result.posting(h.helper_id) is None)
    assert Reasons(result).idle(idle) == "unit_capacity: unit U already sends 1, its capacity"
    # A unit paired with one village only: its two cadres go to the same village (CP-SAT, not the flow).
    targets = [village("A", 0, ("income",), required={RC: (1, 2)}), village("B", 1000, ("income",), required={RC: (1, 2)})]
    result = solved(targets, helpers, [Unit("U", "bureau", villages=1)])
    assert {target for target, _ in served(result).values()} in ({"A"}, {"B"}) and len(result.postings) == 2
    assert result.stages[0]["method"] == "CP-SAT"


def test_out_of_reach_and_unmet_reasons():
    result = solved([village("A", 0, ("income", "mass_work"), required={RC: (1, 2)})], [helper("far", 80000, ("income",))], max_km=50.0)
    assert result.postings == ()
    reasons = Reasons(result)
    assert reasons.idle(result.problem.helpers[0]) == "out_of_reach: no village or group in need within 50 km of home"
    assert reasons.unmet(result.problem.targets[0], "mass_work") == f"no_skill: no {RC} has the skill mass_work"
    assert reasons.unmet(result.problem.targets[0], "income").startswith("out_of_reach:")


def test_locks_pin_forbid_keep_and_conflicts():
    targets = [village("A", 0, ("income",)), village("B", 20000, ("income",))]
    helpers = [helper("H", 0, ("income",), previous="B")]
    assert served(solved(targets, helpers, locks=AssignLocks(pin={"H": "B"}))) == {"H": ("B", "income")}
    assert served(solved(targets, helpers, locks=AssignLocks(forbid=(("H", "A"),)))) == {"H": ("B", "income")}
    assert served(solved(targets, helpers, kept={"H": "B"}, locks=AssignLocks(keep=("H",)))) == {"H": ("B", "income")}
    conflict = solve_assignment(AssignProblem(tuple(targets), tuple(helpers), (), max_km=10.0, locks=AssignLocks(pin={"H": "B"})))
    assert conflict.status == "INFEASIBLE" and conflict.postings == () and conflict.conflicts[0].startswith("H cannot serve B")
    two = [helper("H1", 0, ("income",)), helper("H2", 0, ("income",))]
    conflict = solve_assignment(AssignProblem(tuple(targets), tuple(two), (), max_km=50.0, locks=AssignLocks(pin={"H1": "A", "H2": "A"})))
    assert conflict.status == "INFEASIBLE" and "exceed" in conflict.conflicts[0]


def test_with_a_plan_first_secretaries_go_to_groups_and_resident_cadres_to_its_villages():
    county = path_county(villages=5, weak=[False, True, True, False, True], x=[0.0, 1000.0, 2000.0, 3000.0, 4000.0], y=0.0,
                         needs=["", "income", "mass_work", "", "income"])
    plan = Plan(county, Rules(), (Group("G001", ("a",), ("b", "c")),))
    settings = AssignSettings.from_dict({"per_group": {FS: 1}, "per_village": {FS: 1, RC: [1, 1]}})
    helpers = (Helper("F1", "F1", "U", FS, ("organisation",), (0.0, 0.0)), Helper("R1", "R1", "U", RC, ("income",), (0.0, 0.0)),
               Helper("R2", "R2", "U", RC, ("mass_work",), (0.0, 0.0)))
    needs = {"a": (), "b": ("income",), "c": ("mass_work",), "d": (), "e": ("income",)}
    problem = build_problem(county, needs, helpers, settings, plan=plan)
    assert [(t.target_id, t.kind, t.needs, t.required) for t in problem.targets] == [
        ("G001", "group", ("organisation", "mass_work", "income"), {FS: (1, 1)}), ("b", "village", ("income",), {RC: (1, 1)}),
        ("c", "village", ("mass_work",), {RC: (1, 1)})]
    result = solve_assignment(problem, SolverParams(workers=1))
    assert served(result) == {"F1": ("G001", "organisation"), "R1": ("b", "income"), "R2": ("c", "mass_work")}
    assert result.status == "OPTIMAL" and {stage["method"] for stage in result.stages} == {"min-cost flow"}
    # e needs income but is in no group of the plan.
    from pairing.assign.tables import needs_table

    row = needs_table(result).set_index("target_id").loc["e"]
    assert row["why"] == "not_in_group: the village is in no group of the plan"


@pytest.mark.parametrize("seed", range(4))
def test_min_cost_flow_and_cp_sat_agree_on_every_level(seed):
    rng = np.random.default_rng(seed)

    def needs():
        return tuple(need for need in NEEDS if need in set(rng.choice(NEEDS, size=rng.integers(1, 3))))

    def where():
        return (float(rng.uniform(0, 20000)), float(rng.uniform(0, 20000)))

    targets = tuple(Target(f"t{i}", "village", f"t{i}", "T", where(), needs(), bool(rng.random() < 0.5), {RC: (int(rng.integers(0, 3)), 3)})
                    for i in range(10))
    helpers = tuple(Helper(f"h{i}", f"h{i}", f"u{rng.integers(0, 5)}", RC, needs(), where()) for i in range(25))
    units = tuple(Unit(f"u{j}", f"u{j}", capacity=int(rng.integers(1, 6))) for j in range(4))
    problem = AssignProblem(targets, helpers, units, max_km=12.0, kept={f"h{i}": f"t{rng.integers(0, 10)}" for i in range(0, 25, 3)})
    found, _ = options(problem)
    part = list(range(len(found)))
    assert flow_fits(problem, found, part, set())
    _, by_flow = solve_flow(problem, found, part, level_weights(problem, found, part))
    _, by_cp_sat, _ = ComponentModel(problem, found, part, set()).solve(SolverParams(workers=1), Deadline.after(30))
    assert [record["value"] for record in by_flow] == [record["value"] for record in by_cp_sat]
    assert {record["status"] for record in by_cp_sat} == {"OPTIMAL"}


# -- the checker ---------------------------------------------------------------------------------
@pytest.mark.parametrize("postings, units, locks, rule", [
    ((Posting("X", "A", "income"),), (), AssignLocks(), "helper_known"),
    ((Posting("H1", "Z", "income"),), (), AssignLocks(), "target_known"),
    ((Posting("H1", "A", "income"), Posting("H1", "B", "income")), (), AssignLocks(), "one_target"),
    ((Posting("F", "A", "income"),), (), AssignLocks(), "role"),
    ((Posting("H3", "A", "income"),), (), AssignLocks(), "skill"),
    ((Posting("H3", "A", "mass_work"),), (), AssignLocks(), "need"),
    ((Posting("H1", "C", "income"),), (), AssignLocks(), "reach"),
    ((Posting("H1", "A", "income"), Posting("H2", "A", "income")), (), AssignLocks(), "most_helpers"),
    ((Posting("H1", "A", "income"), Posting("H2", "B", "income")), (Unit("U", "bureau", capacity=1),), AssignLocks(), "unit_capacity"),
    ((Posting("H1", "A", "income"), Posting("H2", "B", "income")), (Unit("U", "bureau", villages=1),), AssignLocks(), "unit_villages"),
    ((Posting("H1", "A", "income"),), (), AssignLocks(pin={"H1": "B"}), "pin"),
    ((Posting("H1", "A", "income"),), (), AssignLocks(forbid=(("H1", "A"),)), "forbid"),
    ((Posting("H1", "A", "income"),), (), AssignLocks(keep=("H1",)), "keep"),
])
def test_the_checker_catches_each_kind_of_violation(postings, units, locks, rule):
    targets = (village("A", 0, ("income",)), village("B", 1000, ("income",)), village("C", 90000, ("income",)))
    helpers = (helper("H1", 0, ("income",)), helper("H2", 0, ("income",)), helper("H3", 0, ("mass_work",)), helper("F", 0, ("income",), role=FS))
    problem = AssignProblem(targets, helpers, units, max_km=50.0, locks=locks, kept={"H1": "B"})
    assert [violation.rule for violation in check_assignment(Assignment(problem, postings))] == [rule]


# -- bad input -----------------------------------------------------------------------------------
@pytest.fixture
def county_csv(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text("village_id,township,population,strength,x,y,needs\n"
                    "a,T,800,3,0,0,\nb,T,500,2,1000,0,income\nc,T,400,1,0,1000,软弱涣散\n", encoding="utf-8")
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_python_api_reads_paths(county_csv, tmp_path):
    helpers = write(tmp_path / "helpers.csv", "helper_id,name,unit,role,skills,home\nH1,李明,U1,驻村干部,集体经济,a\nH2,王芳,U1,第一书记,党建,T\n")
    result = pairing.assign(county_csv, helpers, settings=AssignSettings.from_dict({"per_village": {FS: 1, RC: 1}}), time_limit=20)
    assert served(result) == {"H1": ("b", "income"), "H2": ("c", "organisation")}
    assert pairing.check_assignment(result) == []


@pytest.mark.parametrize("villages, helpers, units, config, message", [
    ("village_id,township,population,strength,x,y,needs\na,T,800,3,0,0,路灯\n", None, None, None,
     "villages.csv: village a: column needs: unknown need '路灯'; use organisation, industry, mass_work, environment, income (or "),
    ("village_id,township,population,strength,x,y\na,T,800,3,0,0\n", None, None, None,
     "villages.csv: column needs: missing column needs (the villages' needs); add it"),
    (None, "helper_id,role,skills,home\nH1,驻村干部,唱歌,a\n", None, None,
     "helpers.csv: line 2: column skills: unknown need '唱歌'; use organisation"),
    (None, "helper_id,role,skills,home\nH1,村长,income,a\n", None, None,
     "helpers.csv: line 2: column role: unknown role '村长'; use first_secretary, resident_cadre"),
    (None, "helper_id,role,skills,home\nH1,驻村干部,income,a\nH1,驻村干部,income,a\n", None, None,
     "helpers.csv: line 3: column helper_id: duplicate helper id H1 (also on line 2); give every helper its own id"),
    (None, "helper_id,role,skills,home\nH1,驻村干部,income,z\n", None, None,
     "helpers.csv: line 2: column home: home 'z' is no village id or township of the village table; give a village id"),
    (None, "helper_id,role,unit,home\nH1,驻村干部,U9,a\n", "unit_id,name,skills,capacity\nU1,财政局,income,2\n", None,
     "helpers.csv: line 2: column unit: unit 'U9' is not in the units table"),
    (None, None, "unit_id,name,skills,capacity\nU1,财政局,income,-2\n", None,
     "units.csv: line 2: column capacity: capacity -2 is not a whole number of 0 or more"),
    (None, None, None, '[assign]\nmax_km = "60"\n', "assign.toml: key assign.max_km: max_km = \"60\" is text, not a number"),
    (None, None, None, "[assign]\nneeds = 1\n", "assign.toml: key assign.needs: unknown key 'needs' in [assign]; use "),
    (None, None, None, '[assign.derive]\nroads = { column = "x", below = 1 }\n',
     "assign.toml: key assign.derive.roads: unknown need 'roads'; use one of organisation, industry, mass_work, environment, income"),
    (None, None, None, '[assign.locks]\npin = { "H9" = "b" }\n', "key assign.locks.pin: pin H9 -> b: unknown helper H9"),
])
def test_bad_input_names_the_file_row_column_and_fix(tmp_path, county_csv, villages, helpers, units, config, message):
    villages_path = write(tmp_path / "villages.csv", villages) if villages else county_csv
    helpers_path = write(tmp_path / "helpers.csv", helpers or "helper_id,role,skills,home\nH1,驻村干部,income,a\n")
    units_path = write(tmp_path / "units.csv", units) if units else None
    config_path = write(tmp_path / "assign.toml", config) if config else None
    with pytest.raises(InputError) as error:
        pairing.assign(villages_path, helpers_path, units=units_path, config=config_path, time_limit=5)
    assert message in str(error.value)


# -- the command line on the bundled examples -------------------------------------------------------
def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pairing.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=600)


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_cli_jiangxia_four_categories(tmp_path):
    out = tmp_path / "jiangxia"
    done = run("assign", "instances/jiangxia_needs.csv", "--config", "instances/jiangxia_assign.toml", "--helpers", "instances/jiangxia_helpers.csv",
               "--units", "instances/jiangxia_units.csv", "--out", str(out), "--time-limit", "240")
    assert done.returncode == 0, done.stderr
    account = json.loads((out / "assignment.json").read_text(encoding="utf-8"))
    assert account["check"]["valid"] and account["needs"] == 61 and account["targets"] == 61
    # Every need can be covered: the greedy start covers them all, and the search only improves on it.
    assert account["needs_covered"] == 61 and account["status"] in ("OPTIMAL", "FEASIBLE")
    helpers = rows(out / "assignment.csv")
    assert len(helpers) == 300 and all(row["reason"] for row in helpers if not row["target_id"])
    needs = rows(out / "needs.csv")
    assert sorted(row["needs"] for row in needs).count("income") == 51
    assert all(row["why"] for row in needs if row["unmet"])
    assert "<svg" in (out / "assignment.html").read_text(encoding="utf-8")


def test_cli_anqiu_groups_with_previous_kept(tmp_path):
    plan = tmp_path / "plan"
    solved = run("solve", "instances/anqiu.gpkg", "--out", str(plan), "--format", "csv", "--time-limit", "40")
    assert solved.returncode == 0, solved.stderr
    args = ["assign", "instances/anqiu.gpkg", "--plan", str(plan / "plan.csv"), "--config", "instances/anqiu_assign.toml", "--helpers",
            "instances/anqiu_helpers.csv", "--units", "instances/anqiu_units.csv"]
    first = run(*args, "--out", str(tmp_path / "first"), "--lang", "zh")
    assert first.returncode == 0, first.stderr
    account = json.loads((tmp_path / "first" / "assignment.json").read_text(encoding="utf-8"))
    assert account["status"] == "OPTIMAL" and account["check"]["valid"]
    secretaries = [row for row in rows(tmp_path / "first" / "assignment.csv") if row["role"] == FS]
    assert len(secretaries) == 81 and all(row["kind"] == "group" for row in secretaries if row["target_id"])
    assert openpyxl.load_workbook(tmp_path / "first" / "assignment.xlsx").sheetnames == ["帮扶安排", "村需求", "概要"]
    # Last year's assignment as --previous: the same pairings are still best, and all are kept.
    again = run(*args, "--out", str(tmp_path / "again"), "--previous", str(tmp_path / "first" / "assignment.csv"))
    assert again.returncode == 0, again.stderr
    kept = json.loads((tmp_path / "again" / "assignment.json").read_text(encoding="utf-8"))
    assert kept["kept"] == kept["helpers_sent"] == account["helpers_sent"]


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    helpers = write(tmp_path / "helpers.csv", "干部编号,选派类别,专长,住址\nH1,驻村干部,唱歌,420115001200\n")
    done = run("assign", "instances/jiangxia_needs.csv", "--config", "instances/jiangxia_assign.toml", "--helpers", str(helpers),
               "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and done.stderr.startswith(f"pairing: {helpers}: line 2: column 专长: unknown need '唱歌'; use organisation")
