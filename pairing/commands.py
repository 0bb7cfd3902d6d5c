"""The commands of ``pairing``, one function each: read, call the library, write
the outputs as one set, print a summary. The command line imports this module
once its signal handlers are in place; each command imports the rest of what it
needs when it runs."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from .command import (Command, metrics_line, open_output, plan_and_instance, read_inputs, share_flag, solver_params, time_line, verdict,
                      write_and_summarise, writing_reserve, written_line)
from .labels import check_lang

# -- the commands -----------------------------------------------------------------------------
def run_solve(args: argparse.Namespace, command: Command) -> int:
    from .write import PLAN_FILES, parse_formats

    formats = parse_formats(args.format)
    check_lang(args.lang)
    config, instance = read_inputs(args, command)
    out = Path(args.out) if args.out else Path(f"plan-{Path(args.input).stem}")
    output = open_output(out, PLAN_FILES.values(), args)
    with output:
        from .solve import solve

        params = solver_params(config, args, command, writing_reserve(command, instance, formats))
        started = time.perf_counter()
        plan = solve(instance, config.rules, locks=config.locks, weights=config.objective,
                     params=params.with_overrides(log=args.log or config.solver.log or None), stop=command.stops.event)
        command.lap("solve", started)
        return write_and_summarise(plan, output, formats, args.lang, command)




def run_validate(args: argparse.Namespace, command: Command) -> int:
    from .check import check

    plan = plan_and_instance(args, args.plan, command)
    violations = check(plan)
    metrics = plan.metrics()
    lines = [f"pairing validate {args.plan} against {plan.instance.source}", metrics_line(metrics),
             f"  distance {metrics['distance']:,} {metrics['distance_unit']}"]
    if not violations:
        lines.append("  the plan keeps every rule")
    else:
        names = dict(zip(plan.instance.ids, plan.instance.villages["name"]))
        lines.append(f"  {len(violations)} VIOLATIONS")
        for violation in violations:
            lines.append(f"    {violation}")
            lines.append("      villages: " + ", ".join(f"{village} {names.get(village, '?')}" for village in violation.villages))
    print("\n".join(lines))
    return 1 if violations else 0


def run_diff(args: argparse.Namespace, command: Command) -> int:
    from dataclasses import replace

    from .diff import diff
    from .read_plan import read_plan
    from .files import write_text

    check_lang(args.lang)
    if args.input:
        config, instance = read_inputs(args, command)
        old, new = (replace(read_plan(path, instance, config.rules), locks=config.locks) for path in (args.old_plan, args.new_plan))
    else:
        old, new = read_plan(args.old_plan), read_plan(args.new_plan)
    result = diff(old, new, metrics=bool(args.input))
    print(f"pairing diff {args.old_plan} -> {args.new_plan}\n{result.to_text(args.lang)}", flush=True)
    if args.html:
        write_text(args.html, result.to_html(args.lang, title=f"{Path(args.old_plan).name} -> {Path(args.new_plan).name}"))
        print(f"wrote {args.html}")
    return 0


def run_report(args: argparse.Namespace, command: Command) -> int:
    from .check import check
    from .write import write_plan_into

    check_lang(args.lang)
    plan = plan_and_instance(args, args.plan, command)
    out = Path(args.out) if args.out else Path(args.plan).parent
    output = open_output(out, ("report.html", "map.png"), args)
    with output:
        command.stops.next_phase()
        violations = check(plan)
        write_plan_into(output, plan, formats=("html", "png"), lang=args.lang, violations=violations, deadline=command.deadline())
    verdict = "the plan keeps every rule" if not violations else f"{len(violations)} VIOLATIONS (listed in the report)"
    print(f"pairing report {args.plan}: {verdict}\n{written_line(output)}")
    return 0


def run_check(args: argparse.Namespace, command: Command) -> int:
    from .diagnose import diagnose

    config, instance = read_inputs(args, command)
    report = diagnose(instance, config.rules, config.locks)
    lines = [
        f"pairing check {instance.source}",
        f"  {report['villages']:,} villages in {report['townships']} townships, {report['population']:,} people, "
        f"{report['weak']:,} weak, {report['can_lead']:,} may lead",
        f"  adjacency: {report['edges']:,} pairs ({report['tolerance_edges']:,} only within the snapping tolerance), "
        f"mean degree {report['mean_degree']}, {report['components']} connected parts",
        f"  isolated villages: {len(report['isolated'])}" + (f" ({', '.join(report['isolated'][:10])}{' ...' if len(report['isolated']) > 10 else ''})"
                                                           if report["isolated"] else ""),
        f"  candidate groups: {report['candidate_groups']:,}",
        f"  villages that can be in no group: {len(report['no_group']):,} ({report['weak_no_group']:,} of them weak)",
    ]
    names = dict(zip(instance.ids, instance.villages["name"]))
    lines += [f"    {village} {names[village]}: {reason}" for village, reason in report["no_group"].items()]
    print("\n".join(lines))
    return 0


def run_generate(args: argparse.Namespace, command: Command) -> int:
    from .errors import InputError
    from .files import write_villages
    from .synth import synthetic_county

    if args.villages < 3 or args.townships < 1 or args.townships * 3 > args.villages:
        raise InputError(f"cannot make {args.villages} villages in {args.townships} townships",
                         fix="give at least 3 villages per township (flags --villages and --townships)")
    path = write_villages(synthetic_county(args.villages, args.townships, args.seed), args.out)
    print(f"wrote {path}: {args.villages:,} villages in {args.townships} townships (seed {args.seed})")
    return 0


def run_resolve(args: argparse.Namespace, command: Command) -> int:
    from dataclasses import replace

    from .resolve import resolve
    from .id_pairs import read_renames
    from .read_plan import read_plan
    from .write import PLAN_FILES, REVISION_FILES, parse_formats

    formats = parse_formats(args.format)
    check_lang(args.lang)
    config, instance = read_inputs(args, command)
    weights = config.objective if args.stability is None else replace(config.objective, stability=args.stability)
    previous = read_plan(args.previous)
    renames = read_renames(args.renames) if args.renames else {}
    out = Path(args.out) if args.out else Path(f"revised-{Path(args.input).stem}")
    output = open_output(out, [*PLAN_FILES.values(), *REVISION_FILES], args)
    with output:
        started = time.perf_counter()
        revision = resolve(instance, previous, config.rules, renames=renames, locks=config.locks, weights=weights,
                           params=solver_params(config, args, command, writing_reserve(command, instance, formats)),
                           stop=command.stops.event)
        command.lap("solve", started)
        plan = revision.plan
        if plan.status in ("INFEASIBLE", "UNKNOWN"):
            return write_and_summarise(plan, output, formats, args.lang, command, title="pairing resolve")
        summary = revision.summary()
        lines = [f"\n  against {args.previous}: {summary['villages_changed']:,} villages changed assignment; previous groups: "
                 + ", ".join(f"{summary['groups_' + verdict]:,} {verdict}" for verdict in ("kept", "changed", "repaired", "dissolved")),
                 f"  villages new {len(revision.new):,}, gone {len(revision.gone):,}, renamed {len(revision.renamed):,}, merged {len(revision.merged):,}"]
        for row in revision.groups.itertuples():
            if row.verdict != "kept":
                lines.append(f"    {row.old_group} {row.verdict} ({row.villages_changed} villages changed): {row.reason}")
        return write_and_summarise(plan, output, formats, args.lang, command, revision, title="pairing resolve", after="\n".join(lines))


def run_alternatives(args: argparse.Namespace, command: Command) -> int:
    from .check import check
    from .alternatives import alternatives, compare_plans
    from .write import parse_formats, write_plan_into
    from .files import write_text, write_villages
    from .report.html import html_page, html_table

    formats = parse_formats(args.format)
    check_lang(args.lang)
    within, min_diff = share_flag(args.within, "--within"), share_flag(args.min_diff, "--min-diff")
    config, instance = read_inputs(args, command)
    out = Path(args.out) if args.out else Path(f"alternatives-{Path(args.input).stem}")
    earlier = [path.name for path in out.glob("alt-*")] if out.is_dir() else []
    output = open_output(out, ["alternatives.csv", "alternatives.html", *[f"alt-{k}" for k in range(1, args.k + 1)], *earlier], args)
    with output:
        started = time.perf_counter()
        plans = alternatives(instance, config.rules, args.k, within=within, min_diff=min_diff, locks=config.locks,
                             weights=config.objective, stop=command.stops.event,
                             params=solver_params(config, args, command, args.k * writing_reserve(command, instance, formats)))
        command.lap("solve", started)
        if plans[0].status in ("INFEASIBLE", "UNKNOWN"):
            return write_and_summarise(plans[0], output, formats, args.lang, command, title="pairing alternatives")
        stopped = command.stops.event.is_set()
        command.stops.next_phase()
        if stopped:
            output.skip_reason = "stopped"
        started = time.perf_counter()
        deadline = command.deadline(stopped)
        invalid = 0
        for position, plan in enumerate(plans, start=1):
            violations = check(plan)
            invalid += bool(violations)
            write_plan_into(output, plan, {"check": verdict(violations)}, formats=formats, lang=args.lang, violations=violations,
                            deadline=deadline, folder=f"alt-{position}")
        table = compare_plans(plans)
        title = f"{len(plans)} plans for {Path(args.input).name}, within {args.within} of the optimum, differing by {args.min_diff}"
        output.write("alternatives.csv", lambda path: write_villages(table, path))
        output.write("alternatives.html", lambda path: write_text(path, html_page(title, f"<h1>{title}</h1>"
                                                                                  + html_table(table, numbers=list(table.columns[2:8])))))
        output.commit()
        command.lap("write", started)
    print(f"pairing alternatives {instance.source}: {len(plans)} of {args.k} plans (within {args.within}, differing by at least {args.min_diff})")
    print(table[["plan", "status", "groups", "weak_grouped", "villages_grouped", "distance", "differs_from_first",
                 "differs_from_nearest", "violations"]].to_string(index=False))
    if len(plans) < args.k:
        print(f"  only {len(plans)}: no further plan meets the constraints, or none was found in time (--time-limit)")
    print(f"  wrote {out}/alt-1 .. alt-{len(plans)}, {out / 'alternatives.csv'}, {out / 'alternatives.html'}")
    print(time_line(command))
    return 1 if invalid else 0


def run_frontier(args: argparse.Namespace, command: Command) -> int:
    from io import BytesIO

    from .frontier import frontier
    from .report.frontier import frontier_figure
    from .files import write_villages

    config, instance = read_inputs(args, command)
    out = Path(args.out) if args.out else Path(f"frontier-{Path(args.input).stem}")
    output = open_output(out, ("frontier.csv", "frontier.png"), args)
    with output:
        started = time.perf_counter()
        curve = frontier(instance, config.rules, points=args.points, span=share_flag(args.span, "--span"), measure=args.measure,
                         locks=config.locks, weights=config.objective, params=solver_params(config, args, command, 1.0),
                         stop=command.stops.event)
        command.lap("solve", started)
        stopped = command.stops.event.is_set()
        command.stops.next_phase()
        if stopped:
            output.skip_reason = "stopped"
        started = time.perf_counter()

        def figure(path: Path) -> None:
            buffer = BytesIO()
            frontier_figure(curve, args.measure, instance.distance_unit()).savefig(buffer, format="png")
            path.write_bytes(buffer.getvalue())

        output.write("frontier.csv", lambda path: write_villages(curve, path))
        output.write("frontier.png", figure, command.deadline(stopped))
        output.commit()
        command.lap("write", started)
    print(f"pairing frontier {instance.source}: least {args.measure} for each target of weak villages grouped")
    print(curve.to_string(index=False))
    print(written_line(output))
    print(time_line(command))
    return 0


def run_batch(args: argparse.Namespace, command: Command) -> int:
    from .batch import batch
    from .progress import BatchDisplay

    check_lang(args.lang)
    started = time.perf_counter()
    with BatchDisplay() as display:
        table = batch(args.inputs, args.out, by=args.by, config=args.config, configs=args.configs, previous=args.previous,
                      renames=args.renames, time_limit=args.time_limit, workers=args.workers, scheduler=args.scheduler,
                      resume=args.resume, formats=args.format, lang=args.lang, stop=command.stops.event, progress=display.update)
    command.lap("batch", started)
    failed = table[table["error"] != ""]
    status = table["status"]
    gaps = pd.to_numeric(table["gap"], errors="coerce")
    grouped = pd.to_numeric(table["villages_grouped"], errors="coerce").sum()
    weak, weak_grouped = (pd.to_numeric(table[column], errors="coerce").sum() for column in ("weak", "weak_grouped"))
    worst = f" (worst gap {gaps.max():.2%})" if gaps.notna().any() else ""
    lines = [f"pairing batch: {len(table):,} counties, {int(table['villages'].sum()):,} villages",
             f"  {int((status == 'OPTIMAL').sum()):,} proven optimal, {int((status == 'FEASIBLE').sum()):,} not proven{worst}",
             f"  {len(failed):,} failed",
             f"  villages grouped {int(grouped):,}; weak villages grouped {int(weak_grouped):,} of {int(weak):,}",
             f"  re-solved {int((table['mode'] == 're-solved').sum()):,}, solved fresh {int((table['mode'] == 'solved').sum()):,}"]
    lines += [f"    {row.county} {row.county_name}: {row.error}" for row in failed.itertuples()]
    lines.append(f"  wrote {args.out}/<county>/, {args.out}/batch.csv, batch.xlsx, province.gpkg, report.html")
    lines.append(time_line(command))
    print("\n".join(lines))
    if command.stops.event.is_set():
        return 130
    return 1 if len(failed) else 0


COMMANDS = {"solve": run_solve, "check": run_check, "validate": run_validate, "diff": run_diff, "report": run_report,
            "generate": run_generate, "resolve": run_resolve, "alternatives": run_alternatives, "frontier": run_frontier,
            "batch": run_batch}
