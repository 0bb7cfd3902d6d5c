"""Reading and writing files: the only module of pairing that touches the disk.

Inputs are what county planners have: a GPKG, GeoJSON or shapefile of village
polygons or points, or a CSV/XLSX table with Chinese headers saved by Excel on
Chinese Windows. Outputs are written atomically (a temp file renamed into
place), so a failed write never leaves half a file or destroys an old one, and
inputs are never modified.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import os
import secrets
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from io import StringIO
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .config import CANONICAL_COLUMNS, COORDINATE_COLUMNS, Config
from .deadline import Deadline
from .errors import InputError, Problems
from .graph import FAR_KM, far_from_the_rest, metric_crs, point_adjacency, polygon_adjacency
from .instance import MAX_POPULATION, Instance, derive_strength, derive_weak
from .outputs import OutputFolder
from .plan import Plan
from .rules import Rules

GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
TABLE_SUFFIXES = (".csv", ".xlsx")
TRUE_WORDS = ("true", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "0", "no", "n", "否")
EDGE_COLUMN_PAIRS = (("a", "b"), ("source", "target"), ("from", "to"))


# -- reading -------------------------------------------------------------------------
def read_table(path: str | Path, prefer: Sequence[str] = ("villages",), *, name_layer: bool = True) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a village table, an edge list or a plan, by the file's suffix.

    GPKG, GeoJSON and shapefiles give a GeoDataFrame (the first layer named in
    ``prefer`` that the file has, else its first; when the file has several
    layers, the one read is in ``attrs["layer"]``). CSV and XLSX (likewise the
    first sheet named in ``prefer``, else the first sheet) give a
    DataFrame of text, so that ids such as ``037078410520`` keep every digit;
    only empty cells are missing values. A CSV is read as UTF-8 (with or without
    a byte-order mark), else as GB18030, which is what Excel writes on Chinese
    Windows.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.gpkg``, ``.geojson``, ``.json``, ``.shp``, ``.csv`` or ``.xlsx`` file.
    prefer : sequence of str
        Layer or sheet names to read, in order of preference.
    name_layer : bool
        Warn (UserWarning) which layer was read from a file of several layers.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame

    Raises
    ------
    InputError
        The file is missing, has an unknown suffix or cannot be read; a CSV
        has a byte that is neither UTF-8 nor GB18030 (named by its line); an
        XLSX has formula cells without a saved value (every one, by line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "villages.csv"
    >>> _ = path.write_bytes("村代码,户籍人口\\n037078410520,820\\n".encode("gb18030"))
    >>> read_table(path).to_dict("records")
    [{'村代码': '037078410520', '户籍人口': '820'}]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in GEO_SUFFIXES + TABLE_SUFFIXES:
        raise InputError(f"unknown file type {suffix or '(no suffix)'}", fix=f"save it as one of {', '.join(GEO_SUFFIXES + TABLE_SUFFIXES)}", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, not a file", fix="give the path of the village file", file=str(path))
    if not path.is_file():
        raise InputError("file not found", fix="check the path", file=str(path))
    try:
        if suffix in GEO_SUFFIXES:
            return _read_layer(path, prefer, name_layer)
        text_options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
        if suffix == ".xlsx":
            table = _read_sheet(path, prefer, text_options)
        else:
            table = pd.read_csv(StringIO(_decode(path.read_bytes())), **text_options)
    except InputError as error:
        raise error.in_file(str(path)) from None
    except Exception as error:  # pandas, openpyxl and GDAL each raise their own kinds
        raise InputError(f"cannot read the file ({type(error).__name__}: {error})".replace("\n", " "),
                         fix="check that it opens in Excel or QGIS, and save it again", file=str(path)) from None
    table.columns = [str(column).strip() for column in table.columns]
    if suffix in TABLE_SUFFIXES:
        # Excel exports rows of bare commas and unnamed empty columns after formatted cells.
        table = table.loc[table.notna().any(axis=1), ~(table.columns.str.startswith("Unnamed:") & table.isna().all().to_numpy())]
    return table


def _read_layer(path: Path, prefer: Sequence[str], name_layer: bool) -> gpd.GeoDataFrame:
    """The layer of a GIS file to read; with several, the one read is said, and kept for messages."""
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    layer = next((name for name in prefer if name in layers), layers[0])
    table = gpd.read_file(path, layer=layer)
    if len(layers) > 1:
        table.attrs["layer"] = layer
        if name_layer:
            warnings.warn(f"{path.name} has {len(layers)} layers ({', '.join(layers)}); read {layer!r}", UserWarning, stacklevel=3)
    return table


def _read_sheet(path: Path, prefer: Sequence[str], options: dict) -> pd.DataFrame:
    """The sheet of an XLSX file to read, its cells as pandas reads them (the values saved with formulas)."""
    with pd.ExcelFile(path) as book:
        sheet = next((name for name in prefer if name in book.sheet_names), book.sheet_names[0])
        table = pd.read_excel(book, sheet_name=sheet, **options)
    if table.isna().to_numpy().any():  # only an empty-looking cell can be a formula without its value
        _refuse_unsaved_formulas(path, sheet, table)
    return table


def _refuse_unsaved_formulas(path: Path, sheet: str, table: pd.DataFrame) -> None:
    """Refuse formula cells that have no saved value.

    pandas reads the value Excel saved with each formula; a file written by a
    program and never opened in Excel has none, and its formula cells would
    read as empty, then be reported as empty.
    """
    from openpyxl import load_workbook

    problems = Problems()
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        # The first row is the header and the table's rows follow line by line, blank ones included.
        for position, cells in enumerate(book[sheet].iter_rows(min_row=2, max_row=len(table) + 1, max_col=table.shape[1])):
            for column, cell in enumerate(cells):
                if cell.data_type == "f" and pd.isna(table.iat[position, column]):
                    problems.add(InputError(f"the cell holds the formula {getattr(cell.value, 'text', cell.value)} but no saved value",
                                            fix="open the file in Excel and save it (or paste the values)", row=f"line {position + 2}",
                                            column=str(table.columns[column]).strip()))
    finally:
        book.close()
    problems.raise_any()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # utf-8-sig counts positions after the byte-order mark.
        utf8_stop = error.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        # The encoding read further is the file's: its stray byte is the one to show.
        position = max(utf8_stop, error.start)
    line = data.count(b"\n", 0, position) + 1
    raise InputError(f"a byte that is neither UTF-8 nor GBK text (0x{data[position]:02x})", fix="save the file from Excel as CSV UTF-8", row=f"line {line}")


def read_villages(path: str | Path, config: Config | str | Path | None = None, *, edges: str | Path | None = None,
                  add_edges: str | Path | None = None, repair: bool = False) -> Instance:
    """Read a county's village table and build its validated :class:`Instance`.

    Columns are renamed per the config's ``[columns]``; strength and weakness
    are derived with ``[strength]`` and ``[weak]`` when the table lacks them;
    geometry is reprojected to metres and adjacency computed from it (polygons:
    shared borders within ``[graph] tolerance_m``; points: Delaunay neighbours
    within ``max_edge_m``). Every other input column is kept.

    Parameters
    ----------
    path : str or pathlib.Path
        GPKG, GeoJSON or shapefile of polygons or points, or CSV/XLSX with
        ``lon``/``lat`` or ``x``/``y`` columns (or none, with ``edges``).
    config : Config, str, pathlib.Path or None
        A config, the path of a TOML config, or None for the defaults.
    edges : str or pathlib.Path, optional
        A CSV/XLSX of neighbouring id pairs that replaces the computed adjacency.
        Its columns are ``a, b``, ``source, target``, ``from, to``, or its first two.
    add_edges : str or pathlib.Path, optional
        Such a file whose pairs are added to the adjacency.
    repair : bool
        Repair invalid polygons (``shapely.make_valid``) instead of refusing
        them. The input file is never changed.

    Returns
    -------
    Instance

    Raises
    ------
    InputError
        Anything unusable, named by file, village or line, column and fix:
        every bad cell and shape of the file at once (see
        :meth:`InputError.problems`).

    Warns
    -----
    UserWarning
        Which layer was read from a GIS file of several; and, in
        longitude/latitude, the villages far from the rest (misplaced, see
        :func:`pairing.graph.far_from_the_rest`): they are kept without
        neighbours and left out of the estimate of the UTM zone.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "villages.csv"
    >>> _ = path.write_text("village_id,township,population,strength,x,y\\n"
    ...                     "a,T,800,3,0,0\\nb,T,500,2,1000,0\\nc,T,400,1,0,1000\\n", encoding="utf-8")
    >>> instance = read_villages(path)
    >>> sorted(instance.graph.edges()), instance.weak.tolist()
    ([('a', 'b'), ('a', 'c'), ('b', 'c')], [False, False, True])
    """
    try:
        config = config if isinstance(config, Config) else Config.from_toml(config) if config is not None else Config()
        table = read_table(path)
    except InputError as error:
        raise error.in_file(str(path)) from None
    # Errors about a file of several layers name the layer they are about.
    source = f"{path} (layer {table.attrs['layer']})" if "layer" in table.attrs else str(path)
    try:
        return _instance(Path(path), table, config, edges, add_edges, repair)
    except InputError as error:
        raise error.in_file(source) from None


def _instance(path: Path, table: pd.DataFrame, config: Config, edges: str | Path | None, add_edges: str | Path | None,
              repair: bool) -> Instance:
    """The instance of a village table: every problem of its cells and shapes is raised at once."""
    problems = Problems()
    villages, names = _canonical_columns(table, config, problems)
    geometry, far = None, np.zeros(len(villages), dtype=bool)
    with problems.collecting():
        geometry, far = _geometry(villages, names, config, repair, required=edges is None)
    problems.raise_any()
    if isinstance(villages, gpd.GeoDataFrame):
        villages = pd.DataFrame(villages.drop(columns=villages.geometry.name))
    if geometry is not None:
        anchors = geometry.representative_point() if _is_polygonal(geometry) else geometry
        villages["x"], villages["y"] = anchors.x.to_numpy(), anchors.y.to_numpy()
    ids = list(villages["village_id"])
    if far.any():
        _warn_far(path, [village for village, is_far in zip(ids, far) if is_far])
    tolerance_edges = 0
    if edges is not None:
        pairs = read_edges(edges, ids)
    else:
        # Villages far from the rest stay out of the adjacency: whatever their neighbours there, they are misplaced.
        near, near_ids = geometry[~far], [village for village, is_far in zip(ids, far) if not is_far]
        if _is_polygonal(geometry):
            pairs, tolerance_edges = polygon_adjacency(near, near_ids, config.graph.tolerance_m)
        else:
            pairs = point_adjacency(near, near_ids, config.graph.max_edge_m)
    if add_edges is not None:
        pairs = [*pairs, *read_edges(add_edges, ids)]
    return Instance(villages, nx.Graph(pairs), geometry=geometry, source=str(path), tolerance_edges=tolerance_edges)


def _warn_far(path: Path, far_ids: list[str]) -> None:
    named = ", ".join(far_ids[:5]) + (f" and {len(far_ids) - 5} more" if len(far_ids) > 5 else "")
    one = len(far_ids) == 1
    warnings.warn(f"{path.name}: {len(far_ids)} {'village is' if one else 'villages are'} over {FAR_KM:,} km from the others, "
                  f"probably with wrong coordinates (e.g. 0,0): {named}; {'it is' if one else 'they are'} kept, with no neighbours from "
                  f"{'its' if one else 'their'} coordinates, and distances are measured in the others' UTM zone; correct the coordinates", UserWarning, stacklevel=4)


def _canonical_columns(table: pd.DataFrame, config: Config, problems: Problems) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table with canonical columns parsed, and each canonical column's name in the file.

    The problems of cells are added to ``problems`` (a bad cell is NaN); a
    missing required column or an empty table is raised at once.
    """
    names = {canonical: config.columns.get(canonical, canonical) for canonical in CANONICAL_COLUMNS + COORDINATE_COLUMNS}
    present = _present_columns(table, config, names)
    # Copies, not renames: [strength] weights name the columns as in the file, e.g. 户籍人口.
    villages = table.assign(**{canonical: table[column] for canonical, column in present.items()})
    villages["village_id"] = _village_ids(villages, names["village_id"], problems)
    rows = _row_labels(villages)
    villages["population"] = _populations(villages["population"], rows, names["population"], problems)
    villages["strength"] = _strength(villages, present, names, config, rows, problems)
    for flag in ("weak", "lead_eligible"):
        if flag in present:
            villages[flag] = _booleans(villages[flag], rows, names[flag], problems)
    if "weak" not in present:
        villages["weak"] = derive_weak(villages["strength"], villages["population"], config.weak)
    ids = villages["village_id"]
    villages["name"] = _text(villages["name"]).where(lambda name: name != "", ids) if "name" in present else ids
    villages["township"] = _townships(villages, present, names, config, rows, problems)
    if "industry" in present:
        villages["industry"] = _text(villages["industry"])
    mapped_away = [column for canonical, column in present.items() if column != canonical and column not in names]
    return villages.drop(columns=mapped_away), names


