"""Outputs are written as a whole or not at all, never over an input, and within the
command's time limit; a bad output folder is one line with exit code 2."""

import errno
import json
import subprocess
import sys
import time

import pytest

from county import write_county
from pairing.cli import main
from pairing.outputs import OutputFolder

PAIRING = [sys.executable, "-m", "pairing.cli"]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return write_county(tmp_path_factory.mktemp("county"))


def one_line(capsys) -> str:
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "Traceback" not in error, error
    return error


@pytest.mark.parametrize("where, message", [
    ("file", "is a file, not a folder; give a folder for the outputs (--out)"),
    ("under a file", "cannot write the outputs (Not a directory)"),
    ("/proc", "cannot write the outputs"),
])
def test_an_output_folder_that_cannot_be_written_is_refused_before_solving(county, tmp_path, capsys, where, message):
    blocker = tmp_path / "plan.txt"
    blocker.write_text("not a folder", encoding="utf-8")
    out = {"file": blocker, "under a file": blocker / "plan", "/proc": "/proc/pairing-plan"}[where]
    started = time.perf_counter()
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "30"]) == 2
    assert message in one_line(capsys)
    assert time.perf_counter() - started < 10  # refused before the 30 s search
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_a_full_disk_writes_nothing_and_says_so(county, tmp_path, capsys, monkeypatch):
    out = tmp_path / "plan"
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "20", "--format", "csv,json,xlsx"]) == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    capsys.readouterr()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    import pairing.write

    monkeypatch.setitem(pairing.write._WRITERS, "xlsx", full)
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "20", "--format", "csv,json,xlsx", "--seed", "3"]) == 2
    captured = capsys.readouterr()
    assert "No space left on device" in captured.err and "nothing was written" in captured.err
    assert "wrote nothing" in captured.out  # the solve's summary is still shown
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_files_of_an_earlier_run_are_not_left_beside_a_new_plan(county, tmp_path, capsys):
    out = tmp_path / "plan"
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "20"]) == 0
    assert len(list(out.iterdir())) == 6
    (out / "notes.txt").write_text("the planner's own file", encoding="utf-8")
    assert main(["solve", str(county), "--out", str(out), "--time-limit", "20", "--format", "csv,json"]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt", "plan.csv", "summary.json"]


def test_an_input_is_never_an_output(tmp_path, capsys):
    villages = write_county(tmp_path).rename(tmp_path / "plan.gpkg")
    before = villages.read_bytes()
    assert main(["solve", str(villages), "--out", str(tmp_path)]) == 2
    assert "would overwrite the input" in one_line(capsys)
    assert villages.read_bytes() == before


def test_a_folder_left_by_a_killed_run_is_removed_by_the_next(tmp_path):
    out = tmp_path / "plan"
    (out / ".pairing-999999999-deadbeef").mkdir(parents=True)
    with OutputFolder(out, ["a.txt"]) as output:
        output.write("a.txt", lambda path: path.write_text("a"))
    assert [path.name for path in out.iterdir()] == ["a.txt"]


def test_the_time_limit_bounds_the_whole_command(tmp_path):
    county = tmp_path / "county.gpkg"
    assert main(["generate", "--villages", "1500", "--townships", "6", "--seed", "1", "--out", str(county)]) == 0
    config = tmp_path / "cross.toml"
    config.write_text("[rules]\nsame_township = false\n", encoding="utf-8")
    started = time.perf_counter()
    run = subprocess.run([*PAIRING, "solve", str(county), "--config", str(config), "--out", str(tmp_path / "plan"),
                          "--time-limit", "8"], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert run.returncode == 0, run.stderr
    assert elapsed < 8 + 1.5, run.stdout  # the interpreter's own start is outside the command
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["timing"]) >= {"read", "solve", "check"} and "time " in run.stdout and "of 8 s" in run.stdout
    assert set(summary["files"]["written"]) | set(summary["files"]["skipped"]) == {"plan.csv", "plan.gpkg", "plan.xlsx",
                                                                                   "report.html", "map.png"}


def test_argparse_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["solve", "--time-limit", "soon"])
    assert exit.value.code == 2
    assert "see pairing solve --help" in one_line(capsys)
