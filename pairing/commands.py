"""The commands of ``pairing``, one function each: read, call the library, write
the outputs as one set, print a summary. The command line imports this module
once its signal handlers are in place; each command imports the rest of what it
needs when it runs."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from .command import (Command, check_flags, flag_errors, log, open_output, plan_and_instance, read_inputs, say, say_header, share_flag,
                      solver_params, verdict, write_and_summarise, writing_reserve)
from .console import amount, metrics_line, table_text, time_line, words, written_line
from .tables import violation_text
from .labels import LABELS, check_lang

# -- the commands -----------------------------------------------------------------------------
def run_solve(args: argparse.Namespace, command: Command) -> int:
    from .write import PLAN_FILES, parse_formats

    formats = parse_formats(args.format)
    check_lang(args.lang)
    config, instance = read_inputs(args, command)
    out = Path(args.out) if args.out else Path(f"plan-{Path(args.input).stem}")
    output = open_output(out, PLAN_FILES.values(), args)
    say_header("pairing solve", instance, args.lang)
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

    lang = args.lang
    check_lang(lang)
    plan = plan_and_instance(args, args.plan, command)
    say(words("validate", lang, plan=args.plan, input=plan.instance.source))
    log.info("checking the plan")
    violations = check(plan)
    metrics = plan.metrics()
    command.end_progress()
    lines = [metrics_line(metrics, lang), "  " + words("distance", lang, distance=amount(metrics["distance"], metrics["distance_unit"], lang))]
    if not violations:
        lines.append("  " + words("keeps", lang))
    else:
        names = dict(zip(plan.instance.ids, plan.instance.villages["name"]))
        lines.append("  " + words("violations", lang, count=len(violations)))
        for violation in violations:
            lines.append(f"    {violation_text(violation, lang)}")
            lines.append("      " + words("villages_of", lang, villages=", ".join(f"{village} {names.get(village, '?')}"
                                                                                  for village in violation.villages)))
    say(*lines)
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
        from .report.display import diff_html

        make_folder_of(args.html, "--html")
        write_text(args.html, diff_html(result, args.lang, title=f"{Path(args.old_plan).name} -> {Path(args.new_plan).name}"))
        print(f"wrote {args.html}")
    return 0


def make_folder_of(path: str, flag: str) -> None:
    """The folder of a file a flag names, made when missing (an error names the flag)."""
    from .errors import InputError

    folder = Path(path).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocking = next((parent for parent in (folder, *folder.parents) if parent.is_file()), None)
        if blocking is not None:
            raise InputError(f"{path} would be under {blocking}, which is a file", fix="give a file in a folder", column=flag) from None
        raise InputError(f"cannot make the folder {folder}: {error.strerror or error}", fix="give a file in a folder that can be written",
                         column=flag) from None


def run_report(args: argparse.Namespace, command: Command) -> int:
    from .check import check
    from .write import write_plan_into

    lang = args.lang
    check_lang(lang)
    plan = plan_and_instance(args, args.plan, command)
    out = Path(args.out) if args.out else Path(args.plan).parent
    output = open_output(out, ("report.html", "map.png"), args)
    with output:
        command.stops.next_phase()
        log.info("checking the plan")
        violations = check(plan)
        write_plan_into(output, plan, formats=("html", "png"), lang=lang, violations=violations, deadline=command.deadline())
    command.end_progress()
    verdict = words("keeps", lang) if not violations else words("listed", lang, count=len(violations))
    say(words("report", lang, plan=args.plan, verdict=verdict), written_line(output, lang))
    return 0


def run_check(args: argparse.Namespace, command: Command) -> int:
    from .diagnose import diagnose

    lang = args.lang
    check_lang(lang)
    config, instance = read_inputs(args, command)
    say(f"pairing check {instance.source}")
    log.info("listing candidate groups, and why villages fit none")
    report = diagnose(instance, config.rules, config.locks)
    command.end_progress()
    isolated = report["isolated"]
    lines = [
        "  " + words("check_data", lang, villages=report["villages"], townships=report["townships"], people=report["population"],
                     weak=report["weak"], leads=report["can_lead"]),
        "  " + words("adjacency", lang, edges=report["edges"], tolerance=report["tolerance_edges"], degree=report["mean_degree"],
                     parts=report["components"]),
        "  " + words("isolated", lang, count=len(isolated)) + (f" ({', '.join(isolated[:10])}{' ...' if len(isolated) > 10 else ''})"
                                                                if isolated else ""),
        "  " + words("candidates", lang, count=report["candidate_groups"]),
        "  " + words("no_group", lang, count=len(report["no_group"]), weak=report["weak_no_group"]),
    ]
    if report.get("note"):
        lines.append("  " + words("note", lang, note=report["note"]))
    names = dict(zip(instance.ids, instance.villages["name"]))
    lines += [f"    {village} {names[village]}: {reason}" for village, reason in report["no_group"].items()]
    say(*lines)
    return 0


def run_generate(args: argparse.Namespace, command: Command) -> int:
    from .errors import InputError
    from .files import write_villages
    from .synth import synthetic_county
    from .synth.family import family_named

    if args.villages < 3 or args.townships < 1 or args.townships * 3 > args.villages:
        raise InputError(f"cannot make {args.villages} villages in {args.townships} townships",
                         fix="give at least 3 villages per township (flags --villages and --townships)")
    traits = {name: getattr(args, name) for name in ("layout", "background_share", "population_median", "population_sigma",
                                                     "weak_share", "weak_noise", "lead_share")}
    traits["population_clip"] = tuple(args.population_clip) if args.population_clip else None
    traits["weak_may_lead"] = None if args.weak_may_lead is None else args.weak_may_lead == "yes"
    with flag_errors({"family": "--family", **{name: "--" + name.replace("_", "-") for name in traits}}):
        family = family_named(args.family).with_overrides(**traits)
    path = write_villages(synthetic_county(args.villages, args.townships, args.seed, family=family), args.out)
    say(f"wrote {path}: {args.villages:,} villages in {args.townships} townships ({args.family} family, seed {args.seed})")
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
    say_header("pairing resolve", instance, args.lang)
    with output:
        started = time.perf_counter()
        with flag_errors({"objective.stability": "--stability"} if args.stability is not None else {}):
            revision = resolve(instance, previous, config.rules, renames=renames, locks=config.locks, weights=weights,
                               params=solver_params(config, args, command, writing_reserve(command, instance, formats)),
                               stop=command.stops.event)
        command.lap("solve", started)
        plan = revision.plan
        if plan.status in ("INFEASIBLE", "UNKNOWN"):
            return write_and_summarise(plan, output, formats, args.lang, command)
        return write_and_summarise(plan, output, formats, args.lang, command, revision, after="\n" + revision_text(revision, args))


def revision_text(revision, args: argparse.Namespace) -> str:
    """What a re-solve changed, after its summary: villages and previous groups."""
    lang, summary = args.lang, revision.summary()
    lines = ["  " + words("against", lang, previous=args.previous, changed=summary["villages_changed"], kept=summary["groups_kept"],
                                changed_groups=summary["groups_changed"], repaired=summary["groups_repaired"],
                                dissolved=summary["groups_dissolved"]),
             "  " + words("revision_villages", lang, new=len(revision.new), gone=len(revision.gone), renamed=len(revision.renamed),
                          merged=len(revision.merged))]
    for row in revision.groups.itertuples():
        if row.verdict != "kept":
            verdict = words(f"verdict:{row.verdict}", lang) if f"console:verdict:{row.verdict}" in LABELS else row.verdict
            lines.append("    " + words("group_change", lang, group=row.old_group, verdict=verdict, count=row.villages_changed,
                                        reason=row.reason))
    return "\n".join(lines)


def run_alternatives(args: argparse.Namespace, command: Command) -> int:
    from .check import check
    from .alternatives import alternatives, compare_plans, comparison_sheet
    from .write import parse_formats, write_plan_into
    from .files import write_text, write_villages
    from .report.html import html_page, html_table

    formats = parse_formats(args.format)
    check_lang(args.lang)
    within, min_diff = share_flag(args.within, "--within"), share_flag(args.min_diff, "--min-diff")
    if args.k < 1:
        from .errors import InputError

        raise InputError(f"-k {args.k} is below 1", fix="ask for 1 or more plans: -k 5", column="-k")
    config, instance = read_inputs(args, command)
    out = Path(args.out) if args.out else Path(f"alternatives-{Path(args.input).stem}")
    earlier = [path.name for path in out.glob("alt-*")] if out.is_dir() else []
    output = open_output(out, ["alternatives.csv", "alternatives.html", *[f"alt-{k}" for k in range(1, args.k + 1)], *earlier], args)
    say_header("pairing alternatives", instance, args.lang)
    with output:
        started = time.perf_counter()
        with flag_errors({"k": "-k", "within": "--within", "min_diff": "--min-diff"}):
            plans = alternatives(instance, config.rules, args.k, within=within, min_diff=min_diff, locks=config.locks,
                                 weights=config.objective, stop=command.stops.event,
                                 params=solver_params(config, args, command, args.k * writing_reserve(command, instance, formats)))
        command.lap("solve", started)
        if plans[0].status in ("INFEASIBLE", "UNKNOWN"):
            return write_and_summarise(plans[0], output, formats, args.lang, command)
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
        sheet = comparison_sheet(table, args.lang)
        output.write("alternatives.csv", lambda path: write_villages(sheet, path))
        # Twelve columns of figures fit an A4 page across, not down.
        output.write("alternatives.html", lambda path: write_text(path, html_page(title, "<style>@page { size: A4 landscape; }</style>"
                                                                                  f"<h1>{title}</h1>" + html_table(sheet, numbers=list(sheet.columns[2:])),
                                                                                  args.lang)))
        output.commit()
        command.lap("write", started)
    command.end_progress()
    lang = args.lang
    shown = [column for column in ("plan", "status", "groups", "weak_grouped", "villages_grouped", "distance", "differs_from_first",
                                   "differs_from_nearest", "violations") if column in table.columns]
    metres = instance.distance_unit() == "m"
    lines = ["  " + words("alternatives", lang, found=len(plans), k=args.k, within=args.within, min_diff=args.min_diff),
             table_text(table[shown], lang, shares=[column for column in shown if column.startswith("differs_")],
                        km=["distance"] if metres else [])]
    if len(plans) < args.k:
        lines.append("  " + words("only", lang, found=len(plans)))
    lines.append("  " + words("wrote", lang, files=f"{out}/alt-1 .. alt-{len(plans)}, {out / 'alternatives.csv'}, {out / 'alternatives.html'}"))
    lines.append(time_line(command, lang))
    say(*lines)
    return 1 if invalid else 0


def run_frontier(args: argparse.Namespace, command: Command) -> int:
    from io import BytesIO

    from .frontier import frontier
    from .report.frontier import frontier_figure
    from .files import write_villages

    lang = args.lang
    check_lang(lang)
    span = share_flag(args.span, "--span")
    config, instance = read_inputs(args, command)
    out = Path(args.out) if args.out else Path(f"frontier-{Path(args.input).stem}")
    output = open_output(out, ("frontier.csv", "frontier.png"), args)
    say_header("pairing frontier", instance, lang)
    with output:
        started = time.perf_counter()
        with flag_errors({"points": "--points", "span": "--span", "measure": "--measure"}):
            curve = frontier(instance, config.rules, points=args.points, span=span, measure=args.measure,
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
    command.end_progress()
    measure = words(f"level:{args.measure}", lang) if f"console:level:{args.measure}" in LABELS else args.measure
    km = [column for column in ("distance", *(["bound"] if args.measure == "distance" else [])) if column in curve.columns]
    say("  " + words("frontier", lang, measure=measure),
        table_text(curve, lang, km=km if instance.distance_unit() == "m" else []),
        written_line(output, lang), time_line(command, lang))
    return 0


def run_batch(args: argparse.Namespace, command: Command) -> int:
    from .batch import batch
    from .progress import BatchDisplay
    from .rules import SolverParams

    check_lang(args.lang)
    check_flags(args)
    if args.threads is not None:  # CP-SAT's workers, per county
        with flag_errors({"solver.workers": "--threads", "workers": "--threads"}):
            SolverParams().with_overrides(workers=args.threads)
    started = time.perf_counter()
    log.info("reading the counties")
    with BatchDisplay(enabled=command.progress) as display:
        table = batch(args.inputs, args.out, by=args.by, config=args.config, configs=args.configs, previous=args.previous,
                      renames=args.renames, time_limit=args.time_limit, workers=args.workers, threads=args.threads, scheduler=args.scheduler,
                      resume=args.resume, formats=args.format, lang=args.lang, stop=command.stops.event, progress=display.update)
    command.lap("batch", started)
    command.end_progress()
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