def _present_columns(table: pd.DataFrame, config: Config, names: dict[str, str]) -> dict[str, str]:
    """Each canonical column the file has -> its name there; every missing mapped or required column is raised at once."""
    problems = Problems()
    for canonical, column in config.columns.items():
        if column not in table.columns:
            problems.add(InputError(f"missing column {column} (mapped to {canonical})", fix="add it to the file, or fix the [columns] mapping", column=column))
    present = {canonical: column for canonical, column in names.items() if column in table.columns}
    for canonical in ("village_id", "population"):
        if canonical not in present and canonical not in config.columns:
            problems.add(InputError(f"missing column {names[canonical]}", fix=f"add it, or map it in the config's [columns] ({canonical} = \"your column\")",
                                    column=names[canonical]))
    problems.raise_any()
    if table.empty:
        raise InputError("the file has no villages", fix="give one row per village")
    return present


def _village_ids(villages: pd.DataFrame, column: str, problems: Problems) -> pd.Series:
    ids, lines, first_line = _text(villages["village_id"]), _line_labels(villages), {}
    for village, line in zip(ids, lines):
        if not village:
            problems.add(InputError("village id is empty", fix="give every village an id", row=line, column=column))
        elif village in first_line:
            problems.add(InputError(f"duplicate village id {village} (also on {first_line[village]})", fix="give every village its own id", row=line,
                                    column=column))
        else:
            first_line[village] = line
    return ids


