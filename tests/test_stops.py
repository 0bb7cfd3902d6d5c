"""Stops: the library's ``stop`` argument, and Ctrl-C / SIGTERM sent to the command
in every phase. Each stop is honoured within a second or two and leaves a complete,
consistent set of outputs (or nothing, and says so), which ``pairing validate``
accepts."""

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from pairing import Rules, alternatives, check, frontier, read_villages, solve
from pairing.cli import main

PAIRING = [sys.executable, "-m", "pairing.cli"]
#: Seconds a stopped command may take to end: the search stops within about a
#: second, and the quick files are written in another.
STOP_SECONDS = 3.5


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """1,200 villages: across townships one block of about 90,000 candidates."""
    path = tmp_path_factory.mktemp("county") / "county.gpkg"
    assert main(["generate", "--villages", "1200", "--townships", "8", "--seed", "2", "--out", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    """Across townships, with windows on that block, so that every phase comes early."""
    path = tmp_path_factory.mktemp("config") / "cross.toml"
    path.write_text("[rules]\nsame_township = false\n[solver]\nwindows_from = 20000\n", encoding="utf-8")
    return path


def stopped(args: list[str], marker: str, number: int, *, after: float = 0.0) -> tuple[subprocess.CompletedProcess, float]:
    """Run the command (verbose), send ``number`` once ``marker`` is logged (and
    ``after`` more seconds), and return the finished process and the seconds it
    took to end after the signal."""
    process = subprocess.Popen([*PAIRING, *args, "-v"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in process.stderr:
        seen.append(line)
        if marker in line:
            break
    else:
        process.wait()
        pytest.fail(f"never logged {marker!r}: {''.join(seen)}")
    time.sleep(after)
    process.send_signal(number)
    sent = time.perf_counter()
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, "".join(seen) + stderr), time.perf_counter() - sent


def assert_one_consistent_set(out: Path, county: Path, config: Path | None = None) -> dict:
    """The folder holds one run's plan: its summary agrees with its plan.csv, the
    checker accepts it, and nothing temporary is left."""
    names = sorted(path.name for path in out.iterdir())
    assert not [name for name in names if name.startswith(".") or "journal" in name or "tmp" in name], names
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    plan = pd.read_csv(out / "plan.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert summary["villages_grouped"] == (plan["role"] != "none").sum() and summary["groups"] == (plan["role"] == "lead").sum()
    assert set(summary["files"]["written"]) | {"summary.json"} == set(names), (summary["files"], names)
    args = ["validate", str(out / "plan.csv"), str(county)] + (["--config", str(config)] if config else [])
    assert subprocess.run([*PAIRING, *args], capture_output=True, text=True).returncode == 0
    return summary


@pytest.mark.parametrize("marker, number", [
    ("listing candidate groups", signal.SIGINT),
    ("weak level: can all", signal.SIGTERM),
    ("improving the plan window by window", signal.SIGINT),
    ("building the model", signal.SIGTERM),
    ("searching ", signal.SIGINT),  # the later levels (with the weak level, when it was not proven first)
])
def test_a_stop_in_any_phase_of_the_search_writes_the_best_plan_found(county, config, tmp_path, marker, number):
    out = tmp_path / "plan"
    run, seconds = stopped(["solve", str(county), "--config", str(config), "--out", str(out), "--time-limit", "20"], marker, number)
    assert run.returncode == 0, run.stderr
    assert seconds < STOP_SECONDS, (marker, seconds, run.stdout)
    assert f"stopped by {signal.Signals(number).name}" in run.stdout
    summary = assert_one_consistent_set(out, county, config)
    assert summary["stopped"] and summary["status"] in ("FEASIBLE", "UNKNOWN")


def test_a_stop_while_writing_skips_the_files_not_yet_written(county, tmp_path):
    out = tmp_path / "plan"
    run, seconds = stopped(["solve", str(county), "--out", str(out), "--time-limit", "10"], "writing report.html", signal.SIGINT)
    assert run.returncode == 0, run.stderr
    assert seconds < STOP_SECONDS
    summary = assert_one_consistent_set(out, county)
    assert "map.png" in summary["files"]["skipped"] and "skipped" in run.stdout and "map.png" in run.stdout


def test_a_second_signal_ends_the_command_at_once_and_writes_nothing(county, tmp_path):
    out = tmp_path / "plan"
    out.mkdir()
    (out / "plan.csv").write_text("an earlier run's plan", encoding="utf-8")
    process = subprocess.Popen([*PAIRING, "solve", str(county), "--out", str(out), "--time-limit", "10", "-v"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if "writing plan.xlsx" in line:
            break
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    if process.returncode == 0:  # the first signal's skipping ended the writing before the second arrived
        assert_one_consistent_set(out, county)
    else:
        assert process.returncode == 130 and "nothing was written" in stderr and "Traceback" not in stderr
        assert (out / "plan.csv").read_text(encoding="utf-8") == "an earlier run's plan"
        assert [path.name for path in out.iterdir()] == ["plan.csv"]


def test_ctrl_c_at_start_up_prints_no_traceback(county, tmp_path):
    process = subprocess.Popen([*PAIRING, "solve", str(county), "--out", str(tmp_path / "plan")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    time.sleep(0.4)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode in (0, 130) and "Traceback" not in stderr
    if process.returncode == 130:
        assert "nothing was written" in stderr and not (tmp_path / "plan").exists()


@pytest.mark.parametrize("command, marker", [("alternatives", "looking for alternative 2"), ("frontier", "frontier: least")])
def test_alternatives_and_frontier_stop_too(county, config, tmp_path, command, marker):
    out = tmp_path / command
    run, seconds = stopped([command, str(county), "--config", str(config), "--out", str(out), "--time-limit", "20"],
                           marker, signal.SIGINT, after=0.5)
    assert run.returncode == 0, run.stderr
    assert seconds < STOP_SECONDS, seconds
    assert not [path for path in out.iterdir() if path.name.startswith(".")]
    if command == "alternatives":
        assert (out / "alt-1" / "plan.csv").exists() and (out / "alternatives.csv").exists()
    else:
        assert (out / "frontier.csv").exists()


# -- the library's stop argument ----------------------------------------------------------------
def test_solve_returns_within_a_second_of_a_stop_event(county):
    instance = read_villages(county)
    stop = threading.Event()
    threading.Timer(3.0, stop.set).start()
    started = time.perf_counter()
    plan = solve(instance, Rules(same_township=False), time_limit=120, stop=stop)
    assert time.perf_counter() - started - 3.0 < 1.5
    assert plan.stopped and plan.status in ("FEASIBLE", "UNKNOWN") and check(plan) == []


def test_a_stop_callable_is_asked_and_obeyed():
    from hand import hand_instance

    instance = hand_instance([("a", "b"), ("b", "c")], dict(a=500, b=400, c=300), dict(a=3, b=2, c=1), weak={"b", "c"})
    asked = []
    plan = solve(instance, time_limit=30, stop=lambda: asked.append(1) or True)
    assert asked and plan.stopped and plan.status == "UNKNOWN" and plan.groups == ()


def test_alternatives_and_frontier_take_a_stop(county):
    instance = read_villages(county)
    for run in (lambda stop: alternatives(instance, Rules(same_township=False), 3, time_limit=120, stop=stop),
                lambda stop: frontier(instance, Rules(same_township=False), points=3, time_limit=120, stop=stop)):
        stop = threading.Event()
        threading.Timer(3.0, stop.set).start()
        started = time.perf_counter()
        run(stop)
        assert time.perf_counter() - started - 3.0 < 2.0
