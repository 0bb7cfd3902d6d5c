"""Progress on a terminal while long commands work, with ``rich``; nothing at
all when the output is not a terminal (a pipe, a file, CI).

The library knows nothing of it: it logs its phases (``log.info``) and, during a
CP-SAT search, the best value and bound so far (``log.debug`` records carrying
``extra={"progress": {...}}``, see :class:`pairing.model.cpsat.SearchProgress`)
under the ``pairing`` logger. The displays here are :class:`logging.Handler`
objects that the command line attaches to that logger, and that turn those
records into a status line: the phase, the searches running and their time
left, and the command's time.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .batch.run import BatchProgress

#: A search not heard of for this many seconds has ended (its end was not logged).
STALE_SECONDS = 2.0
#: At most this many searches running side by side are shown.
SEARCHES_SHOWN = 4


def _ratio(value: float, bound: float) -> float:
    return abs(bound - value) / max(1.0, abs(bound), abs(value))


def search_text(progress: dict, left: float | None) -> str:
    """One running search, as the status line shows it: its level, how far its
    best plan is from its bound, its time left and its size.

    Examples
    --------
    >>> search_text({"objective": "weak_grouped", "candidates": 3512, "value": 431.0, "bound": 433.0}, 12.2)
    'weak villages grouped: 431, bound 433 · 12 s left · 3,512 candidates'
    >>> search_text({"objective": "villages_grouped+distance", "candidates": 10485, "value": 5.0e7, "bound": 5.1e7}, None)
    'villages grouped + distance: 2.0% from the bound · 10,485 candidates'
    """
    from .console import level_name, percent

    value, bound = progress.get("value"), progress.get("bound")
    if progress.get("question"):
        state = "can every weak village some group covers be grouped?"
    elif value is None:
        state = "no plan yet"
    elif bound is None:
        state = f"{value:,.0f}"
    elif "+" in progress["objective"]:
        # The merged objective's numbers mean nothing to a planner; how far apart they are does.
        state = f"{percent(_ratio(value, bound))} from the bound"
    else:
        state = f"{value:,.0f}, bound {bound:,.0f}"
    parts = [f"{level_name(progress['objective'], 'en')}: {state}", *([] if left is None else [f"{left:.0f} s left"]),
             f"{progress.get('candidates', 0):,} candidates"]
    return " · ".join(parts)


class ConsoleDisplay(logging.Handler):
    """A command's progress on the terminal ``stream``: a spinner with the phase
    (the last INFO record of the ``pairing`` logger) and the command's time, and
    below it each CP-SAT search running, with its best value and bound so far
    and its time left. It is transient: gone once it stops, leaving only what
    the command printed.

    ``time_limit`` gives the command's limit once it is known (after the config
    is read). Lines printed to stdout while it runs appear above it when stdout
    is the terminal too."""

    def __init__(self, stream=None, started: float | None = None, time_limit: Callable[[], float | None] = lambda: None):
        super().__init__(logging.DEBUG)
        self.stream = stream or sys.stderr
        self.started = time.perf_counter() if started is None else started
        self.time_limit = time_limit
        self.phase = "starting"
        self.searches: dict[int, tuple[dict, float]] = {}
        self.guard = threading.Lock()
        self.live = None

    # -- records -----------------------------------------------------------------------
    def emit(self, record: logging.LogRecord) -> None:
        progress = getattr(record, "progress", None)
        with self.guard:
            if progress is not None:
                if progress.get("done"):
                    self.searches.pop(record.thread, None)
                else:
                    self.searches[record.thread] = (progress, record.created)
            elif logging.INFO <= record.levelno < logging.WARNING:
                try:
                    self.phase = record.getMessage()
                except Exception:  # a record that cannot be formatted shows no phase
                    pass

    # -- drawing -----------------------------------------------------------------------
    def lines(self, now: float | None = None) -> list[str]:
        """What the display shows under its spinner: the phase and the time, then the searches."""
        wall = time.time() if now is None else now
        elapsed = time.perf_counter() - self.started
        limit = self.time_limit()
        clock = f"{elapsed:.0f} s" + (f" of {limit:g} s" if limit else "")
        with self.guard:
            for thread in [thread for thread, (_, heard) in self.searches.items() if wall - heard > STALE_SECONDS]:
                del self.searches[thread]
            running = sorted(self.searches.values(), key=lambda item: -item[1])[:SEARCHES_SHOWN]
            phase = self.phase
        lines = [f"{clock} · {phase}"]
        for progress, heard in running:
            left = progress.get("seconds_left")
            lines.append("  " + search_text(progress, None if left is None else max(0.0, left - (wall - heard))))
        return lines

    def _renderable(self):
        from rich.console import Group
        from rich.text import Text

        first, *rest = self.lines()
        self.spinner.update(text=Text(first, no_wrap=True, overflow="ellipsis"))
        return Group(self.spinner, *(Text(line, style="dim", no_wrap=True, overflow="ellipsis") for line in rest))

    # -- on and off --------------------------------------------------------------------
    def start(self) -> "ConsoleDisplay":
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner

        self.spinner = Spinner("dots")
        stdout_here = sys.stdout.isatty()
        self.live = Live(console=Console(file=self.stream), get_renderable=self._renderable, refresh_per_second=4, transient=True,
                         redirect_stdout=stdout_here, redirect_stderr=True)
        self.live.start()
        logging.getLogger("pairing").addHandler(self)
        return self

    def stop(self) -> None:
        """Take the display off the terminal (at once, and only once)."""
        logging.getLogger("pairing").removeHandler(self)
        live, self.live = self.live, None
        if live is not None:
            live.stop()

    def __enter__(self) -> "ConsoleDisplay":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class BatchDisplay(logging.Handler):
    """A batch's progress bar, by villages: counties done, failed and running,
    villages so far, elapsed time and an estimate of the time left; under it
    the last thing the batch said (a county done, a file being written).
    Shown only when ``enabled`` and ``stream`` is a terminal."""

    def __init__(self, stream=None, enabled: bool = True):
        super().__init__(logging.INFO)
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.bar = None

    def __enter__(self) -> "BatchDisplay":
        if self.enabled and self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.text import Text

            class WithLastLine(Progress):
                said = ""

                def get_renderables(self):
                    yield self.make_tasks_table(self.tasks)
                    if self.said:
                        yield Text(self.said, style="dim", no_wrap=True, overflow="ellipsis")

            self.bar = WithLastLine(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("villages"),
                                    TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=Console(file=self.stream),
                                    transient=True)
            self.bar.start()
            self.task = self.bar.add_task("counties", total=None)
            logging.getLogger("pairing").addHandler(self)
        return self

    def emit(self, record: logging.LogRecord) -> None:
        if self.bar is not None and logging.INFO <= record.levelno < logging.WARNING and not hasattr(record, "progress"):
            try:
                self.bar.said = record.getMessage()
            except Exception:
                pass

    def update(self, progress: "BatchProgress") -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=progress.villages, completed=progress.villages_done,
                            description=f"counties {progress.done:,} done, {progress.failed:,} failed, {progress.running:,} running "
                                        f"of {progress.counties:,}:")

    def __exit__(self, *exc) -> None:
        logging.getLogger("pairing").removeHandler(self)
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