def _row_labels(villages: pd.DataFrame) -> list[str]:
    """How messages name each row: ``village <id>``, or its line when the id is empty or not unique."""
    ids = villages["village_id"]
    repeated = ids.duplicated(keep=False).to_numpy()
    return [line if not village or twice else f"village {village}" for village, twice, line in zip(ids, repeated, _line_labels(villages))]


def _strength(villages: pd.DataFrame, present: dict[str, str], names: dict[str, str], config: Config, rows: list[str],
              problems: Problems) -> pd.Series:
    """The strength column, or derived by ``[strength]``; NaN where it cannot be had."""
    if "strength" in present:
        return _numbers(villages["strength"], rows, names["strength"], problems)
    if config.strength is None:
        problems.add(InputError("missing column strength", fix="add it or define [strength] weights in the config", column=names["strength"]))
    else:
        try:
            return derive_strength(villages, config.strength)
        except InputError as error:
            # An indicator may be the population column: its bad cells are reported once.
            reported = {(problem.row, problem.column) for found in problems.found for problem in found.problems()}
            for problem in error.problems():
                if (problem.row, problem.column) not in reported:
                    problems.add(problem)
    return pd.Series(np.nan, index=villages.index)


def _townships(villages: pd.DataFrame, present: dict[str, str], names: dict[str, str], config: Config, rows: list[str],
               problems: Problems) -> pd.Series:
    if "township" not in present:
        if config.rules.same_township:
            problems.add(InputError(f"missing column {names['township']}", fix="add it, map it in [columns], or set same_township = false in [rules]",
                                    column=names["township"]))
        return pd.Series("", index=villages.index, dtype=object)
    townships = _text(villages["township"])
    if config.rules.same_township:
        for position in np.flatnonzero((townships == "").to_numpy()):
            problems.add(InputError("township is empty", fix="fill it in, or set same_township = false in [rules]", row=rows[position],
                                    column=names["township"]))
    return townships


