"""Geometry helpers of ``instances/province.py``: county outlines (real, renamed or a synthetic
blob), cutting a polygon into pieces, shared-border adjacency, and growing merged villages over
the 2020 polygons. Everything is in :data:`WORK_CRS` (metres); the building blocks are
:mod:`pairing.synth`'s."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from pairing.synth import synthetic_county, voronoi_villages

#: One projected CRS for the whole province (UTM 50N; Shandong spans 114.8-122.7°E, so the east is
#: a little distorted, which does not matter for synthetic villages but keeps cross-county borders exact).
WORK_CRS = "EPSG:32650"
STORED_CRS = "EPSG:4326"
#: Outlines of units the 2019 boundary file lists under their old code: 茌平县 became 茌平区 in 2019,
#: 蓬莱市 (with 长岛县, whose islands the largest-part rule drops anyway) became 蓬莱区 in 2020.
RENAMED_OUTLINES = {"371503": "371523", "370614": "370684"}
#: Development and high-tech zones: NBS units of their own with no outline in the boundary file.
ZONE_CODE = re.compile(r"37\d\d7\d")
#: Area of a zone's synthetic outline per village (Anqiu: 1,711 km² / 864 villages ≈ 2 km²).
ZONE_AREA_PER_VILLAGE_M2 = 2.0e6


def largest_part(geometry: BaseGeometry) -> Polygon:
    """The largest polygon of a (repaired) geometry: offshore islets would be villages of their own."""
    polygons = [part for part in shapely.get_parts(shapely.make_valid(geometry)) if part.geom_type == "Polygon"]
    return max(polygons, key=lambda part: part.area)


def county_outlines(boundary_file: Path, counties: dict[str, tuple[str, int]]) -> dict[str, tuple[Polygon, str]]:
    """Outline and its kind (``real``, ``real (renamed code)``, ``synthetic``) of every county.

    Parameters
    ----------
    boundary_file : Path
        The DataV GeoPackage (layer ``counties``: ``adcode``, ``name``, geometry).
    counties : dict
        County code -> (city code, village committees in 2020), for the whole province, so that the
        zones are placed the same way whatever part of the province is built.

    Returns
    -------
    dict
        County code -> (polygon in :data:`WORK_CRS`, kind).
    """
    table = gpd.read_file(boundary_file, layer="counties").set_crs(STORED_CRS, allow_override=True).to_crs(WORK_CRS)
    real = {code: largest_part(geometry) for code, geometry in zip(table["adcode"], table.geometry)}  # make_valid: 3 are self-intersecting
    outlines: dict[str, tuple[Polygon, str]] = {}
    for code in sorted(counties):
        if code in real:
            outlines[code] = (real[code], "real")
        elif code in RENAMED_OUTLINES:
            outlines[code] = (real[RENAMED_OUTLINES[code]], "real (renamed code)")
    centre = shapely.union_all([outline for outline, _ in outlines.values()]).centroid
    placed: list[Polygon] = []
    for code in sorted(counties):
        if code in outlines:
            continue
        assert ZONE_CODE.fullmatch(code), f"county {code} has no outline and is not a development zone"
        city, villages = counties[code]
        city_area = shapely.union_all([outline for other, (outline, kind) in outlines.items() if other[:4] == city and kind != "synthetic"])
        blob = zone_blob(max(villages, 1), int(code))
        outlines[code] = (place_beside(blob, city_area, placed, centre), "synthetic")
        placed.append(outlines[code][0])
    return outlines


def zone_blob(villages: int, seed: int) -> Polygon:
    """The irregular outline ``pairing generate`` uses (:func:`pairing.synth.synthetic_county`, the union
    of its villages), scaled to :data:`ZONE_AREA_PER_VILLAGE_M2` per village, centred on (0, 0)."""
    county = synthetic_county(max(villages, 3), 1, seed)  # it needs 3 villages a township
    outline = largest_part(shapely.union_all(county.geometry.values).buffer(0.01).buffer(-0.01))
    centre = outline.centroid
    scale = np.sqrt(villages * ZONE_AREA_PER_VILLAGE_M2 / outline.area)
    return shapely.affinity.affine_transform(outline, [scale, 0, 0, scale, -scale * centre.x, -scale * centre.y])


def place_beside(blob: Polygon, city: BaseGeometry, placed: Sequence[Polygon], centre) -> Polygon:
    """Move ``blob`` (centred on 0, 0) next to ``city``: from the city's centroid outwards, in the
    direction (of 12) that needs the shortest move to clear the city and the zones placed before.
    Real zones lie inside their city's counties; a blob outside them keeps every county's area
    free of overlaps, so villages that move between a zone and a county (桥头镇, 赵虎镇) stay apart."""
    occupied = shapely.union_all([city, *placed])
    shapely.prepare(occupied)
    start = np.array([city.centroid.x, city.centroid.y])
    outwards = np.arctan2(start[1] - centre.y, start[0] - centre.x)
    reach = np.sqrt(city.envelope.area) + np.sqrt(blob.envelope.area) * 2
    best = None
    for turn in np.arange(12) * np.pi / 6:
        direction = np.array([np.cos(outwards + turn), np.sin(outwards + turn)])
        low, high = 0.0, reach
        while occupied.intersects(shapely.affinity.translate(blob, *(start + high * direction))):
            high *= 2
        for _ in range(30):  # bisection on the distance moved, to ~1 m
            middle = 0.5 * (low + high)
            low, high = (middle, high) if occupied.intersects(shapely.affinity.translate(blob, *(start + middle * direction))) else (low, middle)
        if best is None or high < best[0] - 1.0:
            best = (high, direction)
    return shapely.affinity.translate(blob, *(start + best[0] * best[1]))


def cut(polygon: BaseGeometry, pieces: int, rng: np.random.Generator) -> tuple[BaseGeometry, list[BaseGeometry]]:
    """Cut ``pieces`` cells off ``polygon`` (:func:`pairing.synth.voronoi_villages` into ``pieces + 1``
    cells): the largest cell stays with the polygon's village, the others are returned in Hilbert order."""
    cells = voronoi_villages(polygon, pieces + 1, rng)
    keep = int(np.argmax([cell.area for cell in cells]))
    return cells[keep], [cell for index, cell in enumerate(cells) if index != keep]


