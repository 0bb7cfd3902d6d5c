"""The command line: outputs, exit codes, one-line errors, graceful stops."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from pairing.cli import main

INSTANCES = Path(__file__).resolve().parents[1] / "instances"
PAIRING = [sys.executable, "-m", "pairing.cli"]


@pytest.fixture(scope="module")
def small_county(tmp_path_factory):
    path = tmp_path_factory.mktemp("county") / "county.gpkg"
    assert main(["generate", "--villages", "80", "--townships", "3", "--seed", "4", "--out", str(path)]) == 0
    return path


def test_solve_writes_a_checked_plan(small_county, tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(["solve", str(small_county), "--out", str(out), "--time-limit", "20", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert "checker: the plan keeps every rule" in printed
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(plan.columns[:3]) == ["village_id", "name", "township"]
    assert {"village_id", "group_id", "role", "lead_id"} <= set(plan.columns) and len(plan) == 80
    assert set(plan["role"]) <= {"lead", "member", "none"}
    assert (plan.loc[plan["role"] == "none", "group_id"] == "").all()
    assert plan.loc[plan["role"] == "lead", "group_id"].is_unique
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("status", "objective", "bound", "gap", "groups", "villages", "villages_grouped", "weak", "weak_grouped",
                "population_grouped", "solve_seconds", "seed"):
        assert key in summary
    assert summary["seed"] == 3 and summary["villages"] == 80 and summary["check"] == {"valid": True, "violations": []}
    assert summary["groups"] == plan.loc[plan["role"] == "lead"].shape[0]
    assert summary["villages_grouped"] == (plan["role"] != "none").sum()
    # Villages grouped and distance are searched together: one search, its time said once.
    levels = {stage["objective"]: stage for stage in summary["stages"][1:]}
    assert levels["villages_grouped"]["search"] == levels["distance"]["search"] == "villages_grouped+distance"
    assert [line.split()[-2:] for line in printed.splitlines() if line.strip().startswith("distance")] == [["same", "search"]]


def test_default_output_folder_is_named_after_the_input(small_county, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["solve", str(small_county), "--time-limit", "5"]) == 0
    assert (tmp_path / "plan-county" / "plan.csv").exists()


def test_check_names_the_villages_that_fit_no_group(capsys):
    assert main(["check", str(INSTANCES / "luoxi.gpkg")]) == 0
    printed = capsys.readouterr().out
    assert "17 villages in 1 townships" in printed
    assert "exceeds the ceiling 2,000 alone" in printed


@pytest.mark.parametrize("args, message", [
    (["solve", "missing.gpkg"], "missing.gpkg"),
    (["check", str(INSTANCES / "anqiu.gpkg"), "--config", "nowhere.toml"], "nowhere.toml: config file not found"),
    (["generate", "--villages", "5", "--townships", "3", "--out", "x.gpkg"], "at least 3 villages per township"),
])
def test_bad_input_is_one_line_with_exit_code_2(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error


def test_bad_row_through_the_console_script(tmp_path):
    table = tmp_path / "villages.csv"
    table.write_text("village_id,name,township,population,strength,weak,x,y\n"
                     "a,A,T,400,1,false,0,0\nb,B,T,-5,2,true,1000,0\n", encoding="utf-8")
    run = subprocess.run([*PAIRING, "solve", str(table)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2
    assert "villages.csv" in run.stderr and "population" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "plan-villages").exists()


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_solve_still_writes_its_best_plan(tmp_path, signal_number):
    out = tmp_path / "plan"
    process = subprocess.Popen([*PAIRING, "solve", str(INSTANCES / "anqiu.gpkg"), "--out", str(out), "--time-limit", "300"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(6)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "FEASIBLE" and summary["check"]["valid"]
    assert summary["solve_seconds"] < 60
    assert "not proven optimal" in stdout


def test_locks_from_the_config_reach_the_solver(small_county, tmp_path, capsys):
    county = gpd.read_file(small_county)
    excluded = county["village_id"].iloc[0]
    config = tmp_path / "locks.toml"
    config.write_text(f'[locks]\nexclude = ["{excluded}"]\n', encoding="utf-8")
    out = tmp_path / "plan"
    assert main(["solve", str(small_county), "--config", str(config), "--out", str(out), "--time-limit", "10",
                 "--format", "csv,json"]) == 0
    written = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("village_id")
    assert written.loc[excluded, "role"] == "none" and written.loc[excluded, "reason"] == "excluded"


def test_conflicting_locks_exit_3_and_name_the_locks(small_county, tmp_path, capsys):
    county = gpd.read_file(small_county)
    a, b = county["village_id"].iloc[:2]
    config = tmp_path / "locks.toml"
    config.write_text(f'[locks]\nexclude = ["{a}"]\ntogether = [["{a}", "{b}"]]\n', encoding="utf-8")
    out = tmp_path / "plan"
    assert main(["solve", str(small_county), "--config", str(config), "--out", str(out), "--time-limit", "10"]) == 3
    printed = capsys.readouterr().out
    assert f"together {a}, {b}: {a} is excluded" in printed
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "INFEASIBLE" and summary["conflicts"] == [f"together {a}, {b}: {a} is excluded"]
    assert not (out / "plan.csv").exists()