def _geometry(villages: pd.DataFrame, names: dict[str, str], config: Config, repair: bool,
              required: bool) -> tuple[gpd.GeoSeries | None, np.ndarray]:
    """The villages' geometry in a metric CRS (None for a plain table without
    coordinates when an edge list replaces the geometry), and which villages are
    far from the rest (:func:`pairing.graph.far_from_the_rest`), in
    longitude/latitude only; every problem of the shapes is raised at once."""
    rows = _row_labels(villages)
    if isinstance(villages, gpd.GeoDataFrame):
        geometry = villages.geometry
        if geometry.crs is None:
            if config.crs is None:
                raise InputError("no CRS", fix="set one in QGIS or give crs in [columns]")
            geometry = geometry.set_crs(config.crs)
    else:
        geometry = _table_points(villages, names, config, rows, required)
        if geometry is None:
            return None, np.zeros(len(villages), dtype=bool)
    geometry = _checked_shapes(geometry.reset_index(drop=True), rows, repair)
    if geometry.crs is None:
        return geometry, np.zeros(len(geometry), dtype=bool)
    far = far_from_the_rest(geometry) if geometry.crs.is_geographic else np.zeros(len(geometry), dtype=bool)
    return geometry.to_crs(metric_crs(geometry)), far


def _table_points(villages: pd.DataFrame, names: dict[str, str], config: Config, rows: list[str], required: bool) -> gpd.GeoSeries | None:
    """Points from the lon/lat (or x/y) columns of a table, None when it has neither."""
    axes = next((axes for axes in (("lon", "lat"), ("x", "y")) if all(axis in villages.columns for axis in axes)), None)
    if axes is None:
        if required:
            raise InputError("no geometry", fix="add lon/lat (or x/y) columns, or give --edges FILE")
        return None
    problems = Problems()
    first, second = (_numbers(villages[axis], rows, names[axis], problems) for axis in axes)
    if axes == ("lon", "lat") and config.crs is None:
        outside = (first.abs() > 180) | (second.abs() > 90)
        for position in np.flatnonzero(outside.to_numpy()):
            problems.add(InputError(f"longitude/latitude out of range ({first.iloc[position]:g}, {second.iloc[position]:g})",
                                    fix="check that lon and lat are not swapped, or give crs in [columns]", row=rows[position],
                                    column=f"{names['lon']}/{names['lat']}"))
    problems.raise_any()
    return gpd.GeoSeries(gpd.points_from_xy(first, second), crs=config.crs or ("EPSG:4326" if axes == ("lon", "lat") else None))


def _checked_shapes(geometry: gpd.GeoSeries, rows: list[str], repair: bool) -> gpd.GeoSeries:
    """The geometry when every village has one polygon (or every one a point), valid or repaired; else every problem at once."""
    problems = Problems()
    empty = _empty(geometry)
    for position in np.flatnonzero(empty):
        problems.add(InputError("empty geometry", fix="draw the village or give its coordinates, or remove the row", row=rows[position]))
    kinds = geometry.geom_type.map({"Polygon": "polygon", "MultiPolygon": "polygon", "Point": "point"})
    usual = kinds[~empty].mode()
    odd = ~empty & (kinds.isna() | (kinds != (usual.iloc[0] if len(usual) else None))).to_numpy()
    for position in np.flatnonzero(odd):
        problems.add(InputError(f"{geometry.geom_type.iloc[position]} geometry", fix="give every village a polygon, or every village a point",
                                row=rows[position]))
    invalid = ~empty & ~odd & ~geometry.is_valid.to_numpy()
    if repair and invalid.any():
        # "structure" keeps only the polygonal parts: no stray lines from collapsed spikes.
        geometry[invalid] = geometry[invalid].make_valid(method="structure", keep_collapsed=False)
        for position in np.flatnonzero(invalid & _empty(geometry)):
            problems.add(InputError("empty geometry", fix="nothing is left of the polygon after repair: redraw it", row=rows[position]))
    elif invalid.any():
        for position in np.flatnonzero(invalid):
            problems.add(InputError(f"invalid polygon ({shapely.is_valid_reason(geometry.iloc[position])})",
                                    fix="repair it with buffer(0) or shapely.make_valid, or rerun with --repair", row=rows[position]))
    problems.raise_any()
    return geometry


def _empty(geometry: gpd.GeoSeries) -> np.ndarray:
    return (geometry.isna() | geometry.is_empty).to_numpy()


def _is_polygonal(geometry: gpd.GeoSeries | None) -> bool:
    return geometry is not None and geometry.geom_type.iloc[0] != "Point"


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
    pair, ends, lines = _id_pairs(path, EDGE_COLUMN_PAIRS, "write two columns a,b with one neighbouring pair per line")
    known, problems = set(ids), Problems()
    for column, values in zip(pair, ends):
        for position in np.flatnonzero((~values.isin(known)).to_numpy()):
            problems.add(InputError(f"unknown village id {values.iloc[position] or '(empty)'}", fix="use ids from the village table, or remove the line",
                                    file=str(path), row=lines[position], column=str(column)))
    problems.raise_any()
    return list(zip(ends[0], ends[1]))


