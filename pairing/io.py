"""Reading and writing files: the only module of pairing that touches the disk.

Inputs are what county planners have: a GPKG, GeoJSON or shapefile of village
polygons or points, or a CSV/XLSX table with Chinese headers saved by Excel on
Chinese Windows. Outputs are written atomically (a temp file renamed into
place), so a failed write never leaves half a file or destroys an old one, and
inputs are never modified.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import StringIO
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import pyogrio
import shapely

from .config import Config
from .errors import InputError
from .graph import metric_crs, point_adjacency, polygon_adjacency
from .instance import Instance, derive_strength, derive_weak
from .plan import Plan
from .rules import Rules

GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp")
TABLE_SUFFIXES = (".csv", ".xlsx")
TRUE_WORDS = ("true", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "0", "no", "n", "否")
EDGE_COLUMN_PAIRS = (("a", "b"), ("source", "target"), ("from", "to"))


# -- reading -------------------------------------------------------------------------
def read_table(path: str | Path, prefer: Sequence[str] = ("villages",)) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a village table, an edge list or a plan, by the file's suffix.

    GPKG, GeoJSON and shapefiles give a GeoDataFrame (the first layer named in
    ``prefer`` that the file has, else its first). CSV and XLSX (likewise the
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

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame

    Raises
    ------
    InputError
        The file is missing, has an unknown suffix or cannot be read.

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
    if not path.is_file():
        raise InputError("file not found", fix="check the path", file=str(path))
    try:
        if suffix in GEO_SUFFIXES:
            layers = [name for name, _ in pyogrio.list_layers(path)]
            return gpd.read_file(path, layer=next((name for name in prefer if name in layers), layers[0]))
        text_options = {"dtype": str, "keep_default_na": False, "na_values": [""]}
        if suffix == ".xlsx":
            with pd.ExcelFile(path) as book:
                table = pd.read_excel(book, sheet_name=next((name for name in prefer if name in book.sheet_names), 0), **text_options)
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


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise InputError("the file is neither UTF-8 nor GBK/GB18030 text", fix="save it from Excel as CSV UTF-8") from None


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
        Anything unusable, named by file, village or line, column and fix.

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
        villages, names = _canonical_columns(table, config)
        geometry = _geometry(villages, names, config, repair, required=edges is None)
        if isinstance(villages, gpd.GeoDataFrame):
            villages = pd.DataFrame(villages.drop(columns=villages.geometry.name))
        if geometry is not None:
            anchors = geometry.representative_point() if _is_polygonal(geometry) else geometry
            villages["x"], villages["y"] = anchors.x.to_numpy(), anchors.y.to_numpy()
        ids = list(villages["village_id"])
        tolerance_edges = 0
        if edges is not None:
            pairs = read_edges(edges, ids)
        elif _is_polygonal(geometry):
            pairs, tolerance_edges = polygon_adjacency(geometry, ids, config.graph.tolerance_m)
        else:
            pairs = point_adjacency(geometry, ids, config.graph.max_edge_m)
        if add_edges is not None:
            pairs = [*pairs, *read_edges(add_edges, ids)]
        graph = nx.Graph(pairs)
        return Instance(villages, graph, geometry=geometry, source=str(path), tolerance_edges=tolerance_edges)
    except InputError as error:
        raise error.in_file(str(path)) from None


def _canonical_columns(table: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, dict[str, str]]:
    """The table with canonical columns parsed, and each canonical column's name in the file."""
    names = {canonical: config.columns.get(canonical, canonical) for canonical in
             ("village_id", "name", "township", "population", "strength", "weak", "lead_eligible", "industry", "lon", "lat", "x", "y")}
    for canonical, column in config.columns.items():
        if column not in table.columns:
            raise InputError(f"missing column {column} (mapped to {canonical})", fix="add it to the file, or fix the [columns] mapping", column=column)
    present = {canonical: column for canonical, column in names.items() if column in table.columns}
    for canonical in ("village_id", "population"):
        if canonical not in present:
            raise InputError(f"missing column {names[canonical]}", fix=f"add it, or map it in the config's [columns] ({canonical} = \"your column\")", column=names[canonical])
    if table.empty:
        raise InputError("the file has no villages", fix="give one row per village")
    # Copies, not renames: [strength] weights name the columns as in the file, e.g. 户籍人口.
    villages = table.assign(**{canonical: table[column] for canonical, column in present.items()})
    villages["village_id"] = _text(villages["village_id"])
    lines = _line_labels(table)
    empty = villages["village_id"] == ""
    if empty.any():
        raise InputError("village id is empty", fix="give every village an id", row=lines[empty.to_numpy().argmax()], column=names["village_id"])
    repeated = villages["village_id"].duplicated()
    if repeated.any():
        position = int(repeated.to_numpy().argmax())
        village = villages["village_id"].iloc[position]
        first = int((villages["village_id"] == village).to_numpy().argmax())
        raise InputError(f"duplicate village id {village} (also on {lines[first]})", fix="give every village its own id",
                         row=lines[position], column=names["village_id"])
    ids = villages["village_id"]
    villages["population"] = _numbers(villages["population"], ids, names["population"], whole_positive=True).astype("int64")
    if "strength" in present:
        villages["strength"] = _numbers(villages["strength"], ids, names["strength"])
    elif config.strength is not None:
        villages["strength"] = derive_strength(villages, config.strength)
    else:
        raise InputError("missing column strength", fix="add it or define [strength] weights in the config", column=names["strength"])
    for flag in ("weak", "lead_eligible"):
        if flag in present:
            villages[flag] = _booleans(villages[flag], ids, names[flag])
    if "weak" not in present:
        villages["weak"] = derive_weak(villages["strength"], villages["population"], config.weak)
    villages["name"] = _text(villages["name"]).where(lambda name: name != "", ids) if "name" in present else ids
    if "township" in present:
        villages["township"] = _text(villages["township"])
        empty = villages["township"] == ""
        if empty.any() and config.rules.same_township:
            raise InputError("township is empty", fix="fill it in, or set same_township = false in [rules]",
                             row=f"village {ids[empty].iloc[0]}", column=names["township"])
    elif config.rules.same_township:
        raise InputError(f"missing column {names['township']}", fix="add it, map it in [columns], or set same_township = false in [rules]", column=names["township"])
    else:
        villages["township"] = ""
    if "industry" in present:
        villages["industry"] = _text(villages["industry"])
    mapped_away = [column for canonical, column in present.items() if column != canonical and column not in names]
    return villages.drop(columns=mapped_away), names


