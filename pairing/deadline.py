"""When a search must end: a time limit and a stop the caller may request.

A stop is what PyVRP calls a stopping criterion: the caller passes a
:class:`threading.Event` (set it to stop) or a callable that returns True when
the work should end. The library never installs signal handlers; the command
line turns Ctrl-C and SIGTERM into a set event, and a notebook can do the same
from a button or a timer.

Long Python loops (enumeration, model building) call :meth:`Deadline.check`,
which raises :class:`Stopped`; CP-SAT searches are stopped by
:func:`pairing.model.packing.run_solver`, which polls :meth:`Deadline.stopped`.
Either way the caller keeps the best plan found so far.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

StopLike = threading.Event | Callable[[], bool]


class Stopped(Exception):
    """Raised inside a step when its deadline passed or a stop was requested:
    the step's caller keeps what it has and ends."""


@dataclass(frozen=True)
class Deadline:
    """A point in time (``time.perf_counter()`` seconds) and an optional stop.

    Examples
    --------
    >>> import threading
    >>> stop = threading.Event()
    >>> deadline = Deadline.after(60, stop)
    >>> deadline.over(), round(deadline.remaining())
    (False, 60)
    >>> stop.set()
    >>> deadline.over(), deadline.stopped()
    (True, True)
    """

    at: float
    stop: StopLike | None = field(default=None, compare=False)

    @classmethod
    def after(cls, seconds: float, stop: StopLike | None = None) -> "Deadline":
        """The deadline ``seconds`` from now."""
        return cls(time.perf_counter() + seconds, stop)

    def stopped(self) -> bool:
        """Whether the caller asked to stop."""
        if self.stop is None:
            return False
        return self.stop.is_set() if isinstance(self.stop, threading.Event) else bool(self.stop())

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.perf_counter()

    def over(self) -> bool:
        """Whether the time is up or a stop was requested."""
        return self.remaining() <= 0 or self.stopped()

    def check(self) -> None:
        """Raise :class:`Stopped` when the time is up or a stop was requested."""
        if self.over():
            raise Stopped

    def sooner(self, seconds: float) -> "Deadline":
        """The same stop, and whichever comes first: this deadline or ``seconds`` from now."""
        return Deadline(min(self.at, time.perf_counter() + seconds), self.stop)