def shared_borders(polygons: Sequence[BaseGeometry], tolerance: float = 1e-3, min_length: float = 1.0,
                   among: np.ndarray | None = None) -> list[np.ndarray]:
    """Neighbours of each polygon: those whose border runs within ``tolerance`` of its own for at least
    ``min_length`` metres. A corner contact is no neighbour, so the union of neighbours is one polygon.

    ``among``: only pairs with at least one polygon in this boolean mask (the leftovers of a growth)."""
    polygons = np.asarray(polygons, dtype=object)
    first, second = shapely.STRtree(polygons).query(polygons, predicate="dwithin", distance=tolerance)
    keep = first < second if among is None else (first != second) & among[first]
    first, second = first[keep], second[keep]
    bands = shapely.buffer(shapely.boundary(polygons[second]), tolerance, quad_segs=2)
    lengths = shapely.length(shapely.intersection(shapely.boundary(polygons[first]), bands))
    first, second = first[lengths >= min_length], second[lengths >= min_length]
    neighbours: list[list[int]] = [[] for _ in polygons]
    for a, b in zip(first.tolist(), second.tolist()):
        neighbours[a].append(b)
        neighbours[b].append(a)
    return [np.unique(np.asarray(found, dtype=np.int64)) for found in neighbours]


def grow(owner: np.ndarray, regions: list[list[int]], neighbours: list[np.ndarray], areas: np.ndarray,
         points: np.ndarray, order: Sequence[tuple], allowed: Callable[[int, int], bool]) -> int:
    """Hand the unowned units (``owner == -1``) to adjacent regions, smallest region first, each
    taking the free neighbour nearest its first unit, so merged villages grow even and compact.

    Parameters
    ----------
    owner : numpy.ndarray
        Region of each unit (-1: free; -2: never to be taken); updated in place.
    regions : list of list of int
        Units of each region; updated in place.
    neighbours, areas, points
        Adjacency lists, areas and representative points (x, y) of the units.
    order : sequence of tuple
        Tie-break key of each region after its area (new villages before kept ones, then code).
    allowed : callable
        ``allowed(unit, region)``: whether the region may take the unit in this round.

    Returns
    -------
    int
        Units handed out.
    """
    size = np.array([areas[members].sum() for members in regions])
    heap = [(size[r], order[r], r) for r in range(len(regions))]
    heapq.heapify(heap)
    frontier: list[list[tuple[float, int]]] = [[] for _ in regions]

    def extend(r: int, unit: int) -> None:
        home = points[regions[r][0]]
        for other in neighbours[unit]:
            if owner[other] == -1:
                heapq.heappush(frontier[r], (float(np.hypot(*(points[other] - home))), int(other)))

    for r, members in enumerate(regions):
        for unit in members:
            extend(r, unit)
    handed = 0
    while heap:
        _, _, r = heapq.heappop(heap)
        while frontier[r] and not (owner[frontier[r][0][1]] == -1 and allowed(frontier[r][0][1], r)):
            heapq.heappop(frontier[r])  # taken by another region, or not allowed this round (for good)
        if not frontier[r]:
            continue
        _, unit = heapq.heappop(frontier[r])
        owner[unit] = r
        regions[r].append(unit)
        handed += 1
        extend(r, unit)
        size[r] += areas[unit]
        heapq.heappush(heap, (size[r], order[r], r))
    return handed


