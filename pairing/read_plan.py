"""Reading a plan a planner may have edited (``plan.csv``, ``plan.xlsx`` in either
language, ``plan.gpkg``) back into a :class:`~pairing.plan.Plan`."""

from __future__ import annotations

import warnings
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

#: The columns of a plan file the reader takes; every other column is written for reading only.
READ_COLUMNS = ("village_id", "group_id", "role")
#: Columns of the villages sheet that restate the village table: an edit there is not read.
INPUT_COLUMNS = ("name", "township", "population")
#: Rows named in one warning, at most.
ROWS_NAMED = 5


class IgnoredEditWarning(UserWarning):
    """A change in a plan file that the reader does not take (see :func:`read_plan`)."""


def read_plan(path: str | Path, instance: Instance | None = None, rules: Rules | None = None) -> Plan:
    """Read a plan a planner may have edited: a ``plan.csv``, ``plan.xlsx`` (its
    villages sheet, headers and roles in English or Chinese) or ``plan.gpkg``
    (layer ``villages``) with ``village_id, group_id, role``.

    Only those three columns are read. An edit the reader does not take is
    reported, naming its rows, as an :class:`IgnoredEditWarning`, never
    dropped in silence: a ``lead_id`` that is not its group's lead (the lead is
    the village whose role is ``lead``); a name, township or population that
    differs from the village table (with ``instance``: edit the village table);
    a village with no row (read as ungrouped); and, in a ``plan.xlsx`` or
    ``plan.gpkg``, a groups sheet or layer that differs from the villages (it
    is derived from them, and rewritten).

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

    Warns
    -----
    IgnoredEditWarning
        An edit that is not read, by row.

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
    given = instance is not None
    if instance is None:
        instance = _stand_in_instance(table)
    problems = Problems()
    for position in np.flatnonzero((~table["village_id"].map(instance.__contains__)).to_numpy(dtype=bool)):
        problems.add(InputError(f"unknown village id {table['village_id'].iloc[position] or '(empty)'}", fix="use ids from the village table, or remove the line",
                                file=str(path), row=table.attrs["rows"][position], column="village_id"))
    problems.raise_any()
    try:
        plan = Plan.from_assignment(instance, rules or Rules(), table)
    except InputError as error:
        raise error.in_file(str(path)) from None
    for message in ignored_edits(Path(path), table, plan, compare_input=given):
        warnings.warn(message, IgnoredEditWarning, stacklevel=2)
    return plan


def ignored_edits(path: Path, table: pd.DataFrame, plan: Plan, *, compare_input: bool = True) -> list[str]:
    """What a planner changed in a plan file that :func:`read_plan` does not
    take, one message per kind of change, naming its rows.

    ``table`` is the file's villages as :func:`read_plan_table` gives them,
    ``plan`` what was read from it; ``compare_input``: whether ``plan``'s
    instance is the county's village table (not a stand-in built from the file).

    Examples
    --------
    >>> import tempfile
    >>> instance = path_county([500, 400, 300], weak=[False, True, True])
    >>> path = Path(tempfile.mkdtemp()) / "plan.csv"
    >>> _ = path.write_text("village_id,group_id,role,lead_id\\na,g1,lead,a\\nb,g1,member,c\\n", encoding="utf-8")
    >>> table = read_plan_table(path)
    >>> for message in ignored_edits(path, table, Plan.from_assignment(instance, Rules(), table)):
    ...     print(message)
    plan.csv, line 3 (village b): lead_id c is not read: the lead of g1 is a, the village whose role is lead; to change a group's lead, change the roles
    plan.csv: 1 village has no row, read as ungrouped: c; to keep a village in its group, keep its row
    """
    rows, instance = table.attrs["rows"], plan.instance
    group_of = {village: group for group in plan.groups for village in group.villages}
    messages = []

    def report(found: list[str], fix: str) -> None:
        if found:
            more = f"; and {len(found) - ROWS_NAMED:,} more rows" if len(found) > ROWS_NAMED else ""
            messages.append(f"{path.name}, {'; '.join(found[:ROWS_NAMED])}{more}{fix}")

    villages = table["village_id"].tolist()
    if "lead_id" in table.columns:
        found = []
        for row, village, lead in zip(rows, villages, text_cells(table["lead_id"])):
            group = group_of.get(village)
            leads = ", ".join(group.leads) if group else ""
            # As written (a group of two leads or none has an empty lead_id), or naming one of its leads.
            if lead not in ({group.lead, leads, *group.leads} if group else {""}):
                where = f"the lead of {group.group_id} is {leads or '(none)'}, the village whose role is lead" if group else "the village is in no group"
                found.append(f"{row} (village {village}): lead_id {lead or '(empty)'} is not read: {where}")
        report(found, "; to change a group's lead, change the roles")
    if compare_input:
        for column in (column for column in INPUT_COLUMNS if column in table.columns):
            given = dict(zip(instance.ids, instance.villages[column].astype(str)))
            found = [f"{row} (village {village}): {column} {value}" for row, village, value in zip(rows, villages, text_cells(table[column]))
                     if village in given and value and _differs(value, given[village])]
            report(found, f": not read (the village table's {column} counts); edit the village table instead")
        listed = set(villages)
        missing = [village for village in instance.ids if village not in listed]
        if missing:
            named = ", ".join(missing[:ROWS_NAMED]) + (f" and {len(missing) - ROWS_NAMED:,} more" if len(missing) > ROWS_NAMED else "")
            messages.append(f"{path.name}: {len(missing):,} village{'s have' if len(missing) > 1 else ' has'} no row, read as ungrouped: {named}; "
                            "to keep a village in its group, keep its row")
    messages += _groups_sheet_edits(path, plan)
    return messages


def _differs(written: str, given: str) -> bool:
    """Whether a cell differs from the village table's value (numbers as numbers: 1,200 is 1200)."""
    if written.strip() == given.strip():
        return False
    try:
        return float(written.replace(",", "")) != float(given)
    except ValueError:
        return True


