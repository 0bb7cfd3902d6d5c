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

from .command import Command, Stops

#: Output formats of a plan, in the order ``--format`` lists them.
FORMATS = ("csv", "json", "gpkg", "xlsx", "html", "png")
#: At most this many problems of one input are printed; a count stands for the rest.
PROBLEMS_SHOWN = 20


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

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=description or help, parents=[talk])

    solve_parser = command("solve", "propose a grouping plan and write it, checked")
    _add_input_options(solve_parser)
    _add_solve_options(solve_parser, "plan-<input stem>/")
    solve_parser.add_argument("--log", action="store_true", help="show CP-SAT's search log")

    check_parser = command("check", "diagnose the data without solving")
    _add_input_options(check_parser)
    _add_lang_option(check_parser)

    validate_parser = command("validate", "check a (hand-edited) plan against the rules")
    validate_parser.add_argument("plan", help="plan.csv, plan.xlsx or plan.gpkg")
    _add_input_options(validate_parser)
    _add_lang_option(validate_parser)

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
    _add_solve_options(alternatives_parser, "alternatives-<input stem>/", time_help="seconds for the whole command, all the plans (default 60)")

    frontier_parser = command("frontier", "the trade-off between weak villages grouped and compactness or groups")
    _add_input_options(frontier_parser)
    frontier_parser.add_argument("--points", type=int, default=5, help="targets of weak villages grouped (default 5)")
    frontier_parser.add_argument("--span", default="10%", help="how far below the most weak villages the targets reach (default 10%%)")
    frontier_parser.add_argument("--measure", default="distance", help="what to minimise at each target: distance (default) or groups")
    frontier_parser.add_argument("--out", help="output folder (default frontier-<input stem>/)")
    frontier_parser.add_argument("--time-limit", type=float, help="seconds for the whole command (default 60)")
    frontier_parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    frontier_parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")
    _add_lang_option(frontier_parser)

    batch_parser = command("batch", "solve (or re-solve) every county of a province, on Dask")
    batch_parser.add_argument("inputs", nargs="+", metavar="INPUT", help="village files, one per county, folders of them, or files of many counties (with --by)")
    batch_parser.add_argument("--out", required=True, help="the batch's folder: a folder per county, and the province's files")
    batch_parser.add_argument("--by", help="the column that splits a file into counties, e.g. county_code")
    batch_parser.add_argument("--config", help="TOML config for every county")
    batch_parser.add_argument("--configs", help="folder of <county>.toml that override --config county by county")
    batch_parser.add_argument("--previous", help="a previous batch's folder: re-solve each county against its plan there")
    batch_parser.add_argument("--renames", help="CSV/XLSX of old,new village ids, for the re-solve")
    batch_parser.add_argument("--time-limit", type=float, help="seconds per county (default: by its size, 5-60)")
    batch_parser.add_argument("--workers", type=int, help="worker processes of the local cluster (default one per core)")
    batch_parser.add_argument("--threads", type=int, help="CP-SAT threads per county (default: the cores per worker process)")
    batch_parser.add_argument("--scheduler", help="address of an existing Dask scheduler, e.g. tcp://host:8786")
    batch_parser.add_argument("--resume", action="store_true", help="skip the counties already done, from the same data")
    batch_parser.add_argument("--format", default="csv,json,gpkg,xlsx", help="what each county's folder gets (default csv,json,gpkg,xlsx)")
    _add_lang_option(batch_parser)

    assign_parser = command("assign", "send helpers (cadres of county units) to the villages or groups that need them, checked")
    _add_input_options(assign_parser)
    assign_parser.add_argument("--helpers", required=True, help="helpers table (CSV/XLSX): helper_id, name, unit, role, skills, home or lon/lat, previous")
    assign_parser.add_argument("--units", help="units table (CSV/XLSX): unit_id, name, kind, skills, capacity, villages")
    assign_parser.add_argument("--plan", help="a grouping plan (plan.csv, plan.xlsx or plan.gpkg): first secretaries go to its groups")
    assign_parser.add_argument("--previous", help="last year's assignment.csv: the pairings to keep")
    assign_parser.add_argument("--out", help="output folder (default assign-<input stem>/)")
    assign_parser.add_argument("--time-limit", type=float, help="seconds for the whole command (default 60)")
    assign_parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    assign_parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")
    _add_lang_option(assign_parser)

    generate_parser = command("generate", "write a synthetic county of any size",
                              description="Write a synthetic county: village polygons with names, townships, population, "
                                          "indicators, strength and weak flags, in the columns pairing reads, ready for "
                                          "pairing solve.")
    generate_parser.add_argument("--villages", type=int, required=True, metavar="N", help="how many villages (at least 3 per township)")
    generate_parser.add_argument("--townships", type=int, required=True, metavar="T", help="how many townships the villages are split into")
    generate_parser.add_argument("--seed", type=int, default=0, metavar="S",
                                 help="random seed: the same seed gives the same county (default 0)")
    generate_parser.add_argument("--out", required=True, metavar="FILE",
                                 help="the file to write, its format by its suffix: .gpkg, .geojson, .csv or .xlsx")
    generate_parser.add_argument("--family", default="even", metavar="NAME",
                                 help="the kind of county: even (default), clustered, hilly or plains; the flags below change one "
                                      "trait of it")
    traits = generate_parser.add_argument_group("traits of the family (each overrides the family's own)")
    traits.add_argument("--layout", choices=("even", "clustered"), help="even villages, or villages crowded around township seats")
    traits.add_argument("--background-share", type=float, metavar="S", help="clustered: share of villages spread uniformly (e.g. 0.3)")
    traits.add_argument("--population-median", type=float, metavar="P", help="median people of a village (lognormal, e.g. 490)")
    traits.add_argument("--population-sigma", type=float, metavar="S", help="log-sd of the population (e.g. 0.6)")
    traits.add_argument("--population-clip", type=int, nargs=2, metavar=("LOW", "HIGH"), help="fewest and most people of a village")
    traits.add_argument("--weak-share", type=float, metavar="S", help="share of villages that are weak, the least strong (e.g. 0.4)")
    traits.add_argument("--weak-noise", type=float, metavar="S", help="noise on strength when choosing the weak ones (e.g. 0.1)")
    traits.add_argument("--weak-may-lead", choices=("yes", "no"), help="whether a weak village may lead a group")
    traits.add_argument("--lead-share", type=float, metavar="S", help="leads come from the strongest this share (e.g. 0.3)")
    return parser


