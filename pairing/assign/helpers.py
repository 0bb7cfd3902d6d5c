"""Reading the helpers table (the cadres who can be sent) and the units table
(the county units that send them), CSV or XLSX with English or Chinese headers
(mapped in ``[assign] helper_columns`` / ``unit_columns``). Every bad cell of a
file is reported at once, by line and column, with the fix."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError, Problems
from ..instance import Instance
from ..labels import LABELS
from ..table_files import line_labels, number_cells, read_table, text_cells
from .needs import parse_words
from .problem import Helper, Unit
from .settings import (
    HELPER_COLUMNS,
    NEEDS,
    ROLES,
    UNIT_COLUMNS,
    AssignSettings,
    canonical_word,
)


def _canonical(table: pd.DataFrame, known: dict[str, tuple[str, ...]], mapped: dict[str, str], required: tuple[str, ...],
               problems: Problems) -> dict[str, str]:
    """Each canonical column the table has -> its name in the file; the missing required ones added to ``problems``."""
    present = {}
    for canonical, chinese in known.items():
        names = (mapped[canonical],) if canonical in mapped else (canonical, *chinese)
        column = next((name for name in names if name in table.columns), None)
        if column is not None:
            present[canonical] = column
        elif canonical in required or canonical in mapped:
            problems.add(InputError(f"missing column {names[0]}", fix=f"add it, or map it in the config's [assign] ({canonical} = \"your column\")",
                                    column=names[0]))
    return present


def _unique_ids(values: pd.Series, lines: list[str], column: str, what: str, problems: Problems) -> list[str]:
    ids, first = text_cells(values).tolist(), {}
    for value, line in zip(ids, lines):
        if not value:
            problems.add(InputError(f"{what} id is empty", fix=f"give every {what} an id", row=line, column=column))
        elif value in first:
            problems.add(InputError(f"duplicate {what} id {value} (also on {first[value]})", fix=f"give every {what} its own id", row=line, column=column))
        else:
            first[value] = line
    return ids


def read_units(path: str | Path, settings: AssignSettings) -> tuple[Unit, ...]:
    """The units table: ``unit_id, name, kind, skills, capacity`` (cadres it
    can spare; empty for no limit) and optionally ``villages`` (targets it can
    pair with).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "units.csv"
    >>> _ = path.write_text("unit_id,name,kind,skills,capacity\\nU1,区生态环境局,bureau,环境,2\\n", encoding="utf-8")
    >>> read_units(path, AssignSettings())
    (Unit(unit_id='U1', name='区生态环境局', kind='bureau', skills=('environment',), capacity=2, villages=None),)
    """
    table = read_table(path, ("units",))
    problems = Problems()
    try:
        present = _canonical(table, UNIT_COLUMNS, settings.unit_columns, ("unit_id",), problems)
        problems.raise_any()
        lines = line_labels(table)
        ids = _unique_ids(table[present["unit_id"]], lines, present["unit_id"], "unit", problems)
        text = {name: text_cells(table[present[name]]).tolist() if name in present else [""] * len(table) for name in ("name", "kind", "skills")}
        skills = [parse_words(cell, settings, NEEDS, line, present.get("skills", "skills"), problems) for cell, line in zip(text["skills"], lines)]
        limits = {name: _limits(table, present, name, lines, problems) for name in ("capacity", "villages")}
        problems.raise_any()
    except InputError as error:
        raise error.in_file(str(path)) from None
    return tuple(Unit(unit, text["name"][k] or unit, text["kind"][k], skills[k], limits["capacity"][k], limits["villages"][k])
                 for k, unit in enumerate(ids))


def _limits(table: pd.DataFrame, present: dict[str, str], name: str, lines: list[str], problems: Problems) -> list[int | None]:
    """A column of whole numbers >= 0 where empty means no limit."""
    if name not in present:
        return [None] * len(table)
    cells = text_cells(table[present[name]])
    given = cells != ""
    numbers = number_cells(cells[given], [line for line, keep in zip(lines, given) if keep], present[name], problems)
    limits: list[int | None] = [None] * len(table)
    for position, number in zip(np.flatnonzero(given.to_numpy()), numbers):
        if np.isfinite(number) and number >= 0 and number % 1 == 0:
            limits[position] = int(number)
        elif np.isfinite(number):
            problems.add(InputError(f"{name} {number:g} is not a whole number of 0 or more", fix="write a whole number, or leave it empty for no limit",
                                    row=lines[position], column=present[name]))
    return limits


def read_helpers(path: str | Path, instance: Instance, settings: AssignSettings, units: tuple[Unit, ...] = ()) -> tuple[Helper, ...]:
    """The helpers table: ``helper_id, name, unit, role, skills``, a home
    (``lon``/``lat``, ``x``/``y`` in the villages' CRS, or ``home``: a village
    id or a township name of the village table) and optionally ``previous``
    (the village or group served last year). A helper with no skills of their
    own has their unit's.

    Raises
    ------
    InputError
        Every bad cell at once: an empty or repeated id, an unknown role or
        skill (the known ones listed), a unit not in the units table, a home
        that is no village or township, missing coordinates.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "helpers.csv"
    >>> _ = path.write_text("helper_id,name,unit,role,skills,home\\nH1,李明,U1,驻村干部,产业,b\\n", encoding="utf-8")
    >>> county = path_county(villages=3, x=[0.0, 1000.0, 2000.0], y=0.0)
    >>> read_helpers(path, county, AssignSettings())
    (Helper(helper_id='H1', name='李明', unit='U1', role='resident_cadre', skills=('industry',), xy=(1000.0, 0.0), previous=''),)
    >>> _ = path.write_text("helper_id,role,skills,home\\nH1,resident_cadre,路灯,b\\n", encoding="utf-8")
    >>> read_helpers(path, county, AssignSettings())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pairing.errors.InputError: ...helpers.csv: line 2: column skills: unknown need '路灯'; use organisation, industry, mass_work, environment, income (or ...
    """
    table = read_table(path, ("helpers",))
    problems = Problems()
    try:
        present = _canonical(table, HELPER_COLUMNS, settings.helper_columns, ("helper_id", "role"), problems)
        problems.raise_any()
        lines = line_labels(table)
        ids = _unique_ids(table[present["helper_id"]], lines, present["helper_id"], "helper", problems)
        text = {name: text_cells(table[present[name]]).tolist() if name in present else [""] * len(table)
                for name in ("name", "unit", "role", "skills", "home", "previous")}
        by_unit = {unit.unit_id: unit for unit in units}
        roles, skills = [], []
        for k, line in enumerate(lines):
            role = canonical_word(text["role"][k], settings.names, ROLES)
            if role is None:
                problems.add(InputError(f"unknown role {text['role'][k]!r}" if text["role"][k] else "role is empty",
                                        fix=f"use {', '.join(ROLES)} (or 第一书记, 驻村干部), or map the word in [assign] names", row=line,
                                        column=present["role"]))
            roles.append(role)
            own = parse_words(text["skills"][k], settings, NEEDS, line, present.get("skills", "skills"), problems)
            unit = by_unit.get(text["unit"][k])
            if units and text["unit"][k] and unit is None:
                problems.add(InputError(f"unit {text['unit'][k]!r} is not in the units table", fix="add it there, or correct the id", row=line,
                                        column=present["unit"]))
            skills.append(own or (unit.skills if unit is not None else ()))
            if not skills[-1]:
                problems.add(InputError("the helper has no skills (nor has their unit)", fix="list the needs they can serve, e.g. 产业、群众工作",
                                        row=line, column=present.get("skills", "skills")))
        homes = _homes(table, present, text["home"], lines, instance, problems)
        problems.raise_any()
    except InputError as error:
        raise error.in_file(str(path)) from None
    return tuple(Helper(helper, text["name"][k] or helper, text["unit"][k], roles[k], skills[k], homes[k], text["previous"][k])
                 for k, helper in enumerate(ids))


def _homes(table: pd.DataFrame, present: dict[str, str], homes: list[str], lines: list[str], instance: Instance,
           problems: Problems) -> list[tuple[float, float]]:
    """Each helper's home in the villages' metric coordinates."""
    xy = instance.xy
    if xy is None:
        raise InputError("the village table has no coordinates, so helpers' travel cannot be measured",
                         fix="give the villages lon/lat or x/y (or polygons)", column="home")
    axes = next((axes for axes in (("lon", "lat"), ("x", "y")) if all(axis in present for axis in axes)), None)
    if axes is None and "home" not in present:
        raise InputError("no home for the helpers", fix="add a home column (a village id or township) or lon/lat columns", column="home")
    places = {village: tuple(xy[row]) for row, village in enumerate(instance.ids)}
    for township in set(instance.township):
        rows = np.flatnonzero(instance.township == township)
        places.setdefault(str(township), tuple(xy[rows].mean(axis=0)))
    found: list[tuple[float, float]] = [(np.nan, np.nan)] * len(table)
    if axes is not None:
        first, second = (number_cells(table[present[axis]], lines, present[axis], Problems()) for axis in axes)
        points = gpd.GeoSeries(gpd.points_from_xy(first, second), crs="EPSG:4326" if axes == ("lon", "lat") else None)
        crs = getattr(instance.geometry, "crs", None)
        if axes == ("lon", "lat") and crs is not None:
            points = points.to_crs(crs)
        found = [(point.x, point.y) if np.isfinite(a) and np.isfinite(b) else (np.nan, np.nan) for point, a, b in zip(points, first, second)]
    for k, line in enumerate(lines):
        if np.isfinite(found[k][0]):
            continue
        if homes[k] in places:
            found[k] = places[homes[k]]
        else:
            where = f"home {homes[k]!r} is no village id or township of the village table" if homes[k] else "home is empty"
            problems.add(InputError(where, fix="give a village id (村代码), a township name or lon/lat", row=line, column=present.get("home", "home")))
    return [(float(x), float(y)) for x, y in found]


def read_previous(path: str | Path) -> dict[str, str]:
    """Last year's ``assignment.csv`` (or its xlsx sheet, English or Chinese
    headers): helper id -> the village or group served, for the helpers who
    served.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "assignment.csv"
    >>> _ = path.write_text("helper_id,target_id\\nH1,G003\\nH2,\\n", encoding="utf-8")
    >>> read_previous(path)
    {'H1': 'G003'}
    """
    table = read_table(path, ("assignment", "帮扶安排"))
    spelled = {text: key.removeprefix("assign:") for key, texts in LABELS.items() if key in ("assign:helper_id", "assign:target_id")
               for text in (key.removeprefix("assign:"), *texts)}
    table = table.rename(columns={column: spelled[column] for column in table.columns if column in spelled})
    missing = [column for column in ("helper_id", "target_id") if column not in table.columns]
    if missing:
        raise InputError(f"missing column {missing[0]}", fix="give the assignment.csv a previous run of pairing assign wrote", file=str(path),
                         column=missing[0])
    return {helper: target for helper, target in zip(text_cells(table["helper_id"]), text_cells(table["target_id"])) if helper and target}