def _groups_sheet_edits(path: Path, plan: Plan) -> list[str]:
    """The rows of a plan file's groups sheet (``plan.xlsx``) or layer
    (``plan.gpkg``) that disagree with the plan read from its villages."""
    groups = _groups_table(path)
    if groups is None:
        return []
    by_id = {group.group_id: group for group in plan.groups}
    found, seen = [], set()
    for row, group_id, lead_ids, member_ids in zip(groups.attrs["rows"], groups["group_id"], groups["lead_id"], groups["member_ids"]):
        if not group_id:
            continue
        seen.add(group_id)
        group = by_id.get(group_id)
        if group is None:
            found.append(f"{row} (group {group_id}): no village is in this group")
            continue
        written = {part.strip() for part in f"{lead_ids},{member_ids}".replace("，", ",").replace("、", ",").split(",") if part.strip()}
        if written != set(group.villages) or {part.strip() for part in lead_ids.split(",") if part.strip()} != set(group.leads):
            found.append(f"{row} (group {group_id}): lead {lead_ids or '(none)'}, members {member_ids or '(none)'}, but the villages "
                         f"give lead {', '.join(group.leads) or '(none)'}, members {', '.join(group.members) or '(none)'}")
    found += [f"group {group.group_id}: its row was deleted" for group in plan.groups if group.group_id not in seen]
    if not found:
        return []
    more = f"; and {len(found) - ROWS_NAMED:,} more" if len(found) > ROWS_NAMED else ""
    sheet = groups.attrs["sheet"]
    return [(f"{path.name}, {sheet}, {'; '.join(found[:ROWS_NAMED])}{more}: {sheet} is not read (it is derived from the villages); "
             "to change a group, change group_id and role of its villages")]


def _groups_table(path: Path) -> pd.DataFrame | None:
    """A plan file's groups sheet or layer with canonical headers, or None when it has none."""
    names = ("groups", *LABELS["sheet:groups"])
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        with pd.ExcelFile(path) as book:
            sheet = next((name for name in names if name in book.sheet_names), None)
        kind = "sheet"
    elif suffix == ".gpkg":
        import pyogrio

        sheet = next((name for name in names if name in {str(layer) for layer, _ in pyogrio.list_layers(path)}), None)
        kind = "layer"
    else:
        return None
    if sheet is None:
        return None
    raw = read_table(path, prefer=(sheet,), name_layer=False)
    table = pd.DataFrame(raw).drop(columns="geometry", errors="ignore")
    headers = header_names()
    table = table.rename(columns={column: headers[str(column).strip().lower()] for column in table.columns
                                  if str(column).strip().lower() in headers})
    if not {"group_id", "lead_id", "member_ids"} <= set(table.columns):
        return None
    table = table.loc[:, ~table.columns.duplicated()]
    for column in ("group_id", "lead_id", "member_ids"):
        table[column] = text_cells(table[column])
    table.attrs.update(rows=line_labels(raw), sheet=f"{kind} {sheet}")
    return table


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