def _add_input_options(parser: argparse.ArgumentParser, input_flag: bool = False) -> None:
    parser.add_argument("--input" if input_flag else "input", help="village table: GeoPackage, GeoJSON, Shapefile, CSV or XLSX")
    parser.add_argument("--config", help="TOML config: column mapping, strength, weak, graph, rules, solver")
    parser.add_argument("--edges", help="adjacency as a file of id pairs; replaces the computed graph")
    parser.add_argument("--add-edges", help="id pairs to add to the computed graph")
    parser.add_argument("--repair", action="store_true", help="repair invalid polygons with make_valid (the input file is not changed)")


def _add_solve_options(parser: argparse.ArgumentParser, default_out: str,
                       time_help: str = "seconds for the whole command: reading, solving and writing (default 60)") -> None:
    parser.add_argument("--out", help=f"output folder (default {default_out})")
    parser.add_argument("--time-limit", type=float, help=time_help)
    parser.add_argument("--workers", type=int, help="CP-SAT worker threads (default 2)")
    parser.add_argument("--seed", type=int, help="CP-SAT random seed (default 0)")
    parser.add_argument("--format", default=",".join(FORMATS), help=f"outputs to write, comma-separated among {','.join(FORMATS)} (default all)")
    _add_lang_option(parser)


def _add_lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="en", help="language of headers and labels: en (default) or zh")


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
    _flush_stdout()
    if any(thread.is_alive() and thread.daemon and thread.name.startswith("pairing-") for thread in threading.enumerate()):
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _flush_stdout() -> None:
    """Flush stdout; when its reader went away (``pairing diff ... | head``), point
    it at /dev/null, so that Python's own flush at exit does not complain."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()


def _stdout_to_devnull() -> None:
    """The standard recipe for a closed pipe: stdout's descriptor onto /dev/null."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout has no descriptor (a test's capture)
        pass


class _Stderr:
    """Whatever ``sys.stderr`` is when a line is written: the progress display
    replaces it while it runs, to print lines above itself."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


#: Commands that can run longer than a couple of seconds: they show progress on a terminal.
SHOW_PROGRESS = ("solve", "resolve", "alternatives", "frontier", "batch", "check", "report", "validate")


def _run(args: argparse.Namespace, command: Command) -> int:
    import logging
    import warnings

    from .assign_command import run_assign
    from .commands import COMMANDS
    from .errors import InputError

    handler = logging.StreamHandler(_Stderr())
    handler.setFormatter(logging.Formatter("pairing: %(message)s"))
    handler.setLevel(logging.INFO if args.verbose else logging.WARNING)
    library = logging.getLogger("pairing")
    library.addHandler(handler)
    # On a terminal, the progress display takes every record (DEBUG: the searches' progress).
    # (Not with --log: CP-SAT writes its log straight to the terminal.)
    command.progress = args.command in SHOW_PROGRESS and not args.quiet and not getattr(args, "log", False) and sys.stderr.isatty()
    library.setLevel(logging.DEBUG if command.progress else logging.INFO if args.verbose else logging.WARNING)
    quiet = open(os.devnull, "w") if args.quiet else None
    try:
        # Warnings meant for the user (an output skipped, a name drawn as its id) as one line each.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            try:
                with contextlib.redirect_stdout(quiet) if quiet else contextlib.nullcontext(), _display(args, command):
                    return {**COMMANDS, "assign": run_assign}[args.command](args, command)
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
        _stdout_to_devnull()
        return 0
    finally:
        library.removeHandler(handler)
        if quiet:
            quiet.close()


@contextlib.contextmanager
def _display(args: argparse.Namespace, command: Command):
    """The progress display on the terminal while the command runs (the batch
    has its own, a bar by villages)."""
    if not command.progress or args.command == "batch":
        yield
        return
    from .progress import ConsoleDisplay

    display = ConsoleDisplay(started=command.started, time_limit=lambda: command.time_limit)
    command.display = display
    with display:
        yield


if __name__ == "__main__":
    console()
