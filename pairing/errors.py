"""The one exception type users see, and how it is worded."""

from __future__ import annotations


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
        The column (as named in the user's file) or config key.

    Examples
    --------
    >>> str(InputError("population is empty", fix="fill it in", file="v.csv", row="line 3", column="人口"))
    'v.csv: line 3: column 人口: population is empty; fill it in'
    """

    def __init__(self, problem: str, *, fix: str = "", file: str = "", row: str = "", column: str = ""):
        self.problem, self.fix, self.file, self.row, self.column = problem, fix, file, row, column
        super().__init__(self._message())

    def _message(self) -> str:
        where = [part for part in (self.file, self.row, f"column {self.column}" if self.column else "") if part]
        text = ": ".join([*where, self.problem])
        return f"{text}; {self.fix}" if self.fix else text

    def in_file(self, file: str) -> "InputError":
        """The same error, located in ``file`` (when it does not name a file yet)."""
        if self.file:
            return self
        return InputError(self.problem, fix=self.fix, file=str(file), row=self.row, column=self.column)
