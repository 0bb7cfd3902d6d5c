"""One run of a command: its clock and time limit, Ctrl-C and SIGTERM as stops,
and the steps every command shares (reading the inputs, the solver's share of
the time, writing the outputs as a set, the summary printed at the end)."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

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
    """The config and the village table, timed; locks checked against the table
    (an error names the config file)."""
    from .config import Config
    from .read import read_villages
    from .model.constraints import check_lock_ids

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


def input_paths(args: argparse.Namespace) -> list[str]:
    return [getattr(args, name, None) for name in ("input", "config", "edges", "add_edges", "previous", "renames", "plan")]


def solver_params(config, args: argparse.Namespace, command: Command, reserve: float = 0.0):
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


def written_line(output) -> str:
    lines = "  wrote " + (", ".join(str(path) for path in output.committed) or "nothing")
    if output.skipped:
        lines += "\n  skipped " + ", ".join(f"{name} ({why})" for name, why in output.skipped.items())
        if any(why == "time limit" for why in output.skipped.values()):
            lines += "; rebuild them with pairing report, or give more --time-limit"
    return lines


def time_line(command: Command) -> str:
    total = time.perf_counter() - command.started
    parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in command.timing.items())
    limit = f" of {command.time_limit:g} s" if command.time_limit else ""
    return f"  time {total:.1f} s{limit}: {parts}"


def open_output(folder: Path, owned, args: argparse.Namespace):
    from .outputs import OutputFolder

    return OutputFolder(folder, owned, input_paths(args)).open()


def write_and_summarise(plan, output, formats, lang: str, command: Command, revision=None, title: str = "pairing solve",
                        after: str = "") -> int:
    """Check the plan, write it (and a re-solve's changes) as one set, and print
    the summary; exit 3 when the locks cannot hold, 1 when the plan breaks a rule."""
    from .check import check
    from .write import write_solved_into

    command.stops.next_phase()
    started = time.perf_counter()
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
        print(summary_text(plan, violations, output, command, title) + after)
        raise
    command.lap("write", started)
    print(summary_text(plan, violations, output, command, title) + after)
    if plan.status == "INFEASIBLE":
        return 3
    return 1 if violations else 0


def summary_text(plan, violations, output, command: Command, title: str) -> str:
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
        metrics_line(metrics),
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
    lines.append(written_line(output))
    lines.append(time_line(command))
    return "\n".join(lines)


def metrics_line(metrics: dict) -> str:
    return (f"  groups {metrics['groups']:,}   villages grouped {metrics['villages_grouped']:,}/{metrics['villages']:,}   "
            f"weak grouped {metrics['weak_grouped']:,}/{metrics['weak']:,}   people grouped {metrics['population_grouped']:,}")


def plan_and_instance(args: argparse.Namespace, plan_path: str, command: Command):
    """The plan file read against the village table, under the config's rules and locks."""
    from dataclasses import replace

    from .read_plan import read_plan

    config, instance = read_inputs(args, command)
    plan = read_plan(plan_path, instance, config.rules)
    return replace(plan, locks=config.locks)
