"""One run of a command: its clock and time limit, Ctrl-C and SIGTERM as stops,
and the steps every command shares (reading the inputs, the solver's share of
the time, writing the outputs as a set, the summary printed at the end, in the words of :mod:`pairing.console`)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: Seconds kept at the end of a command's time for the summary and the move of the files into place.
FINISHING_SECONDS = 0.5
#: Seconds the files may take once a stop ended the search: the quick ones are
#: written, a slow one (a large map) is skipped and said to be.
WRITING_AFTER_A_STOP = 0.5


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
    #: Whether progress is shown (a terminal, not ``--quiet``), and the display showing it.
    progress: bool = False
    display: object | None = None

    def end_progress(self) -> None:
        """Take the progress display off the terminal, before the summary is printed."""
        if self.display is not None:
            self.display.stop()

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


def read_inputs(args: argparse.Namespace, command: Command):
    """The config and the village table, timed; the flags checked before the
    table is read; locks checked against the table (an error names the config
    file)."""
    from .config import Config
    from .read import read_villages
    from .model.constraints import check_lock_ids

    from .errors import InputError

    started = time.perf_counter()
    config = Config.from_toml(args.config) if args.config else Config()
    check_flags(args, config)
    if hasattr(args, "time_limit"):
        command.time_limit = args.time_limit if args.time_limit is not None else config.solver.time_limit
    log.info("reading %s", args.input)
    instance = read_villages(args.input, config, edges=args.edges, add_edges=args.add_edges, repair=args.repair)
    try:
        check_lock_ids(instance, config.locks)
    except InputError as error:
        raise error.in_file(args.config) if args.config else error
    command.lap("read", started)
    command.interrupted_before_work()
    return config, instance


def input_paths(args: argparse.Namespace) -> list[str]:
    return [getattr(args, name, None) for name in ("input", "config", "edges", "add_edges", "previous", "renames", "plan")]


#: Command-line flags of the solver's parameters, by the ``[solver]`` key they override.
SOLVER_FLAGS = {"time_limit": "--time-limit", "workers": "--workers", "seed": "--seed"}


def check_flags(args: argparse.Namespace, config=None) -> None:
    """The solver's flags (``--time-limit``, ``--workers``, ``--seed``) checked as
    the config's keys are, each error naming its flag."""
    from .rules import SolverParams

    params = config.solver if config is not None else SolverParams()
    for key, flag in SOLVER_FLAGS.items():
        if getattr(args, key, None) is not None:
            with flag_errors({f"solver.{key}": flag, key: flag}):
                params.with_overrides(**{key: getattr(args, key)})


@contextlib.contextmanager
def flag_errors(flags: dict[str, str]):
    """An :class:`InputError` about one of ``flags``' keys (a config key or a
    library argument, such as ``k``) raised as one about its command-line flag:
    ``column k`` becomes ``flag -k``, and the fix names the flag."""
    from .errors import InputError

    try:
        yield
    except InputError as error:
        flag = flags.get(error.column)
        if flag is None:
            raise
        name = error.column.rpartition(".")[2]
        raise InputError(error.problem, fix=error.fix.replace(f"{name} = ", f"{flag} "), column=flag) from None


def solver_params(config, args: argparse.Namespace, command: Command, reserve: float = 0.0):
    """The config's solver parameters with the command-line flags, and the time
    left for the search: the command's limit less what reading took and what
    writing is likely to need."""
    check_flags(args, config)
    elapsed = time.perf_counter() - command.started
    seconds = max(0.5, (command.time_limit or config.solver.time_limit) - elapsed - reserve)
    return config.solver.with_overrides(time_limit=seconds, workers=args.workers, seed=args.seed)


def writing_reserve(command: Command, instance, formats) -> float:
    """Seconds kept for writing out of the command's time: the writers' estimate,
    at most a quarter of the limit."""
    from .write import writing_estimate

    return min(writing_estimate(instance.n, formats), 0.25 * (command.time_limit or 60.0))


def share_flag(text: str, flag: str) -> float:
    """``"2%"`` or ``"0.02"`` as 0.02."""
    from .errors import InputError

    try:
        return float(text[:-1]) / 100 if text.strip().endswith("%") else float(text)
    except ValueError:
        raise InputError(f"flag {flag} {text!r} is not a share", fix=f"write e.g. {flag} 2% or {flag} 0.02") from None


def verdict(violations) -> dict:
    return {"valid": not violations, "violations": [str(v) for v in violations]}


def say(*lines: str) -> None:
    """Print lines on stdout at once: stdout is block-buffered in a pipe, and the
    reader should not wait for the end of the command to see them."""
    print("\n".join(lines), flush=True)


def say_header(title: str, instance, lang: str = "en") -> None:
    from .console import header_lines

    say(*header_lines(title, instance, lang))


def open_output(folder: Path, owned, args: argparse.Namespace):
    from .outputs import OutputFolder

    return OutputFolder(folder, owned, input_paths(args)).open()


def write_and_summarise(plan, output, formats, lang: str, command: Command, revision=None, after: str = "") -> int:
    """Check the plan, write it (and a re-solve's changes) as one set, and print
    the summary (the header was printed when the data were read); exit 3 when
    the locks cannot hold, 1 when the plan breaks a rule."""
    from .check import check
    from .console import summary_text
    from .write import write_solved_into

    command.stops.next_phase()
    started = time.perf_counter()
    log.info("checking the plan")
    violations = [] if plan.status in ("INFEASIBLE", "UNKNOWN") and not plan.groups else check(plan)
    command.lap("check", started)
    started = time.perf_counter()
    if plan.stopped:
        output.skip_reason = "stopped"
    try:
        write_solved_into(output, plan, revision=revision, extra={"timing": command.timing}, formats=formats, lang=lang,
                          deadline=command.deadline(plan.stopped), violations=violations)
        output.commit()
    except BaseException:
        output.discard()
        command.lap("write", started)
        command.end_progress()
        say(summary_text(plan, violations, output, command, lang) + after)
        raise
    command.lap("write", started)
    command.end_progress()
    say(summary_text(plan, violations, output, command, lang) + after)
    if plan.status == "INFEASIBLE":
        return 3
    return 1 if violations else 0

def plan_and_instance(args: argparse.Namespace, plan_path: str, command: Command):
    """The plan file read against the village table, under the config's rules and locks."""
    from dataclasses import replace

    from .read_plan import read_plan

    config, instance = read_inputs(args, command)
    plan = read_plan(plan_path, instance, config.rules)
    return replace(plan, locks=config.locks)