def _geometry(villages: pd.DataFrame, names: dict[str, str], config: Config, repair: bool, required: bool) -> gpd.GeoSeries | None:
    """The villages' geometry in a metric CRS, or None for a plain table without
    coordinates when an edge list replaces the geometry."""
    ids = villages["village_id"]
    if isinstance(villages, gpd.GeoDataFrame):
        geometry = villages.geometry
        if geometry.crs is None:
            if config.crs is None:
                raise InputError("no CRS", fix="set one in QGIS or give crs in [columns]")
            geometry = geometry.set_crs(config.crs)
    else:
        axes = next((axes for axes in (("lon", "lat"), ("x", "y")) if all(axis in villages.columns for axis in axes)), None)
        if axes is None:
            if required:
                raise InputError("no geometry", fix="add lon/lat (or x/y) columns, or give --edges FILE")
            return None
        first, second = (_numbers(villages[axis], ids, names[axis]) for axis in axes)
        outside = ~(first.abs().le(180) & second.abs().le(90))
        if axes == ("lon", "lat") and config.crs is None and outside.any():
            raise InputError("longitude/latitude out of range", fix="check that lon and lat are not swapped, or give crs in [columns]",
                             row=f"village {ids[outside].iloc[0]}", column=f"{names['lon']}/{names['lat']}")
        crs = config.crs or ("EPSG:4326" if axes == ("lon", "lat") else None)
        geometry = gpd.GeoSeries(gpd.points_from_xy(first, second), crs=crs)
    geometry = geometry.reset_index(drop=True)
    _refuse_empty(geometry, ids, "draw the village or give its coordinates, or remove the row")
    kinds = geometry.geom_type.map({"Polygon": "polygon", "MultiPolygon": "polygon", "Point": "point"})
    odd = kinds.isna() | (kinds != kinds.iloc[0])
    if odd.any():
        raise InputError(f"{geometry.geom_type[odd].iloc[0]} geometry", fix="give every village a polygon, or every village a point",
                         row=f"village {ids[odd.to_numpy()].iloc[0]}")
    invalid = ~geometry.is_valid
    if invalid.any():
        if not repair:
            position = int(invalid.to_numpy().argmax())
            raise InputError(f"invalid polygon ({shapely.is_valid_reason(geometry.iloc[position])})",
                             fix="repair it with buffer(0) or shapely.make_valid, or rerun with --repair", row=f"village {ids.iloc[position]}")
        # "structure" keeps only the polygonal parts: no stray lines from collapsed spikes.
        geometry[invalid] = geometry[invalid].make_valid(method="structure", keep_collapsed=False)
        _refuse_empty(geometry, ids, "nothing is left of the polygon after repair: redraw it")
    return geometry.to_crs(metric_crs(geometry)) if geometry.crs is not None else geometry