def _id_pairs(path: str | Path, column_pairs: Sequence[tuple[str, str]], fix: str) -> tuple[list, list[pd.Series], list[str]]:
    """The two id columns of a CSV/XLSX of id pairs (the first of ``column_pairs``
    present, any case, else the first two columns), as text, with each row's line."""
    table = pd.DataFrame(read_table(path)).drop(columns="geometry", errors="ignore")
    by_lower = {str(column).lower(): column for column in table.columns}
    pair = next(([by_lower[a], by_lower[b]] for a, b in column_pairs if a in by_lower and b in by_lower), list(table.columns[:2]))
    if len(pair) < 2:
        raise InputError("the file needs two id columns", fix=fix, file=str(path))
    return pair, [_text(table[column]) for column in pair], _line_labels(table)


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
    pair, (old, new), lines = _id_pairs(path, RENAME_COLUMN_PAIRS, "write two columns old,new with one renamed village per line")
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
        (:func:`pairing.compare.diff`), not to check or measure them.
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
    >>> table = pd.DataFrame({"village_id": ["a", "b", "c"], "name": ["A", "B", "C"], "township": "T",
    ...     "population": [500, 400, 300], "strength": [3.0, 2.0, 1.0], "weak": [False, True, True]})
    >>> instance = Instance(table, nx.path_graph(["a", "b", "c"]))
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
    from .report import LABELS, header_names, role_names

    sheets = ("villages", *LABELS["sheet:villages"])
    raw = read_table(path, prefer=sheets, name_layer=False)  # a plan.gpkg's groups layer is derived from its villages
    rows = _line_labels(raw)
    table = pd.DataFrame(raw).drop(columns="geometry", errors="ignore")
    headers = header_names()
    canonical = {column: headers[str(column).strip().lower()] for column in table.columns if str(column).strip().lower() in headers}
    table = table.rename(columns=canonical)
    table = table.loc[:, ~table.columns.duplicated()]
    for column in ("village_id", "group_id", "role"):
        if column not in table.columns:
            raise InputError(f"missing column {column}", fix="a plan needs the columns village_id, group_id and role", file=str(path), column=column)
    roles = role_names()
    table["village_id"] = _text(table["village_id"])
    table["group_id"] = _text(table["group_id"])
    table["role"] = _text(table["role"]).map(lambda role: roles.get(role.lower(), role) if role else "none")
    table.attrs["rows"] = rows  # how a user finds each row: "line 3" of a CSV/XLSX, "feature 2" of a GPKG
    return table


def _stand_in_instance(table: pd.DataFrame) -> Instance:
    """Villages for a plan read without its village table: ids, names and
    townships from the plan itself, and neutral figures."""
    villages = table.drop_duplicates("village_id")
    ids = villages["village_id"]
    return Instance(pd.DataFrame({
        "village_id": ids,
        "name": _text(villages["name"]).where(lambda name: name != "", ids) if "name" in villages.columns else ids,
        "township": _text(villages["township"]) if "township" in villages.columns else "",
        "population": 1, "strength": 0.0, "weak": False,
    }), nx.Graph())


