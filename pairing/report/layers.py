"""What both maps draw, computed once from a plan: each village's fill (one
colour per group, neighbouring groups differing), the ungrouped weak villages,
group and township borders, and where each label goes."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from ..plan import Plan

#: which would read as "ungrouped" or "weak". Neighbouring groups get different ones.
GROUP_COLOURS = ("#8dd3c7", "#ffffb3", "#bebada", "#80b1d3", "#fdb462", "#b3de69", "#bc80bd", "#ccebc5", "#ffed6f")
UNGROUPED_FILL = "#ffffff"
WEAK_HATCH = "#d62728"
LEAD_COLOUR = "#222222"
#: Township borders: a wide grey band under the groups' black borders, so both show where they coincide.
TOWNSHIP_COLOUR = "#8c8c8c"
#: Up to this many villages, the HTML map names members too (beyond, hover for names).
# -- the map, shared by SVG and PNG ---------------------------------------------------------------
@dataclass(frozen=True)
class MapLayers:
    """What both maps draw, in the instance's metric coordinates.

    ``shapes`` are the villages (polygons, or points), ``fills`` their colours,
    ``hatched`` the ungrouped weak ones; ``outlines`` the group borders (union
    of polygons, or convex hull of points); ``townships`` the township borders
    (polygons only); ``anchors`` a point inside each village for its label;
    ``links`` (member row, lead row) pairs, drawn for points only.
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
    geometry = plan.instance.geometry
    if geometry is None:
        return [None] * len(plan.groups)
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
    return outlines


def map_layers(plan: Plan) -> MapLayers | None:
    """The map's layers, or None when the instance has no geometry.

    Examples
    --------
    >>> plan = Plan(path_county(villages=6, squares=True), Rules(),
    ...             (Group("G001", ("a",), ("b", "c")), Group("G002", ("d",), ("e", "f"))))
    >>> layers = map_layers(plan)
    >>> layers.polygonal, layers.lead_rows, len(layers.townships)
    (True, (0, 3), 1)
    """
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
    townships = ()
    if polygonal:
        by_township = pd.Series(range(instance.n)).groupby(instance.township)
        townships = tuple(shapely.union_all(shapes[list(rows)]).boundary for _, rows in by_township)
    lead_rows = tuple(instance.index(group.lead) for group in plan.groups if group.lead in instance)
    links = () if polygonal else tuple((instance.index(member), instance.index(group.lead)) for group in plan.groups
                                       if group.lead in instance for member in group.members if member in instance)
    outlines = tuple(group_shapes(plan))
    return MapLayers(shapes, polygonal, fills, hatched, outlines, townships, anchors, lead_rows, links,
                     tuple(shapely.total_bounds(shapes)))


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