def _refuse_empty(geometry: gpd.GeoSeries, ids: pd.Series, fix: str) -> None:
    empty = (geometry.isna() | geometry.is_empty).to_numpy()
    if empty.any():
        raise InputError("empty geometry", fix=fix, row=f"village {ids[empty].iloc[0]}")


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
    known = set(ids)
    for column, values in zip(pair, ends):
        unknown = ~values.isin(known)
        if unknown.any():
            position = int(unknown.to_numpy().argmax())
            raise InputError(f"unknown village id {values.iloc[position] or '(empty)'}", fix="use ids from the village table, or remove the line",
                             file=str(path), row=lines[position], column=str(column))
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
    for column, values in zip(pair, (old, new)):
        if (values == "").any():
            raise InputError("empty village id", fix="give the old and the new id on every line", file=str(path),
                             row=lines[int((values == "").to_numpy().argmax())], column=str(column))
    if old.duplicated().any():
        position = int(old.duplicated().to_numpy().argmax())
        raise InputError(f"village {old.iloc[position]} is renamed twice", fix="keep one line per old id", file=str(path),
                         row=lines[position], column=str(pair[0]))
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
    unknown = ~table["village_id"].map(instance.__contains__)
    if unknown.any():
        position = int(unknown.to_numpy().argmax())
        raise InputError(f"unknown village id {table['village_id'].iloc[position] or '(empty)'}", fix="use ids from the village table, or remove the line",
                         file=str(path), row=table.attrs["rows"][position], column="village_id")
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
    raw = read_table(path, prefer=sheets)
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


def _numbers(values: pd.Series, ids: pd.Series, column: str, *, whole_positive: bool = False) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = numbers.isna()
    if whole_positive:
        bad |= ~((numbers > 0) & (numbers % 1 == 0))
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raw = values.iloc[position]
        problem = ("is empty" if pd.isna(raw) or str(raw).strip() == "" else f"{raw!r} is not a number" if pd.isna(numbers.iloc[position])
                   else f"{raw} is not a whole number above 0")
        raise InputError(f"value {problem}", fix="write a whole number above 0" if whole_positive else "write a number",
                         row=f"village {ids.iloc[position]}", column=column)
    return numbers


def _booleans(values: pd.Series, ids: pd.Series, column: str) -> pd.Series:
    words = _text(values).str.lower()
    known = words.isin(TRUE_WORDS + FALSE_WORDS)
    if not known.all():
        position = int((~known).to_numpy().argmax())
        raise InputError(f"{values.iloc[position]!r} is not yes or no", fix="write 是/否, yes/no, true/false, Y/N or 1/0",
                         row=f"village {ids.iloc[position]}", column=column)
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
               formats: str | Iterable[str] = ("csv", "json"), lang: str = "en") -> list[Path]:
    """Write a plan's deliverables into ``out_dir``, each file atomically.

    - ``csv``: ``plan.csv``, one row per village (UTF-8 with BOM so that Excel
      shows Chinese names);
    - ``json``: ``summary.json``, the solve's account and the metrics;
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
    from .check import check
    from .report import label, with_reasons

    formats = parse_formats(formats)
    label("title", lang)  # refuses an unknown language before anything is written
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = with_reasons(plan)
    needs_verdict = {"xlsx", "html"} & set(formats)
    deliverable = _Deliverable(lang, extra or {}, plan_provenance(plan), tuple(check(plan)) if needs_verdict else ())
    written = []
    for name in formats:
        path = out_dir / PLAN_FILES[name]
        if _WRITERS[name](plan, path, deliverable) is not None:
            written.append(path)
    return written


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
    with atomic_path(path) as temp:
        # GeoPackage 1.2: what the GDAL of older QGIS installs (e.g. 3.6) reads without a warning.
        villages.to_file(temp, layer="villages", driver="GPKG", VERSION="1.2")
        # A layer's geometry type must be known even when there is no group.
        groups.to_file(temp, layer="groups", driver="GPKG", mode="a", geometry_type="MultiPolygon" if groups.empty else None)
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
    with atomic_path(path) as temp:
        with pd.ExcelWriter(temp, engine="openpyxl") as writer:
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
    image = map_png(plan, deliverable.lang)
    with atomic_path(path) as temp:
        temp.write_bytes(image)
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
