"""The ``pairing`` command: a thin layer over the library.

Bad input ends in one line on stderr per problem, naming the file, row, column
and fix, with exit code 2; never a traceback. Ctrl-C and SIGTERM are turned into
stops here (the library only takes a ``stop`` event): the first during a search
ends it and the best plan is written; the first during writing skips the files
not yet written; one more ends the command at once, writing nothing.

Only the standard library is imported at start, so that a Ctrl-C while the
scientific libraries load is a stop like any other.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Output formats of a plan, in the order ``--format`` lists them.
FORMATS = ("csv", "json", "gpkg", "xlsx", "html", "png")
#: At most this many problems of one input are printed; a count stands for the rest.
PROBLEMS_SHOWN = 20
#: Seconds kept at the end of a command's time for the summary and the move of the files into place.
FINISHING_SECONDS = 0.5
#: Seconds the files may take once a stop ended the search: the quick ones are
#: written, a slow one (a large map) is skipped and said to be.
WRITING_AFTER_A_STOP = 0.5


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    from importlib import metadata

    parser = _Parser(prog="pairing", description="Cross-village grouping (跨村联建) plans, solved exactly with CP-SAT.")
    parser.add_argument("--version", action="version", version=f"pairing {metadata.version('pairing')}")
    talk = _Parser(add_help=False)
    loudness = talk.add_mutually_exclusive_group()
    loudness.add_argument("-v", "--verbose", action="store_true", help="say what is being done, step by step, on stderr")
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, parents=[talk])

    solve_parser = command("solve", "propose a grouping plan and write it, checked")
    _add_input_options(solve_parser)
    _add_solve_options(solve_parser, "plan-<input stem>/")
    solve_parser.add_argument("--log", action="store_true", help="show CP-SAT's search log")

    check_parser = command("check", "diagnose the data without solving")
    _add_input_options(check_parser)

    validate_parser = command("validate", "check a (hand-edited) plan against the rules")
    validate_parser.add_argument("plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(validate_parser)

    diff_parser = command("diff", "what changed between two plans")
    diff_parser.add_argument("old_plan", help="plan.csv, plan.xlsx or plan.gpkg")
    diff_parser.add_argument("new_plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(diff_parser, input_flag=True)
    diff_parser.add_argument("--html", help="also write the diff as an HTML page to this file")
    _add_lang_option(diff_parser)

    report_parser = command("report", "rebuild report.html and map.png from a (hand-edited) plan")
    report_parser.add_argument("plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(report_parser)
    report_parser.add_argument("--out", help="output folder (default: the plan's folder)")
    _add_lang_option(report_parser)

    resolve_parser = command("resolve", "re-solve for new village data, changing as little of a previous plan as possible")
    _add_input_options(resolve_parser)
    resolve_parser.add_argument("--previous", required=True, help="the previous plan: plan.csv, plan.xlsx or plan.gpkg")
    resolve_parser.add_argument("--renames", help="CSV/XLSX of old,new village ids")
    resolve_parser.add_argument("--stability", type=float, help="[objective] stability: villages grouped a changed village is worth (default 1; 0 re-solves from scratch)")
    _add_solve_options(resolve_parser, "revised-<input stem>/")

    alternatives_parser = command("alternatives", "several good plans that differ from each other")
    _add_input_options(alternatives_parser)
    alternatives_parser.add_argument("-k", type=int, default=5, help="how many plans, the optimum included (default 5)")
    alternatives_parser.add_argument("--within", default="2%", help="how far each objective level may be from the optimum (default 2%%)")
    alternatives_parser.add_argument("--min-diff", default="10%", help="share of villages whose assignment must differ between any two plans (default 10%%)")
    _add_solve_options(alternatives_parser, "alternatives-<input stem>/", time="seconds for the whole command, all the plans (default 60)")

    frontier_parser = command("frontier", "the trade-off between weak villages grouped and compactness or groups")
    _add_input_options(frontier_parser)
    frontier_parser.add_argument("--points", type=int, default=5, help="targets of weak villages grouped (default 5)")
    frontier_parser.add_argument("--span", default="10%", help="how far below the most weak villages the targets reach (default 10%%)")
    frontier_parser.add_argument("--measure", default="distance", help="what to minimise at each target: distance (default) or groups")
    frontier_parser.add_argument("--out", help="output folder (default frontier-<input stem>/)")
    frontier_parser.add_argument("--time-limit", type=float, help="seconds for the whole command (default 60)")
    frontier_parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    frontier_parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")

    generate_parser = command("generate", "write a synthetic county of any size")
    generate_parser.add_argument("--villages", type=int, required=True)
    generate_parser.add_argument("--townships", type=int, required=True)
    generate_parser.add_argument("--seed", type=int, default=0)
    generate_parser.add_argument("--out", required=True, help="GPKG, GeoJSON, CSV or XLSX file")
    return parser


def _add_input_options(parser: argparse.ArgumentParser, input_flag: bool = False) -> None:
    parser.add_argument("--input" if input_flag else "input", help="village table: GeoPackage, GeoJSON, Shapefile, CSV or XLSX")
    parser.add_argument("--config", help="TOML config: column mapping, strength, weak, graph, rules, solver")
    parser.add_argument("--edges", help="adjacency as a file of id pairs; replaces the computed graph")
    parser.add_argument("--add-edges", help="id pairs to add to the computed graph")
    parser.add_argument("--repair", action="store_true", help="repair invalid polygons with make_valid (the input file is not changed)")


def _add_solve_options(parser: argparse.ArgumentParser, default_out: str,
                       time: str = "seconds for the whole command: reading, solving and writing (default 60)") -> None:
    parser.add_argument("--out", help=f"output folder (default {default_out})")
    parser.add_argument("--time-limit", type=float, help=time)
    parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")
    parser.add_argument("--format", default=",".join(FORMATS), help=f"outputs to write, comma-separated among {','.join(FORMATS)} (default all)")
    _add_lang_option(parser)


def _add_lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="en", help="language of headers and labels: en (default) or zh")


class Stops:
    """Ctrl-C and SIGTERM as stop events, one per phase of a command: the first
    signal of a phase sets its event; a signal when it is already set ends the
    command at once (KeyboardInterrupt), and nothing is written."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.received: list[str] = []

    def next_phase(self) -> threading.Event:
        """A fresh event for the next phase (a stop of the search does not skip the writing)."""
        if not self.event.is_set():
            return self.event
        self.event = threading.Event()
        return self.event

    def handle(self, number: int, frame) -> None:
        if self.event.is_set():
            raise KeyboardInterrupt
        self.received.append(signal.Signals(number).name)
        self.event.set()

    def install(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {number: signal.signal(number, self.handle) for number in (signal.SIGINT, signal.SIGTERM)}


@dataclass
class Command:
    """One run of a command: its clock, its stops and how its time was spent."""

    stops: Stops
    started: float = field(default_factory=time.perf_counter)
    time_limit: float | None = None
    timing: dict[str, float] = field(default_factory=dict)

    def lap(self, name: str, since: float) -> None:
        self.timing[name] = round(self.timing.get(name, 0.0) + time.perf_counter() - since, 3)

    def deadline(self, stopped: bool = False):
        """The whole command's deadline, stopped by this phase's signal; after a
        stop (``stopped``), no more than :data:`WRITING_AFTER_A_STOP` from now."""
        from .deadline import Deadline

        at = self.started + (self.time_limit or 1e9) - FINISHING_SECONDS
        if stopped:
            at = min(at, time.perf_counter() + WRITING_AFTER_A_STOP)
        return Deadline(at, self.stops.event)

    def interrupted_before_work(self) -> None:
        if self.stops.event.is_set():
            raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    stops = Stops()
    previous = stops.install()
    try:
        args = build_parser().parse_args(argv)
        return _run(args, Command(stops))
    except KeyboardInterrupt:
        print("pairing: interrupted; nothing was written", file=sys.stderr)
        return 130
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def console() -> None:
    """The ``pairing`` console script: :func:`main`, then exit. A file skipped at
    the deadline may still be drawing in its thread, inside a C++ library; ending
    the interpreter normally then would run C++ destructors under it (and abort),
    so the process ends at once instead, its output flushed."""
    code = main()
    if any(thread.is_alive() and thread.daemon and thread.name.startswith("pairing-") for thread in threading.enumerate()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _run(args: argparse.Namespace, command: Command) -> int:
    import logging
    import warnings

    from .errors import InputError

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("pairing: %(message)s"))
    library = logging.getLogger("pairing")
    library.addHandler(handler)
    library.setLevel(logging.INFO if args.verbose else logging.WARNING)
    quiet = open(os.devnull, "w") if args.quiet else None
    try:
        # Warnings meant for the user (an output skipped, a name drawn as its id) as one line each.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                with contextlib.redirect_stdout(quiet) if quiet else contextlib.nullcontext():
                    return COMMANDS[args.command](args, command)
            finally:
                for warning in caught:
                    if issubclass(warning.category, UserWarning):
                        print(f"pairing: warning: {warning.message}", file=sys.stderr)
    except InputError as error:
        problems = error.problems()
        for problem in problems[:PROBLEMS_SHOWN]:
            print(f"pairing: {problem}", file=sys.stderr)
        if len(problems) > PROBLEMS_SHOWN:
            print(f"pairing: ... and {len(problems) - PROBLEMS_SHOWN:,} more problems", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (`pairing diff ... | head`): nothing more to say.
        sys.stderr.close()
        return 0
    finally:
        library.removeHandler(handler)
        if quiet:
            quiet.close()


# -- shared steps of the commands -------------------------------------------------------------
def _read(args: argparse.Namespace, command: Command):
    """The config and the village table, timed; locks checked against the table
    (an error names the config file)."""
    from .config import Config
    from .io import read_villages
    from .model.locks import check_lock_ids

    from .errors import InputError

    started = time.perf_counter()
    config = Config.from_toml(args.config) if args.config else Config()
    if hasattr(args, "time_limit"):
        command.time_limit = args.time_limit if args.time_limit is not None else config.solver.time_limit
    instance = read_villages(args.input, config, edges=args.edges, add_edges=args.add_edges, repair=args.repair)
    try:
        check_lock_ids(instance, config.locks)
    except InputError as error:
        raise error.in_file(args.config) if args.config else error
    command.lap("read", started)
    command.interrupted_before_work()
    return config, instance


def _inputs(args: argparse.Namespace) -> list[str]:
    return [getattr(args, name, None) for name in ("input", "config", "edges", "add_edges", "previous", "renames", "plan")]


def _solver_params(config, args: argparse.Namespace, command: Command, reserve: float = 0.0):
    """The config's solver parameters with the command-line flags, and the time
    left for the search: the command's limit less what reading took and what
    writing is likely to need."""
    from .errors import InputError

    for flag in ("workers", "seed"):
        try:
            config.solver.with_overrides(**{flag: getattr(args, flag)})
        except InputError as error:
            raise InputError(error.problem, fix=error.fix.replace(f"{flag} = ", f"--{flag} "), column=f"--{flag}") from None
    elapsed = time.perf_counter() - command.started
    seconds = max(0.5, (command.time_limit or config.solver.time_limit) - elapsed - reserve)
    return config.solver.with_overrides(time_limit=seconds, workers=args.workers, seed=args.seed)


def _writing_reserve(command: Command, instance, formats) -> float:
    """Seconds kept for writing out of the command's time: the writers' estimate,
    at most a quarter of the limit."""
    from .io import writing_estimate

    return min(writing_estimate(instance.n, formats), 0.25 * (command.time_limit or 60.0))


def _check_lang(lang: str) -> None:
    from .report import label

    label("title", lang)  # an unknown language is an InputError, before any work


def _share(text: str, flag: str) -> float:
    """``"2%"`` or ``"0.02"`` as 0.02."""
    from .errors import InputError

    try:
        return float(text[:-1]) / 100 if text.strip().endswith("%") else float(text)
    except ValueError:
        raise InputError(f"flag {flag} {text!r} is not a share", fix=f"write e.g. {flag} 2% or {flag} 0.02") from None


def _verdict(violations) -> dict:
    return {"valid": not violations, "violations": [str(v) for v in violations]}


def _written_line(output) -> str:
    lines = "  wrote " + (", ".join(str(path) for path in output.committed) or "nothing")
    if output.skipped:
        lines += "\n  skipped " + ", ".join(f"{name} ({why})" for name, why in output.skipped.items())
        if any(why == "time limit" for why in output.skipped.values()):
            lines += "; rebuild them with pairing report, or give more --time-limit"
    return lines


def _time_line(command: Command) -> str:
    total = time.perf_counter() - command.started
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in command.timing.items())
    limit = f" of {command.time_limit:g} s" if command.time_limit else ""
    return f"  time {total:.1f} s{limit}: {parts}"


def _output(folder: Path, owned, args: argparse.Namespace):
    from .outputs import OutputFolder

    return OutputFolder(folder, owned, _inputs(args)).open()


# -- the commands -----------------------------------------------------------------------------
def run_solve(args: argparse.Namespace, command: Command) -> int:
    from .io import PLAN_FILES, parse_formats

    formats = parse_formats(args.format)
    _check_lang(args.lang)
    config, instance = _read(args, command)
    out = Path(args.out) if args.out else Path(f"plan-{Path(args.input).stem}")
    output = _output(out, PLAN_FILES.values(), args)
    with output:
        from .solve import solve

        params = _solver_params(config, args, command, _writing_reserve(command, instance, formats))
        started = time.perf_counter()
        plan = solve(instance, config.rules, locks=config.locks, weights=config.objective,
                     params=params.with_overrides(log=args.log or config.solver.log or None), stop=command.stops.event)
        command.lap("solve", started)
        return _write_and_summarise(plan, output, formats, args.lang, command)


def _write_and_summarise(plan, output, formats, lang: str, command: Command, extra: dict | None = None,
                         also=(), title: str = "pairing solve", after: str = "") -> int:
    """Check the plan, write it (and ``also``: (name, producer) pairs) as one set,
    and print the summary; exit 3 when the locks cannot hold, 1 when the plan
    breaks a rule."""
    from .check import check
    from .io import write_plan_into

    command.stops.next_phase()
    started = time.perf_counter()
    violations = [] if plan.status in ("INFEASIBLE", "UNKNOWN") and not plan.groups else check(plan)
    command.lap("check", started)
    started = time.perf_counter()
    account = {"check": _verdict(violations), "timing": command.timing, **(extra or {})}
    if plan.stopped:
        output.skip_reason = "stopped"
    try:
        if plan.status == "INFEASIBLE":
            write_plan_into(output, plan, account, formats=["json"])
        else:
            for name, produce in also:
                output.write(name, produce, command.deadline(plan.stopped))
            write_plan_into(output, plan, account, formats=formats, lang=lang, violations=violations,
                            deadline=command.deadline(plan.stopped))
        output.commit()
    except BaseException:
        output.discard()
        command.lap("write", started)
        print(_summary(plan, violations, output, command, title) + after)
        raise
    command.lap("write", started)
    print(_summary(plan, violations, output, command, title) + after)
    if plan.status == "INFEASIBLE":
        return 3
    return 1 if violations else 0


def _summary(plan, violations, output, command: Command, title: str) -> str:
    metrics = plan.metrics()
    instance = plan.instance
    enumeration = plan.stages[0] if plan.stages else {}
    detail = plan.stages[-1].get("detail", "no plan was found") if plan.stages else "no plan was found"
    proof = {"OPTIMAL": "proven optimal", "INFEASIBLE": "the locks cannot all hold", "UNKNOWN": detail}.get(
        plan.status, f"not proven optimal, gap {plan.gap:.2%}" if plan.gap is not None else "not proven optimal")
    stopped = f", stopped by {' and '.join(command.stops.received) or 'a stop'}" if plan.stopped else ""
    lines = [
        f"{title} {instance.source}",
        f"  {instance.n:,} villages in {len(set(instance.township))} townships, {instance.graph.number_of_edges():,} adjacent pairs, "
        f"{enumeration.get('candidates', 0):,} candidate groups",
        f"  rules: {plan.rules.group_size[0]}-{plan.rules.group_size[1]} villages, {plan.rules.group_population[0]:,}-"
        f"{plan.rules.group_population[1]:,} people, {plan.rules.contiguity}, "
        f"{'same township' if plan.rules.same_township else 'across townships'}",
        f"  status {plan.status} ({proof}{stopped}) in {plan.solve_seconds:.1f} s, seed {plan.seed}, {plan.workers} workers",
        _metrics_line(metrics),
    ]
    searched = None
    for stage in plan.stages[1:]:
        if "value" not in stage:
            lines.append(f"    {stage['objective']:<17} {stage['status']}  {stage.get('detail', '')}")
            continue
        unit = f" {stage['unit']}" if stage.get("unit") else ""
        bound = "" if stage["bound"] in (None, stage["value"]) else f" (bound {stage['bound']:,})"
        value = "-" if stage["value"] is None else f"{stage['value']:,}"
        seconds = "same search" if stage.get("search") == searched else f"{stage['seconds']:.1f} s"
        searched = stage.get("search")
        lines.append(f"    {stage['objective']:<17} {value}{unit}{bound}  {stage['status']}  {seconds}")
    if plan.conflicts:
        lines.append("  conflicting locks (change or remove one):")
        lines += [f"    {conflict}" for conflict in plan.conflicts]
    elif plan.groups or plan.status != "UNKNOWN":
        lines.append("  checker: the plan keeps every rule" if not violations
                     else f"  checker: {len(violations)} VIOLATIONS\n" + "\n".join(f"    {v}" for v in violations))
    lines.append(_written_line(output))
    lines.append(_time_line(command))
    return "\n".join(lines)


def _metrics_line(metrics: dict) -> str:
    return (f"  groups {metrics['groups']:,}   villages grouped {metrics['villages_grouped']:,}/{metrics['villages']:,}   "
            f"weak grouped {metrics['weak_grouped']:,}/{metrics['weak']:,}   people grouped {metrics['population_grouped']:,}")


def _plan_and_instance(args: argparse.Namespace, plan_path: str, command: Command):
    """The plan file read against the village table, under the config's rules and locks."""
    from dataclasses import replace

    from .io import read_plan

    config, instance = _read(args, command)
    plan = read_plan(plan_path, instance, config.rules)
    return replace(plan, locks=config.locks)


def run_validate(args: argparse.Namespace, command: Command) -> int:
    from .check import check

    plan = _plan_and_instance(args, args.plan, command)
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


def run_diff(args: argparse.Namespace, command: Command) -> int:
    from dataclasses import replace

    from .compare import diff
    from .io import read_plan, write_text

    _check_lang(args.lang)
    if args.input:
        config, instance = _read(args, command)
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
    from .io import write_plan_into

    _check_lang(args.lang)
    plan = _plan_and_instance(args, args.plan, command)
    out = Path(args.out) if args.out else Path(args.plan).parent
    output = _output(out, ("report.html", "map.png"), args)
    with output:
        command.stops.next_phase()
        violations = check(plan)
        write_plan_into(output, plan, formats=("html", "png"), lang=args.lang, violations=violations, deadline=command.deadline())
    verdict = "the plan keeps every rule" if not violations else f"{len(violations)} VIOLATIONS (listed in the report)"
    print(f"pairing report {args.plan}: {verdict}\n{_written_line(output)}")
    return 0


def run_check(args: argparse.Namespace, command: Command) -> int:
    from .diagnose import diagnose

    config, instance = _read(args, command)
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
    from .io import write_villages
    from .synth import synthetic_county

    if args.villages < 3 or args.townships < 1 or args.townships * 3 > args.villages:
        raise InputError(f"cannot make {args.villages} villages in {args.townships} townships",
                         fix="give at least 3 villages per township (flags --villages and --townships)")
    path = write_villages(synthetic_county(args.villages, args.townships, args.seed), args.out)
    print(f"wrote {path}: {args.villages:,} villages in {args.townships} townships (seed {args.seed})")
    return 0


def run_resolve(args: argparse.Namespace, command: Command) -> int:
    from dataclasses import replace

    from .explore import resolve
    from .io import PLAN_FILES, parse_formats, read_plan, read_renames, write_villages

    formats = parse_formats(args.format)
    _check_lang(args.lang)
    config, instance = _read(args, command)
    weights = config.objective if args.stability is None else replace(config.objective, stability=args.stability)
    previous = read_plan(args.previous)
    renames = read_renames(args.renames) if args.renames else {}
    out = Path(args.out) if args.out else Path(f"revised-{Path(args.input).stem}")
    output = _output(out, [*PLAN_FILES.values(), "changes.csv", "group_changes.csv"], args)
    with output:
        started = time.perf_counter()
        revision = resolve(instance, previous, config.rules, renames=renames, locks=config.locks, weights=weights,
                           params=_solver_params(config, args, command, _writing_reserve(command, instance, formats)),
                           stop=command.stops.event)
        command.lap("solve", started)
        plan = revision.plan
        if plan.status in ("INFEASIBLE", "UNKNOWN"):
            return _write_and_summarise(plan, output, formats, args.lang, command, title="pairing resolve")
        summary = revision.summary()
        lines = [f"\n  against {args.previous}: {summary['villages_changed']:,} villages changed assignment; previous groups: "
                 + ", ".join(f"{summary['groups_' + verdict]:,} {verdict}" for verdict in ("kept", "changed", "repaired", "dissolved")),
                 f"  villages new {len(revision.new):,}, gone {len(revision.gone):,}, renamed {len(revision.renamed):,}, merged {len(revision.merged):,}"]
        for row in revision.groups.itertuples():
            if row.verdict != "kept":
                lines.append(f"    {row.old_group} {row.verdict} ({row.villages_changed} villages changed): {row.reason}")
        also = [("changes.csv", lambda path: write_villages(revision.changes, path)),
                ("group_changes.csv", lambda path: write_villages(revision.groups, path))]
        return _write_and_summarise(plan, output, formats, args.lang, command, {"revision": summary}, also,
                                    title="pairing resolve", after="\n".join(lines))


def run_alternatives(args: argparse.Namespace, command: Command) -> int:
    from .check import check
    from .explore import alternatives, compare_plans
    from .io import parse_formats, write_plan_into, write_text, write_villages
    from .report import html_page, html_table

    formats = parse_formats(args.format)
    _check_lang(args.lang)
    within, min_diff = _share(args.within, "--within"), _share(args.min_diff, "--min-diff")
    config, instance = _read(args, command)
    out = Path(args.out) if args.out else Path(f"alternatives-{Path(args.input).stem}")
    earlier = [path.name for path in out.glob("alt-*")] if out.is_dir() else []
    output = _output(out, ["alternatives.csv", "alternatives.html", *[f"alt-{k}" for k in range(1, args.k + 1)], *earlier], args)
    with output:
        started = time.perf_counter()
        plans = alternatives(instance, config.rules, args.k, within=within, min_diff=min_diff, locks=config.locks,
                             weights=config.objective, stop=command.stops.event,
                             params=_solver_params(config, args, command, args.k * _writing_reserve(command, instance, formats)))
        command.lap("solve", started)
        if plans[0].status in ("INFEASIBLE", "UNKNOWN"):
            return _write_and_summarise(plans[0], output, formats, args.lang, command, title="pairing alternatives")
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
            write_plan_into(output, plan, {"check": _verdict(violations)}, formats=formats, lang=args.lang, violations=violations,
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
    print(_time_line(command))
    return 1 if invalid else 0


def run_frontier(args: argparse.Namespace, command: Command) -> int:
    from io import BytesIO

    from .explore import frontier, frontier_figure
    from .io import write_villages

    config, instance = _read(args, command)
    out = Path(args.out) if args.out else Path(f"frontier-{Path(args.input).stem}")
    output = _output(out, ("frontier.csv", "frontier.png"), args)
    with output:
        started = time.perf_counter()
        curve = frontier(instance, config.rules, points=args.points, span=_share(args.span, "--span"), measure=args.measure,
                         locks=config.locks, weights=config.objective, params=_solver_params(config, args, command, 1.0),
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
    print(_written_line(output))
    print(_time_line(command))
    return 0


COMMANDS = {"solve": run_solve, "check": run_check, "validate": run_validate, "diff": run_diff, "report": run_report,
            "generate": run_generate, "resolve": run_resolve, "alternatives": run_alternatives, "frontier": run_frontier}

if __name__ == "__main__":
    console()
