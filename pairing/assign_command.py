"""``pairing assign``: send helpers to the villages (or a plan's groups) that
need them, check the assignment, write it as one set and summarise."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .command import Command, log, read_inputs, say, say_header, solver_params
from .console import time_line, written_line
from .labels import check_lang


def run_assign(args: argparse.Namespace, command: Command) -> int:
    from .assign.check import check_assignment
    from .assign.helpers import read_helpers, read_previous, read_units
    from .assign.model import solve_assignment
    from .assign.needs import village_needs
    from .assign.settings import AssignSettings
    from .assign.targets import build_problem
    from .assign.write import ASSIGN_FILES, write_assignment_into
    from .deadline import Deadline
    from .outputs import OutputFolder
    from .read_plan import read_plan

    check_lang(args.lang)
    started = time.perf_counter()
    settings = AssignSettings.from_toml(args.config)
    config, instance = read_inputs(args, command)
    units = read_units(args.units, settings) if args.units else ()
    helpers = read_helpers(args.helpers, instance, settings, units)
    plan = read_plan(args.plan, instance, config.rules) if args.plan else None
    previous = read_previous(args.previous) if args.previous else None
    problem = build_problem(instance, village_needs(instance, settings), helpers, settings, units=units, plan=plan, previous=previous)
    command.lap("read", started)
    out = Path(args.out) if args.out else Path(f"assign-{Path(args.input).stem}")
    inputs = [args.input, args.config, args.helpers, args.units, args.plan, args.previous, args.edges, args.add_edges]
    output = OutputFolder(out, ASSIGN_FILES, inputs).open()
    say_header("pairing assign", instance, args.lang)
    with output:
        # The five files take a few seconds (the workbook and the page with its font), kept out of the search's time.
        params = solver_params(config, args, command, reserve=min(5.0, 0.25 * (command.time_limit or 60.0)))
        started = time.perf_counter()
        log.info("assigning %s helpers to %s villages and groups", f"{len(problem.helpers):,}", f"{len(problem.targets):,}")
        assignment = solve_assignment(problem, params, Deadline.after(params.time_limit, command.stops.event))
        command.lap("solve", started)
        command.stops.next_phase()
        started = time.perf_counter()
        violations = check_assignment(assignment)
        command.lap("check", started)
        started = time.perf_counter()
        if assignment.stopped:
            output.skip_reason = "stopped"
        write_assignment_into(output, assignment, violations, lang=args.lang, extra={"timing": command.timing},
                              deadline=command.deadline(assignment.stopped))
        output.commit()
        command.lap("write", started)
    command.end_progress()
    say(*summary_lines(assignment, violations), written_line(output, args.lang), time_line(command, args.lang))
    if assignment.status == "INFEASIBLE":
        return 3
    return 1 if violations else 0


def summary_lines(assignment, violations) -> list[str]:
    """What the command prints after its header: status, figures, levels, the checker's verdict."""
    metrics = assignment.metrics()
    lines = [f"  status {assignment.status} in {assignment.solve_seconds:.1f} s" + (" (stopped)" if assignment.stopped else ""),
             (f"  needs covered {metrics['needs_covered']:,} of {metrics['needs']:,} (at weak villages {metrics['weak_needs_covered']:,} of "
              f"{metrics['weak_needs']:,}) in {metrics['targets']:,} villages and groups"),
             (f"  helpers sent {metrics['helpers_sent']:,} of {metrics['helpers']:,}; short of the required {metrics['helpers_short']:,}; "
              f"skill fit {metrics['fit']:,}; last year's pairings kept {metrics['kept']:,} of {metrics['previous']:,}; "
              f"travel {metrics['travel_km']:,.1f} km")]
    for stage in assignment.stages:
        gap = "" if stage["status"] == "OPTIMAL" or stage["bound"] is None else f", bound {stage['bound']:,}"
        value = "-" if stage["value"] is None else f"{stage['value']:,}"
        lines.append(f"    {stage['name']:<11} {value:>10} {stage['status']}{gap} ({stage['seconds']:.1f} s)")
    lines += [f"  the locks cannot all hold: {conflict}" for conflict in assignment.conflicts]
    lines.append("  checker: every rule holds" if not violations else f"  checker: {len(violations)} violations")
    lines += [f"    {violation}" for violation in violations]
    return lines
