"""The ``pairing`` command: a thin layer over the library.

Bad input ends in one line on stderr naming the file, row, column and fix, with
exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import replace
from io import BytesIO
from pathlib import Path

from . import __version__
from .check import check
from .config import Config
from .diagnose import diagnose
from .errors import InputError
from .io import PLAN_FILES, parse_formats, read_plan, read_villages, write_plan, write_text, write_villages
from .plan import Plan
from .solve import solve


def _add_input_options(parser: argparse.ArgumentParser, input_flag: bool = False) -> None:
    parser.add_argument("--input" if input_flag else "input", help="village table: GeoPackage, GeoJSON, Shapefile, CSV or XLSX")
    parser.add_argument("--config", help="TOML config: column mapping, strength, weak, graph, rules, solver")
    parser.add_argument("--edges", help="adjacency as a file of id pairs; replaces the computed graph")
    parser.add_argument("--add-edges", help="id pairs to add to the computed graph")
    parser.add_argument("--repair", action="store_true", help="repair invalid polygons with make_valid (the input file is not changed)")


def _add_solve_options(parser: argparse.ArgumentParser, default_out: str, time: str = "seconds for the whole solve (default 60)") -> None:
    parser.add_argument("--out", help=f"output folder (default {default_out})")
    parser.add_argument("--time-limit", type=float, help=time)
    parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")
    parser.add_argument("--format", default=",".join(PLAN_FILES),
                        help=f"outputs to write, comma-separated among {','.join(PLAN_FILES)} (default all)")
    _add_lang_option(parser)


def _add_lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="en", help="language of headers and labels: en (default) or zh")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pairing", description="Cross-village grouping (跨村联建) plans, solved exactly with CP-SAT.")
    parser.add_argument("--version", action="version", version=f"pairing {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    solve_parser = commands.add_parser("solve", help="propose a grouping plan and write it, checked")
    _add_input_options(solve_parser)
    _add_solve_options(solve_parser, "plan-<input stem>/")
    solve_parser.add_argument("--log", action="store_true", help="show CP-SAT's search log")

    check_parser = commands.add_parser("check", help="diagnose the data without solving")
    _add_input_options(check_parser)

    validate_parser = commands.add_parser("validate", help="check a (hand-edited) plan against the rules")
    validate_parser.add_argument("plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(validate_parser)

    diff_parser = commands.add_parser("diff", help="what changed between two plans")
    diff_parser.add_argument("old_plan", help="plan.csv, plan.xlsx or plan.gpkg")
    diff_parser.add_argument("new_plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(diff_parser, input_flag=True)
    diff_parser.add_argument("--html", help="also write the diff as an HTML page to this file")
    _add_lang_option(diff_parser)

    report_parser = commands.add_parser("report", help="rebuild report.html and map.png from a (hand-edited) plan")
    report_parser.add_argument("plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(report_parser)
    report_parser.add_argument("--out", help="output folder (default: the plan's folder)")
    _add_lang_option(report_parser)

    resolve_parser = commands.add_parser("resolve", help="re-solve for new village data, changing as little of a previous plan as possible")
    _add_input_options(resolve_parser)
    resolve_parser.add_argument("--previous", required=True, help="the previous plan: plan.csv, plan.xlsx or plan.gpkg")
    resolve_parser.add_argument("--renames", help="CSV/XLSX of old,new village ids")
    resolve_parser.add_argument("--stability", type=float, help="[objective] stability: villages grouped a changed village is worth (default 1; 0 re-solves from scratch)")
    _add_solve_options(resolve_parser, "revised-<input stem>/")

    alternatives_parser = commands.add_parser("alternatives", help="several good plans that differ from each other")
    _add_input_options(alternatives_parser)
    alternatives_parser.add_argument("-k", type=int, default=5, help="how many plans, the optimum included (default 5)")
    alternatives_parser.add_argument("--within", default="2%", help="how far each objective level may be from the optimum (default 2%%)")
    alternatives_parser.add_argument("--min-diff", default="10%", help="share of villages whose assignment must differ between any two plans (default 10%%)")
    _add_solve_options(alternatives_parser, "alternatives-<input stem>/", time="seconds for all the plans (default 60)")

    frontier_parser = commands.add_parser("frontier", help="the trade-off between weak villages grouped and compactness or groups")
    _add_input_options(frontier_parser)
    frontier_parser.add_argument("--points", type=int, default=5, help="targets of weak villages grouped (default 5)")
    frontier_parser.add_argument("--span", default="10%", help="how far below the most weak villages the targets reach (default 10%%)")
    frontier_parser.add_argument("--measure", default="distance", help="what to minimise at each target: distance (default) or groups")
    frontier_parser.add_argument("--out", help="output folder (default frontier-<input stem>/)")
    frontier_parser.add_argument("--time-limit", type=float, help="seconds for the whole frontier (default 60)")
    frontier_parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    frontier_parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")

    generate_parser = commands.add_parser("generate", help="write a synthetic county of any size")
    generate_parser.add_argument("--villages", type=int, required=True)
    generate_parser.add_argument("--townships", type=int, required=True)
    generate_parser.add_argument("--seed", type=int, default=0)
    generate_parser.add_argument("--out", required=True, help="GPKG, GeoJSON, CSV or XLSX file")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        # Warnings meant for the user (an output skipped, a name drawn as its id) as one line each.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            code = COMMANDS[args.command](args)
        for warning in caught:
            if issubclass(warning.category, UserWarning):
                print(f"pairing: warning: {warning.message}", file=sys.stderr)
        return code
    except InputError as error:
        print(f"pairing: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pairing: interrupted before the search started; nothing was written", file=sys.stderr)
        return 130


def _config_and_instance(args: argparse.Namespace):
    config = Config.from_toml(args.config) if args.config else Config()
    instance = read_villages(args.input, config, edges=args.edges, add_edges=args.add_edges, repair=args.repair)
    return config, instance


def run_solve(args: argparse.Namespace) -> int:
    formats = parse_formats(args.format)
    _check_lang(args.lang)
    config, instance = _config_and_instance(args)
    params = replace(_solver_params(config, args), log=args.log or config.solver.log)
    plan = solve(instance, config.rules, locks=config.locks, weights=config.objective, params=params)
    out = Path(args.out) if args.out else Path(f"plan-{Path(args.input).stem}")
    if plan.status == "INFEASIBLE":
        written = write_plan(plan, out, formats=["json"])
        print(_solve_summary(plan, [], written))
        return 3
    violations, written = _write_checked(plan, out, formats, args.lang)
    print(_solve_summary(plan, violations, written))
    return 1 if violations else 0


def _solve_summary(plan: Plan, violations, written) -> str:
    metrics = plan.metrics()
    instance = plan.instance
    enumeration = plan.stages[0] if plan.stages else {}
    proof = {"OPTIMAL": "proven optimal", "INFEASIBLE": "the locks cannot all hold"}.get(
        plan.status, f"not proven optimal, gap {plan.gap:.2%}" if plan.gap is not None else "not proven optimal")
    lines = [
        f"pairing solve {instance.source}",
        f"  {instance.n:,} villages in {len(set(instance.township))} townships, {instance.graph.number_of_edges():,} adjacent pairs, "
        f"{enumeration.get('candidates', 0):,} candidate groups",
        f"  rules: {plan.rules.group_size[0]}-{plan.rules.group_size[1]} villages, {plan.rules.group_population[0]:,}-"
        f"{plan.rules.group_population[1]:,} people, {plan.rules.contiguity}, "
        f"{'same township' if plan.rules.same_township else 'across townships'}",
        f"  status {plan.status} ({proof}) in {plan.solve_seconds:.1f} s, seed {plan.seed}, {plan.workers} workers",
        _metrics_line(metrics),
    ]
    searched = None
    for stage in plan.stages[1:]:
        bound = "" if stage["bound"] in (None, stage["value"]) else f" (bound {stage['bound']:,})"
        value = "-" if stage["value"] is None else f"{stage['value']:,}"
        seconds = "same search" if stage.get("search") == searched else f"{stage['seconds']:.1f} s"
        searched = stage.get("search")
        lines.append(f"    {stage['objective']:<17} {value}{bound}  {stage['status']}  {seconds}")
    if plan.conflicts:
        lines.append("  conflicting locks (change or remove one):")
        lines += [f"    {conflict}" for conflict in plan.conflicts]
    else:
        lines.append("  checker: the plan keeps every rule" if not violations
                     else f"  checker: {len(violations)} VIOLATIONS\n" + "\n".join(f"    {v}" for v in violations))
    lines.append("  wrote " + ", ".join(str(path) for path in written))
    return "\n".join(lines)


def _metrics_line(metrics: dict) -> str:
    return (f"  groups {metrics['groups']:,}   villages grouped {metrics['villages_grouped']:,}/{metrics['villages']:,}   "
            f"weak grouped {metrics['weak_grouped']:,}/{metrics['weak']:,}   people grouped {metrics['population_grouped']:,}")


def _check_lang(lang: str) -> None:
    from .report import label

    label("title", lang)  # an unknown language is an InputError, before any work


def _plan_and_instance(args: argparse.Namespace, plan_path: str):
    """The plan file read against the village table, under the config's rules and locks."""
    config, instance = _config_and_instance(args)
    plan = read_plan(plan_path, instance, config.rules)
    return replace(plan, locks=config.locks)


