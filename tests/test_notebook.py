"""The example notebook runs from top to bottom without an error (as CI runs it)."""

import re
from pathlib import Path

import nbclient
import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore_anqiu.ipynb"


def test_explore_anqiu_notebook_runs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Each solve has the time to prove its plan (a minute at most, about 10-30 s on Anqiu).
    client = nbclient.NotebookClient(notebook, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert any("pairing plan" in output.get("data", {}).get("text/html", "") for output in outputs)
    assert any("image/png" in output.get("data", {}) for output in outputs)
    printed = "".join(output.get("text", "") for output in outputs if output.get("name") == "stdout")
    assert re.search(r"^(OPTIMAL|FEASIBLE) in \d+ s$", printed, re.M)
    # A proven re-solve under one more lock changes a handful of villages.
    status, changed = re.search(r"^apart .*: (\w+), (\d+) villages changed assignment$", printed, re.M).groups()
    assert status != "OPTIMAL" or int(changed) <= 10
