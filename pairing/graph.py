"""Which villages are neighbours: adjacency from polygons or from points.

Every function takes the geometry first and works in metres: reproject with
:func:`metric_crs` before calling them. Edges are pairs of village ids, each pair
once, ordered as the villages are in the input.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from .errors import InputError

#: A village this far from the median point of a county in longitude/latitude
#: (and :data:`FAR_SPREAD` times farther than the villages' median distance from
#: it) is taken to be misplaced, e.g. geocoded to 0,0 or into another province.
#: Farther than any village of a county 200 km across can be from the median.
FAR_KM = 250
FAR_SPREAD = 5
EARTH_RADIUS_KM = 6371.0


def far_from_the_rest(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Which villages (of data in longitude/latitude) are far from the rest.

    A village is far when its distance from the median point (the median
    longitude and latitude, which a minority of misplaced villages cannot move)
    is above both :data:`FAR_KM` and :data:`FAR_SPREAD` times the median of
    these distances. When half the villages or more would be far, none is: there
    is no rest to be far from.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        Villages in a geographic CRS (degrees); polygons count by the centre of
        their bounds.

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> county = [Point(119.2 + 0.01 * i, 36.4 + 0.01 * (i % 7)) for i in range(20)]
    >>> far_from_the_rest(gpd.GeoSeries([*county, Point(0, 0)], crs="EPSG:4326")).nonzero()[0].tolist()
    [20]
    """
    bounds = gdf.bounds.to_numpy(float)
    lon, lat = np.radians((bounds[:, 0] + bounds[:, 2]) / 2), np.radians((bounds[:, 1] + bounds[:, 3]) / 2)
    if np.isnan(lon).all():
        return np.zeros(len(lon), dtype=bool)
    lon0, lat0 = np.nanmedian(lon), np.nanmedian(lat)
    # Haversine: exact enough at any distance, and a misplaced village may be half the globe away.
    chord = np.sin((lat - lat0) / 2) ** 2 + np.cos(lat) * np.cos(lat0) * np.sin((lon - lon0) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(chord, 0, 1)))
    far = km > max(FAR_KM, FAR_SPREAD * np.nanmedian(km))
    return far if 2 * far.sum() < len(far) else np.zeros(len(far), dtype=bool)


def metric_crs(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> CRS:
    """The CRS to measure distances in: the data's own when projected, else the
    UTM zone around the data, estimated without the villages far from the rest
    (:func:`far_from_the_rest`), which would move it and change every distance.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        Data with a CRS.

    Returns
    -------
    pyproj.CRS

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> metric_crs(gpd.GeoSeries([Point(119.2, 36.4)], crs="EPSG:4326")).to_epsg()
    32650
    >>> metric_crs(gpd.GeoSeries([Point(500000, 4000000)], crs="EPSG:32650")).to_epsg()
    32650
    >>> metric_crs(gpd.GeoSeries([Point(119.2, 36.4), Point(119.3, 36.5), Point(0, 0)], crs="EPSG:4326")).to_epsg()
    32650
    """
    if gdf.crs is None:
        raise InputError("no CRS", fix="set one in QGIS or give crs in [columns]")
    return gdf.crs if gdf.crs.is_projected else gdf[~far_from_the_rest(gdf)].estimate_utm_crs()


def polygon_adjacency(geometry: gpd.GeoSeries, ids: list[str], tolerance_m: float) -> tuple[list[tuple[str, str]], int]:
    """Queen contiguity of polygons, plus pairs closer than a tolerance.

    Two villages are neighbours when their polygons touch at a point or share a
    border, or when they are at most ``tolerance_m`` apart: hand-digitised
    borders leave slivers and gaps between villages that do share a border.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Polygons or MultiPolygons (one village each) in a metric CRS.
    ids : list of str
        Village ids, aligned with ``geometry``.
    tolerance_m : float
        Greatest gap, in metres, still counted as a shared border; 0 for none.

    Returns
    -------
    edges : list of (str, str)
        Each neighbouring pair once, in input order.
    tolerance_only : int
        How many of the edges only the tolerance added.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> squares = gpd.GeoSeries([box(0, 0, 1, 1), box(1, 0, 2, 1), box(2.5, 0, 3.5, 1)])
    >>> polygon_adjacency(squares, ["a", "b", "c"], tolerance_m=0)
    ([('a', 'b')], 0)
    >>> polygon_adjacency(squares, ["a", "b", "c"], tolerance_m=1)
    ([('a', 'b'), ('b', 'c')], 1)
    """
    polygons = np.asarray(geometry.values, dtype=object)
    tree = shapely.STRtree(polygons)
    touching = _pair_codes(tree.query(polygons, predicate="intersects"), len(polygons))
    if tolerance_m > 0:
        near = _pair_codes(tree.query(polygons, predicate="dwithin", distance=tolerance_m), len(polygons))
    else:
        near = touching
    codes = np.union1d(touching, near)
    return _edges_from_codes(codes, ids), len(codes) - len(touching)


def point_adjacency(geometry: gpd.GeoSeries, ids: list[str], max_edge_m: float) -> list[tuple[str, str]]:
    """Delaunay neighbours of points, without the edges longer than ``max_edge_m``.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        One point per village in a metric CRS.
    ids : list of str
        Village ids, aligned with ``geometry``.
    max_edge_m : float
        Longest edge kept, in metres (drops the long edges across the convex hull).

    Returns
    -------
    list of (str, str)
        Each neighbouring pair once, in input order.

    Raises
    ------
    InputError
        Two villages at the same point: the triangulation cannot tell them apart.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> points = gpd.GeoSeries([Point(0, 0), Point(1000, 0), Point(0, 1000), Point(9000, 9000)])
    >>> point_adjacency(points, ["a", "b", "c", "d"], max_edge_m=2000)
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    coordinates = shapely.get_coordinates(np.asarray(geometry.values, dtype=object))
    if len(coordinates) != len(ids):
        raise InputError("every village needs exactly one point", fix="give each village one point (no multipoints, no empty ones)")
    row_of = {}
    for row, xy in enumerate(map(tuple, coordinates)):
        if xy in row_of:
            raise InputError(f"villages {ids[row_of[xy]]} and {ids[row]} are at the same point {xy}",
                             fix="correct the coordinates of one of them, or merge the two rows", row=f"village {ids[row]}")
        row_of[xy] = row
    if len(coordinates) < 2:
        return []
    lines = shapely.get_parts(shapely.delaunay_triangles(shapely.multipoints(coordinates), only_edges=True))
    ends = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    short = shapely.length(lines) <= max_edge_m
    rows = np.array([[row_of[tuple(a)], row_of[tuple(b)]] for a, b in ends[short]], dtype=np.int64).reshape(-1, 2)
    return _edges_from_codes(np.unique(_pair_codes((rows[:, 0], rows[:, 1]), len(ids))), ids)


def _pair_codes(pairs: tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
    """Unordered pairs of distinct rows as sorted unique integers ``low * n + high``."""
    left, right = np.asarray(pairs[0], dtype=np.int64), np.asarray(pairs[1], dtype=np.int64)
    distinct = left != right
    low, high = np.minimum(left, right)[distinct], np.maximum(left, right)[distinct]
    return np.unique(low * n + high)


def _edges_from_codes(codes: np.ndarray, ids: list[str]) -> list[tuple[str, str]]:
    n = len(ids)
    return [(ids[low], ids[high]) for low, high in zip((codes // n).tolist(), (codes % n).tolist())]
