"""Reading a county's village table into its validated :class:`~pairing.instance.Instance`:
columns mapped per the config, strength and weakness derived where the table
lacks them, geometry in metres, adjacency computed. Every bad cell of a file is
reported at once. Inputs are never modified."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from .config import CANONICAL_COLUMNS, COORDINATE_COLUMNS, Config
from .errors import InputError, Problems
from .graph import FAR_KM, far_from_the_rest, metric_crs, point_adjacency, polygon_adjacency
from .id_pairs import read_edges
from .instance import Instance, derive_strength, derive_weak
from .table_files import boolean_cells, line_labels, number_cells, population_cells, read_table, text_cells


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
    return instance_from_table(table, config, source=str(path), edges=edges, add_edges=add_edges, repair=repair)


def instance_from_table(table: pd.DataFrame, config: Config, *, source: str, edges: str | Path | None = None,
                        add_edges: str | Path | None = None, repair: bool = False) -> Instance:
    """The instance of a village table already read (as :func:`read_villages`
    does after reading its file, or a batch for each county of one file): every
    problem of its cells and shapes is raised at once, named by ``source``."""
    try:
        return _instance(source, table, config, edges, add_edges, repair)
    except InputError as error:
        # Errors about a file of several layers name the layer they are about.
        raise error.in_file(f"{source} (layer {table.attrs['layer']})" if "layer" in table.attrs else source) from None


def _instance(path: str, table: pd.DataFrame, config: Config, edges: str | Path | None, add_edges: str | Path | None,
              repair: bool) -> Instance:
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
    return Instance(villages, nx.Graph(pairs), geometry=geometry, source=path, tolerance_edges=tolerance_edges,
                    input_names={canonical: column for canonical, column in names.items() if column != canonical})


def _warn_far(path: str, far_ids: list[str]) -> None:
    named = ", ".join(far_ids[:5]) + (f" and {len(far_ids) - 5} more" if len(far_ids) > 5 else "")
    one = len(far_ids) == 1
    warnings.warn(f"{Path(path).name}: {len(far_ids)} {'village is' if one else 'villages are'} over {FAR_KM:,} km from the others, "
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
    villages["population"] = population_cells(villages["population"], rows, names["population"], problems)
    villages["strength"] = _strength(villages, present, names, config, rows, problems)
    for flag in ("weak", "lead_eligible"):
        if flag in present:
            villages[flag] = boolean_cells(villages[flag], rows, names[flag], problems)
    if "weak" not in present:
        villages["weak"] = derive_weak(villages["strength"], villages["population"], config.weak)
    ids = villages["village_id"]
    villages["name"] = text_cells(villages["name"]).where(lambda name: name != "", ids) if "name" in present else ids
    villages["township"] = _townships(villages, present, names, config, rows, problems)
    if "industry" in present:
        villages["industry"] = text_cells(villages["industry"])
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
    ids, lines, first_line = text_cells(villages["village_id"]), line_labels(villages), {}
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
    return [line if not village or twice else f"village {village}" for village, twice, line in zip(ids, repeated, line_labels(villages))]


def _strength(villages: pd.DataFrame, present: dict[str, str], names: dict[str, str], config: Config, rows: list[str],
              problems: Problems) -> pd.Series:
    """The strength column, or derived by ``[strength]``; NaN where it cannot be had."""
    if "strength" in present:
        return number_cells(villages["strength"], rows, names["strength"], problems)
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
    townships = text_cells(villages["township"])
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
    first, second = (number_cells(villages[axis], rows, names[axis], problems) for axis in axes)
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
