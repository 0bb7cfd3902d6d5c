"""What both maps draw, computed once per plan (the SVG of the report and the
PNG share it): each village's area and fill (one colour per group, neighbouring
groups differing), the ungrouped weak villages, group and township borders,
where each label goes, and the legend that matches them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from ..plan import Plan

#: Fills for the groups on the maps: ColorBrewer Set3 without its grey and pinks,
#: which would read as "ungrouped" or "weak". Neighbouring groups get different ones.
GROUP_COLOURS = ("#8dd3c7", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#bc80bd", "#ccebc5", "#ffed6f")
UNGROUPED_FILL = "#ffffff"
WEAK_HATCH = "#d62728"
LEAD_COLOUR = "#222222"
#: Township borders: a wide grey band under the groups' black borders, so both show where they coincide.
TOWNSHIP_COLOUR = "#8c8c8c"
#: Village borders; group borders.
EDGE_COLOUR = "#9a9a9a"
GROUP_BORDER = "#1f1f1f"


# -- the map, shared by SVG and PNG ---------------------------------------------------------------
@dataclass(frozen=True)
class MapLayers:
    """What both maps draw, in the instance's metric coordinates.

    ``shapes`` are the villages (polygons, or points); ``areas`` what is filled
    for each (its polygon, or for points its Voronoi cell clipped to the
    county, see :func:`point_cells`), ``fills`` their colours, ``hatched`` the
    ungrouped weak ones; ``outlines`` the group borders (the union of their
    villages' areas); ``townships`` the township borders (the union of a
    township's areas; none when the input names no township); ``anchors`` a
    point inside each village for its label; ``links`` (member row, lead row)
    pairs, drawn for points only.
    """

    shapes: np.ndarray
    polygonal: bool
    fills: tuple[str, ...]
    hatched: np.ndarray
    outlines: tuple
    townships: tuple
    anchors: np.ndarray
    lead_rows: tuple[int, ...]
    links: tuple[tuple[int, int], ...]
    bounds: tuple[float, float, float, float]
    areas: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.areas is None:
            object.__setattr__(self, "areas", self.shapes)


def group_colours(plan: Plan) -> dict[str, str]:
    """A fill per group, different for groups that have neighbouring villages
    (greedy colouring of the groups' adjacency, largest first: deterministic).

    Examples
    --------
    >>> plan = Plan(path_county(villages=6, squares=True), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> colours = group_colours(plan)
    >>> colours["G001"] != colours["G002"]
    True
    """
    group_of = {village: group.group_id for group in plan.groups for village in group.villages}
    touching = nx.Graph()
    touching.add_nodes_from(group.group_id for group in plan.groups)
    for a, b in plan.instance.graph.edges():
        if a in group_of and b in group_of and group_of[a] != group_of[b]:
            touching.add_edge(group_of[a], group_of[b])
    colouring = nx.greedy_color(touching, strategy="largest_first")
    return {group: GROUP_COLOURS[colour % len(GROUP_COLOURS)] for group, colour in colouring.items()}


def group_shapes(plan: Plan) -> list:
    """One shape per group, in ``plan.groups`` order: the union of its village
    polygons, or the convex hull of its points (slightly widened when they are
    in a line, so that it is still an area). None without geometry.

    Examples
    --------
    >>> plan = Plan(path_county(villages=6, squares=True), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> [shape.bounds for shape in group_shapes(plan)]
    [(0.0, 0.0, 3.0, 1.0), (3.0, 0.0, 6.0, 1.0)]
    """
    return list(_group_shapes(plan))


#: Plans whose drawn layers are kept: a plan's outputs (GPKG, SVG, PNG) share
#: them. A Plan is immutable and hashes by identity; the cache keeps it alive.
_CACHED_PLANS = 4


@functools.lru_cache(maxsize=_CACHED_PLANS)
def _group_shapes(plan: Plan) -> tuple:
    geometry = plan.instance.geometry
    if geometry is None:
        return (None,) * len(plan.groups)
    shapes = geometry.to_numpy()
    polygonal = geometry.geom_type.iloc[0] != "Point"
    outlines = []
    for group in plan.groups:
        parts = [shapes[plan.instance.index(village)] for village in group.villages if village in plan.instance]
        if polygonal:
            outlines.append(shapely.union_all(parts))
        else:
            hull = shapely.MultiPoint(parts).convex_hull
            outlines.append(hull if hull.geom_type == "Polygon" else hull.buffer(max(1.0, 0.02 * hull.length)))
    return tuple(outlines)


def map_layers(plan: Plan) -> MapLayers | None:
    """The map's layers, or None when the instance has no geometry; computed
    once per plan (the report's SVG and the PNG share them).

    Points are drawn as areas too: each village's Voronoi cell clipped to the
    county (see :func:`point_cells`), so that groups and townships read as on
    a polygon map.

    Examples
    --------
    >>> plan = Plan(path_county(villages=6, squares=True), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> layers = map_layers(plan)
    >>> layers.polygonal, layers.lead_rows, len(layers.townships)
    (True, (0, 3), 1)
    >>> map_layers(plan) is layers
    True
    """
    return _map_layers(plan)


@functools.lru_cache(maxsize=_CACHED_PLANS)
def _map_layers(plan: Plan) -> MapLayers | None:
    instance = plan.instance
    if instance.geometry is None:
        return None
    shapes = instance.geometry.to_numpy()
    polygonal = instance.geometry.geom_type.iloc[0] != "Point"
    colours = group_colours(plan)
    group_of = {village: group.group_id for group in plan.groups for village in group.villages}
    fills = tuple(colours[group_of[village]] if village in group_of else UNGROUPED_FILL for village in instance.ids)
    hatched = np.array([village not in group_of for village in instance.ids]) & instance.weak
    anchors = shapely.get_coordinates(shapely.point_on_surface(shapes)) if polygonal else shapely.get_coordinates(shapes)
    areas = shapes if polygonal else point_cells(shapes)
    townships = ()
    if any(str(township).strip() for township in instance.township):
        by_township = pd.Series(range(instance.n)).groupby(instance.township)
        townships = tuple(shapely.union_all(areas[list(rows)]).boundary for _, rows in by_township)
    lead_rows = tuple(instance.index(group.lead) for group in plan.groups if group.lead in instance)
    links = () if polygonal else tuple((instance.index(member), instance.index(group.lead)) for group in plan.groups
                                       if group.lead in instance for member in group.members if member in instance)
    if polygonal:
        outlines = _group_shapes(plan)
    else:
        outlines = tuple(shapely.union_all(areas[[instance.index(village) for village in group.villages if village in instance]])
                         for group in plan.groups)
    return MapLayers(shapes, polygonal, fills, hatched, outlines, townships, anchors, lead_rows, links,
                     tuple(shapely.total_bounds(areas)), areas)


def point_cells(points: np.ndarray) -> np.ndarray:
    """An area for each point: its Voronoi cell, clipped to the county, taken
    as the union of discs around the points (twice the median distance to the
    nearest other point), so that the map's outline follows the villages and a
    far village does not stretch it. Points at the same place share a cell.

    Examples
    --------
    >>> points = shapely.points([(0, 0), (1, 0), (0, 1), (1, 1)])
    >>> cells = point_cells(points)
    >>> [cell.geom_type for cell in cells], bool(shapely.contains(cells, points).all())
    (['Polygon', 'Polygon', 'Polygon', 'Polygon'], True)
    >>> round(sum(cell.area for cell in cells), 1) == round(shapely.union_all(cells).area, 1)   # no overlap
    True
    """
    points = np.asarray(points, dtype=object)
    if len(points) == 0:
        return points
    distinct = shapely.union_all(points)  # a point, or a multipoint of the distinct places
    if len(points) == 1 or shapely.get_num_geometries(distinct) < 2:
        return np.array([shapely.buffer(point, 500.0) for point in points], dtype=object)
    tree = shapely.STRtree(points)
    _, distances = tree.query_nearest(points, exclusive=True, return_distance=True, all_matches=False)
    spacing = float(np.median(distances[distances > 0])) if (distances > 0).any() else 1.0
    county = shapely.union_all(shapely.buffer(points, 2.0 * spacing, quad_segs=4))
    cells = shapely.get_parts(shapely.voronoi_polygons(distinct, extend_to=county))
    # The cell holding each point (a point lies inside its own cell).
    point_of, cell_of = shapely.STRtree(cells).query(points, predicate="intersects")
    first = np.full(len(points), -1)
    for point, cell in zip(point_of[::-1], cell_of[::-1]):
        first[point] = cell
    clipped = [_polygonal(cell) for cell in shapely.intersection(cells, county)]
    return np.array([clipped[cell] if cell >= 0 else shapely.buffer(points[row], spacing) for row, cell in enumerate(first)], dtype=object)


def _polygonal(shape):
    """The polygons of a shape (an intersection can add stray lines or points)."""
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        return shape
    parts = [part for part in shapely.get_parts(shape) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shape


#: Legend entries, in order: label key -> what it shows.
LEGEND = ("legend:grouped", "legend:lead", "legend:group", "legend:township", "legend:point", "legend:ungrouped_weak", "legend:ungrouped")


def legend_keys(layers: MapLayers) -> tuple[str, ...]:
    """The legend entries for what the map draws (label keys of :data:`LEGEND`):
    no township border when none is drawn, no lead or group border without
    groups, village dots only for points, no hatching when every weak village is grouped.

    Examples
    --------
    >>> plan = Plan(path_county(villages=6, squares=True), Rules(), (Group("G001", ("a",), ("b", "c")),))
    >>> legend_keys(map_layers(plan))
    ('legend:grouped', 'legend:lead', 'legend:group', 'legend:township', 'legend:ungrouped')
    """
    grouped = any(fill != UNGROUPED_FILL for fill in layers.fills)
    shown = {"legend:grouped": grouped, "legend:lead": bool(layers.lead_rows), "legend:group": bool(layers.outlines),
             "legend:township": bool(layers.townships), "legend:point": not layers.polygonal,
             "legend:ungrouped_weak": bool(layers.hatched.any()),
             "legend:ungrouped": any(fill == UNGROUPED_FILL for fill, hatched in zip(layers.fills, layers.hatched) if not hatched)}
    return tuple(key for key in LEGEND if shown[key])


def short_name(name: str) -> str:
    """A village's name as a map label: without the committee suffix that NBS names
    carry (东十里村委会 -> 东十里村, 城关社区居委会 -> 城关社区).

    Examples
    --------
    >>> short_name("东十里村委会"), short_name("城关社区居委会"), short_name("南庄")
    ('东十里村', '城关社区', '南庄')
    """
    for suffix, keep in (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", ""), ("居委会", "")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name