# -- parsing cells ---------------------------------------------------------------------
def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, missing as ""; whole floats (a GPKG's numeric ids) lose their ".0"."""
    if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
        values = values.astype("Int64")
    return values.map(lambda value: "" if pd.isna(value) else str(value).strip()).astype(object)


def _numbers(values: pd.Series, rows: list[str], column: str, problems: Problems, *, whole_positive: bool = False) -> pd.Series:
    """Cells as floats, NaN where a cell is not a (finite, or whole and positive) number, each such cell added to ``problems``."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers.to_numpy())
    if whole_positive:
        bad |= ~((numbers > 0) & (numbers % 1 == 0)).to_numpy()
    for position in np.flatnonzero(bad):
        raw = values.iloc[position]
        problem = ("is empty" if pd.isna(raw) or str(raw).strip() == "" else f"{raw!r} is not a number" if not np.isfinite(numbers.iloc[position])
                   else f"{raw} is not a whole number above 0")
        problems.add(InputError(f"value {problem}", fix="write a whole number above 0" if whole_positive else "write a number", row=rows[position],
                                column=column))
    return numbers.mask(bad)


def _populations(values: pd.Series, rows: list[str], column: str, problems: Problems) -> pd.Series:
    """Population cells as floats (exact below :data:`MAX_POPULATION`), NaN where a cell is not a plausible population."""
    numbers = _numbers(values, rows, column, problems, whole_positive=True)
    over = (numbers > MAX_POPULATION).to_numpy()
    for position in np.flatnonzero(over):
        # The cell as written: the parsed number may print as 1e+19, or wrap around in int64.
        problems.add(InputError(f"value {values.iloc[position]} is over {MAX_POPULATION:,} people, too many for one village",
                                fix="write the village's registered population (check for extra digits)", row=rows[position], column=column))
    return numbers.mask(over)


def _booleans(values: pd.Series, rows: list[str], column: str, problems: Problems) -> pd.Series:
    words = _text(values).str.lower()
    for position in np.flatnonzero((~words.isin(TRUE_WORDS + FALSE_WORDS)).to_numpy()):
        problem = "value is empty" if words.iloc[position] == "" else f"{values.iloc[position]!r} is not yes or no"
        problems.add(InputError(problem, fix="write 是/否, yes/no, true/false, Y/N or 1/0", row=rows[position], column=column))
    return words.isin(TRUE_WORDS)


def _line_labels(table: pd.DataFrame) -> list[str]:
    """How a user finds a row: its line in a CSV/XLSX (the index counts data rows, blank ones
    included), its feature number in a GIS file."""
    if isinstance(table, gpd.GeoDataFrame):
        return [f"feature {position + 1}" for position in range(len(table))]
    return [f"line {label + 2}" for label in table.index]


# -- writing ---------------------------------------------------------------------------
@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temp path beside ``path`` to write into; renamed onto ``path`` when the
    block succeeds, removed when it fails (the old ``path`` stays intact).

    The temp name ends with the same suffix, for writers that choose the format
    by it.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(path) as temp:
    ...     _ = temp.write_text("done")
    >>> path.read_text(), [p.name for p in path.parent.iterdir()]
    ('done', ['out.txt'])
    """
    path = Path(path)
    temp = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


#: What :func:`write_plan` can write: format -> file name, in the order written.
PLAN_FILES = {"csv": "plan.csv", "json": "summary.json", "gpkg": "plan.gpkg", "xlsx": "plan.xlsx", "html": "report.html", "png": "map.png"}


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Output formats from ``"csv,json,..."`` or a sequence, checked, in writing order.

    Examples
    --------
    >>> parse_formats("png, csv")
    ('csv', 'png')
    """
    names = [name.strip().lower() for name in (formats.split(",") if isinstance(formats, str) else formats) if name.strip()]
    unknown = [name for name in names if name not in PLAN_FILES]
    if unknown or not names:
        raise InputError(f"unknown output format {unknown[0] if unknown else '(none)'}", fix=f"choose among {','.join(PLAN_FILES)}", column="--format")
    return tuple(name for name in PLAN_FILES if name in names)


@dataclass(frozen=True)
class _Deliverable:
    """What every writer of :func:`write_plan` may need, computed once."""

    lang: str
    extra: dict
    provenance: dict
    violations: tuple


def write_plan(plan: Plan, out_dir: str | Path, extra: dict | None = None, *,
               formats: str | Iterable[str] = ("csv", "json"), lang: str = "en", violations=None,
               deadline: Deadline | None = None) -> list[Path]:
    """Write a plan's deliverables into ``out_dir`` as one set (see
    :class:`pairing.outputs.OutputFolder`): all of them or, when anything
    fails, none, and no file of an earlier run's plan is left beside them.

    - ``csv``: ``plan.csv``, one row per village (UTF-8 with BOM so that Excel
      shows Chinese names);
    - ``json``: ``summary.json``, the solve's account, the metrics, and which
      files were written and how long each took (written last);
    - ``gpkg``: ``plan.gpkg`` for QGIS, layer ``villages`` (every input attribute
      plus ``group_id, role, lead_id, lead_name, reason``) and layer ``groups``
      (one feature per group: the union of its villages, or the convex hull of
      its points, with lead, members, size, population, weak count, township);
    - ``xlsx``: ``plan.xlsx``, sheets groups, villages, ungrouped (with reasons)
      and summary (rules, solver status and proof, date, input file and SHA-256);
    - ``html``: ``report.html``, the self-contained offline report with the map;
    - ``png``: ``map.png``, the printable map.

    ``gpkg`` and ``png`` need geometry: without it they are skipped with a
    warning. Ungrouped villages get their reasons computed when the plan lacks
    them (a plan read from a file).

    Parameters
    ----------
    plan : Plan
        The plan.
    out_dir : str or pathlib.Path
        Created when missing.
    extra : dict, optional
        More entries for ``summary.json`` (e.g. the checker's verdict).
    formats : str or iterable of str
        Any of ``csv, json, gpkg, xlsx, html, png`` (a comma-separated string or
        a sequence); ``csv`` and ``json`` by default.
    lang : {"en", "zh"}
        Language of the headers and labels of the xlsx, html and png.
    violations : list of Violation, optional
        The checker's verdict, when already known.
    deadline : Deadline, optional
        A file still being written when it passes is skipped (and so are the
        files after it), except ``summary.json``, which says so.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> from pairing.plan import Group
    >>> table = pd.DataFrame({"village_id": ["a", "b", "c"], "name": ["A", "B", "C"], "township": "T",
    ...     "population": [500, 400, 300], "strength": [3.0, 2.0, 1.0], "weak": [False, True, True]})
    >>> plan = Plan(Instance(table, nx.path_graph(["a", "b", "c"])), Rules(), (Group("g1", ("a",), ("b", "c")),))
    >>> [path.name for path in write_plan(plan, tempfile.mkdtemp())]
    ['plan.csv', 'summary.json']
    >>> [path.name for path in write_plan(plan, tempfile.mkdtemp(), formats="xlsx,html", lang="zh")]
    ['plan.xlsx', 'report.html']
    """
    formats = parse_formats(formats)
    with OutputFolder(out_dir, owned=PLAN_FILES.values()) as output:
        write_plan_into(output, plan, extra, formats=formats, lang=lang, violations=violations, deadline=deadline)
    return [Path(out_dir) / PLAN_FILES[name] for name in formats if PLAN_FILES[name] in output.written]


def write_plan_into(output: OutputFolder, plan: Plan, extra: dict | None = None, *, formats: Iterable[str] = ("csv", "json"),
                    lang: str = "en", violations=None, deadline: Deadline | None = None, folder: str = "") -> None:
    """Write a plan's deliverables (see :func:`write_plan`) into an open output
    set, under ``folder`` within it: the fast files first, the map last, and
    ``summary.json`` after them all, with what was written and skipped."""
    from .check import check
    from .report import label, with_reasons

    formats = parse_formats(formats)
    label("title", lang)  # refuses an unknown language before anything is written
    plan = with_reasons(plan)
    if violations is None and {"xlsx", "html"} & set(formats):
        violations = check(plan)
    deliverable = _Deliverable(lang, extra or {}, plan_provenance(plan), tuple(violations or ()))
    for name in sorted((name for name in formats if name != "json"), key=WRITING_ORDER.index):
        output.write(f"{folder}/{PLAN_FILES[name]}".lstrip("/"), functools.partial(_WRITERS[name], plan, deliverable=deliverable),
                     deadline)
    if "json" in formats:
        def account(path: Path) -> None:
            files = {"written": {Path(name).name: seconds for name, seconds in output.written.items() if name.startswith(folder)},
                     "skipped": {Path(name).name: why for name, why in output.skipped.items() if name.startswith(folder)}}
            _write_json(plan, path, replace(deliverable, extra={**deliverable.extra, "files": files}))

        output.write(f"{folder}/{PLAN_FILES['json']}".lstrip("/"), account)


#: The order plan files are written in: the quick ones first, the map last.
WRITING_ORDER = ("csv", "gpkg", "xlsx", "html", "png", "json")
#: Seconds per village each format takes to write, measured on generated 10,000
#: villages (2 cores): what a command keeps for writing out of its time limit.
WRITING_SECONDS_PER_VILLAGE = {"csv": 1e-5, "json": 1e-5, "gpkg": 6e-5, "xlsx": 3.5e-4, "html": 2e-4, "png": 4e-4}


def writing_estimate(villages: int, formats: Iterable[str]) -> float:
    """About how many seconds writing ``formats`` of a plan of ``villages`` takes.

    Examples
    --------
    >>> round(writing_estimate(10_000, ["csv", "json"]), 2)
    0.7
    """
    return 0.5 + villages * sum(WRITING_SECONDS_PER_VILLAGE[name] for name in parse_formats(formats))


def plan_provenance(plan: Plan) -> dict[str, str]:
    """Where a plan's outputs come from: ``input`` file, its ``input_sha256``
    (empty when it is not a file), the ``written`` time and the ``pairing`` version.

    Examples
    --------
    >>> import networkx as nx
    >>> table = pd.DataFrame({"village_id": ["a"], "name": ["A"], "township": "T", "population": [500],
    ...     "strength": [1.0], "weak": [False]})
    >>> sorted(plan_provenance(Plan(Instance(table, nx.Graph()), Rules(), ())))
    ['input', 'input_sha256', 'pairing', 'written']
    """
    from . import __version__

    source = Path(plan.instance.source) if plan.instance.source else None
    return {"input": str(source or ""), "input_sha256": file_sha256(source) if source and source.is_file() else "",
            "written": datetime.now().astimezone().isoformat(timespec="seconds"), "pairing": __version__}


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file, in hex, read in blocks.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = path.write_bytes(b"abc")
    >>> file_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_csv(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    table = plan.assignment()
    for column in ("population", "weak", "strength"):
        table[column] = plan.instance.villages[column].to_numpy()
    return write_villages(table, path)


def _write_json(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    summary = {**plan.summary(), **deliverable.extra}
    return write_text(path, json.dumps(summary, ensure_ascii=False, indent=2, default=_json_value) + "\n")


def _write_gpkg(plan: Plan, path: Path, deliverable: _Deliverable) -> Path | None:
    from .report import group_shapes, group_table, village_table

    geometry = plan.instance.geometry
    if geometry is None:
        warnings.warn(f"{path.name} not written: the input has no geometry", UserWarning, stacklevel=3)
        return None
    villages = gpd.GeoDataFrame(village_table(plan), geometry=_one_kind(geometry.to_numpy()), crs=geometry.crs)
    groups = gpd.GeoDataFrame(group_table(plan), geometry=_one_kind(group_shapes(plan)), crs=geometry.crs)
    # GeoPackage 1.2: what the GDAL of older QGIS installs (e.g. 3.6) reads without a warning.
    villages.to_file(path, layer="villages", driver="GPKG", VERSION="1.2")
    # A layer's geometry type must be known even when there is no group.
    groups.to_file(path, layer="groups", driver="GPKG", mode="a", geometry_type="MultiPolygon" if groups.empty else None)
    return path


def _one_kind(shapes) -> list:
    """Polygons and multipolygons mixed become all multipolygons: one geometry
    type per layer, as GIS software expects."""
    shapes = list(shapes)
    if any(shape is not None and shape.geom_type == "MultiPolygon" for shape in shapes):
        return [shapely.MultiPolygon([shape]) if shape is not None and shape.geom_type == "Polygon" else shape for shape in shapes]
    return shapes


def _write_xlsx(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    from .report import group_table, label, localise, summary_rows, ungrouped_table, village_table

    lang = deliverable.lang
    summary = summary_rows(plan, lang, provenance=deliverable.provenance, violations=deliverable.violations)
    summary += [(label("violations", lang), str(violation)) for violation in deliverable.violations]
    sheets = {
        label("sheet:groups", lang): localise(group_table(plan), lang),
        label("sheet:villages", lang): localise(village_table(plan), lang),
        label("sheet:ungrouped", lang): localise(ungrouped_table(plan), lang),
        label("sheet:summary", lang): pd.DataFrame(summary, columns=[label("item", lang), label("value", lang)]),
    }
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], table)
    return path


def _format_sheet(sheet, table: pd.DataFrame) -> None:
    """Bold frozen header with filters, columns as wide as their text (a Chinese
    character counts twice), thousands separators on whole numbers."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .report import CJK_START

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if len(table):
        sheet.auto_filter.ref = sheet.dimensions
    for position, column in enumerate(table.columns, start=1):
        texts = [str(column), *table[column].astype(str).head(500)]
        width = max(sum(2 if ord(character) >= CJK_START else 1 for character in text) for text in texts)
        sheet.column_dimensions[get_column_letter(position)].width = min(60, width + 2)
        if pd.api.types.is_integer_dtype(table[column]):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = "#,##0"


def _write_html(plan: Plan, path: Path, deliverable: _Deliverable) -> Path:
    from .report import report_html

    return write_text(path, report_html(plan, deliverable.lang, provenance=deliverable.provenance, violations=deliverable.violations))


def _write_png(plan: Plan, path: Path, deliverable: _Deliverable) -> Path | None:
    from .report import map_png

    if plan.instance.geometry is None:
        warnings.warn(f"{path.name} not written: the input has no geometry", UserWarning, stacklevel=3)
        return None
    path.write_bytes(map_png(plan, deliverable.lang))
    return path


_WRITERS = {"csv": _write_csv, "json": _write_json, "gpkg": _write_gpkg, "xlsx": _write_xlsx, "html": _write_html, "png": _write_png}


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically.

    Examples
    --------
    >>> import tempfile
    >>> path = write_text(Path(tempfile.mkdtemp()) / "a.html", "<p>东村</p>")
    >>> path.read_text(encoding="utf-8")
    '<p>东村</p>'
    """
    path = Path(path)
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write bytes (an image) atomically, creating the folder when missing.

    Examples
    --------
    >>> import tempfile
    >>> write_bytes(Path(tempfile.mkdtemp()) / "a.png", b"\\x89PNG").read_bytes()
    b'\\x89PNG'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temp:
        temp.write_bytes(data)
    return path


def _anchor_columns(table: gpd.GeoDataFrame) -> dict[str, pd.Series]:
    """A point inside each village as lon/lat (to 0.1 m), or as x/y without a CRS; none if the table has them."""
    axes = ("lon", "lat") if table.crs is not None else ("x", "y")
    if set(axes) & set(table.columns):
        return {}
    anchors = table.geometry.representative_point()
    if table.crs is not None:
        anchors = anchors.to_crs("EPSG:4326")
    return {axes[0]: anchors.x.round(6), axes[1]: anchors.y.round(6)}


def _json_value(value: object) -> object:
    """numpy scalars and anything else json does not know."""
    return value.item() if hasattr(value, "item") else str(value)


def write_villages(table: pd.DataFrame | gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write a table with one row per village, atomically, in the format of the suffix.

    ``.gpkg`` (layer ``villages``) and ``.geojson``/``.json`` need a
    GeoDataFrame (GeoJSON is written in longitude/latitude). ``.csv`` (UTF-8
    with BOM, for Excel) and ``.xlsx`` replace the geometry by a point per
    village: ``lon``/``lat`` (or ``x``/``y`` without a CRS), so that
    :func:`read_villages` can read the file back.

    Parameters
    ----------
    table : pandas.DataFrame or geopandas.GeoDataFrame
        The table.
    path : str or pathlib.Path
        Where to write it.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "villages.csv"
    >>> _ = write_villages(pd.DataFrame({"village_id": ["037"], "name": ["东村"]}), path)
    >>> path.read_bytes().decode("utf-8")
    '\\ufeffvillage_id,name\\n037,东村\\n'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    geographic = isinstance(table, gpd.GeoDataFrame) and table.active_geometry_name in table.columns
    if suffix in (".gpkg", ".geojson", ".json") and not geographic:
        raise InputError("the table has no geometry", fix="write it as .csv or .xlsx", file=str(path))
    if suffix not in (".gpkg", ".geojson", ".json", ".csv", ".xlsx"):
        raise InputError(f"cannot write {suffix or 'files without a suffix'}", fix="use .gpkg, .geojson, .csv or .xlsx", file=str(path))
    with atomic_path(path) as temp:
        if suffix == ".gpkg":
            table.to_file(temp, layer="villages", driver="GPKG")
        elif suffix in (".geojson", ".json"):
            (table.to_crs("EPSG:4326") if table.crs is not None else table).to_file(temp, driver="GeoJSON")
        else:
            plain = pd.DataFrame(table).drop(columns=table.active_geometry_name if geographic else [])
            if geographic:
                plain = plain.assign(**_anchor_columns(table))
            if suffix == ".csv":
                plain.to_csv(temp, index=False, encoding="utf-8-sig")
            else:
                plain.to_excel(temp, index=False)
    return path
