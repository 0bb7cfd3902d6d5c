"""The one exception type users see, and how it is worded."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

#: The sections of a config file: a ``column`` such as ``solver.time_limit``
#: that starts with one of them is a config key, and is named as one.
CONFIG_SECTIONS = ("columns", "strength", "weak", "graph", "rules", "solver", "locks", "objective", "assign")


class InputError(ValueError):
    """Bad input: a file, a row, a column or a config key that cannot be used.

    The message is a single line that names where the problem is and how to fix
    it; the command line prints it as is (exit code 2) and never a traceback.

    Parameters
    ----------
    problem : str
        What is wrong, e.g. ``"population is negative (-5)"``.
    fix : str, optional
        What the user should do about it.
    file : str, optional
        The file the problem is in.
    row : str, optional
        The village id or line number.
    column : str, optional
        The column (as named in the user's file), config key (``section.key``),
        config section (``[section]``) or command-line flag (``--flag``).

    Examples
    --------
    >>> str(InputError("population is empty", fix="fill it in", file="v.csv", row="line 3", column="人口"))
    'v.csv: line 3: column 人口: population is empty; fill it in'
    >>> str(InputError('time_limit = "60" is text, not a number', fix="write it without quotes: time_limit = 60",
    ...                file="villages.toml", column="solver.time_limit"))
    'villages.toml: key solver.time_limit: time_limit = "60" is text, not a number; write it without quotes: time_limit = 60'
    """

    def __init__(self, problem: str, *, fix: str = "", file: str = "", row: str = "", column: str = ""):
        self.problem, self.fix, self.file, self.row, self.column = problem, fix, file, row, column
        #: Further problems found in the same pass (see :meth:`of`), after this one.
        self.others: tuple[InputError, ...] = ()
        super().__init__(self._message())

    @classmethod
    def of(cls, problems: Iterable["InputError"]) -> "InputError | None":
        """One error standing for several found in one pass over a file: the first,
        carrying the rest in :attr:`others`; None when there are none.

        Examples
        --------
        >>> error = InputError.of([InputError("a is empty", row="line 2"), InputError("b is empty", row="line 3")])
        >>> [str(problem) for problem in error.problems()]
        ['line 2: a is empty', 'line 3: b is empty']
        """
        flat = [problem for error in problems for problem in error.problems()]
        if not flat:
            return None
        first = flat[0].copy()
        first.others = tuple(flat[1:])
        return first

    def problems(self) -> list["InputError"]:
        """This problem and the others found with it, one line each."""
        return [self.copy(), *self.others]

    def copy(self) -> "InputError":
        """This problem alone (without :attr:`others`)."""
        return InputError(self.problem, fix=self.fix, file=self.file, row=self.row, column=self.column)

    def _message(self) -> str:
        where = [part for part in (self.file, self.row, self._column()) if part]
        text = ": ".join([*where, self.problem])
        return f"{text}; {self.fix}" if self.fix else text

    def _column(self) -> str:
        """The column as the user knows it: a config key, a section, a flag or a column."""
        section, dot, _ = self.column.partition(".")
        if not self.column:
            return ""
        if self.column.startswith("["):
            return f"section {self.column}"
        if dot and section in CONFIG_SECTIONS:
            return f"key {self.column}"
        return f"flag {self.column}" if self.column.startswith("-") else f"column {self.column}"

    def in_file(self, file: str) -> "InputError":
        """The same error (and its others), located in ``file`` where they do not name a file yet."""
        located = [problem if problem.file else InputError(problem.problem, fix=problem.fix, file=str(file), row=problem.row,
                                                           column=problem.column) for problem in self.problems()]
        return InputError.of(located)


class Problems:
    """The problems found in one pass over a file, reported together at its end.

    Examples
    --------
    >>> problems = Problems()
    >>> problems.add(InputError("a is empty", row="line 2"))
    >>> with problems.collecting():
    ...     raise InputError("b is empty", row="line 3")
    >>> len(problems.found), bool(problems)
    (2, True)
    >>> problems.raise_any()
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: line 2: a is empty
    """

    def __init__(self) -> None:
        self.found: list[InputError] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, problem: InputError) -> None:
        self.found.append(problem)

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Run a check, keeping the InputError it raises (with its others) instead of raising it."""
        try:
            yield
        except InputError as error:
            self.found.append(error)

    def raise_any(self) -> None:
        """Raise every problem found as one :class:`InputError` (see :meth:`InputError.of`), if any."""
        error = InputError.of(self.found)
        if error is not None:
            raise error
