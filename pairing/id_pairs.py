"""Files of village id pairs: an edge list (neighbours) and a renames file (old id,
new id), CSV or XLSX, with the unknown or empty ids named by line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, Problems
from .table_files import line_labels, read_table, text_cells

EDGE_COLUMN_PAIRS = (("a", "b"), ("source", "target"), ("from", "to"))


def read_edges(path: str | Path, ids: list[str]) -> list[tuple[str, str]]:
    """Neighbouring pairs from a CSV/XLSX edge list.

    The two id columns are ``a, b``, ``source, target`` or ``from, to`` (any
    case), else the first two columns.

    Parameters
    ----------
    path : str or pathlib.Path
        The edge list.
    ids : list of str
        The known village ids.

    Returns
    -------
    list of (str, str)

    Raises
    ------
    InputError
        An id that is empty or not among ``ids``, named by line.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "edges.csv"
    >>> _ = path.write_text("from,to\\na,b\\nb,c\\n", encoding="utf-8")
    >>> read_edges(path, ["a", "b", "c"])
    [('a', 'b'), ('b', 'c')]
    """
    pair, ends, lines = id_pairs(path, EDGE_COLUMN_PAIRS, "write two columns a,b with one neighbouring pair per line")
    known, problems = set(ids), Problems()
    for column, values in zip(pair, ends):
        for position in np.flatnonzero((~values.isin(known)).to_numpy()):
            problems.add(InputError(f"unknown village id {values.iloc[position] or '(empty)'}", fix="use ids from the village table, or remove the line",
                                    file=str(path), row=lines[position], column=str(column)))
    problems.raise_any()
    return list(zip(ends[0], ends[1]))


def id_pairs(path: str | Path, column_pairs: Sequence[tuple[str, str]], fix: str) -> tuple[list, list[pd.Series], list[str]]:
    """The two id columns of a CSV/XLSX of id pairs (the first of ``column_pairs``
    present, any case, else the first two columns), as text, with each row's line."""
    table = pd.DataFrame(read_table(path)).drop(columns="geometry", errors="ignore")
    by_lower = {str(column).lower(): column for column in table.columns}
    pair = next(([by_lower[a], by_lower[b]] for a, b in column_pairs if a in by_lower and b in by_lower), list(table.columns[:2]))
    if len(pair) < 2:
        raise InputError("the file needs two id columns", fix=fix, file=str(path))
    return pair, [text_cells(table[column]) for column in pair], line_labels(table)


#: Column pairs of a renames file, old id first.
RENAME_COLUMN_PAIRS = (("old", "new"), ("old_id", "new_id"), ("from", "to"), ("旧代码", "新代码"))


def read_renames(path: str | Path) -> dict[str, str]:
    """Old village id -> new id, from a CSV/XLSX with columns ``old,new`` (or
    ``old_id,new_id``, ``from,to``, ``旧代码,新代码``, else the first two).

    Raises
    ------
    InputError
        An empty id, or an old id given twice, named by line.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "renames.csv"
    >>> _ = path.write_text("old,new\\n370784001,370784901\\n", encoding="utf-8")
    >>> read_renames(path)
    {'370784001': '370784901'}
    """
    pair, (old, new), lines = id_pairs(path, RENAME_COLUMN_PAIRS, "write two columns old,new with one renamed village per line")
    problems = Problems()
    for column, values in zip(pair, (old, new)):
        for position in np.flatnonzero((values == "").to_numpy()):
            problems.add(InputError("empty village id", fix="give the old and the new id on every line", file=str(path), row=lines[position],
                                    column=str(column)))
    for position in np.flatnonzero((old.duplicated() & (old != "")).to_numpy()):
        problems.add(InputError(f"village {old.iloc[position]} is renamed twice", fix="keep one line per old id", file=str(path),
                                row=lines[position], column=str(pair[0])))
    problems.raise_any()
    return dict(zip(old, new))
