"""What a worker makes of a county's plan for the client: the county's files, as
bytes (the client writes them: the two need share no file system), and its
villages, groups and outline for the province's layers and map.

Rendering where the county was solved keeps the client's own work small: on a
cluster of many workers, a client that wrote every county's workbook itself
would be the batch's bottleneck."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from ..outputs import OutputFolder
from ..plan import Plan
from ..report.layers import group_shapes
from ..resolve import Revision
from ..tables import group_table, village_table
from ..write import PLAN_FILES, REVISION_FILES, write_solved_into

#: The province's layers and map are in longitude/latitude.
PROVINCE_CRS = "EPSG:4326"
#: Every name a county's folder may hold.
COUNTY_FILES = (*PLAN_FILES.values(), *REVISION_FILES)


@dataclass(frozen=True)
class CountyLayers:
    """A county's villages and groups (``village_table``, ``group_table``, with
    their shapes) and its outline (the union of its villages), in :data:`PROVINCE_CRS`."""

    villages: gpd.GeoDataFrame = field(repr=False)
    groups: gpd.GeoDataFrame | None = field(repr=False)
    outline: object = field(repr=False)


def render_files(plan: Plan, revision: Revision | None, *, formats, lang: str, extra: dict) -> dict[str, bytes]:
    """The files ``pairing solve`` (or ``resolve``) would write for the plan,
    checked, with ``extra`` in ``summary.json``: name -> content.

    Examples
    --------
    >>> plan = Plan(path_county([500, 400, 300], weak=[False, True, True]), Rules(), (Group("G001", ("a",), ("b", "c")),),
    ...             status="OPTIMAL")
    >>> sorted(render_files(plan, None, formats=("csv", "json"), lang="en", extra={}))
    ['plan.csv', 'summary.json']
    """
    with tempfile.TemporaryDirectory(prefix="pairing-county-") as scratch:
        with OutputFolder(scratch, COUNTY_FILES) as output:
            write_solved_into(output, plan, revision=revision, extra=extra, formats=formats, lang=lang)
        return {name: (Path(scratch) / name).read_bytes() for name in output.written}


def county_layers(plan: Plan) -> CountyLayers | None:
    """The plan's villages, groups and outline for the province (None without
    geometry, or without a coordinate system to place it in the province by).

    Examples
    --------
    >>> plan = Plan(path_county(villages=6, squares=True), Rules(), (Group("G001", ("a",), ("b", "c")),))
    >>> layers = county_layers(plan)
    >>> len(layers.villages), len(layers.groups), layers.outline.geom_type, layers.villages.crs.to_string()
    (6, 1, 'Polygon', 'EPSG:4326')
    """
    geometry = plan.instance.geometry
    if geometry is None or geometry.crs is None:
        return None
    villages = gpd.GeoDataFrame(village_table(plan), geometry=list(geometry), crs=geometry.crs).to_crs(PROVINCE_CRS)
    groups = (gpd.GeoDataFrame(group_table(plan), geometry=group_shapes(plan), crs=geometry.crs).to_crs(PROVINCE_CRS)
              if plan.groups else None)
    return CountyLayers(villages, groups, outline_of(villages))


def outline_of(villages: gpd.GeoDataFrame):
    """A county's outline: the union of its villages' shapes."""
    return shapely.union_all(villages.geometry.to_numpy())
