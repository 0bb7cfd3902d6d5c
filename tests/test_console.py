"""The console: progress on a terminal and nothing in a pipe, the header first,
a closed pipe ending quietly, summaries with their units and what they proved,
in English and Chinese, and flags named as flags."""

import logging
import os
import pty
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pairing.cli import main

PAIRING = [sys.executable, "-m", "pairing.cli"]
ANSI = "\x1b["


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """A generated county of 120 villages: proven optimal in a few seconds."""
    path = tmp_path_factory.mktemp("county") / "county.gpkg"
    assert main(["generate", "--villages", "120", "--townships", "3", "--out", str(path)]) == 0
    return path


def write_plan(path: Path, villages: int, shift: int) -> Path:
    """A plan file of ``villages`` villages in groups of three, the groups starting at ``shift``."""
    rows = ["village_id,group_id,role"]
    for k in range(villages):
        position = (k - shift) % villages
        group = position // 3
        rows.append(f"v{k:05d},G{group:04d},{'lead' if position % 3 == 0 else 'member'}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory) -> tuple[Path, Path]:
    """Two plans of 6,000 villages in which every village changed group: a long diff."""
    folder = tmp_path_factory.mktemp("plans")
    return write_plan(folder / "old.csv", 6000, 0), write_plan(folder / "new.csv", 6000, 1)


def test_progress_is_silent_off_a_terminal(county, tmp_path):
    run = subprocess.run([*PAIRING, "solve", str(county), "--out", str(tmp_path / "plan"), "--format", "csv,json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert ANSI not in run.stderr and ANSI not in run.stdout
    assert all(line.startswith("pairing: warning:") for line in run.stderr.splitlines()), run.stderr
    assert "reading" not in run.stderr and "candidate groups in" not in run.stderr


def test_progress_shows_on_a_terminal(county, tmp_path):
    controller, terminal = pty.openpty()
    process = subprocess.Popen([*PAIRING, "solve", str(county), "--out", str(tmp_path / "plan"), "--format", "csv,json"],
                               stdout=subprocess.PIPE, stderr=terminal, text=True, env={**os.environ, "COLUMNS": "120"})
    os.close(terminal)
    shown = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end closed
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    stdout, _ = process.communicate(timeout=120)
    reader.join(10)
    os.close(controller)
    assert process.returncode == 0
    screen = shown.decode("utf-8", errors="replace")
    assert " s of 60 s · " in screen and "candidate groups" in screen  # the clock, and the phase the search runs in
    # The summary goes to stdout, untouched by the display; the display leaves nothing behind in it.
    assert "checker: the plan keeps every rule" in stdout and ANSI not in stdout


def test_a_closed_pipe_ends_quietly(two_plans):
    old, new = two_plans
    command = " ".join(f"'{part}'" for part in [*PAIRING, "diff", str(old), str(new)])
    run = subprocess.run(["bash", "-c", f"{command} | head -1; exit ${{PIPESTATUS[0]}}"], capture_output=True, text=True, timeout=120)
    assert run.stdout.startswith("pairing diff")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "BrokenPipeError" not in run.stderr


def test_the_header_comes_first_when_piped(county, tmp_path):
    process = subprocess.Popen([*PAIRING, "solve", str(county), "--out", str(tmp_path / "plan"), "--format", "csv,json",
                                "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()
    second = process.stdout.readline()
    running = process.poll() is None
    rest, _ = process.communicate(timeout=120)
    assert first.startswith("pairing solve") and "120 villages in 3 townships" in second
    assert running, "the header arrived only when the command ended"
    assert "checker: the plan keeps every rule" in rest


def test_html_into_a_missing_folder(two_plans, tmp_path, capsys):
    old, new = two_plans
    page = tmp_path / "not" / "yet" / "diff.html"
    assert main(["diff", str(old), str(new), "--html", str(page)]) == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") or "<html" in page.read_text(encoding="utf-8")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", str(old), str(new), "--html", str(tmp_path / "a-file" / "diff.html")]) == 2
    assert "flag --html:" in capsys.readouterr().err


def test_summaries_in_english_and_chinese(county, tmp_path, capsys):
    assert main(["solve", str(county), "--out", str(tmp_path / "en"), "--format", "csv,json"]) == 0
    english = capsys.readouterr().out
    assert "status OPTIMAL (proven optimal)" in english
    distance = next(line for line in english.splitlines() if line.strip().startswith("distance"))
    assert " km " in distance
    assert main(["solve", str(county), "--out", str(tmp_path / "zh"), "--format", "csv,json", "--lang", "zh"]) == 0
    chinese = capsys.readouterr().out
    assert "已证明最优" in chinese and "规则校验：方案满足全部规则" in chinese and "公里" in chinese
    assert "proven" not in chinese


def stage(objective, unit, status, value, bound, gap, seconds, search=None):
    return {"objective": objective, "unit": unit, "status": status, "value": value, "bound": bound, "gap": gap, "seconds": seconds,
            "search": search or objective}


def unproven_plan():
    stages = ({"objective": "enumerate", "status": "DONE", "candidates": 42235,
               "note": "most villages fit no group under these rules"},
              stage("weak_grouped", "weak villages", "OPTIMAL", 431, 431, 0.0, 1.4),
              stage("villages_grouped", "villages", "FEASIBLE", 1425, 1426, 0.0007, 95.0, "villages_grouped+distance"),
              stage("distance", "m", "FEASIBLE", 1198803, 947054, 0.21, 95.0, "villages_grouped+distance"))
    return SimpleNamespace(status="FEASIBLE", gap=0.0007, stages=stages, solve_seconds=60.0)


def test_the_headline_says_what_every_level_proved():
    from pairing.console import proof_text, stage_lines

    plan = unproven_plan()
    assert proof_text(plan) == "not proven optimal, gap 0.07% on villages grouped; distance not proven, 21% from its bound"
    assert proof_text(plan, "zh") == "可行解，未证明最优：已联建村差距 0.07%；总距离未证明最优，距其界 21%"
    lines = stage_lines(plan)
    assert "1,198.8 km (bound 947.1 km)" in lines[2] and lines[2].endswith("same search")
    assert "95.0 s, summed over blocks solved side by side" in lines[1]
    assert "431 weak villages" in lines[0] and lines[0].endswith("1.4 s")


def test_the_rules_note_is_printed_after_the_rules():
    from pairing.console import summary_text

    plan = unproven_plan()
    rules = SimpleNamespace(group_size=(3, 5), group_population=(1000, 2000), contiguity="connected", same_township=True)
    metrics = {"groups": 1, "villages_grouped": 3, "villages": 17, "weak_grouped": 1, "weak": 7, "population_grouped": 1200}
    plan = SimpleNamespace(**vars(plan), rules=rules, seed=0, workers=2, stopped=False, conflicts=(), groups=(1,),
                           metrics=lambda: metrics)
    command = SimpleNamespace(stops=SimpleNamespace(received=[]), started=time.perf_counter(), time_limit=60, timing={"read": 0.1})
    output = SimpleNamespace(committed=["plan/plan.csv"], skipped={})
    lines = summary_text(plan, [], output, command).splitlines()
    assert lines[0].startswith("  rules: 3-5 villages") and lines[1] == "  note: most villages fit no group under these rules"


def test_violations_name_their_rule_in_chinese():
    from pairing.check import Violation
    from pairing.console import violation_text

    violation = Violation("group_population", "G001", ("a", "b"), "population 2,350, outside 1,000-2,000")
    assert violation_text(violation) == "group G001: group_population: population 2,350, outside 1,000-2,000"
    assert violation_text(violation, "zh") == "联建组 G001：每组人口：population 2,350, outside 1,000-2,000"


@pytest.mark.parametrize("args, flag", [
    (["alternatives", "{county}", "-k", "0"], "flag -k:"),
    (["solve", "{county}", "--time-limit", "-1"], "flag --time-limit:"),
    (["frontier", "{county}", "--points", "1"], "flag --points:"),
    (["frontier", "{county}", "--measure", "cost"], "flag --measure:"),
    (["alternatives", "{county}", "--within", "200%"], "flag --within:"),
])
def test_errors_about_a_flag_name_the_flag(county, tmp_path, capsys, args, flag):
    assert main([part.format(county=county) for part in args] + ["--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert flag in error and "column" not in error


def test_generate_explains_its_flags(capsys):
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    shown = capsys.readouterr().out
    assert "how many villages" in shown and "how many townships" in shown and "random seed" in shown and ".gpkg" in shown


def test_a_search_reports_its_best_value_and_bound(monkeypatch, caplog):
    """With DEBUG records listened to, a search logs its progress (objective,
    value, bound, time left); without, it has no callback at all."""
    import pairing.model.cpsat as cpsat
    from pairing import Rules
    from pairing.deadline import Deadline
    from pairing.examples import path_county
    from pairing.model.candidates import enumerate_candidates
    from pairing.model.packing import PackingModel
    from pairing.rules import SolverParams

    monkeypatch.setattr(cpsat, "PROGRESS_EVERY", 0.0)
    instance = path_county([500, 400, 300, 300, 500, 400], [6.0, 1, 2, 3, 4, 5], [False, True, True, False, True, False])
    candidates = enumerate_candidates(instance, Rules())
    assert cpsat.SearchProgress.if_logged("x", 1, None) is None or logging.getLogger("pairing").isEnabledFor(logging.DEBUG)
    # A search itself (a solve may prove every level from the LP without one).
    with caplog.at_level(logging.DEBUG, logger="pairing"):
        stage = PackingModel(candidates, instance.n).optimise(cpsat.cp_sat_solver(SolverParams(), 1), "villages_grouped", candidates.size,
                                                              maximise=True, hint=(), deadline=Deadline.after(5))
        assert stage.status == "OPTIMAL"
    reports = [record.progress for record in caplog.records if hasattr(record, "progress")]
    assert reports, "no progress was logged"
    assert {"objective", "candidates", "value", "bound", "seconds_left", "done"} <= set(reports[0])
    assert any(report["done"] for report in reports)
