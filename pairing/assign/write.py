"""An assignment's deliverables as one set: ``assignment.csv`` (one row per
helper), ``needs.csv`` (one row per group and village in need),
``assignment.xlsx`` (those two and the summary, English or Chinese),
``assignment.html`` (the report's page, offline) and ``assignment.json`` (the
account: status, levels, figures, the checker's verdict)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..deadline import Deadline
from ..files import write_text, write_villages, write_workbook
from ..labels import label
from ..outputs import OutputFolder
from .check import AssignViolation, check_assignment
from .page import assignment_html
from .problem import Assignment
from .reasons import Reasons
from .tables import assignment_table, localised, needs_table, summary_rows

#: Every file the set may hold, quickest first.
ASSIGN_FILES = ("assignment.json", "assignment.csv", "needs.csv", "assignment.xlsx", "assignment.html")


def assignment_account(assignment: Assignment, violations: list[AssignViolation], extra: dict | None = None) -> dict:
    """What ``assignment.json`` holds: the metrics, the levels, the conflicts and the checker's verdict."""
    return {**assignment.metrics(), "stages": list(assignment.stages), "conflicts": list(assignment.conflicts), "stopped": assignment.stopped,
            "source": assignment.problem.source, "max_km": assignment.problem.max_km,
            "check": {"valid": not violations, "violations": [str(violation) for violation in violations]}, **(extra or {})}


def write_assignment_into(output: OutputFolder, assignment: Assignment, violations: list[AssignViolation], *, lang: str = "en",
                          extra: dict | None = None, deadline: Deadline | None = None) -> None:
    """Write the set into an open :class:`~pairing.outputs.OutputFolder` (the caller commits it)."""
    reasons = Reasons(assignment)
    assigned, needs = assignment_table(assignment, reasons), needs_table(assignment, reasons)
    summary = summary_rows(assignment) + [("violation", str(violation)) for violation in violations]
    source = Path(assignment.problem.source).name

    def workbook(path: Path) -> None:
        write_workbook(path, {label("assign:sheet:assignment", lang): localised(assigned, lang), label("assign:sheet:needs", lang): localised(needs, lang),
                              label("assign:sheet:summary", lang): pd.DataFrame(summary, columns=[label("item", lang), label("value", lang)])},
                       header=source)

    output.write("assignment.json", lambda path: write_text(path, json.dumps(assignment_account(assignment, violations, extra), ensure_ascii=False,
                                                                              indent=2, default=str) + "\n"), deadline)
    output.write("assignment.csv", lambda path: write_villages(assigned, path), deadline)
    output.write("needs.csv", lambda path: write_villages(needs, path), deadline)
    output.write("assignment.xlsx", workbook, deadline)
    output.write("assignment.html", lambda path: write_text(path, assignment_html(assignment, assigned, needs, lang, violations=violations,
                                                                                  title=f"{label('assign:title', lang)}: {source}")), deadline)


def write_assignment(assignment: Assignment, folder: str | Path, violations: list[AssignViolation] | None = None, lang: str = "en") -> list[Path]:
    """Write the set into ``folder`` (from Python), checked when no verdict is given; the files written.

    Examples
    --------
    >>> import tempfile
    >>> from pairing.assign.problem import AssignProblem, Helper, Posting, Target
    >>> target = Target("a", "village", "A村", "T", (0.0, 0.0), ("income",), True, {"resident_cadre": (1, 1)})
    >>> helper = Helper("H1", "李明", "U1", "resident_cadre", ("income",), (3000.0, 4000.0))
    >>> assignment = Assignment(AssignProblem((target,), (helper,), (), max_km=10.0), (Posting("H1", "a", "income"),), "OPTIMAL")
    >>> sorted(path.name for path in write_assignment(assignment, tempfile.mkdtemp()))
    ['assignment.csv', 'assignment.html', 'assignment.json', 'assignment.xlsx', 'needs.csv']
    """
    violations = check_assignment(assignment) if violations is None else violations
    with OutputFolder(folder, ASSIGN_FILES) as output:
        write_assignment_into(output, assignment, violations, lang=lang)
        return output.commit()