def run_validate(args: argparse.Namespace) -> int:
    plan = _plan_and_instance(args, args.plan)
    violations = check(plan)
    metrics = plan.metrics()
    lines = [f"pairing validate {args.plan} against {plan.instance.source}", _metrics_line(metrics),
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


def run_diff(args: argparse.Namespace) -> int:
    from .compare import diff

    _check_lang(args.lang)
    if args.input:
        config, instance = _config_and_instance(args)
        old, new = (replace(read_plan(path, instance, config.rules), locks=config.locks) for path in (args.old_plan, args.new_plan))
    else:
        old, new = read_plan(args.old_plan), read_plan(args.new_plan)
    result = diff(old, new, metrics=bool(args.input))
    print(f"pairing diff {args.old_plan} -> {args.new_plan}\n{result.to_text(args.lang)}")
    if args.html:
        write_text(args.html, result.to_html(args.lang, title=f"{Path(args.old_plan).name} -> {Path(args.new_plan).name}"))
        print(f"wrote {args.html}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    _check_lang(args.lang)
    plan = _plan_and_instance(args, args.plan)
    out = Path(args.out) if args.out else Path(args.plan).parent
    written = write_plan(plan, out, formats=("html", "png"), lang=args.lang)
    violations = check(plan)
    verdict = "the plan keeps every rule" if not violations else f"{len(violations)} VIOLATIONS (listed in the report)"
    print(f"pairing report {args.plan}: {verdict}\n  wrote " + ", ".join(str(path) for path in written))
    return 0


def run_check(args: argparse.Namespace) -> int:
    config, instance = _config_and_instance(args)
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


def run_generate(args: argparse.Namespace) -> int:
    from .synth import synthetic_county

    if args.villages < 3 or args.townships < 1 or args.townships * 3 > args.villages:
        raise InputError(f"cannot make {args.villages} villages in {args.townships} townships",
                         fix="give at least 3 villages per township", column="--villages")
    path = write_villages(synthetic_county(args.villages, args.townships, args.seed), args.out)
    print(f"wrote {path}: {args.villages:,} villages in {args.townships} townships (seed {args.seed})")
    return 0


def _share(text: str, option: str) -> float:
    """``"2%"`` or ``"0.02"`` as 0.02."""
    try:
        return float(text[:-1]) / 100 if text.strip().endswith("%") else float(text)
    except ValueError:
        raise InputError(f"{option} {text!r} is not a share", fix=f"write e.g. {option} 2% or {option} 0.02", column=option) from None


def _solver_params(config: Config, args: argparse.Namespace):
    overrides = {"time_limit": args.time_limit, "workers": args.workers, "seed": args.seed}
    return replace(config.solver, **{k: v for k, v in overrides.items() if v is not None})


def _write_checked(plan: Plan, out: Path, formats, lang: str, extra: dict | None = None):
    """Check a plan and write it with the verdict in summary.json."""
    violations = check(plan)
    written = write_plan(plan, out, extra={"check": {"valid": not violations, "violations": [str(v) for v in violations]}, **(extra or {})},
                         formats=formats, lang=lang)
    return violations, written


def run_resolve(args: argparse.Namespace) -> int:
    from .explore import resolve
    from .io import read_renames

    formats = parse_formats(args.format)
    _check_lang(args.lang)
    config, instance = _config_and_instance(args)
    weights = config.objective if args.stability is None else replace(config.objective, stability=args.stability)
    previous = read_plan(args.previous)
    renames = read_renames(args.renames) if args.renames else {}
    revision = resolve(instance, previous, config.rules, renames=renames, locks=config.locks, weights=weights,
                       params=_solver_params(config, args))
    plan = revision.plan
    out = Path(args.out) if args.out else Path(f"revised-{Path(args.input).stem}")
    if plan.status == "INFEASIBLE":
        print(_solve_summary(plan, [], write_plan(plan, out, formats=["json"])))
        return 3
    violations, written = _write_checked(plan, out, formats, args.lang, {"revision": revision.summary()})
    written.append(write_villages(revision.changes, out / "changes.csv"))
    written.append(write_villages(revision.groups, out / "group_changes.csv"))
    summary = revision.summary()
    lines = [_solve_summary(plan, violations, written).replace("pairing solve", "pairing resolve", 1),
             f"  against {args.previous}: {summary['villages_changed']:,} villages changed assignment; previous groups: "
             + ", ".join(f"{summary['groups_' + verdict]:,} {verdict}" for verdict in ("kept", "changed", "repaired", "dissolved")),
             f"  villages new {len(revision.new):,}, gone {len(revision.gone):,}, renamed {len(revision.renamed):,}, merged {len(revision.merged):,}"]
    for row in revision.groups.itertuples():
        if row.verdict != "kept":
            lines.append(f"    {row.old_group} {row.verdict} ({row.villages_changed} villages changed): {row.reason}")
    print("\n".join(lines))
    return 1 if violations else 0


def run_alternatives(args: argparse.Namespace) -> int:
    from .explore import alternatives, compare_plans
    from .report import html_page, html_table

    formats = parse_formats(args.format)
    _check_lang(args.lang)
    config, instance = _config_and_instance(args)
    plans = alternatives(instance, config.rules, args.k, within=_share(args.within, "--within"), min_diff=_share(args.min_diff, "--min-diff"),
                         locks=config.locks, weights=config.objective, params=_solver_params(config, args))
    out = Path(args.out) if args.out else Path(f"alternatives-{Path(args.input).stem}")
    if plans[0].status == "INFEASIBLE":
        print(_solve_summary(plans[0], [], write_plan(plans[0], out, formats=["json"])))
        return 3
    invalid = 0
    for position, plan in enumerate(plans, start=1):
        violations, _ = _write_checked(plan, out / f"alt-{position}", formats, args.lang)
        invalid += bool(violations)
    table = compare_plans(plans)
    write_villages(table, out / "alternatives.csv")
    title = f"{len(plans)} plans for {Path(args.input).name}, within {args.within} of the optimum, differing by {args.min_diff}"
    write_text(out / "alternatives.html", html_page(title, f"<h1>{title}</h1>" + html_table(table, numbers=list(table.columns[2:8]))))
    print(f"pairing alternatives {instance.source}: {len(plans)} of {args.k} plans (within {args.within}, differing by at least {args.min_diff})")
    print(table[["plan", "status", "groups", "weak_grouped", "villages_grouped", "distance", "differs_from_first",
                 "differs_from_nearest", "violations"]].to_string(index=False))
    if len(plans) < args.k:
        print(f"  only {len(plans)}: no further plan meets the constraints, or none was found in time (--time-limit)")
    print(f"  wrote {out}/alt-1 .. alt-{len(plans)}, {out / 'alternatives.csv'}, {out / 'alternatives.html'}")
    return 1 if invalid else 0


def run_frontier(args: argparse.Namespace) -> int:
    from .explore import frontier, frontier_figure
    from .io import write_bytes

    config, instance = _config_and_instance(args)
    curve = frontier(instance, config.rules, points=args.points, span=_share(args.span, "--span"), measure=args.measure,
                     locks=config.locks, weights=config.objective, params=_solver_params(config, args))
    out = Path(args.out) if args.out else Path(f"frontier-{Path(args.input).stem}")
    buffer = BytesIO()
    frontier_figure(curve, args.measure, instance.distance_unit()).savefig(buffer, format="png")
    written = [write_bytes(out / "frontier.png", buffer.getvalue()), write_villages(curve, out / "frontier.csv")]
    print(f"pairing frontier {instance.source}: least {args.measure} for each target of weak villages grouped")
    print(curve.to_string(index=False))
    print("  wrote " + ", ".join(str(path) for path in written))
    return 0


COMMANDS = {"solve": run_solve, "check": run_check, "validate": run_validate, "diff": run_diff, "report": run_report,
            "generate": run_generate, "resolve": run_resolve, "alternatives": run_alternatives, "frontier": run_frontier}

if __name__ == "__main__":
    sys.exit(main())
