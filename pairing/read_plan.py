"""Reading a plan a planner may have edited (``plan.csv``, ``plan.xlsx`` in either
language, ``plan.gpkg``) back into a :class:`~pairing.plan.Plan`."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .errors import InputError, Problems
from .instance import Instance
from .labels import LABELS, header_names, role_names
from .plan import Plan
from .rules import Rules
from .table_files import line_labels, read_table, text_cells


def read_plan(path: str | Path, instance: Instance | None = None, rules: Rules | None = None) -> Plan:
    """Read a plan a planner may have edited: a ``plan.csv``, ``plan.xlsx`` (its
    villages sheet, headers and roles in English or Chinese) or ``plan.gpkg``
    (layer ``villages``) with ``village_id, group_id, role`` (other columns are
    ignored).

    Parameters
    ----------
    path : str or pathlib.Path
        The plan file.
    instance : Instance, optional
        The villages the plan groups. Without one, a stand-in is built from the
        file's own ids, names and townships (every village 1 person, not weak,
        no neighbours): enough to compare plans' structure
        (:func:`pairing.diff.diff`), not to check or measure them.
    rules : Rules, optional
        The rules to check it under; the defaults when not given.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        A missing column, an unknown role, or a village id the instance does not have.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> instance = path_county([500, 400, 300], weak=[False, True, True], names=['A', 'B', 'C'])
    >>> path = Path(tempfile.mkdtemp()) / "plan.csv"
    >>> _ = path.write_text("village_id,group_id,role\\na,g1,lead\\nb,g1,member\\nc,,none\\n", encoding="utf-8")
    >>> read_plan(path, instance, Rules()).groups
    (Group(group_id='g1', leads=('a',), members=('b',)),)
    """
    table = read_plan_table(path)
    if instance is None:
        instance = _stand_in_instance(table)
    problems = Problems()
    for position in np.flatnonzero((~table["village_id"].map(instance.__contains__)).to_numpy(dtype=bool)):
        problems.add(InputError(f"unknown village id {table['village_id'].iloc[position] or '(empty)'}", fix="use ids from the village table, or remove the line",
                                file=str(path), row=table.attrs["rows"][position], column="village_id"))
    problems.raise_any()
    try:
        return Plan.from_assignment(instance, rules or Rules(), table)
    except InputError as error:
        raise error.in_file(str(path)) from None


def read_plan_table(path: str | Path) -> pd.DataFrame:
    """A plan file as a table with canonical headers and roles.

    Headers and roles written in Chinese (``plan.xlsx`` with ``--lang zh``) or as
    English labels (``Village ID``, ``Group``) are renamed to ``village_id``,
    ``group_id``, ``role`` (``lead``, ``member``, ``none``); ids are text.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "plan.csv"
    >>> _ = path.write_text("村代码,联建组,角色\\n037,G001,领头雁\\n038,G001,成员村\\n", encoding="utf-8")
    >>> read_plan_table(path).to_dict("list")
    {'village_id': ['037', '038'], 'group_id': ['G001', 'G001'], 'role': ['lead', 'member']}
    """
    sheets = ("villages", *LABELS["sheet:villages"])
    raw = read_table(path, prefer=sheets, name_layer=False)  # a plan.gpkg's groups layer is derived from its villages
    rows = line_labels(raw)
    table = pd.DataFrame(raw).drop(columns="geometry", errors="ignore")
    headers = header_names()
    canonical = {column: headers[str(column).strip().lower()] for column in table.columns if str(column).strip().lower() in headers}
    table = table.rename(columns=canonical)
    table = table.loc[:, ~table.columns.duplicated()]
    for column in ("village_id", "group_id", "role"):
        if column not in table.columns:
            raise InputError(f"missing column {column}", fix="a plan needs the columns village_id, group_id and role", file=str(path), column=column)
    roles = role_names()
    table["village_id"] = text_cells(table["village_id"])
    table["group_id"] = text_cells(table["group_id"])
    table["role"] = text_cells(table["role"]).map(lambda role: roles.get(role.lower(), role) if role else "none")
    table.attrs["rows"] = rows  # how a user finds each row: "line 3" of a CSV/XLSX, "feature 2" of a GPKG
    return table


def _stand_in_instance(table: pd.DataFrame) -> Instance:
    """Villages for a plan read without its village table: ids, names and
    townships from the plan itself, and neutral figures."""
    villages = table.drop_duplicates("village_id")
    ids = villages["village_id"]
    return Instance(pd.DataFrame({
        "village_id": ids,
        "name": text_cells(villages["name"]).where(lambda name: name != "", ids) if "name" in villages.columns else ids,
        "township": text_cells(villages["township"]) if "township" in villages.columns else "",
        "population": 1, "strength": 0.0, "weak": False,
    }), nx.Graph())