def union_polygon(parts: Sequence[BaseGeometry], closing: float = 0.01) -> BaseGeometry:
    """The union of adjacent parts; a piece cut from a neighbour's polygon (or a county across a
    border that was not welded) may leave float-thin gaps, closed by a ``closing`` (metres). A single
    part is returned as it is, so that a kept village that took nothing keeps its 2020 polygon exactly."""
    if len(parts) == 1:
        return parts[0]
    union = shapely.union_all(list(parts))
    if union.geom_type != "Polygon":
        union = shapely.union_all(shapely.buffer(list(parts), closing, quad_segs=2)).buffer(-closing, quad_segs=2)
    return union


def on_grid(polygons: Sequence[BaseGeometry], grid: float) -> tuple[list[BaseGeometry], int]:
    """The polygons as stored (EPSG:4326 rounded to ``grid`` degrees), brought back to :data:`WORK_CRS`.

    Rounding pinches a neck thinner than the grid (~0.1 m) into a point, splitting a village in two;
    the smaller parts go to the neighbour they share the longest border with, so every village stays
    one polygon and the villages still tile the same area. Done before the 2021 villages are made
    from the 2020 ones, so that both years round the same borders the same way.

    Returns
    -------
    tuple
        The polygons (in :data:`WORK_CRS`) and the number of parts handed to a neighbour.
    """
    # welding may leave two vertices a nanometre apart, which projecting turns into a self-intersection
    polygons = shapely.remove_repeated_points(np.asarray(polygons, dtype=object), 1e-6)
    stored = gpd.GeoSeries(polygons, crs=WORK_CRS).to_crs(STORED_CRS).values
    stored = shapely.set_precision(np.where(shapely.is_valid(stored), stored, shapely.make_valid(stored)), grid)
    moved = 0
    for index in np.flatnonzero(shapely.get_type_id(stored) != 3):  # 3: Polygon
        parts = sorted((part for part in shapely.get_parts(stored[index]) if part.geom_type == "Polygon"), key=lambda part: -part.area)
        stored[index] = parts[0]
        tree = shapely.STRtree(stored)
        for part in parts[1:]:
            others = [other for other in tree.query(part, predicate="intersects") if other != index]
            lengths = [shapely.intersection(part.boundary, stored[other].boundary).length for other in others]
            assert lengths and max(lengths) > 0, f"a part of polygon {index} borders no other polygon"
            target = others[int(np.argmax(lengths))]
            stored[target] = shapely.set_precision(shapely.union(stored[target], part), grid)
            moved += 1
    assert (shapely.get_type_id(stored) == 3).all(), "a part handed to a neighbour left it in pieces"
    return list(gpd.GeoSeries(stored, crs=STORED_CRS).to_crs(WORK_CRS).values), moved
