"""The province batch: counties solved on Dask (a local cluster, and a scheduler
and workers started as processes of their own), a county broken on purpose,
resuming a batch killed half-way, and re-solving against a previous batch with
merged and renamed villages."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from pairing import check, read_plan, read_villages
from pairing.cli import main
from pairing.synth import synthetic_county

PAIRING = [sys.executable, "-m", "pairing.cli"]
SIZES = {"379900": (70, 2), "379901": (60, 2), "379902": (50, 2), "379903": (45, 2), "379904": (40, 2), "379905": (36, 2)}


def province(folder: Path, sizes: dict[str, tuple[int, int]] = SIZES) -> Path:
    """Small synthetic counties in one GPKG, split by ``county_code``."""
    frames = []
    for seed, (code, (villages, townships)) in enumerate(sizes.items(), start=1):
        county = synthetic_county(villages, townships, seed)
        county["village_id"] = code + county["village_id"]
        frames.append(county.assign(county_code=code, county_name=f"县{code[-2:]}", city_code="3799", city_name="测试市"))
    path = folder / "province.gpkg"
    gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs).to_file(path, layer="villages", driver="GPKG")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    return province(tmp_path_factory.mktemp("province"))


def summary_of(out: Path, county: str) -> dict:
    return json.loads((out / county / "summary.json").read_text(encoding="utf-8"))


def test_a_batch_on_a_local_cluster_with_one_county_broken_on_purpose(inputs, tmp_path, capsys):
    broken = gpd.read_file(inputs)
    broken.loc[broken["county_code"] == "379902", "population"] = -5
    path = tmp_path / "broken.gpkg"
    broken.to_file(path, layer="villages", driver="GPKG")
    out = tmp_path / "batch"
    assert main(["batch", str(path), "--by", "county_code", "--out", str(out), "--time-limit", "10", "--workers", "2"]) == 1
    printed = capsys.readouterr().out
    assert "1 failed" in printed and "379902" in printed and "population" in printed
    table = pd.read_csv(out / "batch.csv", dtype={"county": str}, keep_default_na=False, encoding="utf-8-sig").set_index("county")
    assert table.loc["379902", "status"] == "FAILED" and "not a whole number above 0" in table.loc["379902", "error"]
    solved = table.drop(index="379902")
    assert (solved["status"] == "OPTIMAL").all() and (solved["error"] == "").all()
    for county in solved.index:
        plan = read_plan(out / county / "plan.csv")
        assert summary_of(out, county)["check"]["valid"] and summary_of(out, county)["batch"]["mode"] == "solved"
        assert len(plan.groups) == int(solved.loc[county, "groups"])
    villages = gpd.read_file(out / "province.gpkg", layer="villages")
    assert set(villages["county"].astype(str)) == set(solved.index) and len(villages) == solved["villages"].astype(int).sum()
    assert len(gpd.read_file(out / "province.gpkg", layer="groups")) == solved["groups"].astype(int).sum()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "379902" in page and "<svg" in page and "http://" not in page and "https://" not in page
    assert not (out / "379902").exists()


def test_threads_set_each_countys_cp_sat_workers(inputs, tmp_path):
    out = tmp_path / "batch"
    assert main(["batch", str(inputs), "--by", "county_code", "--out", str(out), "--time-limit", "10", "--workers", "1",
                 "--threads", "1", "-q"]) == 0
    assert {summary_of(out, county)["workers"] for county in SIZES} == {1}
    assert main(["batch", str(inputs), "--by", "county_code", "--out", str(out), "--threads", "0"]) == 2


def test_resume_after_a_batch_killed_half_way_redoes_only_the_unfinished_counties(inputs, tmp_path):
    out = tmp_path / "batch"
    args = ["batch", str(inputs), "--by", "county_code", "--out", str(out), "--time-limit", "10", "--workers", "1"]
    process = subprocess.Popen([*PAIRING, *args, "-v"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finished = 0
    for line in process.stderr:
        finished += " solved: " in line
        if finished == 2:
            break
    process.send_signal(signal.SIGKILL)  # killed: no chance to tidy up
    process.wait()
    done = {path.parent.name: path.stat().st_mtime_ns for path in out.glob("*/summary.json")}
    assert 2 <= len(done) < len(SIZES)
    run = subprocess.run([*PAIRING, *args, "--resume", "-v"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("done already, skipped") == len(done)
    assert run.stderr.count(" solved: ") == len(SIZES) - len(done)
    assert {county: (out / county / "summary.json").stat().st_mtime_ns for county in done} == done
    assert len(pd.read_csv(out / "batch.csv")) == len(SIZES)
    assert not [path for path in out.rglob(".pairing-*")]


def test_a_batch_on_a_scheduler_and_workers_of_their_own(inputs, tmp_path):
    dask = Path(sys.executable).with_name("dask")
    scheduler_file = tmp_path / "scheduler.json"
    elsewhere = tmp_path / "worker-home"  # the worker works in a folder of its own: it reads nothing of the batch's
    elsewhere.mkdir()
    scheduler = subprocess.Popen([str(dask), "scheduler", "--scheduler-file", str(scheduler_file), "--port", "0", "--no-dashboard"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        for _ in range(100):
            if scheduler_file.exists() and scheduler_file.stat().st_size:
                break
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        worker = subprocess.Popen([str(dask), "worker", address, "--nthreads", "1", "--no-dashboard"], cwd=elsewhere,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = tmp_path / "batch"
        run = subprocess.run([*PAIRING, "batch", str(inputs), "--by", "county_code", "--out", str(out), "--time-limit", "10",
                              "--scheduler", address], capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        table = pd.read_csv(out / "batch.csv", keep_default_na=False)
        assert len(table) == len(SIZES) and (table["status"] == "OPTIMAL").all()
        assert list(elsewhere.iterdir()) == [] or all(path.name.startswith("dask-") for path in elsewhere.iterdir())
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def test_re_solving_against_a_previous_batch_with_merged_and_renamed_villages(tmp_path):
    old = province(tmp_path, {"379900": (60, 2), "379901": (40, 2)})
    before = tmp_path / "before"
    assert main(["batch", str(old), "--by", "county_code", "--out", str(before), "--time-limit", "10", "--workers", "1"]) == 0
    villages = gpd.read_file(old)
    county = villages[villages["county_code"] == "379900"]
    first, second, third = county["village_id"].iloc[[0, 1, 5]]
    merged = villages.loc[villages["village_id"] == first].copy()
    merged["geometry"] = [villages.loc[villages["village_id"].isin([first, second]), "geometry"].union_all()]
    merged["population"] = villages.loc[villages["village_id"].isin([first, second]), "population"].sum()
    merged["village_id"] = "379900999201"
    new = pd.concat([villages[~villages["village_id"].isin([first, second])], merged], ignore_index=True)
    new.loc[new["village_id"] == third, "village_id"] = "379900999202"
    path = tmp_path / "new" / "province.gpkg"
    path.parent.mkdir()
    gpd.GeoDataFrame(new, crs=villages.crs).to_file(path, layer="villages", driver="GPKG")
    renames = tmp_path / "renames.csv"
    renames.write_text(f"old,new\n{first},379900999201\n{second},379900999201\n{third},379900999202\n", encoding="utf-8")
    after = tmp_path / "after"
    assert main(["batch", str(path), "--by", "county_code", "--out", str(after), "--previous", str(before), "--renames", str(renames),
                 "--time-limit", "10", "--workers", "1"]) == 0
    table = pd.read_csv(after / "batch.csv", dtype={"county": str}, keep_default_na=False).set_index("county")
    assert set(table["mode"]) == {"re-solved"} and (table["status"] == "OPTIMAL").all()
    revision = summary_of(after, "379900")["revision"]
    assert revision["merged"] == {"379900999201": [first, second]} and revision["renamed"][third] == "379900999202"
    changes = pd.read_csv(after / "379900" / "changes.csv", dtype=str, keep_default_na=False)
    assert not {first, second, third} & set(changes["village_id"])  # the old ids are gone from the new plan's side
    assert {"379900999201", "379900999202"} <= set(pd.read_csv(after / "379900" / "plan.csv", dtype=str)["village_id"])
    county_new = gpd.GeoDataFrame(new[new["county_code"] == "379900"], crs=villages.crs)
    county_new.to_file(tmp_path / "one.gpkg", layer="villages", driver="GPKG")
    assert check(read_plan(after / "379900" / "plan.csv", read_villages(tmp_path / "one.gpkg"))) == []
