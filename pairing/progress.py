"""Progress on a terminal while long commands work, with ``rich``; nothing at
all when the output is not a terminal (a pipe, a file, CI)."""

from __future__ import annotations

import sys

from .batch.run import BatchProgress


class BatchDisplay:
    """A batch's progress bar, by villages: counties done, failed and running,
    villages so far, elapsed time and an estimate of the time left."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.bar = None

    def __enter__(self) -> "BatchDisplay":
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("villages"),
                                TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=Console(file=self.stream),
                                transient=True)
            self.bar.start()
            self.task = self.bar.add_task("counties", total=None)
        return self

    def update(self, progress: BatchProgress) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=progress.villages, completed=progress.villages_done,
                            description=f"counties {progress.done:,} done, {progress.failed:,} failed, {progress.running:,} running "
                                        f"of {progress.counties:,}:")

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
